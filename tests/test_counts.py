"""Model size pinned by hand from docs/model.md (TEMOA-style): variables, constraints, nonzeros, objective.

Builder base case: S = {a, b}, R = {cheap, dear, spare}, oil assets {pipe, ship,
link, spur}, K = {(a,cheap), (a,dear), (a,spare), (b,cheap)}, T = 12 months of
2023, Y = {2023}.
"""

from __future__ import annotations

import pytest

from builders import base_tables, set_rows


def test_base_case_counts(run):
    res = run()
    # variables: x has |K| × |T| = 4 × 12 = 48 columns, z has |S| × |T| = 2 × 12 = 24  →  72
    # constraints:
    #   supply_balance  |S| × |T|                     = 2 × 12 = 24
    #   asset_capacity  every oil asset has a user    = 4 × 12 = 48
    #   route_capacity  no route tighter than its legs (no route events)      =  0
    #   route_limit     one row per served route and year, bounds 0 and +inf  = 3 × 1 = 3
    #   route_share, source_route_limit: none                                 =  0
    #   total 24 + 48 + 3 = 75
    # nonzeros:
    #   supply_balance: a has 3 x + z = 4, b has 1 x + z = 2  → 6 × 12 = 72
    #   asset_capacity: pipe 2 pairs, ship 2, link 1, spur 1  → 6 × 12 = 72
    #   route_limit:    cheap 2 pairs × 12 + dear 12 + spare 12 = 48
    #   total 192
    assert res.oil_size == {"variables": 72, "constraints": 75, "nonzeros": 192}
    assert res.oil.objective == pytest.approx(17075, rel=1e-12)


def test_counts_with_share_pair_cap_and_route_event(run):
    t = base_tables()
    set_rows(t["source_routes"], {"source": "a", "route": "cheap"}, max_mt=12)
    sc = {
        "route_shares": [{"route": "cheap", "max_share": 0.6}],
        "events": [{"id": "half", "target": "dear", "start": "2023-03-01", "end": "2023-03-31", "remaining": 0.5}],
    }
    res = run(t, sc)
    # + route_share[cheap, 2023]: 1 row over all 48 x columns of the year (cheap 1 − 0.6, others −0.6)
    # + source_route_limit[a, cheap, 2023]: 1 row over 12 columns
    # + route_capacity[dear, 2023-03]: dear at half the ship is tighter than ship and link: 1 row, 1 column (a,dear)
    assert res.oil_size == {"variables": 72, "constraints": 78, "nonzeros": 192 + 48 + 12 + 1}
    # by hand: cheap capped at 12 Mt (the share would allow 0.6 × (cheap + 10) → 15 Mt);
    # the ship stays full: in March dear takes half of it, spare (530 $/t) the other half
    half_march_ship = 0.5 * 31 * 10000 / 365
    expected = 12000 * 0.59 + (10000 - half_march_ship) * 0.56 + half_march_ship * 0.53 - 14500 * 0.05
    assert res.oil.objective == pytest.approx(expected, rel=1e-9)


def test_counts_with_an_unserved_route(run):
    t = base_tables()
    t["source_routes"] = [r for r in t["source_routes"] if r["route"] != "spare"]
    res = run(t)
    # x: 3 pairs × 12 = 36, z: 24  → 60 variables
    # supply_balance 24; asset_capacity: pipe, ship, link (spur has no user, no row) 3 × 12 = 36;
    # route_limit: cheap and dear only = 2  → 62 rows
    # nonzeros: supply (a: 2 x + z, b: 1 x + z) 5 × 12 = 60; assets (pipe 2, ship 1, link 1) 4 × 12 = 48;
    # route_limit cheap 24 + dear 12 = 36  → 144
    assert res.oil_size == {"variables": 60, "constraints": 62, "nonzeros": 144}
    assert res.oil.objective == pytest.approx(17075, rel=1e-12)


def test_counts_over_two_calendar_years(run):
    from builders import two_year_tables

    res = run(two_year_tables(), {"horizon": {"start": "2023-07", "end": "2024-06"}})
    # still 12 months, but two years: route_limit has 3 × 2 = 6 rows; nonzeros unchanged (each x in one year)
    assert res.oil_size == {"variables": 72, "constraints": 24 + 48 + 6, "nonzeros": 192}
    # the objective scales with the share of each year covered (184/365 of 2023, 182/366 of 2024)
    assert res.oil.objective == pytest.approx(17075 * (184 / 365 + 182 / 366), rel=1e-9)
