"""The data behind each chart, as tidy frames or pivots, shared by the interactive (plotly) and slide (PNG) charts.

Reads a :class:`~energy_routes.report.rundata.RunData`: ``flows_monthly``
and ``shut_in_monthly`` (Sankey), ``allocation_annual`` and
``balance_monthly`` (volumes by year), ``allocation_monthly`` and the
scenario's events (monthly chart), ``allocation_monthly`` and
``asset_use_monthly`` (utilisation), ``shadow_prices`` (bottlenecks),
``route_legs``
from the inputs where available.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .rundata import RunData

#: one colour per route, the same in every chart (a colour-blind-safe palette, Okabe-Ito order)
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999", "#000000"]
SHUT_IN_COLOUR = "#B2182B"
SUPPLY_COLOUR = "#222222"
EVENT_COLOUR = "rgba(213, 94, 0, 0.15)"
#: days in each month of a 365-day year: the power block's 8,760 hours
MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def route_order(data: RunData) -> list[str]:
    """Routes in the order of the run tables."""
    return list(dict.fromkeys(data.tables["allocation_annual"].route))


def route_colours(data: RunData) -> dict[str, str]:
    return {r: PALETTE[i % len(PALETTE)] for i, r in enumerate(route_order(data))}


# ------------------------------------------------------------------ Sankey


@dataclass
class SankeyData:
    """Nodes (node id, label, kind) and links (from_node, to_node, value_mt, route) of one year."""

    year: int
    nodes: pd.DataFrame  # node, label, kind ('source', 'asset', 'outlet', 'shut_in')
    links: pd.DataFrame  # from_node, to_node, value_mt, route (the route carrying most of the link, for its colour)


def sankey_links(data: RunData) -> pd.DataFrame:
    """year, from_node, to_node, value_mt, route: each year's flows from sources through assets to outlets.

    A (source, route) flow goes source -> first asset -> ... -> last asset ->
    outlet of the route; links with the same ends are added up. Without the
    route legs the flow goes source -> outlet. Shut-in goes source -> 'shut in'.
    """
    fl = data.tables["flows_monthly"]
    by_pair = fl.assign(year=fl.period.str[:4].astype(int)).groupby(["year", "source", "route"], sort=False)["volume_kt"].sum()
    path_of: dict[str, list[str]] = {}
    if data.legs is not None:
        for route, seq, asset in sorted(zip(data.legs.route, data.legs.seq, data.legs.asset)):
            path_of.setdefault(route, []).append(f"asset:{asset}")
    total: dict[tuple, float] = {}
    by_route: dict[tuple, dict[str, float]] = {}
    for (year, source, route), kt in by_pair.items():
        v = kt / 1000.0
        if v <= 1e-9:
            continue
        chain = [f"source:{source}", *path_of.get(route, []), f"outlet:{route}"]
        for a, b in zip(chain[:-1], chain[1:]):
            key = (int(year), a, b)
            total[key] = total.get(key, 0.0) + v
            by_route.setdefault(key, {})
            by_route[key][route] = by_route[key].get(route, 0.0) + v
    sh = data.tables["shut_in_monthly"]
    sh = sh.assign(year=sh.period.str[:4].astype(int)).groupby(["year", "source"], sort=False)["shut_in_kt"].sum()
    for (year, source), kt in sh.items():
        if kt / 1000.0 > 1e-9:
            key = (int(year), f"source:{source}", "shut_in")
            total[key] = kt / 1000.0
            by_route[key] = {"shut_in": kt}
    rows = [(y, a, b, v, max(by_route[(y, a, b)].items(), key=lambda kv: kv[1])[0]) for (y, a, b), v in total.items()]
    return pd.DataFrame(rows, columns=["year", "from_node", "to_node", "value_mt", "route"])


def sankeys(data: RunData) -> list[SankeyData]:
    """One Sankey per year of the run."""
    links = sankey_links(data)
    kind_order = {"source": 0, "asset": 1, "outlet": 2, "shut_in": 3}

    def label(node: str) -> str:
        kind, _, ident = node.partition(":")
        if kind == "source":
            return data.source_label(ident)
        if kind == "asset":
            return data.asset_label(ident)
        if kind == "outlet":
            return data.route_label(ident)
        return "shut in"

    out = []
    for year in data.years:
        ln = links[links.year == year].drop(columns="year").reset_index(drop=True)
        names = sorted(dict.fromkeys([*ln.from_node, *ln.to_node]), key=lambda n: kind_order[n.split(":")[0]])
        nodes = pd.DataFrame({"node": names, "label": [label(n) for n in names], "kind": [n.split(":")[0] for n in names]})
        out.append(SankeyData(year, nodes, ln))
    return out


# ------------------------------------------------------------------ volumes


def annual_pivots(data: RunData) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """volume_mt and capacity_mt as year × route pivots, and year -> supply_mt, exported_mt, shut_in_mt."""
    ann = data.tables["allocation_annual"]
    order = route_order(data)
    vol = ann.pivot(index="year", columns="route", values="volume_mt")[order]
    cap = ann.pivot(index="year", columns="route", values="capacity_mt")[order]
    bal = data.tables["balance_monthly"]
    by_year = bal.assign(year=bal.period.str[:4].astype(int)).groupby("year")[["supply_kt", "exported_kt", "shut_in_kt"]].sum() / 1000.0
    by_year.columns = ["supply_mt", "exported_mt", "shut_in_mt"]
    return vol, cap, by_year


def monthly_pivot(data: RunData) -> tuple[pd.DataFrame, pd.DataFrame]:
    """volume_kt as period × route pivot and period -> supply_kt, shut_in_kt (index: the first day of each month)."""
    m = data.tables["allocation_monthly"]
    vol = m.pivot(index="period", columns="route", values="volume_kt")[route_order(data)]
    bal = data.tables["balance_monthly"].set_index("period")[["supply_kt", "shut_in_kt"]]
    idx = pd.to_datetime(vol.index + "-01")
    vol.index, bal.index = idx, pd.to_datetime(bal.index + "-01")
    return vol, bal


def event_windows(data: RunData) -> pd.DataFrame:
    """id, target, start, end (exclusive, the day after the last day), remaining, label: the scenario's events."""
    rows = []
    for ev in data.events:
        start = pd.Timestamp(str(ev["start"]))
        end = pd.Timestamp(str(ev["end"])) + pd.Timedelta(days=1)
        ramp = int(ev.get("ramp_days") or 0)
        rem = float(ev.get("remaining", 0.0))
        label = f"{ev['id']}: {ev['target']} at {rem:.0%}" + (f", {ramp}-day recovery" if ramp else "")
        rows.append((ev["id"], ev["target"], start, end, end + pd.Timedelta(days=ramp), rem, label))
    return pd.DataFrame(rows, columns=["id", "target", "start", "end", "recovered", "remaining", "label"])


def focus_range(data: RunData) -> list[pd.Timestamp] | None:
    """The x range a monthly chart opens on: the disrupted year, when the run has events and more than one year."""
    fc = data.focus
    if fc is None or len(data.years) < 2:
        return None
    return [pd.Timestamp(f"{fc.year}-01-01") - pd.Timedelta(days=16), pd.Timestamp(f"{fc.year}-12-01") + pd.Timedelta(days=16)]


# ------------------------------------------------------------------ utilisation


def utilisation_pivot(data: RunData, by: str = "route") -> pd.DataFrame:
    """Utilisation (0-1) as route × period (or asset × period) pivot; NaN where there is no capacity."""
    if by == "route":
        m = data.tables["allocation_monthly"]
        piv = m.pivot(index="route", columns="period", values="utilisation").reindex(route_order(data))
        piv.index = [data.route_label(r) for r in piv.index]
    else:
        a = data.tables["asset_use_monthly"]
        order = list(dict.fromkeys(a.asset))
        piv = a.pivot(index="asset", columns="period", values="utilisation").reindex(order)
        piv.index = [data.asset_label(x) for x in piv.index]
    piv.index.name, piv.columns.name = by, "month"
    return piv


# ------------------------------------------------------------------ shadow prices


def bottlenecks(data: RunData, top: int = 15) -> pd.DataFrame:
    """The binding constraints, most valuable first, with a label constraint[asset or route]."""
    b = binding_summary(data.tables["shadow_prices"]).head(top)
    return b.assign(label=b.constraint + "[" + b.asset_or_route + "]")


def shadow_monthly(data: RunData) -> pd.DataFrame:
    """Monthly capacity shadow prices as period × asset pivot ($/t), zero where not binding."""
    s = data.tables["shadow_prices"]
    s = s[s.period.str.len() == 7]
    if s.empty:
        return pd.DataFrame()
    piv = s.assign(label=s.constraint + "[" + s.asset_or_route + "]").pivot_table(
        index="period", columns="label", values="usd_per_t", aggfunc="sum"
    )
    periods = list(data.tables["balance_monthly"].period)
    piv = piv.reindex(periods).fillna(0.0)
    piv.index = pd.to_datetime(piv.index + "-01")
    return piv


# ------------------------------------------------------------------ power


def month_of_hour(hours: np.ndarray) -> np.ndarray:
    """Month (1-12) of each hour of a 365-day year (hour 0 = 1 January 00:00)."""
    edges = np.cumsum([0, *MONTH_DAYS]) * 24
    return np.searchsorted(edges, np.asarray(hours), side="right")


def month_label(year: int, month: int) -> str:
    return dt.date(int(year), int(month), 1).strftime("%b %Y")


def binding_summary(shadow: pd.DataFrame) -> pd.DataFrame:
    """constraint, asset_or_route, periods_binding, first, last, mean_usd_per_t, max_abs_usd_per_t,
    most valuable first (by |mean| × periods binding, i.e. the total value of the bottleneck)."""
    cols = ["constraint", "asset_or_route", "periods_binding", "first", "last", "mean_usd_per_t", "max_abs_usd_per_t"]
    if shadow.empty:
        return pd.DataFrame(columns=cols)
    g = shadow.assign(abs_usd=shadow.usd_per_t.abs()).groupby(["constraint", "asset_or_route"], sort=False)
    out = g.agg(
        periods_binding=("period", "size"),
        first=("period", "min"),
        last=("period", "max"),
        mean_usd_per_t=("usd_per_t", "mean"),
        max_abs_usd_per_t=("abs_usd", "max"),
    ).reset_index()
    weight = out.mean_usd_per_t.abs() * out.periods_binding
    return out.loc[weight.sort_values(ascending=False, kind="stable").index, cols].reset_index(drop=True)
