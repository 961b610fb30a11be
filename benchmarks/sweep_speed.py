"""Sweep throughput: the energy_routes sweep kernel against hand-written highspy loops on the same LPs.

Usage: python benchmarks/sweep_speed.py [--cases N] [--scenario outlook-2023-2030] [--resolution day] [--no-engine]

Cases: a disruption grid on the CPC terminal and pipeline (remaining 0, 0.33,
0.5, 0.67 × weeks 1, 2, 4, 8, 13 × every start month of the horizon). All
figures come from this one run, so the ratios hold even though HiGHS times
vary by ±20 % between runs on shared machines.

- reference Y: raw highspy, one LP per year (the decomposition energy_routes
  uses), only the years a case touches re-solved, every case's row bounds
  precomputed and pushed in place, each case warm-started from the
  **previous** case's basis (the fastest loop; its answers can depend on
  the order of the cases);
- reference Y-same-start: the same, but every case starts from the
  scenario's optimal basis (clear the solver, set the basis), which is what
  makes energy_routes' tables identical whatever the worker count, chunking
  or resumption (docs/model.md §4.2): the like-for-like reference;
- kernel: energy_routes' YearKernels in-process, chunks of 256 cases (bounds
  computed from the events with numpy for a whole chunk, results aggregated
  to years, economic duals and binding constraints named), no I/O; it and
  Y-same-start alternate ``--repeat`` times (a fresh kernel each round) and
  the best rate of each is kept, so load drifting during the run does not
  favour one of them;
- engine 1 / 2 workers: the whole ``disrupt`` pipeline (plan, workers,
  Parquet parts, tables, DuckDB), wall time including worker start-up.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import shutil
import tempfile
import time
from pathlib import Path

import highspy
import numpy as np

from energy_routes.load import load_inputs
from energy_routes.scenario import resolve
from energy_routes.sweep import api as sweep_api
from energy_routes.sweep.cases import events_from_json
from energy_routes.sweep.disrupt import build_plan, horizon_end, parse_starts
from energy_routes.sweep.kernel import YearKernels

ROOT = Path(__file__).resolve().parents[1]
CHUNK = 256


def raw_copy(h: highspy.Highs) -> highspy.Highs:
    """A plain highspy instance holding the same LP (no energy_routes code in the timed loop)."""
    g = highspy.Highs()
    g.setOptionValue("output_flag", False)
    g.setOptionValue("threads", 1)
    g.passModel(h.getLp())
    g.run()
    return g


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="outlook-2023-2030")
    ap.add_argument("--inputs", type=Path, default=ROOT / "inputs")
    ap.add_argument("--cases", type=int, default=0, help="use only the first N cases (0 = all)")
    ap.add_argument("--resolution", default="month", choices=("month", "week", "day"))
    ap.add_argument("--no-engine", action="store_true", help="skip the end-to-end disrupt runs")
    ap.add_argument("--repeat", type=int, default=3, help="rounds of (same-start reference, kernel), best of each kept")
    args = ap.parse_args()

    inputs = load_inputs(args.inputs)
    sc = resolve(inputs, args.scenario)
    sc = dataclasses.replace(sc, settings=sc.settings.model_copy(update={"resolution": args.resolution}))
    starts = parse_starts(f"{sc.months[0]}..{sc.months[-1]}")
    targets = ["cpc_terminal", "cpc_pipeline", "cpc_pipeline+cpc_terminal"]
    plan = build_plan(targets, [0, 0.33, 0.5, 0.67], [1, 2, 4, 8, 13], starts, horizon_end(sc))
    if args.cases:
        plan = plan.head(args.cases)
    cases = [events_from_json(e) for e in plan["events"]]
    n = len(cases)
    from importlib.metadata import version

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, highspy {version('highspy')}, load average {os.getloadavg()[0]:.1f}")
    t = time.perf_counter()
    split = YearKernels(sc, targets=["cpc_terminal", "cpc_pipeline"])
    build_s = time.perf_counter() - t
    k0 = split.parts[0].lp
    print(f"scenario {sc.name}, {args.resolution} periods: {n} disruption cases on {', '.join(targets)}; one year's LP {k0.num_cols} x {k0.num_rows}, {len(split.parts)} years, kernels built in {build_s:.1f} s")

    # every case's rows and bounds, per year, precomputed by the kernel (outside the timed loops)
    per_year = []
    for k, (todo, events) in zip(split.parts, split.cases_by_year(cases)):
        rows, lo, up = k.bounds_many(events) if todo else (None, None, None)
        per_year.append((todo, rows, lo, up))

    def reference(same_start: bool) -> float:
        secs = 0.0
        for yi, (todo, rows, lo, up) in enumerate(per_year):
            if not todo:
                continue
            k = split.parts[yi]
            g = raw_copy(k.lp.highs)
            basis = g.getBasis()
            r32 = rows.astype(np.int32)
            t = time.perf_counter()
            for c, _ in enumerate(todo):
                g.changeRowsBounds(len(r32), r32, lo[c], up[c])
                if same_start:
                    g.clearSolver()
                    g.setBasis(basis)
                g.run()
                g.getSolution()
            secs += time.perf_counter() - t
        return n / secs

    def kernel_rate(split) -> float:
        t = time.perf_counter()
        outs = []
        for i in range(0, n, CHUNK):
            outs += split.solve_many(cases[i : i + CHUNK])
        rate = n / (time.perf_counter() - t)
        assert all(o.optimal for o in outs)
        return rate

    # on a shared machine the load drifts during a run: the same-start reference and the kernel alternate
    # --repeat times (a fresh kernel each time, so none answers from an earlier round's repeats) and the
    # best of each is kept
    ref_y = reference(False)
    ref_s, ours_k = 0.0, 0.0
    for r in range(args.repeat):
        ref_s = max(ref_s, reference(True))
        ours_k = max(ours_k, kernel_rate(split if r == 0 else YearKernels(sc, targets=["cpc_terminal", "cpc_pipeline"])))

    engine = {}
    if not args.no_engine and not args.cases and args.resolution == "month":
        tmp = Path(tempfile.mkdtemp())
        try:
            for workers in (1, 2):
                t = time.perf_counter()
                sweep_api.disrupt(
                    args.scenario, inputs_dir=args.inputs, targets=targets, remaining="0,0.33,0.5,0.67", weeks="1,2,4,8,13",
                    starts=f"{sc.months[0]}..{sc.months[-1]}", out=tmp / f"w{workers}", workers=workers, quiet=True,
                )
                engine[workers] = time.perf_counter() - t
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    print(f"  reference Y            raw highspy, per-year LPs, warm from the previous case  {ref_y:8.4g} cases/s")
    print(f"  reference Y-same-start raw highspy, per-year LPs, each case from the base basis {ref_s:8.4g} cases/s")
    print(f"  kernel                 energy_routes YearKernels, chunks of {CHUNK}, best of {args.repeat}    {ours_k:8.4g} cases/s"
          f"   = {ours_k / ref_s:.2f}x Y-same-start, {ours_k / ref_y:.2f}x Y")
    for w, wall in engine.items():
        rate = n / wall
        print(f"  engine {w} worker(s)     disrupt end to end: {wall:6.1f} s wall = {rate:5.0f} cases/s = {rate / ref_s:.2f}x Y-same-start")


if __name__ == "__main__":
    main()
