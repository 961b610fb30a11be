"""Small networks whose optimum is worked out by hand (the arithmetic is in the comments).

The builder network (tests/builders.py): one year 2023 (365 days); every route
sells at (80 + 0) × 7.5 = 600 $/t; netbacks cheap 600−10 = 590, dear
600−30−10 = 560, spare 600−30−40 = 530 $/t; shut-in penalty 50 $/t. Source
``a`` supplies 36.5 Mt/yr = 100 kt/day, ``b`` nothing. Assets (Mt/yr): pipe 20
(cheap), ship 10 (shared by dear and spare), link 50 (dear), spur 50 (spare).
Objective coefficients are $/t × kt / 1000 = M$.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from builders import base_tables, set_rows, two_year_tables
from energy_routes.cli import main

REL = 1e-9
PIPE_D = 20000 / 365  # kt per day through pipe
SHIP_D = 10000 / 365  # kt per day through ship
MONTH_DAYS_2023 = {f"2023-{m:02d}": d for m, d in enumerate([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], start=1)}


def approx(v, rel=REL, abs_=1e-6):
    return pytest.approx(v, rel=rel, abs=abs_)


def route_month(res, route: str, period: str) -> float:
    am = res.tables["allocation_monthly"]
    return float(am.loc[(am.route == route) & (am.period == period), "volume_kt"].sum())


def route_year(res, route: str, year: int = 2023) -> float:
    """Annual volume in kt, summed from flows_monthly."""
    f = res.tables["flows_monthly"]
    return float(f.loc[(f.route == route) & f.period.str.startswith(str(year)), "volume_kt"].sum())


def shut_in(res, period: str | None = None) -> float:
    b = res.tables["balance_monthly"]
    if period is not None:
        b = b[b.period == period]
    return float(b.shut_in_kt.sum())


def asset_cap(res, asset: str, period: str) -> float:
    a = res.tables["asset_use_monthly"]
    return float(a.loc[(a.asset == asset) & (a.period == period), "capacity_kt"].iloc[0])


def shadow(res, constraint: str, name: str) -> pd.Series:
    sp = res.tables["shadow_prices"]
    sel = sp[(sp.constraint == constraint) & (sp.asset_or_route == name)]
    return sel.set_index("period")["usd_per_t"]


def event(target, start, end, remaining, ramp_days=0, id_=None):
    return {"id": id_ or f"ev_{target}_{start}", "target": target, "start": start, "end": end, "remaining": remaining, "ramp_days": ramp_days}


# --------------------------------------------------------------------------- base case


def test_base_case(run):
    res = run()
    assert res.oil.optimal
    # cheap takes the pipe's 20 Mt, dear the ship's 10 Mt, spare nothing; 36.5 − 30 = 6.5 Mt shut in
    assert route_year(res, "cheap") == approx(20000)
    assert route_year(res, "dear") == approx(10000)
    assert route_year(res, "spare") == approx(0)
    assert shut_in(res) == approx(6500)
    # 20000 × 0.59 + 10000 × 0.56 − 6500 × 0.05 = 11800 + 5600 − 325
    assert res.objective_musd == approx(17075)
    # one more tonne of pipe: moves a shut-in tonne to cheap: 590 + 50; of ship: to dear: 560 + 50
    months = list(MONTH_DAYS_2023)
    assert shadow(res, "asset_capacity", "pipe").reindex(months).tolist() == [approx(640)] * 12
    assert shadow(res, "asset_capacity", "ship").reindex(months).tolist() == [approx(610)] * 12
    # nothing else binds
    sp = res.tables["shadow_prices"]
    assert set(zip(sp.constraint, sp.asset_or_route)) == {("asset_capacity", "pipe"), ("asset_capacity", "ship")}
    # monthly: cheap gets 20000/365 kt a day, e.g. February 28 days
    assert route_month(res, "cheap", "2023-02") == approx(28 * PIPE_D)
    assert shut_in(res, "2023-02") == approx(28 * (100 - PIPE_D - SHIP_D))
    ann = res.tables["allocation_annual"].set_index("route")
    assert ann.loc["cheap", "share"] == approx(20 / 30)
    assert ann.loc["cheap", "netback_musd"] == approx(11800)
    # 20 Mt × 7.5 bbl/t / 365 d = 410.958... kb/d
    assert ann.loc["cheap", "volume_kbd"] == approx(20000 * 7.5 / 365)


def test_two_routes_cheaper_one_capacity_limited(run):
    """Supply 25 Mt, only cheap and dear connected: cheap fills the pipe (20), dear takes the rest (5)."""
    t = base_tables()
    set_rows(t["supply"], {"source": "a"}, export_supply_mt=25)
    t["source_routes"] = [r for r in t["source_routes"] if r["route"] != "spare"]
    res = run(t)
    assert route_year(res, "cheap") == approx(20000)
    assert route_year(res, "dear") == approx(5000)
    assert route_year(res, "spare") == 0
    assert shut_in(res) == approx(0)
    # 20000 × 0.59 + 5000 × 0.56
    assert res.objective_musd == approx(14600)
    # a tonne more of pipe displaces a tonne of dear: 590 − 560; the ship is slack
    assert shadow(res, "asset_capacity", "pipe").tolist() == [approx(30)] * 12
    assert shadow(res, "asset_capacity", "ship").empty


# --------------------------------------------------------------------------- outages


def test_full_month_outage_on_pipe(run):
    base = run()
    res = run(scenario={"events": [event("pipe", "2023-03-01", "2023-03-31", 0.0)]})
    assert route_month(res, "cheap", "2023-03") == approx(0)
    assert asset_cap(res, "pipe", "2023-03") == approx(0)
    # the ship is already full, so nothing can be rerouted: shut-in rises by 31 days × 20000/365 kt
    assert shut_in(res, "2023-03") - shut_in(base, "2023-03") == approx(31 * PIPE_D)
    assert route_month(res, "dear", "2023-03") == approx(31 * SHIP_D)
    assert shut_in(res) == approx(6500 + 31 * PIPE_D)
    # each lost tonne was worth 590 $/t and now costs the 50 $/t penalty
    assert res.objective_musd == approx(17075 - 31 * PIPE_D * 0.64)
    av = res.tables["availability_monthly"].set_index(["period", "target"])["remaining"]
    assert av[("2023-03", "pipe")] == 0
    assert av[("2023-04", "pipe")] == 1
    # other months untouched
    for m in ("2023-02", "2023-04"):
        assert route_month(res, "cheap", m) == approx(route_month(base, "cheap", m))


def test_outage_of_a_ten_day_window(run):
    base = run()
    res = run(scenario={"events": [event("pipe", "2023-06-11", "2023-06-20", 0.0)]})
    # June: 30 − 10 = 20 days of pipe
    assert route_month(res, "cheap", "2023-06") == approx(20 * PIPE_D)
    assert shut_in(res, "2023-06") - shut_in(base, "2023-06") == approx(10 * PIPE_D)
    assert res.objective_musd == approx(17075 - 10 * PIPE_D * 0.64)


def test_outage_reroutes_only_up_to_ship_capacity(run):
    """Supply 25 Mt: normally cheap 20 + dear 5. With the pipe out in March dear rises to the ship's capacity, no more."""
    t = base_tables()
    set_rows(t["supply"], {"source": "a"}, export_supply_mt=25)
    base = run(t)
    res = run(t, {"events": [event("pipe", "2023-03-01", "2023-03-31", 0.0)]})
    assert route_month(base, "dear", "2023-03") == approx(31 * 5000 / 365)
    assert route_month(res, "dear", "2023-03") + route_month(res, "spare", "2023-03") == approx(31 * SHIP_D)
    assert route_month(res, "dear", "2023-03") == approx(31 * SHIP_D)  # dear (560) before spare (530)
    # shut-in = March supply − ship capacity = 31 × (25000 − 10000)/365
    assert shut_in(res, "2023-03") == approx(31 * 15000 / 365)
    assert shut_in(res) == approx(31 * 15000 / 365)
    # by hand: base 14600; March loses 31×20000/365 kt at 590 $/t, gains 31×5000/365 kt rerouted at 560,
    # and 31×15000/365 kt shut in at 50 $/t
    expected = 14600 - 31 * 20000 / 365 * 0.59 + 31 * 5000 / 365 * 0.56 - 31 * 15000 / 365 * 0.05
    assert res.objective_musd == approx(expected)


def test_route_event_halves_the_route_not_the_asset(run):
    res = run(scenario={"events": [event("dear", "2023-03-01", "2023-03-31", 0.5)]})
    # dear may carry half the ship in March; spare takes the other half of the ship (530 > −50)
    assert route_month(res, "dear", "2023-03") == approx(0.5 * 31 * SHIP_D)
    assert route_month(res, "spare", "2023-03") == approx(0.5 * 31 * SHIP_D)
    assert asset_cap(res, "ship", "2023-03") == approx(31 * SHIP_D)
    assert res.objective_musd == approx(17075 - 0.5 * 31 * SHIP_D * 0.03)
    am = res.tables["allocation_monthly"].set_index(["period", "route"])
    assert am.loc[("2023-03", "dear"), "capacity_kt"] == approx(0.5 * 31 * SHIP_D)


def test_source_event_reduces_supply(run):
    # source a at 40 % for the 10 days 1–10 May: May supply 3100 − 10 × 100 × 0.6
    res = run(scenario={"events": [event("a", "2023-05-01", "2023-05-10", 0.4)]})
    b = res.tables["balance_monthly"].set_index("period")
    assert b.loc["2023-05", "supply_kt"] == approx(3100 - 600)
    # 2500 kt < capacity 31 × 30000/365 = 2547.9 kt: cheap (590) fills the pipe, dear takes the rest
    assert route_month(res, "cheap", "2023-05") == approx(31 * PIPE_D)
    assert route_month(res, "dear", "2023-05") == approx(2500 - 31 * PIPE_D)
    assert shut_in(res, "2023-05") == approx(0)


# --------------------------------------------------------------------------- shared leg


def test_shared_leg_goes_to_the_better_route(run):
    res = run()
    for m in MONTH_DAYS_2023:
        # dear + spare ≤ ship capacity (binding), all of it to dear (560 > 530)
        assert route_month(res, "dear", m) + route_month(res, "spare", m) <= asset_cap(res, "ship", m) + 1e-6
        assert route_month(res, "dear", m) == approx(MONTH_DAYS_2023[m] * SHIP_D)
        assert route_month(res, "spare", m) == approx(0)
    # make spare the better route: spur tariff 0 → spare netback 600 − 30 = 570 > 560
    t = base_tables()
    set_rows(t["route_legs"], {"route": "spare", "asset": "spur"}, tariff_usd_per_t=0)
    res2 = run(t)
    assert route_year(res2, "spare") == approx(10000)
    assert route_year(res2, "dear") == approx(0)
    # 20000 × 0.59 + 10000 × 0.57 − 6500 × 0.05
    assert res2.objective_musd == approx(17175)
    assert shadow(res2, "asset_capacity", "ship").tolist() == [approx(620)] * 12


# --------------------------------------------------------------------------- commitments


def test_route_minimum_met_exactly(run):
    res = run(scenario={"route_limits": [{"route": "spare", "min_mt": 3}]})
    assert route_year(res, "spare") == approx(3000)
    assert route_year(res, "dear") == approx(7000)
    assert route_year(res, "cheap") == approx(20000)
    assert shut_in(res) == approx(6500)
    # 3000 kt move from dear (560) to spare (530): 17075 + 3000 × (0.53 − 0.56)
    assert res.objective_musd == approx(17075 + 3000 * (0.53 - 0.56))
    lim = shadow(res, "route_limit", "spare")
    assert lim.to_dict() == {"2023": approx(530 - 560)}


def test_route_maximum(run):
    res = run(scenario={"route_limits": [{"route": "cheap", "max_mt": 12}]})
    assert route_year(res, "cheap") == approx(12000)
    # 12000 × 0.59 + 10000 × 0.56 − 14500 × 0.05
    assert res.objective_musd == approx(7080 + 5600 - 725)
    # a tonne more of cap on cheap takes a tonne out of shut-in: 590 + 50. The annual cap is also a monthly schedule
    # (issue 12: a year's quota cannot move into one month), and the two hold together (degenerate): the value is
    # reported on the months' schedule rows, 640 $/t in each, and the annual row shows none (raising it alone,
    # with the schedule unchanged, would indeed add nothing)
    assert shadow(res, "route_schedule", "cheap").tolist() == [approx(640)] * 12
    assert shadow(res, "route_limit", "cheap").empty


def test_infeasible_commitment_cli(make_inputs, tmp_path):
    folder = make_inputs(scenario={"route_limits": [{"route": "spare", "min_mt": 12}]})
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", "case", "--inputs", str(folder), "--out", str(out), "--no-power"])
    assert result.exit_code == 3, result.output
    err = result.stderr
    assert "Traceback" not in result.output + err
    assert "route_limit" in err
    assert "asset_capacity" in err
    diag = json.loads((out / "diagnosis.json").read_text())
    (short,) = diag["shortfalls"]
    # needs 12 Mt, the ship lets 10 Mt through
    assert short["route"] == "spare"
    assert short["required_kt"] == approx(12000)
    assert short["achievable_kt"] == approx(10000, rel=1e-6)
    assert short["shortfall_kt"] == approx(2000, rel=1e-6)
    blocking = {(c["constraint"], c["index"][0]) for c in diag["conflicting_constraints"]}
    assert ("asset_capacity", "ship") in blocking
    assert not list(out.glob("*.csv"))


def test_infeasible_commitment_cli_names_route_and_asset(make_inputs, tmp_path):
    """Regression: the '[...]' index of these names used to be swallowed as rich markup."""
    folder = make_inputs(scenario={"route_limits": [{"route": "spare", "min_mt": 12}]})
    result = CliRunner().invoke(main, ["run", "case", "--inputs", str(folder), "--out", str(tmp_path / "out"), "--no-power"])
    assert result.exit_code == 3
    assert "route_limit[spare, 2023]" in result.stderr
    assert "asset_capacity[ship, 2023-01]" in result.stderr  # the asset that blocks it: 12 Mt > 10 Mt of ship



def test_commitment_on_unreachable_route_is_infeasible(make_inputs):
    """Regression: a minimum on a route no source reaches used to be dropped silently."""
    from energy_routes.api import run_scenario
    from energy_routes.errors import SolveError

    t = base_tables()
    t["source_routes"] = [r for r in t["source_routes"] if r["route"] != "spare"]
    folder = make_inputs(t, {"route_limits": [{"route": "spare", "min_mt": 3}]})
    # nothing can reach spare, so 0 ≥ 3000 kt cannot hold: the model is infeasible
    with pytest.raises(SolveError):
        run_scenario(folder, "case", power=False)


# --------------------------------------------------------------------------- multi-unit assets


@pytest.mark.parametrize(
    "remaining, factor",
    [
        (2 / 3, 1.0),  # 3 × 2/3 = 2 units left = max_active_units: no loss
        (1 / 3, 0.5),  # 1 unit left of 2 active: half
        (0.5, 0.75),  # 1.5 units of 2
        (0.0, 0.0),
    ],
)
def test_multi_unit_asset(run, remaining, factor):
    t = base_tables()
    set_rows(t["assets"], {"asset": "pipe"}, units=3, max_active_units=2)
    res = run(t, {"events": [event("pipe", "2023-03-01", "2023-03-31", remaining)]})
    assert asset_cap(res, "pipe", "2023-03") == approx(factor * 31 * PIPE_D)
    assert route_month(res, "cheap", "2023-03") == approx(factor * 31 * PIPE_D)
    assert asset_cap(res, "pipe", "2023-04") == approx(30 * PIPE_D)
    assert res.objective_musd == approx(17075 - (1 - factor) * 31 * PIPE_D * 0.64)


# --------------------------------------------------------------------------- third party


def test_third_party_served_first(run):
    t = base_tables()
    set_rows(t["asset_capacity"], {"asset": "pipe"}, third_party_mt=5)
    res = run(t)
    # Kazakh share of the pipe 20 − 5 = 15 Mt; shut-in 36.5 − 25 = 11.5 Mt
    assert route_year(res, "cheap") == approx(15000)
    assert shut_in(res) == approx(11500)
    assert res.objective_musd == approx(15000 * 0.59 + 10000 * 0.56 - 11500 * 0.05)  # 13875
    ann = res.tables["allocation_annual"].set_index("route")
    assert ann.loc["cheap", "capacity_mt"] == approx(15)


@pytest.mark.parametrize("remaining, kazakh_mt", [(0.5, 0.5 * 20 - 5), (0.2, 0.0), (1.0, 15.0)])
def test_third_party_keeps_its_volume_during_an_outage(run, remaining, kazakh_mt):
    # during the event the pipe runs at remaining × 20 Mt/yr; third parties keep their 5 Mt/yr first
    t = base_tables()
    set_rows(t["asset_capacity"], {"asset": "pipe"}, third_party_mt=5)
    res = run(t, {"events": [event("pipe", "2023-03-01", "2023-03-31", remaining)]})
    assert asset_cap(res, "pipe", "2023-03") == approx(31 * kazakh_mt * 1000 / 365)
    assert route_month(res, "cheap", "2023-03") == approx(31 * kazakh_mt * 1000 / 365)


# --------------------------------------------------------------------------- ramps and overlaps


@pytest.mark.parametrize(
    "ev, month, day_equivalents",
    [
        # out 1–10 March, ramp 9 days: 11..19 March at 1/10..9/10 (sum 4.5), 20–31 March full (12)
        (event("pipe", "2023-03-01", "2023-03-10", 0.0, 9), "2023-03", 0 * 10 + 4.5 + 12),
        # at 50 % 1–10 March, ramp 4: 11..14 March at 0.6, 0.7, 0.8, 0.9; 15–31 March full (17)
        (event("pipe", "2023-03-01", "2023-03-10", 0.5, 4), "2023-03", 0.5 * 10 + 3.0 + 17),
        # out 25–31 March, ramp 4 runs into April: 1..4 April at 0.2, 0.4, 0.6, 0.8; 5–30 April full
        (event("pipe", "2023-03-25", "2023-03-31", 0.0, 4), "2023-04", 2.0 + 26),
        (event("pipe", "2023-03-25", "2023-03-31", 0.0, 4), "2023-03", 24),
    ],
)
def test_ramp_recovery(run, ev, month, day_equivalents):
    res = run(scenario={"events": [ev]})
    assert asset_cap(res, "pipe", month) == approx(day_equivalents * PIPE_D)
    assert route_month(res, "cheap", month) == approx(day_equivalents * PIPE_D)
    av = res.tables["availability_monthly"].set_index(["period", "target"])["remaining"]
    assert av[(month, "pipe")] == approx(day_equivalents / MONTH_DAYS_2023[month])


def test_overlapping_events_add_their_losses(run):
    evs = [
        event("pipe", "2023-03-01", "2023-03-20", 0.6, id_="first"),
        event("pipe", "2023-03-11", "2023-03-31", 0.7, id_="second"),
    ]
    res = run(scenario={"events": evs})
    # 1–10: 1 − 0.4 = 0.6; 11–20: 1 − 0.4 − 0.3 = 0.3; 21–31: 0.7  →  6 + 3 + 7.7 = 16.7 days
    assert asset_cap(res, "pipe", "2023-03") == approx(16.7 * PIPE_D)
    assert route_month(res, "cheap", "2023-03") == approx(16.7 * PIPE_D)


def test_overlapping_losses_floor_at_zero(run):
    # the second event starts a day earlier: two events over the very same window are rejected
    # as one outage entered twice (docs/validation.md)
    evs = [
        event("pipe", "2023-03-01", "2023-03-31", 0.3, id_="first"),
        event("pipe", "2023-02-28", "2023-03-31", 0.4, id_="second"),
    ]
    res = run(scenario={"events": evs})
    # in March losses 0.7 + 0.6 = 1.3 > 1: nothing left, and not a negative capacity
    assert asset_cap(res, "pipe", "2023-03") == 0
    assert route_month(res, "cheap", "2023-03") == approx(0)
    # 28 Feb loses 0.6 of a pipe-day
    assert asset_cap(res, "pipe", "2023-02") == approx((28 - 0.6) * PIPE_D)
    assert res.objective_musd == approx(17075 - (31 + 0.6) * PIPE_D * 0.64)


# --------------------------------------------------------------------------- shares and pair caps


@pytest.mark.parametrize(
    "share, cheap_kt",
    [
        # cheap ≤ σ (cheap + 10000) with dear at the ship's 10000: cheap ≤ 10000 σ/(1 − σ)
        (0.6, 15000),
        (0.5, 10000),
        (0.7, 20000),  # 23333 > pipe 20000: not binding
    ],
)
def test_max_share(run, share, cheap_kt):
    res = run(scenario={"route_shares": [{"route": "cheap", "max_share": share}]})
    assert route_year(res, "cheap") == approx(cheap_kt)
    assert route_year(res, "dear") == approx(10000)
    shut = 36500 - cheap_kt - 10000
    assert shut_in(res) == approx(shut)
    assert res.objective_musd == approx(cheap_kt * 0.59 + 10000 * 0.56 - shut * 0.05)
    ann = res.tables["allocation_annual"].set_index("route")
    assert ann.loc["cheap", "share"] <= share + 1e-9


def test_source_route_cap(run):
    t = base_tables()
    set_rows(t["source_routes"], {"source": "a", "route": "cheap"}, max_mt=12)
    set_rows(t["supply"], {"source": "b"}, export_supply_mt=3.65)  # 10 kt/day, only via cheap
    res = run(t)
    f = res.tables["flows_monthly"]
    a_cheap = f.loc[(f.source == "a") & (f.route == "cheap"), "volume_kt"].sum()
    b_cheap = f.loc[(f.source == "b") & (f.route == "cheap"), "volume_kt"].sum()
    assert a_cheap == approx(12000)
    assert b_cheap == approx(3650)
    # a: 12 cheap + 10 dear, 14.5 shut in; b: 3.65 cheap
    assert res.objective_musd == approx(15650 * 0.59 + 10000 * 0.56 - 14500 * 0.05)  # 14108.5
    # the allocation is monthly (12000 × days/365 kt a month): each month's row binds, and one more tonne
    # in any month moves a tonne from shut-in to cheap: 590 + 50 = 640 $/t
    sp = shadow(res, "source_route_limit", "a:cheap")
    assert sp.to_dict() == {f"2023-{m:02d}": approx(640) for m in range(1, 13)}


def test_source_route_allocation_is_monthly(run):
    # a's 12 Mt/yr on cheap is a monthly allocation (12000 × days/365 kt): with the pipe out all March,
    # March's 12000 × 31/365 = 1019.18 kt cannot move into the other months although the pipe (20 Mt/yr)
    # has room there; the ship stays full at dear (10 Mt), so it is shut in
    t = base_tables()
    set_rows(t["source_routes"], {"source": "a", "route": "cheap"}, max_mt=12)
    res = run(t, {"events": [event("pipe", "2023-03-01", "2023-03-31", 0.0)]})
    f = res.tables["flows_monthly"]
    cheap = f[(f.source == "a") & (f.route == "cheap")].set_index("period")["volume_kt"]
    assert abs(cheap["2023-03"]) < 1e-6
    assert cheap["2023-04"] == approx(12000 * 30 / 365)  # 986.30 kt, April's own allocation only
    assert cheap.sum() == approx(12000 * 334 / 365)  # 10980.82 kt
    shut = 36500 - 12000 * 334 / 365 - 10000  # 15519.18 kt
    assert res.objective_musd == approx(12000 * 334 / 365 * 0.59 + 10000 * 0.56 - shut * 0.05)
    # each month but March binds at 590 + 50 $/t; March's row is slack (the pipe carries nothing)
    sp = shadow(res, "source_route_limit", "a:cheap")
    assert sp.to_dict() == {f"2023-{m:02d}": approx(640) for m in range(1, 13) if m != 3}


# --------------------------------------------------------------------------- horizon


def test_partial_year_prorates_annual_limits(run):
    sc = {
        "horizon": {"start": "2023-01", "end": "2023-06"},
        "route_limits": [{"route": "spare", "min_mt": 3}],
    }
    t = base_tables()
    set_rows(t["source_routes"], {"source": "a", "route": "cheap"}, max_mt=12)
    res = run(t, sc)
    h = 181 / 365  # January–June 2023: 31+28+31+30+31+30 days
    assert len(res.tables["balance_monthly"]) == 6
    assert route_year(res, "spare") == approx(3000 * h)
    assert route_year(res, "cheap") == approx(12000 * h)
    assert route_year(res, "dear") == approx(7000 * h)
    shut = 36500 * h - 22000 * h
    assert res.objective_musd == approx(h * (12000 * 0.59 + 7000 * 0.56 + 3000 * 0.53) - shut * 0.05)


def test_horizon_across_a_leap_year(run):
    """July 2023 – June 2024: h_2023 = 184/365, h_2024 = 182/366 (Feb 2024 has 29 days)."""
    t = two_year_tables()
    res = run(t, {"horizon": {"start": "2023-07", "end": "2024-06"}, "route_limits": [{"route": "spare", "min_mt": 3}]})
    h23, h24 = 184 / 365, 182 / 366
    assert route_year(res, "spare", 2023) == approx(3000 * h23)
    assert route_year(res, "spare", 2024) == approx(3000 * h24)
    assert route_month(res, "cheap", "2024-02") == approx(29 * 20000 / 366)
    # the 2023 objective per unit of year is 16985; it scales with the fraction of each year covered
    assert res.objective_musd == approx(16985 * (h23 + h24))
