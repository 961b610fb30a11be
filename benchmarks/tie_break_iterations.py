"""Does the tie-break make the year re-solves of ``risk`` and ``disrupt`` longer? Iterations with and without it.

Usage: python benchmarks/tie_break_iterations.py [--year 2025] [--draws 1000] [--seed 1]

The oil LP's costs are the economic ones plus a tie-break of 0.001 $/t × w (docs/model.md §4.2). This
re-solves the same cases twice with raw highspy, each from its LP's own optimal basis: once with the
LP's costs, once with the economic costs alone (a vertex the tie-break does not choose), and prints the
dual simplex iterations and the time per re-solve. Cases: the first ``--draws`` Monte Carlo draws of the
shipped hazards that have an event in ``--year`` (as ``risk`` draws them), and a disruption grid
(CPC terminal, CPC pipeline, both, BTC, Atyrau–Samara; 0–67 % left; 1–8 weeks; every start month).
If the iterations are the same, no other secondary criterion can make these re-solves cheaper than
the economic LP's own.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import highspy
import numpy as np
import pandas as pd

from energy_routes.extract import column_costs
from energy_routes.load import load_inputs
from energy_routes.scenario import resolve
from energy_routes.sweep.cases import events_from_json
from energy_routes.sweep.disrupt import build_plan, horizon_end, parse_starts
from energy_routes.sweep.hazards import load_hazards
from energy_routes.sweep.kernel import OilKernel
from energy_routes.sweep.risk import events_for_draw

ROOT = Path(__file__).resolve().parents[1]


def measure(k: OilKernel, cases: list, label: str) -> None:
    rows, lo, up = k.bounds_many(cases)
    r32 = rows.astype(np.int32)
    lp_cost = np.asarray(k.lp.highs.getLp().col_cost_)
    for name, cost in (("LP costs (with the tie-break)", lp_cost), ("economic costs alone", column_costs(k.lp, k.spec))):
        g = highspy.Highs()
        g.setOptionValue("output_flag", False)
        g.setOptionValue("threads", 1)
        lp = k.lp.highs.getLp()
        lp.col_cost_ = cost
        g.passModel(lp)
        g.run()
        basis = g.getBasis()
        its = []
        t = time.perf_counter()
        for c in range(len(cases)):
            g.changeRowsBounds(len(r32), r32, lo[c], up[c])
            g.clearSolver()
            g.setBasis(basis)
            g.run()
            its.append(g.getInfoValue("simplex_iteration_count")[1])
        ms = (time.perf_counter() - t) / len(cases) * 1e3
        its = np.array(its)
        print(f"  {label:12s} {name:30s} iterations mean {its.mean():6.1f}, median {np.median(its):4.0f}, "
              f"90th pct {np.percentile(its, 90):4.0f}; {ms:5.2f} ms a re-solve")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--inputs", type=Path, default=ROOT / "inputs")
    ap.add_argument("--scenario", default="outlook-2023-2030")
    ap.add_argument("--year", type=int, default=2025)
    ap.add_argument("--draws", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    whole = resolve(load_inputs(args.inputs), args.scenario)
    sc = whole.for_years([args.year])
    probe = OilKernel(sc)
    known = set(probe.params.assets) | set(probe.params.routes) | set(probe.params.sources) | set(probe.basis.unit.targets)
    hazards, _ = load_hazards(args.inputs, known)
    h0, h1 = whole.months[0].start_time, horizon_end(whole)
    draws = [e for d in range(args.draws) if (e := events_for_draw(hazards, args.seed, d, args.year, h0, h1))]
    grid = build_plan(["cpc_terminal", "cpc_pipeline", "cpc_pipeline+cpc_terminal", "btc_pipeline", "atyrau_samara"],
                      [0, 0.33, 0.5, 0.67], [1, 2, 4, 8], parse_starts(f"{args.year}-01..{args.year}-12"), horizon_end(sc))
    cases = [events_from_json(e) for e in grid["events"]]
    print(f"load average {os.getloadavg()[0]:.1f}; {args.scenario} {args.year}, one year's LP {probe.lp.num_cols} x {probe.lp.num_rows}; "
          f"{len(draws)} of the first {args.draws} draws have an event in {args.year}; grid {len(cases)} cases")
    measure(OilKernel(sc, sorted({e.target for c in draws for e in c})), draws, "risk draws")
    measure(OilKernel(sc, ["cpc_terminal", "cpc_pipeline", "btc_pipeline", "atyrau_samara"]), cases, "grid")


if __name__ == "__main__":
    main()
