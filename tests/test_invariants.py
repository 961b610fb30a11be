"""Properties that must hold on every network: hypothesis generates the networks.

Random sources, assets (units, third-party loads), routes with one or two legs
(shared legs happen often), tariffs, feeders, grades, pair caps, supply,
events with ramps and overlaps, route limits and shares, and horizons inside
2023–2024 (2024 is a leap year). For every case the package's optimum must
equal the independent formulation of tests/independent.py, and the result
tables must obey the physics and the bookkeeping.

Minimum commitments can make a generated case infeasible; then both
formulations must say so (that is checked, and counted with ``event``).
"""

from __future__ import annotations

import calendar
import datetime as dt
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import assume, event, given, settings
from hypothesis import strategies as st

from builders import BASE_TABLES, write_inputs
from energy_routes.api import run_scenario
from energy_routes.errors import SolveError
from independent import solve_independent

TOL = 1e-6


def tenths(lo: int, hi: int):
    """Numbers with one decimal in [lo, hi]."""
    return st.integers(lo * 10, hi * 10).map(lambda v: v / 10)


@st.composite
def networks(draw, *, allow_min: bool = True):
    n_years = draw(st.sampled_from([1, 1, 2]))
    years = [2023, 2024][:n_years]
    months = [f"{y}-{m:02d}" for y in years for m in range(1, 13)]
    i0 = draw(st.integers(0, len(months) - 1))
    i1 = draw(st.integers(i0, min(len(months) - 1, i0 + 14)))
    horizon = (months[i0], months[i1])
    first_day = dt.date(int(horizon[0][:4]), int(horizon[0][5:]), 1)
    y1, m1 = int(horizon[1][:4]), int(horizon[1][5:])
    last_day = dt.date(y1, m1, calendar.monthrange(y1, m1)[1])
    h_years = sorted({int(m[:4]) for m in months[i0 : i1 + 1]})

    sources = [f"s{i}" for i in range(draw(st.integers(1, 3)))]
    assets = [f"a{i}" for i in range(draw(st.integers(1, 4)))]
    routes = [f"r{i}" for i in range(draw(st.integers(1, 4)))]
    grades = [
        {"grade": f"g{i}", "name": "G", "bbl_per_t": draw(st.integers(65, 85)) / 10, "diff_usd_per_bbl": draw(tenths(-10, 10)), "description": ""}
        for i in range(2)
    ]
    asset_rows = []
    for a in assets:
        u = draw(st.integers(1, 3))
        asset_rows.append({"asset": a, "block": "oil", "name": a, "units": u, "max_active_units": draw(st.integers(1, u)), "description": ""})
    asset_rows.append(dict(BASE_TABLES["assets"][-1]))  # the trans-Caspian cable (power)
    cap_rows = []
    for a in assets:
        for y in years:
            c = draw(tenths(0, 40))
            th = round(c * draw(st.sampled_from([0, 0, 0.1, 0.25, 0.5, 1.0])), 1)
            cap_rows.append({"year": y, "asset": a, "capacity_mt": c, "third_party_mt": min(th, c)})
    route_rows, leg_rows = [], []
    for r in routes:
        route_rows.append({"route": r, "name": r, "grade": draw(st.sampled_from(["g0", "g1"])), "description": ""})
        legs = draw(st.lists(st.sampled_from(assets), min_size=1, max_size=2, unique=True))
        for k, a in enumerate(legs, start=1):
            leg_rows.append({"route": r, "seq": k, "asset": a, "tariff_usd_per_t": draw(st.integers(0, 150))})
    all_pairs = [(s, r) for s in sources for r in routes]
    pairs = draw(st.lists(st.sampled_from(all_pairs), min_size=1, max_size=len(all_pairs), unique=True))
    sr_rows = [
        {
            "source": s,
            "route": r,
            "feeder_cost_usd_per_t": draw(st.integers(0, 50)),
            "max_mt": draw(st.one_of(st.just(""), tenths(0, 40))),
        }
        for s, r in pairs
    ]
    supply_rows = [{"year": y, "source": s, "export_supply_mt": draw(tenths(0, 60))} for y in years for s in sources]
    prices = [{"year": y, "brent_usd_per_bbl": draw(st.integers(40, 120))} for y in years]
    power_capacity = [{"year": y, "technology": tech, "capacity_mw": 0} for y in years for tech in ("wind", "solar")]

    n_days = (last_day - first_day).days
    events = []
    for i in range(draw(st.integers(0, 3))):
        start = first_day + dt.timedelta(days=draw(st.integers(0, n_days)))
        end = min(last_day, start + dt.timedelta(days=draw(st.integers(0, 60))))
        events.append(
            {
                "id": f"e{i}",
                "target": draw(st.sampled_from(assets + routes + sources)),
                "start": start.isoformat(),
                "end": end.isoformat(),
                "remaining": draw(st.sampled_from([0.0, 0.2, 1 / 3, 0.5, 2 / 3, 0.9, 1.0])),
                "ramp_days": draw(st.sampled_from([0, 0, 3, 10, 45])),
            }
        )
    limits = []
    for r in draw(st.lists(st.sampled_from(routes), max_size=2)):
        lim = {"route": r, "years": draw(st.sampled_from([None, h_years[0], h_years]))}
        if lim["years"] is None:
            del lim["years"]
        if draw(st.booleans()):
            lim["max_mt"] = draw(tenths(0, 30))
        # a minimum on a route no source reaches is infeasible by construction: allow it, but rarely
        served = r in {p[1] for p in pairs}
        if allow_min and draw(st.booleans() if served else st.sampled_from([False, False, False, False, True])):
            lim["min_mt"] = min(draw(tenths(0, 3)), lim.get("max_mt", 150))
        limits.append(lim)
    shares = [{"route": r, "max_share": draw(st.sampled_from([0.2, 0.4, 0.5, 0.75, 0.9, 1.0]))} for r in draw(st.lists(st.sampled_from(routes), max_size=2, unique=True))]
    tables = {
        "sources": [{"source": s, "name": s, "description": ""} for s in sources],
        "grades": grades,
        "prices": prices,
        "assets": asset_rows,
        "asset_capacity": cap_rows,
        "routes": route_rows,
        "route_legs": leg_rows,
        "source_routes": sr_rows,
        "supply": supply_rows,
        "power_capacity": power_capacity,
    }
    scenario = {
        "horizon": {"start": horizon[0], "end": horizon[1]},
        "shut_in_penalty_usd_per_t": draw(st.sampled_from([0, 50, 200])),
        "route_limits": limits,
        "route_shares": shares,
        "events": events,
    }
    return tables, scenario


def solve(tables, scenario):
    """(run result or None if infeasible, independent result) for one generated case."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_inputs(Path(tmp) / "in", tables, scenario)
        ind = solve_independent(folder)
        try:
            res = run_scenario(folder, "case", power=False)
        except SolveError as exc:
            assert "nfeasible" in exc.status
            assert ind.status == 2, "the package says infeasible, the independent formulation found an optimum"
            return None, ind
    assert ind.status == 0, "the package found an optimum, the independent formulation says infeasible"
    return res, ind


def check_tables(res, tables, scenario):
    t = res.tables
    # ---- capacity never exceeded
    au = t["asset_use_monthly"]
    assert (au.flow_kt <= au.capacity_kt + TOL).all(), au[au.flow_kt > au.capacity_kt + TOL]
    assert (au.capacity_kt >= 0).all()
    am = t["allocation_monthly"]
    assert (am.volume_kt <= am.capacity_kt + TOL).all(), am[am.volume_kt > am.capacity_kt + TOL]
    # ---- no negative flows or shut-in
    fl = t["flows_monthly"]
    assert (fl.volume_kt >= 0).all()
    si = t["shut_in_monthly"]
    assert (si.shut_in_kt >= 0).all()
    # ---- every tonne accounted for: supply = exported + shut-in, per month and source
    out = fl.groupby(["period", "source"])["volume_kt"].sum()
    for row in si.itertuples():
        exported = float(out.get((row.period, row.source), 0.0))
        assert row.supply_kt == pytest.approx(exported + row.shut_in_kt, abs=TOL)
    bal = t["balance_monthly"]
    assert (bal.supply_kt - bal.exported_kt - bal.shut_in_kt).abs().max() <= TOL
    assert bal.set_index("period").supply_kt.to_dict() == pytest.approx(si.groupby("period").supply_kt.sum().to_dict(), abs=TOL)
    # ---- asset flow = sum of the flows of the routes over it
    legs = pd.DataFrame(tables["route_legs"])
    by_route = am.set_index(["period", "route"]).volume_kt
    for row in au.itertuples():
        routes = legs.loc[legs.asset == row.asset, "route"].unique()
        assert row.flow_kt == pytest.approx(sum(by_route.get((row.period, r), 0.0) for r in routes), abs=TOL)
    # ---- annual = sum of months
    ann = t["allocation_annual"].set_index(["year", "route"])
    mon = am.groupby(["year", "route"]).agg(volume_kt=("volume_kt", "sum"), capacity_kt=("capacity_kt", "sum"))
    assert set(ann.index) == set(mon.index)
    for key, row in mon.iterrows():
        assert ann.loc[key, "volume_mt"] * 1000 == pytest.approx(row.volume_kt, abs=TOL)
        assert ann.loc[key, "capacity_mt"] * 1000 == pytest.approx(row.capacity_kt, abs=TOL)
    fl_value = fl.assign(v=fl.volume_kt * fl.netback_usd_per_t / 1000, year=fl.period.str[:4].astype(int))
    val = fl_value.groupby(["year", "route"]).v.sum()
    for key in ann.index:
        assert ann.loc[key, "netback_musd"] == pytest.approx(float(val.get(key, 0.0)), abs=1e-6, rel=1e-9)
    # shares sum to 1 in a year with exports
    for y, grp in t["allocation_annual"].groupby("year"):
        if grp.volume_mt.sum() > 1e-6:
            assert grp.share.sum() == pytest.approx(1.0, abs=1e-6)
    # ---- the objective is what the tables say it is
    pen = scenario["shut_in_penalty_usd_per_t"]
    assert res.oil.objective == pytest.approx(fl_value.v.sum() - si.shut_in_kt.sum() * pen / 1000, rel=1e-9, abs=1e-6)


@settings(max_examples=100)
@given(networks())
def test_invariants_and_independent_optimum(case):
    tables, scenario = case
    res, ind = solve(tables, scenario)
    if res is None:
        event("infeasible (both formulations agree)")
        return
    event("feasible")
    assert res.oil.objective == pytest.approx(ind.objective, rel=1e-6, abs=1e-6)
    check_tables(res, tables, scenario)


@settings(max_examples=30)
@given(networks(), st.data())
def test_adding_capacity_never_lowers_the_optimum(case, data):
    tables, scenario = case
    base, _ = solve(tables, scenario)
    assume(base is not None)
    rows = tables["asset_capacity"]
    i = data.draw(st.integers(0, len(rows) - 1), label="row")
    extra = data.draw(tenths(1, 40), label="extra Mt")
    more = {**tables, "asset_capacity": [dict(r) for r in rows]}
    more["asset_capacity"][i]["capacity_mt"] = round(rows[i]["capacity_mt"] + extra, 1)
    bigger, ind = solve(more, scenario)
    assert bigger is not None  # a relaxation of a feasible LP is feasible
    assert bigger.oil.objective >= base.oil.objective - 1e-6 * max(1.0, abs(base.oil.objective))
    assert bigger.oil.objective == pytest.approx(ind.objective, rel=1e-6, abs=1e-6)


@settings(max_examples=30)
@given(networks(), st.data())
def test_removing_a_route_never_raises_the_optimum(case, data):
    tables, scenario = case
    served = sorted({r["route"] for r in tables["source_routes"]})
    assume(len(served) >= 2)
    gone = data.draw(st.sampled_from(served), label="route removed")
    # a minimum commitment on the removed route would make the smaller case infeasible: keep none there
    scenario = {**scenario, "route_limits": [{k: v for k, v in lim.items() if not (lim["route"] == gone and k == "min_mt")} for lim in scenario["route_limits"]]}
    base, _ = solve(tables, scenario)
    assume(base is not None)
    fewer = {**tables, "source_routes": [r for r in tables["source_routes"] if r["route"] != gone]}
    smaller, ind = solve(fewer, scenario)
    if smaller is None:
        # only possible through a commitment on another route that needed the removed route's supply
        event("smaller case infeasible")
        return
    assert smaller.oil.objective <= base.oil.objective + 1e-6 * max(1.0, abs(base.oil.objective))
    assert smaller.oil.objective == pytest.approx(ind.objective, rel=1e-6, abs=1e-6)
    assert smaller.tables["allocation_annual"].query("route == @gone").volume_mt.abs().max() <= TOL
