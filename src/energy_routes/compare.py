"""Compare two run folders: side-by-side and difference tables, a chart, in terminal, CSV, Excel and HTML.

Reads from each run folder (via :func:`energy_routes.report.rundata.load_run`):
``allocation_annual`` (year, route, volume_mt, netback_musd),
``allocation_monthly`` (period, route, volume_kt), ``balance_monthly``
(period, exported_kt, shut_in_kt), ``shadow_prices`` (period, constraint,
asset_or_route, usd_per_t) and ``manifest.json`` (scenario name, objective).

Every difference is B minus A. Rows are matched by year (and route, period or
constraint); where only one run has a row, the other side and the difference
are left empty rather than read as zero.
"""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .report import chartdata as cd
from .report.html import figure_html, page, table_html
from .report.rundata import RunData, load_run
from .report.tables import Sheet, binding_summary

#: the comparison tables, in the order they are written (compare_<name>.csv)
TABLES = ("summary", "volume", "shut_in", "netback", "binding", "volume_monthly")


def _side_by_side(a: pd.DataFrame, b: pd.DataFrame, keys: list[str], value: str) -> pd.DataFrame:
    """keys, a_<value>, b_<value>, diff_<value> (outer join; the difference only where both runs have the row)."""
    m = a[keys + [value]].merge(b[keys + [value]], on=keys, how="outer", suffixes=("_a", "_b"), sort=False)
    out = m[keys].copy()
    out[f"a_{value}"] = m[f"{value}_a"]
    out[f"b_{value}"] = m[f"{value}_b"]
    out[f"diff_{value}"] = m[f"{value}_b"] - m[f"{value}_a"]
    return out


def _route_rank(a: RunData, b: RunData) -> dict[str, int]:
    """Routes in the runs' own order (A's, then any only B has)."""
    order = list(dict.fromkeys([*cd.route_order(a), *cd.route_order(b)]))
    return {r: i for i, r in enumerate(order)}


def _sorted(df: pd.DataFrame, first: str, a: RunData, b: RunData) -> pd.DataFrame:
    rank = _route_rank(a, b)
    key = df.route.map(rank)
    return df.assign(_k=key).sort_values([first, "_k"], kind="stable").drop(columns="_k").reset_index(drop=True)


def volume_by_route(a: RunData, b: RunData) -> pd.DataFrame:
    """year, route, a_volume_mt, b_volume_mt, diff_volume_mt."""
    out = _side_by_side(a.tables["allocation_annual"], b.tables["allocation_annual"], ["year", "route"], "volume_mt")
    return _sorted(out, "year", a, b)


def _by_year(run: RunData, column: str, scale: float = 1.0) -> pd.DataFrame:
    bal = run.tables["balance_monthly"]
    g = bal.assign(year=bal.period.str[:4].astype(int)).groupby("year", as_index=False)[column].sum()
    g[column] = g[column] * scale
    return g


def shut_in(a: RunData, b: RunData) -> pd.DataFrame:
    """year, a_shut_in_mt, b_shut_in_mt, diff_shut_in_mt."""
    fa, fb = (_by_year(r, "shut_in_kt", 1e-3).rename(columns={"shut_in_kt": "shut_in_mt"}) for r in (a, b))
    return _side_by_side(fa, fb, ["year"], "shut_in_mt").sort_values("year").reset_index(drop=True)


def netback(a: RunData, b: RunData) -> pd.DataFrame:
    """year, a_netback_musd, b_netback_musd, diff_netback_musd: export netback summed over routes."""
    fa, fb = (r.tables["allocation_annual"].groupby("year", as_index=False)["netback_musd"].sum() for r in (a, b))
    return _side_by_side(fa, fb, ["year"], "netback_musd").sort_values("year").reset_index(drop=True)


def binding(a: RunData, b: RunData) -> pd.DataFrame:
    """constraint, asset_or_route, a/b periods binding and mean $/t, diff of the mean, and where it binds."""
    sa, sb = (binding_summary(r.tables["shadow_prices"]) for r in (a, b))
    keys = ["constraint", "asset_or_route"]
    m = sa[keys + ["periods_binding", "mean_usd_per_t"]].merge(
        sb[keys + ["periods_binding", "mean_usd_per_t"]], on=keys, how="outer", suffixes=("_a", "_b"), sort=False
    )
    out = m[keys].copy()
    out["a_periods_binding"] = m.periods_binding_a.fillna(0).astype(int)
    out["b_periods_binding"] = m.periods_binding_b.fillna(0).astype(int)
    out["a_mean_usd_per_t"] = m.mean_usd_per_t_a
    out["b_mean_usd_per_t"] = m.mean_usd_per_t_b
    out["diff_mean_usd_per_t"] = m.mean_usd_per_t_b.fillna(0.0) - m.mean_usd_per_t_a.fillna(0.0)
    in_a, in_b = out.a_periods_binding > 0, out.b_periods_binding > 0
    out["binds_in"] = np.select([in_a & in_b, in_a], ["both", "A only"], "B only")
    return out.sort_values("diff_mean_usd_per_t", key=lambda s: -s.abs(), kind="stable").reset_index(drop=True)


def volume_monthly(a: RunData, b: RunData) -> pd.DataFrame:
    """period, route, a_volume_kt, b_volume_kt, diff_volume_kt."""
    out = _side_by_side(a.tables["allocation_monthly"], b.tables["allocation_monthly"], ["period", "route"], "volume_kt")
    return _sorted(out, "period", a, b)


def summary(a: RunData, b: RunData) -> pd.DataFrame:
    """metric, a, b, diff: totals over each run's horizon (and the solver objective)."""

    def totals(r: RunData) -> dict[str, float]:
        bal = r.tables["balance_monthly"]
        oil = ((r.manifest.get("solver") or {}).get("oil") or {})
        return {
            "exported (Mt)": bal.exported_kt.sum() / 1000,
            "shut in (Mt)": bal.shut_in_kt.sum() / 1000,
            "export netback (M$)": r.tables["allocation_annual"].netback_musd.sum(),
            "objective: netback less shut-in penalty (M$)": oil.get("objective_musd", np.nan),
            "binding constraints (count)": float(len(binding_summary(r.tables["shadow_prices"]))),
        }

    ta, tb = totals(a), totals(b)
    rows = [(k, ta[k], tb[k], tb[k] - ta[k]) for k in ta]
    return pd.DataFrame(rows, columns=["metric", "a", "b", "diff"])


def compare_runs(a: RunData, b: RunData) -> dict[str, pd.DataFrame]:
    return {
        "summary": summary(a, b),
        "volume": volume_by_route(a, b),
        "shut_in": shut_in(a, b),
        "netback": netback(a, b),
        "binding": binding(a, b),
        "volume_monthly": volume_monthly(a, b),
    }


def describe_pair(a: RunData, b: RunData) -> list[str]:
    lines = [f"A = {a.name} ({a.folder})", f"B = {b.name} ({b.folder})", "differences are B - A"]
    common = set(a.years) & set(b.years)
    if not common:
        lines.append(f"the runs share no year (A: {a.years[0]}-{a.years[-1]}, B: {b.years[0]}-{b.years[-1]}): year-by-year differences are empty")
    return lines


# ------------------------------------------------------------------ presentation


def sheets(tables: dict[str, pd.DataFrame], a: RunData, b: RunData) -> list[Sheet]:
    titles = {
        "summary": "Totals over each run's horizon",
        "volume": "Volume by route and year",
        "shut_in": "Shut-in by year",
        "netback": "Export netback by year",
        "binding": "Binding constraints: periods binding and mean shadow price",
        "volume_monthly": "Volume by route and month (rerouting)",
    }
    names = {"summary": "Summary", "volume": "Volume by route", "shut_in": "Shut-in", "netback": "Netback", "binding": "Binding constraints", "volume_monthly": "Monthly volume"}
    out = [Sheet(names[k], titles[k] + f" (A = {a.name}, B = {b.name}, difference = B - A)", tables[k], f"compare_{k}.csv") for k in TABLES]
    out.append(Sheet("Runs", "The two runs compared", pd.DataFrame(
        [("A", a.name, str(a.folder.resolve()), a.manifest.get("created_utc", "")), ("B", b.name, str(b.folder.resolve()), b.manifest.get("created_utc", ""))],
        columns=["run", "scenario", "folder", "created"])))
    return out


def figure(tables: dict[str, pd.DataFrame], a: RunData, b: RunData) -> go.Figure:
    """Left: volume difference by route, one bar per year. Right: monthly volume difference by route, B - A."""
    vol = tables["volume"].dropna(subset=["diff_volume_mt"])
    mon = tables["volume_monthly"].dropna(subset=["diff_volume_kt"])
    fig = make_subplots(rows=1, cols=2, column_widths=[0.45, 0.55], subplot_titles=["volume by route, B - A (Mt per year)", "volume by route and month, B - A (kt)"])
    colours = cd.route_colours(a)
    for k, (year, grp) in enumerate(vol.groupby("year", sort=True)):
        fig.add_trace(go.Bar(x=[a.route_label(r) for r in grp.route], y=grp.diff_volume_mt, name=str(year), marker_color=cd.PALETTE[k % len(cd.PALETTE)],
                             legendgroup="years", hovertemplate="%{x} " + str(year) + ": %{y:+,.2f} Mt<extra></extra>"), row=1, col=1)
    for route, grp in mon.groupby("route", sort=False):
        if grp.diff_volume_kt.abs().max() <= 1e-6:
            continue
        fig.add_trace(go.Scatter(x=pd.to_datetime(grp.period + "-01"), y=grp.diff_volume_kt, mode="lines", line=dict(shape="hvh", color=colours.get(route, "#999")),
                                 name=a.route_label(route), legendgroup="routes", hovertemplate="%{x|%b %Y} " + a.route_label(route) + ": %{y:+,.0f} kt<extra></extra>"),
                      row=1, col=2)
    for run in (a, b):
        for e in cd.event_windows(run).itertuples():
            fig.add_vrect(x0=e.start, x1=e.end, fillcolor=cd.EVENT_COLOUR, line_width=0, layer="below", row=1, col=2)
    if vol.empty:
        fig.add_annotation(text="the runs share no year", showarrow=False, xref="x domain", yref="y domain", x=0.5, y=0.5)
    fig.update_layout(template="plotly_white", height=480, barmode="group", margin=dict(l=60, r=30, t=60, b=60),
                      legend=dict(orientation="v", x=1.02, y=1))
    return fig


def terminal_tables(tables: dict[str, pd.DataFrame], a: RunData, b: RunData):
    """rich Tables for the terminal: summary, volume by route (A, B, B - A per year), shut-in, binding constraints."""
    from rich.markup import escape
    from rich.table import Table

    def num(v, spec=",.2f", sign=False):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return ""
        return format(v, ("+" if sign else "") + spec)

    out = []
    t = Table(title="Totals (B - A)", title_justify="left")
    for c in ("", "A", "B", "B - A"):
        t.add_column(c, justify="left" if not c else "right")
    for r in tables["summary"].itertuples():
        spec = ",.0f" if "count" in r.metric else ",.2f" if "Mt" in r.metric else ",.1f"
        t.add_row(escape(r.metric), num(r.a, spec), num(r.b, spec), num(r.diff, spec, True))
    out.append(t)
    vol = tables["volume"]
    t = Table(title="Volume by route, Mt", title_justify="left")
    for c, j in (("year", "left"), ("route", "left"), ("A", "right"), ("B", "right"), ("B - A", "right")):
        t.add_column(c, justify=j)
    for r in vol.itertuples():
        t.add_row(str(r.year), a.route_label(r.route), num(r.a_volume_mt), num(r.b_volume_mt), num(r.diff_volume_mt, sign=True))
    out.append(t)
    t = Table(title="Shut-in and netback by year", title_justify="left")
    for c in ("year", "shut-in A Mt", "shut-in B Mt", "B - A", "netback A M$", "netback B M$", "B - A "):
        t.add_column(c, justify="right")
    nb = tables["netback"].set_index("year")
    for r in tables["shut_in"].itertuples():
        n = nb.loc[r.year] if r.year in nb.index else None
        t.add_row(str(r.year), num(r.a_shut_in_mt), num(r.b_shut_in_mt), num(r.diff_shut_in_mt, sign=True),
                  num(n.a_netback_musd, ",.1f") if n is not None else "", num(n.b_netback_musd, ",.1f") if n is not None else "",
                  num(n.diff_netback_musd, ",.1f", True) if n is not None else "")
    out.append(t)
    t = Table(title="Binding constraints: mean $/t (periods binding)", title_justify="left")
    t.add_column(escape("constraint[asset or route]"), overflow="fold")
    for c, j in (("A", "right"), ("B", "right"), ("B - A", "right"), ("binds in", "left")):
        t.add_column(c, justify=j)
    for r in tables["binding"].head(15).itertuples():
        t.add_row(escape(f"{r.constraint}[{r.asset_or_route}]"),
                  f"{num(r.a_mean_usd_per_t)} ({r.a_periods_binding})" if r.a_periods_binding else "",
                  f"{num(r.b_mean_usd_per_t)} ({r.b_periods_binding})" if r.b_periods_binding else "",
                  num(r.diff_mean_usd_per_t, sign=True), r.binds_in)
    out.append(t)
    return out


def compare_html(tables: dict[str, pd.DataFrame], a: RunData, b: RunData, shts: list[Sheet]) -> str:
    title = f"{b.name} compared with {a.name}"
    parts = [f"<h1>{html.escape(title)}</h1>"]
    parts += [f'<p class="meta">{html.escape(line)}</p>' for line in describe_pair(a, b)]
    parts.append('<section id="sec-compare-chart"><h2>What changes</h2>'
                 '<p class="caption">Left: change in annual volume by route. Right: change by month, with both runs\' disruption windows shaded.</p>')
    parts.append(figure_html(figure(tables, a, b), "compare-chart"))
    parts.append("</section>")
    for s in shts:
        parts.append(f"<h2>{html.escape(s.name)}</h2><p class=\"caption\">{html.escape(s.title)}</p>")
        parts.append(table_html(s, 2000))
    return page(title, "\n".join(parts))


def compare_png(tables: dict[str, pd.DataFrame], a: RunData, path: Path) -> Path:
    from matplotlib.figure import Figure

    vol = tables["volume"].dropna(subset=["diff_volume_mt"])
    fig = Figure(figsize=(10, 5), dpi=150, layout="constrained")
    ax = fig.add_subplot()
    years = sorted(vol.year.unique())
    routes = list(dict.fromkeys(vol.route))
    width = 0.8 / max(len(years), 1)
    x = np.arange(len(routes))
    for k, year in enumerate(years):
        g = vol[vol.year == year].set_index("route").reindex(routes)
        ax.bar(x + (k - (len(years) - 1) / 2) * width, g.diff_volume_mt.fillna(0), width=width, label=str(year), color=cd.PALETTE[k % len(cd.PALETTE)])
    ax.axhline(0, color="#333", linewidth=0.8)
    ax.set_xticks(x, [a.route_label(r) for r in routes])
    ax.set_ylabel("Mt per year, B - A")
    ax.set_title("Change in volume by route", loc="left", fontweight="bold")
    ax.spines[["top", "right"]].set_visible(False)
    if len(years):
        ax.legend(frameon=False)
    else:
        ax.text(0.5, 0.5, "the runs share no year", ha="center", transform=ax.transAxes)
    fig.savefig(path)
    return path


def write_compare_files(folder: Path, tables: dict[str, pd.DataFrame], a: RunData, b: RunData) -> list[Path]:
    """compare.xlsx, compare.html and compare.png into ``folder`` (the CSVs are written by writers.write_run)."""
    from .report.workbook import write_workbook

    shts = sheets(tables, a, b)
    written = [write_workbook(shts, folder / "compare.xlsx", f"{b.name} compared with {a.name}")]
    (folder / "compare.html").write_text(compare_html(tables, a, b, shts), encoding="utf-8")
    written.append(folder / "compare.html")
    written.append(compare_png(tables, a, folder / "compare.png"))
    return written


def load_pair(run_a: Path, run_b: Path) -> tuple[RunData, RunData]:
    return load_run(run_a), load_run(run_b)
