"""What Pagefind is given of a large page (sitegen/search_input.py): the page without the
content of the elements it ignores. Pagefind makes the same index of the pages so given as of
the pages themselves (the example site in three languages: rounds with their annexes, term
pages with their lists, charts with their data tables), and content the index reads is
never removed.
"""

from __future__ import annotations

from pathlib import Path

from sitegen import search
from sitegen.build import build
from sitegen.search_input import given
from tests.sitekit import example_in


def test_pagefind_makes_the_same_index_of_the_pages_as_given(tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(example_in(tmp_path, "[en, fr, ru]"), out, use_cache=False)
    whole, shown = tmp_path / "whole", tmp_path / "shown"
    stripped = 0
    for page in sorted(out.rglob("*.html")):
        rel = page.relative_to(out)
        data = page.read_bytes()
        less = given(data, large=0)  # (every page, however small)
        stripped += less != data
        for root, bytes_ in ((whole, data), (shown, less)):
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes(bytes_)
    assert stripped > 50  # (rounds, term pages, charts' tables...: most pages lose something)
    exe = search.binary().path
    for root in (whole, shown):
        search._run(exe, root, tmp_path / f"index-{root.name}", None)
    assert search._collect(tmp_path / "index-whole") == search._collect(tmp_path / "index-shown")


def _page(inner: str) -> bytes:
    return f'<html><body><main data-pagefind-body><p>kept words</p>{inner}<p>after</p></main></body></html>'.encode()


def test_only_content_the_index_skips_is_removed() -> None:
    # an ignored section's content goes; the element stays (the words around stay apart)
    assert given(_page('<section class="annex" data-pagefind-ignore><h2>Annex</h2><ul><li>x</li></ul></section>'),
                 large=0) == _page('<section class="annex" data-pagefind-ignore></section>')
    # nested elements of the same name are matched to their own end tags
    nested = '<div data-pagefind-ignore><div>a</div><div><div>b</div></div></div>'
    assert given(_page(nested), large=0) == _page("<div data-pagefind-ignore></div>")
    # a '>' in a quoted attribute does not end the start tag
    assert given(_page('<div title="a > b" data-pagefind-ignore>x</div>'), large=0) == \
        _page('<div title="a > b" data-pagefind-ignore></div>')
    # SVG tooltips (titles without markup) may be inside
    maps = '<div data-pagefind-ignore><svg><a><title>Albania: 3</title><path d="M0 0"/></a></svg></div>'
    assert given(_page(maps), large=0) == _page("<div data-pagefind-ignore></div>")
    # names that only begin as a kept tag's, and ignored elements inside, go too
    for inner in ('<h10>x</h10><imgx><mathematics>', '<p data-pagefind-ignore>x</p>', '<b data-pagefind-ignore=all>y</b>'):
        assert given(_page(f"<div data-pagefind-ignore>{inner}</div>"), large=0) == \
            _page("<div data-pagefind-ignore></div>"), inner
    kept = [
        '<div data-pagefind-ignore><span data-pagefind-filter="type">workshop</span></div>',  # a filter
        '<div data-pagefind-ignore><span data-pagefind-meta="date">2020</span></div>',  # metadata
        '<div data-pagefind-ignore><h1>The title Pagefind takes</h1></div>',
        '<div data-pagefind-ignore><img src="a.png" alt=""></div>',  # the image Pagefind takes
        '<div data-pagefind-ignore><textarea></div><p>read</p></textarea></div>',  # raw text
        '<div data-pagefind-ignore><script>"</div>"</script></div>',
        '<div data-pagefind-ignore><SCRIPT>"</div>"</SCRIPT></div>',  # (any case)
        '<div data-pagefind-ignore><span DATA-PAGEFIND-META="a">b</span></div>',
        '<div data-pagefind-ignore><span data-pagefind-ignore-x="a">b</span></div>',  # (another name)
        '<div data-pagefind-ignore><IMG src="a.png"></div>',
        '<div data-pagefind-ignore><!-- </div> --></div>',
        '<div data-pagefind-ignore><title>a <b>b</b></title></div>',
        '<p data-pagefind-ignore>a paragraph ends where a block starts<div>read</div></p>',  # (not cleared)
        '<div title="data-pagefind-ignore">not an attribute</div>',
        '<div data-pagefind-ignore>no end tag',
    ]
    for inner in kept:
        assert given(_page(inner), large=0) == _page(inner), inner
    small = _page('<section data-pagefind-ignore>x</section>')
    assert given(small) is small  # (a page under search_input.LARGE bytes is given whole)
