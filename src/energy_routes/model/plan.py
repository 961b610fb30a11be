"""The no-event plan: what each route carries in each period when no disruption happens.

The ``displaced*`` rows (docs/model.md §1 "displaced crude") let extra acceptance take only crude an
outage displaced: over a displacement window, what the acceptors take above the schedules is at most what
the routes carry below the plan the shippers had before the outage (counted only up to what the outage took
off that plan). That plan is the scenario's own LP with every event removed (stores pinned at their working
level, no extra acceptance), solved once; its volumes by route and period are a parameter
(``OilParams.plan``) of every case built from the scenario. The tie-break makes the plan unique
(docs/model.md §1), so it does not depend on the solver's vertex.

A scenario none of whose periods is in a displacement window does not need the plan (every ``displaced*``
row is free), and none is computed; the sweep kernel takes the plan of a scenario without events from its
own optimum (the same LP).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ..params import OilParams, oil_params
from ..scenario import Scenario
from .registry import ModelSpec, model_spec


def without_events(scenario: Scenario) -> Scenario:
    """The same scenario with every disruption event removed (its own and inherited ones)."""
    return dataclasses.replace(scenario, settings=scenario.settings.model_copy(update={"events": []}))


def route_volumes(values_x: np.ndarray, spec: ModelSpec) -> np.ndarray:
    """(R, P) kt per route and period: Σ_s x[s,r,t] from the x values in the spec's key order (pair-major)."""
    p = spec.params
    P, R = len(p.periods), len(p.routes)
    x = np.asarray(values_x, float).reshape(-1, P)
    out = np.zeros((R, P))
    np.add.at(out, [p.routes.index(r) for _, r in p.pairs], x)
    return out


def no_event_plan(scenario: Scenario) -> np.ndarray:
    """(R, P) kt carried by each route in each period by ``scenario`` without its events (one LP solve)."""
    from .oil import compile_oil_spec

    spec = model_spec(oil_params(without_events(scenario)))
    lp = compile_oil_spec(spec)  # the LP of build_oil_model(spec), without its Pyomo components
    sol = lp.solve()
    if not sol.optimal:
        # events only take capacity and supply away, so a scenario whose no-event LP has no solution has none
        # either: no plan, the displaced rows bind nothing, and the scenario's own diagnosis names what does
        return np.full((len(spec.params.routes), len(spec.params.periods)), np.inf)
    return route_volumes(lp.family_values("x", len(spec.var_keys["x"])), spec)


def needs_plan(p: OilParams) -> bool:
    """True when some period is in a displacement window (its ``displaced*`` rows hold)."""
    return p.caps.window is not None and bool(np.any(np.asarray(p.caps.window) > 0))


def planned_params(scenario: Scenario) -> OilParams:
    """:func:`~energy_routes.params.oil_params` with the no-event plan where the ``displaced`` rows need it."""
    p = oil_params(scenario)
    if needs_plan(p):
        p = dataclasses.replace(p, plan=no_event_plan(scenario))
    return p
