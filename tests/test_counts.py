"""Model size pinned by hand from docs/model.md (TEMOA-style): variables, constraints, nonzeros, objective.

Builder base case: S = {a, b}, R = {cheap, dear, spare}, oil assets {pipe, ship,
link, spur}, K = {(a,cheap), (a,dear), (a,spare), (b,cheap)}, T = 12 months of
2023, Y = {2023}. The builder turns route legs into a network (tests/builders.py
``legs_network``): hubs cheap_in; dear_in, dear_1; spare_in, spare_1; arcs
a→cheap_in, b→cheap_in, cheap_in→cheap (pipe); a→dear_in, dear_in→dear_1
(ship), dear_1→dear (link); a→spare_in, spare_in→spare_1 (ship), spare_1→spare
(spur). So F (source, arc) has a: 8 arcs, b: 2 (b→cheap_in, the pipe); the
balances B have a: 8 nodes (the 5 hubs and 3 outlets), b: 2 (cheap_in, cheap).
"""

from __future__ import annotations

import pytest

from builders import base_tables, set_rows


def test_base_case_counts(run):
    res = run()
    # variables per month: x |K| = 4, f |F| = 10, z |S| = 2 (no stores)  → 16 × 12 = 192
    # constraints per month:
    #   supply_balance |S| = 2, node_balance |B| = 10, asset_capacity 4 (every oil asset carries a flow),
    #   route_capacity 3 (a row for every served route, +inf without route events)  → 19 × 12 = 228
    #   route_limit    one row per served route and year, bounds 0 and +inf        → 3
    #   route_share, source_route_limit, stores, ramp_up: none                     → 0;  total 231
    # nonzeros per month:
    #   supply_balance: a has 3 arcs out + z = 4, b has 1 + z = 2                  →  6
    #   node_balance:   every balance row has one arc in and one arc (or x) out     → 10 × 2 = 20
    #   asset_capacity: pipe 2 (a and b on cheap_in→cheap), ship 2, link 1, spur 1 →  6
    #   route_capacity: cheap 2 pairs, dear 1, spare 1                              →  4
    #   → 36 × 12 = 432;  route_limit: cheap 2 pairs × 12 + dear 12 + spare 12 = 48;  total 480
    # displaced crude (docs/model.md §1; free rows without events, but rows of the LP a case re-solves):
    #   variables s[r,t] for the 3 served routes + credit[t] → 4 × 12 = 48
    #   rows displaced_route 3, displaced_start 1, displaced 1, displaced_end 1 → 6 × 12 = 72
    #   nonzeros per month: displaced_route s + x (cheap 2 pairs, dear 1, spare 1) = 3 + 4 = 7, displaced_start
    #   credit + 3 s = 4, displaced credit + previous credit + 3 s = 5 (4 in January), displaced_end 1
    #   → 17 × 12 − 1 = 203
    assert res.oil_size == {"variables": 192 + 48, "constraints": 231 + 72, "nonzeros": 480 + 203}
    assert res.objective_musd == pytest.approx(17075, rel=1e-12)


def test_counts_with_share_pair_cap_and_route_event(run):
    t = base_tables()
    set_rows(t["source_routes"], {"source": "a", "route": "cheap"}, max_mt=12)
    sc = {
        "route_shares": [{"route": "cheap", "max_share": 0.6}],
        "events": [{"id": "half", "target": "dear", "start": "2023-03-01", "end": "2023-03-31", "remaining": 0.5}],
    }
    res = run(t, sc)
    # + route_share[cheap, 2023]: 1 row over all 48 x columns of the year (cheap 1 − 0.6, others −0.6)
    # + source_route_limit[a, cheap, t]: the shipper's allocation is monthly, 12 rows of 1 column each
    # the route event on dear only gives the existing route_capacity[dear, 2023-03] row a bound
    # (displaced crude as in the base case: + 48 variables, 72 rows, 203 nonzeros)
    assert res.oil_size == {"variables": 192 + 48, "constraints": 231 + 1 + 12 + 72, "nonzeros": 480 + 48 + 12 + 203}
    # by hand: cheap capped at 12 Mt (the share would allow 0.6 × (cheap + 10) → 15 Mt);
    # the ship stays full: in March dear takes half of it, spare (530 $/t) the other half
    half_march_ship = 0.5 * 31 * 10000 / 365
    expected = 12000 * 0.59 + (10000 - half_march_ship) * 0.56 + half_march_ship * 0.53 - 14500 * 0.05
    assert res.objective_musd == pytest.approx(expected, rel=1e-9)


def test_counts_with_an_unserved_route(run):
    t = base_tables()
    t["source_routes"] = [r for r in t["source_routes"] if r["route"] != "spare"]
    res = run(t)
    # per month: x 3 pairs, f 7 (a: a→cheap_in, pipe, a→dear_in, ship, link; b: b→cheap_in, pipe), z 2  → 12 × 12 = 144
    # rows per month: supply 2, node_balance 7 (a: 5, b: 2), asset_capacity 3 (spur carries nothing),
    #   route_capacity 2 (cheap, dear)  → 14 × 12 = 168; route_limit: cheap and dear = 2  → 170
    # nonzeros per month: supply (a: 2 arcs + z, b: 1 + z) 5; node_balance 7 × 2 = 14; assets (pipe 2, ship 1,
    #   link 1) 4; route_capacity (cheap 2, dear 1) 3  → 26 × 12 = 312; route_limit cheap 24 + dear 12 = 36  → 348
    # displaced crude for the 2 served routes: s 2 + credit 1 = 3 × 12 = 36 variables; rows 2 + 1 + 1 + 1 = 5 × 12 = 60;
    #   nonzeros per month: displaced_route s + x (cheap 2, dear 1) = 2 + 3 = 5, displaced_start credit + 2 s = 3,
    #   displaced credit + previous + 2 s = 4 (3 in January), displaced_end 1 → 13 × 12 − 1 = 155
    assert res.oil_size == {"variables": 144 + 36, "constraints": 170 + 60, "nonzeros": 348 + 155}
    assert res.objective_musd == pytest.approx(17075, rel=1e-12)


def test_counts_over_two_calendar_years(run):
    from builders import two_year_tables

    res = run(two_year_tables(), {"horizon": {"start": "2023-07", "end": "2024-06"}})
    # still 12 months, but two years: route_limit has 3 × 2 = 6 rows; nonzeros unchanged (each x in one year);
    # displaced crude as in the base case, but two year-first periods (July 2023, January 2024) whose displaced row
    # has no previous credit: 204 − 2 = 202 nonzeros
    assert res.oil_size == {"variables": 192 + 48, "constraints": 228 + 6 + 72, "nonzeros": 480 + 202}
    # the objective scales with the share of each year covered (184/365 of 2023, 182/366 of 2024)
    assert res.objective_musd == pytest.approx(17075 * (184 / 365 + 182 / 366), rel=1e-9)


def test_counts_with_schedules_and_acceptance(run):
    """Issue 12: schedules on dear and spare, one acceptor covering dear only, units with identity on pipe."""
    import calendar

    t = base_tables()
    t["schedules"] = [{"route": r, "year": 2023, "month": m, "schedule_kt": calendar.monthrange(2023, m)[1]} for r in ("dear", "spare") for m in range(1, 13)]
    t["acceptance"] = [{"acceptor": "acc", "name": "Acc", "routes": "dear", "extra_kt_per_month": 155, "lead_time_days": 10, "premium_usd_per_t": 5, "description": ""}]
    set_rows(t["assets"], {"asset": "pipe"}, units=2, max_active_units=1)
    t["asset_units"] = [{"asset": "pipe", "unit": f"u{i}", "name": f"U{i}", "rate_mt": 20, "rate_low_mt": 20, "rate_high_mt": 20, "description": ""} for i in (1, 2)]
    res = run(t)
    # base case 192 variables, 231 constraints, 480 nonzeros (above), plus
    #   e[r,t] for the scheduled routes dear, spare: 2 × 12 = 24 variables (spare's bounded to 0: no acceptor)
    #   route_schedule[r,t]: 2 × 12 = 24 rows; nonzeros x (one pair each: (a,dear), (a,spare)) and −e: 2 × 24 = 48
    #   acceptance[acc,t]: 12 rows, one e (dear) each: 12 nonzeros
    #   units with identity change capacities only, not the size
    #   displaced crude: 48 variables and 72 rows as in the base case; nonzeros per month displaced_route s 3 + x 4
    #   + e 2 = 9, displaced_start credit + 3 s + 2 e = 6, displaced credit + previous + 3 s + 2 e = 7 (6 in January),
    #   displaced_end 1 → 23 × 12 − 1 = 275
    assert res.oil_size == {"variables": 192 + 24 + 48, "constraints": 231 + 24 + 12 + 72, "nonzeros": 480 + 48 + 12 + 275}
    # no event: no extra acceptance, and dear/spare at most 1 kt/day while cheap (pipe 20 Mt/yr = 54.8 kt/d)
    # takes 20 Mt: the rest of a's 36.5 Mt goes dear 0.365 Mt (560 $/t), spare 0.365 Mt (530 $/t), and the
    # remaining 36.5 − 20 − 0.73 = 15.77 Mt is shut in (−50 $/t):
    expected = 20000 * 0.59 + 365 * 0.56 + 365 * 0.53 - 15770 * 0.05
    assert res.objective_musd == pytest.approx(expected, rel=1e-9)
