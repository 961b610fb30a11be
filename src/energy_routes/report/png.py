"""Static PNG versions of the main charts for slides (matplotlib, no browser needed).

Reads a :class:`~energy_routes.report.rundata.RunData` through
:mod:`energy_routes.report.chartdata`. Uses matplotlib's object interface
(no pyplot), so it never changes the caller's backend. Writes
``chart-volume-by-route.png``, ``chart-monthly.png``, ``chart-utilisation.png``,
``chart-shadow-prices.png`` and, when the run exported power,
``chart-power.png``. The Sankey diagram exists only in the HTML report.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, PercentFormatter

from . import chartdata as cd
from . import power as report_power
from .figures import DPI, save_png
from .rundata import RunData

SIZE = (10, 5.0)  # inches: 1500 × 750 px, a 2:1 slide panel
BLUES = LinearSegmentedColormap.from_list("util", ["#F7FBFF", "#6BAED6", "#08306B"])
#: the secondary kb/d axes use one conversion (the tables hold each route's exact kb/d): a mid-range
#: 7.5 bbl/t (the shipped grades are 7.3-7.9) and the mean month of 30.4 days
BBL_PER_T_AXIS = 7.5
KBD_PER_KT_MONTH = BBL_PER_T_AXIS / 30.4
KBD_PER_MT_YEAR = BBL_PER_T_AXIS * 1000 / 365.25


def _fig(size=SIZE) -> Figure:
    fig = Figure(figsize=size, dpi=DPI, layout="constrained")
    return fig


def _style(ax, title: str, ylabel: str = "") -> None:
    ax.set_title(title, loc="left", fontsize=11, fontweight="bold")
    if ylabel:
        ax.set_ylabel(ylabel)
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#E5E5E5", linewidth=0.8)
    ax.set_axisbelow(True)


def _num(v: float) -> str:
    """Three significant figures without scientific notation: 5,350 / 40.8 / 0.478."""
    a = abs(v)
    if a >= 100:
        return f"{v:,.0f}"
    if a >= 10:
        return f"{v:.1f}"
    if a >= 1:
        return f"{v:.2f}"
    return "0" if a < 5e-4 else f"{v:.3f}"


def volume_png(data: RunData, path: Path) -> Path:
    vol, _cap, by_year = cd.annual_pivots(data)
    colours = cd.route_colours(data)
    fig = _fig()
    ax = fig.add_subplot()
    x = np.arange(len(vol.index))
    bottom = np.zeros(len(x))
    for route in vol.columns:
        v = vol[route].fillna(0).to_numpy()
        ax.bar(x, v, bottom=bottom, color=colours[route], label=data.route_label(route), width=0.7)
        bottom += v
    sh = by_year.shut_in_mt.reindex(vol.index).fillna(0).to_numpy()
    if sh.sum() > 0:
        ax.bar(x, sh, bottom=bottom, color=cd.SHUT_IN_COLOUR, hatch="//", label="shut in", width=0.7)
    ax.plot(x, by_year.supply_mt.reindex(vol.index).to_numpy(), color=cd.SUPPLY_COLOUR, linestyle=":", marker="o", label="export supply")
    ax.set_xticks(x, [str(y) for y in vol.index])
    kbd = data.tables["allocation_annual"].groupby("year").volume_kbd.sum().reindex(vol.index)
    supply = by_year.supply_mt.reindex(vol.index).to_numpy()
    ax.set_ylim(0, float(np.nanmax(np.r_[bottom + sh, supply])) * 1.2)
    for xi, tot, top, k in zip(x, bottom, np.fmax(bottom + sh, supply), kbd):
        ax.annotate(f"{tot:,.1f} Mt\n{k:,.0f} kb/d", (xi, top), xytext=(0, 3), textcoords="offset points", ha="center", va="bottom", fontsize=7)
    sec = ax.secondary_yaxis("right", functions=(lambda mt: mt * KBD_PER_MT_YEAR, lambda kbd: kbd / KBD_PER_MT_YEAR))
    sec.set_ylabel("kb/d (approx.)")
    _style(ax, f"Kazakh crude exports by route, {data.label}", "Mt per year")
    ax.legend(loc="upper left", bbox_to_anchor=(1.08, 1.0), frameon=False, fontsize=9)
    return save_png(fig, path, f"energy_routes run {data.shown.name}; labels: exact kb/d of the routes; right axis at {BBL_PER_T_AXIS} bbl/t")


def monthly_png(data: RunData, path: Path) -> Path:
    """Stacked monthly volume by route as steps (one polygon per route: fast for long horizons)."""
    vol, bal = cd.monthly_pivot(data)
    colours = cd.route_colours(data)
    fig = _fig()
    ax = fig.add_subplot()
    edges = list(vol.index) + [vol.index[-1] + pd.offsets.MonthBegin(1)]
    x = mdates.date2num(edges)

    def steps(v: np.ndarray) -> np.ndarray:
        return np.append(v, v[-1])  # the last value holds to the end of the last month

    bottom = np.zeros(len(vol))
    for route in vol.columns:
        v = vol[route].fillna(0).to_numpy()
        if v.sum() > 0:
            ax.fill_between(x, steps(bottom), steps(bottom + v), step="post", color=colours[route], label=data.route_label(route), linewidth=0)
        bottom = bottom + v
    sh = bal.shut_in_kt.reindex(vol.index).fillna(0).to_numpy()
    if sh.sum() > 0:
        ax.fill_between(x, steps(bottom), steps(bottom + sh), step="post", facecolor=cd.SHUT_IN_COLOUR, hatch="//", edgecolor="white",
                        linewidth=0, label="shut in")
    supply = bal.supply_kt.reindex(vol.index).to_numpy()
    ax.step(x, steps(supply), where="post", color=cd.SUPPLY_COLOUR, linestyle=":", label="export supply")
    for k, e in enumerate(cd.event_windows(data).itertuples()):
        ax.axvspan(mdates.date2num(e.start), mdates.date2num(e.end), facecolor="#D55E00", alpha=0.16, edgecolor="#A04000", linestyle="--", linewidth=1, zorder=3)
        if e.recovered > e.end:
            ax.axvspan(mdates.date2num(e.end), mdates.date2num(e.recovered), facecolor="#D55E00", alpha=0.08, linewidth=0, zorder=3)
        ax.text(mdates.date2num(e.start), 0.99 - 0.05 * (k % 4), " " + e.label, transform=ax.get_xaxis_transform(), fontsize=7, color="#A04000",
                va="top", bbox=dict(facecolor="white", alpha=0.8, linewidth=0, pad=1), zorder=4)
    ax.set_ylim(0, max(float(np.nanmax(bottom + sh)), float(np.nanmax(supply))) * 1.15)
    span = cd.focus_range(data)
    ax.set_xlim(*(mdates.date2num(span) if span is not None else (x[0], x[-1])))
    ax.xaxis.set_major_locator(mdates.AutoDateLocator(maxticks=14))
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(ax.xaxis.get_major_locator()))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    year = f", {data.focus.year} (the disrupted year)" if span is not None else ""
    _style(ax, f"Monthly exports by route{year}, {data.label}", "kt per month")
    sec = ax.secondary_yaxis("right", functions=(lambda kt: kt * KBD_PER_KT_MONTH, lambda kbd: kbd / KBD_PER_KT_MONTH))
    sec.set_ylabel("kb/d (approx.)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.08, 1.0), frameon=False, fontsize=9)
    return save_png(fig, path, f"energy_routes run {data.shown.name}; shaded: disruption events; kb/d axis at {BBL_PER_T_AXIS} bbl/t and 30.4 days per month")


def heatmap_png(
    piv: pd.DataFrame, path: Path, title: str, *, vmin=None, vmax=None, percent: bool = False, subtitle: str = "", annotate: bool = False
) -> Path:
    """A heat map of a pivot (index = rows, columns = columns), axis titles from the index/columns names.

    ``annotate`` writes each value in its cell (for small grids)."""
    nrows, ncols = piv.shape
    fig = _fig((max(6.0, min(16.0, 3 + 0.22 * ncols)), max(3.0, min(12.0, 1.6 + 0.32 * nrows))))
    ax = fig.add_subplot()
    z = np.ma.masked_invalid(piv.to_numpy(dtype=float))
    cmap = BLUES.with_extremes(bad="#DDDDDD")
    im = ax.imshow(z, aspect="auto", cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest")
    ax.set_yticks(range(nrows), [str(i) for i in piv.index], fontsize=8)
    step = max(1, int(np.ceil(ncols / 24)))
    ax.set_xticks(range(0, ncols, step), [str(c) for c in piv.columns[::step]], rotation=90, fontsize=7)
    ax.set_xlabel(str(piv.columns.name or ""))
    ax.set_ylabel(str(piv.index.name or ""))
    ax.set_title(title, loc="left", fontsize=12, fontweight="bold")
    if annotate:
        lo, hi = im.get_clim()
        for (i, j), v in np.ndenumerate(piv.to_numpy(dtype=float)):
            if np.isfinite(v):
                dark = hi > lo and (v - lo) / (hi - lo) > 0.6
                ax.text(j, i, f"{v:.0%}" if percent else _num(v), ha="center", va="center", fontsize=7, color="white" if dark else "#222")
    cb = fig.colorbar(im, ax=ax, shrink=0.9)
    if percent:
        cb.ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    return save_png(fig, path, subtitle)


def utilisation_png(data: RunData, path: Path) -> Path:
    piv = cd.utilisation_pivot(data, "route")
    return heatmap_png(piv, path, f"Route utilisation by month, {data.name}", vmin=0, vmax=1, percent=True,
                       subtitle=f"energy_routes run {data.shown.name}; grey: no capacity")


def shadow_png(data: RunData, path: Path) -> Path:
    b = cd.bottlenecks(data).iloc[::-1]
    fig = _fig((10, max(3.0, 1.2 + 0.35 * len(b))))
    ax = fig.add_subplot()
    if len(b):
        colours = np.where(b.mean_usd_per_t >= 0, "#0072B2", "#D55E00")
        ax.barh(b.label, b.mean_usd_per_t, color=colours)
        for y, (v, n) in enumerate(zip(b.mean_usd_per_t, b.periods_binding)):
            ax.text(v, y, f" {v:,.1f} $/t ({n} period{'s' if n != 1 else ''}) ", va="center", ha="left" if v >= 0 else "right", fontsize=8)
        ax.axvline(0, color="#333", linewidth=0.8)
        ax.margins(x=0.25)
    else:
        ax.text(0.5, 0.5, "no binding constraints", ha="center", va="center", transform=ax.transAxes)
    _style(ax, "Binding constraints: mean value of one more tonne")
    fig.suptitle(data.name, x=0.01, ha="left", fontsize=9, color="#555")
    ax.grid(axis="x", color="#E5E5E5", linewidth=0.8)
    ax.set_xlabel("$/t")
    return save_png(fig, path, f"energy_routes run {data.shown.name}")


def power_png(data: RunData, path: Path) -> Path | None:
    return report_power.power_png(data, path, _fig, _style, save_png)


def write_pngs(data: RunData, out_dir: Path) -> list[Path]:
    from .map import map_png

    out_dir = Path(out_dir)
    written = [
        map_png(data, out_dir / "chart-map.png"),
        volume_png(data, out_dir / "chart-volume-by-route.png"),
        monthly_png(data, out_dir / "chart-monthly.png"),
        utilisation_png(data, out_dir / "chart-utilisation.png"),
        shadow_png(data, out_dir / "chart-shadow-prices.png"),
        power_png(data, out_dir / "chart-power.png"),
    ]
    return [p for p in written if p is not None]
