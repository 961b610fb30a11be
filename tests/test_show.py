"""``energy-routes show`` and the inputs_*.csv tables: the inputs a scenario uses, by hand on the builder network.

Builder: Brent 80 $/bbl, every grade 7.5 bbl/t and differential 0, so the price is 600 $/t; tariffs cheap 10,
dear 30 + 10 = 40, spare 30 + 40 = 70 $/t; no feeder costs: netbacks 590, 560, 530 $/t.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from builders import write_inputs
from reportkit import invoke


def test_show_prints_the_inputs_in_80_columns(tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    folder = write_inputs(tmp_path / "in", scenario={
        "route_limits": [{"route": "spare", "min_mt": 1.0, "note": "test"}],
        "events": [{"id": "pipe-out", "target": "pipe", "start": "2023-03-01", "weeks": 2, "remaining": 0.5}],
    })
    res = invoke("show", "case", "--inputs", folder)
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert max(len(x.rstrip()) for x in lines) <= 80 and "…" not in res.output
    netback = {ln.split()[-2]: float(ln.split()[-1]) for ln in lines if " via " in ln}
    assert netback == {"Cheap": 590.0, "Dear": 560.0, "Spare": 530.0}
    assert any("route limit spare" in ln and "at least 1 Mt/yr" in ln for ln in lines), res.output
    assert any("pipe-out" in ln and "50%" in ln and re.search(r"2023-03-01 +2023-03-14 +14 ", ln) for ln in lines), res.output


def test_a_run_writes_the_inputs_it_used(tmp_path):
    folder = write_inputs(tmp_path / "in")
    out = tmp_path / "run"
    res = invoke("run", "case", "--inputs", folder, "--out", out, "--no-report", "--no-power", "--quiet")
    assert res.exit_code == 0, res.output
    nb = pd.read_csv(out / "inputs_netback.csv").set_index(["source", "route"])
    assert nb.loc[("a", "dear"), ["price_usd_per_t", "tariff_usd_per_t", "netback_usd_per_t"]].tolist() == pytest.approx([600, 40, 560])
    cap = pd.read_csv(out / "inputs_capacity.csv").set_index("asset")
    assert cap.loc["ship", "kazakh_mt"] == 10 and cap.loc["pipe", "kazakh_mt"] == 20


def test_run_folder_and_files_are_readable_as_the_umask_allows(tmp_path):
    import os
    import stat

    folder = write_inputs(tmp_path / "in")
    old = os.umask(0o027)  # group may read, others nothing
    try:
        out = tmp_path / "run"
        res = invoke("run", "case", "--inputs", folder, "--out", out, "--no-power", "--quiet")
    finally:
        os.umask(old)
    assert res.exit_code == 0, res.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o750
    for name in ("allocation_annual.csv", "manifest.json", "tables.xlsx", "report.html", "chart-monthly.png"):
        assert stat.S_IMODE((out / name).stat().st_mode) == 0o640, name
