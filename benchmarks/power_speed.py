"""Speed of the power block: an 8,760-hour network year, end to end, against HiGHS and Python's imports.

    python benchmarks/power_speed.py [--repeat 3] [--scenario green-corridor-black-sea-2030]

Measures, in fresh processes (median of ``--repeat``):

- **imports**: ``python -c "import energy_routes.cli, ..."`` (everything a power run loads);
- **end to end, dispatch**: ``energy-routes run SCENARIO --no-report --quiet`` (load, the oil block,
  the power network's parameters, Pyomo build, compile, HiGHS, tables, writing every CSV and
  the manifest); the shipped ``green-corridor-black-sea-2030`` has 6 nodes, 5 links, a battery and
  8,760 hours (122,640 columns, 78,840 rows);
- **HiGHS**: the solve time of that same power LP inside the run (HiGHS ``run()``, from the manifest);
- **end to end, planning**: the same year with the trans-Caspian cable, the Black Sea cable and
  the battery sized by the planning mode (a scenario file written to a temporary folder).

Prints the stage times of the run (from its manifest) and the ratio
end-to-end ÷ (HiGHS solve + imports); the target is 2.5 or less for dispatch and
under 30 s for planning. Never asserted in tests.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CLI = Path(sys.executable).parent / "energy-routes"
IMPORTS = "import energy_routes.cli, energy_routes.api, energy_routes.power.run, energy_routes.power.extract"


def timed(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, cwd=REPO)
    return time.perf_counter() - t0


def run_once(scenario: str, out: Path) -> tuple[float, dict]:
    seconds = timed([str(CLI), "run", scenario, "--inputs", str(REPO / "inputs"), "--out", str(out), "--no-report", "--quiet"])
    return seconds, json.loads((out / "manifest.json").read_text())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--scenario", default="green-corridor-black-sea-2030")
    args = ap.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="power-speed-"))
    timed([sys.executable, "-c", IMPORTS])  # warm the file cache and .pyc files
    imports = statistics.median(timed([sys.executable, "-c", IMPORTS]) for _ in range(args.repeat))

    planning = tmp / "planning.yaml"
    planning.write_text(
        f"name: {args.scenario}-planning\nextends: {args.scenario}\ndescription: planning-mode benchmark\n"
        "power:\n  mode: planning\n  extendable:\n"
        "    - {asset: trans_caspian_cable, min_mw: 1000, max_mw: 7000}\n"
        "    - {asset: black_sea_cable, min_mw: 0, max_mw: 4000}\n"
        "    - {asset: kz_battery, max_mw: 3000, max_mwh: 24000}\n",
        encoding="utf-8",
    )
    rows = {}
    for label, scenario in (("dispatch", args.scenario), ("planning", str(planning))):
        runs = [run_once(scenario, tmp / f"{label}-{i}") for i in range(args.repeat)]
        e2e = statistics.median(r[0] for r in runs)
        man = sorted(runs, key=lambda r: r[0])[len(runs) // 2][1]
        highs = sum(p["solve_seconds"] for p in man["solver"]["power"])
        rows[label] = (e2e, highs, man)

    print(f"power LP of {args.scenario}: {rows['dispatch'][2]['solver']['power'][0]['variables']:,} columns, "
          f"{rows['dispatch'][2]['solver']['power'][0]['constraints']:,} rows; median of {args.repeat} fresh processes")
    print(f"imports                           {imports:6.2f} s")
    for label, (e2e, highs, man) in rows.items():
        t = man["timings_seconds"]
        stages = ", ".join(f"{k} {t[k]:.2f}" for k in ("load", "build", "power_params", "power_build", "power_solve", "power_extract") if k in t)
        accounted = sum(t.get(k, 0.0) for k in ("load", "build", "solve", "extract", "power_params", "power_build", "power_solve", "power_extract"))
        print(f"{label:9s} end to end              {e2e:6.2f} s   (HiGHS {highs:.2f} s; ratio to HiGHS + imports {e2e / (highs + imports):.2f}×)")
        print(f"          stages: {stages}; imports, writing and exit ≈ {e2e - accounted:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
