"""The extensive form: one block-angular LP over every draw, solved by HiGHS.

Columns: the first-stage lever levels u (shared), then, with a CVaR term,
the Rockafellar–Uryasev variables η and s_d, then each draw's copy x_d of
the year's LP columns. Rows: each draw's copy of the year's rows,
``A x_d − G_d u ≤ b_d`` on the rows a lever raises (a row that also has a
lower bound keeps it on its own copy, so a range never tilts with u), the
others ``b_d^lo ≤ A x_d ≤ b_d^up`` as the draw has them; with CVaR one row
per draw ``s_d + η + c·x_d − 1000 f_d Σ_l c_l u_l ≥ 1000 (V_ref + f_d Σ_l k_l)``
(k$). The objective (docs/model.md §5) is maximised:

    Σ_d w_d c̃·x_d − 1000 Σ_d w_d f_d Σ_l (c_l u_l + k_l) − λ 1000 (η + Σ_d w_d s_d / (1 − α))

with c̃ the LP's costs (economic plus the registry's tie-break) and, for an
on/off lever, c_l = F_l/(max − min), k_l = −F_l min/(max − min), exact at
its two states. On/off levers are enumerated (:func:`solve_states`): each
state fixes their columns, so every solve is an LP with duals.
"""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass, field

import highspy
import numpy as np
import scipy.sparse as sp

from ..solve import INF, highs_bounds, new_highs
from .blocks import Block, Part
from .levers import Lever, state_bounds


def linear_costs(levers: list[Lever]) -> tuple[np.ndarray, np.ndarray]:
    """Per lever (c_l, k_l): its annual cost is c_l u + k_l (M$/yr), exact at an on/off lever's two states."""
    c, k = np.zeros(len(levers)), np.zeros(len(levers))
    for j, lv in enumerate(levers):
        if lv.onoff:
            span = lv.hi - lv.lo
            c[j] = lv.cost / span if span > 0 else 0.0
            k[j] = -lv.cost * lv.lo / span if span > 0 else lv.cost
        else:
            c[j] = lv.cost
    return c, k


#: every basis status by its code (a look-up is ~17× faster than calling the enum per entry at a million columns)
_STATUS = [highspy.HighsBasisStatus(i) for i in range(5)]  # kLower, kBasic, kUpper, kZero, kNonbasic


def statuses(codes: np.ndarray) -> list:
    """HiGHS basis statuses of an array of their integer codes."""
    return [_STATUS[v] for v in codes.tolist()]


@dataclass
class EFResult:
    status: str
    optimal: bool
    levels: np.ndarray  # u
    objective_musd: float  # E[LP value] − lever cost − λ CVaR, M$/yr (LP value includes the tie-break)
    marginal_musd: np.ndarray  # d objective / d u_l at the optimum, net of the lever's cost (M$/yr per unit)
    eta_musd: float = math.nan
    seconds: float = 0.0
    build_seconds: float = 0.0
    iterations: int = 0
    rows: int = 0
    cols: int = 0
    nonzeros: int = 0
    block_values_musd: np.ndarray = field(default_factory=lambda: np.zeros(0))  # economic value c·x_d of each block, M$
    gap_musd: float = 0.0  # a decomposition's bound minus its best objective when it stopped (0 for the extensive form)


class ExtensiveForm:
    """The extensive form of ``blocks`` built once; :meth:`solve` fixes some lever columns and solves."""

    def __init__(self, parts: list[Part], blocks: list[Block], levers: list[Lever], *, cvar: tuple[float, float] | None = None, v_ref_musd=0.0, threads: int = 1, time_limit: float | None = None):
        t0 = time.perf_counter()
        self.parts, self.blocks, self.levers = parts, blocks, levers
        L, D = len(levers), len(blocks)
        self.L, self.D = L, D
        alpha, lam = cvar if cvar else (0.0, 0.0)
        self.cvar = cvar is not None and lam > 0
        c_l, k_l = linear_costs(levers)
        w = np.array([b.weight for b in blocks])
        self.scale = scale = 1.0 / w.max() if D else 1.0
        frac = np.array([parts[b.part].frac for b in blocks])

        ncv = (1 + D) if self.cvar else 0
        self.x_off = np.zeros(D, np.int64)
        col = L + ncv
        for i, b in enumerate(blocks):
            self.x_off[i] = col
            col += parts[b.part].A.shape[1]
        ncol = col

        rows_i, cols_i, vals = [], [], []
        lo_parts, up_parts = [], []
        B = highspy.HighsBasisStatus
        warm = all(parts[b.part].col_status is not None for b in blocks)
        cst, rst = [], []  # the warm-start basis, assembled block by block
        r0 = 0
        self.row_off = np.zeros(D, np.int64)
        for i, b in enumerate(blocks):
            p = parts[b.part]
            A = p.A.tocoo()
            m = A.shape[0]
            lower, upper = b.bounds(parts)
            G = b.lever_matrix(parts)
            hit = np.flatnonzero(np.any(G != 0, axis=1)) if L else np.zeros(0, np.int64)
            ranged = hit[np.isfinite(lower[hit]) & (lower[hit] > -INF)]
            self.row_off[i] = r0
            # the block's own rows
            rows_i.append(A.row + r0)
            cols_i.append(A.col + self.x_off[i])
            vals.append(A.data)
            up = upper.copy()
            inplace = np.setdiff1d(hit, ranged)
            # ranged rows keep their lower bound here; their upper bound moves to a copy below
            up[ranged] = INF
            for r in inplace:
                nz = np.flatnonzero(G[r])
                rows_i.append(np.full(len(nz), r0 + r))
                cols_i.append(nz)
                vals.append(-G[r, nz])
            lo_parts.append(lower)
            up_parts.append(up)
            if warm:
                rs = p.row_status.copy()
                moved = ranged[rs[ranged] == int(B.kUpper)]  # binding at the upper bound that moved to the copy
                rs[moved] = int(B.kBasic)
                cst.append(p.col_status)
                rst.append(rs)
                if len(ranged):
                    cp = np.full(len(ranged), int(B.kBasic), np.int8)
                    cp[np.isin(ranged, moved)] = int(B.kUpper)
                    rst.append(cp)
            r0 += m
            if len(ranged):
                Acsr = p.A
                sub = Acsr[ranged].tocoo()
                rows_i.append(sub.row + r0)
                cols_i.append(sub.col + self.x_off[i])
                vals.append(sub.data)
                for j, r in enumerate(ranged):
                    nz = np.flatnonzero(G[r])
                    rows_i.append(np.full(len(nz), r0 + j))
                    cols_i.append(nz)
                    vals.append(-G[r, nz])
                lo_parts.append(np.full(len(ranged), -INF))
                up_parts.append(upper[ranged])
                r0 += len(ranged)
        self.cvar_row0 = r0
        if self.cvar:
            eta = L
            for i, b in enumerate(blocks):
                p = parts[b.part]
                nz = np.flatnonzero(p.econ)
                rows_i += [np.array([r0 + i, r0 + i]), np.full(len(nz), r0 + i), np.full(L, r0 + i)]
                cols_i += [np.array([L + 1 + i, eta]), nz + self.x_off[i], np.arange(L)]
                vals += [np.array([1.0, 1.0]), p.econ[nz], -1000.0 * frac[i] * c_l]
            lo_parts.append(1000.0 * (np.broadcast_to(np.asarray(v_ref_musd, float), (D,)) + frac * k_l.sum()))
            rst.append(np.full(D, int(B.kLower), np.int8))
            up_parts.append(np.full(D, INF))
            r0 += D
        nrow = r0
        A_all = sp.csc_matrix((np.concatenate(vals) if vals else np.zeros(0), (np.concatenate(rows_i) if rows_i else np.zeros(0, np.int64), np.concatenate(cols_i) if cols_i else np.zeros(0, np.int64))), shape=(nrow, ncol))
        A_all.sum_duplicates()

        cost = np.zeros(ncol)
        col_lo, col_up = np.zeros(ncol), np.zeros(ncol)
        cost[:L] = -1000.0 * scale * float((w * frac).sum()) * c_l
        col_lo[:L] = [lv.lo for lv in levers]
        col_up[:L] = [lv.hi for lv in levers]
        if self.cvar:
            cost[L] = -lam * scale  # η in k$
            col_lo[L], col_up[L] = -INF, INF
            cost[L + 1 : L + 1 + D] = -lam * scale * w / (1.0 - alpha)
            col_lo[L + 1 : L + 1 + D], col_up[L + 1 : L + 1 + D] = 0.0, INF
        for i, b in enumerate(blocks):
            p = parts[b.part]
            n = p.A.shape[1]
            sl = slice(self.x_off[i], self.x_off[i] + n)
            cost[sl] = scale * w[i] * p.cost
            col_lo[sl], col_up[sl] = p.col_lower, p.col_upper
        self.offset = -1000.0 * scale * float((w * frac).sum()) * k_l.sum()

        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = ncol, nrow
        lp.col_cost_ = cost
        lp.col_lower_, lp.col_upper_ = highs_bounds(col_lo, col_up)
        lo_all, up_all = np.concatenate(lo_parts), np.concatenate(up_parts)
        lp.row_lower_, lp.row_upper_ = highs_bounds(lo_all, up_all)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = A_all.indptr.astype(np.int32)
        lp.a_matrix_.index_ = A_all.indices.astype(np.int32)
        lp.a_matrix_.value_ = A_all.data.astype(float)
        lp.sense_ = highspy.ObjSense.kMaximize
        lp.offset_ = self.offset
        self.lp = lp
        self.nonzeros = int(A_all.nnz)
        self.num_rows, self.num_cols = nrow, ncol
        h = new_highs()
        h.setOptionValue("threads", int(threads))
        if time_limit:
            h.setOptionValue("time_limit", float(time_limit))
        h.passModel(lp)
        self.highs = h
        self.warm_basis = None
        self._solved = False
        if warm and D:
            head = np.full(L, int(B.kLower), np.int8)
            if self.cvar:
                head = np.concatenate([head, [int(B.kZero)], np.full(D, int(B.kBasic), np.int8)])
            col_codes = np.concatenate([head, *cst])
            row_codes = np.concatenate(rst)
            if len(col_codes) == ncol and len(row_codes) == nrow:
                basis = highspy.HighsBasis()
                basis.col_status = statuses(col_codes)
                basis.row_status = statuses(row_codes)
                basis.valid = True
                self.warm_basis = basis
        self.build_seconds = time.perf_counter() - t0

    def solve(self, fixed: dict[int, float] | None = None) -> EFResult:
        """Solve with lever columns ``fixed`` {index: level} (the others between their bounds)."""
        h, L = self.highs, self.L
        lo, hi = state_bounds(self.levers, fixed)
        if L:
            h.changeColsBounds(L, np.arange(L, dtype=np.int32), lo, hi)
        if self.warm_basis is not None and not self._solved:
            h.setBasis(self.warm_basis)
        self._solved = True
        t0 = time.perf_counter()
        h.run()
        secs = time.perf_counter() - t0
        status = h.getModelStatus()
        text = h.modelStatusToString(status)
        info = h.getInfo()
        if status != highspy.HighsModelStatus.kOptimal:
            return EFResult(text, False, np.full(L, math.nan), math.nan, np.full(L, math.nan), seconds=secs, build_seconds=self.build_seconds, iterations=int(info.simplex_iteration_count), rows=self.num_rows, cols=self.num_cols, nonzeros=self.nonzeros)
        sol = h.getSolution()
        x = np.asarray(sol.col_value)
        cd = np.asarray(sol.col_dual)
        values = np.array([float(self.parts[b.part].econ @ x[self.x_off[i] : self.x_off[i] + self.parts[b.part].A.shape[1]]) / 1000.0 for i, b in enumerate(self.blocks)])
        return EFResult(
            text,
            True,
            x[:L].copy(),
            float(info.objective_function_value) / self.scale / 1000.0,
            cd[:L] / self.scale / 1000.0,
            float(x[L]) / 1000.0 if self.cvar else math.nan,
            secs,
            self.build_seconds,
            int(info.simplex_iteration_count) + int(info.ipm_iteration_count),
            self.num_rows,
            self.num_cols,
            self.nonzeros,
            values,
        )


def onoff_states(levers: list[Lever]) -> list[dict[int, float]]:
    """Every combination of the on/off levers' two states, as fixed column levels."""
    idx = [j for j, lv in enumerate(levers) if lv.onoff]
    return [dict(zip(idx, combo)) for combo in itertools.product(*[(levers[j].lo, levers[j].hi) for j in idx])]


def solve_states(ef: ExtensiveForm) -> tuple[EFResult, list[tuple[dict[int, float], EFResult]]]:
    """Solve every on/off state; the best (ties: the first, i.e. the fewest levers on) and all of them."""
    return best_state([(state, ef.solve(state)) for state in onoff_states(ef.levers)])


def best_state(results: list) -> tuple:
    """The best optimal result of (state, result) pairs (ties: the first, i.e. the fewest levers on), and all of
    them; the first result when none is optimal."""
    ok = [(s, r) for s, r in results if r.optimal]
    if not ok:
        return results[0][1], results
    best = ok[0]
    for s, r in ok[1:]:
        if r.objective_musd > best[1].objective_musd + 1e-9 * (1 + abs(best[1].objective_musd)):
            best = (s, r)
    return best[1], results
