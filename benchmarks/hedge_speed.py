"""Time of the hedge extensive form on the shipped inputs, and its ratio to HiGHS alone on the same matrix.

Usage: python benchmarks/hedge_speed.py [--draws 1000] [--scenario base-2024] [--lever NAME ...] [--solver choose|simplex|ipm] [--cold] [--lshaped-only]

Stages timed in this process: setup (resolve, compile each year's LP, the
draws' bounds and lever effects), building the block-angular matrix, and
solving it (every on/off state). The reference, measured in the same run, is
a fresh HiGHS instance given the finished matrix (``passModel``) and the same
starting basis (every block at the scenario's optimal basis), solving the
same states: "HiGHS alone". ``--cold`` also times HiGHS from scratch. Prints both and the ratio (target <= 1.5x for
build + solve against HiGHS alone).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=1000)
    ap.add_argument("--scenario", default="base-2024")
    ap.add_argument("--lever", action="append", default=[])
    ap.add_argument("--solver", default="choose")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--lshaped-only", action="store_true", help="time only the L-shaped method (no extensive form), e.g. at 10,000 draws")
    ap.add_argument("--cold", action="store_true", help="also time HiGHS from scratch on the same matrix (slow at 1,000 draws)")
    args = ap.parse_args()

    from energy_routes.hedge.api import Request, setup
    from energy_routes.hedge.extensive import ExtensiveForm, onoff_states
    from energy_routes.hedge.levers import state_bounds
    from energy_routes.solve import new_highs

    t0 = time.perf_counter()
    pb = setup(Request(args.scenario, ROOT / "inputs", levers=tuple(args.lever), draws=args.draws))
    t_setup = time.perf_counter() - t0
    if args.lshaped_only:
        from energy_routes.hedge.lshaped import solve_states_lshaped

        t1 = time.perf_counter()
        best, _ = solve_states_lshaped(pb.parts, pb.blocks, pb.levers)
        t_ls = time.perf_counter() - t1
        print(f"hedge L-shaped: {args.scenario}, {args.draws} draws, {len(pb.levers)} levers")
        print(f"  setup (resolve, compile, draws, lever effects): {t_setup:8.2f} s")
        print(f"  L-shaped, all states: {t_ls:8.2f} s ({best.iterations} master iterations in the best state)")
        print("  levels: " + ", ".join(f"{lv.name}={u:.4g} {lv.unit}" for lv, u in zip(pb.levers, best.levels)))
        return
    t1 = time.perf_counter()
    ef = ExtensiveForm(pb.parts, pb.blocks, pb.levers, v_ref_musd=pb.v_ref, threads=args.threads)
    ef.highs.setOptionValue("solver", args.solver)
    t_build = time.perf_counter() - t1
    states = onoff_states(pb.levers)
    t2 = time.perf_counter()
    res = [ef.solve(s) for s in states]
    t_solve = time.perf_counter() - t2

    # HiGHS alone: the same matrix and starting basis handed to a fresh instance, the same states solved
    h = new_highs()
    h.setOptionValue("threads", args.threads)
    h.setOptionValue("solver", args.solver)
    h.passModel(ef.lp)
    L = len(pb.levers)
    t3 = time.perf_counter()
    if ef.warm_basis is not None:
        h.setBasis(ef.warm_basis)
    objs = []
    for s in states:
        h.changeColsBounds(L, np.arange(L, dtype=np.int32), *state_bounds(pb.levers, s))
        h.run()
        objs.append(h.getInfo().objective_function_value)
    t_alone = time.perf_counter() - t3
    for r, o in zip(res, objs):
        assert abs(r.objective_musd * ef.scale * 1000 - o) <= 1e-6 * (1 + abs(o)), "the two solves disagree"
    t_cold = None
    if args.cold:  # HiGHS from scratch (presolve, crash), for the value of the warm start
        hc = new_highs()
        hc.setOptionValue("threads", args.threads)
        hc.setOptionValue("solver", args.solver)
        hc.passModel(ef.lp)
        t4 = time.perf_counter()
        for s in states:
            hc.changeColsBounds(L, np.arange(L, dtype=np.int32), *state_bounds(pb.levers, s))
            hc.run()
        t_cold = time.perf_counter() - t4
    # the same draws one by one through the kernel at the chosen levels (what evaluation costs)
    from energy_routes.hedge.evaluate import evaluate

    best0 = max((r for r in res if r.optimal), key=lambda r: r.objective_musd)
    t5 = time.perf_counter()
    evaluate(pb.parts, pb.blocks, pb.levers, best0.levels)
    t_eval = time.perf_counter() - t5

    print(f"hedge extensive form: {args.scenario}, {args.draws} draws, {L} levers, {len(states)} on/off state(s), solver {args.solver}")
    print(f"  matrix: {ef.num_rows:,} rows x {ef.num_cols:,} columns, {ef.nonzeros:,} nonzeros")
    print(f"  setup (resolve, compile, draws, lever effects): {t_setup:8.2f} s")
    print(f"  build the block-angular matrix:                {t_build:8.2f} s")
    print(f"  solve (all states):                            {t_solve:8.2f} s")
    print(f"  HiGHS alone on the same matrix and basis:      {t_alone:8.2f} s")
    if t_cold is not None:
        print(f"  HiGHS alone from scratch (no warm basis):      {t_cold:8.2f} s")
    print(f"  every draw re-solved alone at the optimum:     {t_eval:8.2f} s")
    print(f"  ratio build+solve / HiGHS alone: {(t_build + t_solve) / t_alone:5.2f}x (target <= 1.5x)")
    print(f"  ratio end to end (setup too) / HiGHS alone: {(t_setup + t_build + t_solve) / t_alone:5.2f}x")
    from energy_routes.hedge.lshaped import solve_states_lshaped

    t6 = time.perf_counter()
    ls, _ = solve_states_lshaped(pb.parts, pb.blocks, pb.levers)
    t_ls = time.perf_counter() - t6
    print(f"  L-shaped on the same draws (--method lshaped): {t_ls:8.2f} s, objective {'equal' if abs(ls.objective_musd - best0.objective_musd) <= 1e-7 * abs(best0.objective_musd) else 'DIFFERENT'}")
    best = best0
    print("  levels: " + ", ".join(f"{lv.name}={u:.4g} {lv.unit}" for lv, u in zip(pb.levers, best.levels)))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
