"""The sweep's workbook is written by a forked child beside the CSVs: its result and its failure reach the parent.

A failure must stop ``finish`` before ``manifest.json`` (nothing that looks finished), as when the workbook
was written in the parent.
"""

from __future__ import annotations

import os

import pandas as pd
import pytest

from energy_routes.sweep import runner


def test_beside_returns_the_child_result_from_another_process():
    here = os.getpid()
    got = runner.Beside(lambda: ("done", os.getpid())).wait()
    assert got[0] == "done"
    assert got[1] != here  # it ran in a child (the platform forks: the suite runs on Linux)


def test_beside_raises_what_the_child_raised():
    def boom():
        raise ValueError("no room on the disk")

    with pytest.raises(RuntimeError, match="ValueError: no room on the disk"):
        runner.Beside(boom).wait()


def test_a_failing_workbook_leaves_no_manifest(tmp_path, monkeypatch):
    def broken(folder, tables, title):
        raise OSError("disk full")

    monkeypatch.setattr(runner, "write_workbook_for", broken)
    tables = {"cases": pd.DataFrame({"case_id": ["a"], "status": ["Optimal"]})}
    with pytest.raises(RuntimeError, match="disk full"):
        runner.finish(tmp_path, {"kind": "sweep"}, pd.DataFrame({"case_id": ["a"]}), tables, {})
    assert (tmp_path / "cases.csv").exists()
    assert not (tmp_path / runner.MANIFEST).exists()
