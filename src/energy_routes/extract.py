"""Tidy result tables from a solved oil model: one row per index tuple, units in the column names.

Everything is read through the registry's keys (:class:`~energy_routes.model.registry.ModelSpec`)
and the compiled LP's public accessors. Period tables (``*_period``) give the
native resolution; monthly and annual tables are sums of them (periods never
cross a month).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .model.oil import DUAL_TO_USD_PER_T
from .model.registry import CONS, REPORTED, ModelSpec
from .solve import CompiledLP

#: $/t below which a dual is not reported: the economic duals are read at the vertex the tie-break chose
#: (docs/model.md §4.2), so values at its scale (0.001 $/t per tonne moved) are noise, not a bottleneck
BINDING_TOL = 0.01


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    return num / den.where(den > 1e-9)


def column_costs(lp: CompiledLP, spec: ModelSpec, *, tie_break: bool = False) -> np.ndarray:
    """The objective coefficient of every compiled column: economic ($/t), plus the tie-break if asked."""
    cost = np.zeros(lp.num_cols)
    for name, econ in spec.var_cost.items():
        cols = lp.cols_of(name, len(econ))
        ok = cols >= 0
        cost[cols[ok]] = (econ + spec.var_tie[name] if tie_break else econ)[ok]
    return cost


class Solved:
    """The primal solution of one solve, as arrays in the registry's (item, period) layout.

    ``dual`` holds the row duals of the economic objective at the vertex the LP chose
    (the tie-break steers which vertex, it does not enter what a tonne is worth).
    """

    def __init__(self, lp: CompiledLP, spec: ModelSpec):
        self.lp, self.spec, self.p = lp, spec, spec.params
        self.dual = lp.duals_for_costs(column_costs(lp, spec))
        P = len(self.p.periods)
        self.P = P

        def grid(name: str) -> np.ndarray:
            n = len(spec.var_keys[name])
            return lp.family_values(name, n).reshape(n // P if P else 0, P) if n else np.zeros((0, P))

        self.x = np.maximum(grid("x"), 0.0)  # (K, P)
        self.f = np.maximum(grid("f"), 0.0)  # (flows, P)
        self.z = np.maximum(grid("z"), 0.0)  # (S, P)
        self.level = grid("level")  # (H, P)
        self.inj = np.maximum(grid("inj"), 0.0)
        self.wd = np.maximum(grid("wd"), 0.0)


def _period_frame(p) -> pd.DataFrame:
    per = p.periods
    return pd.DataFrame({"period": list(per.labels), "first_day": list(per.first_day), "days": per.length, "year": per.year, "month": list(per.month)})


def flows_period(sol: Solved) -> pd.DataFrame:
    """period, source, route, volume_kt, netback_usd_per_t (exports by source and outlet)."""
    p = sol.p
    per = p.periods
    K, P = len(p.pairs), len(per)
    nb = p.netback[:, p.year_pos]  # (K, P)
    return pd.DataFrame(
        {
            "period": np.tile(per.labels, K),
            "source": np.repeat([s for s, _ in p.pairs], P),
            "route": np.repeat([r for _, r in p.pairs], P),
            "volume_kt": sol.x.ravel(),
            "netback_usd_per_t": nb.ravel(),
            "month": np.tile(per.month, K),
            "bbl_per_t": np.repeat([p.bbl_per_t_source[p.sources.index(s)] for s, _ in p.pairs], P),
        }
    )


def flows_monthly(fp: pd.DataFrame, p) -> pd.DataFrame:
    """period (month), source, route, volume_kt, netback_usd_per_t."""
    g = fp.groupby(["month", "source", "route"], sort=False).agg(volume_kt=("volume_kt", "sum"), netback_usd_per_t=("netback_usd_per_t", "first"))
    out = g.reset_index().rename(columns={"month": "period"})
    order = {m: i for i, m in enumerate(p.periods.months)}
    pair = {k: i for i, k in enumerate(p.pairs)}
    out["_o"] = out.period.map(order) * len(pair) + [pair[(s, r)] for s, r in zip(out.source, out.route)]
    return out.sort_values("_o", kind="stable").drop(columns="_o").reset_index(drop=True)


def allocation_period(fp: pd.DataFrame, p) -> pd.DataFrame:
    """period, first_day, days, year, month, route, volume_kt, volume_kbd, capacity_kt, utilisation, netback_usd_per_t."""
    per = p.periods
    fp = fp.assign(value=fp.volume_kt * fp.netback_usd_per_t, barrels=fp.volume_kt * fp.bbl_per_t)
    g = fp.groupby(["period", "route"], sort=False)[["volume_kt", "value", "barrels"]].sum()
    frame = _period_frame(p)
    # every (period, route) in period-major order, absent pairs as zero (one reindex, no Python loop per row)
    grid = pd.MultiIndex.from_product([list(per.labels), list(p.routes)], names=["period", "route"])
    g = g.reindex(grid, fill_value=0.0)
    vol, val, bbl = (g[c].to_numpy(dtype=float) for c in ("volume_kt", "value", "barrels"))
    n_r = len(p.routes)
    with np.errstate(divide="ignore", invalid="ignore"):
        netback = np.where(vol > 1e-9, val / np.where(vol > 1e-9, vol, 1.0), np.nan)
    df = pd.DataFrame({
        "period": grid.get_level_values(0), "route": grid.get_level_values(1), "volume_kt": vol,
        "volume_kbd": bbl / np.repeat(np.asarray(per.length, dtype=float), n_r),
        "capacity_kt": np.asarray(p.caps.route_cap, dtype=float).T.reshape(-1), "netback_usd_per_t": netback,
    })
    df = frame.merge(df, on="period", how="right", sort=False)
    df.insert(len(df.columns) - 1, "utilisation", _ratio(df.volume_kt, df.capacity_kt))
    return df


def allocation_monthly(ap: pd.DataFrame, p) -> pd.DataFrame:
    """period (month), year, route, volume_kt, volume_kbd, capacity_kt, utilisation, netback_usd_per_t."""
    a = ap.assign(value=ap.volume_kt * ap.netback_usd_per_t.fillna(0.0), barrels=ap.volume_kbd * ap.days)
    g = a.groupby(["month", "route"], sort=False).agg(
        year=("year", "first"), volume_kt=("volume_kt", "sum"), barrels=("barrels", "sum"), days=("days", "sum"), capacity_kt=("capacity_kt", "sum"), value=("value", "sum")
    ).reset_index()
    out = pd.DataFrame(
        {
            "period": g.month,
            "year": g.year,
            "route": g.route,
            "volume_kt": g.volume_kt,
            "volume_kbd": g.barrels / g.days,
            "capacity_kt": g.capacity_kt,
        }
    )
    out["utilisation"] = _ratio(out.volume_kt, out.capacity_kt)
    out["netback_usd_per_t"] = (g.value / g.volume_kt).where(g.volume_kt > 1e-9)
    return out


def allocation_annual(monthly: pd.DataFrame, p) -> pd.DataFrame:
    """year, route, volume_mt, capacity_mt, share, utilisation, volume_kbd, netback_musd."""
    days_m = pd.Series(p.periods.length, index=list(p.periods.month)).groupby(level=0).sum()
    m = monthly.assign(value=monthly.volume_kt * monthly.netback_usd_per_t.fillna(0.0), barrels=monthly.volume_kbd * monthly.period.map(days_m))
    g = m.groupby(["year", "route"], sort=False).agg(
        volume_kt=("volume_kt", "sum"), capacity_kt=("capacity_kt", "sum"), value=("value", "sum"), barrels=("barrels", "sum")
    ).reset_index()
    days_y = {y: int(p.periods.length[p.periods.year == y].sum()) for y in p.years}
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


def balance_period(sol: Solved) -> pd.DataFrame:
    """period, first_day, days, year, month, supply_kt, production_kt, exported_kt, shut_in_kt, stock_change_kt."""
    p = sol.p
    supply = p.caps.supply.sum(axis=0)
    shut = sol.z.sum(axis=0)
    exported = sol.x.sum(axis=0)
    df = _period_frame(p)
    df["supply_kt"] = supply
    df["production_kt"] = supply - shut
    df["exported_kt"] = exported
    df["shut_in_kt"] = shut
    df["stock_change_kt"] = (sol.inj - sol.wd).sum(axis=0) if len(sol.inj) else 0.0
    return df


def balance_monthly(bp: pd.DataFrame) -> pd.DataFrame:
    """period (month), supply_kt, exported_kt, shut_in_kt, production_kt, stock_change_kt."""
    g = bp.groupby("month", sort=False)[["supply_kt", "exported_kt", "shut_in_kt", "production_kt", "stock_change_kt"]].sum().reset_index()
    return g.rename(columns={"month": "period"})


def shut_in_monthly(sol: Solved) -> pd.DataFrame:
    """period (month), source, supply_kt, shut_in_kt."""
    p = sol.p
    per = p.periods
    S, P = len(p.sources), len(per)
    df = pd.DataFrame(
        {"month": np.tile(per.month, S), "source": np.repeat(p.sources, P), "supply_kt": np.asarray(p.caps.supply).ravel(), "shut_in_kt": sol.z.ravel()}
    )
    g = df.groupby(["month", "source"], sort=False)[["supply_kt", "shut_in_kt"]].sum().reset_index().rename(columns={"month": "period"})
    order = {m: i for i, m in enumerate(per.months)}
    src = {s: i for i, s in enumerate(p.sources)}
    return g.sort_values(by=["period", "source"], key=lambda c: c.map(order) if c.name == "period" else c.map(src), kind="stable").reset_index(drop=True)


def _remaining(availability: pd.DataFrame) -> dict[tuple[str, str], float]:
    """(period, target) -> remaining fraction, as a dict (a pandas look-up per row cost more than the table)."""
    return {(lab, t): float(r) for lab, t, r in zip(availability["period"], availability["target"], availability["remaining"])} if len(availability) else {}


def asset_use_period(sol: Solved) -> pd.DataFrame:
    """period, asset, flow_kt, capacity_kt, utilisation, remaining (event availability, mean over the period's days)."""
    p = sol.p
    per = p.periods
    arc_asset = {a.arc: a.asset for a in p.network.arcs}
    A, P = len(p.assets), len(per)
    flow = np.zeros((A, P))
    for i, (s, a) in enumerate(p.network.flows):
        asset = arc_asset[a]
        if asset:
            flow[p.assets.index(asset)] += sol.f[i]
    avail = _remaining(p.availability_period)
    rem = [avail.get((lab, a), 1.0) for a in p.assets for lab in per.labels]
    df = pd.DataFrame({"period": np.tile(per.labels, A), "month": np.tile(per.month, A), "asset": np.repeat(p.assets, P), "flow_kt": flow.ravel(), "capacity_kt": np.asarray(p.caps.asset_cap).ravel(), "remaining": rem})
    df.insert(5, "utilisation", _ratio(df.flow_kt, df.capacity_kt))
    return df


def asset_use_monthly(aup: pd.DataFrame, p) -> pd.DataFrame:
    """period (month), asset, flow_kt, capacity_kt, utilisation, remaining (event availability, monthly mean)."""
    g = aup.groupby(["month", "asset"], sort=False)[["flow_kt", "capacity_kt"]].sum().reset_index().rename(columns={"month": "period"})
    avail = _remaining(p.availability)
    g["utilisation"] = _ratio(g.flow_kt, g.capacity_kt)
    g["remaining"] = [avail.get((m, a), 1.0) for m, a in zip(g.period, g.asset)]
    order = {m: i for i, m in enumerate(p.periods.months)}
    ai = {a: i for i, a in enumerate(p.assets)}
    return g.sort_values(by=["period", "asset"], key=lambda c: c.map(order) if c.name == "period" else c.map(ai), kind="stable").reset_index(drop=True)


def arc_flows_monthly(sol: Solved) -> pd.DataFrame:
    """period (month), source, arc, from_node, to_node, asset, flow_kt: the network's flows (for the Sankey)."""
    p = sol.p
    per = p.periods
    arcs = {a.arc: a for a in p.network.arcs}
    n, P = len(p.network.flows), len(per)
    df = pd.DataFrame(
        {
            "month": np.tile(per.month, n),
            "source": np.repeat([s for s, _ in p.network.flows], P),
            "arc": np.repeat([a for _, a in p.network.flows], P),
            "flow_kt": sol.f.ravel(),
        }
    )
    g = df.groupby(["month", "source", "arc"], sort=False)["flow_kt"].sum().reset_index().rename(columns={"month": "period"})
    g.insert(3, "from_node", g.arc.map(lambda a: arcs[a].src))
    g.insert(4, "to_node", g.arc.map(lambda a: arcs[a].dst))
    g.insert(5, "asset", g.arc.map(lambda a: arcs[a].asset or ""))
    return g


def stores_period(sol: Solved) -> pd.DataFrame:
    """period, store, level_kt, injection_kt, withdrawal_kt, capacity_kt, min_level_kt (summed over the sources held)."""
    p = sol.p
    per = p.periods
    cols = ["period", "store", "level_kt", "injection_kt", "withdrawal_kt", "capacity_kt", "min_level_kt"]
    if not p.network.stores:
        return pd.DataFrame(columns=cols)
    rows = []
    for k in p.network.stores:
        idx = [i for i, (s, st) in enumerate(p.network.holdings) if st == k.store]
        if not idx:
            continue  # no source's crude can reach this tank: it takes no part
        lev, inj, wd = sol.level[idx].sum(axis=0), sol.inj[idx].sum(axis=0), sol.wd[idx].sum(axis=0)
        rows += [(lab, k.store, lev[t], inj[t], wd[t], k.capacity_kt, k.min_level_kt) for t, lab in enumerate(per.labels)]
    return pd.DataFrame(rows, columns=cols)


def shadow_prices(sol: Solved) -> pd.DataFrame:
    """period, constraint, asset_or_route, usd_per_t: duals of the binding rows of the reported families.

    ``usd_per_t`` is the change of the optimum for one more tonne of right-hand
    side: positive for capacities and caps, negative for minimum commitments
    (a tonne more of commitment costs that much).
    """
    rows = []
    for family in REPORTED:
        block = sol.spec.cons.get(family)
        if block is None:
            continue
        pos = sol.lp.rows_of(family, len(block.keys))
        duals = np.where(pos >= 0, sol.dual[np.maximum(pos, 0)], 0.0) * DUAL_TO_USD_PER_T
        subject = CONS[family].dual.subject
        for key, v in zip(block.keys, duals):
            if abs(v) > BINDING_TOL:
                period, name = subject(key)
                rows.append((period, family, name, float(v)))
    df = pd.DataFrame(rows, columns=["period", "constraint", "asset_or_route", "usd_per_t"])
    return df.sort_values(["period", "constraint", "asset_or_route"], kind="stable").reset_index(drop=True)


def economics(lp: CompiledLP, spec: ModelSpec) -> dict[str, float]:
    """The objective's parts in M$: revenue at the outlets, tariffs paid, netback (= revenue − tariffs),
    the shut-in penalty, ``objective`` (= netback − penalty, what the model maximises) and the
    tie-break (docs/model.md §1; the LP's optimum is objective − tie-break)."""
    p = spec.params
    sol = Solved(lp, spec)
    revenue = float((p.sale_value[:, p.year_pos] * sol.x).sum()) / 1000.0
    tariffs = float((p.arc_tariff[[spec.layout.arc_pos[a] for _, a in p.network.flows]][:, None] * sol.f).sum()) / 1000.0 if len(sol.f) else 0.0
    penalty = p.penalty * float(sol.z.sum()) / 1000.0
    netback = revenue - tariffs
    lp_value = lp.highs.getInfo().objective_function_value / 1000.0
    return {
        "revenue_musd": revenue,
        "tariffs_musd": tariffs,
        "netback_musd": netback,
        "penalty_musd": penalty,
        "objective_musd": netback - penalty,
        "tie_break_musd": netback - penalty - lp_value,
    }


def oil_tables(lp: CompiledLP, spec: ModelSpec) -> dict[str, pd.DataFrame]:
    """Every oil table of a run, by name."""
    p = spec.params
    sol = Solved(lp, spec)
    fp = flows_period(sol)
    ap = allocation_period(fp, p)
    monthly = allocation_monthly(ap, p)
    bp = balance_period(sol)
    aup = asset_use_period(sol)
    drop = ["month", "bbl_per_t"]
    return {
        "allocation_monthly": monthly,
        "allocation_annual": allocation_annual(monthly, p),
        "balance_monthly": balance_monthly(bp),
        "shadow_prices": shadow_prices(sol),
        "flows_monthly": flows_monthly(fp, p),
        "shut_in_monthly": shut_in_monthly(sol),
        "asset_use_monthly": asset_use_monthly(aup, p),
        "availability_monthly": p.availability,
        "allocation_period": ap,
        "flows_period": fp.drop(columns=drop),
        "balance_period": bp,
        "asset_use_period": aup.drop(columns=["month"]),
        "stores_period": stores_period(sol),
        "arc_flows_monthly": arc_flows_monthly(sol),
    }
