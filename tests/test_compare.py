"""``energy-routes compare``: two runs whose difference is known by hand.

A is the builder case of reportkit.py (cheap 20 Mt at 590 $/t, dear 10 Mt at
560 $/t, spare 0, 6.5 Mt shut in). B adds a commitment of at least 1 Mt/yr on
spare: the shared ship leg is full, so that tonne comes out of dear. By hand,
B - A: dear -1 Mt, spare +1 Mt, cheap 0, shut-in 0, netback 530 - 560 = -30 M$,
and B has one more binding constraint, route_limit[spare] at -30 $/t (a
tonne more of commitment costs 560 - 530), while pipe (640 $/t) and ship
(610 $/t) bind in every month of both runs.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from energy_routes import compare as cmp
from energy_routes.report.rundata import RunData, load_run
from reportkit import case_inputs, invoke, run_case


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    root = tmp_path_factory.mktemp("compare")
    a = run_case(case_inputs(root / "in_a", power=False), root / "a", "--no-report", "--no-power")
    b = run_case(case_inputs(root / "in_b", {"route_limits": [{"route": "spare", "min_mt": 1}]}, power=False), root / "b", "--no-report", "--no-power")
    return a, b


@pytest.fixture(scope="module")
def tables(pair):
    return cmp.compare_runs(load_run(pair[0]), load_run(pair[1]))


def test_volume_difference_by_hand(tables):
    v = tables["volume"].set_index("route")
    assert list(v.index) == ["cheap", "dear", "spare"]  # the runs' route order
    assert (v.year == 2023).all()
    assert v.a_volume_mt.to_dict() == pytest.approx({"cheap": 20, "dear": 10, "spare": 0}, abs=1e-6)
    assert v.b_volume_mt.to_dict() == pytest.approx({"cheap": 20, "dear": 9, "spare": 1}, abs=1e-6)
    assert v.diff_volume_mt.to_dict() == pytest.approx({"cheap": 0, "dear": -1, "spare": 1}, abs=1e-6)


def test_monthly_differences_add_up_to_the_annual_ones(tables):
    m = tables["volume_monthly"]
    assert len(m) == 36 and set(m.period) == {f"2023-{k:02d}" for k in range(1, 13)}
    total = m.groupby("route").diff_volume_kt.sum()
    assert total.to_dict() == pytest.approx({"cheap": 0, "dear": -1000, "spare": 1000}, abs=1e-3)


def test_shut_in_netback_and_summary_by_hand(tables):
    s = tables["shut_in"].iloc[0]
    assert (s.year, s.a_shut_in_mt, s.b_shut_in_mt, s.diff_shut_in_mt) == pytest.approx((2023, 6.5, 6.5, 0.0), abs=1e-6)
    n = tables["netback"].iloc[0]
    assert (n.a_netback_musd, n.b_netback_musd, n.diff_netback_musd) == pytest.approx((17400, 17370, -30), abs=1e-3)
    summ = tables["summary"].set_index("metric")
    assert summ.loc["objective: netback less shut-in penalty (M$)", "diff"] == pytest.approx(-30, abs=1e-6)
    assert summ.loc["shut in (Mt)", "diff"] == pytest.approx(0, abs=1e-6)
    assert summ.loc["binding constraints (count)", ["a", "b", "diff"]].tolist() == [2, 3, 1]


def test_binding_constraints_by_hand(tables):
    b = tables["binding"].set_index("asset_or_route")
    assert b.loc["spare", "binds_in"] == "B only" and b.loc["spare", "constraint"] == "route_limit"
    assert b.loc["spare", "b_mean_usd_per_t"] == pytest.approx(-30)
    assert np.isnan(b.loc["spare", "a_mean_usd_per_t"]) and b.loc["spare", "a_periods_binding"] == 0
    for asset, usd in (("pipe", 640), ("ship", 610)):
        row = b.loc[asset]
        assert row.binds_in == "both" and row.a_periods_binding == row.b_periods_binding == 12
        assert (row.a_mean_usd_per_t, row.b_mean_usd_per_t, row.diff_mean_usd_per_t) == pytest.approx((usd, usd, 0))


def test_compare_command_writes_csv_excel_html_and_prints(pair, tmp_path):
    out = tmp_path / "cmp"
    res = invoke("compare", *pair, "--out", out)
    assert res.exit_code == 0, res.output
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted([f"compare_{t}.csv" for t in cmp.TABLES] + ["compare.xlsx", "compare.html", "compare.png", "manifest.json"])
    man = json.loads((out / "manifest.json").read_text())
    assert man["run_a"]["folder"] == str(pair[0].resolve()) and man["difference"] == "B - A"
    # terminal: the spare and dear rows with their signed differences
    lines = [ln for ln in res.output.splitlines() if "Spare" in ln or "Dear" in ln]
    assert any("Spare" in ln and "+1.00" in ln for ln in lines), res.output
    assert any("Dear" in ln and "-1.00" in ln for ln in lines), res.output
    # the CSV is the table computed in memory, and the workbook holds the CSV's values
    csv = pd.read_csv(out / "compare_volume.csv")
    assert csv.diff_volume_mt.tolist() == pytest.approx([0, -1, 1], abs=1e-6)
    xl = pd.read_excel(out / "compare.xlsx", sheet_name="Volume by route")
    assert list(xl.columns) == ["year", "route", "A: volume (Mt)", "B: volume (Mt)", "B - A: volume (Mt)"]
    # the workbook leaves out the unchanged row (cheap: 20 and 20) and shows display names; the CSV keeps every row
    changed = csv[csv.diff_volume_mt.abs() > 1e-6]
    np.testing.assert_allclose(xl.iloc[:, 2:].to_numpy(float), changed.iloc[:, 2:].to_numpy(float), rtol=1e-12)
    assert xl.route.tolist() == ["Dear", "Spare"] and changed.route.tolist() == ["dear", "spare"]
    assert not any("Cheap" in ln for ln in res.output.splitlines() if "2023" in ln), res.output
    wb = openpyxl.load_workbook(out / "compare.xlsx", read_only=True)
    assert wb.sheetnames == ["Contents", "Summary", "Volume by route", "Shut-in", "Netback", "Binding constraints", "Monthly volume", "Runs"]
    page = (out / "compare.html").read_text()
    assert 'id="compare-chart"' in page and "B - A" in page


def test_compare_refuses_a_missing_run(pair, tmp_path):
    res = invoke("compare", pair[0], tmp_path / "nope", "--out", tmp_path / "cmp")
    assert res.exit_code == 2
    assert "nope" in res.stderr and "Traceback" not in res.output + res.stderr
    assert not (tmp_path / "cmp").exists()


def _synthetic(year: int, cpc_mt: float, folder: Path) -> RunData:
    """Just the tables compare reads, for one year and one route."""
    periods = [f"{year}-{m:02d}" for m in range(1, 13)]
    tables = {
        "allocation_annual": pd.DataFrame({"year": [year], "route": ["cpc"], "volume_mt": [cpc_mt], "netback_musd": [cpc_mt * 500]}),
        "allocation_monthly": pd.DataFrame({"period": periods, "year": year, "route": "cpc", "volume_kt": cpc_mt * 1000 / 12}),
        "balance_monthly": pd.DataFrame({"period": periods, "supply_kt": 1000.0, "exported_kt": cpc_mt * 1000 / 12, "shut_in_kt": 0.0}),
        "shadow_prices": pd.DataFrame(columns=["period", "constraint", "asset_or_route", "usd_per_t"]),
    }
    return RunData(folder, {"scenario": {"name": f"s{year}"}}, tables)


def test_runs_without_a_common_year_leave_the_differences_empty(tmp_path):
    a, b = _synthetic(2024, 50.0, tmp_path / "a"), _synthetic(2025, 60.0, tmp_path / "b")
    t = cmp.compare_runs(a, b)
    v = t["volume"]
    assert v.year.tolist() == [2024, 2025]
    assert v.a_volume_mt.tolist()[0] == 50 and np.isnan(v.b_volume_mt.tolist()[0])
    assert v.diff_volume_mt.isna().all()  # not 60 - 0 or 0 - 50
    assert t["summary"].set_index("metric").loc["exported (Mt)", "diff"] == pytest.approx(10)
    assert any("share no year" in line for line in cmp.describe_pair(a, b))


@pytest.mark.slow
def test_base_against_the_two_spm_outage(shipped_inputs, tmp_path):
    """The typical use on the shipped data: same supply in both, so every tonne CPC loses is rerouted or shut in."""
    a = tmp_path / "base"
    b = tmp_path / "spm"
    for scenario, out in (("base-2024", a), ("cpc-two-spms-loss", b)):
        res = invoke("run", scenario, "--inputs", shipped_inputs, "--out", out, "--no-report", "--no-power")
        assert res.exit_code == 0, res.output
    t = cmp.compare_runs(load_run(a), load_run(b))
    v = t["volume"].set_index("route")
    shut = t["shut_in"].iloc[0]
    assert v.loc["cpc", "diff_volume_mt"] < -0.1  # two of three moorings out for a month
    # conservation: rerouted + lost exports = more shut-in
    assert v.diff_volume_mt.sum() == pytest.approx(-shut.diff_shut_in_mt, abs=1e-5)
    assert t["netback"].diff_netback_musd.iloc[0] < 0
    b_rows = t["binding"]
    assert ((b_rows.constraint == "asset_capacity") & (b_rows.asset_or_route == "cpc_terminal") & (b_rows.binds_in != "A only")).any()


def test_three_runs_against_the_first_with_overrides_named(tmp_path):
    """A: the builder case; B: --override min1 (at least 1 Mt/yr on spare); C: --override min2 (at least 2).

    By hand, each tonne forced onto spare comes out of dear (the ship leg is full): B - A dear -1, spare +1,
    netback -30 M$; C - A dear -2, spare +2, netback 2 x (530 - 560) = -60 M$. Cheap is unchanged in all three.
    """
    import yaml

    folder = case_inputs(tmp_path / "in", power=False)
    doc = yaml.safe_load((folder / "scenarios.yaml").read_text())
    doc["overrides"] = {"min1": {"route_limits": [{"route": "spare", "min_mt": 1}]}, "min2": {"route_limits": [{"route": "spare", "min_mt": 2}]}}
    (folder / "scenarios.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    a = run_case(folder, tmp_path / "a", "--no-report", "--no-power")
    b = run_case(folder, tmp_path / "b", "--no-report", "--no-power", "--override", "min1")
    c = run_case(folder, tmp_path / "c", "--no-report", "--no-power", "--override", "min2")
    out = tmp_path / "cmp"
    res = invoke("compare", a, b, c, "--out", out)
    assert res.exit_code == 0, res.output
    v = pd.read_csv(out / "compare_volume.csv").set_index("route")
    assert v.diff_b_volume_mt.to_dict() == pytest.approx({"cheap": 0, "dear": -1, "spare": 1}, abs=1e-6)
    assert v.diff_c_volume_mt.to_dict() == pytest.approx({"cheap": 0, "dear": -2, "spare": 2}, abs=1e-6)
    n = pd.read_csv(out / "compare_netback.csv").iloc[0]
    assert (n.diff_b_netback_musd, n.diff_c_netback_musd) == pytest.approx((-30, -60), abs=1e-3)
    # every run is named by what was added to it, in the terminal, the manifest and the page
    assert "B = case + min1" in res.output and "C = case + min2" in res.output
    man = json.loads((out / "manifest.json").read_text())
    assert man["run_c"]["label"] == "case + min2" and man["difference"] == "B - A, C - A"
    page = (out / "compare.html").read_text()
    assert "case vs case + min1 vs case + min2" in page
    xl = pd.read_excel(out / "compare.xlsx", sheet_name="Volume by route")
    assert list(xl.columns) == ["year", "route", "A: volume (Mt)", "B: volume (Mt)", "C: volume (Mt)", "B - A: volume (Mt)", "C - A: volume (Mt)"]
    assert xl.route.tolist() == ["Dear", "Spare"]  # cheap is unchanged in B and C: left out


def test_compare_needs_two_runs(pair):
    res = invoke("compare", pair[0])
    assert res.exit_code == 2 and "at least two run folders" in res.stderr
