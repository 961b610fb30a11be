"""One daily-resolution year end to end (load -> tables), against HiGHS alone plus Python's import time.

Usage: python benchmarks/daily_year.py [--scenario base-2024] [--resolution day] [--repeat 3]

Target (issue 11): the whole command, in a fresh process, within 2.5x of
(the HiGHS solve of the same LP + the time Python takes to import pyomo,
highspy and pandas). Both references are measured in the same run:

- ``energy-routes run SCENARIO --resolution day --no-power --no-report --quiet``
  in a fresh process (imports, loading and validating the tables, building and
  compiling the LP, solving, extracting the tables, writing them);
- the HiGHS solve time of that LP, from the run's own manifest
  (``timings_seconds.highs_solve_oil``: ``Highs.run()`` alone);
- ``python -c "import pyomo.environ, highspy, pandas"`` in a fresh process.

Medians of ``--repeat`` runs; the stage timings of the median run are printed so
the report says where the time goes.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _wall(cmd: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="base-2024")
    ap.add_argument("--resolution", default="day", choices=("month", "week", "day"))
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    cli = str(Path(sys.executable).parent / "energy-routes")
    imports = [sys.executable, "-c", "import pyomo.environ, highspy, pandas"]
    _wall(imports)  # warm the file cache
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.repeat):
            out = Path(tmp) / f"run{i}"
            wall = _wall([cli, "run", args.scenario, "--resolution", args.resolution, "--no-power", "--no-report", "--quiet",
                          "--inputs", str(ROOT / "inputs"), "--out", str(out)])
            timings = json.loads((out / "manifest.json").read_text())["timings_seconds"]
            runs.append((wall, timings, _wall(imports)))
    runs.sort(key=lambda r: r[0])
    wall, timings, _ = runs[len(runs) // 2]
    imp = statistics.median(r[2] for r in runs)
    highs = timings["highs_solve_oil"]
    ref = highs + imp
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    print(f"{args.scenario}, {args.resolution} periods, median of {args.repeat} fresh processes")
    print(f"  whole command:            {wall:6.2f} s")
    print(f"  HiGHS solve alone:        {highs:6.2f} s")
    print(f"  import pyomo/highspy/pd:  {imp:6.2f} s")
    print(f"  ratio whole / (HiGHS + imports) = {wall / ref:.2f}x  (target <= 2.5x: {'met' if wall / ref <= 2.5 else 'NOT met'})")
    rest = wall - sum(v for k, v in timings.items() if k != "highs_solve_oil")
    print("  where the time goes: " + ", ".join(f"{k} {v:.2f} s" for k, v in timings.items() if k != "highs_solve_oil")
          + f", imports + writing {rest:.2f} s")


if __name__ == "__main__":
    main()
