"""Tank farms, a daily time axis and ramp limits, on networks whose answer is worked out by hand.

The network: source ``a`` produces q = 100 kt/day (36.5 Mt/yr in 2023). Its
crude goes a -pipe-> ``hub`` -term-> outlet ``sea`` (netback 600 − 10 = 590
$/t), or a -alt-> outlet ``alt`` (600 − 100 = 500 $/t) whose asset carries δ
kt/day. A tank farm at ``hub`` holds S kt above its minimum working level and
opens at that minimum, so S is exactly the room it has when an outage starts
(it cannot be emptied in advance: it is at its minimum, and a store is not drawn
below its working level before an outage nobody foresaw, docs/model.md §1). The terminal carries 200 kt/day, twice the
inflow, so tanks drain after an outage. Shut-in costs the netback plus 50 $/t,
diverting to ``alt`` costs 90 $/t, storing costs nothing but the tie-break, so
the order of resort is: tanks, then diversion, then shut-in.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from builders import base_tables
from energy_routes.api import run_scenario
from energy_routes.cli import main

Q = 100.0  # kt/day


def net(S: float, delta: float, *, ramp: float | None = None, hold: int | None = None) -> dict[str, list[dict]]:
    t = base_tables()
    t["sources"][0]["ramp_up_per_day"] = "" if ramp is None else ramp
    t["sources"][1]["ramp_up_per_day"] = ""
    t["sources"][0]["cut_hold_days"] = "" if hold is None else hold
    t["sources"][1]["cut_hold_days"] = ""
    t["routes"] = [
        {"route": "sea", "name": "Sea", "grade": "g", "description": ""},
        {"route": "alt", "name": "Alt", "grade": "g", "description": ""},
    ]
    t["assets"] = [a for a in t["assets"] if a["block"] == "power"] + [
        {"asset": n, "block": "oil", "name": n, "units": 1, "max_active_units": 1, "description": ""} for n in ("pipe", "term", "altpipe")
    ]
    t["asset_capacity"] = [
        {"year": 2023, "asset": "pipe", "capacity_mt": 40, "third_party_mt": 0},  # 109.6 kt/day > q
        {"year": 2023, "asset": "term", "capacity_mt": 73, "third_party_mt": 0},  # 200 kt/day
        {"year": 2023, "asset": "altpipe", "capacity_mt": delta * 365 / 1000, "third_party_mt": 0},
    ]
    t["nodes"] = [{"node": "hub", "kind": "terminal", "name": "Hub", "description": ""}]
    t["arcs"] = [
        {"arc": "pipe", "from_node": "a", "to_node": "hub", "asset": "pipe", "tariff_usd_per_t": 10, "description": ""},
        {"arc": "term", "from_node": "hub", "to_node": "sea", "asset": "term", "tariff_usd_per_t": 0, "description": ""},
        {"arc": "alt", "from_node": "a", "to_node": "alt", "asset": "altpipe", "tariff_usd_per_t": 100, "description": ""},
    ]
    t["source_routes"] = [
        {"source": "a", "route": "sea", "feeder_cost_usd_per_t": 0, "max_mt": ""},
        {"source": "a", "route": "alt", "feeder_cost_usd_per_t": 0, "max_mt": ""},
    ]
    t["stores"] = [
        {"store": "tank", "node": "hub", "name": "Tank", "capacity_kt": 100 + S, "min_level_kt": 100, "opening_kt": 100, "max_in_kt_per_day": 1000, "max_out_kt_per_day": 1000, "description": ""}
    ]
    t.pop("route_legs", None)
    return t


def outage(target: str, start: str, end: str, remaining: float = 0.0) -> dict:
    return {"events": [{"id": "stop", "target": target, "start": start, "end": end, "remaining": remaining}]}


def solve(make_inputs, tables, scenario):
    return run_scenario(make_inputs(tables, scenario), "case", power=False)


def shut_in_kt(res) -> float:
    return float(res.tables["balance_period"]["shut_in_kt"].sum())


def route_kt(res, route: str) -> float:
    a = res.tables["allocation_period"]
    return float(a.loc[a.route == route, "volume_kt"].sum())


@pytest.mark.parametrize(
    "days, S, delta",
    [
        (3, 150, 0),  # 300 kt arrive, 150 fit in the tank: 150 shut in
        (3, 150, 20),  # 300 − 150 − 3 × 20 = 90 shut in
        (5, 100, 30),  # 500 − 100 − 150 = 250
        (3, 400, 0),  # the tank takes all 300: nothing lost
        (2, 50, 60),  # 200 − 50 − 120 = 30
    ],
)
def test_terminal_outage_loses_what_tanks_and_diversion_cannot_take(make_inputs, days, S, delta):
    end = f"2023-03-{9 + days:02d}"
    res = solve(make_inputs, net(S, delta), {"resolution": "day", **outage("term", "2023-03-10", end)})
    expected = max(0.0, days * Q - S - days * delta)
    assert shut_in_kt(res) == pytest.approx(expected, abs=1e-6)
    # diversion is used only as far as the tank cannot cover, and never more than δ a day
    assert route_kt(res, "alt") == pytest.approx(min(days * delta, max(0.0, days * Q - S)), abs=1e-6)
    # every tonne accounted for: production = exports + stock change (zero over the year: tanks end where they began)
    b = res.tables["balance_period"]
    assert (b.production_kt - b.exported_kt - b.stock_change_kt).abs().max() < 1e-6
    assert b.stock_change_kt.sum() == pytest.approx(0.0, abs=1e-6)
    lev = res.tables["stores_period"]
    assert lev.level_kt.max() <= 100 + S + 1e-6 and lev.level_kt.min() >= 100 - 1e-6


def test_a_store_is_not_emptied_for_an_outage_nobody_foresaw(make_inputs):
    """Non-anticipation (docs/model.md §1 "Stores"). The tank opens half full: working level 100 + S between
    its minimum 100 and capacity 100 + 2S, S = 100. The terminal carries 200 kt/day against 100 arriving, so with
    foresight the tank could be emptied to its minimum before a 3-day stop and take 2S = 200 of the 300 kt that
    arrive (100 shut in). Without foresight it is at its working level when the stop starts and takes S = 100:
    shut-in 3 × 100 − 100 = 200 kt. It stays at its working level on every day before the stop and again from
    the 30th day after the last day of the stop (settled), and may be anywhere in its range in between."""
    S = 100.0
    t = net(S, 0)
    t["stores"][0].update(capacity_kt=100 + 2 * S, opening_kt=100 + S)
    res = solve(make_inputs, t, {"resolution": "day", **outage("term", "2023-03-10", "2023-03-12")})
    assert shut_in_kt(res) == pytest.approx(3 * Q - S, abs=1e-6)
    lev = res.tables["stores_period"].set_index("period").level_kt
    before = [p for p in lev.index if p < "2023-03-10"]
    settled = [p for p in lev.index if p >= "2023-04-11"]  # from 12 March + 30 days: no disrupted day in the 30 days to its end
    assert (lev[before] - (100 + S)).abs().max() < 1e-6
    assert (lev[settled] - (100 + S)).abs().max() < 1e-6
    assert lev["2023-03-12"] == pytest.approx(100 + 2 * S, abs=1e-6)  # full at the end of the stop


def test_a_held_tank_and_a_full_tank_are_different_constraints(make_inputs):
    """The case above, read through its shadow prices (docs/model.md §1 "store hold"). On 9 March, the last
    settled day, the tank is held at its working level: a tonne lower there would be a tonne more room in the stop,
    so one tonne less shut in, and ``store_hold`` carries minus the value of that tonne. On 12 March, the stop's
    last day, the tank is full: a tonne more capacity is the same tonne, and ``store_level`` carries plus it. So the
    two prices are equal and opposite, each on its own family and day, and nothing else about the tank binds; the
    held day is said as held, not as a tank at its minimum (one row carried both before 2026-12-01)."""
    S = 100.0
    t = net(S, 0)
    t["stores"][0].update(capacity_kt=100 + 2 * S, opening_kt=100 + S)
    res = solve(make_inputs, t, {"resolution": "day", **outage("term", "2023-03-10", "2023-03-12")})
    sp = res.tables["shadow_prices"]
    tank = sp[sp.constraint.isin(["store_level", "store_hold"])].set_index(["period", "constraint"]).usd_per_t
    assert set(tank.index) == {("2023-03-09", "store_hold"), ("2023-03-12", "store_level")}
    assert tank[("2023-03-09", "store_hold")] < -1.0
    assert tank[("2023-03-12", "store_level")] == pytest.approx(-tank[("2023-03-09", "store_hold")], abs=1e-6)
    words = res.tables["binding_constraints"].set_index("constraint").what
    assert "held at the working level" in words["store_hold"] and "minimum" not in words["store_hold"]
    assert words["store_level"] == "no tank room is left in the Tank"


def test_a_short_stop_costs_output_daily_but_not_monthly(make_inputs):
    """A 3-day full stop that outruns the tank: daily resolution shows it, the monthly model does not,
    because the rest of March (28 days × 200 kt/day = 5,600 kt) can carry March's 3,100 kt."""
    t = net(150, 0)
    daily = solve(make_inputs, t, {"resolution": "day", **outage("term", "2023-03-10", "2023-03-12")})
    monthly = solve(make_inputs, t, {"resolution": "month", **outage("term", "2023-03-10", "2023-03-12")})
    assert shut_in_kt(daily) == pytest.approx(150.0, abs=1e-6)
    assert shut_in_kt(monthly) == pytest.approx(0.0, abs=1e-6)


def test_a_stop_the_tanks_cover_costs_nothing_at_either_resolution(make_inputs):
    t = net(400, 0)
    for res_name in ("day", "week", "month"):
        res = solve(make_inputs, t, {"resolution": res_name, **outage("term", "2023-03-10", "2023-03-12")})
        assert shut_in_kt(res) == pytest.approx(0.0, abs=1e-6), res_name


def test_a_daily_window_inside_a_monthly_year(make_inputs):
    """Daily only around the outage: the same loss as a fully daily year, with far fewer periods."""
    t = net(150, 20)
    scen = {"resolution": "month", "windows": [{"start": "2023-03-01", "end": "2023-03-31", "resolution": "day"}], **outage("term", "2023-03-10", "2023-03-12")}
    res = solve(make_inputs, t, scen)
    assert shut_in_kt(res) == pytest.approx(90.0, abs=1e-6)
    labels = res.tables["allocation_period"]["period"].unique()
    assert len(labels) == 11 + 31  # eleven whole months and the 31 days of March
    # monthly tables are the sums of the periods
    am = res.tables["allocation_monthly"]
    ap = res.tables["allocation_period"]
    assert am.volume_kt.sum() == pytest.approx(ap.volume_kt.sum(), rel=1e-12)


def test_ramp_limit_makes_losses_outlast_the_outage(make_inputs):
    """A 2-day stop of the field itself (the event takes the outlook to 0 on those days, so they are
    not shut-in: there was nothing to produce), then recovery at 10 % of full rate a day: production
    can be 0.1 q on the first day after, 0.2 q on the second, ... full on the tenth. Shut in after
    the stop: q × Σ_{j=1..9} (1 − j/10) = 4.5 q = 450 kt."""
    t = net(0, 0, ramp=0.1)
    res = solve(make_inputs, t, {"resolution": "day", **outage("a", "2023-06-01", "2023-06-02")})
    assert shut_in_kt(res) == pytest.approx(4.5 * Q, abs=1e-6)
    assert res.tables["balance_period"]["supply_kt"].sum() == pytest.approx(365 * Q - 2 * Q, abs=1e-6)
    b = res.tables["balance_period"].set_index("first_day")
    assert b.at["2023-06-03", "production_kt"] == pytest.approx(0.1 * Q, abs=1e-6)
    assert b.at["2023-06-07", "production_kt"] == pytest.approx(0.5 * Q, abs=1e-6)
    assert b.at["2023-06-12", "production_kt"] == pytest.approx(Q, abs=1e-6)
    # without a ramp limit the loss ends with the stop
    free = solve(make_inputs, net(0, 0), {"resolution": "day", **outage("a", "2023-06-01", "2023-06-02")})
    assert shut_in_kt(free) == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize(
    "days, L, S, delta, expected",
    [
        # a 3-day stop, cut held for L = 7 days from its first day (10-16 March): production p_d is non-increasing
        # over the window, and over the stop p10 + p11 + p12 <= S + 3 delta (the tank's room and the diversion);
        # the most the window can produce is then p = (S + 3 delta)/3 on each of its 7 days, so
        # shut-in = 7 x 100 - 7 (S + 3 delta)/3
        (3, 7, 150, 0, 700 - 7 * 150 / 3),  # 350 (150 without the hold)
        (3, 7, 150, 20, 700 - 7 * (150 + 60) / 3),  # 210 (90 without)
        (3, 5, 60, 0, 500 - 5 * 60 / 3),  # 400 (240 without)
        # a horizon no longer than the stop changes nothing: 300 - 150 = 150, as without a hold
        (3, 3, 150, 0, 150),
        # a stop longer than the horizon: the hold covers days 1-3 only, and over the 5 days of the stop the
        # tank takes S whatever the split, so 500 - 150 = 350, as without a hold
        (5, 3, 150, 0, 350),
    ],
)
def test_a_cut_made_before_the_stops_length_is_known_holds_for_the_decision_horizon(make_inputs, days, L, S, delta, expected):
    """cut_hold (docs/model.md §1 "decision horizon"): a field that cuts when a disruption begins cannot raise its
    output again until L days after the first disrupted day, even if the stop is over sooner."""
    end = f"2023-03-{9 + days:02d}"
    res = solve(make_inputs, net(S, delta, hold=L), {"resolution": "day", **outage("term", "2023-03-10", end)})
    assert shut_in_kt(res) == pytest.approx(expected, abs=1e-6)
    free = solve(make_inputs, net(S, delta), {"resolution": "day", **outage("term", "2023-03-10", end)})
    assert shut_in_kt(free) == pytest.approx(max(0.0, days * Q - S - days * delta), abs=1e-6)
    if expected > shut_in_kt(free) + 1e-6:  # the hold binds: output flat at (S + 3 delta)/3 over the window, free after it
        b = res.tables["balance_period"].set_index("first_day").production_kt
        window = [f"2023-03-{d:02d}" for d in range(10, 10 + L)]
        assert (b[window] - (S + 3 * delta) / 3).abs().max() < 1e-6
        assert b[f"2023-03-{10 + L:02d}"] == pytest.approx(Q, abs=1e-6)
    # size: one cut_hold row per period but the year's first (364 days), 2 nonzeros each
    assert res.oil_size["constraints"] == free.oil_size["constraints"] + 364
    assert res.oil_size["nonzeros"] == free.oil_size["nonzeros"] + 2 * 364


def test_more_storage_never_lowers_the_optimum(make_inputs):
    scen = {"resolution": "day", **outage("term", "2023-03-10", "2023-03-14")}
    values = [solve(make_inputs, net(S, 10), scen).lp_objective_musd for S in (0, 50, 100, 200, 400, 800)]
    assert all(b >= a - 1e-9 for a, b in zip(values, values[1:]))


def _cli(args):
    return CliRunner().invoke(main, args, catch_exceptions=False)


@pytest.mark.parametrize(
    "edit, file, field, words",
    [
        ({"min_level_kt": 500}, "stores.csv", "min_level_kt", "is above capacity_kt"),
        ({"opening_kt": 900}, "stores.csv", "opening_kt", "outside the working range"),
        ({"capacity_kt": -5}, "stores.csv", "capacity_kt", "expected a number in [0, 10000] (kt)"),
        ({"node": "nowhere"}, "stores.csv", "node", "is not a source or a node"),
        ({"cut_hold_days": 0}, "sources.csv", "cut_hold_days", "expected a whole number in [1, 366]"),
        ({"cut_hold_days": 2.5}, "sources.csv", "cut_hold_days", "expected a whole number in [1, 366]"),
    ],
)
def test_bad_stores_are_refused(make_inputs, tmp_path, edit, file, field, words):
    t = net(150, 0)
    (t["sources"][0] if file == "sources.csv" else t["stores"][0]).update(edit)
    folder = make_inputs(t)
    out = tmp_path / "run"
    res = _cli(["run", "case", "--inputs", str(folder), "--out", str(out), "--no-report", "--no-power"])
    assert res.exit_code == 2, res.output
    assert file in res.output and f"column '{field}'" in res.output and words in res.output and "line 2" in res.output
    assert not out.exists()


@pytest.mark.parametrize(
    "scenario, field, words",
    [
        ({"resolution": "hour"}, "resolution", "Input should be 'month', 'week' or 'day'"),
        ({"windows": [{"start": "2024-03-01", "end": "2024-03-31", "resolution": "day"}]}, "windows[0]", "outside the horizon"),
        ({"windows": [{"start": "2023-03-31", "end": "2023-03-01"}]}, "windows[0]", "after it ends"),
        ({"windows": [{"start": "2023-03-01", "end": "2023-03-31"}, {"start": "2023-03-15", "end": "2023-04-15"}]}, "windows[1]", "overlaps windows[0]"),
    ],
)
def test_bad_time_axis_is_refused(make_inputs, tmp_path, scenario, field, words):
    folder = make_inputs(net(150, 0), scenario)
    out = tmp_path / "run"
    res = _cli(["run", "case", "--inputs", str(folder), "--out", str(out), "--no-report", "--no-power"])
    assert res.exit_code == 2, res.output
    assert "scenarios.yaml" in res.output and field in res.output and words in res.output
    assert not out.exists()


def shared_tank() -> dict[str, list[dict]]:
    """Two fields share a tank at ``hub``: a 100 kt/day (36.5 Mt/yr), b 50 kt/day (18.25 Mt/yr) with a monthly
    allocation of 25 kt/day at ``sea`` (max_mt 9.125), so b is shut in 25 kt/day while it produces. The tank
    (0..300 kt, opening 100) is held by both in proportion to supply: a 100 × 100/150 = 66.67 kt, b 33.33 kt."""
    t = net(200, 0)
    t["sources"][1]["ramp_up_per_day"] = ""
    t["supply"] = [
        {"year": 2023, "source": "a", "export_supply_mt": 36.5},
        {"year": 2023, "source": "b", "export_supply_mt": 18.25},
    ]
    t["arcs"] = [a for a in t["arcs"] if a["arc"] != "alt"] + [
        {"arc": "bpipe", "from_node": "b", "to_node": "hub", "asset": "", "tariff_usd_per_t": 10, "description": ""},
    ]
    t["routes"] = [r for r in t["routes"] if r["route"] == "sea"]
    t["assets"] = [a for a in t["assets"] if a["asset"] != "altpipe"]
    t["asset_capacity"] = [c for c in t["asset_capacity"] if c["asset"] != "altpipe"]
    t["source_routes"] = [
        {"source": "a", "route": "sea", "feeder_cost_usd_per_t": 0, "max_mt": ""},
        {"source": "b", "route": "sea", "feeder_cost_usd_per_t": 0, "max_mt": 9.125},
    ]
    t["stores"][0].update(capacity_kt=300, min_level_kt=0, opening_kt=100)
    return t


def test_a_shared_tank_does_not_bank_one_fields_crude_in_quiet_months(make_inputs):
    """Issue 12, store_share (docs/model.md §1): b's field is down all December (a source event: no route is cut, so
    every month is settled and the tank stays at 100 kt). b's December allocation, 31 × 25 = 775 kt, is then free.
    If only the tank's total were held, b could swap places with a in quiet months (b's crude in, a's out, same total:
    a's holding 66.67 → 0, b's 33.33 → 100) and sell the 66.67 kt in December, cutting its shut-in to
    334 × 25 − 66.67 = 8,283.33 kt. Holding each field's share in a settled period leaves b's crude in the tank at
    33.33 kt all year: shut-in 25 kt/day × 334 days (1 Jan–30 Nov) = 8,350 kt, none in December (nothing to produce)."""
    res = solve(make_inputs, shared_tank(), outage("b", "2023-12-01", "2023-12-31"))
    si = res.tables["shut_in_monthly"].set_index(["period", "source"]).shut_in_kt
    assert si.sum() == pytest.approx(25 * 334, abs=1e-6)
    assert si[("2023-12", "b")] == pytest.approx(0.0, abs=1e-6)
    assert si.xs("a", level="source").abs().max() < 1e-6
    lev = res.tables["stores_period"].level_kt
    assert (lev - 100).abs().max() < 1e-6
    # size by hand, per month: variables x 2 (a, b at sea), f 4 (a: pipe, term; b: bpipe, term), z 2, inj/wd/level
    # 2 each (holdings a@tank, b@tank) = 14 → 168. Rows: supply_balance 2, node_balance 4 ((a|b) × (hub|sea)),
    # asset_capacity 2 (pipe, term), route_capacity 1, source_route_limit 1 (b at sea), store_balance 2,
    # store_level 1, store_hold 1, store_share 2 (a@tank, b@tank: the tank holds two fields' crude),
    # store_injection 1, store_withdrawal 1 = 18 → 216, + route_limit 1 (sea, 2023) = 217. Nonzeros per month: supply 2 × 2 (f out,
    # z), node_balance at hub 2 × 4 (arc in, term out, inj, wd) and at sea 2 × 2 (term in, x), asset_capacity
    # pipe 1 + term 2, route_capacity 2, source_route_limit 1, store_balance 2 × 4 (level, previous level, inj, wd;
    # 3 in January, whose previous level is the right-hand side), store_level 2, store_hold 2, store_share 2 × 2
    # (each row spans both holdings), store_injection 2, store_withdrawal 2 = 42 → 504 − 2 (January) = 502,
    # + route_limit 2 × 12 = 24 → 526. Of these, store_share adds 24 rows and 48 nonzeros. Displaced crude (free rows here: a
    # source event disrupts no day): s for the one served route and credit, 2 × 12 = 24 variables; rows
    # displaced_route, displaced_start, displaced, displaced_end, 4 × 12 = 48; nonzeros per month s + x (a, b at
    # sea) 3, credit + s 2, credit + previous + s 3 (2 in January), 1 → 9 × 12 − 1 = 107.
    assert res.oil_size == {"variables": 168 + 24, "constraints": 217 + 48, "nonzeros": 526 + 107}


def test_the_sweep_kernel_moves_the_hold_and_share_rows_itself(make_inputs):
    """store_share and cut_hold rows change with each case's disrupted days; the kernel takes their bounds from the
    registry (changes_with), so a case re-solved warm from the no-event basis (every row free or at its settled
    value there) equals a fresh solve with the same stop, at several start days (one across a month's end). The tank
    is shared by a (held 7 days) and b (held 3 days)."""
    from energy_routes.load import load_inputs
    from energy_routes.scenario import resolve
    from energy_routes.sweep.kernel import CaseEvent, OilKernel

    t = net(150, 0, hold=7)
    t["sources"][1]["cut_hold_days"] = 3
    t["arcs"].append({"arc": "bpipe", "from_node": "b", "to_node": "hub", "asset": "", "tariff_usd_per_t": 10, "description": ""})
    t["source_routes"].append({"source": "b", "route": "sea", "feeder_cost_usd_per_t": 0, "max_mt": ""})
    t["supply"] = [{"year": 2023, "source": "a", "export_supply_mt": 36.5}, {"year": 2023, "source": "b", "export_supply_mt": 3.65}]
    folder = make_inputs(t, {"resolution": "day"})
    kernel = OilKernel(resolve(load_inputs(folder), "case"), targets={"term"})
    for start, end in (("2023-03-10", "2023-03-12"), ("2023-06-28", "2023-07-02"), ("2023-03-30", "2023-04-01")):
        got = kernel.solve_events([CaseEvent("term", start, end, 0.0)])
        ref = solve(make_inputs, t, {"resolution": "day", **outage("term", start, end)})
        assert got.optimal
        assert got.objective_musd == pytest.approx(ref.objective_musd, rel=1e-9)
        assert got.shut_in_mt.sum() * 1000 == pytest.approx(shut_in_kt(ref), abs=1e-6)
        assert shut_in_kt(ref) > 0
