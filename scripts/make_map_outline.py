"""Make ``inputs/map/outline.geojson``: country outlines of the Caspian-Black Sea region for the report's map.

Source: Natural Earth 1:110m Admin 0 - Countries (public domain), as shipped in
the geopandas 0.14.4 wheel on PyPI (``geopandas/datasets/naturalearth_lowres``;
geopandas 1.0 dropped it). The seas are the gaps between the countries, so the
Caspian and Black Sea coasts are the countries' coasts.

    pip download geopandas==0.14.4 --no-deps -d /tmp/ne && unzip -o /tmp/ne/geopandas-0.14.4-py3-none-any.whl -d /tmp/ne
    python scripts/make_map_outline.py /tmp/ne/geopandas/datasets/naturalearth_lowres/naturalearth_lowres.shp

Reads the shapefile and its .dbf with the standard library only (no GIS
packages), clips every ring to the map's box (:data:`BOX`, lon/lat degrees) with
Sutherland-Hodgman and rounds coordinates to 0.01 degree. Writes GeoJSON with
one feature per country (property ``name``) in the box.
"""

from __future__ import annotations

import json
import struct
import sys
from pathlib import Path

#: lon_min, lat_min, lon_max, lat_max: the Black Sea to western China, Iran to north of Samara
BOX = (26.0, 34.0, 84.0, 56.0)
OUT = Path(__file__).resolve().parents[1] / "inputs" / "map" / "outline.geojson"


def read_dbf_names(path: Path) -> list[str]:
    data = path.read_bytes()
    n_records, header_len, record_len = struct.unpack("<IHH", data[4:12])
    fields, pos = [], 32
    while data[pos] != 0x0D:
        name = data[pos : pos + 11].split(b"\0")[0].decode("ascii")
        length = data[pos + 16]
        fields.append((name, length))
        pos += 32
    names = []
    for i in range(n_records):
        rec = data[header_len + i * record_len : header_len + (i + 1) * record_len]
        off = 1
        row = {}
        for name, length in fields:
            row[name] = rec[off : off + length].decode("utf-8", "replace").strip()
            off += length
        names.append(row.get("name") or row.get("NAME") or "")
    return names


def read_polygons(path: Path) -> list[list[list[tuple[float, float]]]]:
    """Every record's rings (shape type 5, polygon)."""
    data = path.read_bytes()
    pos, out = 100, []
    while pos < len(data):
        _num, length = struct.unpack(">ii", data[pos : pos + 8])
        content = data[pos + 8 : pos + 8 + 2 * length]
        pos += 8 + 2 * length
        shape_type = struct.unpack("<i", content[:4])[0]
        if shape_type != 5:
            out.append([])
            continue
        n_parts, n_points = struct.unpack("<ii", content[36:44])
        parts = list(struct.unpack(f"<{n_parts}i", content[44 : 44 + 4 * n_parts]))
        pts_off = 44 + 4 * n_parts
        pts = [struct.unpack("<dd", content[pts_off + 16 * k : pts_off + 16 * (k + 1)]) for k in range(n_points)]
        rings = [pts[a:b] for a, b in zip(parts, parts[1:] + [n_points])]
        out.append(rings)
    return out


def clip(ring: list[tuple[float, float]], box=BOX) -> list[tuple[float, float]]:
    """Sutherland-Hodgman: the part of a ring inside an axis-aligned box."""
    x0, y0, x1, y1 = box
    edges = [
        (lambda p: p[0] >= x0, lambda a, b: (x0, a[1] + (b[1] - a[1]) * (x0 - a[0]) / (b[0] - a[0]))),
        (lambda p: p[0] <= x1, lambda a, b: (x1, a[1] + (b[1] - a[1]) * (x1 - a[0]) / (b[0] - a[0]))),
        (lambda p: p[1] >= y0, lambda a, b: (a[0] + (b[0] - a[0]) * (y0 - a[1]) / (b[1] - a[1]), y0)),
        (lambda p: p[1] <= y1, lambda a, b: (a[0] + (b[0] - a[0]) * (y1 - a[1]) / (b[1] - a[1]), y1)),
    ]
    pts = list(ring)
    for inside, cross in edges:
        if not pts:
            break
        out = []
        for k, cur in enumerate(pts):
            prev = pts[k - 1]
            if inside(cur):
                if not inside(prev):
                    out.append(cross(prev, cur))
                out.append(cur)
            elif inside(prev):
                out.append(cross(prev, cur))
        pts = out
    return pts


def main(shp: str) -> None:
    shp_path = Path(shp)
    names = read_dbf_names(shp_path.with_suffix(".dbf"))
    features = []
    for name, rings in zip(names, read_polygons(shp_path)):
        kept = []
        for ring in rings:
            c = [(round(x, 2), round(y, 2)) for x, y in clip(ring)]
            c = [p for k, p in enumerate(c) if k == 0 or p != c[k - 1]]
            if len(c) >= 3:
                if c[0] != c[-1]:
                    c.append(c[0])
                kept.append([list(p) for p in c])
        if kept:
            features.append({"type": "Feature", "properties": {"name": name}, "geometry": {"type": "MultiPolygon", "coordinates": [[r] for r in kept]}})
    features.sort(key=lambda f: f["properties"]["name"])
    doc = {
        "type": "FeatureCollection",
        "source": "Natural Earth 1:110m Admin 0 - Countries (public domain), via geopandas 0.14.4 naturalearth_lowres; clipped to the box",
        "box_lon_lat": list(BOX),
        "features": features,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(doc, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{OUT}: {len(features)} countries, {OUT.stat().st_size:,} bytes")


if __name__ == "__main__":
    main(sys.argv[1])
