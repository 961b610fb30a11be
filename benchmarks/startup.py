"""How long a one-year run takes from the shell, against Python importing pyomo, highspy and pandas.

    python benchmarks/startup.py [--repeat 5] [--scenario base-2024]

Measures, in fresh processes, after one warm-up each, ``--repeat`` times, alternating the two so that
load from other work on the machine falls on both alike (the package's modules byte-compiled first, as
the reference's libraries are: pip compiles a package it installs, but an editable checkout run with
``PYTHONDONTWRITEBYTECODE`` set would recompile every module of the package in every process):

- reference: ``python -c "import pyomo.environ, highspy, pandas"``;
- run: ``energy-routes run SCENARIO --no-report --no-power --quiet`` into a temporary folder;

and prints the median of each, the ratio of the medians and the median of the per-pair ratios (the
target is at most 1.5), then where the run's time goes: the largest imports (``python -X importtime``)
and the stages of one in-process run (``RunResult.timings``, plus writing the folder), so a regression
shows where it comes from. Timings, never assertions.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
TOP_LEVEL = ("pyomo", "highspy", "pandas", "numpy", "scipy", "pandera", "pydantic", "yaml", "rich", "click", "plotly", "matplotlib",
             "xlsxwriter", "duckdb", "pyarrow", "dask", "hypothesis", "geopandas", "energy_routes")


def timed(cmd: list[str], repeat: int) -> float:
    """Median wall time of ``repeat`` runs of ``cmd`` (one untimed run when ``repeat`` is 0: the warm-up)."""
    if repeat == 0:
        subprocess.run(cmd, check=True, capture_output=True, cwd=REPO)
        return 0.0
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, cwd=REPO)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def import_breakdown(cmd: list[str]) -> list[tuple[str, float]]:
    """Import time of each top-level package the command imports (seconds, largest first): the sum of the
    self times of its modules, so a package's figure does not include the packages it imports."""
    proc = subprocess.run([sys.executable, "-X", "importtime", *cmd], capture_output=True, text=True, cwd=REPO)
    total: dict[str, float] = {}
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or line.count("|") != 2:
            continue
        head, _, name = line.split("|")
        own = head.split(":")[1].strip()
        if own.isdigit():
            root = name.strip().split(".")[0]
            total[root] = total.get(root, 0.0) + int(own) / 1e6
    top = sorted(total.items(), key=lambda kv: -kv[1])
    return [kv for kv in top if kv[0] in TOP_LEVEL] + [("(all others)", sum(v for k, v in top if k not in TOP_LEVEL))]


STAGES = """
import json, sys, tempfile, time
from pathlib import Path
from energy_routes.cli_guard import imports_without_gc
t0 = time.perf_counter()
with imports_without_gc():  # as the run command imports them
    from energy_routes.api import run_scenario
    from energy_routes.writers import manifest_for, write_run
t1 = time.perf_counter()
r = run_scenario("inputs", sys.argv[1], power=False)
t2 = time.perf_counter()
with tempfile.TemporaryDirectory() as tmp:
    write_run(Path(tmp) / "r", r.tables, manifest_for(r, Path("inputs"), sys.argv[1]))
t3 = time.perf_counter()
print(json.dumps({"import energy_routes.api": t1 - t0, **r.timings, "run (all stages)": t2 - t1, "write": t3 - t2}))
"""


def stage_times(scenario: str) -> dict[str, float]:
    """Seconds per stage of one in-process run (imports not counted in the stages)."""
    proc = subprocess.run([sys.executable, "-c", STAGES, scenario], check=True, capture_output=True, text=True, cwd=REPO)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--scenario", default="base-2024")
    args = ap.parse_args()
    reference = [sys.executable, "-c", "import pyomo.environ, highspy, pandas"]
    import energy_routes

    package = Path(energy_routes.__file__).parent
    compileall.compile_dir(package, quiet=1)  # writes __pycache__/*.pyc where missing or stale
    with tempfile.TemporaryDirectory() as tmp:
        n = {"k": 0}

        def run_cmd() -> list[str]:
            n["k"] += 1
            return [str(BIN / "energy-routes"), "run", args.scenario, "--no-report", "--no-power", "--quiet", "--out", str(Path(tmp) / f"r{n['k']}")]

        timed(reference, 0)  # warm the file cache
        timed(run_cmd(), 0)
        refs, runs = [], []
        for _ in range(args.repeat):
            refs.append(timed(reference, 1))
            runs.append(timed(run_cmd(), 1))
        breakdown = import_breakdown(["-m", "energy_routes.cli", "run", args.scenario, "--no-report", "--no-power", "--quiet", "--out", str(Path(tmp) / "imports")])
    ref, run = statistics.median(refs), statistics.median(runs)
    pair = statistics.median(b / a for a, b in zip(refs, runs))
    print(f"load average: {' '.join(Path('/proc/loadavg').read_text().split()[:3]) if Path('/proc/loadavg').exists() else 'n/a'}")
    print(f"package: {package} (byte-compiled; PYTHONDONTWRITEBYTECODE={os.environ.get('PYTHONDONTWRITEBYTECODE', 'unset')})")
    print(f"import pyomo.environ, highspy, pandas: {ref:.2f} s (median of {args.repeat})")
    print(f"energy-routes run {args.scenario} --no-report --no-power: {run:.2f} s (median of {args.repeat})")
    print(f"ratio: {run / ref:.2f} (median of the per-pair ratios: {pair:.2f}; target: at most 1.5)")
    print("imports of the run (each package's own modules, one process):")
    for name, secs in breakdown:
        print(f"  {name:<14} {secs:5.2f} s")
    print("stages of one in-process run:")
    for name, secs in stage_times(args.scenario).items():
        print(f"  {name:<26} {secs:5.2f} s")


if __name__ == "__main__":
    main()
