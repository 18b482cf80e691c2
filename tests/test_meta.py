"""What a page tells programs about itself (#19): Open Graph and Twitter share-card tags on
every page, with a description written from the page's own figures and a card picture that
exists; schema.org Dataset JSON-LD on the plan, area and indicator pages, naming CSV files
that exist; the cards drawn from the figures (read back pixel by pixel)."""

from __future__ import annotations

import json
import re
import struct
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from tests.sitekit import REPO, example_in, make_site, run_sitegen

BASE = "https://example.org/progress/"


class Head(HTMLParser):
    """The meta tags, canonical link and JSON-LD scripts of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.props: dict[str, str] = {}
        self.names: dict[str, str] = {}
        self.canonical = ""
        self.json_ld: list[str] = []
        self._in_ld = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "meta" and "property" in a:
            self.props[a["property"]] = a.get("content", "")
        elif tag == "meta" and "name" in a:
            self.names[a["name"]] = a.get("content", "")
        elif tag == "link" and a.get("rel") == "canonical":
            self.canonical = a.get("href", "")
        elif tag == "script" and a.get("type") == "application/ld+json":
            self._in_ld = True
            self.json_ld.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_ld = False

    def handle_data(self, data: str) -> None:
        if self._in_ld:
            self.json_ld[-1] += data


def head(path: Path) -> Head:
    parser = Head()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def local(out: Path, url: str) -> Path:
    assert url.startswith(BASE), url
    rel = url[len(BASE):]
    return out / (rel + "index.html" if rel.endswith("/") or not rel else rel)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("meta") / "out"
    run = run_sitegen("build", REPO, "-o", out)
    assert run.returncode == 0, run.stderr
    return out


def pages(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*.html") if p.relative_to(out).parts[0] != "pagefind")


def test_every_page_has_share_card_tags_whose_picture_exists(built: Path) -> None:
    found = pages(built)
    assert len(found) > 150
    for page in found:
        h = head(page)
        rel = page.relative_to(built).as_posix()
        if 'http-equiv="refresh"' in page.read_text(encoding="utf-8"):  # (indicators/: no page of its own)
            assert local(built, h.canonical).is_file() and h.names["robots"] == "noindex", rel
            continue
        for prop in ("og:title", "og:description", "og:url", "og:image", "og:image:alt", "og:site_name"):
            assert h.props.get(prop), f"{rel}: no {prop}"
        for name in ("twitter:card", "twitter:title", "twitter:description", "twitter:image"):
            assert h.names.get(name), f"{rel}: no {name}"
        assert h.names["description"] == h.props["og:description"]
        assert local(built, h.props["og:image"]).is_file(), f"{rel}: {h.props['og:image']}"
        if rel.startswith("embed/"):  # a chart's embed page: its canonical page is the chart's
            assert local(built, h.props["og:url"]) == page, rel
            assert local(built, h.canonical).is_file() and h.names["robots"] == "noindex", rel
        elif rel != "404.html":
            assert local(built, h.props["og:url"]) == page, rel
            assert h.canonical == h.props["og:url"]


def test_descriptions_say_the_pages_own_figures(built: Path) -> None:
    plan = yaml.safe_load((REPO / "content/plan.yaml").read_text(encoding="utf-8"))
    records = json.loads((built / "data/activities.json").read_text(encoding="utf-8"))
    counted = [a for a in records if a["status"] != "cancelled"]
    done = sum(a["status"] == "completed" for a in records)
    dashboard = head(built / "index.html").props["og:description"]
    assert f"{done} of {len(counted)} activities completed" in dashboard
    assert "31 Dec 2019" in dashboard

    area = plan["areas"][0]
    mine = [a for a in counted if area["id"] in ([a["area"]] if isinstance(a["area"], str) else a["area"])]
    text = head(built / f"areas/{area['id']}/index.html").props["og:description"]
    assert text.startswith(area["title"])
    assert f"{sum(a['status'] == 'completed' for a in mine)} of {len(mine)} activities completed" in text

    tag = sorted({t for a in records for t in a["tags"]})[0]
    tagged = sum(tag in a["tags"] for a in records)
    page = next(p for p in (built / "tags").glob("*/index.html") if f"tagged {tag}." in head(p).props["og:description"])
    assert head(page).props["og:description"] == f"{tagged} activities are tagged {tag}."

    # (pages without figures of their own: the plan's, its date as the pages write it, not ISO)
    for other in ("timeline", "search", "results", "reports", "countries"):
        text = head(built / other / "index.html").props["og:description"]
        assert text == f"{plan['title']}: implementation progress as of 31 Dec 2019", (other, text)

    data = json.loads((built / "data/plan.json").read_text(encoding="utf-8"))
    ind = next(i for a in data["areas"] for i in a["indicators"] if i["value"] is not None and i["unit"])
    text = head(built / f"indicators/{ind['id']}/index.html").props["og:description"]
    assert ind["title"] in text and f"target of {ind['target']:,g} {ind['unit']}" in text
    assert f"{ind['value']:,g} {ind['unit']}" in text


def test_plan_area_and_indicator_pages_describe_their_dataset_with_csvs_that_exist(built: Path) -> None:
    plan = yaml.safe_load((REPO / "content/plan.yaml").read_text(encoding="utf-8"))
    area = plan["areas"][0]
    described = ["index.html", f"areas/{area['id']}/index.html",
                 f"indicators/{area['indicators'][0]['id']}/index.html"]
    for rel in described:
        h = head(built / rel)
        assert len(h.json_ld) == 1, rel
        data = json.loads(h.json_ld[0])
        assert data["@context"] == "https://schema.org" and data["@type"] == "Dataset"
        for key in ("name", "description", "url", "temporalCoverage", "dateModified", "distribution"):
            assert data[key], f"{rel}: {key}"
        assert data["temporalCoverage"] == f"{plan['start']}/{plan['end']}"
        assert re.fullmatch(r"\d{4}-\d\d-\d\d", data["dateModified"])
        assert data["distribution"], rel
        for d in data["distribution"]:
            assert d["@type"] == "DataDownload" and d["encodingFormat"] == "text/csv"
            csv = local(built, d["contentUrl"])
            assert csv.is_file() and csv.suffix == ".csv", d["contentUrl"]
        assert all(c["@type"] == "Country" for c in data.get("spatialCoverage", []))
    indicator = json.loads(head(built / described[2]).json_ld[0])
    assert indicator["variableMeasured"]["name"] == area["indicators"][0]["title"]
    # an activity page describes no dataset
    some = next((built / "activities").glob("*/index.html"))
    assert head(some).json_ld == []


def test_the_licence_of_the_data_is_named_when_given(tmp_path: Path) -> None:
    site = make_site(tmp_path / "s")
    with (site / "site.yaml").open("a", encoding="utf-8") as f:
        f.write("data_license: CC-BY-4.0\n")
    assert run_sitegen("build", site, "-o", tmp_path / "out").returncode == 0
    data = json.loads(head(tmp_path / "out/index.html").json_ld[0])
    assert data["license"] == "https://creativecommons.org/licenses/by/4.0/"


def read_png(path: Path) -> tuple[int, int, list[bytes]]:
    """Width, height and RGB rows of a PNG written with filter type 0 (as sitegen writes), in
    RGB or with a palette."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height, color, palette = 8, b"", 0, 0, 0, b""
    while pos < len(data):
        (length,), kind = struct.unpack(">I", data[pos:pos + 4]), data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        assert struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])[0] == zlib.crc32(kind + body)
        if kind == b"IHDR":
            width, height, depth, color = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and color in (2, 3)
        elif kind == b"PLTE":
            palette = body
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = 1 + (3 if color == 2 else 1) * width
    rows = [raw[y * stride + 1:(y + 1) * stride] for y in range(height)]
    assert all(raw[y * stride] == 0 for y in range(height))
    if color == 3:
        assert palette and len(palette) % 3 == 0
        rows = [b"".join(palette[3 * i:3 * i + 3] for i in row) for row in rows]
    return width, height, rows


def test_the_cards_draw_the_figures(built: Path) -> None:
    data = json.loads((built / "data/plan.json").read_text(encoding="utf-8"))
    area = next(a for a in data["areas"] if a["indicators"])
    width, height, rows = read_png(built / f"cards/areas/{area['id']}.png")
    assert (width, height) == (1200, 630)
    # each indicator is a bar from x=80 to x=1120; its filled length is its attainment
    bars = []
    for y in range(96, 566):
        row = rows[y]
        left = row[80 * 3:81 * 3]
        if left != b"\xff\xff\xff":
            bars.append(y)
    runs = [y for y in bars if y - 1 not in bars]
    assert len(runs) == len(area["indicators"])
    for y, ind in zip(runs, area["indicators"], strict=True):
        row = rows[y + 5]
        color = row[80 * 3:81 * 3]
        # (the time-elapsed line is dashed across the bars: the fill ends at its last pixel)
        filled = max(x for x in range(80, 1120) if row[x * 3:x * 3 + 3] == color) + 1 - 80
        if color == b"\xe2\xe6\xec":  # the empty track: nothing attained
            filled, share = 0, float(ind["attainment"] or 0.0)
        else:
            share = min(1.0, ind["attainment"] or 0.0)
        assert abs(filled / 1040 - share) < 0.01, (ind["id"], filled, share)


def test_cards_are_the_same_bytes_at_the_site_root_of_every_language(tmp_path: Path) -> None:
    site = example_in(tmp_path, "[en, ar]")
    out = tmp_path / "out"
    assert run_sitegen("build", site, "-o", out).returncode == 0
    assert not (out / "ar/cards").exists()
    h = head(out / "ar/index.html")
    assert h.props["og:image"] == BASE + "cards/plan.png"
    assert h.props["og:locale"] == "ar_EG" and h.props["og:url"] == BASE + "ar/"
    # (the round's print cover names its page's address once, language folder included)
    cover = (out / "ar/reports/2019/index.html").read_text(encoding="utf-8")
    assert BASE + "ar/reports/2019/" in cover and "ar/ar/" not in cover
    first = {p.relative_to(out): p.read_bytes() for p in (out / "cards").rglob("*.png")}
    assert len(first) == 1 + 7 + 18  # the plan's, each area's, each indicator's
    area = sorted(p.stem for p in (out / "cards/areas").glob("*.png"))[0]
    assert head(out / f"ar/areas/{area}/results/index.html").props["og:image"] == BASE + f"cards/areas/{area}.png"
    again = tmp_path / "again"
    assert run_sitegen("build", site, "-o", again).returncode == 0
    assert {p.relative_to(again): p.read_bytes() for p in (again / "cards").rglob("*.png")} == first
