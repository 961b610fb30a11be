"""Exceedance curves of a risk sweep, and the risk summary in the terminal (P90 shut-in, 80 columns).

The empirical exceedance of n outcomes: the k-th largest is reached in k of n years, probability k / n.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

from energy_routes.report.exceedance import curves, exceedance, quantile_line
from reportkit import invoke


def test_exceedance_by_hand():
    level, prob = exceedance(np.array([0.0, 3.0, 1.0, 0.0]))
    assert level.tolist() == [3.0, 1.0, 0.0, 0.0]
    assert prob.tolist() == [0.25, 0.5, 0.75, 1.0]


def test_curves_per_lever_and_p90():
    years = pd.DataFrame({"lever": ["none"] * 10 + ["x"] * 10, "draw": list(range(10)) * 2, "year": 2027,
                          "extra_shut_in_mt": list(range(10)) + [0.0] * 10, "lost_netback_musd": [10.0 * i for i in range(10)] + [0.0] * 10})
    cv = curves(years)
    none = cv[(cv.lever == "none") & (cv.measure == "extra_shut_in_mt")]
    assert none.level.tolist() == list(range(9, -1, -1)) and none.probability.iloc[0] == pytest.approx(0.1)
    p90 = quantile_line(years).set_index("lever")
    assert p90.at["none", "extra_shut_in_mt"] == pytest.approx(8.1)  # numpy's linear quantile of 0..9 at 0.9
    assert p90.at["x", "lost_netback_musd"] == 0


def test_risk_writes_exceedance_pages_and_prints_p90(make_inputs, tmp_path, monkeypatch):
    from builders import set_rows, two_year_tables

    monkeypatch.setenv("COLUMNS", "80")
    t = two_year_tables()
    set_rows(t["supply"], {"source": "a"}, export_supply_mt=25)
    folder = make_inputs(t, {"horizon": {"start": "2023-01", "end": "2024-12"}})
    (folder / "hazards.csv").write_text("hazard,target,events_per_year,duration_median_days,duration_p90_days,duration_max_days\npipe_fail,pipe,3,20,60,90\n")
    (folder / "hazard_severity.csv").write_text("hazard,remaining,probability\npipe_fail,0,0.5\npipe_fail,0.5,0.5\n")
    doc = yaml.safe_load((folder / "scenarios.yaml").read_text())
    doc["overrides"] = {"bigger-ship": {"set": [{"table": "asset_capacity", "where": {"asset": "ship"}, "values": {"capacity_mt": 15}}]}}
    (folder / "scenarios.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    out = tmp_path / "r"
    res = invoke("risk", "case", "--inputs", folder, "--draws", "20", "--lever", "bigger-ship", "--out", out)
    assert res.exit_code == 0, res.output
    assert (out / "exceedance.html").exists() and (out / "exceedance.png").read_bytes()[:4] == b"\x89PNG"
    page = (out / "exceedance.html").read_text()
    assert 'id="exceedance-shut-in"' in page and 'id="exceedance-netback"' in page
    import json

    assert {"exceedance.html", "exceedance.png"} <= set(json.loads((out / "manifest.json").read_text())["charts"])
    # the terminal: P90 of extra shut-in per lever equals risk_summary.csv, every line within 80 columns
    s = pd.read_csv(out / "risk_summary.csv").set_index("lever")
    lines = [x for x in res.output.splitlines() if str(out) not in x]  # the folder's path is printed whole, on its own line
    assert max(len(x.rstrip()) for x in lines) <= 80 and "…" not in res.output, [x for x in lines if len(x.rstrip()) > 80]
    i = next(k for k, x in enumerate(lines) if x.startswith("Extra shut-in from disruptions"))
    rows = {x.split()[0]: x.split() for x in lines[i:i + 8] if x.split() and x.split()[0] in s.index}
    assert rows["none"][3] == f"{s.at['none', 'extra_shut_in_p90_mt_per_yr']:.3f}"
    assert rows["bigger-ship"][3] == f"{s.at['bigger-ship', 'extra_shut_in_p90_mt_per_yr']:.3f}"
