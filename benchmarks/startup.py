"""How long a one-year run takes from the shell, against Python importing pyomo, highspy and pandas.

    python benchmarks/startup.py [--repeat 5] [--scenario base-2024]

Measures, in fresh processes, median of ``--repeat`` after one warm-up each:

- reference: ``python -c "import pyomo.environ, highspy, pandas"``;
- run: ``energy-routes run SCENARIO --no-report --no-power --quiet`` into a temporary folder;

and prints both and their ratio (the target is at most 1.5), then the largest imports of the run
(``python -X importtime``), so a regression shows where it comes from. Timings, never assertions.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
TOP_LEVEL = ("pyomo", "highspy", "pandas", "numpy", "scipy", "pandera", "pydantic", "yaml", "rich", "click", "plotly", "matplotlib",
             "xlsxwriter", "duckdb", "pyarrow", "dask", "hypothesis", "energy_routes")


def timed(cmd: list[str], repeat: int) -> float:
    subprocess.run(cmd, check=True, capture_output=True, cwd=REPO)  # warm the file cache
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, cwd=REPO)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def import_breakdown(cmd: list[str]) -> list[tuple[str, float]]:
    """Cumulative import time of each top-level package the command imports (seconds, largest first)."""
    proc = subprocess.run([sys.executable, "-X", "importtime", *cmd], capture_output=True, text=True, cwd=REPO)
    total: dict[str, float] = {}
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cum, name = line.split("|")
        if name.startswith(" ") and not name.startswith(" " * 1 + name.strip()):
            pass
        mod = name.strip()
        depth = len(name) - len(name.lstrip()) - 1
        if depth == 0 and cum.strip().isdigit():
            root = mod.split(".")[0]
            total[root] = total.get(root, 0.0) + int(cum) / 1e6
    return sorted(((k, v) for k, v in total.items() if k in TOP_LEVEL), key=lambda kv: -kv[1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--scenario", default="base-2024")
    args = ap.parse_args()
    ref = timed([sys.executable, "-c", "import pyomo.environ, highspy, pandas"], args.repeat)
    with tempfile.TemporaryDirectory() as tmp:
        n = {"k": 0}

        def run_cmd() -> list[str]:
            n["k"] += 1
            return [str(BIN / "energy-routes"), "run", args.scenario, "--no-report", "--no-power", "--quiet", "--out", str(Path(tmp) / f"r{n['k']}")]

        subprocess.run(run_cmd(), check=True, capture_output=True, cwd=REPO)
        times = []
        for _ in range(args.repeat):
            cmd = run_cmd()
            t0 = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True, cwd=REPO)
            times.append(time.perf_counter() - t0)
        run = statistics.median(times)
        breakdown = import_breakdown(["-m", "energy_routes.cli", "run", args.scenario, "--no-report", "--no-power", "--quiet", "--out", str(Path(tmp) / "imports")])
    print(f"import pyomo.environ, highspy, pandas: {ref:.2f} s (median of {args.repeat})")
    print(f"energy-routes run {args.scenario} --no-report --no-power: {run:.2f} s (median of {args.repeat})")
    print(f"ratio: {run / ref:.2f} (target: at most 1.5)")
    import importlib.util

    if importlib.util.find_spec("hypothesis") is not None:
        print("note: hypothesis is installed (the test extras), and pandera imports it with itself: about 0.3-0.8 s that a plain install does not pay")
    print("largest imports of the run (cumulative, one process):")
    for name, secs in breakdown[:10]:
        print(f"  {name:<14} {secs:5.2f} s")


if __name__ == "__main__":
    main()
