"""Single run of a shipped scenario: wall time per stage against the HiGHS solve alone.

Usage: python benchmarks/single_run.py [SCENARIO] [--repeat N] [--months-2023-2030]

Prints load / build / solve / extract / write seconds (median of N runs, after
one warm-up run that pays Pyomo's lazy imports) and the ratio of the whole run
to the HiGHS solve time of the oil LP measured in the same run.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import tempfile
import time
from pathlib import Path

from energy_routes.api import run_scenario
from energy_routes.writers import manifest_for, write_run

ROOT = Path(__file__).resolve().parents[1]


def one(scenario: str, inputs: Path, extra: tuple[str, ...]) -> dict[str, float]:
    t0 = time.perf_counter()
    res = run_scenario(inputs, scenario, extra)
    t1 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        write_run(Path(tmp) / "run", res.tables, manifest_for(res, inputs, scenario))
    t2 = time.perf_counter()
    times = dict(res.timings)
    times["write"] = t2 - t1
    times["total"] = t2 - t0
    times["variables"] = res.oil_size["variables"]
    times["constraints"] = res.oil_size["constraints"]
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario", nargs="?", default="base-2024")
    ap.add_argument("--inputs", type=Path, default=ROOT / "inputs")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--override", action="append", default=[])
    args = ap.parse_args()
    extra = tuple(args.override)
    one(args.scenario, args.inputs, extra)  # warm-up: lazy imports, first compile
    runs = [one(args.scenario, args.inputs, extra) for _ in range(args.repeat)]
    med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    print(f"machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}, {__import__('os').cpu_count()} cores")
    print(f"scenario {args.scenario}: oil LP {int(med['variables'])} variables x {int(med['constraints'])} constraints; median of {args.repeat}")
    for stage in ("load", "build", "solve", "extract", "write", "total"):
        print(f"  {stage:<8} {med.get(stage, 0.0):8.3f} s")
    hs = med["highs_solve_oil"]
    print(f"  HiGHS solve of the oil LP alone: {hs:.4f} s; whole run / HiGHS solve = {med['total'] / hs:,.0f}x")


if __name__ == "__main__":
    main()
