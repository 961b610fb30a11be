"""Wall time of ``energy-routes risk`` on the default monthly 2023-2030 scenario, start-up included.

Usage: python benchmarks/risk_speed.py [--draws 10000] [--workers 2] [--lever NAME ...] [--override daily]

Runs the CLI in a fresh process (so imports, loading, compiling and writing
the tables all count), prints the wall time against the 30 s target, and the
stage timings from the sweep's manifest.json. Targets (issue 11): 10,000 draws
on the 2023-2030 outlook with 2 workers under 15 s at monthly resolution and
under 90 s at daily resolution (``--override daily``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=10000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--scenario", default="outlook-2023-2030")
    ap.add_argument("--lever", action="append", default=[])
    ap.add_argument("--override", action="append", default=[], help="e.g. daily: the oil block in days")
    args = ap.parse_args()
    cli = Path(sys.executable).parent / "energy-routes"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "risk"
        cmd = [str(cli), "risk", args.scenario, "--draws", str(args.draws), "--workers", str(args.workers), "--out", str(out), "--quiet", "--inputs", str(ROOT / "inputs")]
        for lv in args.lever:
            cmd += ["--lever", lv]
        for ov in args.override:
            cmd += ["--override", ov]
        t = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        wall = time.perf_counter() - t
        m = json.loads((out / "manifest.json").read_text())
    n = m["cases"]
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    print(f"risk {args.scenario} {' '.join('+' + o for o in args.override)}: {n} draws ({args.draws} x {1 + len(args.lever)} variants), {args.workers} workers")
    target = 90 if "daily" in args.override else 15
    verdict = "n/a (not 10,000 draws)" if n != 10000 else "met" if wall < target else "NOT met"
    print(f"  wall time, start-up included: {wall:6.1f} s   (target < {target} s for 10,000 draws: {verdict})")
    print("  stages: " + ", ".join(f"{k} {v:.1f} s" for k, v in m["timings_seconds"].items()))
    print(f"  throughput: {n / m['timings_seconds']['cases']:,.0f} draws/s in the solve stage")


if __name__ == "__main__":
    main()
