"""Time of the hedge extensive form on the shipped inputs, and its ratio to HiGHS alone on the same matrix.

Usage: python benchmarks/hedge_speed.py [--draws 1000] [--scenario base-2024] [--lever NAME ...] [--solver choose|simplex|ipm]
       [--cold] [--lshaped-only] [--time-limit 1800] [--mpi-ranks 2 --ph-iterations 10]

Stages timed in this process: setup (resolve, compile each year's LP, the
draws' bounds and lever effects), building the block-angular matrix, and
solving it (every on/off state). The reference, measured in the same run, is
a fresh HiGHS instance given the finished matrix (``passModel``) and the same
starting basis (every block at the scenario's optimal basis), solving the
same states: "HiGHS alone". ``--cold`` also times HiGHS from scratch on the
same matrix. Prints both and the ratio (target <= 1.5x for build + solve
against HiGHS alone), and the peak memory of the process.

Where the extensive form stops fitting: its HiGHS solve gets ``--time-limit``
seconds per on/off state; if it does not finish, the benchmark says so (with
the simplex iterations done and the peak memory) and skips HiGHS alone. Then
it times the L-shaped method on the same draws (with its stated gap: the
master's bound minus the best portfolio evaluated draw by draw) and, with
``--mpi-ranks N``, the mpi-sppy run (``mpiexec -n N energy-routes hedge ...
--mpi --ph-iterations K`` in a subprocess: wall time and its stated gap, the
trivial outer bound minus the PH portfolio's value).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def peak_gb() -> float:
    """This process's peak resident memory, GB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=1000)
    ap.add_argument("--scenario", default="base-2024")
    ap.add_argument("--lever", action="append", default=[])
    ap.add_argument("--solver", default="choose")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--lshaped-only", action="store_true", help="time only the L-shaped method (no extensive form), e.g. at 10,000 draws")
    ap.add_argument("--cold", action="store_true", help="also time HiGHS from scratch on the same matrix (slow at 1,000 draws)")
    ap.add_argument("--time-limit", type=float, default=1800.0, help="seconds HiGHS may spend on the extensive form per on/off state")
    ap.add_argument("--mpi-ranks", type=int, default=0, help="also time the mpi-sppy run on this many MPI ranks (0: skip)")
    ap.add_argument("--ph-iterations", type=int, default=10, help="progressive-hedging iterations of the mpi-sppy run")
    args = ap.parse_args()

    from energy_routes.hedge.api import Request, setup
    from energy_routes.hedge.extensive import ExtensiveForm, onoff_states
    from energy_routes.hedge.levers import state_bounds
    from energy_routes.solve import new_highs

    t0 = time.perf_counter()
    pb = setup(Request(args.scenario, ROOT / "inputs", levers=tuple(args.lever), draws=args.draws))
    t_setup = time.perf_counter() - t0
    L = len(pb.levers)
    if args.lshaped_only:
        print(f"hedge L-shaped: {args.scenario}, {args.draws} draws, {L} levers")
        print(f"  setup (resolve, compile, draws, lever effects): {t_setup:8.2f} s")
        lshaped_and_mpi(args, pb, None)
        return
    t1 = time.perf_counter()
    ef = ExtensiveForm(pb.parts, pb.blocks, pb.levers, v_ref_musd=pb.v_ref, threads=args.threads, time_limit=args.time_limit)
    ef.highs.setOptionValue("solver", args.solver)
    t_build = time.perf_counter() - t1
    states = onoff_states(pb.levers)
    print(f"hedge extensive form: {args.scenario}, {args.draws} draws, {L} levers, {len(states)} on/off state(s), solver {args.solver}")
    print(f"  matrix: {ef.num_rows:,} rows x {ef.num_cols:,} columns, {ef.nonzeros:,} nonzeros; peak memory after the build {peak_gb():.2f} GB")
    print(f"  setup (resolve, compile, draws, lever effects): {t_setup:8.2f} s")
    print(f"  build the block-angular matrix:                {t_build:8.2f} s", flush=True)
    t2 = time.perf_counter()
    res = []
    for s in states:
        res.append(ef.solve(s))
        if not res[-1].optimal:
            break
    t_solve = time.perf_counter() - t2
    if not all(r.optimal for r in res):
        r = res[-1]
        print(f"  solve: NOT FINISHED: HiGHS stopped at '{r.status}' after {r.seconds:,.0f} s and {r.iterations:,} simplex iterations in state {len(res)} of {len(states)}")
        print(f"  the extensive form stops fitting in time at {args.draws:,} draws (limit {args.time_limit:,.0f} s per state); peak memory {peak_gb():.2f} GB")
        print("  HiGHS alone: not measured (it would run into the same limit)", flush=True)
        del ef
        lshaped_and_mpi(args, pb, None)
        return

    # HiGHS alone: the same matrix and starting basis handed to a fresh instance, the same states solved
    h = new_highs()
    h.setOptionValue("threads", args.threads)
    h.setOptionValue("solver", args.solver)
    h.passModel(ef.lp)
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
        del hc
    # the same draws one by one through the kernel at the chosen levels (what evaluation costs)
    from energy_routes.hedge.evaluate import evaluate

    best0 = max((r for r in res if r.optimal), key=lambda r: r.objective_musd)
    t5 = time.perf_counter()
    evaluate(pb.parts, pb.blocks, pb.levers, best0.levels)
    t_eval = time.perf_counter() - t5

    print(f"  solve (all states):                            {t_solve:8.2f} s ({sum(r.iterations for r in res):,} simplex iterations)")
    print(f"  HiGHS alone on the same matrix and basis:      {t_alone:8.2f} s")
    if t_cold is not None:
        print(f"  HiGHS alone from scratch (no warm basis):      {t_cold:8.2f} s")
    print(f"  every draw re-solved alone at the optimum:     {t_eval:8.2f} s")
    print(f"  ratio build+solve / HiGHS alone: {(t_build + t_solve) / t_alone:5.2f}x (target <= 1.5x)")
    print(f"  ratio end to end (setup too) / HiGHS alone: {(t_setup + t_build + t_solve) / t_alone:5.2f}x")
    print(f"  peak memory: {peak_gb():.2f} GB")
    print("  levels: " + ", ".join(f"{lv.name}={u:.4g} {lv.unit}" for lv, u in zip(pb.levers, best0.levels)), flush=True)
    del ef, h
    lshaped_and_mpi(args, pb, best0)


def lshaped_and_mpi(args, pb, best0) -> None:
    """The L-shaped method on the same draws (and, with --mpi-ranks, the mpi-sppy run), with their stated gaps."""
    from energy_routes.hedge.lshaped import solve_states_lshaped

    t6 = time.perf_counter()
    ls, _ = solve_states_lshaped(pb.parts, pb.blocks, pb.levers)
    t_ls = time.perf_counter() - t6
    same = ""
    if best0 is not None:
        same = ", objective equal to the extensive form's" if abs(ls.objective_musd - best0.objective_musd) <= 1e-7 * abs(best0.objective_musd) else ", objective DIFFERENT from the extensive form's"
    print(f"  L-shaped on the same draws (--method lshaped): {t_ls:8.2f} s, {ls.iterations} master iterations in the best state, "
          f"objective {ls.objective_musd:,.1f} M$/yr, stated gap {ls.gap_musd:.3g} M$/yr ({ls.gap_musd / abs(ls.objective_musd):.1e} relative){same}")
    print("  L-shaped levels: " + ", ".join(f"{lv.name}={u:.4g} {lv.unit}" for lv, u in zip(pb.levers, ls.levels)), flush=True)
    if not args.mpi_ranks:
        return
    exe = Path(sys.executable).parent
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "h"
        cmd = [str(exe / "mpiexec"), "-n", str(args.mpi_ranks), str(exe / "energy-routes"), "hedge", args.scenario, "--inputs", str(ROOT / "inputs"), "--draws", str(args.draws),
               "--mpi", "--ph-iterations", str(args.ph_iterations), "--no-evpi", "--oos-draws", "2", "--quiet", "--out", str(out)]
        for lv in args.lever:
            cmd += ["--lever", lv]
        t7 = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True)
        t_mpi = time.perf_counter() - t7
        if done.returncode != 0:
            print(f"  mpi-sppy: FAILED (exit {done.returncode}): {done.stderr.strip()[-400:]}")
            return
        man = json.loads((out / "manifest.json").read_text())
    ph = max(man["mpi"], key=lambda p: p["inner_musd"])
    gap = ph["outer_bound_musd"] - ph["inner_musd"]
    print(f"  mpi-sppy PH on {args.mpi_ranks} ranks, {args.ph_iterations} iterations, every on/off state: {t_mpi:8.2f} s wall "
          f"({man['timings_seconds']['extensive_form']:.1f} s in PH), stated gap {gap:,.1f} M$/yr ({gap / abs(ph['inner_musd']):.2%}; "
          f"inner {ph['inner_musd']:,.1f}, outer bound {ph['outer_bound_musd']:,.1f})")
    print("  PH levels: " + ", ".join(f"{k}={v:.4g}" for k, v in zip(man["request"]["levers"], ph["levels"])))


if __name__ == "__main__":
    main()
