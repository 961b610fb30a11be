"""Nothing lost: a run folder appears whole or not at all.

``writers.write_run`` writes into ``.<name>.partial-<random>`` next to the
target and renames it into place only when every file is written. These
tests break the write in the three ways it can break: an exception, Ctrl-C
(SIGINT, exit 130) and a hard kill (SIGKILL), and check that no folder at the
target name exists and nothing that looks finished (a ``manifest.json``) is
left anywhere.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

from energy_routes import writers

TABLES = {f"t{i}": pd.DataFrame({"a": [1.5, 2.0], "b": ["x", "y"]}) for i in range(5)}


def partials(parent: Path, name: str) -> list[Path]:
    return sorted(parent.glob(f".{name}.partial-*"))


class Boom(Exception):
    pass


@pytest.mark.parametrize("exc", [Boom, KeyboardInterrupt])
def test_a_failed_write_leaves_nothing(tmp_path, monkeypatch, exc):
    real = writers.write_csv
    calls = []

    def failing(df, path):
        calls.append(path.name)
        if len(calls) == 3:
            raise exc()
        real(df, path)

    monkeypatch.setattr(writers, "write_csv", failing)
    target = tmp_path / "run"
    with pytest.raises(exc):
        writers.write_run(target, TABLES, {"status": "Optimal"})
    assert len(calls) == 3  # it did get part-way
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []  # the partial folder is removed too


def test_a_complete_write_leaves_only_the_target(tmp_path):
    target = tmp_path / "run"
    writers.write_run(target, TABLES, {"status": "Optimal"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]
    assert sorted(p.name for p in target.iterdir()) == sorted([f"{k}.csv" for k in TABLES] + ["manifest.json"])


# A child process that runs the real command line with the CSV writer slowed down, so the
# parent can interrupt it mid-write. It prints nothing itself; the parent watches the folder.
SLOW_CHILD = textwrap.dedent(
    """
    import sys, time
    import energy_routes.writers as w
    real = w.write_csv
    def slow(df, path):
        real(df, path)
        time.sleep(0.5)
    w.write_csv = slow
    from energy_routes.cli import entry
    sys.argv = ["energy-routes", *sys.argv[1:]]
    entry()
    """
)


def _start_slow_run(folder: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", SLOW_CHILD, "run", "case", "--inputs", str(folder), "--out", str(out), "--no-power", "-q"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for_partial_with_csv(parent: Path, name: str, proc: subprocess.Popen, timeout: float = 120) -> Path:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        for p in partials(parent, name):
            if any(p.glob("*.csv")):
                return p
        if proc.poll() is not None:
            raise AssertionError(f"the run ended before it was interrupted: {proc.communicate()}")
        time.sleep(0.05)
    proc.kill()
    raise AssertionError("no partial folder appeared")


def test_killed_run_leaves_no_folder_that_looks_complete(make_inputs, tmp_path):
    folder = make_inputs()
    runs = tmp_path / "runs"
    out = runs / "killed"
    proc = _start_slow_run(folder, out)
    partial = _wait_for_partial_with_csv(runs, "killed", proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert not out.exists()
    # SIGKILL cannot be cleaned up after: the partial folder stays, hidden, named as such, and
    # without a manifest (the manifest is the last file written)
    assert partials(runs, "killed") == [partial]
    assert partial.name.startswith(".killed.partial-")
    assert not (partial / "manifest.json").exists()
    assert not list(runs.rglob("manifest.json"))
    # and it does not block the next run to the same --out
    from click.testing import CliRunner

    from energy_routes.cli import main

    res = CliRunner().invoke(main, ["run", "case", "--inputs", str(folder), "--out", str(out), "--no-power", "-q"])
    assert res.exit_code == 0, res.output
    assert (out / "manifest.json").exists()


@pytest.mark.skipif(os.name != "posix", reason="SIGINT delivery to a child process")
def test_ctrl_c_mid_write_exits_130_and_cleans_up(make_inputs, tmp_path):
    folder = make_inputs()
    runs = tmp_path / "runs"
    out = runs / "interrupted"
    proc = _start_slow_run(folder, out)
    _wait_for_partial_with_csv(runs, "interrupted", proc)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, (stdout, stderr)
    assert "Traceback" not in stdout + stderr
    assert "interrupted" in stderr
    assert not out.exists()
    assert partials(runs, "interrupted") == []  # removed on the way out


@pytest.mark.skipif(os.name != "posix", reason="SIGTERM delivery to a child process")
def test_sigterm_mid_write_is_handled_like_ctrl_c(make_inputs, tmp_path):
    """`kill` (SIGTERM, as a CI timeout sends) exits 130 with a word on what was kept, not 143 in silence."""
    folder = make_inputs()
    runs = tmp_path / "runs"
    out = runs / "terminated"
    proc = _start_slow_run(folder, out)
    _wait_for_partial_with_csv(runs, "terminated", proc)
    proc.send_signal(signal.SIGTERM)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, (stdout, stderr)
    assert "Traceback" not in stdout + stderr
    assert "interrupted; nothing that looks finished was written" in stderr
    assert not out.exists()
    assert partials(runs, "terminated") == []
