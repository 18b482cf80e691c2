"""What Pagefind is given of a page: the page without the content of the elements it is told
to ignore (`data-pagefind-ignore`), which it would read and drop.

A reporting round's page is 2-3 MB at 10,000 records, most of it the annex and the changes
since the last round, which the index skips; a term's page lists its records, skipped too.
Given without them, Pagefind reads a fraction of the bytes, and a group whose pages changed
only where the index does not look (a count in an ignored list, a status in an annex) is not
indexed again (search._grouped keys each group by the pages as given).

Only what cannot change the index is removed: the content of an element named in `_CLEAR`
(whose end tag is never implied) with the attribute, up to its matching end tag, when that
content holds nothing the index reads from ignored elements or that could hide an end tag
(`_NEEDLES`: other data-pagefind attributes, which Pagefind reads even in ignored elements; the
first heading and image it takes as the title and image; comments, scripts, raw text).
The element itself stays, empty, so the words around it are separated as before.
"""

from __future__ import annotations

import functools
import re

_ATTRIBUTE = b"data-pagefind-ignore"
# a start tag: its name, then its attributes (quoted values may hold '>')
_START = re.compile(rb"""<([A-Za-z][A-Za-z0-9-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>""")
_NAMES = re.compile(rb"""[\s/]([^\s"'>/=]+)(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?""")
_CLEAR = frozenset({b"section", b"div", b"details", b"nav", b"ul", b"ol", b"table", b"aside", b"figure", b"dl"})
# a title that holds no markup (as an SVG drawing's tooltips do): it hides no end tag
_PLAIN_TITLE = re.compile(rb"""<title(?:\s(?:[^>"']|"[^"]*"|'[^']*')*)?>[^<]*</title\s*>""", re.I)
LARGE = 32 * 1024  # (smaller pages are given whole: little to gain, and the check costs)


def given(page: bytes, large: int = LARGE) -> bytes:
    """`page` as Pagefind is given it (the same bytes when nothing is to be removed, or when
    it is smaller than `large` bytes)."""
    at = page.find(_ATTRIBUTE) if len(page) >= large else -1
    if at < 0:
        return page
    out: list[bytes] = []
    low = page.lower()
    done = 0  # (page[:done] is in out)
    while at >= 0:
        start = page.rfind(b"<", done, at)
        tag = _START.match(page, start) if start >= 0 else None
        skip = at + len(_ATTRIBUTE)
        if tag is not None and tag.end() > at and _ignores(tag.group(2)):
            name = tag.group(1).lower()
            end = _end_of(page, tag.end(), name) if name in _CLEAR else -1
            if end >= 0 and _clear(page, tag.end(), end, low):
                out.append(page[done:tag.end()])
                done = skip = end
        at = page.find(_ATTRIBUTE, max(skip, done))
    out.append(page[done:])
    return b"".join(out)


def _clear(page: bytes, pos: int, end: int, low: bytes) -> bool:
    """Whether page[pos:end] holds nothing of `_NEEDLES` (but titles without markup); `low`:
    the page in lower case. (A search for each string, at memory speed: one regular expression
    of them all, tried at every byte, took 15 ms a megabyte, most of a large page's time.)"""
    found: dict[bytes, int] = {}  # each string's first match at or after `pos` (`end`: none)
    while True:
        first, name = end, b""
        for needle in _NEEDLES:
            at = found.get(needle, -1)
            if at < pos:
                at = found[needle] = _next(low, needle, pos, end)
            if at < first:
                first, name = at, needle
        if first >= end:
            return True
        title = _PLAIN_TITLE.match(page, first, end) if name == b"<title" else None
        if title is None:
            return False
        pos = title.end()


_PAGEFIND = b"data-pagefind-"
# what an ignored element's content must not hold to be removed, lower case (the page is
# searched in lower case): data-pagefind- attributes (but data-pagefind-ignore), "<!", and
# these tags (a whole name)
_NEEDLES = (_PAGEFIND, b"<!", *(b"<" + name for name in (
    b"script", b"style", b"textarea", b"title", b"xmp", b"plaintext", b"noscript", b"iframe", b"noembed",
    b"noframes", b"template", b"math", b"h1", b"img")))
_WORD = frozenset(b"abcdefghijklmnopqrstuvwxyz0123456789_")  # (\w, lower case)


def _next(low: bytes, needle: bytes, pos: int, end: int) -> int:
    """Where the first match of `needle` (one of `_NEEDLES`) in low[pos:end] starts (`end`: none)."""
    at = low.find(needle, pos, end)
    while at >= 0:
        after = at + len(needle)
        if needle == _PAGEFIND:  # (any but data-pagefind-ignore, a whole name)
            word = after + len(b"ignore")
            if not (low.startswith(b"ignore", after) and word <= end
                    and (word == end or (low[word] not in _WORD and low[word] != ord("-")))):
                return at
        elif needle == b"<!" or after >= end or low[after] not in _WORD:  # (\b: the tag's name ends)
            return at
        at = low.find(needle, at + 1, end)
    return end


def _ignores(attributes: bytes) -> bool:
    return any(m.group(1).lower() == _ATTRIBUTE for m in _NAMES.finditer(attributes))


def _end_of(page: bytes, pos: int, name: bytes) -> int:
    """Where the end tag matching a `name` element whose content starts at `pos` begins (-1
    when there is none)."""
    depth = 1
    for m in _tags(name).finditer(page, pos):
        depth += -1 if m.group(1) else 1
        if depth == 0:
            return m.start()
    return -1


@functools.lru_cache(maxsize=32)
def _tags(name: bytes) -> re.Pattern[bytes]:
    """Start and end tags of elements `name` (any case)."""
    return re.compile(rb"<(/?)" + re.escape(name) + rb"""(?=[\s/>])(?:[^>"']|"[^"]*"|'[^']*')*>""", re.I)
