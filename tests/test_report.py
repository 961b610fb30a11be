"""The deliverables of a run folder: tables.xlsx read back against the CSVs, report.html, PNGs, the report command.

The run is the hand-solvable builder case of reportkit.py, with a pipe outage
(10 days out, then a 5-day ramp) and a 300 MW cable fed by a steady 500 MW of
wind, so every chart and table has something in it and its numbers are known.
"""

from __future__ import annotations

import json
import re
import shutil

import numpy as np
import openpyxl
import pandas as pd
import pytest

from energy_routes.report import chartdata as cd
from energy_routes.report.heatmaps import write_heatmaps
from energy_routes.report.rundata import OPTIONAL_TABLES, RUN_TABLES, load_run, parse_sources_md
from energy_routes.report.chartdata import binding_summary
from energy_routes.writers import write_run
from reportkit import CABLE_MW, EVENT, WIND_CF, WIND_MW, case_inputs, invoke, run_case

REPORT_FILES = ["tables.xlsx", "report.html", "chart-volume-by-route.png", "chart-monthly.png", "chart-utilisation.png", "chart-shadow-prices.png", "chart-power.png"]
CHART_IDS = ["sankey", "volume-by-route", "route-capacity", "monthly", "utilisation", "shadow-prices", "power-duration", "power-curtailment", "power-week", "power-allocation"]

#: sheet -> (CSV, the headers expected, in the CSV's column order)
SHEETS = {
    "Annual allocation": ("allocation_annual.csv", ["year", "route", "volume (Mt)", "capacity (Mt)", "share of the year's exports (%)", "utilisation (%)", "volume (kb/d)", "netback (M$)"]),
    "Monthly allocation": ("allocation_monthly.csv", ["period", "year", "route", "volume (kt)", "volume (kb/d)", "capacity (kt)", "utilisation (%)", "netback ($/t)"]),
    "Balance": ("balance_monthly.csv", ["period", "export supply (kt)", "exported (kt)", "shut in (kt)", "production (kt)", "stock change (kt)"]),
    "Shut-in by source": ("shut_in_monthly.csv", ["period", "source", "export supply (kt)", "shut in (kt)"]),
    "Shadow prices": ("shadow_prices.csv", ["period", "constraint", "asset or route", "shadow price ($/t)"]),
    "Asset use": ("asset_use_monthly.csv", ["period", "asset", "flow (kt)", "capacity (kt)", "utilisation (%)", "capacity remaining after events (%)"]),
    "Flows by source": ("flows_monthly.csv", ["period", "source", "route", "volume (kt)", "netback ($/t)"]),
    "Availability": ("availability_monthly.csv", ["period", "target", "capacity remaining after events (%)"]),
    "Power summary": ("power_annual.csv", ["year", "weather year", "node", "country", "available (GWh)", "generation (GWh)", "curtailed (GWh)", "offtake (GWh)", "imports (GWh)",
                                           "exports (GWh)", "link losses (GWh)", "storage losses (GWh)", "revenue (M$)", "variable cost (M$)", "gas saved (million m³)", "mean value ($/MWh)"]),
    "Power links": ("power_links.csv", ["year", "weather year", "link", "kind", "from node", "to node", "capacity (MW)", "sized", "sent (GWh)", "received (GWh)", "losses (GWh)",
                                        "utilisation (%)", "hours at capacity", "congestion rent (M$)", "share rent (M$)", "annual cost (M$)", "lcot ($/MWh)"]),
    "Power assets": ("power_assets.csv", ["year", "weather year", "asset", "type", "node", "capacity (MW)", "energy (MWh)", "sized", "output (GWh)", "annual cost (M$)", "value (M$)",
                                          "net (M$)", "levelised cost ($/MWh)"]),
}
ALL_SHEETS = ["Contents", "Summary by year", *SHEETS, "Scenario", "Events",
              "Inputs used - capacity", "Inputs used - netback", "Inputs used - commitments", "Inputs used - events", "Sources", "Run info"]
ALL_SHEETS.insert(ALL_SHEETS.index("Asset use"), "Binding constraints")
ALL_SHEETS.insert(ALL_SHEETS.index("Balance"), "Route x month")
#: the builder's display names (its routes.csv, assets.csv, sources.csv): the workbook shows these, the CSVs the ids
NAMES = {"cheap": "Cheap", "dear": "Dear", "spare": "Spare", "pipe": "Pipe", "ship": "Ship", "link": "Link", "spur": "Spur", "a": "Source A", "b": "Source B"}


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("report")
    inputs = case_inputs(root / "in", {"events": [EVENT]})
    return run_case(inputs, root / "runs" / "case-run")


@pytest.fixture(scope="module")
def data(run_dir):
    return load_run(run_dir)


def test_run_writes_the_report_inside_the_finished_folder(run_dir):
    names = {p.name for p in run_dir.iterdir()}
    assert names == {f"{t}.csv" for t in RUN_TABLES + OPTIONAL_TABLES} | {"manifest.json"} | set(REPORT_FILES)
    assert not [p for p in run_dir.parent.iterdir() if ".partial-" in p.name]
    assert not [p for p in run_dir.iterdir() if p.name.startswith(".")]
    page = (run_dir / "report.html").read_text()
    # built in the temporary folder but named after the final one
    assert "case-run" in page and ".partial-" not in page
    for png in REPORT_FILES[2:]:
        head = (run_dir / png).read_bytes()[:8]
        assert head == b"\x89PNG\r\n\x1a\n", png


def test_no_report_writes_only_the_tables(tmp_path):
    inputs = case_inputs(tmp_path / "in", power=False)
    out = run_case(inputs, tmp_path / "bare", "--no-report", "--no-power")
    assert sorted(p.name for p in out.iterdir()) == sorted([f"{t}.csv" for t in RUN_TABLES + OPTIONAL_TABLES] + ["manifest.json"])


def test_report_command_on_an_existing_folder(tmp_path):
    inputs = case_inputs(tmp_path / "in", power=False, sources_md=False)
    out = run_case(inputs, tmp_path / "bare", "--no-report", "--no-power")
    res = invoke("report", out, "--no-png")
    assert res.exit_code == 0, res.output
    assert (out / "tables.xlsx").exists() and (out / "report.html").exists()
    assert not list(out.glob("*.png"))
    assert "report.html" in res.output
    # without SOURCES.md the Sources sheet is left out and the report says why
    wb = openpyxl.load_workbook(out / "tables.xlsx", read_only=True)
    assert "Sources" not in wb.sheetnames
    assert "SOURCES.md was not found" in (out / "report.html").read_text()


@pytest.mark.parametrize("make", ["missing", "no_manifest"])
def test_report_on_something_that_is_not_a_run_folder_exits_2(tmp_path, make):
    target = tmp_path / "nothing"
    if make == "no_manifest":
        target.mkdir()
        (target / "allocation_annual.csv").write_text("year\n")
    res = invoke("report", target)
    assert res.exit_code == 2
    assert str(target) in res.stderr
    assert ("no such run folder" if make == "missing" else "no manifest.json") in res.stderr
    assert "Traceback" not in res.output + res.stderr


def test_report_without_a_table_names_the_missing_file(run_dir, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(run_dir, broken)
    (broken / "shadow_prices.csv").unlink()
    res = invoke("report", broken)
    assert res.exit_code == 2
    assert "shadow_prices.csv" in res.stderr and "missing" in res.stderr


# ------------------------------------------------------------------ workbook


def test_workbook_sheets_headers_and_frozen_panes(run_dir):
    wb = openpyxl.load_workbook(run_dir / "tables.xlsx")
    assert wb.sheetnames == ALL_SHEETS
    for name, (_csv, headers) in SHEETS.items():
        ws = wb[name]
        assert [c.value for c in ws[1]] == headers, name
        assert ws.freeze_panes == "A2", name
        # every column at least as wide as its header (up to the wrap cap); xlsxwriter stores runs of equal widths as one range
        widths = {j: dim.width for dim in ws.column_dimensions.values() for j in range(dim.min, dim.max + 1)}
        for j, h in enumerate(headers, start=1):
            assert widths.get(j, 0) >= min(len(h), 28), (name, h, widths.get(j))
    ann = wb["Annual allocation"]
    assert ann["E2"].number_format == "0.0%"  # share
    assert ann["C2"].number_format == "#,##0.00"  # Mt
    assert ann["G2"].number_format == "#,##0"  # kb/d


def test_workbook_values_equal_the_csv_tables(run_dir):
    for name, (csv, headers) in SHEETS.items():
        want = pd.read_csv(run_dir / csv, dtype={"period": str})
        got = pd.read_excel(run_dir / "tables.xlsx", sheet_name=name, dtype={"period": str})
        assert list(got.columns) == headers
        got.columns = want.columns
        assert len(got) == len(want), name
        for col in want.columns:
            if pd.api.types.is_numeric_dtype(want[col]):
                np.testing.assert_allclose(got[col].to_numpy(float), want[col].to_numpy(float), rtol=1e-12, atol=1e-9, equal_nan=True, err_msg=f"{name}.{col}")
            elif col in ("route", "source", "asset", "target", "asset_or_route"):  # ids shown as display names
                assert got[col].astype(str).tolist() == [NAMES.get(v, v) for v in want[col].astype(str)], f"{name}.{col}"
            else:
                assert got[col].astype(str).tolist() == want[col].astype(str).tolist(), f"{name}.{col}"


def test_workbook_scenario_events_and_sources(run_dir):
    events = pd.read_excel(run_dir / "tables.xlsx", sheet_name="Events")
    assert events.shape[0] == 1
    ev = events.iloc[0]
    assert (ev["id"], ev["target"], ev["start"], ev["end"], ev["ramp days"]) == ("pipe_out", "pipe", "2023-03-01", "2023-03-10", 5)
    assert ev["capacity remaining during the event (%)"] == 0
    scen = pd.read_excel(run_dir / "tables.xlsx", sheet_name="Scenario").set_index("setting")["value"]
    assert scen["name"] == "case" and scen["horizon"] == "2023-01 to 2023-12"
    src = pd.read_excel(run_dir / "tables.xlsx", sheet_name="Sources", dtype=str)
    # the two rows of the data table (the index table has no 'value' column), markup removed
    assert src["value"].tolist() == ["36.5", "0"]
    assert src["source / publication"].tolist() == ["Test figure", "Test figure"]
    assert src["link or document"].iloc[0] == "doc (https://example.org/doc)"
    assert set(src["section"]) == {"Supply (supply.csv)"}


def test_binding_constraints_sheet_by_hand(run_dir):
    b = pd.read_excel(run_dir / "tables.xlsx", sheet_name="Binding constraints")
    rows = {r["asset or route"]: r for _, r in b.iterrows()}
    assert set(rows) == {"Pipe", "Ship"}
    assert rows["Pipe"]["periods binding"] == 12 and rows["Pipe"]["mean shadow price ($/t)"] == pytest.approx(640)
    assert rows["Ship"]["mean shadow price ($/t)"] == pytest.approx(610)
    assert b["asset or route"].iloc[0] == "Pipe"  # the more valuable first
    assert rows["Pipe"]["in words"].startswith("In Jan-Dec 2023 (12 months binding): the capacity of Pipe is used up; one more tonne of its capacity for Kazakh crude is worth +640.00 $/t.")
    assert "asset_capacity.csv, line 2" in rows["Pipe"]["where the bound comes from"]


def test_binding_summary_on_a_hand_table():
    shadow = pd.DataFrame(
        [("2023-01", "asset_capacity", "x", 10.0), ("2023-02", "asset_capacity", "x", 30.0), ("2023", "route_limit", "r", -50.0)],
        columns=["period", "constraint", "asset_or_route", "usd_per_t"],
    )
    b = binding_summary(shadow)
    # value = |mean| × periods: r 50 × 1 = 50 > x 20 × 2 = 40
    assert b.asset_or_route.tolist() == ["r", "x"]
    x = b.set_index("asset_or_route").loc["x"]
    assert (x.periods_binding, x["first"], x["last"], x.mean_usd_per_t, x.max_abs_usd_per_t) == (2, "2023-01", "2023-02", 20.0, 30.0)


# ------------------------------------------------------------------ chart data


def test_sankey_conserves_flow_and_matches_the_annual_table(data):
    (s,) = cd.sankeys(data)
    links = s.links
    ann = data.tables["allocation_annual"].set_index("route")
    into_outlets = links[links.to_node.str.startswith("outlet:")].groupby("to_node").value_mt.sum()
    for route, row in ann.iterrows():
        # both sides come from CSVs with 6 decimals (kt and Mt): equal to rounding
        assert into_outlets.get(f"outlet:{route}", 0.0) == pytest.approx(row.volume_mt, abs=1e-6)
    # every asset passes on what it receives
    for node in {n for n in links.to_node if n.startswith("asset:")}:
        assert links[links.to_node == node].value_mt.sum() == pytest.approx(links[links.from_node == node].value_mt.sum())
    # the legs by hand: cheap goes a -> pipe -> outlet; dear goes a -> ship -> link -> outlet
    pairs = set(zip(links.from_node, links.to_node))
    assert {("source:a", "asset:pipe"), ("asset:pipe", "outlet:cheap"), ("source:a", "asset:ship"), ("asset:ship", "asset:link"), ("asset:link", "outlet:dear")} <= pairs
    # supply 36.5 Mt = exported + shut in
    out_of_sources = links[links.from_node.str.startswith("source:")].value_mt.sum()
    assert out_of_sources == pytest.approx(36.5)
    shut = links[links.to_node == "shut_in"].value_mt.sum()
    assert shut == pytest.approx(36.5 - 10 - (20 - 12.5 * 20 / 365))


def test_sankey_without_the_network_goes_from_sources_to_routes(run_dir, tmp_path):
    moved = tmp_path / "moved"
    shutil.copytree(run_dir, moved)
    man = json.loads((moved / "manifest.json").read_text())
    man["inputs_dir"] = str(tmp_path / "gone")
    (moved / "manifest.json").write_text(json.dumps(man))
    d = load_run(moved)
    assert d.legs is None and any("arcs.csv" in n for n in d.notes)
    (s,) = cd.sankeys(d)
    assert set(s.links.from_node) == {"source:a"}
    assert set(s.links.to_node) == {"outlet:cheap", "outlet:dear", "shut_in"}


def test_changed_inputs_are_not_trusted_for_the_network(run_dir, tmp_path):
    man = json.loads((run_dir / "manifest.json").read_text())
    copy_in = tmp_path / "in"
    shutil.copytree(man["inputs_dir"], copy_in)
    with open(copy_in / "arcs.csv", "a") as f:
        f.write("\n")
    moved = tmp_path / "moved"
    shutil.copytree(run_dir, moved)
    man["inputs_dir"] = str(copy_in)
    (moved / "manifest.json").write_text(json.dumps(man))
    assert load_run(moved).legs is None


def test_month_of_hour():
    hours = np.array([0, 743, 744, 744 + 671, 744 + 672, 8759])
    assert cd.month_of_hour(hours).tolist() == [1, 1, 2, 2, 3, 12]


def test_power_chart_data_by_hand(data):
    from energy_routes.report import power as rp

    gen = WIND_MW * WIND_CF  # 500 MW available every hour; the 300 MW cable takes 300 of it
    eta = 0.99**2  # a converter at each end, no line loss
    pm = rp.power_by_month(data).set_index("month")
    days = dict(enumerate(cd.MONTH_DAYS, start=1))
    for m in (1, 2, 7):
        hours = 24 * days[m]
        assert pm.loc[m, "generation_gwh"] == pytest.approx(CABLE_MW * hours / 1000)
        assert pm.loc[m, "offtake_gwh"] == pytest.approx(eta * CABLE_MW * hours / 1000)
        assert pm.loc[m, "losses_gwh"] == pytest.approx((1 - eta) * CABLE_MW * hours / 1000)
        assert pm.loc[m, "curtailed_gwh"] == pytest.approx((gen - CABLE_MW) * hours / 1000)
    curve = rp.duration_curves(data)
    assert len(curve) == 8760 and set(curve.link) == {"trans_caspian_cable"}
    np.testing.assert_allclose(curve.sent_mw, CABLE_MW)
    assert curve.capacity_mw.iloc[0] == CABLE_MW
    week = rp.typical_week(data)
    assert len(week) == 168 * 2  # two nodes
    assert rp.allocation_by_day(data).empty  # no shared cable here


def test_event_windows_and_utilisation(data):
    ev = cd.event_windows(data)
    assert ev.start.iloc[0] == pd.Timestamp("2023-03-01")
    assert ev.end.iloc[0] == pd.Timestamp("2023-03-11")  # the day after the last day
    assert ev.recovered.iloc[0] == pd.Timestamp("2023-03-16")
    u = cd.utilisation_pivot(data, "route")
    assert list(u.index) == ["Cheap", "Dear", "Spare"] and u.shape == (3, 12)  # names from routes.csv
    assert u.loc["Cheap"].tolist() == pytest.approx([1.0] * 12)  # pipe full every month
    assert u.loc["Spare"].tolist() == pytest.approx([0.0] * 12)


def test_parse_sources_md_skips_tables_without_values():
    text = "## A\n\n| file | value |\n|---|---|\n| x.csv | `1.5` |\n\n## B\n\n| file | what |\n|---|---|\n| y | z |\n"
    df = parse_sources_md(text)
    assert df.to_dict("records") == [{"section": "A", "file": "x.csv", "value": "1.5"}]


# ------------------------------------------------------------------ HTML


def test_report_html_is_self_contained(run_dir):
    page = (run_dir / "report.html").read_text()
    assert not re.search(r"<script[^>]+src=", page), "no external scripts"
    assert not re.search(r"<link[^>]+href=", page), "no external style sheets"
    assert page.count("plotly.js v") == 1 or page.count("* plotly.js") == 1  # the bundle, once
    for cid in CHART_IDS:
        assert f'id="{cid}"' in page, cid
    for text in ("pipe_out", "Binding constraints", "Annual allocation", "Disruption events"):
        assert text in page
    # the headline figures by hand: exported 20 - 12.5 pipe-days x 20/365 + 10 = 29.315 Mt, shut in 36.5 - 29.315
    # the run has an event, so the cards are about it: the window (10 days out, then a 5-day ramp: 1-15 March) and the
    # shut-in in March: 6.5 Mt/yr x 31/365 = 0.552 before the event, plus 12.5 pipe-days x 20/365 = 0.685, = 1.24 Mt
    kpis = dict((label, v) for v, label in re.findall(r'<div class="v">([^<]+)</div><div class="l">([^<]+)</div>', page)[:5])
    assert kpis == {"disruption pipe_out": "1 Mar - 15 Mar 2023", "shut in, Mt, Mar 2023": "1.24", "shut in, Mt, 2023": "7.18",
                    "exported, Mt, 2023": "29.3", "export netback, M$, 2023": "16,996"}


# ------------------------------------------------------------------ atomic write with a finaliser


def test_write_run_finalize_sees_the_manifest_and_failure_leaves_nothing(tmp_path):
    seen = {}

    def ok(tmp):
        seen["manifest"] = json.loads((tmp / "manifest.json").read_text())
        (tmp / "extra.txt").write_text("x")

    out = write_run(tmp_path / "ok", {"t": pd.DataFrame({"a": [1]})}, {"k": 1}, finalize=ok)
    assert seen["manifest"]["k"] == 1 and (out / "extra.txt").read_text() == "x"

    def boom(tmp):
        raise RuntimeError("report failed")

    with pytest.raises(RuntimeError):
        write_run(tmp_path / "bad", {"t": pd.DataFrame({"a": [1]})}, {"k": 1}, finalize=boom)
    assert not (tmp_path / "bad").exists()
    assert not [p for p in tmp_path.iterdir() if ".partial-" in p.name]


# ------------------------------------------------------------------ heat maps for sweeps


def test_write_heatmaps(tmp_path):
    a = pd.DataFrame([[1.0, 2.0], [3.0, np.nan]], index=pd.Index([0.5, 1.0], name="remaining capacity"), columns=pd.Index([30, 60], name="outage days"))
    b = pd.DataFrame(a.to_numpy() * 10, index=pd.Index(["base", "cpc"], name="scenario"), columns=pd.Index([2024, 2025], name="year"))
    paths = write_heatmaps({"shut-in, Mt": a, "netback loss, M$": b}, tmp_path / "hm", "CPC outage sweep")
    assert [p.name for p in paths] == ["heatmaps.html", "heatmap-shut-in-mt.png", "heatmap-netback-loss-m.png"]
    page = paths[0].read_text()
    assert page.count("* plotly.js") == 1 or page.count("plotly.js v") == 1
    for text in ("CPC outage sweep", "remaining capacity", "outage days", "scenario", "heatmap-shut-in-mt"):
        assert text in page
    assert not re.search(r"<script[^>]+src=", page)
    for p in paths[1:]:
        assert p.read_bytes()[:4] == b"\x89PNG"


def test_a_failing_report_fails_the_run_cleanly(tmp_path, monkeypatch):
    """A bug in the report must not leave a run folder without its report, nor a traceback."""
    import energy_routes.report as report

    def broken(*_a, **_k):
        raise ValueError("chart exploded")

    monkeypatch.setattr(report, "build_report", broken)
    inputs = case_inputs(tmp_path / "in", power=False)
    res = invoke("run", "case", "--inputs", inputs, "--out", tmp_path / "out", "--no-power")
    assert res.exit_code == 1
    assert "chart exploded" in res.stderr and "--no-report" in res.stderr
    assert "Traceback" not in res.output + res.stderr
    assert not (tmp_path / "out").exists()
    assert not [p for p in tmp_path.iterdir() if ".partial-" in p.name]


def test_workbook_leaves_a_nullable_columns_missing_value_empty():
    """A nullable integer column (the sweeps' ``bottleneck_year``) holds pd.NA where there is no value: the cell is
    left empty, as for NaN, not written as the text '<NA>'."""
    from energy_routes.report.workbook import _cells

    assert _cells(pd.Series([2026, pd.NA], dtype="Int64")) == [2026, None]
    assert _cells(pd.Series([1.5, float("nan")])) == [1.5, None]
