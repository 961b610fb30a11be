"""The ``energy-routes`` command line: help, run folders, manifest, refusal to overwrite, determinism."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess

import pandas as pd
import pytest
from click.testing import CliRunner

from builders import power_tables, write_user_scenario
from conftest import CLI
from energy_routes.api import TABLE_NAMES
from energy_routes.writers import EXPLAINED_TABLES
from energy_routes.cli import main

POWER = {"power": {"enabled": True, "years": [2023]}}


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture()
def folder(make_inputs):
    """A builder case with a route minimum, an event and a small power block, so every table has rows."""
    sc = {
        **POWER,
        "route_limits": [{"route": "spare", "min_mt": 1}],
        "events": [{"id": "pipe_out", "target": "pipe", "start": "2023-03-01", "end": "2023-03-10", "remaining": 0.0, "ramp_days": 5}],
    }
    return make_inputs(power_tables(1000, 300, converter_loss=0.01), sc, name="in")


@pytest.mark.parametrize("command", [[], ["scenarios"], ["validate"], ["run"], ["report"], ["compare"]])
def test_help(command):
    res = invoke(*command, "--help")
    assert res.exit_code == 0, res.output
    assert "Usage:" in res.output
    if command == ["run"]:
        for opt in ("--out", "--inputs", "--override", "--no-power", "--no-report", "--quiet"):
            assert opt in res.output


def test_help_through_the_console_script():
    proc = subprocess.run([str(CLI), "--help"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0
    assert "run" in proc.stdout and "validate" in proc.stdout and "scenarios" in proc.stdout


def test_scenarios_and_validate(folder):
    res = invoke("scenarios", "--inputs", folder)
    assert res.exit_code == 0, res.output
    assert res.output.split()[0] == "case"
    assert "the test case" in res.output
    res = invoke("validate", folder)
    assert res.exit_code == 0, res.output
    assert "valid" in res.output
    res = invoke("validate", folder, "--quiet")
    assert res.exit_code == 0 and res.output == ""


def test_run_writes_every_table_and_a_manifest(folder, tmp_path):
    out = tmp_path / "runs" / "one"
    res = invoke("run", "case", "--inputs", folder, "--out", out, "--no-report")  # the report files: tests/test_report.py
    assert res.exit_code == 0, res.output
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted([f"{t}.csv" for t in TABLE_NAMES + EXPLAINED_TABLES] + ["manifest.json"])
    man = json.loads((out / "manifest.json").read_text())
    assert man["scenario"]["name"] == "case"
    # input_sha256: the true sha256 of every file read
    expected = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
    assert man["input_sha256"] == expected
    for pkg in ("energy_routes", "python", "pyomo", "highspy", "highs", "pandas"):
        assert man["versions"].get(pkg), pkg
    assert man["solver"]["oil"]["status"] == "Optimal"
    assert man["solver"]["power"][0]["status"] == "Optimal"
    assert set(man["timings_seconds"]) >= {"load", "build", "solve", "extract"}
    assert all(v >= 0 for v in man["timings_seconds"].values())
    # the manifest's row counts are those of the CSVs
    for name, n in man["files"].items():
        assert len(pd.read_csv(out / name)) == n
    assert man["files"]["power_hourly.csv"] == 3 * 8760  # two nodes and the cable, every hour
    assert man["files"]["allocation_monthly.csv"] == 12 * 3
    assert not [p for p in out.parent.iterdir() if ".partial-" in p.name]


def test_run_objective_in_manifest_by_hand(folder, tmp_path):
    """The fixture case by hand: base 17075, spare ≥ 1 Mt costs 1000 × 0.03, and the pipe outage
    (10 days out, then 5 ramp days at 1/6 … 5/6, i.e. 10 + 2.5 = 12.5 lost pipe-days) costs 640 $/t."""
    out = tmp_path / "run"
    assert invoke("run", "case", "--inputs", folder, "--out", out, "--no-power").exit_code == 0
    man = json.loads((out / "manifest.json").read_text())
    expected = 17075 - 1000 * 0.03 - 12.5 * 20000 / 365 * 0.64
    assert man["solver"]["oil"]["objective_musd"] == pytest.approx(expected, rel=1e-9)
    assert man["solver"]["power"] == []
    assert len(pd.read_csv(out / "power_hourly.csv")) == 0


def test_existing_non_empty_out_is_refused(folder, tmp_path):
    out = tmp_path / "taken"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    res = invoke("run", "case", "--inputs", folder, "--out", out, "--no-power")
    assert res.exit_code == 2
    assert "Traceback" not in res.output + res.stderr
    assert str(out) in res.stderr.replace("\n", "")
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]
    assert (out / "keep.txt").read_text() == "mine"
    assert not [p for p in tmp_path.iterdir() if ".partial-" in p.name]


def test_existing_empty_out_is_used(folder, tmp_path):
    out = tmp_path / "empty"
    out.mkdir()
    res = invoke("run", "case", "--inputs", folder, "--out", out, "--no-power")
    assert res.exit_code == 0, res.output
    assert (out / "manifest.json").exists()


def test_same_inputs_give_byte_identical_tables(folder, tmp_path):
    outs = [tmp_path / "a", tmp_path / "b"]
    for out in outs:  # the oil tables (tests/test_determinism.py does the power ones in fresh processes)
        res = invoke("run", "case", "--inputs", folder, "--out", out, "--no-power", "--no-report")
        assert res.exit_code == 0, res.output
    for name in TABLE_NAMES:
        a, b = (o / f"{name}.csv" for o in outs)
        assert a.read_bytes() == b.read_bytes(), name


def test_quiet_prints_only_the_folder(folder, tmp_path):
    """Through the installed console script, so anything printed on the C-level stdout (HiGHS banner) counts."""
    out = tmp_path / "quiet"
    proc = subprocess.run(
        [str(CLI), "run", "case", "--inputs", str(folder), "--out", str(out), "--quiet"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        env={**os.environ, "COLUMNS": "80"},
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"{out}\n"
    assert (out / "manifest.json").exists()
    assert not [p for p in tmp_path.iterdir() if ".partial-" in p.name]


def test_default_out_folder_goes_under_runs(folder, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = invoke("run", "case", "--inputs", folder, "--no-power", "--quiet")
    assert res.exit_code == 0, res.output
    (written,) = (tmp_path / "runs").iterdir()
    assert res.output == f"{written.relative_to(tmp_path)}\n"
    assert written.name.startswith("case-")
    assert (written / "manifest.json").exists()


def test_run_a_user_scenario_file_with_extends(folder, tmp_path):
    user = write_user_scenario(
        tmp_path / "mine.yaml",
        {"name": "mine", "extends": "case", "route_limits": [{"route": "cheap", "max_mt": 12}], "power": {"enabled": False}},
    )
    out = tmp_path / "user"
    res = invoke("run", user, "--inputs", folder, "--out", out)
    assert res.exit_code == 0, res.output
    man = json.loads((out / "manifest.json").read_text())
    assert man["scenario"]["name"] == "mine"
    assert str(user) in man["input_sha256"]
    ann = pd.read_csv(out / "allocation_annual.csv").set_index("route")
    assert ann.loc["cheap", "volume_mt"] <= 12 + 1e-6


def test_unknown_scenario_exits_2(folder, tmp_path):
    out = tmp_path / "nothing"
    res = invoke("run", "no_such_case", "--inputs", folder, "--out", out)
    assert res.exit_code == 2
    assert "no_such_case" in res.stderr
    assert not out.exists()


def test_unknown_override_exits_2(folder, tmp_path):
    out = tmp_path / "nothing"
    res = invoke("run", "case", "--inputs", folder, "--out", out, "--override", "nope")
    assert res.exit_code == 2
    assert "nope" in res.stderr
    assert not out.exists()
