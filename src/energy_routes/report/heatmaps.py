"""Heat maps of any pivot tables (for sweeps): one self-contained ``heatmaps.html`` and one PNG per pivot.

>>> write_heatmaps({"shut-in, Mt": pivot}, Path("out"), "CPC outage sweep")   # doctest: +SKIP

Reads nothing from disk. Each pivot's index runs down the rows and its
columns across; the index and columns *names* become the axis titles. Values
are plotted as given (NaN cells are left blank / grey).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from .html import figure_html, page
from .png import heatmap_png

#: grids up to this many cells get their values written in the cells
ANNOTATE_CELLS = 150


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "heatmap"


def heatmap_figure(piv: pd.DataFrame, title: str) -> go.Figure:
    fig = go.Figure(
        go.Heatmap(
            z=piv.to_numpy(dtype=float),
            x=[str(c) for c in piv.columns],
            y=[str(i) for i in piv.index],
            colorscale="Blues",
            hoverongaps=False,
            colorbar=dict(title=dict(text=title)),
            hovertemplate=f"{html.escape(str(piv.index.name or 'row'))} %{{y}}, {html.escape(str(piv.columns.name or 'column'))} %{{x}}: %{{z:,.4g}}<extra></extra>",
            xgap=1,
            ygap=1,
            texttemplate="%{z:,.4~r}" if piv.size <= ANNOTATE_CELLS else None,
        )
    )
    fig.update_layout(
        template="plotly_white",
        title=dict(text=title),
        height=max(360, 28 * len(piv.index) + 180),
        xaxis=dict(title=dict(text=str(piv.columns.name or "")), type="category"),
        yaxis=dict(title=dict(text=str(piv.index.name or "")), type="category", autorange="reversed"),
        margin=dict(l=120, r=30, t=60, b=60),
    )
    return fig


def write_heatmaps(pivots: dict[str, pd.DataFrame], out_dir: Path, title: str) -> list[Path]:
    """Write ``heatmaps.html`` (one interactive heat map per pivot) and ``heatmap-<name>.png`` per pivot.

    Returns the written paths: the HTML page first, then the PNGs in the order of ``pivots``.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    parts = [f"<h1>{html.escape(title)}</h1>"]
    pngs: list[Path] = []
    used: set[str] = set()
    for name, piv in pivots.items():
        slug = _slug(name)
        while slug in used:
            slug += "-x"
        used.add(slug)
        parts.append(f'<section id="sec-{slug}"><h2>{html.escape(name)}</h2>')
        parts.append(figure_html(heatmap_figure(piv, name), f"heatmap-{slug}"))
        parts.append("</section>")
        pngs.append(heatmap_png(piv, out_dir / f"heatmap-{slug}.png", name, subtitle=title, annotate=piv.size <= ANNOTATE_CELLS))
    page_path = out_dir / "heatmaps.html"
    page_path.write_text(page(title, "\n".join(parts)), encoding="utf-8")
    return [page_path, *pngs]
