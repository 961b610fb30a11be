"""The kernel's exact shortcuts (repeats, the scenario's vertex) give what a HiGHS re-solve of every case gives.

Reference: ``OilKernel.solve_all_rows``, which pushes every row's bounds and
always calls HiGHS from the scenario's optimal basis (no shortcut). The
shortcuts must change no number of an outcome, its binding constraints and
iteration count included (docs/model.md §4.2). Network: tests/builders.py
(pipe 20 Mt/yr carries cheap, ship 10 Mt/yr shared by dear and spare; supply
25 Mt/yr, so ship has 5 Mt/yr spare and pipe none).
"""

from __future__ import annotations

import numpy as np
import pytest
from builders import base_tables, set_rows

from energy_routes.load import load_inputs
from energy_routes.scenario import resolve
from energy_routes.sweep.kernel import CaseEvent, OilKernel


@pytest.fixture()
def kernel(make_inputs):
    t = base_tables()
    set_rows(t["supply"], {"source": "a"}, export_supply_mt=25)
    sc = resolve(load_inputs(make_inputs(t)), "case")
    return OilKernel(sc, targets=["pipe", "ship", "cheap", "dear"])


def _reference(k: OilKernel, rows, lower, upper):
    lo, up = k.base_lower.copy(), k.base_upper.copy()
    lo[rows], up[rows] = lower, upper
    return k.solve_all_rows(lo, up)


def _same(got, ref):
    assert got.status == ref.status
    if not ref.optimal:
        return
    assert got.objective_musd == pytest.approx(ref.objective_musd, rel=1e-10, abs=1e-9)
    np.testing.assert_allclose(got.shut_in_mt, ref.shut_in_mt, rtol=1e-10, atol=1e-9)
    np.testing.assert_allclose(got.route_mt, ref.route_mt, rtol=1e-10, atol=1e-9)
    np.testing.assert_allclose(got.revenue_by_year, ref.revenue_by_year, rtol=1e-10, atol=1e-9)
    assert [(lab, y) for lab, y, _ in got.binding] == [(lab, y) for lab, y, _ in ref.binding]
    np.testing.assert_allclose([v for *_, v in got.binding], [v for *_, v in ref.binding], rtol=1e-9, atol=1e-9)
    assert got.iterations == ref.iterations


def test_shortcuts_equal_solving_every_case(kernel):
    # ship derates leave room (5 Mt/yr spare: the scenario's vertex stays optimal), pipe cuts reroute (HiGHS
    # iterates); every case appears twice, and the second batch repeats cases of the first
    cases = []
    for target in ("ship", "pipe", "dear"):
        for rem in (0.0, 0.5, 0.9):
            for start, end in (("2023-02-01", "2023-02-10"), ("2023-03-05", "2023-05-20"), ("2023-07-01", "2023-07-31")):
                cases.append([CaseEvent(target, start, end, rem)])
    cases.append([CaseEvent("ship", "2023-06-01", "2023-06-30", 0.6), CaseEvent("pipe", "2023-06-10", "2023-06-12", 0.0)])
    cases.append([])
    batch1 = cases + cases[::-1]
    batch2 = cases[::3]
    got = kernel.solve_many(batch1) + kernel.solve_many(batch2)
    rows, lower, upper = kernel.bounds_many(batch1 + batch2)
    for c, g in enumerate(got):
        _same(g, _reference(kernel, rows, lower[c], upper[c]))
    n = len(batch1) + len(batch2)
    # every branch was taken: repeats (each case of the second half and the second batch), the vertex, HiGHS
    assert kernel.repeats >= len(cases) + len(batch2)
    assert kernel.shortcuts > 0
    assert kernel.shortcuts + kernel.repeats < n
    # a case that must move the vertex: pipe (full, 20 Mt/yr) out for September, so cheap's flow must go
    # to ship or be shut in
    k_before = kernel.shortcuts
    out = kernel.solve_events([CaseEvent("pipe", "2023-09-01", "2023-09-30", 0.0)])
    assert kernel.shortcuts == k_before and out.iterations > 0


def test_vertex_shortcut_matches_hand_values(kernel):
    """Ship at 60 % for all of March: capacity 10 Mt/yr × 31/365 × 0.6 = 0.5096 Mt, above the 5 Mt/yr × 31/365
    = 0.4247 Mt it carries in March, so the scenario's vertex stays optimal: nothing changes, no HiGHS call."""
    before = kernel.shortcuts
    out = kernel.solve_events([CaseEvent("ship", "2023-03-01", "2023-03-31", 0.6)])
    assert kernel.shortcuts == before + 1
    assert out.iterations == 0
    assert out.objective_musd == pytest.approx(kernel.baseline.objective_musd, rel=1e-12)
    np.testing.assert_allclose(out.route_mt, kernel.baseline.route_mt, rtol=1e-12)


def test_draw_events_draws_what_the_documented_process_draws():
    """draw_events inlines Generator.choice(remaining, p=probability); an independent reading of docs/model.md
    §4.5 with choice itself must give the very same events from the same (seed, draw) stream."""
    import pandas as pd

    from energy_routes.sweep.hazards import Hazard, draw_events

    hz = [Hazard("h", "pipe", 3.0, np.log(10), 0.5, 60, np.array([0.0, 0.3, 0.7]), np.array([0.2, 0.5, 0.3])),
          Hazard("g", "ship", 1.5, np.log(4), 0.8, 30, np.array([0.5, 0.9]), np.array([0.6, 0.4]))]
    w0, w1 = pd.Timestamp("2023-01-01"), pd.Timestamp("2023-12-31")
    seen = 0
    for draw in range(60):
        rng = np.random.default_rng([11, draw])
        want = []
        for h in hz:
            n = rng.poisson(h.rate * 365 / 365.25)
            if n == 0:
                continue
            start = np.datetime64("2023-01-01") + rng.integers(0, 365, size=n)
            days = np.maximum(1, np.rint(np.minimum(np.exp(h.mu + h.sigma * rng.standard_normal(n)), h.max_days))).astype(int)
            sev = rng.choice(h.remaining, size=n, p=h.probability)
            want += [CaseEvent(h.target, str(s), str(s + d - 1), float(r), 0) for s, d, r in zip(start, days, sev)]
        assert draw_events(hz, 11, draw, w0, w1) == want
        seen += len(want)
    assert seen > 100


def test_strongest_by_code_keeps_the_largest_magnitude_signed_the_first_of_a_tie_and_orders_by_magnitude():
    from energy_routes.sweep.kernel import strongest_by_code

    code = [0, 2, 0, 2, 0, 2, 3, 1]
    value = [1.5, -3.0, -2.0, 3.0, 2.0, 1.0, 2.0, -0.5]
    # code 0: |1.5|, |-2|, |2| -> the first of the two 2s, which is -2.0; code 1: -0.5 alone;
    # code 2: |-3|, |3|, |1| -> the first 3, which is -3.0; code 3: 2.0 alone.
    # Largest magnitude first: 3 (code 2), then 2 twice (codes 0 and 3, a tie: code order), then 0.5 (code 1)
    assert strongest_by_code(code, value) == [(2, -3.0), (0, -2.0), (3, 2.0), (1, -0.5)]
    assert strongest_by_code([], []) == []


def test_aggregate_is_the_three_sparse_products_to_the_bit(kernel):
    # _aggregate sums the entries of [G_year; G_shut; G_route] in CSR order from 0 with np.bincount; scipy's
    # product sums the same terms in the same order, so every value must agree bit for bit, for any x and econ
    rng = np.random.default_rng(7)
    k = kernel
    ny = len(k.years)
    for econ in (k._econ, rng.normal(size=k.lp.num_cols) * 100):
        for _ in range(20):
            x = rng.normal(size=k.lp.num_cols) * rng.choice([1e-3, 1.0, 1e4])
            want = np.concatenate([k._G_year @ (econ * x), k._G_shut @ x, k._G_route @ x])
            got = k._aggregate(x, econ)
            assert got.tobytes() == want.tobytes()
            assert len(got) == 2 * ny + len(k.route_year)


def test_float_array_keeps_every_bit():
    from energy_routes.solve import float_array

    values = [0.0, -0.0, 1.5, -2.25e-308, 5e-324, 1e308, float("inf"), -float("inf"), 0.1 + 0.2]
    assert float_array(values).tobytes() == np.asarray(values, dtype=float).tobytes()
    assert np.isnan(float_array([float("nan")])[0]) and len(float_array([])) == 0


def test_strongest_by_code_is_the_same_with_many_hits():
    """Above LOOP_HITS hits (a daily solve) the numpy path answers; on generated hits with many ties in code and in
    magnitude (values from a few levels, both signs) it equals the plain definition: per code the first value
    of largest magnitude, codes by magnitude, ties in code order."""
    from energy_routes.sweep.kernel import LOOP_HITS, strongest_by_code

    rng = np.random.default_rng(7)
    for n in (LOOP_HITS + 1, 5000):
        code = rng.integers(0, 40, n)
        value = rng.choice([-3.0, -2.0, -0.5, 0.5, 2.0, 3.0, 1.25], n)
        best: dict[int, float] = {}
        for c, v in zip(code.tolist(), value.tolist()):  # the definition, written out
            if c not in best or abs(v) > abs(best[c]):
                best[c] = v
        expected = sorted(best.items(), key=lambda cv: (-abs(cv[1]), cv[0]))
        assert strongest_by_code(code, value) == expected



def test_year_split_counts_only_the_touched_years_iterations(shipped_inputs):
    """A case of a two-year horizon re-solves only the year its events touch; its ``iterations`` (cases.csv)
    are that year's re-solve alone, the same as the one-year kernel of that year gives (docs/model.md §4.2:
    0 for a case the scenario's vertex still solves), not that plus the other year's cold solve."""
    from energy_routes.sweep.kernel import YearKernels, year_kernel

    sc = resolve(load_inputs(shipped_inputs), "outlook-2023-2030").for_years([2025, 2026])
    targets = ["cpc_terminal", "btc_pipeline"]
    split = YearKernels(sc, targets)
    assert all(k.baseline.iterations > 0 for k in split.parts)  # each year's cold solve iterates
    cut = [CaseEvent("cpc_terminal", "2026-03-01", "2026-03-20", 0.0)]  # CPC's crude must move: HiGHS iterates
    got_cut, got_none = split.solve_many([cut, []])
    alone = year_kernel(sc, 2026, targets).solve_events(cut)
    assert got_cut.iterations == alone.iterations > 0
    assert got_none.iterations == 0
    # the untouched year's numbers are still the baseline's
    assert got_cut.shut_in_mt[0] == split.parts[0].baseline.shut_in_mt[0]
    assert got_cut.objective_musd == pytest.approx(split.parts[0].baseline.objective_musd + alone.objective_musd, rel=1e-12)
