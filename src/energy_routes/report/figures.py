"""What every chart of the report shares: the plotly chart record and its layout, and how a matplotlib
PNG is saved (resolution, the run's subtitle). One module so the chart modules (charts, map, power,
exceedance, backtestchart) and the PNG writer read the same helpers without importing each other."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import plotly.graph_objects as go
from matplotlib.figure import Figure

#: dots per inch of every PNG
DPI = 150
FONT = dict(family="Segoe UI, Helvetica, Arial, sans-serif", size=12)


@dataclass
class Chart:
    """One chart of the report: element id, heading, the figure and a sentence saying how to read it."""

    id: str
    title: str
    figure: go.Figure | None
    caption: str = ""
    html: str | None = None  # the chart's own markup, for charts that are not plotly figures (the map)


def layout(fig: go.Figure, height: int = 460, **kw) -> go.Figure:
    fig.update_layout(
        template="plotly_white",
        font=FONT,
        height=height,
        margin=dict(l=60, r=30, t=40, b=50),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0),
        **kw,
    )
    return fig


def empty(fig: go.Figure, text: str) -> go.Figure:
    fig.add_annotation(text=text, showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5, font=dict(size=14, color="#666"))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def save_png(fig: Figure, path: Path, subtitle: str) -> Path:
    fig.text(0.995, 0.005, subtitle, ha="right", va="bottom", fontsize=7, color="#777")
    fig.savefig(path, dpi=DPI, metadata={"Software": "energy_routes"}, pil_kwargs={"compress_level": 3})
    return path
