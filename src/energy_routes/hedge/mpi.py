"""The same two-stage model through mpi-sppy: progressive hedging under MPI (optional extra ``[mpi]``).

Each draw is one mpi-sppy scenario. Its Pyomo model is generated from the
draw's block exactly as the extensive form uses it (the year's compiled
matrix, the draw's row bounds, the lever effects G; :mod:`.blocks`), so
there is still one definition of the model: the registry's. First-stage
(non-anticipative) variables: the lever levels u, and with a CVaR term the
Rockafellar–Uryasev threshold η. The objective is minimised in M$ (mpi-sppy's
convention): ``−(c̃·x/1000 − f Σ_l (c_l u_l + k_l) − λ (η + s/(1 − α)))``.
Proximal terms are linearised (``linearize_proximal_terms``), so every
subproblem stays an LP for HiGHS.

Run under MPI: ``mpiexec -n 4 energy-routes hedge SCENARIO --mpi ...``; the
scenarios are spread over the ranks, rank 0 writes the folder.

Bounds: mpi-sppy's trivial bound (every draw solved with its own levers,
i.e. the wait-and-see value) is an outer bound of the extensive form's
optimum; the PH portfolio evaluated draw by draw is an inner bound. Their
difference is the stated gap.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .extensive import linear_costs
from .levers import state_bounds


@dataclass
class PHOutcome:
    levels: np.ndarray
    outer_bound_musd: float  # ≥ the extensive form's optimum (LP objective, tie-break included)
    conv: float
    iterations: int
    rank: int
    size: int


def available() -> str | None:
    """None when mpi-sppy and mpi4py import, else why not."""
    try:
        import mpi4py  # noqa: F401
        import mpisppy  # noqa: F401
    except Exception as exc:  # noqa: BLE001 - any import failure means the extra is not usable
        return f"{type(exc).__name__}: {exc}"
    return None


def scenario_model(pb, i: int, risk, fixed: dict[int, float] | None = None):
    """The Pyomo model of draw i (rows generated from its block, nothing re-derived)."""
    import pyomo.environ as pyo
    from mpisppy.utils import sputils
    from pyomo.core.expr.numeric_expr import LinearExpression

    b = pb.blocks[i]
    part = pb.parts[b.part]
    levers = pb.levers
    L = len(levers)
    lower, upper = b.bounds(pb.parts)
    G = b.lever_matrix(pb.parts)
    c_l, k_l = linear_costs(levers)
    A = part.A
    n = A.shape[1]
    m = pyo.ConcreteModel(name=f"draw{b.draw}")
    lo, hi = state_bounds(levers, fixed)
    m.u = pyo.Var(range(L), bounds=lambda _, j: (float(lo[j]), float(hi[j])))

    def xb(_, j):
        a, z = part.col_lower[j], part.col_upper[j]
        return (None if a <= -1e20 else a, None if z >= 1e20 else z)

    m.x = pyo.Var(range(n), bounds=xb)
    m.rows = pyo.ConstraintList()
    indptr, indices, data = A.indptr, A.indices, A.data
    for r in range(A.shape[0]):
        cols = indices[indptr[r] : indptr[r + 1]]
        if not len(cols):
            continue
        coefs = data[indptr[r] : indptr[r + 1]].tolist()
        xs = [m.x[int(j)] for j in cols]
        lo_r = None if lower[r] <= -1e20 else float(lower[r])
        up_r = None if upper[r] >= 1e20 else float(upper[r])
        g = np.flatnonzero(G[r]) if L else []
        if len(g):
            if lo_r is not None:
                m.rows.add(LinearExpression(constant=0.0, linear_coefs=coefs, linear_vars=xs) >= lo_r)
            if up_r is not None:
                m.rows.add(LinearExpression(constant=0.0, linear_coefs=coefs + [-float(G[r, j]) for j in g], linear_vars=xs + [m.u[int(j)] for j in g]) <= up_r)
        elif lo_r is not None or up_r is not None:
            m.rows.add(pyo.inequality(lo_r, LinearExpression(constant=0.0, linear_coefs=coefs, linear_vars=xs), up_r))
    nz = np.flatnonzero(part.cost)
    second = LinearExpression(constant=0.0, linear_coefs=(part.cost[nz] / 1000.0).tolist(), linear_vars=[m.x[int(j)] for j in nz])
    first = part.frac * (sum(float(c_l[j]) * m.u[j] for j in range(L)) + float(k_l.sum()))
    nonants = [m.u]
    if risk:
        alpha, lam = risk
        m.eta = pyo.Var()
        m.s = pyo.Var(within=pyo.NonNegativeReals)
        econ_nz = np.flatnonzero(part.econ)
        value = LinearExpression(constant=0.0, linear_coefs=(part.econ[econ_nz] / 1000.0).tolist(), linear_vars=[m.x[int(j)] for j in econ_nz])
        m.cvar_row = pyo.Constraint(expr=m.s + m.eta + value - first >= float(pb.v_ref[i]))
        first = first + lam * m.eta
        nonants.append(m.eta)
        second = second - lam * m.s / (1.0 - alpha)
    m.first_stage_cost = pyo.Expression(expr=first)
    m.obj = pyo.Objective(expr=m.first_stage_cost - second, sense=pyo.minimize)
    sputils.attach_root_node(m, m.first_stage_cost, nonants)
    m._mpisppy_probability = b.weight / sum(x.weight for x in pb.blocks)
    return m


def run_ph(pb, risk, *, fixed: dict[int, float] | None = None, iterations: int = 200, rho: float = 100.0, convthresh: float = 1e-6) -> PHOutcome:
    """Progressive hedging over every draw; on every rank returns the consensus levels (xbar)."""
    from mpi4py import MPI
    from mpisppy.opt.ph import PH

    names = [f"draw{b.draw}" for b in pb.blocks]
    index = {nm: i for i, nm in enumerate(names)}
    options = {
        "solver_name": "appsi_highs",
        "PHIterLimit": int(iterations),
        "defaultPHrho": float(rho),
        "convthresh": float(convthresh),
        "verbose": False,
        "display_progress": False,
        "display_timing": False,
        "iter0_solver_options": {},
        "iterk_solver_options": {},
        "linearize_proximal_terms": True,
        "proximal_linearization_tolerance": 1e-3,
    }

    def creator(name, **_):
        return scenario_model(pb, index[name], risk, fixed)

    ph = PH(options, names, creator)
    conv, _, trivial = ph.ph_main()
    L = len(pb.levers)
    s = next(iter(ph.local_scenarios.values()))
    xbar = s._mpisppy_model.xbars
    keys = sorted(xbar.keys(), key=lambda k: k[1])
    levels = np.array([float(pyo_value(xbar[k])) for k in keys[:L]])
    levels = np.clip(levels, [lv.lo for lv in pb.levers], [lv.hi for lv in pb.levers])
    comm = MPI.COMM_WORLD
    return PHOutcome(levels, -float(trivial), float(conv), int(getattr(ph, "_PHIter", 0)), comm.Get_rank(), comm.Get_size())


def pyo_value(v) -> float:
    import pyomo.environ as pyo

    return float(pyo.value(v))


def solve_ph(pb, risk, extra: dict):
    """The --mpi path of :func:`energy_routes.hedge.api.run`: PH for every on/off state; rank 0 gets the result.

    Returns (best, states) like :func:`~.extensive.solve_states`, with the levels from PH, the
    objective evaluated draw by draw at those levels (an inner bound) and the trivial bound kept in
    ``extra['ph']``; other ranks get (None, []).
    """
    from .evaluate import evaluate, objective
    from .extensive import EFResult, onoff_states

    results = []
    for state in onoff_states(pb.levers):
        out = run_ph(pb, risk, fixed=state, iterations=int(extra.get("ph_iterations", 200)), rho=float(extra.get("ph_rho", 100.0)))
        results.append((state, out))
    if results[0][1].rank != 0:
        return None, []
    states = []
    for state, out in results:
        ev = evaluate(pb.parts, pb.blocks, pb.levers, out.levels)
        inner = objective(ev.result_musd, ev.weights, pb.v_ref, risk)
        r = EFResult("PH (mpi-sppy)", bool(ev.optimal.all()), out.levels, inner, np.full(len(pb.levers), math.nan))
        extra.setdefault("ph", []).append({"state": {pb.levers[j].name: v for j, v in state.items()}, "levels": out.levels.tolist(), "inner_musd": inner, "outer_bound_musd": out.outer_bound_musd, "conv": out.conv, "ranks": out.size})
        states.append((state, r))
    best = max((r for _, r in states if r.optimal), key=lambda r: r.objective_musd, default=states[0][1])
    return best, states
