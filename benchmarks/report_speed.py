"""Time the deliverables of one run folder: read, tables.xlsx, report.html, PNGs.

Usage: python benchmarks/report_speed.py [SCENARIO] [--repeat N] [--power-scenario NAME]

Solves SCENARIO once (default ``outlook-2023-2030``: monthly, 2023-2030),
writes its run folder without a report, then builds the report N times
(median, after one warm-up that pays the lazy imports of plotly and
matplotlib) and prints seconds per step. Nothing is asserted: the figure goes
in the README.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

from energy_routes.api import run_scenario
from energy_routes.report import build_report
from energy_routes.writers import manifest_for, write_run

ROOT = Path(__file__).resolve().parents[1]
STEPS = ("read", "workbook", "html", "png")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario", nargs="?", default="outlook-2023-2030")
    ap.add_argument("--inputs", type=Path, default=ROOT / "inputs")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    res = run_scenario(args.inputs, args.scenario)
    with tempfile.TemporaryDirectory() as tmp:
        run_dir = write_run(Path(tmp) / "run", res.tables, manifest_for(res, args.inputs, args.scenario))
        t0 = time.perf_counter()
        build_report(run_dir)  # warm-up
        first = time.perf_counter() - t0
        runs = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            _files, times = build_report(run_dir)
            times["total"] = time.perf_counter() - t0
            runs.append(times)
        sizes = {p.name: p.stat().st_size for p in run_dir.iterdir() if p.suffix in (".xlsx", ".html", ".png")}
    med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    months = len(res.tables["balance_monthly"])
    print(f"machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores")
    print(f"scenario {args.scenario}: {months} months; report median of {args.repeat} (first, with imports: {first:.2f} s)")
    for step in (*STEPS, "total"):
        print(f"  {step:<9} {med.get(step, 0.0):7.2f} s")
    print("  files: " + ", ".join(f"{n} {s / 1e6:.1f} MB" if s > 1e6 else f"{n} {s / 1e3:.0f} kB" for n, s in sorted(sizes.items())))


if __name__ == "__main__":
    main()
