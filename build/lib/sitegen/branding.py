"""A site's own look (site.yaml `logo`, `favicon`, `colors`, `custom_css`): the file types
each may be, and the WCAG contrast arithmetic that keeps its colours readable."""

from __future__ import annotations

import re

# The page background and the header text of the theme (site.css): colours are checked
# against them.
WHITE = "#ffffff"
# WCAG 2.1 AA (1.4.3): normal-size text needs 4.5:1 against its background.
AA_TEXT = 4.5
COLOR = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}")  # fullmatch: `$` passes a final newline
LOGO_SUFFIXES = (".svg", ".png", ".webp", ".avif", ".jpg", ".jpeg", ".gif")
# The favicon's type, as its <link rel="icon" type=...> says it (by its suffix)
ICON_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".ico": "image/x-icon",
              ".webp": "image/webp", ".gif": "image/gif", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
CSS_SUFFIXES = (".css",)


def normal(color: str) -> str:
    """A #rgb or #rrggbb colour as lower-case #rrggbb."""
    digits = color[1:].lower()
    return "#" + ("".join(ch * 2 for ch in digits) if len(digits) == 3 else digits)


def luminance(color: str) -> float:
    """The relative luminance of a #rrggbb colour (WCAG 2.1's definition)."""
    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)


def contrast(a: str, b: str) -> float:
    """The contrast ratio of two #rrggbb colours, from 1 (the same) to 21 (black on white)."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def darker(color: str, against: str = WHITE, ratio: float = AA_TEXT) -> str:
    """The lightest shade of `color` (mixed with black, so of the same hue) that reaches
    `ratio` against `against` (a light colour)."""
    r, g, b = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    for step in range(101):
        keep = 1 - step / 100
        shade = "#{:02x}{:02x}{:02x}".format(*(int(c * keep) for c in (r, g, b)))
        if contrast(shade, against) >= ratio:
            return shade
    return "#000000"


def icon_type(path: str) -> str:
    """The MIME type of a favicon file, from its suffix."""
    return ICON_TYPES[path[path.rfind("."):].lower()]
