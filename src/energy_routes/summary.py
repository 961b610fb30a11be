"""The terminal summary of a run: annual allocation per route, shut-in, binding constraints."""

from __future__ import annotations

import pandas as pd
from rich.console import Console
from rich import box
from rich.markup import escape
from rich.table import Table

from .power.summary import summary_lines as power_summary_lines

ROUTE_LABELS = {
    "cpc": "CPC",
    "btc": "Caspian+BTC",
    "baku_supsa": "Caspian+Supsa",
    "atyrau_samara": "Atyrau-Samara",
    "kazakhstan_china": "KZ-China",
    "makhachkala": "Makhachkala",
    "rail": "Rail",
}


def _fmt(v: float, spec: str = ",.2f") -> str:
    return "" if pd.isna(v) else format(v, spec)


def annual_table(tables: dict[str, pd.DataFrame], year: int) -> Table:
    ann = tables["allocation_annual"]
    bal = tables["balance_monthly"]
    sub = ann[ann.year == year]
    t = Table(title=f"Kazakh crude exports by route, {year}", title_justify="left")
    for col, just in (("route", "left"), ("Mt", "right"), ("kb/d", "right"), ("share", "right"), ("capacity Mt", "right"), ("utilisation", "right")):
        t.add_column(col, justify=just)
    for row in sub.itertuples():
        t.add_row(
            ROUTE_LABELS.get(row.route, row.route),
            _fmt(row.volume_mt),
            _fmt(row.volume_kbd, ",.0f"),
            _fmt(row.share * 100 if pd.notna(row.share) else float("nan"), ".1f") + ("%" if pd.notna(row.share) else ""),
            _fmt(row.capacity_mt),
            _fmt(row.utilisation * 100 if pd.notna(row.utilisation) else float("nan"), ".0f") + ("%" if pd.notna(row.utilisation) else ""),
        )
    yb = bal[bal.period.str.startswith(str(year))]
    t.add_section()
    t.add_row("exported", _fmt(yb.exported_kt.sum() / 1000), "", "", "", "")
    t.add_row("shut in", _fmt(yb.shut_in_kt.sum() / 1000), "", "", "", "")
    return t


def years_table(tables: dict[str, pd.DataFrame], years: list[int]) -> Table:
    """Routes × years in Mt (share of the year's exports in brackets), for long horizons."""
    ann = tables["allocation_annual"]
    bal = tables["balance_monthly"].assign(year=lambda d: d.period.str[:4].astype(int))
    t = Table(title=f"Kazakh crude exports by route, Mt (share), {years[0]}-{years[-1]}", title_justify="left")
    t.add_column("route", no_wrap=True, min_width=13)
    for y in years:
        t.add_column(str(y), justify="right")
    for route, grp in ann.groupby("route", sort=False):
        g = grp.set_index("year")
        t.add_row(
            ROUTE_LABELS.get(route, route),
            *(
                f"{g.at[y, 'volume_mt']:.1f}" + (f" ({g.at[y, 'share']:.0%})" if pd.notna(g.at[y, "share"]) and g.at[y, "volume_mt"] > 0 else "")
                for y in years
            ),
        )
    t.add_section()
    by_year = bal.groupby("year")[["exported_kt", "shut_in_kt"]].sum() / 1000
    t.add_row("exported", *(f"{by_year.at[y, 'exported_kt']:.1f}" for y in years))
    t.add_row("shut in", *(f"{by_year.at[y, 'shut_in_kt']:.2f}" for y in years))
    return t


def _span(first: str, last: str) -> str:
    if first == last:
        return first
    if len(first) == 7 and first[:4] == last[:4]:
        return f"{first}..{last[5:]}"
    return f"{first}..{last}"


def binding_table(tables: dict[str, pd.DataFrame], limit: int = 8) -> Table | None:
    """The binding constraints with the largest mean shadow price, one row per constraint and asset."""
    sp = tables["shadow_prices"]
    if sp.empty:
        return None
    g = (
        sp.groupby(["constraint", "asset_or_route"])
        .agg(periods=("period", "count"), first=("period", "min"), last=("period", "max"), mean=("usd_per_t", "mean"))
        .reset_index()
    )
    g = g.reindex(g["mean"].abs().sort_values(ascending=False).index).head(limit)
    t = Table(title="Binding constraints: value of one more tonne", title_justify="left", box=box.SIMPLE_HEAD)
    t.add_column(escape("constraint[asset or route]"), no_wrap=True)
    t.add_column("when (periods)", no_wrap=True)
    t.add_column("mean $/t", justify="right", no_wrap=True)
    for row in g.itertuples():
        t.add_row(escape(f"{row.constraint}[{row.asset_or_route}]"), f"{_span(row.first, row.last)} ({row.periods})", _fmt(row.mean))
    return t


def print_summary(console: Console, result, out_dir) -> None:
    sc = result.scenario
    console.print(f"[bold]{escape(sc.name)}[/bold]: {escape(sc.description.splitlines()[0]) if sc.description else ''}")
    console.print(
        f"horizon {sc.months[0]}..{sc.months[-1]}; netback {result.objective_musd:,.1f} M$; "
        f"{result.oil_size['variables']} variables, {result.oil_size['constraints']} constraints"
    )
    if len(sc.years) > 2:
        console.print(years_table(result.tables, sc.years))
    else:
        for y in sc.years:
            console.print(annual_table(result.tables, y))
    bt = binding_table(result.tables)
    if bt is not None:
        console.print(bt)
    for line in power_summary_lines(result.tables, result.power):
        console.print(escape(line))
    if out_dir is not None:
        console.print(f"tables written to [bold]{escape(str(out_dir))}[/bold]")
