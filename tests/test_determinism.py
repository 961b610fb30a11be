"""Determinism: the same inputs give byte-identical CSV tables, run after run.

Two runs of the shipped ``green-corridor-q2-2026`` scenario (the oil block, and
the hourly power network with an outage event on the cable) through the installed console
script, in separate processes with different ``PYTHONHASHSEED`` values, so
any dependence on set or dict iteration order of strings would show. Every
CSV must be byte-identical; the manifests may differ only in what is about
the run rather than the results: when it ran, how long it took, and the
command line (the --out folder).
"""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from conftest import CLI
from energy_routes.api import TABLE_NAMES
from energy_routes.writers import EXPLAINED_TABLES

# manifest keys that describe the run, not its results
RUN_ONLY = {"created_utc", "timings_seconds", "command"}


def _strip_timings(manifest: dict) -> dict:
    m = {k: v for k, v in manifest.items() if k not in RUN_ONLY}
    m["solver"] = json.loads(json.dumps(m["solver"]))
    for p in m["solver"]["power"]:
        p.pop("solve_seconds", None)
    return m


@pytest.mark.slow
def test_same_inputs_give_byte_identical_csv_tables(shipped_inputs, tmp_path):
    outs = []
    for seed in ("1", "4242"):
        out = tmp_path / f"run-{seed}"
        proc = subprocess.run(
            [str(CLI), "run", "green-corridor-q2-2026", "--inputs", str(shipped_inputs), "--out", str(out), "--quiet"],
            capture_output=True,
            text=True,
            timeout=600,
            env={**os.environ, "PYTHONHASHSEED": seed},
            cwd=tmp_path,
        )
        assert proc.returncode == 0, proc.stderr
        outs.append(out)
    a, b = outs
    csvs = sorted(p.name for p in a.glob("*.csv"))
    assert csvs == sorted(f"{t}.csv" for t in TABLE_NAMES + EXPLAINED_TABLES)
    assert csvs == sorted(p.name for p in b.glob("*.csv"))
    for name in csvs:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    # the tables are not trivially empty: the oil allocation and the hourly power are there
    assert len((a / "allocation_monthly.csv").read_text().splitlines()) > 12
    # 4 nodes, 3 links and 2 countries' use of the cable, every hour, and the header
    assert len((a / "power_hourly.csv").read_text().splitlines()) == 9 * 8760 + 1

    ma, mb = (json.loads((o / "manifest.json").read_text()) for o in outs)
    assert ma["created_utc"] and mb["created_utc"]
    assert _strip_timings(ma) == _strip_timings(mb)
