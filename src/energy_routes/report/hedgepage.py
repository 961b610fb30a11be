"""The deliverables of a hedge folder: the Hedge sheets of ``tables.xlsx``, ``report.html`` and the frontier PNG.

Reads the hedge folder's CSV tables as written (``hedge_levers``,
``hedge_summary``, ``hedge_draws``, optionally ``hedge_states`` and
``hedge_frontier``; see :mod:`energy_routes.hedge.outputs`) and writes, through
the report kit (:func:`~.workbook.write_workbook`, :func:`~.html.page`):
``tables.xlsx`` (Contents, then "Hedge": the summary as one row per quantity,
"Hedge levers", "Hedge frontier", "Hedge states", "Hedge draws"; values exactly
as in the CSVs), ``report.html`` (the headline in words, cards, the tables and
the frontier chart; plotly.js inlined, so it opens offline) and
``hedge_frontier.png``.
"""

from __future__ import annotations

import html
import math
import re
from pathlib import Path

import pandas as pd

from .html import figure_html, kpi_html, page, table_html
from .tables import Sheet

#: hedge_summary.csv columns (less their unit suffix) said in words as a whole
_STEMS = {
    "draws": "in-sample draws",
    "cvar_alpha": "CVaR level α",
    "cvar_weight": "CVaR weight λ in the objective",
    "objective": "objective: expected result − λ CVaR",
    "ef": "extensive form: time in HiGHS",
    "evpi": "EVPI (expected value of perfect information)",
    "vss": "VSS (value of the stochastic solution)",
    "eev": "EEV (the expected-value portfolio on the draws)",
    "ws": "WS (wait-and-see: each draw solved knowing it)",
    "oos_draws": "out of sample: fresh draws",
    "oos_expected_result": "out of sample: expected result",
    "oos_ci95_low": "out of sample: expected result, 95% CI low",
    "oos_ci95_high": "out of sample: expected result, 95% CI high",
    "oos_gain_vs_no_levers": "out of sample: gain against no levers",
    "oos_gain_ci95_low": "out of sample: gain against no levers, 95% CI low",
    "oos_gain_ci95_high": "out of sample: gain against no levers, 95% CI high",
}
#: leading pieces of the other columns
_PREFIXES = (("no_levers_", "without levers: "), ("ef_", "extensive form: "))
_UNITS = (("_musd_per_yr", "M$/yr", "musd"), ("_mt_per_yr", "Mt/yr", "mt"), ("_seconds", "s", "num"))


def summary_item(col: str) -> tuple[str, str, str]:
    """(quantity in words, unit, format kind) of a column of hedge_summary.csv."""
    unit, kind, stem = "", "num", col
    for suffix, u, k in _UNITS:
        if col.endswith(suffix):
            unit, kind, stem = u, k, col[: -len(suffix)]
            break
    if stem in ("draws", "oos_draws", "ef_rows", "ef_columns", "ef_nonzeros"):
        kind = "int"
    if stem in _STEMS:
        return _STEMS[stem], unit, kind
    lead, rest = "", stem
    for prefix, text in _PREFIXES:
        if rest.startswith(prefix):
            lead, rest = text, rest[len(prefix):]
    rest = re.sub(r"(^|_)cvar(\d+)_", r"\1CVaR\2 of ", rest)
    rest = re.sub(r"(^|_)p90_", r"\1P90 ", rest)
    return lead + rest.replace("_", " "), unit, kind


def _summary_sheet(summary: pd.DataFrame) -> Sheet:
    row = summary.iloc[0]
    items = [(c, *summary_item(c)[:2], row[c]) for c in summary.columns]
    frame = pd.DataFrame(items, columns=["item", "quantity", "unit", "value"])
    frame["value"] = pd.to_numeric(frame["value"])
    labels = {"item": ("column of hedge_summary.csv", "text"), "quantity": ("quantity", "text"), "unit": ("unit", "text"), "value": ("value", "num")}
    return Sheet("Hedge", "The hedge in one column: expected netback, lever cost, CVaR, shut-in, EVPI, VSS, out-of-sample check", frame, "hedge_summary.csv", labels=labels)


def _lever_labels(frame: pd.DataFrame, levers: pd.DataFrame | None) -> dict:
    units = dict(zip(levers["lever"], levers["unit"])) if levers is not None else {}
    out = {}
    for c in frame.columns:
        if c.startswith("level_"):
            name = c.removeprefix("level_")
            out[c] = (f"level of {name} ({units.get(name, 'unit')})", "num")
    return out


LEVER_LABELS = {
    "lever": ("lever", "text"), "kind": ("kind", "text"), "target": ("target", "text"), "unit": ("unit", "text"),
    "min": ("at least", "num"), "max": ("at most", "num"), "onoff": ("on/off", "text"), "level": ("chosen level", "num"),
    "cost_musd_per_yr": ("annual cost (M$/yr)", "musd"),
    "marginal_value_net_musd_per_yr_per_unit": ("marginal value net of cost (M$/yr per unit)", "num"),
    "gross_value_musd_per_yr_per_unit": ("marginal value before cost (M$/yr per unit)", "num"),
    "state_value_musd_per_yr": ("value of the chosen on/off state (M$/yr)", "musd"),
}
FRONTIER_LABELS = {
    "cvar_weight": ("CVaR weight λ", "num"), "cvar_alpha": ("CVaR level α", "num"),
    "expected_result_musd_per_yr": ("expected result (M$/yr)", "musd"), "lever_cost_musd_per_yr": ("lever cost (M$/yr)", "musd"),
}
DRAW_LABELS = {"draw": ("draw", "int"), "n_events": ("events", "int")}


def _cvar_column(frame: pd.DataFrame) -> str:
    return next(c for c in frame.columns if c.startswith("cvar") and not c.startswith("cvar_") and c.endswith("lost_netback_musd_per_yr"))


def hedge_sheets(tables: dict[str, pd.DataFrame]) -> list[Sheet]:
    """The Hedge sheets of tables.xlsx, in order."""
    levers = tables["hedge_levers"]
    sheets = [_summary_sheet(tables["hedge_summary"]),
              Sheet("Hedge levers", "Each lever: chosen level, annual cost and marginal value", levers, "hedge_levers.csv", labels=LEVER_LABELS)]
    fr = tables.get("hedge_frontier")
    if fr is not None:
        cv = _cvar_column(fr)
        labels = {**FRONTIER_LABELS, cv: (summary_item(cv)[0] + " (M$/yr)", "musd"), **_lever_labels(fr, levers)}
        sheets.append(Sheet("Hedge frontier", "Expected result against CVaR of lost netback, one row per CVaR weight", fr, "hedge_frontier.csv", labels=labels))
    st = tables.get("hedge_states")
    if st is not None:
        labels = {"objective_musd_per_yr": ("objective (M$/yr)", "musd"), "status": ("status", "text"), **_lever_labels(st, levers)}
        labels.update({lv: (f"{lv} fixed at", "num") for lv in levers["lever"] if lv in st.columns})
        sheets.append(Sheet("Hedge states", "Every state of the on/off levers, solved", st, "hedge_states.csv", labels=labels))
    sheets.append(Sheet("Hedge draws", "Each in-sample draw with the portfolio and without levers", tables["hedge_draws"], "hedge_draws.csv", labels=DRAW_LABELS))
    return sheets


def _num(v: float, digits: int = 1) -> str:
    return "n/a" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:,.{digits}f}"


def headline(tables: dict[str, pd.DataFrame], scenario: str) -> str:
    """The hedge in one or two sentences of words, every number from hedge_summary.csv and hedge_levers.csv."""
    s = tables["hedge_summary"].iloc[0]
    lv = tables["hedge_levers"]
    chosen = [r for r in lv.itertuples() if abs(r.level) > 1e-9]
    if chosen:
        names = [(f"{r.lever} on" if r.onoff == "yes" else f"{r.lever} at {r.level:,.3g} {r.unit}") for r in chosen]
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        what = f"commits to {listed}, for {_num(s['lever_cost_musd_per_yr'])} M$/yr in all"
    else:
        what = "commits to no lever: none is worth its cost on these draws"
    gain = s["expected_result_musd_per_yr"] - s["no_levers_expected_result_musd_per_yr"]
    text = (f"Over {int(s['draws']):,} disruption draws of {scenario}, the best portfolio {what}. "
            f"It raises the expected result by {_num(gain)} M$/yr against no levers "
            f"(out of sample, on {int(s['oos_draws']):,} fresh draws: {_num(s['oos_gain_vs_no_levers_musd_per_yr'])} M$/yr, "
            f"95% CI {_num(s['oos_gain_ci95_low_musd_per_yr'])} to {_num(s['oos_gain_ci95_high_musd_per_yr'])}) "
            f"and moves P90 shut-in from {_num(s['no_levers_p90_shut_in_mt_per_yr'], 2)} to {_num(s['p90_shut_in_mt_per_yr'], 2)} Mt/yr.")
    extra = []
    if not math.isnan(s["evpi_musd_per_yr"]):
        extra.append(f"knowing each draw in advance would be worth {_num(s['evpi_musd_per_yr'])} M$/yr more (EVPI)")
    if not math.isnan(s["vss_musd_per_yr"]):
        extra.append(f"planning for the average disruption instead would lose {_num(s['vss_musd_per_yr'])} M$/yr (VSS)")
    if extra:
        joined = "; ".join(extra)
        text += f" {joined[0].upper()}{joined[1:]}."
    return text


def frontier_figure(frontier: pd.DataFrame):
    """The frontier: expected result against CVaR of lost netback, one point per CVaR weight (plotly)."""
    import plotly.graph_objects as go

    from .figures import layout

    cv = _cvar_column(frontier)
    fig = go.Figure(go.Scatter(x=frontier[cv].tolist(), y=frontier["expected_result_musd_per_yr"].tolist(), mode="lines+markers+text",
                               text=[f"λ={w:g}" for w in frontier["cvar_weight"]], textposition="top center", line=dict(color="#0072B2"),
                               hovertemplate="CVaR %{x:,.1f} M$/yr, expected result %{y:,.1f} M$/yr<extra></extra>", name="frontier"))
    alpha = frontier["cvar_alpha"].iloc[0]
    return layout(fig, 420, xaxis_title=f"CVaR of lost netback (α = {alpha:g}), M$/yr", yaxis_title="expected result, M$/yr", showlegend=False)


def frontier_png(frontier: pd.DataFrame, path: Path, title: str) -> Path:
    from matplotlib.figure import Figure

    from .figures import DPI, save_png

    cv = _cvar_column(frontier)
    fig = Figure(figsize=(7, 4.4), dpi=DPI, layout="constrained")
    ax = fig.add_subplot()
    ax.plot(frontier[cv], frontier["expected_result_musd_per_yr"], marker="o", color="#0072B2")
    for r in frontier.itertuples():
        ax.annotate(f"λ={r.cvar_weight:g}", (getattr(r, cv), r.expected_result_musd_per_yr), fontsize=8, xytext=(3, 3), textcoords="offset points")
    ax.set_xlabel(f"CVaR of lost netback (α = {frontier['cvar_alpha'].iloc[0]:g}), M$/yr")
    ax.set_ylabel("expected result, M$/yr")
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_title(f"{title}: frontier", loc="left", fontsize=11, fontweight="bold")
    return save_png(fig, path, "energy_routes hedge; expected result = netback − shut-in penalty − lever cost")


def hedge_html(tables: dict[str, pd.DataFrame], title: str, scenario: str) -> str:
    s = tables["hedge_summary"].iloc[0]
    cv = _cvar_column(tables["hedge_summary"])
    parts = [f"<h1>{html.escape(title)}</h1>", f'<p class="headline" id="headline">{html.escape(headline(tables, scenario))}</p>',
             '<p class="meta">Two-stage choice of levers before the disruptions are known; definitions in docs/model.md §5 and docs/hedge.md.</p>']
    parts.append(kpi_html([
        ("expected result, M$/yr", _num(s["expected_result_musd_per_yr"])),
        ("lever cost, M$/yr", _num(s["lever_cost_musd_per_yr"])),
        (summary_item(cv)[0] + ", M$/yr", _num(s[cv])),
        ("P90 shut-in, Mt/yr (no levers)", f"{_num(s['p90_shut_in_mt_per_yr'], 2)} ({_num(s['no_levers_p90_shut_in_mt_per_yr'], 2)})"),
        ("EVPI, M$/yr", _num(s["evpi_musd_per_yr"])),
        ("VSS, M$/yr", _num(s["vss_musd_per_yr"])),
        ("out-of-sample gain, M$/yr (95% CI)", f"{_num(s['oos_gain_vs_no_levers_musd_per_yr'])} ({_num(s['oos_gain_ci95_low_musd_per_yr'])} to {_num(s['oos_gain_ci95_high_musd_per_yr'])})"),
    ]))
    fr = tables.get("hedge_frontier")
    if fr is not None:
        parts.append('<section id="sec-frontier"><h2>Frontier</h2><p class="caption">Expected result against the CVaR of lost netback, '
                     "one point per CVaR weight λ: more weight buys a smaller tail loss with a lower expected result.</p>"
                     + figure_html(frontier_figure(fr), "hedge-frontier") + "</section>")
    else:
        parts.append('<p class="caption">No frontier: run with --frontier to trace expected result against CVaR.</p>')
    parts.append('<section id="sec-tables"><h2>Tables</h2><p class="caption">Also in tables.xlsx and the hedge_*.csv files.</p>')
    for sh in hedge_sheets(tables):
        parts.append(f'<h3 id="table-{sh.name.lower().replace(" ", "-")}">{html.escape(sh.name)}</h3><p class="caption">{html.escape(sh.title)}</p>{table_html(sh, 200)}')
    parts.append("</section>")
    return page(title, "\n".join(parts)).replace("</style>", ".headline { font-size: 1.15em; line-height: 1.45; background: #F3F6F9; padding: 10px 14px; border-left: 4px solid #0072B2; }\n</style>", 1)


def read_tables(folder: Path) -> dict[str, pd.DataFrame]:
    """The hedge_*.csv tables of a hedge folder, as written (so the deliverables show exactly the CSVs' numbers)."""
    return {p.stem: pd.read_csv(p) for p in sorted(Path(folder).glob("hedge_*.csv"))}


def write_hedge_files(folder: Path, title: str, scenario: str) -> list[Path]:
    """tables.xlsx, report.html and (with a frontier) hedge_frontier.png into ``folder``, from its hedge_*.csv."""
    from .workbook import write_workbook

    folder = Path(folder)
    tables = read_tables(folder)
    written = [write_workbook(hedge_sheets(tables), folder / "tables.xlsx", title[:250])]
    (folder / "report.html").write_text(hedge_html(tables, title, scenario), encoding="utf-8")
    written.append(folder / "report.html")
    if tables.get("hedge_frontier") is not None:
        written.append(frontier_png(tables["hedge_frontier"], folder / "hedge_frontier.png", title))
    return written
