"""The oil block: monthly allocation of Kazakh export supply to routes (docs/model.md §1).

Built from an :class:`~energy_routes.params.OilParams`; one ``define_*``
function per constraint family, each named as in ``docs/model.md`` so a dual
maps straight to a shadow-price row. Right-hand sides that scenarios and
sweeps change (capacities, limits) are mutable parameters.
"""

from __future__ import annotations

import pyomo.environ as pyo
from pyomo.common.gc_manager import PauseGC

from ..params import OilParams

#: objective coefficients are $/t × kt / 1000 = M$; a dual × DUAL_TO_USD_PER_T is $/t
OBJ_SCALE = 1.0 / 1000.0
DUAL_TO_USD_PER_T = 1000.0


def define_sets(m: pyo.ConcreteModel, p: OilParams) -> None:
    """S, R, A, T, Y and the connected source–route pairs K."""
    m.S = pyo.Set(initialize=p.sources, ordered=True)
    m.R = pyo.Set(initialize=p.routes, ordered=True)
    m.A = pyo.Set(initialize=p.assets, ordered=True)
    m.T = pyo.Set(initialize=p.months, ordered=True)
    m.Y = pyo.Set(initialize=p.years, ordered=True)
    m.K = pyo.Set(initialize=p.pairs, dimen=2, ordered=True)
    m.KT = pyo.Set(initialize=[(s, r, t) for t in p.months for (s, r) in p.pairs], dimen=3, ordered=True)


def define_parameters(m: pyo.ConcreteModel, p: OilParams) -> None:
    """Mutable right-hand sides: supply q, capacities cap_a and cap_r, annual limits."""
    m.supply = pyo.Param(m.S, m.T, initialize=p.supply, mutable=True)
    m.asset_cap = pyo.Param(m.A, m.T, initialize=p.asset_cap, mutable=True)
    m.route_cap = pyo.Param(list(p.route_cap), initialize=p.route_cap, mutable=True, within=pyo.Any)
    m.limit_lo = pyo.Param(m.R, m.Y, initialize=p.limit_lo, mutable=True)
    m.limit_hi = pyo.Param(m.R, m.Y, initialize=p.limit_hi, mutable=True)
    m.pair_cap = pyo.Param(list(p.pair_cap), initialize=p.pair_cap, mutable=True, within=pyo.Any)


def define_variables(m: pyo.ConcreteModel) -> None:
    """x[s,r,t] ≥ 0 exports (kt/month); z[s,t] ≥ 0 shut-in (kt/month)."""
    m.x = pyo.Var(m.KT, domain=pyo.NonNegativeReals)
    m.z = pyo.Var(m.S, m.T, domain=pyo.NonNegativeReals)


def define_objective(m: pyo.ConcreteModel, p: OilParams) -> None:
    """max Σ n[s,r,y(t)]/1000 · x[s,r,t] − Σ π/1000 · z[s,t]   (M$)."""
    expr = sum(p.netback[(s, r, p.year_of[t])] * OBJ_SCALE * m.x[s, r, t] for (s, r, t) in m.KT)
    expr -= sum(p.penalty * OBJ_SCALE * m.z[s, t] for s in m.S for t in m.T)
    m.netback = pyo.Objective(expr=expr, sense=pyo.maximize)


def define_supply_balance(m: pyo.ConcreteModel, p: OilParams) -> None:
    """supply_balance[s,t]:  Σ_r x[s,r,t] + z[s,t] = q[s,t]."""
    routes_of = {s: [r for (s2, r) in p.pairs if s2 == s] for s in p.sources}

    def rule(m, s, t):
        return sum(m.x[s, r, t] for r in routes_of[s]) + m.z[s, t] == m.supply[s, t]

    m.supply_balance = pyo.Constraint(m.S, m.T, rule=rule)


def define_asset_capacity(m: pyo.ConcreteModel, p: OilParams) -> None:
    """asset_capacity[a,t]:  Σ_{(s,r)∈K, a∈A_r} x[s,r,t] ≤ cap[a,t]."""
    users = {a: [(s, r) for (s, r) in p.pairs if a in p.route_assets[r]] for a in p.assets}

    def rule(m, a, t):
        if not users[a]:
            return pyo.Constraint.Skip
        return sum(m.x[s, r, t] for (s, r) in users[a]) <= m.asset_cap[a, t]

    m.asset_capacity = pyo.Constraint(m.A, m.T, rule=rule)


def define_route_capacity(m: pyo.ConcreteModel, p: OilParams) -> None:
    """route_capacity[r,t]:  Σ_s x[s,r,t] ≤ cap[r,t].

    Only for (r, t) where the route is tighter than each of its assets (route
    events, or legs derated on different days); elsewhere the row is implied
    by ``asset_capacity`` and would only make the duals ambiguous.
    """
    users = {r: [s for (s, r2) in p.pairs if r2 == r] for r in p.routes}

    def rule(m, r, t):
        if not users[r]:
            return pyo.Constraint.Skip
        return sum(m.x[s, r, t] for s in users[r]) <= m.route_cap[r, t]

    m.route_capacity = pyo.Constraint(list(p.route_cap), rule=rule)


def _route_year_volume(m: pyo.ConcreteModel, p: OilParams, r: str, y: int):
    return sum(m.x[s, r2, t] for t in p.months if p.year_of[t] == y for (s, r2) in p.pairs if r2 == r)


def define_route_limit(m: pyo.ConcreteModel, p: OilParams) -> None:
    """route_limit[r,y]:  L_min ≤ Σ_{t∈y} Σ_s x[s,r,t] ≤ L_max  (kt, pro-rated to the horizon)."""
    served = {r for (_, r) in p.pairs}

    def rule(m, r, y):
        if r not in served:
            return pyo.Constraint.Skip
        return pyo.inequality(m.limit_lo[r, y], _route_year_volume(m, p, r, y), m.limit_hi[r, y])

    m.route_limit = pyo.Constraint(m.R, m.Y, rule=rule)


def define_route_share(m: pyo.ConcreteModel, p: OilParams) -> None:
    """route_share[r,y]:  Σ_{t∈y} Σ_s x[s,r,t] − σ[r,y] Σ_{t∈y} Σ_{(s,r')} x[s,r',t] ≤ 0."""

    def rule(m, r, y):
        total = sum(m.x[s, r2, t] for t in p.months if p.year_of[t] == y for (s, r2) in p.pairs)
        return _route_year_volume(m, p, r, y) - p.share[(r, y)] * total <= 0

    m.route_share = pyo.Constraint(list(p.share), rule=rule)


def define_source_route_limit(m: pyo.ConcreteModel, p: OilParams) -> None:
    """source_route_limit[s,r,y]:  Σ_{t∈y} x[s,r,t] ≤ M[s,r,y]  (kt, pro-rated)."""

    def rule(m, s, r, y):
        return sum(m.x[s, r, t] for t in p.months if p.year_of[t] == y) <= m.pair_cap[s, r, y]

    m.source_route_limit = pyo.Constraint(list(p.pair_cap), rule=rule)


def build_oil_model(p: OilParams) -> pyo.ConcreteModel:
    """Build the oil block's ConcreteModel (docs/model.md §1)."""
    with PauseGC():
        m = pyo.ConcreteModel(name="oil")
        define_sets(m, p)
        define_parameters(m, p)
        define_variables(m)
        define_objective(m, p)
        define_supply_balance(m, p)
        define_asset_capacity(m, p)
        define_route_capacity(m, p)
        define_route_limit(m, p)
        define_route_share(m, p)
        define_source_route_limit(m, p)
    return m


#: constraint families whose duals are reported as shadow prices, and what they price
SHADOW_FAMILIES = {
    "supply_balance": "source",
    "asset_capacity": "asset",
    "route_capacity": "route",
    "route_limit": "route",
    "route_share": "route",
    "source_route_limit": "source_route",
}
