"""Trust at the edges (issue 15): one test (at least) per class of failure, numbered as in the issue.

Builder network as in tests/test_sweep.py (supply 25 Mt/yr, pipe 20, ship 10;
scenario 'case', horizon 2023-01..2023-12). Real processes only where the
point is a process (locks between processes, SIGKILL, SIGTERM, a FIFO that
would block); everything else runs in-process through Click's runner.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from builders import base_tables, ctrl_c_at_chunk, set_rows, write_user_scenario
from energy_routes.cli import main
from energy_routes.errors import InputError, Problem
from energy_routes.sweep import api as sweep_api
from energy_routes.sweep.engine import Interrupted
from energy_routes.sweep.store import FolderLock, Store

CLI = Path(sys.executable).parent / "energy-routes"


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def out_text(r) -> str:
    return " ".join(r.output.split())


def assert_clean_exit(r, code: int, *needles: str) -> None:
    assert r.exit_code == code, r.output
    assert "Traceback" not in r.output
    text = out_text(r)
    for n in needles:
        assert " ".join(n.split()) in text, text


@pytest.fixture()
def net25(make_inputs):
    t = base_tables()
    set_rows(t["supply"], {"source": "a"}, export_supply_mt=25)
    return make_inputs(t)


def small_grid(net, out, **kw):
    return sweep_api.disrupt("case", inputs_dir=net, targets=["pipe", "ship"], remaining="0,0.5", weeks="1,3", starts="2023-01..2023-03", out=out, quiet=True, **kw)


def interrupted_grid(net, folder, monkeypatch, after_chunks: int = 2) -> Interrupted:
    """A disrupt sweep stopped (as by Ctrl-C) while saving chunk ``after_chunks + 1``."""
    with ctrl_c_at_chunk(monkeypatch, after_chunks + 1), pytest.raises(Interrupted) as info:
        small_grid(net, folder)
    return info.value


def assert_no_duplicate_rows(folder: Path) -> None:
    import duckdb

    cases = pd.read_csv(folder / "cases.csv")
    rv = pd.read_csv(folder / "route_volumes.csv")
    yr = pd.read_csv(folder / "years.csv")
    assert cases["case_id"].is_unique
    assert not rv.duplicated(["case_id", "route", "year"]).any()
    assert not yr.duplicated(["case_id", "year"]).any()
    con = duckdb.connect(str(folder / "results.duckdb"), read_only=True)
    try:
        for name, df in (("cases", cases), ("route_volumes", rv), ("years", yr)):
            assert con.execute(f"SELECT count(*) FROM {name}").fetchone()[0] == len(df)
    finally:
        con.close()


# ------------------------------------------------------------------ 1. one writer per sweep folder; idempotent store


def test_1_a_resume_while_another_process_holds_the_folder_is_refused(net25, tmp_path, monkeypatch):
    folder = tmp_path / "s"
    interrupted_grid(net25, folder, monkeypatch)
    holder = FolderLock(folder)  # another writer (the original still running, or a first --resume)
    try:
        r = invoke("disrupt", "--resume", folder)
        assert_clean_exit(r, 2, "is being written by another energy-routes process", f"pid {os.getpid()}")
    finally:
        holder.release()
    assert not (folder / "manifest.json").exists()
    r = invoke("disrupt", "--resume", folder, "--quiet")  # once the lock is free, the resume runs
    assert r.exit_code == 0, r.output
    assert_no_duplicate_rows(folder)


def test_1_store_keeps_one_chunk_per_case(tmp_path):
    """A case saved by two chunks (two writers before the lock existed) counts once in every table."""
    store = Store(tmp_path / "s")
    chunk = {
        "route_volumes": pd.DataFrame({"case_id": ["d1", "d1", "d2"], "route": ["r", "q", "r"], "year": [2023] * 3, "volume_mt": [1.0, 2.0, 3.0]}),
        "years": pd.DataFrame({"case_id": ["d1", "d2"], "year": [2023, 2023], "x": [1.0, 2.0]}),
        "cases": pd.DataFrame({"case_id": ["d1", "d2"], "status": ["Optimal"] * 2}),
    }
    store.write_chunk(chunk)
    again = {k: v.copy() for k, v in chunk.items()}
    again["route_volumes"]["volume_mt"] *= 10  # the second writer's rows for the same cases
    store.write_chunk(again)
    rv = store.table("route_volumes")
    assert len(rv) == 3 and sorted(rv["volume_mt"]) == [10.0, 20.0, 30.0]  # one chunk's rows (the later), not both
    assert len(store.table("years")) == 2 and len(store.table("cases")) == 2


@pytest.mark.slow
def test_1_two_resumes_at_once_one_runs_the_other_is_refused(net25, tmp_path, monkeypatch):
    """Two real ``--resume`` processes on one folder: exactly one completes it, the other exits 2; no row twice."""
    folder = tmp_path / "s"
    interrupted_grid(net25, folder, monkeypatch, after_chunks=1)
    args = [str(CLI), "disrupt", "--resume", str(folder), "--quiet"]
    procs = [subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [p.communicate(timeout=300) + (p.returncode,) for p in procs]
    codes = sorted(r[2] for r in results)
    assert codes == [0, 2], results
    loser = next(r for r in results if r[2] == 2)
    assert "being written by another" in loser[1] or "already complete" in loser[1], loser
    assert "Traceback" not in loser[1]
    assert_no_duplicate_rows(folder)
    assert len(pd.read_csv(folder / "cases.csv")) == 2 * 2 * 2 * 3


# ------------------------------------------------------------------ 2. resume checks everything the scenario depends on


def test_2_resume_refuses_a_changed_scenarios_yaml(net25, tmp_path, monkeypatch):
    folder = tmp_path / "s"
    interrupted_grid(net25, folder, monkeypatch)
    lib = net25 / "scenarios.yaml"
    doc = yaml.safe_load(lib.read_text())
    doc["base"]["shut_in_penalty_usd_per_t"] = 60
    lib.write_text(yaml.safe_dump(doc, sort_keys=False))
    r = invoke("disrupt", "--resume", folder)
    assert_clean_exit(r, 2, "scenarios.yaml", "changed since the sweep started")


def test_2_resume_of_a_user_scenario_file_works_from_another_folder_and_notices_edits(net25, tmp_path, monkeypatch):
    work = tmp_path / "work"
    work.mkdir()
    write_user_scenario(work / "mine.yaml", {"name": "mine", "extends": "case", "route_limits": [{"route": "cheap", "max_mt": 18}]})
    monkeypatch.chdir(work)
    folder = tmp_path / "s"
    with ctrl_c_at_chunk(monkeypatch, 2), pytest.raises(Interrupted):
        sweep_api.disrupt("mine.yaml", inputs_dir=net25, targets=["pipe"], remaining="0,0.5", weeks="1,2", starts="2023-01..2023-04", out=folder, quiet=True)
    request = json.loads((folder / "sweep.json").read_text())
    assert request["scenario_file"] == str((work / "mine.yaml").resolve())
    monkeypatch.chdir(tmp_path)  # resume from elsewhere: the relative 'mine.yaml' is not here
    (work / "mine.yaml").write_text((work / "mine.yaml").read_text().replace("18", "17"))
    r = invoke("disrupt", "--resume", folder)
    assert_clean_exit(r, 2, "mine.yaml", "changed since the sweep started")
    (work / "mine.yaml").write_text((work / "mine.yaml").read_text().replace("17", "18"))
    r = invoke("disrupt", "--resume", folder, "--quiet")
    assert r.exit_code == 0, r.output
    assert len(pd.read_csv(folder / "cases.csv")) == 2 * 2 * 4


# ------------------------------------------------------------------ 3. a target joined with itself; repeated values


def test_3_a_target_joined_with_itself_is_refused(net25, tmp_path):
    out = tmp_path / "never"
    r = invoke("disrupt", "case", "--inputs", net25, "--asset", "pipe+pipe", "--remaining", "0.5", "--out", out)
    assert_clean_exit(r, 2, "'pipe+pipe' joins 'pipe' with itself")
    assert not out.exists()
    r = invoke("disrupt", "case", "--inputs", net25, "--asset", "pipe+", "--out", out)
    assert_clean_exit(r, 2, "has an empty part")


def test_3_repeated_option_values_are_solved_once(net25, tmp_path):
    out = tmp_path / "s"
    r = invoke("disrupt", "case", "--inputs", net25, "--asset", "pipe+ship", "--asset", "ship+pipe", "--asset", "pipe",
               "--remaining", "0.5,0.5,0", "--weeks", "1,1", "--start", "2023-03,2023-03-01", "--out", out, "--quiet")
    assert r.exit_code == 0, r.output
    assert "given more than once" in r.output
    cases = pd.read_csv(out / "cases.csv")
    # 2 targets (pipe+ship = ship+pipe) × 2 remaining × 1 length × 1 start
    assert len(cases) == 2 * 2 * 1 * 1
    assert sorted(cases["target"].unique()) == ["pipe", "pipe+ship"]


# ------------------------------------------------------------------ 4. finite numbers everywhere


@pytest.mark.parametrize(
    "args, expected",
    [
        (["--remaining", "nan"], "'nan' is not a finite number"),
        (["--remaining", "0,NaN"], "'NaN' is not a finite number"),
        (["--weeks", "nan"], "'nan' is not a finite number"),
        (["--weeks", "inf"], "'inf' is not a finite number"),
    ],
)
def test_4_nan_and_infinity_options_are_refused(net25, tmp_path, args, expected):
    out = tmp_path / "never"
    r = invoke("disrupt", "case", "--inputs", net25, "--asset", "pipe", *args, "--out", out)
    assert_clean_exit(r, 2, expected)
    assert not out.exists()


@pytest.mark.parametrize(
    "edit, column, expected",
    [
        ({"table": "asset_capacity", "where": {"asset": "ship"}, "values": {"capacity_mt": None}}, "capacity_mt", "capacity_mt cannot be blank"),
        ({"table": "asset_capacity", "where": {"asset": "ship"}, "values": {"capacity_mt": float("nan")}}, "capacity_mt", "must be a finite number"),
        ({"table": "asset_capacity", "where": {"asset": "ship"}, "values": {"capacity_mt": float("inf")}}, "capacity_mt", "must be a finite number"),
        ({"table": "asset_capacity", "where": {"asset": "ship"}, "values": {"capacity_mt": "1e400"}}, "capacity_mt", "must be a finite number"),
        ({"table": "assets", "where": {"asset": "ship"}, "values": {"units": 2.7}}, "units", "must be a whole number, got '2.7'"),
        ({"table": "assets", "where": {"asset": "ship"}, "values": {"units": float("inf")}}, "units", "must be a finite number"),
        ({"table": "assets", "where": {"asset": "ship"}, "values": {"units": True}}, "set", "expected a number, text or null, got True"),
    ],
)
def test_4_set_edits_must_be_finite_whole_and_present(net25, tmp_path, edit, column, expected):
    user = write_user_scenario(tmp_path / "edit.yaml", {"name": "edit", "extends": "case", "set": [edit]})
    out = tmp_path / "never"
    r = invoke("run", user, "--inputs", net25, "--out", out, "--no-power")
    assert_clean_exit(r, 2, "edit.yaml", expected)
    assert "line" in r.output and column in r.output
    assert not out.exists()


def test_4_nan_in_a_scenario_setting_is_refused(net25, tmp_path):
    user = tmp_path / "nan.yaml"
    user.write_text("name: nan\nextends: case\nroute_limits:\n  - {route: cheap, max_mt: .nan}\n")
    r = invoke("run", user, "--inputs", net25, "--out", tmp_path / "never", "--no-power")
    assert_clean_exit(r, 2, "nan.yaml, line 4", "route_limits.0.max_mt", "finite number")


# ------------------------------------------------------------------ 6. workers die with the driver


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads child processes from /proc")
def test_6_sigkill_of_a_driver_leaves_no_worker_and_closes_stdout(net25, tmp_path):
    folder = tmp_path / "s"
    args = [str(CLI), "disrupt", "case", "--inputs", str(net25), "--asset", "pipe", "--asset", "ship", "--asset", "pipe+ship",
            "--remaining", "0,0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9", "--weeks", "1,2,3,4,5,6,7,8", "--start", "2023-01..2023-12",
            "--out", str(folder), "--workers", "2", "--quiet"]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # stdout is a pipe, as in $(...)

    def children(pid: int) -> set[int]:
        out = set()
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.add(int(stat.parent.name))
        return out

    deadline = time.time() + 120
    workers: set[int] = set()
    while time.time() < deadline and not (len(workers) >= 2 and list((folder / "parts").glob("cases-*.parquet"))):
        workers |= children(proc.pid)
        if proc.poll() is not None:
            pytest.skip("the sweep finished before it could be killed")
        time.sleep(0.05)
    assert len(workers) >= 2, "no worker processes seen"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    # the caller reading stdout to its end (what $(...) does) must not wait for orphaned workers
    import threading

    reader = threading.Thread(target=lambda: (proc.stdout.read(), proc.stderr.read()), daemon=True)
    reader.start()
    reader.join(timeout=20)
    stdout_closed = not reader.is_alive()
    end = time.time() + 20
    while time.time() < end and any(Path(f"/proc/{w}").exists() and "zombie" not in Path(f"/proc/{w}/status").read_text(errors="ignore").lower() for w in workers):
        time.sleep(0.1)
    alive = [w for w in workers if Path(f"/proc/{w}").exists() and "zombie" not in Path(f"/proc/{w}/status").read_text(errors="ignore").lower()]
    for w in alive:  # do not leave them behind if the test fails
        os.kill(w, signal.SIGKILL)
    assert not alive, f"workers {alive} outlived the killed driver"
    assert stdout_closed, "the driver's stdout stayed open after it was killed"


# ------------------------------------------------------------------ 7. hostile files


def _alias_bomb(levels: int = 9) -> str:
    lines = ["name: bomb", "extends: case", "description: &l0 [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, levels):
        lines.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_7_alias_bomb_is_refused_at_once(net25, tmp_path):
    user = tmp_path / "bomb.yaml"
    user.write_text(_alias_bomb())  # 9^9 = 387 million values once expanded
    t0 = time.perf_counter()
    r = invoke("run", user, "--inputs", net25, "--out", tmp_path / "never", "--no-power")
    assert_clean_exit(r, 2, "bomb.yaml", "aliases")
    assert time.perf_counter() - t0 < 20


def test_7_deep_nesting_is_refused(net25, tmp_path):
    user = tmp_path / "deep.yaml"
    user.write_text("name: deep\nextends: case\nevents: " + "[" * 5000 + "]" * 5000 + "\n")
    r = invoke("run", user, "--inputs", net25, "--out", tmp_path / "never", "--no-power")
    assert_clean_exit(r, 2, "deep.yaml", "too deeply")


def test_7_an_input_that_is_a_device_a_folder_or_too_big_is_refused(net25, tmp_path, monkeypatch):
    (net25 / "scenarios.yaml").rename(tmp_path / "scenarios.real")
    (net25 / "scenarios.yaml").symlink_to("/dev/zero")
    r = invoke("validate", net25)
    assert_clean_exit(r, 2, "scenarios.yaml: is a device, not an ordinary file")
    (net25 / "scenarios.yaml").unlink()
    (tmp_path / "scenarios.real").rename(net25 / "scenarios.yaml")
    (net25 / "prices.csv").unlink()
    (net25 / "prices.csv").mkdir()
    r = invoke("validate", net25)
    assert_clean_exit(r, 2, "prices.csv: is a folder; expected a file")
    (net25 / "prices.csv").rmdir()
    (net25 / "prices.csv").write_text("year,brent_usd_per_bbl\n2023,80\n")
    from energy_routes import safeio

    monkeypatch.setattr(safeio, "MAX_TABLE_BYTES", 10)
    from energy_routes import load

    monkeypatch.setattr(load, "MAX_TABLE_BYTES", 10)
    r = invoke("validate", net25)
    assert_clean_exit(r, 2, "the limit for this kind of file is")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs")
def test_7_a_fifo_named_like_an_input_does_not_hang(net25):
    (net25 / "supply.csv").unlink()
    os.mkfifo(net25 / "supply.csv")
    r = subprocess.run([str(CLI), "validate", str(net25)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2, r.stderr
    assert "supply.csv: is a FIFO (named pipe), not an ordinary file" in " ".join(r.stderr.split())


# ------------------------------------------------------------------ 8. big requests stated, confirmed; messages capped


def test_8_a_large_request_needs_yes(net25, tmp_path, monkeypatch):
    monkeypatch.setattr(sweep_api, "CONFIRM_ABOVE", 10)
    out = tmp_path / "s"
    args = ("disrupt", "case", "--inputs", net25, "--asset", "pipe", "--remaining", "0,0.5", "--weeks", "1,2", "--start", "2023-01..2023-03", "--out", out)
    r = invoke(*args)
    assert_clean_exit(r, 2, "12 cases (1 target(s) × 2 remaining × 2 lengths × 3 starts)", "Add --yes")
    assert not out.exists()
    r = invoke(*args, "--yes")
    assert r.exit_code == 0, r.output
    assert "12 cases (1 target(s)" in r.output  # said before it started
    assert len(pd.read_csv(out / "cases.csv")) == 12


def test_8_a_million_problems_print_a_screenful():
    problems = [Problem("supply.csv", "got 'lots'; expected a number", line=i + 2, column="export_supply_mt") for i in range(100_000)]
    problems.append(Problem("prices.csv", "got 'x'", line=2, column="year"))
    text = str(InputError(problems))
    lines = text.splitlines()
    assert lines[0] == "100,001 problems in the inputs:"
    assert len(lines) <= 1 + 60 + 10
    assert "… and 99,990 more like these in supply.csv, column 'export_supply_mt'" in text
    assert "prices.csv, line 2, column 'year'" in text  # another file's problem is not crowded out


# ------------------------------------------------------------------ 9. an invalid case deep in a sweep


def _spec(tmp_path, params, scenario="case"):
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump({"scenario": scenario, "parameters": params}, sort_keys=False))
    return path


# each value is valid on its own; third_party 9 with capacity 5 or 8 breaks third_party_mt <= capacity_mt
# (a check across columns), so only two combinations of the 3 × 3 grid are invalid: c00003 and c00006
SHIP = {"name": "ship_mt", "values": [5, 8, 10], "apply": {"set": [{"table": "asset_capacity", "where": {"asset": "ship"}, "values": {"capacity_mt": "{value}"}}]}}
THIRD = {"name": "third", "values": [0, 4, 9], "apply": {"set": [{"table": "asset_capacity", "where": {"asset": "ship"}, "values": {"third_party_mt": "{value}"}}]}}


def test_9_every_case_is_checked_before_the_folder_exists(net25, tmp_path):
    out = tmp_path / "never"
    r = invoke("sweep", _spec(tmp_path, [SHIP, THIRD]), "--inputs", net25, "--out", out)
    # third_party 9 > capacity 5 or 8: cases c00003 and c00006 (ship 5 and 8 with third 9), not ship 10
    assert_clean_exit(r, 2, "case c00003 (ship_mt=5, third=9): asset_capacity.csv: third_party_mt 9 exceeds capacity_mt 5",
                      "case c00006 (ship_mt=8, third=9): asset_capacity.csv: third_party_mt 9 exceeds capacity_mt 8")
    assert not out.exists() and not list(tmp_path.glob(".never*"))


def test_9_beyond_the_full_check_an_invalid_case_is_a_failed_row(net25, tmp_path, monkeypatch):
    from energy_routes.sweep import grid

    monkeypatch.setattr(grid, "CHECK_ALL_UP_TO", 3)
    # ship [10, 8, 5] × third [0, 9, 4]: the first case of each value is checked first: ship 10, 8, 5 -> c00001, c00004,
    # c00007; third 0, 9, 4 -> c00001, c00002 (ship 10: valid), c00003. The invalid (8, 9) = c00005 and (5, 9) = c00008 are not.
    ship = {**SHIP, "values": [10, 8, 5]}
    third = {**THIRD, "values": [0, 9, 4]}
    out = tmp_path / "s"
    r = invoke("sweep", _spec(tmp_path, [ship, third]), "--inputs", net25, "--out", out, "--quiet")
    assert r.exit_code == 0, r.output
    assert "2 of 9 cases have invalid input" in out_text(r)
    cases = pd.read_csv(out / "cases.csv").set_index("case_id")
    assert list(cases.index[cases["status"] == "invalid input"]) == ["c00005", "c00008"]
    assert "third_party_mt 9 exceeds capacity_mt 8" in cases.loc["c00005", "problem"]
    assert (cases.drop(["c00005", "c00008"])["status"] == "Optimal").all()
    assert json.loads((out / "manifest.json").read_text())["status_counts"] == {"Optimal": 7, "invalid input": 2}


# ------------------------------------------------------------------ 10. names never become paths


@pytest.mark.parametrize("name", ["../../../escaped", "sub/dir/x", "a\\b", "bad\x00name", ".hidden", "x" * 101])
def test_10_a_scenario_name_that_is_not_a_name_is_refused(net25, tmp_path, name):
    user = tmp_path / "named.yaml"
    user.write_text(yaml.safe_dump({"name": name, "extends": "case"}, sort_keys=False))
    r = invoke("run", user, "--inputs", net25, "--no-power")
    assert_clean_exit(r, 2, "named.yaml, line 1, column 'name'")
    assert not (tmp_path / "escaped").exists() and not Path("runs/sub").exists()


def test_10_folder_names_are_derived_safely():
    from energy_routes.writers import default_out_dir, safe_folder_name

    for text in ["../../x", "a/b/c", "bad\x00name", "..", "", "x" * 500, "hist-2022 without cpc-storm-2022"]:
        name = safe_folder_name(text)
        assert name and "/" not in name and "\x00" not in name and ".." not in name and not name.startswith(".")
        assert len(name) <= 80
    assert default_out_dir("../../escaped").parent == Path("runs")
    assert safe_folder_name("hist-2022 without cpc-storm-2022") == "hist-2022-without-cpc-storm-2022"


# ------------------------------------------------------------------ 11. --out checked before any work


@pytest.mark.parametrize("kind", ["file", "devnull", "parent-file", "too-long", "not-empty"])
@pytest.mark.parametrize("command", ["run", "disrupt"])
def test_11_a_bad_out_is_refused_before_any_work(net25, tmp_path, monkeypatch, kind, command):
    from energy_routes import api

    calls = []
    monkeypatch.setattr(api, "load_inputs", lambda *a, **k: calls.append(1))  # `run` must not get this far
    monkeypatch.setattr(sweep_api, "load_inputs", lambda *a, **k: calls.append(1))
    (tmp_path / "a-file").write_text("x")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("mine")
    out, expected = {
        "file": (tmp_path / "a-file", "exists and is not a folder"),
        "devnull": (Path("/dev/null"), "exists and is not a folder"),
        "parent-file": (tmp_path / "a-file" / "run", "is a file, not a folder"),
        "too-long": (tmp_path / ("x" * 250), "bytes long"),
        "not-empty": (tmp_path / "full", "already exists and is not empty; choose another --out"),
    }[kind]
    extra = ["--no-power", "--no-report"] if command == "run" else ["--asset", "pipe"]
    r = invoke(command, "case", "--inputs", net25, "--out", out, *extra)
    assert_clean_exit(r, 2, "--out", expected)
    assert calls == []
    assert (tmp_path / "full" / "keep.txt").read_text() == "mine"


def test_11_two_runs_racing_for_one_out_never_mix(tmp_path, monkeypatch):
    """The second rename fails whole (FileExistsError with the full reason); the first run's folder is untouched."""
    from energy_routes import writers

    target = tmp_path / "run"

    def other_run_wins(tmp):  # another run renames its folder into place between our check and our rename
        writers.write_run(target, {"theirs": pd.DataFrame({"a": [1]})}, {"who": "them"})

    with pytest.raises(FileExistsError, match="exists and is not empty"):
        writers.write_run(target, {"ours": pd.DataFrame({"a": [2]})}, {"who": "us"}, finalize=other_run_wins)
    assert sorted(p.name for p in target.iterdir()) == ["manifest.json", "theirs.csv"]
    assert json.loads((target / "manifest.json").read_text())["who"] == "them"
    assert [p.name for p in tmp_path.iterdir()] == ["run"]  # our partial folder is gone


# ------------------------------------------------------------------ 12. messages, not tracebacks


def test_12_an_impossible_date_in_yaml_is_located(net25, tmp_path):
    user = tmp_path / "date.yaml"
    user.write_text("name: date\nextends: case\nevents:\n  - {id: x, target: pipe, start: 2023-02-30, end: 2023-03-05, remaining: 0.5}\n")
    r = invoke("run", user, "--inputs", net25, "--no-power")
    assert_clean_exit(r, 2, "date.yaml, line 4", "'2023-02-30' is not a real date")


def test_12_bad_seed_and_dask_addresses_are_refused_before_anything_is_written(net25, tmp_path):
    out = tmp_path / "never"
    r = invoke("risk", "case", "--inputs", net25, "--seed", "-1", "--out", out)
    assert_clean_exit(r, 2, "--seed")
    t0 = time.perf_counter()
    for address, expected in (("nonsense", "is not 'local' nor a scheduler address"), ("tcp://127.0.0.1:1", "no Dask scheduler answers at tcp://127.0.0.1:1")):
        r = invoke("disrupt", "case", "--inputs", net25, "--asset", "pipe", "--dask", address, "--out", out)
        if "needs the 'distributed' package" in r.output:
            pytest.skip("distributed is not installed")
        assert_clean_exit(r, 2, expected)
    assert time.perf_counter() - t0 < 30
    assert not out.exists()


def test_12_resume_of_the_wrong_folder_is_a_message(net25, tmp_path, monkeypatch):
    folder = tmp_path / "s"
    interrupted_grid(net25, folder, monkeypatch)
    r = invoke("risk", "--resume", folder)
    assert_clean_exit(r, 2, "is a 'disrupt' sweep; continue it with: energy-routes disrupt --resume")
    run_dir = tmp_path / "run"
    assert invoke("run", "case", "--inputs", net25, "--out", run_dir, "--no-power", "--no-report").exit_code == 0
    r = invoke("disrupt", "--resume", run_dir)
    assert_clean_exit(r, 2, "is a run folder (written by run or backtest), not a sweep folder")


def test_12_a_truncated_part_is_set_aside_and_its_cases_run_again(net25, tmp_path, monkeypatch):
    ref = pd.read_csv(small_grid(net25, tmp_path / "ref") / "cases.csv")
    folder = tmp_path / "s"
    interrupted_grid(net25, folder, monkeypatch, after_chunks=2)
    part = sorted((folder / "parts").glob("route_volumes-*.parquet"))[0]
    part.write_bytes(part.read_bytes()[:40])  # a copy cut short
    r = invoke("disrupt", "--resume", folder, "--quiet")
    assert r.exit_code == 0, r.output
    assert "damaged result part(s) moved to" in out_text(r)
    assert (folder / "parts" / "damaged" / part.name).exists()
    got = pd.read_csv(folder / "cases.csv")
    pd.testing.assert_frame_equal(ref.drop(columns=["iterations"]), got.drop(columns=["iterations"]))
    assert_no_duplicate_rows(folder)


@pytest.mark.parametrize("damage", ["sweep.json", "sweep.json keys", "plan.parquet"])
def test_12_a_damaged_plan_or_request_is_a_message(net25, tmp_path, monkeypatch, damage):
    folder = tmp_path / "s"
    interrupted_grid(net25, folder, monkeypatch)
    if damage == "sweep.json":
        (folder / "sweep.json").write_text('{"kind": "disrupt", "scen')
    elif damage == "sweep.json keys":
        (folder / "sweep.json").write_text('{"kind": "disrupt"}')
    else:
        (folder / "plan.parquet").write_bytes(b"PAR1 not really")
    r = invoke("disrupt", "--resume", folder)
    assert_clean_exit(r, 2, damage.split()[0], "is damaged", "start a new one")


def test_12_an_unexpected_error_is_one_line_and_exit_1(net25, tmp_path, monkeypatch):
    from energy_routes import api

    def boom(*a, **k):
        raise RuntimeError("something nobody foresaw")

    monkeypatch.setattr(api, "load_inputs", boom)
    r = invoke("run", "case", "--inputs", net25, "--out", tmp_path / "r", "--no-power")
    assert_clean_exit(r, 1, "unexpected RuntimeError: something nobody foresaw", "ENERGY_ROUTES_DEBUG=1")
    assert not (tmp_path / "r").exists()


# ------------------------------------------------------------------ 13. validate checks every file under inputs/


def test_13_text_in_a_history_number_column_is_located(shipped_inputs, tmp_path):
    import shutil

    folder = tmp_path / "inputs"
    shutil.copytree(shipped_inputs, folder)
    ev = folder / "history" / "events.csv"
    lines = ev.read_text().split("\n")
    head, row = lines[0].split(","), lines[1].split(",")
    row[head.index("year")] = "twenty"
    lines[1] = ",".join(row)
    ev.write_text("\n".join(lines))
    r = invoke("validate", folder)
    assert_clean_exit(r, 2, "history/events.csv, line 2, column 'year': got 'twenty'; expected a whole number")
    assert "1 problem in the inputs" in r.output  # and no false problems cascading from it


def test_13_a_broken_sweep_spec_under_inputs_fails_validate(shipped_inputs, tmp_path):
    import shutil

    folder = tmp_path / "inputs"
    shutil.copytree(shipped_inputs, folder)
    spec = folder / "sweeps" / "brent-and-aktau.yaml"
    spec.write_text(spec.read_text().replace("values: [60, 80, 100]", "values: [60, 80, 100, 100]"))
    r = invoke("validate", folder)
    assert_clean_exit(r, 2, "brent-and-aktau.yaml, line 9, column 'parameters[0].values[3]': value 100 is listed twice")
    spec.write_text(spec.read_text().replace("values: [60, 80, 100, 100]", "values: [60, 80, 5]"))
    r = invoke("validate", folder)
    assert_clean_exit(r, 2, "brent-and-aktau.yaml", "all with brent_usd_per_bbl=5", "got '5'; expected a number in [10, 250]")


# ------------------------------------------------------------------ 14. SIGTERM during set-up and finishing

SLOW_SETUP = textwrap.dedent(
    """
    import sys, time
    import energy_routes.sweep.grid as g
    real = g.validate_cases
    def slow(*a, **k):
        print("checking", file=sys.stderr, flush=True)
        time.sleep(30)
        return real(*a, **k)
    g.validate_cases = slow
    from energy_routes.cli import entry
    sys.argv = ["energy-routes", *sys.argv[1:]]
    entry()
    """
)


@pytest.mark.skipif(os.name != "posix", reason="signals")
def test_14_sigterm_during_set_up_exits_130_and_writes_nothing(net25, tmp_path):
    out = tmp_path / "s"
    proc = subprocess.Popen([sys.executable, "-c", SLOW_SETUP, "sweep", str(_spec(tmp_path, [SHIP])), "--inputs", str(net25), "--out", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stderr.readline()
    while line and "checking" not in line:
        line = proc.stderr.readline()
    proc.send_signal(signal.SIGTERM)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, (stdout, stderr)
    assert "interrupted during set-up; nothing was written" in " ".join(stderr.split())
    assert "Traceback" not in stderr
    assert not out.exists() and not list(tmp_path.glob(".s.*"))


def test_14_interrupted_while_finishing_says_every_case_is_saved(net25, tmp_path, monkeypatch):
    from energy_routes.sweep import runner

    real = runner.build_duckdb

    def cut(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(runner, "build_duckdb", cut)
    out = tmp_path / "s"
    with pytest.raises(Interrupted) as info:  # the CLI prints this message and exits 130 (tests/test_sweep.py, real process)
        sweep_api.disrupt("case", inputs_dir=net25, targets=["pipe"], remaining="0", weeks="1", starts="2023-03", out=out, quiet=True)
    assert f"interrupted while writing the consolidated tables; every case is saved in {out}/parts. Finish with: energy-routes disrupt --resume {out}" == str(info.value)
    assert not (out / "manifest.json").exists()
    monkeypatch.setattr(runner, "build_duckdb", real)
    r = invoke("disrupt", "--resume", out, "--quiet")
    assert r.exit_code == 0, r.output
    assert (out / "manifest.json").exists()
