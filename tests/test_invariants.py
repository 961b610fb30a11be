"""Properties that must hold on every network: hypothesis generates the networks.

Random sources, assets (units, third-party loads), routes with one or two legs
(shared legs happen often), tariffs, feeders, grades, pair caps, supply,
events with ramps and overlaps, route limits and shares, tank farms at the
hubs, production ramp limits, monthly or weekly periods (with a daily window
now and then), and horizons inside 2023–2024 (2024 is a leap year).

Each generated network is solved three times, sharing one read of its folder:
as generated, with more capacity on one asset-year, and with one route
removed (no source may use it). Every one of those LPs must have the optimum
of the independent formulation in tests/independent.py to 1e-6 relative;
the first must obey the physics and the bookkeeping of its result tables
(capacity never exceeded, store levels within their bounds and back at their
opening level at each year's end, every tonne accounted for: production =
exports + stock change, tables that add up, the objective equal to the
tables' netback); adding capacity or storage must never lower the optimum
and removing a route must never raise it.

Minimum commitments can make a case infeasible; then both formulations must
say so (checked, and counted with ``event``).

Case count: ``N_NETWORKS`` generated networks × 3 LPs each, under the fixed
``ci`` profile of tests/conftest.py (derandomized, so every CI run checks the
same cases). ``HYPOTHESIS_PROFILE=dev`` draws new random ones.
"""

from __future__ import annotations

import calendar
import os
import datetime as dt
import shutil
import tempfile
from pathlib import Path
from unittest.mock import patch

import pandas as pd
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from builders import BASE_TABLES, write_inputs, write_table
from energy_routes import api
from energy_routes.errors import SolveError
from energy_routes.load import load_inputs
from independent import solve_independent

TOL = 1e-6  # kt, on table identities
REL = 1e-6  # relative, on optima


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
    source_rows = [
        {"source": s, "name": s, "bbl_per_t": draw(st.integers(70, 80)) / 10, "ramp_up_per_day": draw(st.sampled_from(["", "", 0.05, 0.3])), "description": ""}
        for s in sources
    ]
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
    # most routes are served by some source (so that removing one is a real test); a few stay unserved
    for r in routes:
        if r not in {p[1] for p in pairs} and draw(st.sampled_from([True, True, True, False])):
            pairs.append((draw(st.sampled_from(sources)), r))
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
    # one target over the very same window twice is an input error (docs/validation.md): drop repeats
    seen = set()
    events = [e for e in events if (key := (e["target"], e["start"], e["end"])) not in seen and not seen.add(key)]
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
    # a minimum above another entry's maximum on the same route is an input error (docs/validation.md):
    # keep such minimums out (conservatively, whatever the years)
    for lim in limits:
        cap = min((other["max_mt"] for other in limits if other["route"] == lim["route"] and "max_mt" in other), default=150)
        if lim.get("min_mt", 0) > cap:
            del lim["min_mt"]
    shares = [{"route": r, "max_share": draw(st.sampled_from([0.2, 0.4, 0.5, 0.75, 0.9, 1.0]))} for r in draw(st.lists(st.sampled_from(routes), max_size=2, unique=True))]
    # tanks at the first hub of some routes (tests/builders.py legs_network names it <route>_in)
    store_rows = []
    for i, r in enumerate(draw(st.lists(st.sampled_from(routes), max_size=2, unique=True))):
        cap = draw(st.integers(0, 400))
        lo = draw(st.integers(0, cap))
        store_rows.append(
            {
                "store": f"k{i}",
                "node": f"{r}_in",
                "name": f"k{i}",
                "capacity_kt": cap,
                "min_level_kt": lo,
                "opening_kt": draw(st.integers(lo, cap)),
                "max_in_kt_per_day": draw(st.integers(1, 60)),
                "max_out_kt_per_day": draw(st.integers(1, 60)),
                "description": "",
            }
        )
    resolution = draw(st.sampled_from(["month", "month", "week"]))
    windows = []
    if draw(st.sampled_from([False, False, True])):
        w0 = first_day + dt.timedelta(days=draw(st.integers(0, n_days)))
        w1 = min(last_day, w0 + dt.timedelta(days=draw(st.integers(0, 20))))
        windows = [{"start": w0.isoformat(), "end": w1.isoformat(), "resolution": "day"}]
    tables = {
        "sources": source_rows,
        "grades": grades,
        "prices": prices,
        "assets": asset_rows,
        "asset_capacity": cap_rows,
        "routes": route_rows,
        "route_legs": leg_rows,
        "stores": store_rows,
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
        "resolution": resolution,
        "windows": windows,
    }
    return tables, scenario


def run_loaded(inputs):
    """The package's whole pipeline (``api.run_scenario``) on inputs already read from their folder.

    Reading and validating a folder is most of a small run's time and is tested on its own
    (tests/test_bad_inputs.py); here the variants of one network share one read.
    """
    with patch.object(api, "load_inputs", lambda _folder: inputs):
        try:
            return api.run_scenario(inputs.folder, "case", power=False)
        except SolveError as exc:
            assert "nfeasible" in exc.status, exc.status
            # explained: the elastic view names a short commitment, and HiGHS's IIS (when it is
            # asked, i.e. after a solve) names rows
            assert exc.diagnosis.get("shortfalls"), exc.diagnosis
            if "iis" in exc.diagnosis:
                assert exc.diagnosis["iis"].get("rows"), exc.diagnosis["iis"]
            return None


def agree(res, ind, what: str):
    """The package and the independent formulation agree on feasibility and on the optimum."""
    if res is None:
        assert ind.status == 2, f"{what}: the package says infeasible, the independent formulation found an optimum"
        return
    assert ind.status == 0, f"{what}: the package found an optimum, the independent formulation says infeasible"
    assert res.lp_objective_musd == pytest.approx(ind.objective, rel=REL, abs=REL), what


def independent_on(folder: Path, tables: dict, name: str):
    """Independent solve of ``folder`` with some oil tables replaced (the independent model reads only those and scenarios.yaml)."""
    variant = folder.parent / name
    variant.mkdir()
    shutil.copy(folder / "scenarios.yaml", variant / "scenarios.yaml")
    for table in INDEPENDENT_READS:
        if tables.get(table):
            write_table(variant, table, tables[table])
        elif (folder / f"{table}.csv").exists():
            shutil.copy(folder / f"{table}.csv", variant / f"{table}.csv")
    return solve_independent(variant)


INDEPENDENT_READS = ("sources", "routes", "assets", "grades", "grade_differentials", "prices", "asset_capacity", "nodes", "arcs", "stores", "source_routes", "supply")


def check_tables(res, tables, scenario):
    t = res.tables
    # ---- capacity never exceeded
    au = t["asset_use_monthly"]
    assert (au.flow_kt <= au.capacity_kt + TOL).all(), au[au.flow_kt > au.capacity_kt + TOL]
    assert (au.capacity_kt >= 0).all()
    am = t["allocation_monthly"]
    if not tables.get("stores"):  # a tank upstream of a route's last leg lets it load above its tightest asset for a while
        assert (am.volume_kt <= am.capacity_kt + TOL).all(), am[am.volume_kt > am.capacity_kt + TOL]
    # ---- no negative flows or shut-in
    fl = t["flows_monthly"]
    assert (fl.volume_kt >= 0).all()
    si = t["shut_in_monthly"]
    assert (si.shut_in_kt >= 0).all()
    # ---- every tonne accounted for: supply = production + shut-in, production = exported + stock change
    bp = t["balance_period"]
    assert (bp.supply_kt - bp.production_kt - bp.shut_in_kt).abs().max() <= TOL
    assert (bp.production_kt - bp.exported_kt - bp.stock_change_kt).abs().max() <= TOL
    bal = t["balance_monthly"]
    assert (bal.supply_kt - bal.exported_kt - bal.shut_in_kt - bal.stock_change_kt).abs().max() <= TOL
    assert bal.set_index("period").supply_kt.to_dict() == pytest.approx(si.groupby("period").supply_kt.sum().to_dict(), abs=TOL)
    # over each year the tanks end where they began: supply = exports + shut-in, per source
    yearly = fl.assign(year=fl.period.str[:4]).groupby(["year", "source"]).volume_kt.sum()
    for (y, s), grp in si.assign(year=si.period.str[:4]).groupby(["year", "source"]):
        assert grp.supply_kt.sum() == pytest.approx(float(yearly.get((y, s), 0.0)) + grp.shut_in_kt.sum(), abs=1e-5)
    # ---- store levels within their bounds, and at the opening level at each year's end
    sp = t["stores_period"]
    assert (sp.level_kt <= sp.capacity_kt + TOL).all() and (sp.level_kt >= sp.min_level_kt - TOL).all()
    opening = {k["store"]: k["opening_kt"] for k in tables.get("stores") or []}
    ap = t["allocation_period"]
    last = ap.groupby("year").period.last()
    for row in sp[sp.period.isin(set(last))].itertuples():
        assert row.level_kt == pytest.approx(opening[row.store], abs=TOL)
    # ---- without tanks, an asset carries exactly the flows of the routes over it
    if not tables.get("stores"):
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
    assert res.objective_musd == pytest.approx(fl_value.v.sum() - si.shut_in_kt.sum() * pen / 1000, rel=1e-9, abs=1e-6)
    # and the LP's optimum differs from it by the tie-break only: at most 2 × 0.001 $/t per tonne moved
    moved = t["arc_flows_monthly"].flow_kt.sum() + fl.volume_kt.sum() + 2 * sp.injection_kt.sum()
    assert -1e-9 * max(1.0, abs(res.objective_musd)) <= res.objective_musd - res.lp_objective_musd <= 2 * 0.001 * moved / 1000 + 1e-9  # float noise


N_NETWORKS = int(os.environ.get("N_NETWORKS", 40))


@settings(max_examples=N_NETWORKS)
@given(networks(), st.data())
def test_generated_networks(case, data):
    tables, scenario = case
    # the route removed in the third LP; a minimum on it would make that LP infeasible by
    # construction, so no case carries one (the other routes keep theirs)
    served = sorted({r["route"] for r in tables["source_routes"]})
    gone = data.draw(st.sampled_from(served), label="route removed")
    scenario = {
        **scenario,
        "route_limits": [{k: v for k, v in lim.items() if not (lim["route"] == gone and k == "min_mt")} for lim in scenario["route_limits"]],
    }
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_inputs(Path(tmp) / "in", tables, scenario)
        inputs = load_inputs(folder)

        # ---- 1. as generated
        base = run_loaded(inputs.copy())
        agree(base, solve_independent(folder), "as generated")
        if base is None:
            event("infeasible (both formulations agree)")
            return
        event("feasible")
        check_tables(base, tables, scenario)
        scale = max(1.0, abs(base.lp_objective_musd))

        # ---- 2. more capacity on one asset-year never lowers the optimum
        rows = [dict(r) for r in tables["asset_capacity"]]
        i = data.draw(st.integers(0, len(rows) - 1), label="asset_capacity row")
        rows[i]["capacity_mt"] = round(rows[i]["capacity_mt"] + data.draw(tenths(1, 40), label="extra Mt"), 1)
        more = inputs.copy()
        cap = more.tables["asset_capacity"]
        hit = (cap.asset == rows[i]["asset"]) & (cap.year == rows[i]["year"])
        assert hit.sum() == 1
        cap.loc[hit, "capacity_mt"] = rows[i]["capacity_mt"]
        bigger = run_loaded(more)
        assert bigger is not None, "a relaxation of a feasible LP is feasible"
        agree(bigger, independent_on(folder, {"asset_capacity": rows}, "more"), "more capacity")
        assert bigger.lp_objective_musd >= base.lp_objective_musd - REL * scale

        # ---- 2b. more room in a tank never lowers the optimum
        if tables["stores"]:
            roomier = inputs.copy()
            roomier.tables["stores"].loc[:, "capacity_kt"] += data.draw(st.integers(1, 300), label="extra kt")
            assert run_loaded(roomier).lp_objective_musd >= base.lp_objective_musd - REL * scale

        # ---- 3. removing a route never raises the optimum
        if len(served) < 2:
            event("one route served: nothing to remove")
            return
        kept = [r for r in tables["source_routes"] if r["route"] != gone]
        fewer = inputs.copy()
        sr = fewer.tables["source_routes"]
        fewer.tables["source_routes"] = sr[sr.route != gone]
        smaller = run_loaded(fewer)
        agree(smaller, independent_on(folder, {"source_routes": kept}, "fewer"), "route removed")
        if smaller is None:
            # only through a share limit on another route: with less exported in total, its minimum breaks the share
            event("route removed: infeasible (both agree)")
            return
        assert smaller.lp_objective_musd <= base.lp_objective_musd + REL * scale
        assert smaller.tables["allocation_annual"].query("route == @gone").volume_mt.abs().max() <= TOL
