"""The power block: hourly dispatch of export renewables over the cables (docs/model.md §2).

One ConcreteModel per representative year, built from a
:class:`~energy_routes.power.params.PowerYear`.
"""

from __future__ import annotations

import pyomo.environ as pyo
from pyomo.common.gc_manager import PauseGC

from .params import HOURS, PowerYear


def define_power_variables(m: pyo.ConcreteModel, p: PowerYear) -> None:
    """e[h] into the trans-Caspian cable, c[h] curtailed, b[h] into the Black Sea cable (MWh)."""
    m.H = pyo.RangeSet(0, HOURS - 1)
    m.e = pyo.Var(m.H, domain=pyo.NonNegativeReals)
    m.c = pyo.Var(m.H, domain=pyo.NonNegativeReals)
    if p.black_sea:
        m.b = pyo.Var(m.H, domain=pyo.NonNegativeReals)


def define_power_balance(m: pyo.ConcreteModel, p: PowerYear) -> None:
    """power_balance[h]:  e[h] + c[h] = G[h]."""
    m.generation = pyo.Param(m.H, initialize=dict(enumerate(p.generation.tolist())), mutable=True)
    m.power_balance = pyo.Constraint(m.H, rule=lambda m, h: m.e[h] + m.c[h] == m.generation[h])


def define_cable_capacity(m: pyo.ConcreteModel, p: PowerYear) -> None:
    """cable_capacity[h]:  e[h] ≤ K_tc ρ_tc[h]."""
    m.cable_cap = pyo.Param(m.H, initialize=dict(enumerate(p.cable_cap.tolist())), mutable=True)
    m.cable_capacity = pyo.Constraint(m.H, rule=lambda m, h: m.e[h] <= m.cable_cap[h])


def define_black_sea(m: pyo.ConcreteModel, p: PowerYear) -> None:
    """transit_balance[h]: b[h] = η_tc e[h];  black_sea_capacity[h]: b[h] ≤ K_bs ρ_bs[h]."""
    if not p.black_sea:
        return
    m.bs_cap = pyo.Param(m.H, initialize=dict(enumerate(p.bs_cap.tolist())), mutable=True)
    m.transit_balance = pyo.Constraint(m.H, rule=lambda m, h: m.b[h] == p.eta_tc * m.e[h])
    m.black_sea_capacity = pyo.Constraint(m.H, rule=lambda m, h: m.b[h] <= m.bs_cap[h])


def define_power_objective(m: pyo.ConcreteModel, p: PowerYear) -> None:
    """max delivered GWh: Σ η_tc e[h]/1000, or Σ η_bs b[h]/1000 with the Black Sea cable."""
    if p.black_sea:
        expr = sum(p.eta_bs / 1000.0 * m.b[h] for h in m.H)
    else:
        expr = sum(p.eta_tc / 1000.0 * m.e[h] for h in m.H)
    m.delivered = pyo.Objective(expr=expr, sense=pyo.maximize)


def build_power_model(p: PowerYear) -> pyo.ConcreteModel:
    """Build one year's power LP."""
    with PauseGC():
        m = pyo.ConcreteModel(name=f"power_{p.year}")
        define_power_variables(m, p)
        define_power_balance(m, p)
        define_cable_capacity(m, p)
        define_black_sea(m, p)
        define_power_objective(m, p)
    return m
