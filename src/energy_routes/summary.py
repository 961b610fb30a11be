"""The terminal summary of a run: annual allocation per route, shut-in, binding constraints in words.

Every table fits 80 columns without cutting a number (rich would otherwise
shorten cells with '…' when the output is piped, at its default 80 columns):
columns that hold numbers never wrap, long text wraps. A run with disruption
events is summarised for the year the disruption hits (:mod:`energy_routes.focus`).
"""

from __future__ import annotations

import pandas as pd
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .explain import SHORT_ROUTE_NAMES as ROUTE_LABELS  # the short route names of every table
from .explain import selected as sentences
from .focus import Focus, focus, horizon_days
from .power.summary import summary_lines as power_summary_lines

def _fmt(v: float, spec: str = ",.2f") -> str:
    return "" if pd.isna(v) else format(v, spec)


def _pct(v: float, spec: str = ".1f") -> str:
    return "" if pd.isna(v) else format(v * 100, spec) + "%"


def _table(title: str) -> Table:
    return Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)


def annual_table(tables: dict[str, pd.DataFrame], year: int, note: str = "") -> Table:
    """Routes of one year: Mt, kb/d, share of exports, capacity after events and its use."""
    ann = tables["allocation_annual"]
    bal = tables["balance_monthly"]
    sub = ann[ann.year == year]
    t = _table(f"Kazakh crude exports by route, {year}{note}")
    t.add_column("route", no_wrap=True)
    for col in ("Mt", "kb/d", "share", "capacity Mt", "used"):
        t.add_column(col, justify="right", no_wrap=True)
    for row in sub.itertuples():
        t.add_row(escape(ROUTE_LABELS.get(row.route, row.route)), _fmt(row.volume_mt), _fmt(row.volume_kbd, ",.0f"), _pct(row.share), _fmt(row.capacity_mt), _pct(row.utilisation, ".0f"))
    yb = bal[bal.period.str.startswith(str(year))]
    t.add_section()
    t.add_row("exported", _fmt(yb.exported_kt.sum() / 1000), _fmt(sub.volume_kbd.sum(), ",.0f"), "", "", "")
    t.add_row("shut in", _fmt(yb.shut_in_kt.sum() / 1000), "", "", "", "")
    return t


def years_table(tables: dict[str, pd.DataFrame], years: list[int]) -> Table:
    """Routes × years in Mt, for long horizons (shares and kb/d are in allocation_annual.csv)."""
    ann = tables["allocation_annual"]
    bal = tables["balance_monthly"].assign(year=lambda d: d.period.str[:4].astype(int))
    t = _table(f"Kazakh crude exports by route, Mt, {years[0]}-{years[-1]}")
    t.add_column("route", no_wrap=True)
    for y in years:
        t.add_column(str(y), justify="right", no_wrap=True)
    for route, grp in ann.groupby("route", sort=False):
        g = grp.set_index("year")
        t.add_row(escape(ROUTE_LABELS.get(route, route)), *(f"{g.at[y, 'volume_mt']:.1f}" if y in g.index else "" for y in years))
    t.add_section()
    by_year = bal.groupby("year")[["exported_kt", "shut_in_kt"]].sum() / 1000
    t.add_row("exported", *(f"{by_year.at[y, 'exported_kt']:.1f}" for y in years))
    t.add_row("shut in", *(f"{by_year.at[y, 'shut_in_kt']:.2f}" for y in years))
    return t


def run_focus(result) -> Focus | None:
    sc = result.scenario
    first, last = horizon_days([str(p) for p in (sc.months[0], sc.months[-1])])
    return focus(sc.settings.events, first, last)


def print_summary(console: Console, result, out_dir) -> None:
    sc = result.scenario
    tables = result.tables
    console.print(f"[bold]{escape(sc.label)}[/bold]: {escape(sc.description.splitlines()[0]) if sc.description else ''}", highlight=False)
    console.print(
        f"horizon {sc.months[0]}..{sc.months[-1]}; netback {result.objective_musd:,.1f} M$; "
        f"{result.oil_size['variables']} variables, {result.oil_size['constraints']} constraints",
        highlight=False,
    )
    fc = run_focus(result)
    if fc is not None:
        console.print(f"disruption {fc.window_text} ({', '.join(fc.events)}); the tables below centre on {fc.year}", highlight=False)
    if len(sc.years) > 2:
        console.print(years_table(tables, sc.years))
        if fc is not None:
            console.print(annual_table(tables, fc.year, " (the disrupted year)"))
    else:
        for y in sc.years:
            console.print(annual_table(tables, y))
    heading, lines, more = sentences(tables.get("binding_constraints"), fc.year if fc is not None else (sc.years[0] if len(sc.years) == 1 else None))
    if lines:
        console.print(f"[bold]{escape(heading)}[/bold]", highlight=False)
        for s in lines:
            console.print("- " + escape(s), highlight=False)
        if more:
            console.print(f"  ({more} more in binding_constraints.csv and the workbook's Binding constraints sheet)", highlight=False)
    for line in power_summary_lines(tables, result.power):
        console.print(escape(line), highlight=False)
    if out_dir is not None:
        console.print(f"tables written to [bold]{escape(str(out_dir))}[/bold]", highlight=False)
