"""Exceedance curves of a ``risk`` sweep: how likely a year's extra shut-in or lost netback exceeds each level, per lever.

Reads the sweep's ``years`` table (lever, draw, year, extra_shut_in_mt,
lost_netback_musd: one row per simulated year). For each lever the annual
outcomes are sorted; the probability of exceeding the k-th largest of n is
k / n (the empirical survival function, plotted as steps). Writes, into the
sweep folder, ``exceedance.html`` (interactive, self-contained, element ids
``exceedance-shut-in`` and ``exceedance-netback``) and ``exceedance.png``.
"""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np
import pandas as pd

from . import chartdata as cd

#: (column, chart id, axis title)
MEASURES = (
    ("extra_shut_in_mt", "exceedance-shut-in", "extra shut-in in a year, Mt"),
    ("lost_netback_musd", "exceedance-netback", "lost export netback in a year, M$"),
)


def exceedance(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(levels sorted from the largest, probability of a year at or above each level: k / n)."""
    v = np.sort(np.asarray(values, dtype=float))[::-1]
    n = len(v)
    return v, np.arange(1, n + 1) / n if n else np.array([])


def curves(years: pd.DataFrame) -> pd.DataFrame:
    """measure, lever, level, probability: one row per lever, measure and simulated year."""
    out = []
    for lever, grp in years.groupby("lever", sort=False):
        for col, _id, _title in MEASURES:
            level, prob = exceedance(grp[col].to_numpy())
            out.append(pd.DataFrame({"measure": col, "lever": lever, "level": level, "probability": prob}))
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame(columns=["measure", "lever", "level", "probability"])


def quantile_line(years: pd.DataFrame, q: float = 0.9) -> pd.DataFrame:
    """lever, extra_shut_in_mt, lost_netback_musd at quantile ``q`` of the annual outcomes (P90: exceeded in 10% of years)."""
    return years.groupby("lever", sort=False)[[c for c, _, _ in MEASURES]].quantile(q).reset_index()


def figures(years: pd.DataFrame):
    import plotly.graph_objects as go

    cv = curves(years)
    p90 = quantile_line(years).set_index("lever")
    figs = []
    for col, cid, title in MEASURES:
        fig = go.Figure()
        for k, (lever, grp) in enumerate(cv[cv.measure == col].groupby("lever", sort=False)):
            colour = cd.PALETTE[k % len(cd.PALETTE)]
            fig.add_trace(go.Scatter(x=grp.level, y=grp.probability, mode="lines", line=dict(shape="vh", color=colour, width=2), name=str(lever),
                                     hovertemplate=f"{html.escape(str(lever))}: %{{x:,.3g}} or more in %{{y:.1%}} of years<extra></extra>"))
            fig.add_trace(go.Scatter(x=[p90.at[lever, col]], y=[0.1], mode="markers", marker=dict(color=colour, size=9, symbol="diamond"), showlegend=False,
                                     name=f"P90 {lever}", hovertemplate=f"P90 {html.escape(str(lever))}: %{{x:,.3g}}<extra></extra>"))
        fig.add_hline(y=0.1, line=dict(color="#999", dash="dot", width=1), annotation_text="P90: exceeded in 1 year in 10", annotation_position="top right")
        fig.update_layout(template="plotly_white", height=420, margin=dict(l=70, r=30, t=40, b=55), legend=dict(orientation="h", y=1.08, x=0),
                          xaxis_title=title, yaxis_title="probability a year reaches it")
        fig.update_yaxes(type="log", range=[np.log10(max(1.0 / max(len(years) / max(years.lever.nunique(), 1), 1), 1e-4)) - 0.1, 0.02], tickformat=".1%")
        figs.append((cid, title, fig))
    return figs


def write_exceedance(years: pd.DataFrame, folder: Path, title: str) -> list[Path]:
    """exceedance.html and exceedance.png into ``folder``; returns the paths."""
    from matplotlib.figure import Figure

    from .figures import DPI, save_png
    from .html import figure_html, page

    folder = Path(folder)
    figs = figures(years)
    parts = [f"<h1>{html.escape(title)}: exceedance curves</h1>",
             '<p class="caption">For each lever, the share of simulated years whose extra shut-in (top) or lost export netback (bottom) reaches each level; '
             "a curve further left is a smaller risk. Diamonds: P90, the level exceeded in one year in ten.</p>"]
    for cid, heading, fig in figs:
        parts.append(f'<section id="sec-{cid}"><h2>{html.escape(heading[0].upper() + heading[1:])}</h2>{figure_html(fig, cid)}</section>')
    out = [folder / "exceedance.html"]
    out[0].write_text(page(f"{title}: exceedance curves", "\n".join(parts)), encoding="utf-8")
    cv = curves(years)
    fig = Figure(figsize=(12, 4.6), dpi=DPI, layout="constrained")
    axes = fig.subplots(1, 2)
    p90 = quantile_line(years).set_index("lever")
    for ax, (col, _cid, axis_title) in zip(axes, MEASURES):
        for k, (lever, grp) in enumerate(cv[cv.measure == col].groupby("lever", sort=False)):
            colour = cd.PALETTE[k % len(cd.PALETTE)]
            ax.step(grp.level, grp.probability, where="post", color=colour, label=f"{lever} (P90 {p90.at[lever, col]:,.3g})")
            ax.plot([p90.at[lever, col]], [0.1], marker="D", color=colour)
        ax.axhline(0.1, color="#999", linestyle=":", linewidth=1)
        ax.set_yscale("log")
        ax.set_xlabel(axis_title)
        ax.set_ylabel("probability a year reaches it")
        ax.spines[["top", "right"]].set_visible(False)
        ax.legend(frameon=False, fontsize=8)
    axes[0].set_title(f"{title}: how often a year is this bad", loc="left", fontsize=11, fontweight="bold")
    out.append(save_png(fig, folder / "exceedance.png", "energy_routes risk sweep; empirical exceedance over the simulated years; diamonds: P90"))
    return out
