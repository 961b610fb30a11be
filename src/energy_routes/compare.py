"""Compare two or more run folders: side by side and against the first, in terminal, CSV, Excel and HTML.

Reads from each run folder (via :func:`energy_routes.report.rundata.load_run`):
``allocation_annual`` (year, route, volume_mt, netback_musd),
``allocation_monthly`` (period, route, volume_kt), ``balance_monthly``
(period, exported_kt, shut_in_kt), ``shadow_prices`` (period, constraint,
asset_or_route, usd_per_t) and ``manifest.json`` (scenario name, what was added
to it, objective).

Runs are lettered A, B, C, ... in the order given; columns are ``a_<value>``,
``b_<value>``, ... and every difference is against A: ``diff_<value>`` (B - A)
when there are two runs, ``diff_b_<value>``, ``diff_c_<value>``, ... when there
are more. Rows are matched by year (and route, period or constraint); where a
run lacks a row, its value and difference are left empty rather than read as
zero. The CSVs hold every row; the terminal, the workbook and the page hide the
rows where no run differs from A (:func:`shown`). Each run is named by its
scenario and what was added to it (``base-2024 + aktau-berths-12_5``).
"""

from __future__ import annotations

import html
import string
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .report import chartdata as cd
from .report.chartdata import binding_summary
from .report.html import figure_html, page, table_html
from .report.rundata import RunData, load_run
from .report.tables import Sheet, named

#: the comparison tables, in the order they are written (compare_<name>.csv)
TABLES = ("summary", "volume", "shut_in", "netback", "binding", "volume_monthly")
#: a difference smaller than this is "unchanged" (Mt, kt, M$ or $/t alike: far below the printed precision)
UNCHANGED = 1e-6
#: short words for the constraint families in narrow tables
FAMILY_WORDS = {"asset_capacity": "capacity", "route_capacity": "route capacity", "route_limit": "route limit", "route_share": "route share", "source_route_limit": "source limit"}
#: one colour per run, the same in every chart
RUN_COLOURS = ["#555555", "#D55E00", "#0072B2", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442"]


def letters(n: int) -> list[str]:
    return list(string.ascii_lowercase[:n])


def diff_prefix(k: int, n: int) -> str:
    """The prefix of run k's difference against A: 'diff_' with two runs, 'diff_<letter>_' with more."""
    return "diff_" if n == 2 else f"diff_{letters(n)[k]}_"


def _side_by_side(frames: list[pd.DataFrame], keys: list[str], value: str) -> pd.DataFrame:
    """keys, a_<value>, b_<value>, ..., differences against A (outer join; a difference only where both have the row)."""
    n = len(frames)
    m = None
    for k, (f, letter) in enumerate(zip(frames, letters(n))):
        part = f[keys + [value]].rename(columns={value: f"{letter}_{value}"})
        m = part if m is None else m.merge(part, on=keys, how="outer", sort=False)
    out = m[keys].copy()
    for letter in letters(n):
        out[f"{letter}_{value}"] = m[f"{letter}_{value}"]
    for k in range(1, n):
        out[f"{diff_prefix(k, n)}{value}"] = m[f"{letters(n)[k]}_{value}"] - m[f"a_{value}"]
    return out


def _route_rank(runs: list[RunData]) -> dict[str, int]:
    """Routes in the runs' own order (A's, then any only a later run has)."""
    order = list(dict.fromkeys(r for run in runs for r in cd.route_order(run)))
    return {r: i for i, r in enumerate(order)}


def _sorted(df: pd.DataFrame, first: str, runs: list[RunData]) -> pd.DataFrame:
    key = df.route.map(_route_rank(runs))
    return df.assign(_k=key).sort_values([first, "_k"], kind="stable").drop(columns="_k").reset_index(drop=True)


def volume_by_route(*runs: RunData) -> pd.DataFrame:
    """year, route, a_volume_mt, b_volume_mt, ..., differences."""
    out = _side_by_side([r.tables["allocation_annual"] for r in runs], ["year", "route"], "volume_mt")
    return _sorted(out, "year", list(runs))


def _by_year(run: RunData, column: str, scale: float = 1.0) -> pd.DataFrame:
    bal = run.tables["balance_monthly"]
    g = bal.assign(year=bal.period.str[:4].astype(int)).groupby("year", as_index=False)[column].sum()
    g[column] = g[column] * scale
    return g


def shut_in(*runs: RunData) -> pd.DataFrame:
    """year, a_shut_in_mt, b_shut_in_mt, ..., differences."""
    fs = [_by_year(r, "shut_in_kt", 1e-3).rename(columns={"shut_in_kt": "shut_in_mt"}) for r in runs]
    return _side_by_side(fs, ["year"], "shut_in_mt").sort_values("year").reset_index(drop=True)


def netback(*runs: RunData) -> pd.DataFrame:
    """year, a_netback_musd, ..., differences: export netback summed over routes."""
    fs = [r.tables["allocation_annual"].groupby("year", as_index=False)["netback_musd"].sum() for r in runs]
    return _side_by_side(fs, ["year"], "netback_musd").sort_values("year").reset_index(drop=True)


def binding(*runs: RunData) -> pd.DataFrame:
    """constraint, asset_or_route, per run the periods binding and mean $/t, the difference of the mean, and where it binds."""
    n = len(runs)
    keys = ["constraint", "asset_or_route"]
    m = None
    for letter, r in zip(letters(n), runs):
        s = binding_summary(r.tables["shadow_prices"])[keys + ["periods_binding", "mean_usd_per_t"]]
        s = s.rename(columns={"periods_binding": f"{letter}_periods_binding", "mean_usd_per_t": f"{letter}_mean_usd_per_t"})
        m = s if m is None else m.merge(s, on=keys, how="outer", sort=False)
    out = m[keys].copy()
    for letter in letters(n):
        out[f"{letter}_periods_binding"] = m[f"{letter}_periods_binding"].fillna(0).astype(int)
    for letter in letters(n):
        out[f"{letter}_mean_usd_per_t"] = m[f"{letter}_mean_usd_per_t"]
    for k in range(1, n):
        letter = letters(n)[k]
        out[f"{diff_prefix(k, n)}mean_usd_per_t"] = m[f"{letter}_mean_usd_per_t"].fillna(0.0) - m["a_mean_usd_per_t"].fillna(0.0)
    where = []
    for _, row in out.iterrows():
        inn = [letter.upper() for letter in letters(n) if row[f"{letter}_periods_binding"] > 0]
        where.append("all" if len(inn) == n and n > 2 else "both" if len(inn) == 2 == n else f"{' and '.join(inn)} only" if inn else "none")
    out["binds_in"] = where
    first_diff = f"{diff_prefix(1, n)}mean_usd_per_t"
    return out.sort_values(first_diff, key=lambda s: -s.abs(), kind="stable").reset_index(drop=True)


def volume_monthly(*runs: RunData) -> pd.DataFrame:
    """period, route, a_volume_kt, ..., differences."""
    out = _side_by_side([r.tables["allocation_monthly"] for r in runs], ["period", "route"], "volume_kt")
    return _sorted(out, "period", list(runs))


def summary(*runs: RunData) -> pd.DataFrame:
    """metric, a, b, ..., differences: totals over each run's horizon (and the solver objective)."""

    def totals(r: RunData) -> dict[str, float]:
        bal = r.tables["balance_monthly"]
        oil = (r.manifest.get("solver") or {}).get("oil") or {}
        return {
            "exported (Mt)": bal.exported_kt.sum() / 1000,
            "shut in (Mt)": bal.shut_in_kt.sum() / 1000,
            "export netback (M$)": r.tables["allocation_annual"].netback_musd.sum(),
            "objective: netback less shut-in penalty (M$)": oil.get("objective_musd", np.nan),
            "binding constraints (count)": float(len(binding_summary(r.tables["shadow_prices"]))),
        }

    n = len(runs)
    t = [totals(r) for r in runs]
    rows = []
    for metric in t[0]:
        rows.append((metric, *(x[metric] for x in t), *(t[k][metric] - t[0][metric] for k in range(1, n))))
    cols = ["metric", *letters(n), *(("diff",) if n == 2 else (f"diff_{letter}" for letter in letters(n)[1:]))]
    return pd.DataFrame(rows, columns=cols)


def compare_runs(*runs: RunData) -> dict[str, pd.DataFrame]:
    if len(runs) < 2:
        raise ValueError("compare needs at least two runs")
    return {
        "summary": summary(*runs),
        "volume": volume_by_route(*runs),
        "shut_in": shut_in(*runs),
        "netback": netback(*runs),
        "binding": binding(*runs),
        "volume_monthly": volume_monthly(*runs),
    }


def _diff_columns(df: pd.DataFrame) -> list[str]:
    return [c for c in df.columns if c.startswith("diff")]


def shown(tables: dict[str, pd.DataFrame]) -> tuple[dict[str, pd.DataFrame], dict[str, int]]:
    """The tables with the rows where no run differs from A left out (how many per table in the second dict).

    A row stays when any difference is larger than :data:`UNCHANGED` or is empty (a run lacks the row)."""
    out, hidden = {}, {}
    for name, df in tables.items():
        diffs = _diff_columns(df)
        if name == "summary" or not diffs:
            out[name] = df
            continue
        d = df[diffs]
        keep = (d.abs() > UNCHANGED).any(axis=1) | d.isna().any(axis=1)
        if name == "binding":
            per = [c for c in df.columns if c.endswith("_periods_binding")]
            keep |= df[per].nunique(axis=1) > 1
        out[name] = df[keep].reset_index(drop=True)
        hidden[name] = int((~keep).sum())
    return out, hidden


def describe_runs(runs: list[RunData]) -> list[str]:
    """'A = base-2024 + ... (folder)' per run, and what the differences are."""
    n = len(runs)
    lines = [f"{letter.upper()} = {r.label} ({r.folder})" for letter, r in zip(letters(n), runs)]
    lines.append("differences are B - A" if n == 2 else "differences are against A: " + ", ".join(f"{x.upper()} - A" for x in letters(n)[1:]))
    common = set(runs[0].years).intersection(*(set(r.years) for r in runs[1:]))
    if not common:
        spans = ", ".join(f"{x.upper()}: {r.years[0]}-{r.years[-1]}" for x, r in zip(letters(n), runs))
        lines.append(f"the runs share no year ({spans}): year-by-year differences are empty")
    return lines


def describe_pair(a: RunData, b: RunData) -> list[str]:
    return describe_runs([a, b])


# ------------------------------------------------------------------ presentation


def _labels(df: pd.DataFrame, runs: list[RunData]) -> dict[str, tuple[str, str]]:
    """Headers that name each run: 'A: volume (Mt)', 'C - A: volume (Mt)'."""
    from .report.tables import column_label

    n = len(runs)
    out = {}
    for c in df.columns:
        for k, letter in enumerate(letters(n)):
            if k and c.startswith(diff_prefix(k, n)):
                label, kind = column_label(c[len(diff_prefix(k, n)):])
                out[c] = (f"{letter.upper()} - A: {label}", kind)
            elif c.startswith(f"{letter}_") and not c.startswith("diff"):
                label, kind = column_label(c[2:])
                out[c] = (f"{letter.upper()}: {label}", kind)
        if c in letters(n):
            out[c] = (c.upper(), "num")
        elif c.startswith("diff_") and c[5:] in letters(n):
            out[c] = (f"{c[5:].upper()} - A", "num")
    return out


def sheets(tables: dict[str, pd.DataFrame], *runs: RunData) -> list[Sheet]:
    runs_l = list(runs)
    n = len(runs_l)
    titles = {
        "summary": "Totals over each run's horizon",
        "volume": "Volume by route and year",
        "shut_in": "Shut-in by year",
        "netback": "Export netback by year",
        "binding": "Binding constraints: periods binding and mean shadow price",
        "volume_monthly": "Volume by route and month (rerouting)",
    }
    names = {"summary": "Summary", "volume": "Volume by route", "shut_in": "Shut-in", "netback": "Netback", "binding": "Binding constraints", "volume_monthly": "Monthly volume"}
    who = ", ".join(f"{x.upper()} = {r.label}" for x, r in zip(letters(n), runs_l))
    view, hidden = shown(tables)
    out = []
    for k in TABLES:
        gone = f"; {hidden[k]} unchanged rows left out (all rows in compare_{k}.csv)" if hidden.get(k) else ""
        df = view[k]
        if k in ("volume", "volume_monthly", "binding"):
            df = named(df, runs_l[0])
        out.append(Sheet(names[k], titles[k] + f" ({who}; differences against A){gone}", df, f"compare_{k}.csv", labels=_labels(df, runs_l)))
    out.append(Sheet("Runs", "The runs compared", pd.DataFrame(
        [(x.upper(), r.label, r.name, ", ".join(r.added) or "none", str(r.folder.resolve()), r.manifest.get("created_utc", "")) for x, r in zip(letters(n), runs_l)],
        columns=["run", "label", "scenario", "added_to_it", "folder", "created"])))
    return out


def focus_year(runs: list[RunData]) -> int | None:
    """The disrupted year of the first run that has one, if all runs have it."""
    for r in runs:
        fc = r.focus
        if fc is not None and all(fc.year in x.years for x in runs):
            return fc.year
    return None


def volumes_for(runs: list[RunData], year: int | None) -> pd.DataFrame:
    """route (display name), then one column per run label: Mt in ``year`` (or over the common years), with a 'shut in' row."""
    common = sorted(set(runs[0].years).intersection(*(set(r.years) for r in runs[1:])))
    years = [year] if year is not None else common
    rank = _route_rank(runs)
    data = {}
    for r in runs:
        ann = r.tables["allocation_annual"]
        v = ann[ann.year.isin(years)].groupby("route").volume_mt.sum()
        bal = r.tables["balance_monthly"]
        sh = bal[bal.period.str[:4].astype(int).isin(years)].shut_in_kt.sum() / 1000
        data[r.label] = {**v.to_dict(), "shut_in": sh}
    df = pd.DataFrame(data)
    order = sorted([i for i in df.index if i != "shut_in"], key=lambda x: rank.get(x, 99)) + ["shut_in"]
    df = df.reindex(order).fillna(0.0)
    return df


def figure(tables: dict[str, pd.DataFrame], *runs: RunData) -> go.Figure:
    """Left: volume by route and shut-in per run (the disrupted year, else the common years). Right: monthly shut-in per run."""
    runs_l = list(runs)
    year = focus_year(runs_l)
    vols = volumes_for(runs_l, year)
    when = f"{year}" if year is not None else "common years"
    fig = make_subplots(rows=1, cols=2, column_widths=[0.55, 0.45],
                        subplot_titles=[f"volume by route and shut-in, Mt ({when})", "shut-in by month, kt"])
    a = runs_l[0]
    xlab = [("shut in" if i == "shut_in" else a.route_label(i)) for i in vols.index]
    for k, label in enumerate(vols.columns):
        colour = RUN_COLOURS[k % len(RUN_COLOURS)]
        fig.add_trace(go.Bar(x=xlab, y=vols[label], name=f"{string.ascii_uppercase[k]}: {label}", marker_color=colour, legendgroup=label,
                             hovertemplate="%{x}: %{y:,.2f} Mt<extra>" + html.escape(label) + "</extra>"), row=1, col=1)
    for k, r in enumerate(runs_l):
        bal = r.tables["balance_monthly"]
        fig.add_trace(go.Scatter(x=pd.to_datetime(bal.period + "-01"), y=bal.shut_in_kt, mode="lines", line=dict(shape="hvh", color=RUN_COLOURS[k % len(RUN_COLOURS)]),
                                 name=r.label, legendgroup=r.label, showlegend=False, hovertemplate="%{x|%b %Y}: %{y:,.0f} kt shut in<extra>" + html.escape(r.label) + "</extra>"),
                      row=1, col=2)
        for e in cd.event_windows(r).itertuples():
            fig.add_vrect(x0=e.start, x1=e.end, fillcolor=cd.EVENT_COLOUR, line_width=0, layer="below", row=1, col=2)
    if year is not None and len(runs_l[0].years) > 1:
        fig.update_xaxes(range=[pd.Timestamp(f"{year}-01-01") - pd.Timedelta(days=16), pd.Timestamp(f"{year}-12-01") + pd.Timedelta(days=16)], row=1, col=2)
    if vols.empty:
        fig.add_annotation(text="the runs share no year", showarrow=False, xref="x domain", yref="y domain", x=0.5, y=0.5)
    fig.update_layout(template="plotly_white", height=500, barmode="group", margin=dict(l=60, r=30, t=60, b=60),
                      legend=dict(orientation="h", x=0, y=-0.15))
    return fig


def terminal_tables(tables: dict[str, pd.DataFrame], *runs: RunData):
    """rich Tables for the terminal (unchanged rows left out): totals, volume by route, shut-in and netback, binding constraints."""
    from rich import box
    from rich.markup import escape
    from rich.table import Table

    runs_l = list(runs)
    n = len(runs_l)
    L = [x.upper() for x in letters(n)]
    diffs = [f"{x} - A" for x in L[1:]]
    view, hidden = shown(tables)

    def num(v, spec=",.2f", sign=False):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return ""
        return format(v, ("+" if sign else "") + spec)

    def table(title: str) -> Table:
        return Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)

    out = []
    t = table("Totals over each run's horizon (differences against A)")
    t.add_column("", overflow="fold")
    for c in L + diffs:
        t.add_column(c, justify="right", no_wrap=True)
    sm = tables["summary"]
    dcols = [c for c in sm.columns if c.startswith("diff")]
    for r in sm.itertuples(index=False):
        row = r._asdict()
        spec = ",.0f" if "count" in row["metric"] else ",.2f" if "Mt" in row["metric"] else ",.1f"
        t.add_row(escape(row["metric"]), *(num(row[x], spec) for x in letters(n)), *(num(row[c], spec, True) for c in dcols))
    out.append(t)
    vol = view["volume"]
    t = table("Volume by route, Mt" + (f" ({hidden['volume']} unchanged rows left out)" if hidden.get("volume") else ""))
    t.add_column("year", no_wrap=True)
    t.add_column("route", no_wrap=True)
    for c in L + diffs:
        t.add_column(c, justify="right", no_wrap=True)
    dv = [f"{diff_prefix(k, n)}volume_mt" for k in range(1, n)]
    for r in vol.to_dict("records"):
        t.add_row(str(r["year"]), escape(runs_l[0].route_label(r["route"])), *(num(r[f"{x}_volume_mt"]) for x in letters(n)), *(num(r[c], sign=True) for c in dv))
    out.append(t)
    changed_years = set(view["shut_in"].year) | set(view["netback"].year)
    same = len(tables["shut_in"]) - len(changed_years)
    t = table("Shut-in (Mt) and export netback (M$) by year" + (f" ({same} unchanged years left out)" if same > 0 else ""))
    t.add_column("year", no_wrap=True)
    for c in L:
        t.add_column(f"shut {c}", justify="right", no_wrap=True)
    for c in L:
        t.add_column(f"M$ {c}", justify="right", no_wrap=True)
    nb = tables["netback"].set_index("year")
    for r in tables["shut_in"].to_dict("records"):
        y = r["year"]
        if y not in changed_years:
            continue
        t.add_row(str(y), *(num(r[f"{x}_shut_in_mt"]) for x in letters(n)), *(num(nb.at[y, f"{x}_netback_musd"], ",.0f") if y in nb.index else "" for x in letters(n)))
    out.append(t)
    b = view["binding"].head(15)
    t = table("Binding constraints: mean $/t (periods binding)" + (f"; {hidden['binding']} unchanged left out" if hidden.get("binding") else ""))
    t.add_column("what binds", overflow="fold")
    for c in L:
        t.add_column(c, justify="right", no_wrap=True)
    t.add_column("in", no_wrap=True)
    shown_b = named(b, runs_l[0]) if len(b) else b
    for r in shown_b.to_dict("records"):
        where = r["binds_in"] if n == 2 else ("all" if r["binds_in"] == "all" else r["binds_in"].replace(" only", "").replace(" and ", ""))
        t.add_row(escape(f"{r['asset_or_route']} ({FAMILY_WORDS.get(r['constraint'], r['constraint'])})"),
                  *(f"{num(r[f'{x}_mean_usd_per_t'])} ({r[f'{x}_periods_binding']})" if r[f"{x}_periods_binding"] else "" for x in letters(n)),
                  where)
    out.append(t)
    return out


def compare_html(tables: dict[str, pd.DataFrame], runs: list[RunData], shts: list[Sheet]) -> str:
    title = " vs ".join(r.label for r in runs) if len(runs) <= 3 else f"{len(runs)} runs compared"
    parts = [f"<h1>{html.escape(title)}</h1>"]
    parts += [f'<p class="meta">{html.escape(line)}</p>' for line in describe_runs(runs)]
    parts.append('<section id="sec-compare-chart"><h2>What changes</h2>'
                 '<p class="caption">Left: volume by route and shut-in per run (the disrupted year when there is one). Right: shut-in by month per run, every run\'s disruption windows shaded.</p>')
    parts.append(figure_html(figure(tables, *runs), "compare-chart"))
    parts.append("</section>")
    for s in shts:
        parts.append(f"<h2>{html.escape(s.name)}</h2><p class=\"caption\">{html.escape(s.title)}</p>")
        parts.append(table_html(s, 2000))
    return page(title, "\n".join(parts))


def compare_png(tables: dict[str, pd.DataFrame], runs: list[RunData], path: Path) -> Path:
    """Grouped bars: volume by route and shut-in per run, Mt (the disrupted year, else the common years)."""
    from matplotlib.figure import Figure

    year = focus_year(runs)
    vols = volumes_for(runs, year)
    fig = Figure(figsize=(11, 5.2), dpi=150, layout="constrained")
    ax = fig.add_subplot()
    a = runs[0]
    xlab = [("shut in" if i == "shut_in" else a.route_label(i)) for i in vols.index]
    x = np.arange(len(xlab))
    width = 0.8 / max(len(vols.columns), 1)
    for k, label in enumerate(vols.columns):
        pos = x + (k - (len(vols.columns) - 1) / 2) * width
        ax.bar(pos, vols[label].to_numpy(), width=width, label=f"{string.ascii_uppercase[k]}: {label}", color=RUN_COLOURS[k % len(RUN_COLOURS)])
        for px, v in zip(pos, vols[label]):
            if v > 0.005:
                ax.text(px, v, f"{v:,.2f}" if v < 10 else f"{v:,.1f}", ha="center", va="bottom", fontsize=6, rotation=90)
    ax.set_xticks(x, xlab)
    ax.set_ylabel("Mt" + (f" in {year}" if year is not None else " over the common years"))
    ax.set_title("Volume by route and shut-in, per run" + (f", {year}" if year is not None else ""), loc="left", fontweight="bold")
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(frameon=False, fontsize=8, loc="upper right")
    if vols.empty:
        ax.text(0.5, 0.5, "the runs share no year", ha="center", transform=ax.transAxes)
    fig.savefig(path)
    return path


def write_compare_files(folder: Path, tables: dict[str, pd.DataFrame], *runs: RunData) -> list[Path]:
    """compare.xlsx, compare.html and compare.png into ``folder`` (the CSVs are written by writers.write_run)."""
    from .report.workbook import write_workbook

    runs_l = list(runs)
    shts = sheets(tables, *runs_l)
    title = " vs ".join(r.label for r in runs_l)
    written = [write_workbook(shts, folder / "compare.xlsx", title[:250])]
    (folder / "compare.html").write_text(compare_html(tables, runs_l, shts), encoding="utf-8")
    written.append(folder / "compare.html")
    written.append(compare_png(tables, runs_l, folder / "compare.png"))
    return written


def load_runs(folders) -> list[RunData]:
    return [load_run(f) for f in folders]


def load_pair(run_a: Path, run_b: Path) -> tuple[RunData, RunData]:
    return load_run(run_a), load_run(run_b)
