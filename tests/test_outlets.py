"""Outlets as they work (issue 12): schedules and acceptance with lead times, moorings as units, pro-rata sharing.

Every expected number is worked out by hand in the comments (docs/model.md §1
"Units", "Sharing", "Schedules and acceptance"). The builder world (tests/builders.py):
one year 2023 (365 days), every route sells at 600 $/t, tariffs cheap 10, dear 40,
spare 70 $/t, shut-in penalty 50 $/t.
"""

from __future__ import annotations

import calendar

import pytest
from click.testing import CliRunner

from builders import base_tables, set_rows
from energy_routes.api import run_scenario
from energy_routes.cli import main
from independent import solve_independent


def ev(target, start, end, remaining, id_):
    return {"id": id_, "target": target, "start": start, "end": end, "remaining": remaining}


def _month_rows(route: str, kt_per_day: float) -> list[dict]:
    return [{"route": route, "year": 2023, "month": m, "schedule_kt": kt_per_day * calendar.monthrange(2023, m)[1]} for m in range(1, 13)]


def _accept_tables(premium=5.0, lead=10):
    """Supply a 3.65 Mt/yr = 10 kt/day. 'dear' is scheduled at 1 kt/day, 'spare' at 0 and has no acceptor;
    acceptor 'acc' takes up to 155 kt/month (5 kt/day in March) above 'dear''s schedule after ``lead`` days."""
    t = base_tables()
    set_rows(t["supply"], {"source": "a"}, export_supply_mt=3.65)
    t["schedules"] = _month_rows("dear", 1.0) + _month_rows("spare", 0.0)
    t["acceptance"] = [{"acceptor": "acc", "name": "Acceptor", "routes": "dear", "extra_kt_per_month": 155, "lead_time_days": lead, "premium_usd_per_t": premium, "description": ""}]
    return t


def _monthly(res, table, key, value):
    """{key: value summed over the other columns} (flows are by source, route and period)."""
    df = res.tables[table]
    return {k: float(v) for k, v in df.groupby(list(key))[value].sum().items()}


def test_extra_acceptance_starts_after_the_lead_time(make_inputs):
    # 'cheap' (pipe) is shut for all of March. Normal months: all 10 kt/day go to cheap (netback 590 > dear 560).
    # March: dear may carry its schedule, 31 kt, plus the acceptor's extra from day 11 (lead 10 days: days
    # 0..9 of the disruption are Mar 1-10): 21 days × 155/31 = 105 kt. Dear 136 kt; shut-in 310 − 136 = 174 kt.
    folder = make_inputs(_accept_tables(), {"events": [ev("pipe", "2023-03-01", "2023-03-31", 0.0, "cut")]})
    res = run_scenario(folder, "case", power=False)
    x = _monthly(res, "flows_monthly", ("route", "period"), "volume_kt")
    z = _monthly(res, "shut_in_monthly", ("source", "period"), "shut_in_kt")
    assert x[("dear", "2023-03")] == pytest.approx(136.0, abs=1e-6)
    assert x.get(("cheap", "2023-03"), 0.0) == pytest.approx(0.0, abs=1e-6)
    assert z[("a", "2023-03")] == pytest.approx(174.0, abs=1e-6)
    assert x[("cheap", "2023-04")] == pytest.approx(300.0, abs=1e-6)  # 30 days × 10 kt, nothing above schedule
    assert x.get(("spare", "2023-03"), 0.0) == pytest.approx(0.0, abs=1e-6)  # schedule 0 and no acceptor
    # the acceptor's row binds in March: one more tonne sold on dear (600 − 40) saves the 50 $/t shut-in
    # penalty and costs the 5 $/t premium: 560 + 50 − 5 = 605 $/t (± the tie-break's few tenths of a cent)
    sp = res.tables["shadow_prices"]
    acc = sp[(sp.constraint == "acceptance") & (sp.period == "2023-03")]
    assert float(acc.usd_per_t.iloc[0]) == pytest.approx(605.0, abs=0.01)
    ind = solve_independent(folder)
    assert res.lp_objective_musd == pytest.approx(ind.objective, rel=1e-6)


def test_lead_time_counts_from_the_disruption_start(make_inputs):
    # daily periods (with months, Mar 1-4 of pipe capacity would serve the whole month). The cut starts on
    # 5 March: disrupted Mar 5-31 (27 days), extra from Mar 15 (10 days later): 17 days × 5 kt = 85 kt.
    # Mar 1-4: cheap 4 × 10 = 40 kt. Mar 5-31: dear 27 × 1 (schedule) + 85 = 112 kt; shut-in 270 − 112 = 158 kt.
    folder = make_inputs(_accept_tables(), {"resolution": "day", "events": [ev("pipe", "2023-03-05", "2023-03-31", 0.0, "cut")]})
    res = run_scenario(folder, "case", power=False)
    x = _monthly(res, "flows_monthly", ("route", "period"), "volume_kt")
    z = _monthly(res, "shut_in_monthly", ("source", "period"), "shut_in_kt")
    assert x[("cheap", "2023-03")] == pytest.approx(40.0, abs=1e-6)
    assert x[("dear", "2023-03")] == pytest.approx(112.0, abs=1e-6)
    assert z[("a", "2023-03")] == pytest.approx(158.0, abs=1e-6)
    fp = res.tables["flows_period"]
    dear = fp[fp.route == "dear"].set_index("period").volume_kt
    assert float(dear["2023-03-14"]) == pytest.approx(1.0, abs=1e-6)  # day 9 of the cut: schedule only
    assert float(dear["2023-03-15"]) == pytest.approx(6.0, abs=1e-6)  # day 10: 1 + 5 kt extra
    assert res.lp_objective_musd == pytest.approx(solve_independent(folder).objective, rel=1e-6)


def test_a_premium_above_the_value_of_the_tonne_buys_no_extra(make_inputs):
    # premium 700 $/t > 560 + 50: no extra volume; dear carries its schedule, 31 kt; shut-in 310 − 31 = 279 kt
    folder = make_inputs(_accept_tables(premium=700), {"events": [ev("pipe", "2023-03-01", "2023-03-31", 0.0, "cut")]})
    res = run_scenario(folder, "case", power=False)
    x = _monthly(res, "flows_monthly", ("route", "period"), "volume_kt")
    z = _monthly(res, "shut_in_monthly", ("source", "period"), "shut_in_kt")
    assert x[("dear", "2023-03")] == pytest.approx(31.0, abs=1e-6)
    assert z[("a", "2023-03")] == pytest.approx(279.0, abs=1e-6)


def test_a_schedule_keeps_a_years_quota_out_of_the_disrupted_month(make_inputs):
    # an annual cap of 3 Mt on 'dear' would let the whole year's quota flow in March; the monthly schedule
    # (1 kt/day: 31 kt in March) does not, and with a lead time as long as the 31-day cut no extra is
    # accepted at all: dear carries 31 kt in March
    folder = make_inputs(_accept_tables(lead=31), {"events": [ev("pipe", "2023-03-01", "2023-03-31", 0.0, "cut")], "route_limits": [{"route": "dear", "max_mt": 3.0}]})
    res = run_scenario(folder, "case", power=False)
    x = _monthly(res, "flows_monthly", ("route", "period"), "volume_kt")
    assert x[("dear", "2023-03")] == pytest.approx(31.0, abs=1e-6)


def test_an_annual_cap_becomes_a_monthly_schedule(make_inputs):
    # no schedules.csv rows: a scenario cap of 0.365 Mt/yr on 'dear' is a schedule of 1 kt/day, so in the
    # March cut dear carries 31 kt (an annual cap alone would let 310 kt, all of March's supply, go there);
    # with the acceptor ('acc' on dear, 155 kt/month after 10 days) 31 + 105 = 136 kt, and the year's
    # total on dear (136 kt) stays under the annual cap of 365 kt
    t = _accept_tables()
    t["schedules"] = _month_rows("spare", 0.0)
    cut = {"events": [ev("pipe", "2023-03-01", "2023-03-31", 0.0, "cut")], "route_limits": [{"route": "dear", "max_mt": 0.365}]}
    res = run_scenario(make_inputs(t, cut), "case", power=False)
    x = _monthly(res, "flows_monthly", ("route", "period"), "volume_kt")
    assert x[("dear", "2023-03")] == pytest.approx(136.0, abs=1e-6)
    t.pop("acceptance")
    folder = make_inputs(t, cut, name="noacc")
    res = run_scenario(folder, "case", power=False)
    x = _monthly(res, "flows_monthly", ("route", "period"), "volume_kt")
    assert x[("dear", "2023-03")] == pytest.approx(31.0, abs=1e-6)
    assert res.lp_objective_musd == pytest.approx(solve_independent(folder).objective, rel=1e-6)


def test_extra_above_a_schedule_is_on_top_of_an_annual_cap(make_inputs):
    # issue 12 claims: 'dear' made the better route (tariffs 2 + 3 = 5 $/t: netback 595 > cheap 590), capped at
    # 0.365 Mt/yr (its schedule, 1 kt/day) and covered by the acceptor. It runs at its schedule every month.
    # The March cut of 'pipe' (cheap): dear carries 31 kt scheduled + 105 kt extra (21 days × 5 kt after the
    # 10-day lead), shut-in 310 − 136 = 174 kt. The extra is on top of the annual cap, so dear keeps 1 kt/day in
    # every other month (334 kt) and carries 470 kt in the year. Were the cap on all of dear's volume (the
    # model before), the year's quota would move into March: 105 kt less on dear in quiet months.
    t = _accept_tables()
    set_rows(t["route_legs"], {"route": "dear", "seq": 1}, tariff_usd_per_t=2)
    set_rows(t["route_legs"], {"route": "dear", "seq": 2}, tariff_usd_per_t=3)
    cut = {"events": [ev("pipe", "2023-03-01", "2023-03-31", 0.0, "cut")], "route_limits": [{"route": "dear", "max_mt": 0.365}]}
    folder = make_inputs(t, cut)
    res = run_scenario(folder, "case", power=False)
    x = _monthly(res, "flows_monthly", ("route", "period"), "volume_kt")
    z = _monthly(res, "shut_in_monthly", ("source", "period"), "shut_in_kt")
    assert x[("dear", "2023-03")] == pytest.approx(136.0, abs=1e-6)
    assert z[("a", "2023-03")] == pytest.approx(174.0, abs=1e-6)
    for m in (1, 2, 4, 12):
        days = calendar.monthrange(2023, m)[1]
        assert x[("dear", f"2023-{m:02d}")] == pytest.approx(days * 1.0, abs=1e-6)
        assert x[("cheap", f"2023-{m:02d}")] == pytest.approx(days * 9.0, abs=1e-6)
    assert sum(v for (r, _), v in x.items() if r == "dear") == pytest.approx(470.0, abs=1e-6)
    assert res.lp_objective_musd == pytest.approx(solve_independent(folder).objective, rel=1e-6)


def test_a_disruption_across_new_year_waits_the_lead_time_again(make_inputs):
    # years are independent LPs, so a run of disrupted days starts again on 1 January (docs/model.md).
    # 2023-2024, supply a 3.65 Mt/yr, cheap cut 22 Dec 2023 - 31 Jan 2024. January 2024 (leap year):
    # supply 31 × 3650/366 = 309.153 kt; dear carries its schedule, 31 kt, plus 5 kt/day from 11 January
    # (lead 10 days counted from 1 January): 21 × 5 = 105 kt, so 136 kt (155 kt if the lead counted from December)
    from builders import two_year_tables

    t = two_year_tables()
    for r in t["supply"]:
        if r["source"] == "a":
            r["export_supply_mt"] = 3.65
    t["schedules"] = [{**r, "year": y} for y in (2023, 2024) for r in _month_rows("dear", 1.0) + _month_rows("spare", 0.0)]
    for r in t["schedules"]:
        r["schedule_kt"] = (1.0 if r["route"] == "dear" else 0.0) * calendar.monthrange(r["year"], r["month"])[1]
    t["acceptance"] = _accept_tables()["acceptance"]
    folder = make_inputs(t, {"horizon": {"start": "2023-01", "end": "2024-12"}, "events": [ev("pipe", "2023-12-22", "2024-01-31", 0.0, "cut")]})
    res = run_scenario(folder, "case", power=False)
    x = _monthly(res, "flows_monthly", ("route", "period"), "volume_kt")
    z = _monthly(res, "shut_in_monthly", ("source", "period"), "shut_in_kt")
    assert x[("dear", "2024-01")] == pytest.approx(136.0, abs=1e-6)
    assert z[("a", "2024-01")] == pytest.approx(31 * 3650 / 366 - 136.0, abs=1e-6)
    assert res.lp_objective_musd == pytest.approx(solve_independent(folder).objective, rel=1e-6)


def _displaced_tables():
    """_accept_tables, and a second source 'b' of 0.73 Mt/yr (2 kt/day) that can sell only on 'dear' (scheduled at
    1 kt/day): b has a chronic surplus of 1 kt/day, shut in by the no-event plan (31 kt in March), which the
    acceptor's extra could take if nothing tied it to crude an outage displaced."""
    t = _accept_tables()
    set_rows(t["supply"], {"source": "b"}, export_supply_mt=0.73)
    t["source_routes"] = [r for r in t["source_routes"] if r["source"] != "b"] + [{"source": "b", "route": "dear", "feeder_cost_usd_per_t": 0, "max_mt": ""}]
    return t


def test_extra_acceptance_is_zero_when_an_outage_displaces_nothing(make_inputs):
    # docs/model.md §1 "displaced crude". 'pipe' (cheap) at half its 20 Mt/yr for all of March: 10 Mt/yr × 31/365 =
    # 849.3 kt, far above the 310 kt (10 kt/day) of a's crude the no-event plan sends on cheap, so the outage
    # displaces nothing: max(0, 310 − 849.3) = 0. The days are disrupted (cheap can carry less than without
    # events), so the acceptor is open from 11 March (21 days × 5 kt = 105 kt), and b's 31 kt March surplus on
    # dear would take it (560 − 5 $/t premium against the 50 $/t shut-in penalty). The rule allows no extra:
    # dear carries its schedule, 31 kt, and b's shut-in stays the plan's 31 kt (62 kt of supply − 31).
    folder = make_inputs(_displaced_tables(), {"events": [ev("pipe", "2023-03-01", "2023-03-31", 0.5, "half")]})
    res = run_scenario(folder, "case", power=False)
    x = _monthly(res, "flows_monthly", ("route", "period"), "volume_kt")
    z = _monthly(res, "shut_in_monthly", ("source", "period"), "shut_in_kt")
    assert x[("dear", "2023-03")] == pytest.approx(31.0, abs=1e-6)
    assert x[("cheap", "2023-03")] == pytest.approx(310.0, abs=1e-6)
    assert z[("b", "2023-03")] == pytest.approx(31.0, abs=1e-6)
    assert z.get(("a", "2023-03"), 0.0) == pytest.approx(0.0, abs=1e-6)
    assert res.lp_objective_musd == pytest.approx(solve_independent(folder).objective, rel=1e-6)


def test_extra_acceptance_equals_the_displaced_volume_when_smaller_than_the_acceptors_limit(make_inputs):
    # 'pipe' keeps 15 % of its 20 Mt/yr in March: 3 Mt/yr × 31/365 = 254.795 kt, against a's 310 kt in the no-event
    # plan, so the outage displaces 310 − 254.795 = 55.205 kt of a's crude. The acceptor could take 105 kt
    # (21 days × 5 kt after its 10-day lead) and a's 55.205 kt plus b's 31 kt surplus would fill 86.205 kt of it;
    # extra is held to the displaced 55.205 kt: dear carries 31 + 55.205 = 86.205 kt, and March's shut-in is
    # a's 55.205 + b's 31 − 55.205 = 31 kt, the plan's (who of a and b sells the extra is the tie-break's choice).
    displaced = 310.0 - 3000.0 * 31 / 365
    folder = make_inputs(_displaced_tables(), {"events": [ev("pipe", "2023-03-01", "2023-03-31", 0.15, "deep")]})
    res = run_scenario(folder, "case", power=False)
    x = _monthly(res, "flows_monthly", ("route", "period"), "volume_kt")
    z = _monthly(res, "shut_in_monthly", ("source", "period"), "shut_in_kt")
    assert displaced == pytest.approx(55.205, abs=1e-3)
    assert x[("cheap", "2023-03")] == pytest.approx(3000.0 * 31 / 365, abs=1e-6)
    assert x[("dear", "2023-03")] == pytest.approx(31.0 + displaced, abs=1e-6)
    assert z.get(("a", "2023-03"), 0.0) + z[("b", "2023-03")] == pytest.approx(31.0, abs=1e-6)
    for m in ("2023-02", "2023-04"):  # before and after: the plan (cheap 10 kt/day, dear 1 kt/day, b shuts in 1 kt/day)
        days = 28 if m == "2023-02" else 30
        assert x[("dear", m)] == pytest.approx(days * 1.0, abs=1e-6)
        assert z[("b", m)] == pytest.approx(days * 1.0, abs=1e-6)
    assert res.lp_objective_musd == pytest.approx(solve_independent(folder).objective, rel=1e-6)


def _unit_tables(sharing: bool = True):
    """'pipe' has three units with identity, 10 Mt/yr each, two active (C 20 Mt/yr), 5 Mt/yr third party."""
    t = base_tables()
    set_rows(t["assets"], {"asset": "pipe"}, units=3, max_active_units=2)
    set_rows(t["asset_capacity"], {"asset": "pipe"}, capacity_mt=20, third_party_mt=5)
    t["asset_units"] = [{"asset": "pipe", "unit": f"u{i}", "name": f"U{i}", "rate_mt": 10, "rate_low_mt": 8, "rate_high_mt": 12, "description": ""} for i in (1, 2, 3)]
    if sharing:
        t["asset_sharing"] = [{"asset": "pipe", "rule": "pro_rata", "description": ""}]
    return t


def _pipe_cap(res, period):
    au = res.tables["asset_use_monthly"]
    return float(au[(au.asset == "pipe") & (au.period == period)].capacity_kt.iloc[0])


def test_pro_rata_sharing_of_a_derated_terminal(make_inputs):
    # u1 and u2 out in March: the units can load 10 Mt/yr, φ = 10/20 = 0.5. Pro rata, Kazakh crude keeps
    # 0.5 × (20 − 5) = 7.5 Mt/yr: 31 × 7500/365 = 636.986 kt. January: φ = min(30, 20)/20 = 1, 15 Mt/yr:
    # 31 × 15000/365 = 1273.973 kt.
    events = [ev("pipe/u1", "2023-03-01", "2023-03-31", 0.0, "u1"), ev("pipe/u2", "2023-03-01", "2023-03-31", 0.0, "u2")]
    res = run_scenario(make_inputs(_unit_tables(), {"events": events}), "case", power=False)
    assert _pipe_cap(res, "2023-03") == pytest.approx(31 * 7500 / 365, rel=1e-9)
    assert _pipe_cap(res, "2023-01") == pytest.approx(31 * 15000 / 365, rel=1e-9)
    # third party first (no sharing row): 0.5 × 20 − 5 = 5 Mt/yr: 31 × 5000/365 = 424.658 kt
    res = run_scenario(make_inputs(_unit_tables(sharing=False), {"events": events}, name="first"), "case", power=False)
    assert _pipe_cap(res, "2023-03") == pytest.approx(31 * 5000 / 365, rel=1e-9)


def test_overlapping_events_on_one_unit_do_not_double_count(make_inputs):
    # u1 at 0.5 on Mar 1-20 and again at 0.5 on Mar 10-31: u1 is at min(0.5, 0.5) = 0.5 all month (a sum
    # would leave 0 on Mar 10-20). u2 out all month. Units load 10 × 0.5 + 0 + 10 = 15 Mt/yr, φ = 0.75;
    # pro rata 0.75 × 15 = 11.25 Mt/yr: 31 × 11250/365 = 955.479 kt (the sum rule would give 842.466).
    events = [
        ev("pipe/u1", "2023-03-01", "2023-03-20", 0.5, "a1"),
        ev("pipe/u1", "2023-03-10", "2023-03-31", 0.5, "a2"),
        ev("pipe/u2", "2023-03-01", "2023-03-31", 0.0, "b"),
    ]
    folder = make_inputs(_unit_tables(), {"events": events})
    res = run_scenario(folder, "case", power=False)
    assert _pipe_cap(res, "2023-03") == pytest.approx(31 * 11250 / 365, rel=1e-9)
    ind = solve_independent(folder)
    assert ind.asset_cap[("pipe", "2023-03")] == pytest.approx(31 * 11250 / 365, rel=1e-9)
    assert res.lp_objective_musd == pytest.approx(ind.objective, rel=1e-6)


def test_an_asset_wide_event_derates_every_unit_as_before(make_inputs):
    # 'pipe' at 0.5 with units of 10 Mt/yr: 0.5 × 30 = 15 Mt/yr, φ = 0.75, the same as min(3 × 0.5, 2)/2
    # without identity; pro rata 0.75 × 15 = 11.25 Mt/yr in March
    res = run_scenario(make_inputs(_unit_tables(), {"events": [ev("pipe", "2023-03-01", "2023-03-31", 0.5, "p")]}), "case", power=False)
    assert _pipe_cap(res, "2023-03") == pytest.approx(31 * 11250 / 365, rel=1e-9)


def test_the_sweep_kernel_agrees_with_a_fresh_run_on_units_and_acceptance(make_inputs):
    from energy_routes.load import load_inputs
    from energy_routes.scenario import resolve
    from energy_routes.sweep.kernel import CaseEvent, OilKernel

    t = _unit_tables()
    t.update({k: v for k, v in _accept_tables().items() if k in ("schedules", "acceptance")})
    case = [CaseEvent("pipe/u1", "2023-03-05", "2023-03-31", 0.0), CaseEvent("pipe/u2", "2023-03-01", "2023-04-10", 0.0), CaseEvent("pipe/u3", "2023-03-20", "2023-03-25", 0.5)]
    folder = make_inputs(t)
    k = OilKernel(resolve(load_inputs(folder), "case"), targets=["pipe/u1", "pipe/u2", "pipe/u3"])
    out = k.solve_events(case)
    fresh = run_scenario(make_inputs(t, {"events": [ev(e.target, e.start, e.end, e.remaining, f"e{i}") for i, e in enumerate(case)]}, name="fresh"), "case", power=False)
    assert out.objective_musd == pytest.approx(fresh.objective_musd, rel=1e-9)


# ----------------------------------------------------------------------------- bad input


def _bad(make_inputs, tmp_path, tables, scenario, file, column, expect, line=None):
    folder = make_inputs(tables, scenario, name="bad")
    out = tmp_path / "runs" / "out"
    res = CliRunner().invoke(main, ["run", "case", "--inputs", str(folder), "--out", str(out)])
    assert res.exit_code == 2, res.output
    assert file in res.stderr and expect in res.stderr, res.stderr
    if column:
        assert f"'{column}'" in res.stderr or column in res.stderr
    if line is not None:
        assert f"line {line}" in res.stderr, res.stderr
    assert "Traceback" not in res.output
    assert not out.exists()


def test_unknown_unit_in_an_event(make_inputs, tmp_path):
    _bad(make_inputs, tmp_path, _unit_tables(), {"events": [ev("pipe/u9", "2023-03-01", "2023-03-31", 0.0, "x")]}, "scenarios.yaml", "events[0] (x).target", "unknown target 'pipe/u9'")


def test_lead_time_longer_than_the_horizon(make_inputs, tmp_path):
    _bad(make_inputs, tmp_path, _accept_tables(lead=400), None, "acceptance.csv", "lead_time_days", "not shorter than the horizon (365 days)", line=2)


def test_acceptance_below_zero(make_inputs, tmp_path):
    t = _accept_tables()
    t["acceptance"][0]["extra_kt_per_month"] = -5
    _bad(make_inputs, tmp_path, t, None, "acceptance.csv", "extra_kt_per_month", "-5", line=2)


def test_acceptance_of_an_unknown_route(make_inputs, tmp_path):
    t = _accept_tables()
    t["acceptance"][0]["routes"] = "dear+nowhere"
    _bad(make_inputs, tmp_path, t, None, "acceptance.csv", "routes", "unknown route 'nowhere'", line=2)


def test_units_listed_must_match_the_asset(make_inputs, tmp_path):
    t = _unit_tables()
    t["asset_units"].pop()
    _bad(make_inputs, tmp_path, t, None, "asset_units.csv", "unit", "lists 2 units of 'pipe' but assets.csv says it has 3", line=2)


def test_a_scheduled_year_needs_every_month(make_inputs, tmp_path):
    t = _accept_tables()
    t["schedules"] = [r for r in t["schedules"] if not (r["route"] == "dear" and r["month"] == 7)]
    _bad(make_inputs, tmp_path, t, None, "schedules.csv", "month", "no row for month(s) 7", line=2)


def test_moorings_out_names_the_cpc_terminal_units(shipped_inputs):
    from energy_routes.errors import InputError
    from energy_routes.load import load_inputs
    from energy_routes.scenario import resolve
    from energy_routes.sweep.api import mooring_targets

    sc = resolve(load_inputs(shipped_inputs), "base-2024")
    assert mooring_targets(["2", "1,3"], sc) == ["cpc_terminal/spm2", "cpc_terminal/spm1+cpc_terminal/spm3"]
    with pytest.raises(InputError, match="mooring 4 is not one of 1..3"):
        mooring_targets(["4"], sc)


def test_the_sweep_kernel_moves_the_displaced_rows_itself(make_inputs):
    """The displaced rows change with each case's windows and route capacities (changes_with); the kernel takes their
    bounds from the registry and the no-event plan from the scenario's own optimum (no events) or from one solve of
    the scenario without its events. Either way a case re-solved warm equals a fresh solve of the same events, and
    the hand values of the two cases above come back (extra 0 with pipe at half; 55.205 kt with pipe at 15 %)."""
    from energy_routes.load import load_inputs
    from energy_routes.scenario import resolve
    from energy_routes.sweep.kernel import CaseEvent, OilKernel

    t = _displaced_tables()
    quiet = make_inputs(t, {}, name="quiet")
    k = OilKernel(resolve(load_inputs(quiet), "case"), targets={"pipe"})
    # the scenario's own events: a stop of 'link' (dear) in June, which opens nothing in March
    own = make_inputs(t, {"events": [ev("link", "2023-06-10", "2023-06-12", 0.0, "june")]}, name="own")
    k_own = OilKernel(resolve(load_inputs(own), "case"), targets={"pipe"})
    for kern, folder, extra_events in ((k, quiet, []), (k_own, own, [ev("link", "2023-06-10", "2023-06-12", 0.0, "june")])):
        for rem, i in ((0.5, 0), (0.15, 1)):
            got = kern.solve_events([CaseEvent("pipe", "2023-03-01", "2023-03-31", rem)])
            fresh = run_scenario(make_inputs(t, {"events": extra_events + [ev("pipe", "2023-03-01", "2023-03-31", rem, "cut")]}, name=f"f{rem}{len(extra_events)}"), "case", power=False)
            assert got.optimal
            assert got.objective_musd == pytest.approx(fresh.objective_musd, rel=1e-9, abs=1e-9)
            assert float(got.shut_in_mt.sum()) == pytest.approx(fresh.tables["shut_in_monthly"].shut_in_kt.sum() / 1000, abs=1e-9)
            dear = got.route_mt[kern.route_year.index(("dear", 2023))] * 1000
            # dear: 1 kt/day scheduled all year (365 kt) plus March's extra: 0 (nothing displaced) or 55.205 kt. The
            # June stop of link leaves it 27 days of 50 Mt/yr (3,699 kt), far above June's 30 kt of schedule, and is
            # shorter than the acceptor's 10-day lead: no change
            assert dear == pytest.approx(365.0 + (0.0, 310.0 - 3000.0 * 31 / 365)[i], abs=1e-6)
