"""Sweep throughput: the energy_routes sweep machinery against hand-written highspy loops on the same LPs.

Usage: python benchmarks/sweep_speed.py [--cases N] [--scenario outlook-2023-2030]

Cases: a disruption grid on the CPC terminal (remaining 0, 0.33, 0.5, 0.67 ×
weeks 1, 2, 4, 8, 13 × every start month of the horizon). All figures come
from this one run, so the ratios hold even though HiGHS times vary by ±20 %
between runs on shared machines.

- reference W: raw highspy, the whole-horizon LP, every case's row bounds
  precomputed, pushed in place, warm re-solve (the loop in
  ../shared/research/performance.md);
- reference Y: raw highspy, one LP per year, only the years a case touches
  re-solved (the decomposition energy_routes uses), bounds precomputed;
- kernel: energy_routes' YearKernels in-process (bounds computed per case
  from the events, results aggregated), no I/O;
- engine 1 / 2 workers: the whole ``disrupt`` pipeline (plan, workers,
  Parquet parts, progress off), wall time including worker start-up.
"""

from __future__ import annotations

import argparse
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
from energy_routes.sweep.disrupt import build_plan, horizon_end, parse_starts
from energy_routes.sweep.cases import events_from_json
from energy_routes.sweep.kernel import OilKernel, YearKernels

ROOT = Path(__file__).resolve().parents[1]


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
    args = ap.parse_args()

    inputs = load_inputs(args.inputs)
    sc = resolve(inputs, args.scenario)
    starts = parse_starts(f"{sc.months[0]}..{sc.months[-1]}")
    targets = ["cpc_terminal", "cpc_pipeline", "cpc_pipeline+cpc_terminal"]
    plan = build_plan(targets, [0, 0.33, 0.5, 0.67], [1, 2, 4, 8, 13], starts, horizon_end(sc))
    if args.cases:
        plan = plan.head(args.cases)
    cases = [events_from_json(e) for e in plan["events"]]
    n = len(cases)
    from importlib.metadata import version

    from importlib.metadata import version

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, highspy {version('highspy')}, load average {os.getloadavg()[0]:.1f}")
    print(f"scenario {sc.name}: {n} disruption cases on {', '.join(targets)}")

    hit = ["cpc_terminal", "cpc_pipeline"]
    whole = OilKernel(sc, targets=hit)
    t = time.perf_counter()
    split = YearKernels(sc, targets=hit)
    build_s = time.perf_counter() - t
    # precompute every case's bounds (outside the timed loops)
    pre_w = [whole.bounds_for(ev) for ev in cases]
    pre_y = []
    for ev in cases:
        per = []
        for k, (a, b) in zip(split.parts, split._span):
            mine = [e for e in ev if e.start <= b and e.end >= a]
            if mine:
                per.append((split.parts.index(k), *k.bounds_for(mine)))
        pre_y.append(per)

    # reference W: whole LP
    g = raw_copy(whole.lp.highs)
    lo0, up0 = whole.base_lower.copy(), whole.base_upper.copy()
    idx = np.arange(len(lo0), dtype=np.int32)
    t = time.perf_counter()
    obj_w = []
    for rows, lo, up in pre_w:
        low, upp = lo0.copy(), up0.copy()
        low[rows], upp[rows] = lo, up
        g.changeRowsBounds(len(idx), idx, low, upp)
        g.run()
        g.getSolution()
        obj_w.append(g.getInfo().objective_function_value)
    ref_w = n / (time.perf_counter() - t)

    # reference Y: per-year LPs, touched years only
    gs = [raw_copy(k.lp.highs) for k in split.parts]
    base_obj = [k.baseline.objective_musd for k in split.parts]
    bases = [(k.base_lower.copy(), k.base_upper.copy(), np.arange(k.lp.num_rows, dtype=np.int32)) for k in split.parts]
    dirty = [False] * len(gs)
    t = time.perf_counter()
    obj_y = []
    for per in pre_y:
        total = 0.0
        touched = set()
        for i, rows, lo, up in per:
            l0, u0, ix = bases[i]
            low, upp = l0.copy(), u0.copy()
            low[rows], upp[rows] = lo, up
            gs[i].changeRowsBounds(len(ix), ix, low, upp)
            gs[i].run()
            gs[i].getSolution()
            total += gs[i].getInfo().objective_function_value
            touched.add(i)
            dirty[i] = True
        total += sum(base_obj[i] for i in range(len(gs)) if i not in touched)
        obj_y.append(total)
    ref_y = n / (time.perf_counter() - t)

    # our kernel, in-process
    t = time.perf_counter()
    obj_k = [split.solve_events(ev).objective_musd for ev in cases]
    ours_k = n / (time.perf_counter() - t)
    assert np.allclose(obj_k, obj_w, rtol=1e-9) and np.allclose(obj_y, obj_w, rtol=1e-9), "the loops disagree"

    # the whole pipeline, 1 and 2 workers
    engine = {}
    tmp = Path(tempfile.mkdtemp())
    try:
        for workers in (1, 2):
            t = time.perf_counter()
            if args.cases:
                break
            sweep_api.disrupt(
                args.scenario, inputs_dir=args.inputs, targets=targets, remaining="0,0.33,0.5,0.67", weeks="1,2,4,8,13",
                starts=f"{sc.months[0]}..{sc.months[-1]}", out=tmp / f"w{workers}", workers=workers, quiet=True,
            )
            engine[workers] = time.perf_counter() - t
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print(f"  reference W  raw highspy, whole LP            {ref_w:8.0f} cases/s")
    print(f"  reference Y  raw highspy, per-year LPs        {ref_y:8.0f} cases/s")
    print(f"  kernel       energy_routes YearKernels        {ours_k:8.0f} cases/s   = {ours_k / ref_y:.2f}x reference Y, {ours_k / ref_w:.1f}x reference W")
    for w, wall in engine.items():
        rate = n / wall
        print(f"  engine {w} wkr  disrupt end to end: {wall:6.1f} s wall = {rate:5.0f} cases/s = {rate / ref_y:.2f}x reference Y"
              f" (includes load + compile of {build_s:.1f} s per worker, Parquet parts, final tables, DuckDB)")


if __name__ == "__main__":
    main()
