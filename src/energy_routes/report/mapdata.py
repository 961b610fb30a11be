"""The report's map files of an inputs folder (``map/``: outline.geojson, places.csv, route_paths.csv),
read into :class:`MapData`; drawing them is :mod:`energy_routes.report.map`'s job. A module of its own
so a run's data (``rundata``) can carry the map without importing the drawing code."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

MAP_DIR = "map"


@dataclass
class MapData:
    outline: list[tuple[str, list[list[tuple[float, float]]]]]  # country, rings of (lon, lat)
    places: pd.DataFrame  # place, name, lat, lon, kind, source
    paths: pd.DataFrame  # route, seq, asset, path
    box: tuple[float, float, float, float]  # lon_min, lat_min, lon_max, lat_max


def load_map(folder: Path) -> MapData | None:
    """The map files of an inputs folder, or None when any is missing."""
    folder = Path(folder) / MAP_DIR
    files = [folder / "outline.geojson", folder / "places.csv", folder / "route_paths.csv"]
    if not all(f.exists() for f in files):
        return None
    doc = json.loads(files[0].read_text(encoding="utf-8"))
    outline = []
    for feat in doc.get("features", []):
        geom = feat.get("geometry") or {}
        polys = geom.get("coordinates") or []
        if geom.get("type") == "Polygon":
            polys = [polys]
        rings = [[(float(x), float(y)) for x, y in ring] for poly in polys for ring in poly]
        outline.append((str(feat.get("properties", {}).get("name", "")), rings))
    places = pd.read_csv(files[1], dtype={"place": str, "name": str, "kind": str, "source": str, "label_at": str}, keep_default_na=False)
    if "label_at" not in places:
        places["label_at"] = "S"
    paths = pd.read_csv(files[2], dtype={"route": str, "asset": str, "path": str})
    box = tuple(doc.get("box_lon_lat") or (26.0, 34.0, 84.0, 56.0))
    return MapData(outline, places, paths, box)  # type: ignore[arg-type]
