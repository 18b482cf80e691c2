"""Derive sitegen/data/countries-110m.json, the country shapes of sitegen's maps, from the
`world-atlas` npm package (Natural Earth's Admin 0 countries as TopoJSON).

    cd /tmp && npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python tools/map_data.py /tmp/package            # writes sitegen/data/countries-110m.json

The output is the same bytes for the same package (sorted keys, no dates). What it holds:

* `shapes`: each country of Natural Earth 1:110m by ISO 3166-1 alpha-2 code (world-atlas
  names features by ISO numeric code; CLDR's table, via Babel, gives the alpha-2 code).
  Features without a code: Kosovo is `XK`; N. Cyprus and Somaliland are drawn with the
  country ISO 3166 counts them in (`CY`, `SO`), and so is Crimea, which Natural Earth's
  "de facto" view draws in Russia's shape (joined to Ukraine's, `MOVED`). A shape is a list of polygons, a polygon a
  list of rings (the first the outline, the others holes), a ring the flat list
  `x0, y0, dx1, dy1, ...` of longitude and latitude in hundredths of a degree, each point
  after the first as the difference from the one before.
* `points`: where a marker for each country goes, in hundredths of a degree: for a
  country with a shape, the centroid of its largest polygon; for the small countries and
  territories 1:110m leaves out, the centroid of their largest polygon in Natural Earth
  1:50m (world-atlas countries-50m.json); for the few that neither has, the coordinates in
  `EXTRA_POINTS` below.
"""

from __future__ import annotations

import copy
import json
import sys
from collections.abc import Callable
from pathlib import Path

from babel.core import get_global

OUT = Path(__file__).resolve().parent.parent / "sitegen" / "data" / "countries-110m.json"

# Features without an ISO numeric code in world-atlas, by name.
UNCODED = {"Kosovo": "XK", "N. Cyprus": "CY", "Somaliland": "SO"}

# ISO 3166-1 codes that neither the 1:110m nor the 1:50m file draws on its own (most are
# part of France, Norway, the Netherlands or Australia there): (latitude, longitude) of the
# main settlement or island, from the GeoNames gazetteer (geonames.org, CC BY 4.0),
# rounded to 0.01 degree.
EXTRA_POINTS: dict[str, tuple[float, float]] = {
    "BQ": (12.15, -68.27),   # Kralendijk, Bonaire
    "BV": (-54.42, 3.36),    # Bouvet Island
    "CC": (-12.17, 96.87),   # West Island, Cocos (Keeling) Islands
    "CX": (-10.42, 105.68),  # Flying Fish Cove, Christmas Island
    "GF": (4.94, -52.33),    # Cayenne, French Guiana
    "GI": (36.14, -5.35),    # Gibraltar
    "GP": (16.24, -61.53),   # Pointe-à-Pitre, Guadeloupe
    "MQ": (14.61, -61.07),   # Fort-de-France, Martinique
    "RE": (-20.88, 55.45),   # Saint-Denis, Réunion
    "SJ": (78.22, 15.64),    # Longyearbyen, Svalbard
    "TK": (-9.38, -171.25),  # Atafu, Tokelau
    "TV": (-8.52, 179.2),    # Funafuti, Tuvalu
    "UM": (19.28, 166.65),   # Wake Island, United States Minor Outlying Islands
    "YT": (-12.78, 45.23),   # Mamoudzou, Mayotte
}

# Polygons that Natural Earth's "de facto" view draws in one country and that ISO 3166 counts
# in another (as N. Cyprus and Somaliland above): Crimea, a piece of Russia's shape there, is
# in Ukraine in ISO 3166-2 (UA-43, UA-40) and in UN General Assembly resolution 68/262. Each:
# (the feature drawing it, the one it joins, the box the polygon lies in: west, south, east,
# north); the polygon's outline is joined to the polygon of the other that shares its border.
MOVED = [("Russia", "Ukraine", (32.0, 44.0, 37.0, 46.5))]


def join(outer: list[int], piece: list[int]) -> list[int]:
    """Two rings of arcs that share a border (arcs one holds and the other holds reversed, in
    one run) as the ring around both."""
    shared = {arc for arc in outer if ~arc in piece}
    if not shared:
        raise SystemExit("the polygon to move shares no border with the country it joins")

    def after_run(ring: list[int], run: set[int]) -> list[int]:  # (the run at the end, then left out)
        start = next(i for i in range(len(ring)) if ring[i - 1] in run and ring[i] not in run)
        turned = ring[start:] + ring[:start]
        if any(arc in run for arc in turned[:len(turned) - len(run)]):
            raise SystemExit("the shared border is not one run of arcs")
        return turned[:len(turned) - len(run)]
    return after_run(outer, shared) + after_run(piece, {~arc for arc in shared})


def moved(topology: dict, ring: Callable[[list[int]], list[tuple[float, float]]]) -> list[dict]:
    """The features of `objects.countries` with the polygons of MOVED where ISO 3166 counts them."""
    features = copy.deepcopy(topology["objects"]["countries"]["geometries"])
    by_name = {f["properties"]["name"]: f for f in features}

    def polygons(feature: dict) -> list:
        return [feature["arcs"]] if feature["type"] == "Polygon" else feature["arcs"]
    for source, target, (west, south, east, north) in MOVED:
        if source not in by_name or target not in by_name:
            continue
        src, dst = by_name[source], by_name[target]
        kept, into = [], polygons(dst)
        for polygon in polygons(src):
            if not all(west <= x <= east and south <= y <= north for x, y in ring(polygon[0])):
                kept.append(polygon)
                continue
            host = next(p for p in into if any(~arc in polygon[0] for arc in p[0]))
            host[0] = join(host[0], polygon[0])
            host.extend(polygon[1:])
            points = ring(host[0])
            if points[0] != points[-1]:
                raise SystemExit(f"joining a polygon of {source} to {target} left the ring open")
        src["type"], src["arcs"] = ("Polygon", kept[0]) if len(kept) == 1 else ("MultiPolygon", kept)
        dst["type"], dst["arcs"] = ("Polygon", into[0]) if len(into) == 1 else ("MultiPolygon", into)
    return features


def decode(topology: dict, strict: bool = True) -> dict[str, list[list[list[tuple[float, float]]]]]:
    """Every feature of `objects.countries` as polygons of rings of (lon, lat), by alpha-2
    code (a feature with no code stops the script, or is left out when not `strict`)."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)

    def ring(indices: list[int]) -> list[tuple[float, float]]:
        out: list[tuple[float, float]] = []
        for i in indices:
            points = arcs[i] if i >= 0 else arcs[~i][::-1]
            out.extend(points if not out else points[1:])
        return out

    numeric = get_global("territory_aliases")
    shapes: dict[str, list[list[list[tuple[float, float]]]]] = {}
    for feature in moved(topology, ring):
        name = feature["properties"]["name"]
        code = UNCODED.get(name) if "id" not in feature else numeric[feature["id"]][0]
        if code is None:
            if strict:
                raise SystemExit(f"no code for {name!r}")
            continue
        polygons = [feature["arcs"]] if feature["type"] == "Polygon" else feature["arcs"]
        for polygon in polygons:
            rings = [ring(r) for r in polygon]
            pieces = split_at_antimeridian(rings[0])
            shapes.setdefault(code, []).extend([piece, *(rings[1:] if i == 0 else [])]
                                               for i, piece in enumerate(pieces))
    return shapes


def split_at_antimeridian(ring: list[tuple[float, float]]) -> list[list[tuple[float, float]]]:
    """A ring that crosses the 180th meridian (Russia's Chukotka, Fiji) as one ring on each
    side of it, so that a flat map draws no line across the world. A ring around a pole
    (Antarctica) crosses it once and stays whole."""
    unwrapped = [ring[0]]
    for lon, lat in ring[1:]:
        last = unwrapped[-1][0]
        while lon - last > 180:
            lon -= 360
        while lon - last < -180:
            lon += 360
        unwrapped.append((lon, lat))
    if abs(unwrapped[-1][0] - unwrapped[0][0]) > 180 or all(-180 <= x <= 180 for x, _ in unwrapped):
        return [ring]
    out = []
    for shift in (-360, 0, 360):
        piece = clip_lon([(x + shift, y) for x, y in unwrapped], -180, 180)
        if len(piece) >= 4:
            out.append(piece)
    return out


def clip_lon(ring: list[tuple[float, float]], west: float, east: float) -> list[tuple[float, float]]:
    """The part of a ring between two meridians (Sutherland-Hodgman)."""
    for limit, keep in ((west, 1), (east, -1)):
        out: list[tuple[float, float]] = []
        for i, cur in enumerate(ring):
            prev = ring[i - 1]
            cur_in, prev_in = (cur[0] - limit) * keep >= 0, (prev[0] - limit) * keep >= 0
            if cur_in != prev_in:
                t = (limit - prev[0]) / (cur[0] - prev[0])
                out.append((limit, prev[1] + t * (cur[1] - prev[1])))
            if cur_in:
                out.append(cur)
        ring = out
    return ring


def area_and_centroid(points: list[tuple[float, float]]) -> tuple[float, tuple[float, float]]:
    """A ring's area (square degrees, unsigned) and centroid (planar, in degrees)."""
    a = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1]):
        cross = x0 * y1 - x1 * y0
        a += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if a == 0:
        return 0.0, points[0]
    return abs(a) / 2, (cx / (3 * a), cy / (3 * a))


def marker(polygons: list[list[list[tuple[float, float]]]]) -> tuple[float, float]:
    """The centroid of the largest polygon."""
    return max((area_and_centroid(p[0]) for p in polygons), key=lambda x: x[0])[1]


def hundredths(value: float) -> int:
    return round(value * 100)


def encode(points: list[tuple[float, float]]) -> list[int]:
    """A ring as `x0, y0, dx1, dy1, ...` in hundredths of a degree, repeated points dropped."""
    out: list[int] = []
    last: tuple[int, int] | None = None
    for lon, lat in points:
        p = (hundredths(lon), hundredths(lat))
        if p == last:
            continue
        out += [p[0], p[1]] if last is None else [p[0] - last[0], p[1] - last[1]]
        last = p
    return out


def main(package: Path) -> None:
    small = decode(json.loads((package / "countries-110m.json").read_text("utf-8")))
    # (1:50m also has "Indian Ocean Ter." and "Siachen Glacier", without a code: left out)
    medium = decode(json.loads((package / "countries-50m.json").read_text("utf-8")), strict=False)
    shapes = {code: [[encode(r) for r in polygon if len(r) >= 4] for polygon in polygons]
              for code, polygons in sorted(small.items())}
    points = {code: marker(polygons) for code, polygons in small.items()}
    points.update({code: marker(polygons) for code, polygons in medium.items() if code not in points})
    points.update({code: (lon, lat) for code, (lat, lon) in EXTRA_POINTS.items()})
    version = json.loads((package / "package.json").read_text("utf-8"))["version"]
    data = {
        "about": ("Country shapes for sitegen's maps, derived by tools/map_data.py from world-atlas "
                  f"{version} (ISC licence, Mike Bostock), which packages Natural Earth's 1:110m and "
                  "1:50m Admin 0 countries (public domain, naturalearthdata.com). See README.md here."),
        "scale": 100,
        "shapes": shapes,
        "points": {code: [hundredths(x), hundredths(y)] for code, (x, y) in sorted(points.items())},
    }
    OUT.write_text(json.dumps(data, separators=(",", ":"), sort_keys=True) + "\n", "utf-8")
    print(f"{OUT}: {len(shapes)} shapes, {len(data['points'])} points, {OUT.stat().st_size:,} bytes")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: python tools/map_data.py PATH/TO/world-atlas/package")
    main(Path(sys.argv[1]))
