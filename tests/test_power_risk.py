"""Cable faults in ``risk --power-draws`` (docs/model.md §2, "Cable faults in risk").

On a network where the cable is full every hour (500 MW of wind, 300 MW of
cable, no storage), a fault that keeps the cable out for d days of the year
loses exactly d × 24 × 300 MWh of delivered power and 50 $ for each; the
draws are reproducible from the seed.
"""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from builders import power_tables
from energy_routes.cli import main
from energy_routes.load import load_inputs
from energy_routes.power.risk import fault_events, load_power_hazards, power_risk
from energy_routes.scenario import resolve

POWER = {"power": {"enabled": True, "years": [2023]}}


@pytest.fixture()
def faulty(make_inputs):
    folder = make_inputs(power_tables(1000, 300), POWER)
    # 400 km × 2 faults per 100 km-yr = 8 faults a year: most draws have one or more
    (folder / "power_hazards.csv").write_text(
        "asset,faults_per_100km_yr,repair_median_days,repair_p90_days,repair_max_days,description\ntrans_caspian_cable,2,10,30,60,test\n", encoding="utf-8"
    )
    return folder


def test_lost_energy_is_the_outage_hours_times_the_cable(faulty):
    sc = resolve(load_inputs(faulty), "case")
    tables, hashes = power_risk(sc, faulty, draws=12, seed=7, es_level=0.9)
    cases = tables["power_risk"]
    assert "power_hazards.csv" in hashes
    assert (cases.faults > 0).sum() >= 6
    hazards, _ = load_power_hazards(faulty, sc.inputs["power_links"])
    for row in cases.itertuples():
        events = fault_events(hazards, 7, row.draw, 2023)
        # days out: the union of the fault windows (overlapping faults lose their capacity only once: floored at 0)
        days = set()
        for e in events:
            days |= set(pd.date_range(e.start, e.end, freq="D"))
        assert row.lost_offtake_gwh == pytest.approx(len(days) * 24 * 300 / 1e3, abs=1e-6)
        assert row.lost_value_musd == pytest.approx(len(days) * 24 * 300 * 50 / 1e6, abs=1e-6)
        assert row.offtake_gwh == pytest.approx(300 * 8760 / 1e3 - row.lost_offtake_gwh, abs=1e-6)
    summary = tables["power_risk_summary"].set_index("year")
    assert summary.loc["all", "lost_offtake_gwh_mean"] == pytest.approx(cases.lost_offtake_gwh.mean())
    worst = cases.lost_value_musd.sort_values().to_numpy()[-2:]  # ⌈12 × 0.1⌉ = 2 worst draws
    assert summary.loc["all", "lost_value_musd_es90"] == pytest.approx(worst.mean())


def test_draws_are_reproducible(faulty):
    sc = resolve(load_inputs(faulty), "case")
    a, _ = power_risk(sc, faulty, draws=5, seed=3, es_level=0.95)
    b, _ = power_risk(sc, faulty, draws=5, seed=3, es_level=0.95)
    c, _ = power_risk(sc, faulty, draws=5, seed=4, es_level=0.95)
    pd.testing.assert_frame_equal(a["power_risk"], b["power_risk"])
    assert not a["power_risk"].outage_days.equals(c["power_risk"].outage_days)


def test_risk_command_writes_the_power_tables(faulty, tmp_path):
    (faulty / "hazards.csv").write_text(
        "hazard,target,events_per_year,duration_median_days,duration_p90_days,duration_max_days,description\npipe_out,pipe,1,5,10,20,test\n", encoding="utf-8"
    )
    (faulty / "hazard_severity.csv").write_text("hazard,remaining,probability\npipe_out,0,1\n", encoding="utf-8")
    out = tmp_path / "risk"
    res = CliRunner().invoke(main, ["risk", "case", "--inputs", str(faulty), "--draws", "4", "--power-draws", "3", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert len(pd.read_csv(out / "power_risk.csv")) == 3
    assert "Cable faults" in res.output


def test_unknown_cable_in_the_hazards_is_bad_input(faulty, tmp_path):
    (faulty / "power_hazards.csv").write_text(
        "asset,faults_per_100km_yr,repair_median_days,repair_p90_days,repair_max_days,description\ncaspian_tunnel,0.1,60,150,365,x\n", encoding="utf-8"
    )
    sc = resolve(load_inputs(faulty), "case")
    from energy_routes.errors import InputError

    with pytest.raises(InputError) as exc:
        power_risk(sc, faulty, draws=2, seed=1, es_level=0.95)
    assert "power_hazards.csv, line 2" in str(exc.value) and "caspian_tunnel" in str(exc.value)
