"""Wall time of ``energy-routes risk`` on the default monthly 2023-2030 scenario, start-up included.

Usage: python benchmarks/risk_speed.py [--draws 10000] [--workers 2] [--lever NAME ...]

Runs the CLI in a fresh process (so imports, loading, compiling and writing
the tables all count), prints the wall time against the 30 s target, and the
stage timings from the sweep's manifest.json.
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
    args = ap.parse_args()
    cli = Path(sys.executable).parent / "energy-routes"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "risk"
        cmd = [str(cli), "risk", args.scenario, "--draws", str(args.draws), "--workers", str(args.workers), "--out", str(out), "--quiet", "--inputs", str(ROOT / "inputs")]
        for lv in args.lever:
            cmd += ["--lever", lv]
        t = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        wall = time.perf_counter() - t
        m = json.loads((out / "manifest.json").read_text())
    n = m["cases"]
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    print(f"risk {args.scenario}: {n} draws ({args.draws} x {1 + len(args.lever)} variants), {args.workers} workers")
    print(f"  wall time, start-up included: {wall:6.1f} s   (target < 30 s for 10,000 draws: {'met' if wall < 30 or n != 10000 else 'NOT met'})")
    print(f"  stages: " + ", ".join(f"{k} {v:.1f} s" for k, v in m["timings_seconds"].items()))
    print(f"  throughput: {n / m['timings_seconds']['cases']:,.0f} draws/s in the solve stage")


if __name__ == "__main__":
    main()
