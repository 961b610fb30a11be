"""The routes on a Caspian-Black Sea map: flow widths by route leg, the disrupted assets highlighted.

Reads, from the run's inputs folder (``map/`` next to the tables; drawing data,
not model inputs, sourced in ``inputs/SOURCES.md``, "Map"):
``map/outline.geojson`` (country outlines, Natural Earth 1:110m),
``map/places.csv`` (place, name, lat, lon, kind, source, label_at: approximate
coordinates; where the label goes, N/S/E/W) and ``map/route_paths.csv`` (route, seq, asset, path: the places
each route leg is drawn through). Reads from the run: ``allocation_annual``
(volume_mt and volume_kbd per route and year), ``shut_in_monthly`` (supply and
shut-in per source) and the scenario's events.

Draws on a plain longitude-latitude plane (equirectangular, the y axis scaled
by 1/cos 45°), so it needs no map tiles and opens offline: an interactive
plotly figure for ``report.html`` and a matplotlib PNG for slides. Without a
``map/`` folder the map is left out and the report says why.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from . import chartdata as cd
from .mapdata import MapData
from .rundata import RunData

LAND, SEA, BORDER = "#EFECE4", "#DDEAF3", "#B9B3A6"
DISRUPTED = "#C0392B"
SEAS = (("Caspian Sea", 50.6, 41.6), ("Black Sea", 34.2, 43.2))
#: screen width of the thickest line (the largest leg flow of the run), px
MAX_WIDTH_PX = 14.0


def disrupted_targets(data: RunData) -> dict[str, str]:
    """target id -> what happened to it ('33% left, 1 Mar - 11 Apr 2027'), for the events of the run."""
    out: dict[str, str] = {}
    for e in cd.event_windows(data).itertuples():
        last = (e.end - pd.Timedelta(days=1)).date()
        text = f"{e.remaining:.0%} left, {e.start:%d %b} - {last:%d %b %Y}"
        out[e.target] = out[e.target] + "; " + text if e.target in out else text
    return out


def segments(data: RunData, m: MapData) -> pd.DataFrame:
    """year, asset, a, b, lon0, lat0, lon1, lat1, volume_mt, volume_kbd, routes, disrupted, note: one row per drawn
    piece of a route leg and year; legs of several routes over the same places (the Caspian tanker leg of BTC and
    Baku-Supsa) are added up."""
    ann = data.tables["allocation_annual"]
    vol = {(int(y), r): (float(v), float(k)) for y, r, v, k in zip(ann.year, ann.route, ann.volume_mt, ann.volume_kbd)}
    at = m.places.set_index("place")
    hit = disrupted_targets(data)
    acc: dict[tuple, list] = {}
    for year in data.years:
        for r in m.paths.itertuples():
            v, k = vol.get((year, r.route), (0.0, 0.0))
            names = str(r.path).split()
            for a, b in zip(names[:-1], names[1:]):
                key = (year, r.asset, a, b)
                cur = acc.setdefault(key, [0.0, 0.0, []])
                cur[0] += v
                cur[1] += k
                cur[2].append(r.route)
    rows = []
    for (year, asset, a, b), (v, k, routes) in acc.items():
        route_hit = [hit[rt] for rt in routes if rt in hit]
        note = hit.get(asset) or (route_hit[0] if route_hit else "")
        rows.append((year, asset, a, b, float(at.at[a, "lon"]), float(at.at[a, "lat"]), float(at.at[b, "lon"]), float(at.at[b, "lat"]),
                     v, k, ", ".join(data.route_label(rt) for rt in dict.fromkeys(routes)), bool(note), note))
    return pd.DataFrame(rows, columns=["year", "asset", "a", "b", "lon0", "lat0", "lon1", "lat1", "volume_mt", "volume_kbd", "routes", "disrupted", "note"])


def fields(data: RunData, m: MapData) -> pd.DataFrame:
    """year, source, name, lon, lat, supply_mt, shut_in_mt: the export supply of each source on the map."""
    sh = data.tables["shut_in_monthly"]
    g = sh.assign(year=sh.period.str[:4].astype(int)).groupby(["year", "source"], sort=False)[["supply_kt", "shut_in_kt"]].sum() / 1000.0
    places = m.places[m.places.source.astype(str) != ""].set_index("source")
    rows = []
    for (year, source), r in g.iterrows():
        if source in places.index:
            p = places.loc[source]
            rows.append((int(year), source, data.source_label(source), float(p.lon), float(p.lat), float(r.supply_kt), float(r.shut_in_kt), str(p.label_at or "N")))
    return pd.DataFrame(rows, columns=["year", "source", "name", "lon", "lat", "supply_mt", "shut_in_mt", "label_at"])


#: label placement: offset in points and alignment for matplotlib, text position for plotly
_AT = {"N": ((0, 9), "center", "bottom", "top center"), "S": ((0, -9), "center", "top", "bottom center"),
       "E": ((9, 0), "left", "center", "middle right"), "W": ((-9, 0), "right", "center", "middle left")}


def disrupted_marks(seg: pd.DataFrame, data: RunData) -> pd.DataFrame:
    """asset, lon, lat, note: one mark per disrupted asset (the middle of its drawn legs), so a short leg still shows."""
    d = seg[seg.disrupted]
    rows = []
    for asset, grp in d.groupby("asset", sort=False):
        lon = float(np.mean(np.r_[grp.lon0, grp.lon1]))
        lat = float(np.mean(np.r_[grp.lat0, grp.lat1]))
        rows.append((asset, lon, lat, f"{data.asset_label(asset)}: {grp.note.iloc[0]}"))
    return pd.DataFrame(rows, columns=["asset", "lon", "lat", "note"])


def map_year(data: RunData) -> int:
    fc = data.focus
    return fc.year if fc is not None and fc.year in data.years else data.years[0]


def _width(v: float, vmax: float) -> float:
    return 1.2 + MAX_WIDTH_PX * (v / vmax) if vmax > 0 and v > 1e-6 else 0.8


def _route_colour(data: RunData, routes: str) -> str:
    colours = cd.route_colours(data)
    first = routes.split(", ")[0]
    for r, c in colours.items():
        if data.route_label(r) == first:
            return c
    return "#777777"


def _aspect(m: MapData) -> float:
    return 1.0 / math.cos(math.radians((m.box[1] + m.box[3]) / 2))


# ------------------------------------------------------------------ interactive (report.html)


def map_chart(data: RunData):
    """The plotly map (one set of legs per year, year buttons; opens on the disrupted year), or None without map files."""
    import plotly.graph_objects as go

    from .figures import Chart, layout

    m = data.map
    if m is None:
        return None
    seg = segments(data, m)
    fl = fields(data, m)
    vmax = float(seg.volume_mt.max()) if len(seg) else 0.0
    smax = float(fl.supply_mt.max()) if len(fl) else 0.0
    fig = go.Figure()
    xs, ys = [], []
    for _name, rings in m.outline:
        for ring in rings:
            xs += [p[0] for p in ring] + [None]
            ys += [p[1] for p in ring] + [None]
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", fill="toself", fillcolor=LAND, line=dict(color=BORDER, width=0.6), hoverinfo="skip", name="countries", showlegend=False))
    n_fixed = 1
    years = data.years
    shown = years.index(map_year(data))
    per_year: list[int] = []
    for i, year in enumerate(years):
        s = seg[seg.year == year].sort_values("volume_mt", ascending=False)
        count = 0
        for r in s.itertuples():
            w = _width(r.volume_mt, vmax)
            hover = f"{data.asset_label(r.asset)} ({r.routes})<br>{year}: {r.volume_mt:,.2f} Mt, {r.volume_kbd:,.0f} kb/d"
            if r.disrupted:
                fig.add_trace(go.Scatter(x=[r.lon0, r.lon1], y=[r.lat0, r.lat1], mode="lines", visible=(i == shown), showlegend=False, hoverinfo="skip",
                                         line=dict(color=DISRUPTED, width=w + 6, dash="dot"), name=f"disrupted {r.asset} {year}"))
                count += 1
                hover += f"<br>disrupted: {r.note}"
            fig.add_trace(go.Scatter(x=[r.lon0, r.lon1], y=[r.lat0, r.lat1], mode="lines", visible=(i == shown), showlegend=False,
                                     line=dict(color=_route_colour(data, r.routes) if r.volume_mt > 1e-6 else "#999999", width=w, dash="solid" if r.volume_mt > 1e-6 else "dot"),
                                     name=f"{r.asset} {year}", hovertemplate=hover + "<extra></extra>"))
            count += 1
        f = fl[fl.year == year]
        if len(f):
            fig.add_trace(go.Scatter(x=f.lon, y=f.lat, mode="markers+text", visible=(i == shown), showlegend=False, name=f"sources {year}",
                                     marker=dict(size=[8 + 22 * (v / smax if smax else 0) for v in f.supply_mt], color=np.where(f.shut_in_mt > 1e-6, DISRUPTED, "#4D4D4D"),
                                                 line=dict(color="white", width=1)),
                                     text=list(f.name), textposition=[_AT.get(a, _AT["N"])[3] for a in f.label_at], textfont=dict(size=10),
                                     customdata=np.c_[f.supply_mt, f.shut_in_mt],
                                     hovertemplate="%{text}: export supply %{customdata[0]:,.2f} Mt, shut in %{customdata[1]:,.2f} Mt<extra></extra>"))
            count += 1
        marks = disrupted_marks(s, data)
        if len(marks):
            fig.add_trace(go.Scatter(x=marks.lon, y=marks.lat, mode="markers+text", visible=(i == shown), showlegend=False, name=f"disrupted {year}",
                                     marker=dict(size=26, color="rgba(0,0,0,0)", line=dict(color=DISRUPTED, width=3)), text=list(marks.note),
                                     textposition="top right", textfont=dict(color=DISRUPTED, size=11), hovertemplate="disrupted: %{text}<extra></extra>"))
            count += 1
        per_year.append(count)
    labelled = m.places[m.places.kind.isin(["terminal", "port", "border", "hub", "pump"]) & (m.places.place != "cpc_spm")]
    fig.add_trace(go.Scatter(x=labelled.lon, y=labelled.lat, mode="markers+text", text=list(labelled.name), textposition=[_AT.get(a, _AT["S"])[3] for a in labelled.label_at],
                             textfont=dict(size=9, color="#444"), marker=dict(size=5, color="#444"), hoverinfo="text", name="places", showlegend=False))
    total = n_fixed + sum(per_year) + 1

    def visible(k: int) -> list[bool]:
        out = [True] * n_fixed
        for j, c in enumerate(per_year):
            out += [j == k] * c
        return out + [True]

    assert len(visible(0)) == total
    title = {y: f"Flows in {y}, Mt per year (line width)" + (" - the disrupted year" if data.focus is not None and y == data.focus.year else "") for y in years}
    if len(years) > 1:
        fig.update_layout(updatemenus=[dict(type="buttons", direction="right", x=0, y=1.1, xanchor="left", showactive=True, active=shown,
                                            buttons=[dict(label=str(y), method="update", args=[{"visible": visible(k)}, {"title.text": title[y]}]) for k, y in enumerate(years)])])
    for name, lon, lat in SEAS:
        fig.add_annotation(x=lon, y=lat, text=name, showarrow=False, font=dict(size=12, color="#5B7F99", family="Georgia, serif"))
    x0, y0, x1, y1 = m.box
    layout(fig, height=620, title=dict(text=title[years[shown]], x=0.5, y=0.98))
    fig.update_layout(plot_bgcolor=SEA, margin=dict(l=10, r=10, t=70, b=10), hovermode="closest")
    fig.update_xaxes(range=[x0, x1], showgrid=False, zeroline=False, showticklabels=False, title=None)
    fig.update_yaxes(range=[y0, y1], showgrid=False, zeroline=False, showticklabels=False, title=None, scaleanchor="x", scaleratio=_aspect(m))
    hit = disrupted_targets(data)
    caption = ("Each route leg drawn as straight lines between approximate places (a schematic, not the surveyed tracks; inputs/SOURCES.md, Map), "
               "its width proportional to the crude it carries in the year shown; circles: export supply by source (red: some is shut in). Rail exports have no single path and are not drawn.")
    if hit:
        caption += " Red dotted: disrupted - " + "; ".join(f"{data.asset_label(t)} ({v})" for t, v in hit.items()) + "."
    return Chart("map", "Routes on the map", fig, caption)


# ------------------------------------------------------------------ PNG for slides


def map_png(data: RunData, path: Path) -> Path | None:
    """``chart-map.png``: the map for the disrupted year (or the first year); None without map files."""
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Polygon

    from .figures import DPI, save_png

    m = data.map
    if m is None:
        return None
    year = map_year(data)
    seg = segments(data, m)
    vmax = float(seg.volume_mt.max()) if len(seg) else 0.0
    seg = seg[seg.year == year].sort_values("volume_mt", ascending=False)
    fl = fields(data, m)
    smax = float(fl.supply_mt.max()) if len(fl) else 0.0
    fl = fl[fl.year == year]
    fig = Figure(figsize=(12, 6.6), dpi=DPI, layout="constrained")
    ax = fig.add_subplot()
    ax.set_facecolor(SEA)
    for _name, rings in m.outline:
        for ring in rings:
            ax.add_patch(Polygon(ring, closed=True, facecolor=LAND, edgecolor=BORDER, linewidth=0.5, zorder=1))
    scale = 0.55  # points per px of the interactive map's widths
    for r in seg.itertuples():
        w = _width(r.volume_mt, vmax) * scale * 1.6
        if r.disrupted:
            ax.plot([r.lon0, r.lon1], [r.lat0, r.lat1], color=DISRUPTED, linewidth=w + 5, linestyle=(0, (1, 1.2)), solid_capstyle="round", zorder=2)
        ax.plot([r.lon0, r.lon1], [r.lat0, r.lat1], color=_route_colour(data, r.routes) if r.volume_mt > 1e-6 else "#999999",
                linewidth=w, linestyle="-" if r.volume_mt > 1e-6 else ":", solid_capstyle="round", zorder=3)
    # label each route once, at the middle of its busiest piece, with Mt and kb/d
    ann = data.tables["allocation_annual"]
    ann = ann[ann.year == year].set_index("route")
    for route in m.paths.route.unique():
        if route not in ann.index or ann.at[route, "volume_mt"] <= 1e-6:
            continue
        label = data.route_label(route)
        mine = seg[seg.routes.str.split(", ").apply(lambda rs, lb=label: lb in rs)]
        if mine.empty:
            continue
        r = mine.iloc[len(mine) // 2]
        ax.annotate(f"{label}\n{ann.at[route, 'volume_mt']:,.1f} Mt, {ann.at[route, 'volume_kbd']:,.0f} kb/d", ((r.lon0 + r.lon1) / 2, (r.lat0 + r.lat1) / 2),
                    fontsize=7.5, color="#222", ha="center", va="center", zorder=6,
                    bbox=dict(boxstyle="round,pad=0.2", facecolor="white", edgecolor=_route_colour(data, r.routes), linewidth=0.8, alpha=0.85))
    for f in fl.itertuples():
        ax.scatter([f.lon], [f.lat], s=30 + 400 * (f.supply_mt / smax if smax else 0), color=DISRUPTED if f.shut_in_mt > 1e-6 else "#4D4D4D",
                   edgecolor="white", linewidth=1, zorder=5)
        off, ha, va, _ = _AT.get(f.label_at, _AT["N"])
        ax.annotate(f"{f.name} {f.supply_mt:,.1f} Mt" + (f"\n{f.shut_in_mt:,.2f} shut in" if f.shut_in_mt > 1e-6 else ""), (f.lon, f.lat),
                    xytext=off, textcoords="offset points", fontsize=7, ha=ha, va=va, zorder=6)
    for p in m.places[m.places.kind.isin(["terminal", "port", "border"]) & (m.places.place != "cpc_spm")].itertuples():
        off, ha, va, _ = _AT.get(p.label_at, _AT["S"])
        ax.scatter([p.lon], [p.lat], s=10, color="#444", zorder=5)
        ax.annotate(p.name, (p.lon, p.lat), xytext=off, textcoords="offset points", fontsize=6.5, color="#444", ha=ha, va=va, zorder=6)
    for mk in disrupted_marks(seg, data).itertuples():
        ax.scatter([mk.lon], [mk.lat], s=420, facecolor="none", edgecolor=DISRUPTED, linewidth=2.2, zorder=7)
        ax.annotate(mk.note, (mk.lon, mk.lat), xytext=(14, -16), textcoords="offset points", va="top", fontsize=8, color=DISRUPTED, fontweight="bold", zorder=8,
                    bbox=dict(boxstyle="round,pad=0.2", facecolor="white", edgecolor=DISRUPTED, linewidth=0.8, alpha=0.9))
    for name, lon, lat in SEAS:
        ax.text(lon, lat, name, fontsize=10, color="#5B7F99", style="italic", ha="center", zorder=4)
    hit = disrupted_targets(data)
    handles = [Line2D([], [], color=DISRUPTED, linewidth=4, linestyle=(0, (1, 1.2)), label="disrupted: " + "; ".join(f"{data.asset_label(t)} ({v})" for t, v in hit.items()))] if hit else []
    if handles:
        ax.legend(handles=handles, loc="lower left", fontsize=8, frameon=True)
    x0, y0, x1, y1 = m.box
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect(_aspect(m))
    ax.set_xticks([])
    ax.set_yticks([])
    suffix = " (the disrupted year)" if data.focus is not None and year == data.focus.year else ""
    ax.set_title(f"Kazakh crude export routes, {year}{suffix}: {data.label}", loc="left", fontsize=11, fontweight="bold")
    return save_png(fig, path, f"energy_routes run {data.shown.name}; line width = Mt in {year}; schematic, approximate places; outlines: Natural Earth")
