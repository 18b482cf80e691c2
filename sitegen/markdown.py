"""One configured Markdown converter (markdown-it-py) and the HTML sanitiser (nh3).

markdown-it-py: CommonMark-exact, GFM tables, strikethrough and footnotes, heading ids;
about twice as fast as Python-Markdown and without its pathological inputs. Raw HTML in
content is untrusted: nh3 (the Rust `ammonia` sanitiser) keeps an allow-list of tags,
attributes and URL schemes unless the site sets `allow_raw_html: true`.
"""

from __future__ import annotations

import functools
import html as html_lib
import re
from typing import Any

import nh3

from .fields import slugify

_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "details", "dl", "dt",
    "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li",
    "mark", "ol", "p", "pre", "q", "s", "section", "small", "span", "strong", "sub", "summary",
    "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}
_ATTRS = {
    "*": {"class", "title", "lang"},
    "a": {"href", "id"},
    "img": {"src", "alt", "width", "height"},
    "h2": {"id"}, "h3": {"id"}, "h4": {"id"}, "h5": {"id"}, "h6": {"id"},
    "li": {"id"}, "sup": {"id"}, "section": {"id"},
    "td": {"align", "style", "colspan", "rowspan"}, "th": {"align", "style", "colspan", "rowspan", "scope"},
    "ol": {"start"},
}


def _slug(text: str) -> str:
    return slugify(text) or "section"


@functools.lru_cache(maxsize=1)
def _converter() -> Any:
    # Imported on first use (a tenth of sitegen's start-up time): most bodies take the fast path.
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin

    md = MarkdownIt("commonmark", {"html": True, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin)
    md.core.ruler.push("anchor", _heading_ids)  # anchors_plugin(min_level=2, max_level=4), in linear time
    return md


def _heading_ids(state: Any) -> None:
    """anchors_plugin's heading ids (h2-h4, title from text and code spans, `-1`, `-2`...
    against repeats), with UniqueIds instead of its loop that is quadratic in the repeats."""
    ids = UniqueIds()
    tokens = state.tokens
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag in ("h2", "h3", "h4") and not token.attrGet("id"):
            title = "".join(child.content for child in tokens[i + 1].children or ()
                            if child.type in ("text", "code_inline"))
            token.attrSet("id", ids.add(_slug(title)))


class UniqueIds:
    """Ids made unique as anchors_plugin's unique_slug does ("a", "a-1", "a-2"...; a taken
    "a-1", e.g. from a heading titled "a-1", is skipped), in linear time: the suffix tried
    first for a base is where the last search for that base stopped (the ids taken before
    it stay taken), where unique_slug starts again from 1 (quadratic in the repeats)."""

    def __init__(self) -> None:
        self.taken: set[str] = set()
        self.next: dict[str, int] = {}

    def add(self, base: str) -> str:
        """`base`, or `base-N` with the least N whose id is free; the result is taken."""
        slug = base
        if slug in self.taken:
            n = self.next.get(base, 1)
            slug = f"{base}-{n}"
            while slug in self.taken:
                n += 1
                slug = f"{base}-{n}"
            self.next[base] = n + 1
        self.taken.add(slug)
        return slug


def _local_images(tag: str, attribute: str, value: str) -> str | None:
    """Drop image sources on other hosts: the built site makes no network requests."""
    if tag == "img" and attribute == "src" and (value.lower().startswith(("http:", "https:", "//"))):
        return None
    return value


def sanitise(html: str) -> str:
    """Remove scripts, styles, frames, event handlers, non-http(s)/mailto URLs and remote images."""
    return nh3.clean(
        html, tags=_TAGS, attributes=_ATTRS, url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer", strip_comments=True,
        filter_style_properties={"text-align"}, attribute_filter=_local_images,
    )


def render(text: str, trusted: bool = False, level: int = 1) -> str:
    """Markdown -> HTML; sanitised unless the site opted in to trusted raw HTML. `level` is
    the level of the heading the text sits under on its page (see outline)."""
    if not text.strip():
        return ""
    return outline(_render(text, trusted), level)


_HEADING_TAG = re.compile(r"<(/?)h([1-6])\b")


def outline(html: str, level: int = 1) -> str:
    """Headings that skip no level: each at most one deeper than the one before it, the
    first at most one deeper than `level` (so `### Programme` as a record's first heading,
    under the page's h1, becomes an h2, as screen readers and the W3C checker expect).
    Headings that skip no level are left as they are."""
    if "<h" not in html:
        return html
    levels = [depth for depth in "123456" if f"<h{depth}" in html]
    if len(levels) == 1 and int(levels[0]) <= level + 1:
        return html  # one level, which skips none (most bodies: "##" only)
    if _outlined(html, level):  # (a quick pass without a call per heading: most skip nothing)
        return html
    last, current = level, 0

    def fix(match: re.Match[str]) -> str:
        nonlocal last, current
        if match.group(1):
            return f"</h{current}" if current else match.group(0)
        current = last = min(int(match.group(2)), last + 1)
        return f"<h{current}"

    return _HEADING_TAG.sub(fix, html)


def _outlined(html: str, level: int) -> bool:
    """Whether outline(html, level) would change nothing."""
    last, current = level, 0
    for end, depth in _HEADING_TAG.findall(html):
        if end:
            if current and int(depth) != current:
                return False
        else:
            current = int(depth)
            if current > last + 1:
                return False
            last = current
    return True


LEAD_WORDS = 60  # a report's lead, for the search index (search_text: lead): about its first paragraph
_LEAD_BLOCK = re.compile(r"<(p|h[2-6])\b[^>]*>")


def split_lead(html: str, words: int = LEAD_WORDS) -> tuple[str, str]:
    """(lead, rest) of a rendered body: the lead is its opening paragraphs and headings,
    whole, until they hold `words` words (or a list, table, quote... comes first); the rest
    is everything after them. Paragraphs and headings do not nest, so each ends at its own
    end tag; a block that holds another opening of its kind (raw HTML) ends the lead."""
    pos, count = 0, 0
    while count < words:
        found = _LEAD_BLOCK.match(html, pos)
        if not found:
            break
        end_tag = f"</{found.group(1)}>"
        end = html.find(end_tag, found.end())
        if end < 0 or f"<{found.group(1)}" in html[found.end():end]:
            break
        end += len(end_tag)
        count += len(_TAG.sub(" ", html[found.end():end]).split())
        pos = end + 1 if html.startswith("\n", end) else end
    return html[:pos], html[pos:]


# Optional accelerator: markdown-it-pyrs (the Rust port of the same markdown-it) renders
# about 15 times faster and gives the same HTML for CommonMark, tables and strikethrough once
# heading ids are added as anchors_plugin adds them. Its footnotes and setext-heading slugs
# differ, so texts that may use them (and sites without the package) use markdown-it-py.
# tests/test_parallel.py compares both engines on the generated corpus and the example.
_FastMarkdownIt: Any
try:
    from markdown_it_pyrs import MarkdownIt as _FastMarkdownIt
except ImportError:  # pragma: no cover - optional
    _FastMarkdownIt = None

# (the text of a heading stops at the next "<h2>"-"<h4>" opening: "<h2>" repeated without
# an end tag in raw HTML would otherwise be scanned to its end from each one, in square time)
_HEADING = re.compile(r"<h([234])>((?:[^<]|<(?!h[234]>))*?)</h\1>")
_TAG = re.compile(r"<[^>]+>")
_SETEXT = re.compile(r"\n {0,3}(?:=+|-+)[ \t]*(?:\n|$)")


@functools.lru_cache(maxsize=1)
def _fast_converter() -> Any:
    return _FastMarkdownIt("commonmark").enable_many(["table", "strikethrough"])


def _fast(text: str) -> str | None:
    """markdown-it-pyrs output with anchors_plugin's heading ids, or None when not usable."""
    if _FastMarkdownIt is None or _needs_reference(text) or _may_panic(text) or _may_nest_deep(text):
        return None
    ids = UniqueIds()
    bases: dict[str, str] = {}  # heading HTML -> slug base (repeated headings: one slug each)

    def heading_id(match: re.Match[str]) -> str:
        depth, inner = match.groups()
        base = bases.get(inner)
        if base is None:
            text = _TAG.sub("", inner) if "<" in inner else inner
            base = bases[inner] = _slug(html_lib.unescape(text) if "&" in text else text)
        return f'<h{depth} id="{ids.add(base)}">{inner}</h{depth}>'

    try:
        html = _fast_converter().render(text)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # a Rust panic (pyo3's PanicException is a BaseException)
        return None
    return _HEADING.sub(heading_id, html) if "<h" in html else html


def _may_panic(text: str) -> bool:
    """markdown-it-pyrs 0.4 panics on an unclosed backtick inside a link label ("[`", "[a`]").

    Conservative: any line with an odd number of backticks, or backticks in a table row, an
    escaped backtick or a double backtick, when the text also has "[". (A panic that slips
    through is caught in `_fast`; this avoids the Rust panic message on stderr.)
    """
    if "`" not in text or "[" not in text:
        return False
    if "\\`" in text or "``" in text:
        return True
    return any(line.count("`") % 2 or "|" in line for line in text.split("\n") if "`" in line)


# markdown-it-pyrs recurses once per level of nesting (parsing, rendering and freeing its
# tree) with no limit: about 25,000 nested lists or quotes, or 100,000 nested emphases,
# overflow the stack and kill the process (a segmentation fault nothing can catch).
# markdown-it-py stops block nesting at maxNesting and keeps inline nesting flat, so a text
# that could nest deeper than these bounds goes to it (real bodies never come near them;
# the fast engine's result would be thrown away anyway beyond MAX_DEPTH levels).
#
# Block containers (quotes, list items) on a line are opened or continued by its leading
# run of markers and indentation: each takes at least one column of that run (">", a list
# marker, or the indentation of a list item's content), and a lazy continuation line opens
# none (it only continues a paragraph). So a text nests at most as deep as its longest such
# run counts columns, and a tab counts at most 4: runs of up to BLOCK_RUN characters keep
# the depth under 4 * 250 = 1,000, far from the crash.
BLOCK_RUN = 250
_LONG_RUN = re.compile(rf"^[ \t>*+\-0-9.)]{{{BLOCK_RUN + 1}}}", re.MULTILINE)
# Emphasis and strikethrough each need a "*", "_" or "~" of their own, in one paragraph,
# heading or table, none of which spans a blank line. A part between blank lines with more
# of them than this also goes to markdown-it-py (markdown-it-pyrs also takes square time in
# the delimiter runs of a paragraph, e.g. "*a " * 20,000 + "b" + " a*" * 20,000 takes 4 s;
# at INLINE_MARKS 0.2 s at most). Links and images ("[") are not counted: nested 200,000
# deep, or 100,000 in a row, markdown-it-pyrs renders them in linear time without crashing,
# and markdown-it-py would take ~10 s for 2 MB of "[".
INLINE_MARKS = 5_000


# A part between blank lines with more emphasis, strikethrough and link marks than this is
# not rendered (shown as text, like Markdown nested too deep): markdown-it-py takes about
# 6 microseconds a mark (500,000 "*" in one paragraph: 2.9 s), markdown-it-pyrs about
# 500 bytes of memory a "[" (2 MB of "[": 1.1 GB). No paragraph, heading or table a person
# writes holds 100,000 of them.
PART_MARKS = 100_000


def _too_many_marks(text: str) -> bool:
    """Whether a part of `text` between blank lines holds more than PART_MARKS marks."""
    def marks(part: str) -> int:
        return part.count("*") + part.count("_") + part.count("~") + part.count("[")
    if marks(text) <= PART_MARKS:
        return False
    return any(marks(part) > PART_MARKS for part in text.split("\n\n"))


def _may_nest_deep(text: str) -> bool:
    """Whether `text` could nest block or inline containers deep enough to crash markdown-it-pyrs."""
    if _LONG_RUN.search(text):
        return True
    marks = text.count("*") + text.count("_") + text.count("~")
    if marks <= INLINE_MARKS:
        return False
    return any(part.count("*") + part.count("_") + part.count("~") > INLINE_MARKS
               for part in text.split("\n\n"))


def _needs_reference(text: str) -> bool:
    """Footnotes, or a setext heading underline (whose slug the fast engine gets wrong)."""
    if "^" in text and ("[^" in text or "^[" in text):
        return True
    return ("\n=" in text or "\n-" in text or "\n " in text) and _SETEXT.search(text) is not None


def reference_html(text: str) -> str:
    """markdown-it-py's HTML (before heading demotion and sanitising)."""
    html: str = _converter().render(text)
    return html


# HTML nested deeper than this is not rendered: the sanitiser's HTML parser (html5ever) takes
# quadratic time in the nesting depth (100 KB of "<div>" costs seconds, 2 MB hours).
MAX_DEPTH = 100
# void elements, and elements whose end tag may be omitted (not counted: 200 <li> without
# </li> are a flat list, not 200 levels)
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
         "source", "track", "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "option", "thead",
         "tbody", "tfoot", "colgroup", "rp", "rt", "optgroup"}
# (a tag ends before the next "<": "<a " repeated without ">" would otherwise be scanned to
# its end from each one, in square time)
_TAGS_RX = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)[^<>]*?(/?)>")


_LEAF = re.compile(r"<([a-zA-Z][a-zA-Z0-9]*)\b[^<>]*>[^<]*</\1>")


def nesting_depth(html: str) -> int:
    """An upper bound of how deep `html` nests elements (unclosed tags count as open)."""
    openers = html.count("<") - html.count("</")
    if openers <= MAX_DEPTH:  # cannot nest deeper than it opens: skip the scan (most bodies)
        return openers
    # Elements that hold no tag (a heading, a paragraph of plain text) add one level where
    # they stand: without them, what is left opens fewer tags, and one more is still a bound.
    # (Thousands of headings or paragraphs would otherwise be scanned tag by tag.)
    bare = _LEAF.sub("", html)
    if (openers := bare.count("<") - bare.count("</") + 1) <= MAX_DEPTH:
        return openers
    depth = deepest = 0
    for m in _TAGS_RX.finditer(html):
        if m.group(2).lower() in _VOID:
            continue
        if m.group(1):
            depth = max(0, depth - 1)
        elif not m.group(3):
            depth += 1
            if depth > deepest:
                deepest = depth
    return deepest


# -- the sanitiser's result without the sanitiser, for Markdown that holds no HTML --------
# A text without "<" has no raw HTML and no autolinks, so markdown-it-pyrs's output holds only
# the tags it makes itself, and nh3 would only reserialise them: add rel to links, write void
# tags as <br>, not escape quotes in text, write U+00A0 as &nbsp;. `_clean_generated` does
# exactly that with a few whole-string operations, several times faster than parsing the HTML
# again; a tag, attribute or URL it does not expect sends the text to nh3 instead.
# tests/test_parallel.py compares both on the corpus and on generated Markdown.
# a tag other than those markdown-it makes from plain Markdown (or a "<" not followed by
# such a name and a space, ">" or "/")
_ODD_TAG = re.compile(r"<(?!/?(?:p|h[2-6]|blockquote|ul|ol|li|pre|code|em|strong|a|img|hr|br|table"
                      r"|thead|tbody|tr|th|td|s)[ >/])")
_ATTRS_OF_TAG = re.compile(r"<[a-z0-9]+( [^>]*)>")
_ATTR = re.compile(r' ([^ =>]*)="([^"]*)"')
_LINK_OPEN = re.compile(r"<a( [^>]*)>")
_PLAIN_ATTRS = frozenset({"href", "title", "src", "alt", "start", "class", "style", "id"})
_ALIGN = frozenset({"text-align:left", "text-align:right", "text-align:center"})
_SCHEME = re.compile(r"[^/?#]*:")
_SAFE_URL = re.compile(r"(?:https?://|mailto:)[^\s]*")
_ODD_ENTITY = re.compile(r"&(?!amp;|quot;|lt;|gt;)")


def _clean_generated(html: str) -> str | None:
    """nh3's output for markdown-it-pyrs HTML of a text without "<", or None if unsure."""
    if _ODD_TAG.search(html):
        return None
    chunks = "".join(_ATTRS_OF_TAG.findall(html))
    if _ATTR.sub("", chunks).replace(" /", ""):
        return None  # something else than name="value" pairs inside a tag
    attrs = _ATTR.findall(chunks)
    if "&" in chunks and any(_ODD_ENTITY.search(value) for _, value in attrs):
        return None  # markdown-it escapes only these; another could spell a scheme's ":"
    if "&quot;" in html and any("&quot;" in value for _, value in attrs):
        return None  # a quote inside an attribute: nh3 keeps that one escaped
    for key, value in attrs:
        if key not in _PLAIN_ATTRS:
            return None
        if key == "href" and _SCHEME.match(value) and not _SAFE_URL.fullmatch(value):
            return None  # a scheme nh3 removes
        if key == "src" and (_SCHEME.match(value) or value.startswith("//")):
            return None  # a remote image (or odd scheme): nh3 drops its source
        if key == "style" and value not in _ALIGN:
            return None
    html = html.replace(" />", ">").replace("&quot;", '"').replace("\xa0", "&nbsp;")
    return _LINK_OPEN.sub(r'<a\1 rel="noopener noreferrer">', html)


# A link whose text is its address (`<https://...>`, `[https://x](https://x)`): marked so that
# the printed page does not write the address after it again (site.css).
_ADDRESS_LINK = re.compile(r'<a href="(https?://[^"<>]+)">\1</a>')


def _render(text: str, trusted: bool) -> str:
    if _too_many_marks(text):  # absurd: show it as text
        return "<pre>" + html_lib.escape(text) + "</pre>\n"
    # A leading '# Heading' would compete with the page title: demote headings one level.
    html = _fast(text)
    if html is not None and nesting_depth(html) > MAX_DEPTH:
        html = None  # markdown-it-py caps Markdown nesting (maxNesting); the fast port does not
    generated = html is not None and "<" not in text
    if html is None:
        try:
            html = _converter().render(text)
        except RecursionError:  # (not known to happen: maxNesting bounds its recursion)
            html = None
        if html is None or nesting_depth(html) > MAX_DEPTH:  # nested absurdly deep: show it as text
            return "<pre>" + html_lib.escape(text) + "</pre>\n"
    html = html.replace("<h1", "<h2").replace("</h1>", "</h2>")
    if '">http' in html:
        html = _ADDRESS_LINK.sub(r'<a class="url" href="\1">\1</a>', html)
    if trusted:
        return html
    if generated and html.count("<") == html.count(">"):
        clean = _clean_generated(html)
        if clean is not None:
            return clean
    return sanitise(html)
