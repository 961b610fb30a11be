"""The package against an independent formulation of the same LP (tests/independent.py).

``independent.solve_independent`` reads the CSVs and scenarios.yaml itself,
computes every parameter from docs/model.md (daily events, ramps, overlaps,
units, third parties, pro-rating) and solves its own matrix LP with
``scipy.optimize.linprog``. It imports nothing from ``energy_routes``.
"""

from __future__ import annotations

import pytest

from builders import base_tables, set_rows, two_year_tables
from energy_routes.api import run_scenario
from independent import solve_independent

REL = 1e-6


def ev(target, start, end, remaining, ramp=0, id_=None):
    return {"id": id_ or f"{target}_{start}_{end}", "target": target, "start": start, "end": end, "remaining": remaining, "ramp_days": ramp}


def _rich_tables():
    """Three sources, four routes with different grades, feeders, third parties, multi-unit assets."""
    t = base_tables()
    t["sources"].append({"source": "c", "name": "Source C", "bbl_per_t": 7.9, "description": ""})
    t["supply"] = [
        {"year": 2023, "source": "a", "export_supply_mt": 30},
        {"year": 2023, "source": "b", "export_supply_mt": 8},
        {"year": 2023, "source": "c", "export_supply_mt": 6.2},
    ]
    t["grades"] = [
        {"grade": "g", "name": "G", "bbl_per_t": 7.5, "diff_usd_per_bbl": 0, "description": ""},
        {"grade": "h", "name": "H", "bbl_per_t": 7.3, "diff_usd_per_bbl": -3.5, "description": ""},
        {"grade": "k", "name": "K", "bbl_per_t": 7.9, "diff_usd_per_bbl": 1.25, "description": ""},
    ]
    t["routes"].append({"route": "rail", "name": "Rail", "grade": "k", "description": ""})
    set_rows(t["routes"], {"route": "dear"}, grade="h")
    t["assets"].insert(4, {"asset": "wagons", "block": "oil", "name": "Wagons", "units": 4, "max_active_units": 3, "description": ""})
    set_rows(t["assets"], {"asset": "ship"}, units=3, max_active_units=2)
    t["asset_capacity"].append({"year": 2023, "asset": "wagons", "capacity_mt": 6, "third_party_mt": 1.5})
    set_rows(t["asset_capacity"], {"asset": "pipe"}, third_party_mt=4)
    set_rows(t["asset_capacity"], {"asset": "link"}, capacity_mt=7)
    t["route_legs"] += [
        {"route": "rail", "seq": 1, "asset": "wagons", "tariff_usd_per_t": 85},
        {"route": "rail", "seq": 2, "asset": "link", "tariff_usd_per_t": 5},
    ]
    t["source_routes"] += [
        {"source": "b", "route": "rail", "feeder_cost_usd_per_t": 12, "max_mt": 3},
        {"source": "c", "route": "rail", "feeder_cost_usd_per_t": 0, "max_mt": ""},
        {"source": "c", "route": "dear", "feeder_cost_usd_per_t": 25, "max_mt": ""},
        {"source": "b", "route": "spare", "feeder_cost_usd_per_t": 7.5, "max_mt": 2.5},
    ]
    return t


VARIANTS = {
    "base": (None, None),
    "min-and-max": (None, {"route_limits": [{"route": "spare", "min_mt": 2.5}, {"route": "cheap", "max_mt": 17, "min_mt": 1}]}),
    "ramp-overlap-route-source-events": (
        None,
        {
            "events": [
                ev("pipe", "2023-02-10", "2023-03-05", 0.2, 20, "p1"),
                ev("pipe", "2023-03-01", "2023-03-15", 0.5, 0, "p2"),
                ev("dear", "2023-06-03", "2023-06-17", 0.4, 6),
                ev("a", "2023-11-20", "2023-12-31", 0.7, 0),
                ev("ship", "2023-09-01", "2023-09-09", 0.1, 3),
            ]
        },
    ),
    "shared-leg-spare-better": ("spur0", None),
    "shares": (None, {"route_shares": [{"route": "cheap", "max_share": 0.55}, {"route": "dear", "max_share": 0.3}]}),
    "pair-caps": ("paircap", None),
    "partial-year": ("paircap", {"horizon": {"start": "2023-03", "end": "2023-10"}, "route_limits": [{"route": "spare", "min_mt": 2}], "events": [ev("ship", "2023-05-01", "2023-05-20", 0.0, 5)]}),
    "rich": ("rich", {"route_limits": [{"route": "rail", "min_mt": 1.2}], "route_shares": [{"route": "cheap", "max_share": 0.6}], "events": [ev("ship", "2023-04-01", "2023-04-30", 1 / 3, 10), ev("wagons", "2023-08-01", "2023-08-31", 0.5), ev("c", "2023-01-01", "2023-01-31", 0.0, 31)]}),
    "stores-daily-ramp": (
        "stores",
        {
            "resolution": "day",
            "events": [ev("link", "2023-03-10", "2023-03-14", 0.0), ev("pipe", "2023-07-01", "2023-07-03", 0.2, 2), ev("a", "2023-09-05", "2023-09-06", 0.0)],
        },
    ),
    "stores-daily-hold": (
        "stores_hold",
        {
            "resolution": "day",
            "events": [ev("pipe", "2023-03-10", "2023-03-12", 0.0), ev("ship", "2023-03-10", "2023-03-12", 0.0), ev("pipe", "2023-06-28", "2023-07-02", 0.2, 2), ev("ship", "2023-12-29", "2023-12-31", 0.0)],
        },
    ),
    "stores-weekly-hold": (
        "stores_hold",
        {
            "resolution": "week",
            "windows": [{"start": "2023-03-05", "end": "2023-03-20", "resolution": "day"}],
            "events": [ev("pipe", "2023-03-10", "2023-03-12", 0.0), ev("ship", "2023-03-10", "2023-03-12", 0.0), ev("pipe", "2023-05-27", "2023-06-04", 0.0)],
        },
    ),
    "stores-weekly-window": (
        "stores",
        {
            "resolution": "week",
            "windows": [{"start": "2023-03-05", "end": "2023-03-20", "resolution": "day"}, {"start": "2023-11-01", "end": "2023-12-31", "resolution": "month"}],
            "route_limits": [{"route": "spare", "min_mt": 1.0}],
            "events": [ev("link", "2023-03-10", "2023-03-14", 0.0), ev("dear", "2023-06-03", "2023-06-17", 0.4, 6)],
        },
    ),
    "outlets-units-schedules-acceptance": (
        "outlets",
        {
            "events": [
                ev("pipe", "2023-02-10", "2023-04-05", 0.1, 5, "p"),
                ev("ship/s1", "2023-03-01", "2023-03-20", 0.5, 0, "u1"),
                ev("ship/s1", "2023-03-10", "2023-03-31", 0.2, 0, "u1b"),
                ev("ship/s3", "2023-08-03", "2023-08-29", 0.0, 2, "u3"),
                ev("ship", "2023-08-10", "2023-08-20", 0.6, 0, "s"),
                ev("pipe", "2023-10-20", "2023-10-25", 0.0, 0, "p2"),
            ]
        },
    ),
    "outlets-weekly": ("outlets", {"resolution": "week", "events": [ev("pipe", "2023-05-03", "2023-06-11", 0.0, 0, "p"), ev("ship/s2", "2023-05-20", "2023-06-30", 0.0, 0, "u2")]}),
    "two-years-leap": ("twoyear", {"horizon": {"start": "2023-05", "end": "2024-08"}, "route_limits": [{"route": "spare", "min_mt": 1.5, "years": 2024}, {"route": "cheap", "max_mt": 18, "years": "2023..2024"}], "route_shares": [{"route": "dear", "max_share": 0.2, "years": [2023]}], "events": [ev("pipe", "2024-02-20", "2024-03-02", 0.0, 4)]}),
}


def _tables(kind):
    if kind is None:
        return None
    if kind == "outlets":
        # units with identity on 'ship' (pro rata, a third party), schedules on 'dear' and 'spare' with one acceptor
        t = base_tables()
        set_rows(t["assets"], {"asset": "ship"}, units=3, max_active_units=2)
        set_rows(t["asset_capacity"], {"asset": "ship"}, capacity_mt=12, third_party_mt=2)
        t["asset_units"] = [{"asset": "ship", "unit": f"s{i}", "name": f"S{i}", "rate_mt": r, "rate_low_mt": 3, "rate_high_mt": 9, "description": ""} for i, r in ((1, 6), (2, 5), (3, 7))]
        t["asset_sharing"] = [{"asset": "ship", "rule": "pro_rata", "description": ""}]
        t["schedules"] = [{"route": r, "year": 2023, "month": m, "schedule_kt": v * m} for r, v in (("dear", 40), ("spare", 15)) for m in range(1, 13)]
        t["acceptance"] = [{"acceptor": "acc", "name": "Acc", "routes": "dear+spare", "extra_kt_per_month": 120, "lead_time_days": 9, "premium_usd_per_t": 7.5, "description": ""}]
        return t
    if kind == "spur0":
        t = base_tables()
        set_rows(t["route_legs"], {"route": "spare", "asset": "spur"}, tariff_usd_per_t=0)
        return t
    if kind == "paircap":
        t = base_tables()
        set_rows(t["source_routes"], {"source": "a", "route": "cheap"}, max_mt=11)
        set_rows(t["source_routes"], {"source": "a", "route": "dear"}, max_mt=4)
        set_rows(t["supply"], {"source": "b"}, export_supply_mt=5)
        return t
    if kind == "rich":
        return _rich_tables()
    if kind in ("stores", "stores_hold"):
        # a tank at the first hub of 'dear' and one at the first hub of 'cheap', a ramp limit on 'a'
        # (stores_hold: and decision horizons, 6 days on 'a', 3 on 'b')
        t = base_tables()
        t["sources"][0]["ramp_up_per_day"] = 0.15
        t["sources"][1]["ramp_up_per_day"] = ""
        if kind == "stores_hold":
            # no shut-in without events (a 20 Mt/yr + b 4 against the pipe's 20 and the ship's 10), and less tank
            # room (tank1 30 kt above its opening), so a stop of both routes forces cuts the horizons then hold
            t["sources"][0]["cut_hold_days"] = 6
            t["sources"][1]["cut_hold_days"] = 3
            set_rows(t["supply"], {"source": "a"}, export_supply_mt=20)
        set_rows(t["supply"], {"source": "b"}, export_supply_mt=4)
        t["stores"] = [
            {"store": "tank1", "node": "dear_in", "name": "T1", "capacity_kt": 300, "min_level_kt": 20, "opening_kt": 120, "max_in_kt_per_day": 60, "max_out_kt_per_day": 80, "description": ""},
            {"store": "tank2", "node": "cheap_in", "name": "T2", "capacity_kt": 90, "min_level_kt": 0, "opening_kt": 45, "max_in_kt_per_day": 30, "max_out_kt_per_day": 30, "description": ""},
        ]
        if kind == "stores_hold":
            t["stores"][0]["capacity_kt"] = 150
        return t
    if kind == "twoyear":
        t = two_year_tables()
        set_rows(t["supply"], {"year": 2024, "source": "a"}, export_supply_mt=28)
        set_rows(t["asset_capacity"], {"year": 2024, "asset": "ship"}, capacity_mt=14, third_party_mt=2)
        set_rows(t["prices"], {"year": 2024}, brent_usd_per_bbl=72)
        return t
    raise KeyError(kind)


@pytest.mark.parametrize("name", list(VARIANTS))
def test_objective_matches_independent_formulation(make_inputs, name):
    kind, scenario = VARIANTS[name]
    folder = make_inputs(_tables(kind), scenario)
    res = run_scenario(folder, "case", power=False)
    ind = solve_independent(folder)
    assert ind.status == 0
    assert res.lp_objective_musd == pytest.approx(ind.objective, rel=REL)

    # the derived parameters, computed twice independently, agree too
    au = res.tables["asset_use_monthly"]
    for row in au.itertuples():
        assert row.capacity_kt == pytest.approx(ind.asset_cap[(row.asset, row.period)], rel=1e-9, abs=1e-9)
    am = res.tables["allocation_monthly"]
    for row in am.itertuples():
        assert row.capacity_kt == pytest.approx(ind.route_cap[(row.route, row.period)], rel=1e-9, abs=1e-9)
    si = res.tables["shut_in_monthly"]
    for row in si.itertuples():
        assert row.supply_kt == pytest.approx(ind.supply[(row.source, row.period)], rel=1e-9, abs=1e-9)
    fl = res.tables["flows_monthly"]
    for row in fl.drop_duplicates(["source", "route", "period"]).itertuples():
        assert row.netback_usd_per_t == pytest.approx(ind.netback[(row.source, row.route, int(row.period[:4]))], rel=1e-12)
    # the flows themselves agree: with the tie-break the optimum is a single point (docs/model.md)
    fp = res.tables["flows_period"]
    assert len(fp) == len(ind.x)
    for row in fp.itertuples():
        assert row.volume_kt == pytest.approx(ind.x[(row.source, row.route, row.period)], abs=1e-5), (row.source, row.route, row.period)
    sp = res.tables["stores_period"]
    for row in sp.itertuples():
        assert row.level_kt == pytest.approx(ind.level[(row.store, row.period)], abs=1e-5)


@pytest.mark.parametrize("name", ["min-and-max", "rich", "two-years-leap", "shares"])
def test_compiled_lp_matches_stock_pyomo_highs(make_inputs, name):
    """The CompiledLP fast path and Pyomo's stock appsi HiGHS interface solve the same model alike."""
    from energy_routes.load import load_inputs
    from energy_routes.model import build_oil_model
    from energy_routes.model.plan import planned_params as oil_params
    from energy_routes.scenario import resolve
    from energy_routes.solve import CompiledLP, solve_with_pyomo

    kind, scenario = VARIANTS[name]
    folder = make_inputs(_tables(kind), scenario)
    p = oil_params(resolve(load_inputs(folder), "case"))
    lp = CompiledLP(build_oil_model(p))
    sol = lp.solve()
    assert sol.optimal
    status, obj, duals = solve_with_pyomo(build_oil_model(p))
    assert "optimal" in status.lower()
    assert sol.objective == pytest.approx(obj, rel=1e-9)
    # both paths report duals as d objective / d rhs; compare the supply_balance duals as a check of
    # the sign convention and of the row mapping (these variants have a unique dual solution there)
    ours = lp.duals("supply_balance")
    theirs = duals["supply_balance"]
    for idx, v in theirs.items():
        assert float(ours[idx]) == pytest.approx(float(v), rel=1e-6, abs=1e-9)


def test_independent_formulation_detects_infeasibility_like_the_package(make_inputs):
    from energy_routes.errors import SolveError

    folder = make_inputs(scenario={"route_limits": [{"route": "spare", "min_mt": 10.5}]})
    assert solve_independent(folder).status == 2
    with pytest.raises(SolveError) as exc:
        run_scenario(folder, "case", power=False)
    assert "nfeasible" in exc.value.status
