"""The same risk-neutral problem by the L-shaped method (multi-cut Benders), for many draws on one machine.

The extensive form's optimum is max_u Σ_d p_d Q_d(u) − cost(u), with Q_d(u) the
value (LP objective, tie-break included) of draw d's year LP when the rows a
lever raises get ``b_d + G_d u``. Q_d is concave and piecewise linear in u, and
a row dual y_d of draw d's LP at u gives a supergradient G_dᵀ y_d (only the
upper bounds move, so a row held at its lower bound contributes 0). The
master LP keeps one θ_d per draw with the cuts
``θ_d ≤ Q_d(u_k) + g_dk·(u − u_k)``; each iteration re-solves every draw warm
through its year's kernel (the path of ``risk``). It stops when the master's
bound and the best evaluated portfolio agree within ``tol`` (relative); the
answer then equals the extensive form's to that tolerance
(tests/test_hedge.py). CVaR is not offered here (use the extensive form).
"""

from __future__ import annotations

import math
import time

import highspy
import numpy as np

from ..solve import INF, new_highs
from .blocks import Block, Part
from .extensive import EFResult, best_state, linear_costs, onoff_states
from .levers import Lever, state_bounds


def _draw_value(part: Part, block: Block, parts: list[Part], u: np.ndarray) -> tuple[float, np.ndarray, float]:
    """Q_d(u) (M$, LP objective), its supergradient in u (M$ per unit), and the economic value (M$)."""
    lower, upper = block.bounds(parts, u)
    out = part.kernel.solve_all_rows(lower, upper)
    if not out.optimal:
        raise RuntimeError(f"draw {block.draw} is not solved at levels {u}: {out.status}")
    lp = part.kernel.lp
    x, y = lp.primal, lp.dual
    G = block.lever_matrix(parts)
    g = G.T @ np.maximum(y, 0.0) / 1000.0
    return float(part.cost @ x) / 1000.0, g, float(part.econ @ x) / 1000.0


def solve_lshaped(parts: list[Part], blocks: list[Block], levers: list[Lever], fixed: dict[int, float] | None = None, *, tol: float = 1e-9, max_iter: int = 500) -> EFResult:
    t0 = time.perf_counter()
    L, D = len(levers), len(blocks)
    lo, hi = state_bounds(levers, fixed)
    c_l, k_l = linear_costs(levers)
    w = np.array([b.weight for b in blocks], float)
    w = w / w.sum()
    frac = np.array([parts[b.part].frac for b in blocks])
    cost_coef = float((w * frac).sum())

    h = new_highs()
    # master columns: u (L), θ (D); maximise Σ w θ − Σ w f (c u + k)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = L + D, 0
    lp.col_cost_ = np.concatenate([-cost_coef * c_l, w])
    lp.col_lower_ = np.concatenate([lo, np.full(D, -INF)])
    lp.col_upper_ = np.concatenate([hi, np.full(D, INF)])
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.offset_ = -cost_coef * float(k_l.sum())
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.zeros(L + D + 1, np.int32)
    h.passModel(lp)

    def add_cuts(u: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        vals, econ, grads = np.zeros(D), np.zeros(D), np.zeros((D, L))
        for i, b in enumerate(blocks):
            vals[i], grads[i], econ[i] = _draw_value(parts[b.part], b, parts, u)
        # θ_d − g_d·u ≤ Q_d(u) − g_d·u
        starts = np.arange(D, dtype=np.int32) * (L + 1)
        idx = np.concatenate([np.concatenate([np.arange(L), [L + i]]) for i in range(D)]).astype(np.int32)
        val = np.concatenate([np.concatenate([-grads[i], [1.0]]) for i in range(D)])
        rhs = vals - grads @ u
        h.addRows(D, np.full(D, -INF), rhs, len(idx), starts, idx, val)
        return float(w @ vals - cost_coef * (c_l @ u + k_l.sum())), econ, grads

    best_val, best_u, best_econ, best_g = -math.inf, lo.copy(), np.zeros(D), np.zeros((D, L))
    for u0 in (hi.copy(), lo.copy()):  # Q_d is nondecreasing in u: the cuts at the top bound every θ
        v, econ, g = add_cuts(u0)
        if v > best_val:
            best_val, best_u, best_econ, best_g = v, u0, econ, g
    it, ub = 0, math.inf
    for it in range(1, max_iter + 1):
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return EFResult(h.modelStatusToString(h.getModelStatus()), False, np.full(L, math.nan), math.nan, np.full(L, math.nan))
        sol = np.asarray(h.getSolution().col_value)
        ub = float(h.getInfo().objective_function_value)
        u = np.clip(sol[:L], lo, hi)
        if ub - best_val <= tol * (1.0 + abs(ub)):
            break
        v, econ, g = add_cuts(u)
        if v > best_val:
            best_val, best_u, best_econ, best_g = v, u, econ, g
    marginal = w @ best_g - cost_coef * c_l
    r = EFResult("Optimal" if ub - best_val <= tol * (1.0 + abs(ub)) else "Iteration limit", ub - best_val <= tol * (1.0 + abs(ub)), best_u, best_val, marginal, seconds=time.perf_counter() - t0, iterations=it, block_values_musd=best_econ)
    r.rows, r.cols, r.gap_musd = h.getNumRow(), L + D, ub - best_val
    return r


def solve_states_lshaped(parts, blocks, levers, **kw):
    """Every on/off state by the L-shaped method; the best and all (like :func:`~.extensive.solve_states`)."""
    return best_state([(s, solve_lshaped(parts, blocks, levers, s, **kw)) for s in onoff_states(levers)])
