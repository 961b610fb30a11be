"""Tidy result tables from a solved model: one row per index tuple, units in the column names."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .model.oil import DUAL_TO_USD_PER_T, SHADOW_FAMILIES
from .params import OilParams
from .solve import CompiledLP

BINDING_TOL = 1e-7  # $/t below which a dual is treated as zero


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    out = num / den.where(den > 1e-9)
    return out


def flows_monthly(lp: CompiledLP, p: OilParams) -> pd.DataFrame:
    """period, source, route, volume_kt, netback_usd_per_t."""
    x = lp.values("x")
    rows = [
        (t, s, r, max(0.0, float(x.get((s, r, t), 0.0))), p.netback[(s, r, p.year_of[t])])
        for t in p.months
        for (s, r) in p.pairs
    ]
    return pd.DataFrame(rows, columns=["period", "source", "route", "volume_kt", "netback_usd_per_t"])


def allocation_monthly(flows: pd.DataFrame, p: OilParams) -> pd.DataFrame:
    """period, year, route, volume_kt, volume_kbd, capacity_kt, utilisation, netback_usd_per_t."""
    flows = flows.assign(value=flows.volume_kt * flows.netback_usd_per_t)
    g = flows.groupby(["period", "route"], sort=False)[["volume_kt", "value"]].sum()
    rows = []
    for t in p.months:
        for r in p.routes:
            vol, val = (g.loc[(t, r)].tolist() if (t, r) in g.index else (0.0, 0.0))
            cap = p.route_cap_all[(r, t)]
            rows.append(
                (t, p.year_of[t], r, vol, vol * p.bbl_per_t[r] / p.days[t], cap, val / vol if vol > 1e-9 else np.nan)
            )
    df = pd.DataFrame(
        rows, columns=["period", "year", "route", "volume_kt", "volume_kbd", "capacity_kt", "netback_usd_per_t"]
    )
    df.insert(6, "utilisation", _ratio(df.volume_kt, df.capacity_kt))
    return df


def allocation_annual(monthly: pd.DataFrame, p: OilParams) -> pd.DataFrame:
    """year, route, volume_mt, capacity_mt, share, utilisation, volume_kbd, netback_musd."""
    m = monthly.assign(
        value=monthly.volume_kt * monthly.netback_usd_per_t.fillna(0.0),
        barrels=monthly.volume_kbd * monthly.period.map(p.days),
    )
    g = m.groupby(["year", "route"], sort=False).agg(
        volume_kt=("volume_kt", "sum"), capacity_kt=("capacity_kt", "sum"), value=("value", "sum"), barrels=("barrels", "sum")
    )
    g = g.reset_index()
    days_y = {y: sum(d for t, d in p.days.items() if p.year_of[t] == y) for y in p.years}
    total = g.groupby("year")["volume_kt"].transform("sum")
    return pd.DataFrame(
        {
            "year": g.year,
            "route": g.route,
            "volume_mt": g.volume_kt / 1000.0,
            "capacity_mt": g.capacity_kt / 1000.0,
            "share": _ratio(g.volume_kt, total),
            "utilisation": _ratio(g.volume_kt, g.capacity_kt),
            "volume_kbd": g.barrels / g.year.map(days_y),
            "netback_musd": g.value / 1000.0,
        }
    )


def balance_monthly(lp: CompiledLP, flows: pd.DataFrame, p: OilParams) -> pd.DataFrame:
    """period, supply_kt, exported_kt, shut_in_kt."""
    z = lp.values("z")
    exported = flows.groupby("period", sort=False)["volume_kt"].sum()
    rows = []
    for t in p.months:
        supply = sum(p.supply[(s, t)] for s in p.sources)
        shut = sum(max(0.0, float(z.get((s, t), 0.0))) for s in p.sources)
        rows.append((t, supply, float(exported.get(t, 0.0)), shut))
    return pd.DataFrame(rows, columns=["period", "supply_kt", "exported_kt", "shut_in_kt"])


def shut_in_monthly(lp: CompiledLP, p: OilParams) -> pd.DataFrame:
    """period, source, supply_kt, shut_in_kt."""
    z = lp.values("z")
    rows = [(t, s, p.supply[(s, t)], max(0.0, float(z.get((s, t), 0.0)))) for t in p.months for s in p.sources]
    return pd.DataFrame(rows, columns=["period", "source", "supply_kt", "shut_in_kt"])


def asset_use_monthly(flows: pd.DataFrame, p: OilParams) -> pd.DataFrame:
    """period, asset, flow_kt, capacity_kt, utilisation, remaining (event availability)."""
    legs = [(r, a) for r in p.routes for a in p.route_assets[r]]
    by_route = flows.groupby(["period", "route"], sort=False)["volume_kt"].sum()
    avail = p.availability.set_index(["period", "target"])["remaining"] if len(p.availability) else pd.Series(dtype=float)
    rows = []
    for t in p.months:
        for a in p.assets:
            flow = sum(float(by_route.get((t, r), 0.0)) for r, a2 in legs if a2 == a)
            rows.append((t, a, flow, p.asset_cap[(a, t)], float(avail.get((t, a), 1.0))))
    df = pd.DataFrame(rows, columns=["period", "asset", "flow_kt", "capacity_kt", "remaining"])
    df.insert(4, "utilisation", _ratio(df.flow_kt, df.capacity_kt))
    return df


def shadow_prices(lp: CompiledLP, p: OilParams) -> pd.DataFrame:
    """period, constraint, asset_or_route, usd_per_t: duals of the binding capacity and limit rows.

    ``usd_per_t`` is the change of the optimal netback for one more tonne of
    right-hand side: positive for capacities and caps, negative for minimum
    commitments (a tonne more of commitment costs that much).
    """
    rows = []
    for family, _kind in SHADOW_FAMILIES.items():
        if family == "supply_balance":
            continue
        duals = lp.duals(family)
        for idx, d in duals.items():
            v = float(d) * DUAL_TO_USD_PER_T
            if abs(v) <= BINDING_TOL:
                continue
            idx = idx if isinstance(idx, tuple) else (idx,)
            if family in ("asset_capacity", "route_capacity"):
                period, name = idx[1], idx[0]
            elif family in ("route_limit", "route_share"):
                period, name = str(idx[1]), idx[0]
            else:  # source_route_limit (s, r, y)
                period, name = str(idx[2]), f"{idx[0]}:{idx[1]}"
            rows.append((period, family, name, v))
    df = pd.DataFrame(rows, columns=["period", "constraint", "asset_or_route", "usd_per_t"])
    return df.sort_values(["period", "constraint", "asset_or_route"], kind="stable").reset_index(drop=True)
