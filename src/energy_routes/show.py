"""The inputs a run actually uses, as tables: ``energy-routes show`` and the workbook's "Inputs used" sheets.

Built only from public results of the pipeline, never recomputed here:
:func:`energy_routes.params.capacity_table` (Kazakh capacity per asset and year),
:func:`energy_routes.params.netback_table` (prices, differentials, tariffs and
netback per source, route and year), the scenario's limits and shares as resolved
(``scenario.limits``, ``scenario.shares``, with the file and line of the entry
that holds), the source-route limits of ``source_routes.csv``, every event of the
merged scenario (inherited ones included, each with where it comes from) and the
scenario's notes. A run writes these as ``inputs_*.csv`` (see :data:`TABLES`).
"""

from __future__ import annotations

import pandas as pd

#: the tables, in order: name -> (sheet name, what it holds)
TABLES = {
    "inputs_capacity": ("Inputs used - capacity", "Capacity per oil asset and year before events: all shippers, third party, left for Kazakh crude (Mt/yr)"),
    "inputs_netback": ("Inputs used - netback", "Brent, grade differential, barrels per tonne, tariffs, feeder costs and netback per source, route and year ($/t)"),
    "inputs_commitments": ("Inputs used - commitments", "Route limits, shares and source-route limits that hold per year, with the entry they come from"),
    "inputs_events": ("Inputs used - events", "Every disruption event of the scenario, inherited ones included, with where it is written"),
}


def _origin(scenario, key: str, i: int | None) -> str:
    if i is None or scenario.provenance is None:
        return ""
    o = scenario.provenance.item(key, i)
    return f"{o.piece} ({o.where()})" if o else ""


def commitments(scenario) -> pd.DataFrame:
    """kind, route, source, year, min_mt, max_mt, max_share, source_of_bound: what holds per route (and source) and year."""
    rows = []
    for (route, year), eff in sorted(scenario.limits.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        src = "; ".join(dict.fromkeys(x for x in (_origin(scenario, "route_limits", eff.low_from), _origin(scenario, "route_limits", eff.high_from)) if x))
        rows.append(("route limit", route, "", year, eff.low, eff.high, None, src))
    for (route, year), eff in sorted(scenario.shares.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        if eff.high is not None:
            rows.append(("route share", route, "", year, None, None, eff.high, _origin(scenario, "route_shares", eff.high_from)))
    sr = scenario.inputs["source_routes"]
    lines = scenario.inputs.lines["source_routes"]
    for idx, r in sr.iterrows():
        if pd.notna(r["max_mt"]):
            for y in scenario.years:
                rows.append(("source-route limit", r["route"], r["source"], y, None, float(r["max_mt"]), None, f"source_routes.csv, line {int(lines.get(idx, 0))}"))
    return pd.DataFrame(rows, columns=["kind", "route", "source", "year", "min_mt", "max_mt", "max_share", "source_of_bound"])


def events(scenario) -> pd.DataFrame:
    """id, target, start, end, days, remaining, ramp_days, from, note: every event of the merged scenario."""
    rows = []
    for i, ev in enumerate(scenario.settings.events):
        rows.append((ev.id, ev.target, str(ev.start), str(ev.end), ev.length_days, ev.remaining, ev.ramp_days, _origin(scenario, "events", i), ev.note or ""))
    return pd.DataFrame(rows, columns=["id", "target", "start", "end", "days", "remaining", "ramp_days", "from", "note"])


def inputs_used(scenario) -> dict[str, pd.DataFrame]:
    """The tables of :data:`TABLES` for a resolved scenario."""
    from .params import capacity_table, netback_table

    return {
        "inputs_capacity": capacity_table(scenario),
        "inputs_netback": netback_table(scenario),
        "inputs_commitments": commitments(scenario),
        "inputs_events": events(scenario),
    }


# ------------------------------------------------------------------ terminal


def terminal_tables(scenario, tables: dict[str, pd.DataFrame] | None = None, year: int | None = None) -> list:
    """rich renderables for ``energy-routes show``: each fits 80 columns (years as columns, at most 8)."""
    from rich import box
    from rich.markup import escape
    from rich.table import Table

    from .explain import SHORT_ROUTE_NAMES, display_names

    t = tables or inputs_used(scenario)
    names = display_names(scenario.inputs.tables, SHORT_ROUTE_NAMES)
    years = [year] if year else scenario.years
    out: list = []

    def year_table(title: str, frame: pd.DataFrame, keys: list[str], value: str, fmt: str, label, ys: list[int]) -> Table:
        tab = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
        tab.add_column(" / ".join(keys), overflow="fold")
        for y in ys:
            tab.add_column(str(y), justify="right", no_wrap=True)
        piv = frame[frame.year.isin(ys)].pivot_table(index=keys, columns="year", values=value, aggfunc="first", sort=False)
        for key, row in piv.iterrows():
            tab.add_row(escape(label(key)), *("" if pd.isna(row.get(y)) else format(row.get(y), fmt) for y in ys))
        return tab

    for ys in [years[i : i + 6] for i in range(0, len(years), 6)]:  # at most 6 year columns per table: 80 columns
        span = f"{ys[0]}-{ys[-1]}" if len(ys) > 1 else f"{ys[0]}"
        out.append(year_table(f"Capacity left for Kazakh crude before events, Mt/yr, {span}", t["inputs_capacity"], ["asset"], "kazakh_mt", ",.1f",
                              lambda k: names.get("asset", {}).get(k, k), ys))
        out.append(year_table(f"Netback by source and route, $/t, {span}", t["inputs_netback"], ["source", "route"], "netback_usd_per_t", ",.1f",
                              lambda k: f"{names.get('source', {}).get(k[0], k[0])} via {names.get('route', {}).get(k[1], k[1])}", ys))
    nb = t["inputs_netback"]
    first = nb[nb.year == years[0]].drop_duplicates("route")
    parts = Table(title=f"How the netback is made up, {years[0]} ($/t; netback = price - tariffs - feeder cost)", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    for c in ("route", "grade", "Brent $/bbl", "diff $/bbl", "bbl/t", "price", "tariffs"):
        parts.add_column(c, justify="left" if c in ("route", "grade") else "right", overflow="fold")
    for r in first.itertuples():
        parts.add_row(escape(r.route), escape(r.grade), f"{r.brent_usd_per_bbl:,.1f}", f"{r.diff_usd_per_bbl:+.1f}", f"{r.bbl_per_t:.2f}", f"{r.price_usd_per_t:,.1f}", f"{r.tariff_usd_per_t:,.1f}")
    out.append(parts)
    cm = t["inputs_commitments"]
    if len(cm):
        tab = Table(title="Commitments and caps that hold", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
        for c in ("what", "years", "bound", "from"):
            tab.add_column(c, overflow="fold")
        grouped = cm.assign(bound=[_bound_text(r) for r in cm.itertuples()]).groupby(["kind", "route", "source", "bound", "source_of_bound"], sort=False)["year"].agg(list).reset_index()
        for r in grouped.itertuples():
            what = f"{r.kind} {r.route}" + (f" ({r.source})" if r.source else "")
            tab.add_row(escape(what), _years_text(r.year), escape(r.bound), escape(r.source_of_bound))
        out.append(tab)
    ev = t["inputs_events"]
    tab = Table(title=f"Disruption events ({len(ev)})", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    for c in ("id", "target", "start", "end", "days", "left", "ramp", "from"):
        tab.add_column(c, overflow="fold", no_wrap=c in ("start", "end", "days", "left", "ramp"), justify="right" if c in ("days", "left", "ramp") else "left")
    for r in ev.itertuples():
        tab.add_row(escape(r.id), escape(r.target), r.start, r.end, str(r.days), f"{r.remaining:.0%}", f"{r.ramp_days} d" if r.ramp_days else "", escape(r._8))
    if len(ev):
        out.append(tab)
    return out


def _bound_text(r) -> str:
    if r.max_share is not None and not pd.isna(r.max_share):
        return f"at most {r.max_share:.0%} of exports"
    lo = None if r.min_mt is None or pd.isna(r.min_mt) else r.min_mt
    hi = None if r.max_mt is None or pd.isna(r.max_mt) else r.max_mt
    if lo is not None and hi is not None:
        return f"{lo:g}-{hi:g} Mt/yr"
    return f"at least {lo:g} Mt/yr" if lo is not None else f"at most {hi:g} Mt/yr"


def _years_text(years: list[int]) -> str:
    ys = sorted(set(years))
    return str(ys[0]) if len(ys) == 1 else f"{ys[0]}-{ys[-1]}" if ys == list(range(ys[0], ys[-1] + 1)) else ", ".join(map(str, ys))
