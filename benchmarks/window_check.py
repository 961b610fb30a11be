"""Would solving only a draw's disrupted window of the year LP be exact? A check on the risk draws.

Usage: python benchmarks/window_check.py [--draws 2000] [--scenario outlook-2023-2030]

The idea (issue 11): stores are held at their working level in settled periods, schedules are monthly and
annual caps on acceptor-covered routes hold planned volume only, so a draw's year LP might decouple: the
periods before its first disrupted period, and those after the system has settled again, would keep the
scenario's solution, and only the window between would need re-solving. That is exact only if the full
re-solve's solution equals the scenario's outside the window. This script measures it directly, without
assuming which constraints link periods (that is read from the matrix: a row links the periods of the
columns it has): for the first ``--draws`` risk draws (the seed of ``risk``), it re-solves each draw's year
LP with raw highspy from the scenario's basis (as the kernel does), and compares every column with the
scenario's optimum, period by period.

Printed per year and in total: draws with events; draws whose solution changes in a period *before* the
first period whose bounds the draw changes (the LP anticipates: no window starting at the disruption can
be exact), and which variable families change there; the window a draw would need at the least (from the
first to the last period whose bounds or solution change) as a share of the year.
"""

from __future__ import annotations

import argparse
import os
from collections import Counter
from pathlib import Path

import highspy
import numpy as np
import pandas as pd

from energy_routes.load import load_inputs
from energy_routes.scenario import resolve
from energy_routes.sweep.api import _oil_ids
from energy_routes.sweep.disrupt import horizon_end
from energy_routes.sweep.hazards import load_hazards
from energy_routes.sweep.kernel import YearKernels
from energy_routes.sweep.risk import events_for_draw

ROOT = Path(__file__).resolve().parents[1]
TOL = 1e-6  # kt: a column "changes" when it moves by more than this


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=2000)
    ap.add_argument("--scenario", default="outlook-2023-2030")
    ap.add_argument("--seed", type=int, default=20240217)
    ap.add_argument("--certify", type=int, default=0, help="try the window decomposition on this many draws")
    ap.add_argument("--certify-year", type=int, default=2025)
    ap.add_argument("--pin-shares", action="store_true", help="what if: each source's level held at the scenario's in every period its store is held at its working level (per-source store shares pinned)")
    args = ap.parse_args()
    sc = resolve(load_inputs(ROOT / "inputs"), args.scenario, [])
    hazards, _ = load_hazards(ROOT / "inputs", _oil_ids(sc))
    start, end = pd.Timestamp(sc.months[0].start_time), pd.Timestamp(horizon_end(sc))
    yk = YearKernels(sc, targets=sorted({h.target for h in hazards}))
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; {args.scenario}, first {args.draws} risk draws (seed {args.seed})")
    tot = Counter()
    fam_before: Counter = Counter()
    shares: list[float] = []
    for y, k in zip(yk.years, yk.parts):
        ev = [events_for_draw(hazards, args.seed, d, y, start, end) for d in range(args.draws) if yk.years[d % len(yk.years)] == y]
        ev = [e for e in ev if e]
        if not ev:
            continue
        lp = k.lp
        P = len(k.params.periods)
        labels = list(k.params.periods.labels)
        col_per = np.full(lp.num_cols, -1)
        col_fam = np.empty(lp.num_cols, dtype=object)
        for name, keys in k.spec.var_keys.items():
            cols = lp.cols_of(name, len(keys))
            ok = cols >= 0
            col_per[cols[ok]] = np.array([labels.index(key[-1]) for key in keys])[ok]
            col_fam[cols[ok]] = name
        # the periods a row spans, from its columns (annual rows span their year, balances two periods)
        A = _matrix(lp.highs).tocsr()
        row_first = np.array([col_per[A.indices[A.indptr[i] : A.indptr[i + 1]]].min() for i in range(A.shape[0])])
        row_last = np.array([col_per[A.indices[A.indptr[i] : A.indptr[i + 1]]].max() for i in range(A.shape[0])])
        rows, lo, up = k.bounds_many(ev)
        g = highspy.Highs()
        g.setOptionValue("output_flag", False)
        g.setOptionValue("threads", 1)
        g.passModel(lp.highs.getLp())
        g.run()
        basis = g.getBasis()
        x0 = np.asarray(g.getSolution().col_value)
        y0 = np.asarray(g.getSolution().row_dual)
        base_lp = g.getLp()
        r32 = rows.astype(np.int32)
        store_rows = lp.rows_of("store_hold", len(k.spec.cons["store_hold"].keys)) if "store_hold" in k.spec.cons else np.zeros(0, np.int64)
        col_lo0, col_up0 = np.asarray(lp.highs.getLp().col_lower_), np.asarray(lp.highs.getLp().col_upper_)
        c = Counter()
        for i in range(len(ev)):
            changed = rows[(lo[i] != k.base_lower[rows]) | (up[i] != k.base_upper[rows])]
            if not len(changed):
                continue
            g.changeRowsBounds(len(r32), r32, lo[i], up[i])
            if args.pin_shares:
                L, U = k.base_lower.copy(), k.base_upper.copy()
                L[rows], U[rows] = lo[i], up[i]
                held = store_rows[(store_rows >= 0)]
                held = held[L[held] == U[held]]
                cols = np.unique(A[held].indices).astype(np.int32)
                clo, cup = col_lo0.copy(), col_up0.copy()
                clo[cols] = cup[cols] = x0[cols]
                g.changeColsBounds(len(clo), np.arange(len(clo), dtype=np.int32), clo, cup)
            g.clearSolver()
            g.setBasis(basis)
            g.run()
            if g.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                c["not optimal"] += 1
                continue
            x = np.asarray(g.getSolution().col_value)
            moved = np.abs(x - x0) > TOL
            a = int(row_first[changed].min())
            c["draws"] += 1
            if y == args.certify_year and c["draws"] <= args.certify:
                L, U = k.base_lower.copy(), k.base_upper.copy()
                L[rows], U[rows] = lo[i], up[i]
                w = certified_window(base_lp, A, col_per, x0, y0, L, U, a, int(row_last[changed].max()), P)
                c["certified shorter than the year"] += w is not None and w < P
                c["certify tried"] += 1
            if not moved.any():
                c["solution unchanged"] += 1
                continue
            per = col_per[moved]
            if per.min() < a:
                c["anticipates"] += 1
                fam_before.update(set(col_fam[moved & (col_per < a)]))
            lo_p, hi_p = min(a, int(per.min())), max(int(per.max()), int(row_last[changed].max()))
            shares.append((hi_p - lo_p + 1) / P)
            if hi_p - lo_p + 1 == P:
                c["whole year"] += 1
        g.changeRowsBounds(len(r32), r32, k.base_lower[rows], k.base_upper[rows])
        tot.update(c)
        if c["certify tried"]:
            print(f"  {y}: window decomposition certified on {c['certified shorter than the year']} of {c['certify tried']} draws with a window shorter than the year")
        print(f"  {y}: {c['draws']} draws re-solved, {c['solution unchanged']} unchanged, {c['anticipates']} change before their first disrupted period, {c['whole year']} need the whole year")
    s = np.array(shares)
    print(f"total: {tot['draws']} draws re-solved; solution unchanged {tot['solution unchanged']}; anticipating {tot['anticipates']} "
          f"({tot['anticipates'] / max(tot['draws'], 1):.0%}); needing the whole year {tot['whole year']} ({tot['whole year'] / max(tot['draws'], 1):.0%})")
    if len(s):
        print(f"  least window (first to last period whose bounds or solution change), share of the year: mean {s.mean():.2f}, median {np.median(s):.2f}")
    print("  variable families that change before the first disrupted period: " + ", ".join(f"{f} {n}" for f, n in fam_before.most_common()))


def certified_window(lp, A, col_per, x0, y0, L, U, a: int, b: int, P: int, tol: float = 1e-7) -> int | None:
    """The length of the shortest window [a, b + ext] whose solve, with every other column at the scenario's
    value ``x0``, is certified optimal for the whole year under the case's row bounds ``L``, ``U`` (None: none
    is). ``lp`` is the year's LP (its matrix, costs and column bounds), ``y0`` the scenario's row duals."""
    from energy_routes.solve import highs_bounds

    cost, cl, cu = np.asarray(lp.col_cost_), np.asarray(lp.col_lower_), np.asarray(lp.col_upper_)
    Acsr = A.tocsr()
    for ext in (0, 1, 3, P):
        end = min(P - 1, b + ext)
        inside = (col_per >= a) & (col_per <= end)
        wc, oc = np.flatnonzero(inside), np.flatnonzero(~inside)
        wr = np.flatnonzero(np.asarray(abs(Acsr[:, wc]).sum(axis=1)).ravel() > 0)
        shift = Acsr[wr][:, oc] @ x0[oc]
        Aw = A[wr][:, wc].tocsc()
        w = highspy.HighsLp()
        w.num_col_, w.num_row_ = len(wc), len(wr)
        w.col_cost_, w.col_lower_, w.col_upper_ = cost[wc], cl[wc], cu[wc]
        w.row_lower_, w.row_upper_ = highs_bounds(L[wr] - shift, U[wr] - shift)
        w.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        w.a_matrix_.start_, w.a_matrix_.index_, w.a_matrix_.value_ = Aw.indptr.astype(np.int32), Aw.indices.astype(np.int32), Aw.data
        w.sense_ = lp.sense_
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.passModel(w)
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            continue
        y = y0.copy()
        y[wr] = np.asarray(h.getSolution().row_dual)
        J = oc[np.unique(Acsr[wr][:, oc].indices)]  # outside columns sharing a row with the window
        d = cost[J] - A[:, J].T @ y
        at_lo, at_up = x0[J] <= cl[J] + 1e-9, x0[J] >= cu[J] - 1e-9
        ok = np.where(at_lo & at_up, True, np.where(at_lo, d <= tol, np.where(at_up, d >= -tol, np.abs(d) <= tol)))  # maximisation
        if ok.all():
            return end - a + 1
    return None


def _matrix(h: highspy.Highs):
    import scipy.sparse as sp

    lp = h.getLp()
    a = lp.a_matrix_
    return sp.csc_matrix((np.asarray(a.value_), np.asarray(a.index_), np.asarray(a.start_)), shape=(lp.num_row_, lp.num_col_))


if __name__ == "__main__":
    main()
