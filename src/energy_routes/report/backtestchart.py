"""The backtest as a chart: the model against the reported range of every outlet and year (and every replayed event).

Reads the backtest tables (``backtest_outlets``: year, outlet_name,
reported_low_mt, reported_high_mt, model_mt, claimed, verdict;
``backtest_events``: event_id, metric, the same value columns). The reported
range is a grey bar from low to high (a line when the sources agree); the model
is a dot: filled green inside the range, red outside, hollow where the
comparison is not claimed (an input held at reported volumes, docs/backtest.md).
Writes ``backtest.png`` and ``backtest.html`` (element id ``backtest-chart``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

INSIDE, OUTSIDE, RANGE = "#1B9E77", "#C0392B", "#BBBBBB"


def _colour(row) -> str:
    return INSIDE if str(row.verdict).startswith("inside") else OUTSIDE


def _panels(outlets: pd.DataFrame, events: pd.DataFrame) -> list[tuple[str, pd.DataFrame, str]]:
    """(title, rows, label column) per panel: one per year, then the events."""
    out = [(f"{int(y)}: exports by outlet, Mt", g[g.reported_low_mt.notna()], "outlet_name") for y, g in outlets.groupby("year", sort=True)]
    if len(events):
        ev = events[events.reported_low_mt.notna()].assign(label=lambda d: d.event_id + ": " + d.metric)
        out.append(("replayed CPC disruptions, Mt", ev, "label"))
    return [p for p in out if len(p[1])]


def backtest_png(outlets: pd.DataFrame, events: pd.DataFrame, path: Path) -> Path:
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    from .figures import DPI, save_png

    panels = _panels(outlets, events)
    fig = Figure(figsize=(13, 3.2 * len(panels) + 0.6), dpi=DPI, layout="constrained")
    axes = np.atleast_1d(fig.subplots(len(panels), 1))
    for ax, (title, rows, label) in zip(axes, panels):
        x = np.arange(len(rows))
        lo, hi = rows.reported_low_mt.to_numpy(float), rows.reported_high_mt.to_numpy(float)
        ax.bar(x, np.maximum(hi - lo, 0) + 1e-9, bottom=lo, width=0.5, color=RANGE, label="reported range")
        ax.hlines(lo, x - 0.25, x + 0.25, color="#777", linewidth=1)
        ax.hlines(hi, x - 0.25, x + 0.25, color="#777", linewidth=1)
        for xi, r in zip(x, rows.itertuples()):
            c = _colour(r)
            ax.scatter([xi], [r.model_mt], s=45, zorder=3, facecolor=c if r.claimed else "white", edgecolor=c, linewidth=1.6)
        ax.set_xticks(x, [str(v) for v in rows[label]], rotation=20 if label == "label" else 0, ha="right" if label == "label" else "center", fontsize=8)
        ax.set_title(title, loc="left", fontsize=10, fontweight="bold")
        ax.set_ylabel("Mt")
        ax.spines[["top", "right"]].set_visible(False)
        ax.grid(axis="y", color="#EEE")
    handles = [Line2D([], [], color=RANGE, linewidth=8, label="reported range"),
               Line2D([], [], marker="o", linestyle="", color=INSIDE, label="model, inside (claimed)"),
               Line2D([], [], marker="o", linestyle="", color=OUTSIDE, label="model, outside (claimed)"),
               Line2D([], [], marker="o", linestyle="", markerfacecolor="white", markeredgecolor="#555", label="model, not claimed (an input)")]
    axes[0].legend(handles=handles, loc="upper right", fontsize=8, frameon=False, ncol=4)
    return save_png(fig, path, "energy_routes backtest; reported figures: inputs/history (sources in inputs/SOURCES.md); what is claimed: docs/backtest.md")


def backtest_html(outlets: pd.DataFrame, events: pd.DataFrame, path: Path) -> Path:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    from .html import figure_html, page

    panels = _panels(outlets, events)
    fig = make_subplots(rows=len(panels), cols=1, subplot_titles=[t for t, _, _ in panels], vertical_spacing=0.08)
    for k, (_title, rows, label) in enumerate(panels, start=1):
        names = [str(v) for v in rows[label]]
        lo, hi = rows.reported_low_mt.to_numpy(float), rows.reported_high_mt.to_numpy(float)
        fig.add_trace(go.Bar(x=names, y=np.maximum(hi - lo, 0.02), base=lo, marker_color=RANGE, width=0.5, name="reported range", showlegend=k == 1,
                             customdata=np.c_[lo, hi], hovertemplate="%{x}: reported %{customdata[0]:,.2f}-%{customdata[1]:,.2f} Mt<extra></extra>"), row=k, col=1)
        colours = [_colour(r) for r in rows.itertuples()]
        fig.add_trace(go.Scatter(x=names, y=rows.model_mt, mode="markers", name="model", showlegend=k == 1,
                                 marker=dict(size=11, color=[c if cl else "white" for c, cl in zip(colours, rows.claimed)], line=dict(color=colours, width=2)),
                                 text=[str(v) for v in rows.verdict], hovertemplate="%{x}: model %{y:,.2f} Mt (%{text})<extra></extra>"), row=k, col=1)
        fig.update_yaxes(title_text="Mt", row=k, col=1)
    fig.update_layout(template="plotly_white", height=330 * len(panels) + 80, margin=dict(l=60, r=30, t=60, b=60), legend=dict(orientation="h", y=1.02, x=0))
    body = ("<h1>Backtest: the model against reported history</h1>"
            '<p class="caption">Grey: the reported range (a line where the sources agree). Dots: the model, filled green inside the range, red outside, '
            "hollow where the comparison is not claimed because the outlet is an input held at reported volumes (docs/backtest.md).</p>"
            + figure_html(fig, "backtest-chart"))
    path.write_text(page("Backtest", body), encoding="utf-8")
    return path


def write_backtest_charts(folder: Path, outlets: pd.DataFrame, events: pd.DataFrame) -> list[Path]:
    return [backtest_png(outlets, events, Path(folder) / "backtest.png"), backtest_html(outlets, events, Path(folder) / "backtest.html")]
