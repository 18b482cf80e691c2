"""What content/static/ may publish: an allow-list of inert file types, and SVG checked
element by element with a real XML parser.

Static files are served from the site's own origin, so a file a browser would run as a
document (HTML, XHTML, XML with a stylesheet, SVG with script) could act as the site. A
blocklist of patterns cannot keep up with character references, namespaces and DTD
entities; instead sitegen decides what a file is and publishes only what it knows to be
inert:

- types browsers show as data, never as a document that runs script (images, fonts,
  media, PDF, office files, archives, text, CSV, JSON, CSS): published as they are;
- SVG: parsed with expat (the XML a browser sees: entities and character references
  decoded) and published only when every element, attribute and link is on the
  allow-list below;
- HTML, XHTML, XML, XSLT: only when site.yaml sets `allow_raw_html: true` (every editor
  is then trusted, as for raw HTML in Markdown);
- script files (.js, .wasm, ...) and compressed SVG: never;
- any other type: only when it holds no '<' at all (no markup for a browser to run,
  whatever type a host serves it as).
"""

from __future__ import annotations

import re
import xml.parsers.expat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Refused even with allow_raw_html: scripts belong in the theme (templates/).
SCRIPT_SUFFIXES = frozenset({".js", ".mjs", ".cjs", ".jsm", ".wasm", ".swf", ".hta", ".jar",
                             ".xap", ".xbap", ".svgz"})
# Documents a browser renders (and runs script in): only with allow_raw_html.
MARKUP_SUFFIXES = frozenset({".html", ".htm", ".shtml", ".xhtml", ".xht", ".xml", ".xsl", ".xslt",
                             ".rss", ".atom", ".rdf", ".mht", ".mhtml", ".mml", ".xsd", ".dtd"})
# Types every common host serves with a type browsers never run as a document.
INERT_SUFFIXES = frozenset({
    ".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".apng", ".ico", ".bmp", ".tif", ".tiff",
    ".woff", ".woff2", ".ttf", ".otf", ".eot",
    ".mp3", ".mp4", ".m4a", ".m4v", ".ogg", ".oga", ".ogv", ".opus", ".webm", ".wav", ".flac",
    ".mov", ".vtt", ".srt",
    ".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".odt", ".ods", ".odp", ".rtf",
    ".epub",
    ".zip", ".gz", ".tgz", ".bz2", ".xz", ".7z",
    ".txt", ".csv", ".tsv", ".json", ".geojson", ".md", ".yaml", ".yml", ".ics", ".css",
    ".webmanifest",
})
# SVG larger than this is refused: the check parses the whole file (about 0.15 s per MB).
MAX_SVG_BYTES = 20_000_000
_RAW_HINT = ("raw HTML belongs in Markdown pages (content/pages/) or the theme (templates/); "
             "set allow_raw_html: true in site.yaml only if every editor is trusted")
_SVG_HINT = ("clean the file with an SVG optimiser (svgo, scour) or export it as PNG; "
             "sitegen publishes SVG drawings, not SVG that acts")


@dataclass(frozen=True)
class Refusal:
    """Why a static file is not published, and where in it."""

    line: int
    column: int
    message: str
    hint: str


def refusal(path: Path, allow_raw_html: bool) -> Refusal | None:
    """Why the static file at `path` may not be published (None: it may)."""
    suffix = path.suffix.lower()
    if suffix in SCRIPT_SUFFIXES:
        what = "compressed SVG (.svgz) cannot be checked" if suffix == ".svgz" else \
            "content cannot add scripts to the site"
        return Refusal(0, 0, f"static {suffix} files are refused: {what}",
                       "publish the plain .svg" if suffix == ".svgz" else
                       "scripts belong in the theme (templates/), not in content")
    if not path.is_file():  # a pipe or device would block the build reading it
        return Refusal(0, 0, "not a regular file (a pipe or device?)", "")
    if suffix in INERT_SUFFIXES or allow_raw_html:
        return None
    if suffix in MARKUP_SUFFIXES:
        return Refusal(0, 0, f"static {suffix} files are refused: a browser would run them as "
                       "pages of the site, with any script in them", _RAW_HINT)
    try:
        if suffix == ".svg":
            with open(path, "rb") as fh:
                data = fh.read(MAX_SVG_BYTES + 1)
            if len(data) > MAX_SVG_BYTES:
                return Refusal(0, 0, f"SVG files larger than {MAX_SVG_BYTES // 1_000_000} MB are "
                               "refused (each is checked element by element)", "export it as PNG")
            return svg_refusal(data)
        line = _first_markup(path)
    except OSError as exc:
        return Refusal(0, 0, f"cannot read file: {exc.strerror or exc}", "")
    if line:
        kind = f"{suffix} files" if suffix else "files without a suffix"
        return Refusal(line, 0, f"static {kind} are published only when they hold no markup "
                       "('<'): a host could serve this one as a page that runs script",
                       "use a known file type (image, PDF, CSV, JSON, text, ...) or zip it")
    return None


def _first_markup(path: Path) -> int:
    """The line of the first '<' in a file (0: none), read a megabyte at a time."""
    lines = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            at = chunk.find(b"<")
            if at >= 0:
                return lines + chunk.count(b"\n", 0, at) + 1
            lines += chunk.count(b"\n")
    return 0


# -- SVG ------------------------------------------------------------------------------------
SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"
# What drawing programs write beside the drawing (Inkscape, Creative Commons metadata):
# elements of these namespaces are inert in browsers; their attributes are checked as usual.
EDITOR_NS = frozenset({
    "http://www.inkscape.org/namespaces/inkscape",
    "http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "http://creativecommons.org/ns#",
    "http://web.resource.org/cc/",
    "http://purl.org/dc/elements/1.1/",
})
SVG_ELEMENTS = frozenset([
    "svg", "g", "defs", "symbol", "use", "switch", "title", "desc", "metadata", "view", "style",
    "a", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "text", "tspan",
    "textPath", "marker", "pattern", "clipPath", "mask", "linearGradient", "radialGradient", "stop",
    "image", "animate", "animateTransform", "animateMotion", "set", "mpath", "filter", "feBlend",
    "feColorMatrix", "feComponentTransfer", "feComposite", "feConvolveMatrix", "feDiffuseLighting",
    "feDisplacementMap", "feDistantLight", "feDropShadow", "feFlood", "feFuncA", "feFuncB",
    "feFuncG", "feFuncR", "feGaussianBlur", "feImage", "feMerge", "feMergeNode", "feMorphology",
    "feOffset", "fePointLight", "feSpecularLighting", "feSpotLight", "feTile", "feTurbulence",
])
_ANIMATIONS = frozenset({"animate", "animateTransform", "animateMotion", "set"})
# Elements whose href may name a file beside the drawing (a relative path) or an inline
# raster image; every other href must point into the drawing itself ("#id").
_IMAGE_LINKS = frozenset({"image", "feImage"})
_XLINK_ATTRS = frozenset({"href", "title", "show", "actuate", "type", "role", "arcrole"})
_RASTER_DATA = re.compile(r"data:image/(?:png|jpeg|jpg|gif|webp|avif)[;,]", re.IGNORECASE)
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)
# Browsers drop ASCII tab/newline (and trim controls and spaces) inside URLs before they
# read the scheme: "java\tscript:" is javascript:. Values are compared without them.
_URL_NOISE = re.compile(r"[\x00-\x20\x7f]+")
_BAD_URL = re.compile(r"(?:java|vb|live)script:|data:text/|data:application/|data:image/svg", re.IGNORECASE)
_CSS_BAD = re.compile(r"@import|expression\s*\(|behavior\s*:|-moz-binding|image-set\s*\(|\\", re.IGNORECASE)
_CSS_URL = re.compile(r"url\s*\(\s*([\"']?)\s*(.?)", re.IGNORECASE)


class _Refused(Exception):
    """Raised inside the expat handlers to stop at the first thing not allowed."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
        self.where: tuple[int, int] | None = None  # line and column, set by _SvgChecker


def svg_refusal(data: bytes) -> Refusal | None:
    """Why an SVG file may not be published (None when it is a plain drawing)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")) or b"\x00" in data:
        return Refusal(1, 1, "SVG file is not UTF-8 (UTF-16 or NUL bytes)", "save it as UTF-8")
    parser = xml.parsers.expat.ParserCreate(encoding="utf-8", namespace_separator=" ")
    checker = _SvgChecker(parser)
    try:
        parser.Parse(data, True)
        if not checker.root_seen:
            raise _Refused("SVG file has no <svg> element")
    except _Refused as exc:
        line, column = exc.where or (parser.CurrentLineNumber, parser.CurrentColumnNumber)
        return Refusal(line, column + 1, f"SVG refused: {exc.message}", _SVG_HINT)
    except xml.parsers.expat.ExpatError as exc:
        why = xml.parsers.expat.ErrorString(exc.code)
        return Refusal(exc.lineno, exc.offset + 1, f"SVG refused: not well-formed XML ({why})",
                       "browsers would not show it either; fix or re-export the file")
    return None


class _SvgChecker:
    """Expat handlers that raise _Refused at the first element, attribute or declaration
    outside the allow-list (expat has already decoded entities and character references,
    so what is checked is what a browser would see)."""

    def __init__(self, parser: xml.parsers.expat.XMLParserType):
        self.parser = parser
        self.root_seen = False
        self.style_depth = 0  # inside <style>: its text is CSS
        self.style_text: list[str] = []
        parser.XmlDeclHandler = self._located(self.xml_decl)
        parser.StartDoctypeDeclHandler = self._located(self.doctype)
        parser.EntityDeclHandler = self._located(self.entity)
        parser.SkippedEntityHandler = self._located(self.skipped)
        parser.ProcessingInstructionHandler = self._located(self.instruction)
        parser.StartElementHandler = self._located(self.start)
        parser.EndElementHandler = self._located(self.end)
        parser.CharacterDataHandler = self.text

    def _located(self, handler: Callable[..., None]) -> Callable[..., None]:
        """`handler`, with the position of its event put on a refusal (expat moves on once
        a handler raises)."""
        def run(*args: Any) -> None:
            where = (self.parser.CurrentLineNumber, self.parser.CurrentColumnNumber)
            try:
                handler(*args)
            except _Refused as exc:
                exc.where = exc.where or where
                raise
        return run

    def xml_decl(self, version: str | None, encoding: str | None, standalone: int) -> None:
        # The file is read as UTF-8; a browser trusting another declared encoding would
        # read other characters than the ones checked here.
        if encoding is not None and encoding.lower().replace("_", "-") not in ("utf-8", "utf8"):
            raise _Refused(f"the XML declaration names the encoding {encoding!r}; only UTF-8 is accepted")

    def doctype(self, name: str, sysid: str | None, pubid: str | None, has_internal_subset: int) -> None:
        if has_internal_subset:
            raise _Refused("a DOCTYPE with declarations ([...]) can define entities that expand "
                           "into script")

    def entity(self, *args: object) -> None:
        raise _Refused("entity declarations are not accepted")

    def skipped(self, name: str, is_parameter_entity: int) -> None:
        raise _Refused(f"undefined entity &{name};")

    def instruction(self, target: str, data: str) -> None:
        raise _Refused(f"processing instruction <?{target} ...?> (a stylesheet could run script)")

    def start(self, name: str, attrs: dict[str, str]) -> None:
        ns, _, local = name.rpartition(" ")
        if ns == SVG_NS:
            if local not in SVG_ELEMENTS:
                raise _Refused(f"<{local}> elements are not accepted in SVG"
                               + (" (script)" if local in ("script", "handler", "listener") else ""))
            self.root_seen = True
        elif ns not in EDITOR_NS:
            where = f"namespace {ns!r}" if ns else "no namespace (add xmlns=\"http://www.w3.org/2000/svg\")"
            raise _Refused(f"element <{local}> of {where}: only SVG elements are accepted")
        for key, value in attrs.items():
            self.attribute(local if ns == SVG_NS else "", key, value)
        if ns == SVG_NS and local in _ANIMATIONS:
            target = attrs.get("attributeName", "").strip().rpartition(":")[2].lower()
            if target == "href" or target.startswith("on"):
                raise _Refused(f"<{local}> may not change '{target}' (it could make a script link)")
        if ns == SVG_NS and local == "style":
            self.style_depth += 1

    def end(self, name: str) -> None:
        if name == f"{SVG_NS} style":
            self.style_depth -= 1
            if self.style_depth == 0:
                _check_css("".join(self.style_text), "<style>")
                self.style_text = []

    def text(self, data: str) -> None:
        if self.style_depth:
            self.style_text.append(data)

    def attribute(self, element: str, key: str, value: str) -> None:
        """Refuse an attribute that could run script or load something from elsewhere."""
        ns, _, local = key.rpartition(" ")
        if local.lower().startswith("on"):
            raise _Refused(f"event handler attribute {local!r} (script)")
        if (ns == XLINK_NS and local not in _XLINK_ATTRS) or (ns == XML_NS and local not in ("space", "lang")) \
                or (ns and ns not in (XLINK_NS, XML_NS) and ns not in EDITOR_NS):
            raise _Refused(f"attribute {local!r} of namespace {ns!r} is not accepted")
        if ns in EDITOR_NS:
            return  # drawing programs' own notes (export file names...): browsers ignore them
        if local == "href":
            _check_href(element, value)
            return
        if _BAD_URL.search(_URL_NOISE.sub("", value)):
            raise _Refused(f"attribute {local!r} holds a script or document URL")
        _check_css(value, f"attribute {local!r}")


def _check_href(element: str, value: str) -> None:
    """Links may point into the drawing; images also to a relative file or inline raster."""
    url = _URL_NOISE.sub("", value)
    if url.startswith("#"):
        return
    if element in _IMAGE_LINKS:
        if _RASTER_DATA.match(url):
            return
        if url and not _SCHEME.match(url) and not url.startswith(("//", "/\\", "\\")):
            return
        raise _Refused(f"<{element}> may show only images beside the drawing or inline PNG/JPEG/"
                       f"GIF/WebP, not {value[:60]!r}")
    if element == "a" and url and not _SCHEME.match(url) and not url.startswith(("//", "\\", "/\\")):
        return  # a relative link to another file of the site
    raise _Refused(f"<{element or 'element'}> link {value[:60]!r}: only links inside the drawing "
                   "(#id) are accepted")


def _check_css(css: str, where: str) -> None:
    """CSS may reference parts of the drawing (url(#id)) but load or run nothing."""
    bad = _CSS_BAD.search(css)
    if bad:
        raise _Refused(f"{where}: CSS {bad.group().strip()!r} is not accepted")
    if _BAD_URL.search(_URL_NOISE.sub("", css)):
        raise _Refused(f"{where}: CSS holds a script or document URL")
    for match in _CSS_URL.finditer(css):
        if match.group(2) != "#":
            raise _Refused(f"{where}: CSS url(...) may only point into the drawing (url(#id))")
