"""Links that work from disk (`file_links: true` in site.yaml, `build --file-links`).

A page links another by its folder (`areas/firearms/`, `./`, `../../`), which a web server
answers with the folder's index.html and a browser reading files shows as a folder
listing. With file links on, `Renderer.page` passes every HTML page it writes through
`file_links`, which makes each relative link to a folder name the folder's `index.html`
(`areas/firearms/index.html`, `./index.html`, `../../index.html`). One transform of the
written HTML rather than a filter in each template: it reaches every link, those of a
site's own templates and footer and those editors write in Markdown bodies included.
Absolute URLs (`https://...`, `/base/...`), fragments (`#main`), `data:` and `mailto:`
are left as they are; so is everything when the option is off (the pages are then the
bytes they always were).
"""

from __future__ import annotations

import re

# An href, src or action attribute whose value is a relative URL: no scheme, not starting
# with "/", "#" or "?" (a quoted value: Jinja's autoescape and Markdown's renderer escape
# quotes in text, so `href="` is always an attribute). Group "path" stops at the query or
# fragment. (The space matched, not looked behind for: twice as fast.)
_LINK = re.compile(r"""(?P<attr>\s(?:href|src|action))=(?P<q>["'])"""
                   r"""(?![A-Za-z][A-Za-z0-9+.\-]*:|/|#|\?)(?P<path>[^"'?#]*)""")


def to_file(path: str) -> str:
    """A relative link's path as a file: a folder's (`x/`, `.`, `..`) index.html; any other
    path as it is."""
    if path.endswith("/"):
        return path + "index.html"
    if path in (".", "..") or path.endswith(("/.", "/..")):
        return path + "/index.html"
    return path


def file_links(html: str) -> str:
    """`html` with every relative link to a folder ending in its index.html."""
    return _LINK.sub(lambda m: f"{m['attr']}={m['q']}{to_file(m['path'])}", html)
