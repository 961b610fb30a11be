"""The hedge command: hand-solved two-stage cases, brute force over a grid, invariants, bad input.

The builder network (tests/builders.py): every route sells at 600 $/t; ``cheap``
(tariff 10, asset ``pipe``), ``dear`` (40, ``ship`` then ``link``), ``spare``
(70, ``ship`` then ``spur``); the shut-in penalty is 50 $/t, so a tonne that
cannot leave is worth −50 $/t and one sent via cheap +590 $/t (1 Mt = 1 M$ per $/t).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from builders import base_tables, set_rows, write_inputs
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from pytest import approx

from energy_routes.cli import main
from energy_routes.hedge.blocks import make_blocks, make_part
from energy_routes.hedge.draws import Draw, make_draws
from energy_routes.hedge.evaluate import ef_economic, evaluate
from energy_routes.hedge.extensive import ExtensiveForm, solve_states
from energy_routes.hedge.levers import Lever
from energy_routes.load import load_inputs
from energy_routes.scenario import resolve
from energy_routes.sweep.kernel import CaseEvent, OilKernel

HAZARDS = "hazard,target,events_per_year,duration_median_days,duration_p90_days,duration_max_days\npipe_fail,pipe,3,20,60,90\n"
SEVERITY = "hazard,remaining,probability\npipe_fail,0,0.5\npipe_fail,0.5,0.5\n"
LEVERS = (
    "lever,kind,target,unit,min,max,onoff,cost,cost_unit,description\n"
    "pipe_plus,asset,pipe,Mt/yr,0,10,no,20,musd_per_yr_per_mt_yr,bigger pipe\n"
    "ship_plus,asset,ship,Mt/yr,0,10,no,300,musd_per_yr_per_mt_yr,bigger ship\n"
)


def _scenario(folder: Path):
    return resolve(load_inputs(folder), "case", [])


def _solve(sc, levers, draws, cvar=None):
    part = make_part(sc, sorted({e.target for d in draws for e in d.events}), levers)
    blocks = make_blocks([part], draws)
    v_ref = np.full(len(draws), part.kernel.baseline.objective_musd)
    best, states = solve_states(ExtensiveForm([part], blocks, levers, cvar=cvar, v_ref_musd=v_ref))
    return part, blocks, v_ref, best, states


# ----------------------------------------------------------------------------- newsvendor


@pytest.fixture()
def newsvendor(tmp_path):
    """One capacity to buy (pipe, none today; ship closed), supply of a 36.5 Mt/yr or, in draw 1, half of it.

    Draw k's value with q Mt/yr of pipe: 590 min(q, S_k) − 50 (S_k − min(q, S_k)) = 640 min(q, S_k) − 50 S_k,
    S_0 = 36.5, S_1 = 18.25, each with probability 1/2; a unit of q costs c M$/yr.
    """
    t = base_tables()
    set_rows(t["asset_capacity"], {"asset": "pipe"}, capacity_mt=0)
    set_rows(t["asset_capacity"], {"asset": "ship"}, capacity_mt=0)
    sc = _scenario(write_inputs(tmp_path / "nv", t))
    draws = [Draw(0, 2023, ()), Draw(1, 2023, (CaseEvent("a", "2023-01-01", "2023-12-31", 0.5),))]
    return sc, draws


@pytest.mark.parametrize(
    "cost, q, value",
    [
        # E[V]' = 640 P(S > q) − c: 640 − c below 18.25, 320 − c between 18.25 and 36.5, −c above
        # c = 400: q* = 18.25; E = ½(640·18.25 − 1825) + ½(640·18.25 − 912.5) − 400·18.25 = ½·9855 + ½·10767.5 − 7300 = 3011.25
        (400.0, 18.25, 3011.25),
        # c = 200: q* = 36.5; E = ½(640·36.5 − 1825) + ½(11680 − 912.5) − 200·36.5 = ½·21535 + ½·10767.5 − 7300 = 8851.25
        (200.0, 36.5, 8851.25),
        # c = 700 > 640: buy nothing; E = ½(−1825) + ½(−912.5) = −1368.75
        (700.0, 0.0, -1368.75),
    ],
)
def test_newsvendor_closed_form(newsvendor, cost, q, value):
    sc, draws = newsvendor
    levers = [Lever("pipe_plus", "asset", "pipe", "Mt/yr", 0, 50, False, cost)]
    part, blocks, v_ref, best, _ = _solve(sc, levers, draws)
    assert best.levels[0] == approx(q, abs=1e-6)
    assert ef_economic(best, [part], blocks, levers, v_ref, None) == approx(value, rel=1e-9, abs=1e-6)
    # the fixed portfolio re-solved draw by draw (risk's kernel path) gives the same value
    ev = evaluate([part], blocks, levers, best.levels)
    assert float(ev.result_musd.mean()) == approx(value, rel=1e-9, abs=1e-6)


def test_marginal_value_is_the_reduced_cost_of_the_lever(newsvendor):
    """Capped at 10 Mt/yr (< 18.25, so every tonne of pipe replaces shut-in in both draws):
    the lever sits at its maximum and one more Mt/yr would earn 590 + 50 = 640 M$/yr for 400 of cost."""
    sc, draws = newsvendor
    levers = [Lever("pipe_plus", "asset", "pipe", "Mt/yr", 0, 10, False, 400.0)]
    _, _, _, best, _ = _solve(sc, levers, draws)
    assert best.levels[0] == approx(10.0)
    assert best.marginal_musd[0] == approx(640.0 - 400.0, rel=1e-4)  # the tie-break shaves ~0.002 $/t


def test_newsvendor_cvar_closed_form(newsvendor):
    """max E[R] − λ CVaR_0.5(V_ref − R), two equally likely draws: CVaR_0.5 is the larger loss.

    c = 400: R_0 = 240 q − 1825 (q ≤ 36.5), R_1 = 640 min(q, 18.25) − 912.5 − 400 q; the worse draw is
    draw 0 while R_0 < R_1, i.e. until 240 q − 1825 = 10767.5 − 400 q, q = 12592.5/640 = 19.67578125.
    Slope of the objective between 18.25 and that point: mean −80 plus λ·240 > 0 for λ = 0.5; after it
    −80 − 400 λ < 0. So q* = 19.67578125 (the risk-neutral choice is 18.25).
    R_0 = R_1 = 240·19.67578125 − 1825 = 2897.1875; V_ref = −1825 (no pipe: everything shut in);
    objective = 2897.1875 − 0.5 (−1825 − 2897.1875) = 5258.28125.
    """
    sc, draws = newsvendor
    levers = [Lever("pipe_plus", "asset", "pipe", "Mt/yr", 0, 50, False, 400.0)]
    part, blocks, v_ref, best, _ = _solve(sc, levers, draws, cvar=(0.5, 0.5))
    assert v_ref[0] == approx(-1825.0)
    assert best.levels[0] == approx(12592.5 / 640, abs=1e-6)
    assert ef_economic(best, [part], blocks, levers, v_ref, (0.5, 0.5)) == approx(5258.28125, rel=1e-9)
    # the LP's own objective (with the tie-break, a few thousandths of a $/t) is within 1e-4 of it
    assert best.objective_musd == approx(5258.28125, rel=1e-4)
    assert best.eta_musd == approx(-1825.0 - 2897.1875, rel=1e-6)  # η sits at the VaR: here both losses


def test_newsvendor_evpi_and_vss_under_cvar(newsvendor):
    """The same case (c = 400, α = 0.5, λ = 0.5, V_ref = −1825 in both draws), RP = 5258.28125 (above).

    WS: each draw buys its own supply: R_0 = 240·36.5 − 1825 = 6935, R_1 = 640·18.25 − 912.5 − 400·18.25 = 3467.5;
    losses −8760 and −5292.5, CVaR_0.5 = −5292.5; WS = 5201.25 + 0.5·5292.5 = 7847.5; EVPI = 2589.21875.
    EV: mean supply 27.375, so ū = 27.375: R_0 = 240·27.375 − 1825 = 4745, R_1 = 11680 − 912.5 − 10950 = −182.5;
    losses −6570 and −1642.5, CVaR = −1642.5; EEV = 2281.25 + 0.5·1642.5 = 3102.5; VSS = 2155.78125.
    """
    from energy_routes.hedge.evaluate import evpi_vss

    sc, draws = newsvendor
    levers = [Lever("pipe_plus", "asset", "pipe", "Mt/yr", 0, 50, False, 400.0)]
    part, blocks, v_ref, best, _ = _solve(sc, levers, draws, cvar=(0.5, 0.5))
    rp = ef_economic(best, [part], blocks, levers, v_ref, (0.5, 0.5))
    m = evpi_vss([part], blocks, levers, v_ref, (0.5, 0.5), rp)
    assert m["ev_levels"][0] == approx(27.375, abs=1e-6)
    assert m["eev_musd_per_yr"] == approx(3102.5, rel=1e-9)
    assert m["vss_musd_per_yr"] == approx(2155.78125, rel=1e-9)
    assert m["ws_musd_per_yr"] == approx(7847.5, rel=1e-9)
    assert m["evpi_musd_per_yr"] == approx(2589.21875, rel=1e-9)
    # risk neutral on the same case: WS = (6935 + 3467.5)/2 = 5201.25, RP = 3011.25, EVPI = 2190
    m0 = evpi_vss([part], blocks, levers, v_ref, None, 3011.25)
    assert m0["evpi_musd_per_yr"] == approx(2190.0, rel=1e-9)


@pytest.fixture(scope="module")
def newsvendor_part(tmp_path_factory):
    """The newsvendor's compiled year LP and lever, built once (a draw changes only bounds, a cost only the objective)."""
    t = base_tables()
    set_rows(t["asset_capacity"], {"asset": "pipe"}, capacity_mt=0)
    set_rows(t["asset_capacity"], {"asset": "ship"}, capacity_mt=0)
    sc = _scenario(write_inputs(tmp_path_factory.mktemp("nvh"), t))
    return make_part(sc, ["a"], [Lever("pipe_plus", "asset", "pipe", "Mt/yr", 0, 50, False, 0.0)])


@settings(max_examples=6, deadline=None)
@given(
    remaining=st.lists(st.sampled_from([0.1, 0.25, 0.5, 0.75, 1.0]), min_size=2, max_size=3),
    cost=st.floats(10, 700).filter(lambda c: all(abs(c - k) > 5 for k in (640 / 3, 320, 640 * 2 / 3, 640))),
)
def test_newsvendor_critical_fractile_and_measures(newsvendor_part, remaining, cost):
    """Whole-year supply cuts S_k = 36.5 r_k, equally likely: E[V]'(q) = 640 P(S > q) − c, so q* is the smallest
    S_k with 640 P(S > S_k) < c (0 if 640 < c). EVPI ≥ 0 and VSS ≥ 0 on every case."""
    from energy_routes.hedge.blocks import mean_blocks
    from energy_routes.hedge.evaluate import objective, wait_and_see

    part = newsvendor_part
    levers = [Lever("pipe_plus", "asset", "pipe", "Mt/yr", 0, 50, False, cost)]
    draws = [Draw(k, 2023, () if r == 1.0 else (CaseEvent("a", "2023-01-01", "2023-12-31", r),)) for k, r in enumerate(remaining)]
    blocks = make_blocks([part], draws)
    S = np.array([36.5 * r for r in remaining])
    cands = [0.0, *sorted(set(S))]
    expect = next(q for q in cands if 640 * np.mean(S > q) < cost) if 640 * np.mean(S > 0) >= cost else 0.0
    best, _ = solve_states(ExtensiveForm([part], blocks, levers))
    assert best.levels[0] == approx(expect, abs=1e-6)
    v_ref = np.full(len(draws), part.kernel.baseline.objective_musd)
    rp = ef_economic(best, [part], blocks, levers, v_ref, None)
    hand = float(np.mean(640 * np.minimum(expect, S) - 50 * S)) - cost * expect
    assert rp == approx(hand, rel=1e-9, abs=1e-6)
    ws = wait_and_see([part], blocks, levers)
    assert ws >= rp - 1e-6 * abs(rp)
    ev, _ = solve_states(ExtensiveForm([part], mean_blocks(blocks), levers))
    eev = evaluate([part], blocks, levers, ev.levels)
    assert rp >= objective(eev.result_musd, eev.weights, v_ref, None) - 1e-6 * abs(rp)


@pytest.mark.parametrize(
    "fixed_cost, on",
    [
        # on (q = 20): ½(640·20 − 1825) + ½(640·18.25 − 912.5) = ½·10975 + ½·10767.5 = 10871.25, less F;
        # off: −1368.75. On iff F < 12240.
        (5000.0, True),
        (13000.0, False),
    ],
)
def test_onoff_lever_enumerated(newsvendor, fixed_cost, on):
    sc, draws = newsvendor
    levers = [Lever("pipe_on", "asset", "pipe", "Mt/yr", 0, 20, True, fixed_cost)]
    part, blocks, v_ref, best, states = _solve(sc, levers, draws)
    assert len(states) == 2
    assert best.levels[0] == approx(20.0 if on else 0.0)
    value = 10871.25 - fixed_cost if on else -1368.75
    assert ef_economic(best, [part], blocks, levers, v_ref, None) == approx(value, rel=1e-9)


def test_route_cap_and_source_route_levers(tmp_path):
    """A cap of 10 Mt/yr on cheap (lever: +0..10 at 100 M$/yr per Mt/yr) and a closed a→spare link
    (on/off lever: 5 Mt/yr for 1000 M$/yr); link caps dear at 5, so the ship has 5 Mt/yr left for spare.
    Without levers: cheap 10 + dear 5, shut-in 21.5. With both: cheap 20, dear 5, spare 5, shut-in 6.5:
    590·20 + 560·5 + 530·5 − 50·6.5 − 100·10 − 1000 = 11800 + 2800 + 2650 − 325 − 2000 = 14925
    (each cheap Mt/yr earns 640 for 100; spare earns 5·(530 + 50) = 2900 for 1000)."""
    t = base_tables()
    set_rows(t["asset_capacity"], {"asset": "link"}, capacity_mt=5)
    set_rows(t["source_routes"], {"source": "a", "route": "spare"}, max_mt=0)
    sc = _scenario(write_inputs(tmp_path / "rc", t, {"route_limits": [{"route": "cheap", "max_mt": 10}]}))
    levers = [Lever("cheap_cap", "route_limit", "cheap", "Mt/yr", 0, 10, False, 100.0), Lever("spare_open", "source_route", "a:spare", "Mt/yr", 0, 5, True, 1000.0)]
    draws = [Draw(0, 2023, ()), Draw(1, 2023, ())]
    part, blocks, v_ref, best, states = _solve(sc, levers, draws)
    assert v_ref[0] == approx(590 * 10 + 560 * 5 - 50 * 21.5)
    assert best.levels == approx([10.0, 5.0], abs=1e-6)
    assert ef_economic(best, [part], blocks, levers, v_ref, None) == approx(14925.0, rel=1e-9)
    assert len(states) == 2


# ----------------------------------------------------------------------------- brute force over a grid


def test_extensive_form_equals_brute_force_over_a_grid(tmp_path):
    """Two capacity levers; every grid point solved independently (inputs rewritten, a fresh kernel per point).

    Supply 36.5 Mt/yr; pipe 20 (+u1), ship 10 (+u2); draw 1 loses the pipe for Jan–Jun. The value is
    piecewise linear with its only kink inside the box on u1 + u2 = 6.5 (capacity = supply while the
    pipe runs), so its maximum is at a vertex in {0, 6.5, 10}²: the grid holds the optimum.
    """
    t = base_tables()
    folder = write_inputs(tmp_path / "g", t)
    sc = _scenario(folder)
    costs = (100.0, 300.0)
    levers = [Lever("pipe_plus", "asset", "pipe", "Mt/yr", 0, 10, False, costs[0]), Lever("ship_plus", "asset", "ship", "Mt/yr", 0, 10, False, costs[1])]
    draws = [Draw(0, 2023, ()), Draw(1, 2023, (CaseEvent("pipe", "2023-01-01", "2023-06-30", 0.0),))]
    part, blocks, v_ref, best, _ = _solve(sc, levers, draws)
    ef_value = ef_economic(best, [part], blocks, levers, v_ref, None)

    grid = (0.0, 6.5, 10.0)
    brute = {}
    inputs = load_inputs(folder)
    for u1 in grid:
        for u2 in grid:
            inp = inputs.copy()  # the capacity table edited directly, resolved afresh, a new kernel per point
            ac = inp.tables["asset_capacity"]
            ac.loc[ac["asset"] == "pipe", "capacity_mt"] = 20 + u1
            ac.loc[ac["asset"] == "ship", "capacity_mt"] = 10 + u2
            k = OilKernel(resolve(inp, "case", []), ["pipe"])
            vals = [k.solve_events(list(d.events)).objective_musd for d in draws]
            brute[(u1, u2)] = float(np.mean(vals)) - costs[0] * u1 - costs[1] * u2
    arg = max(brute, key=brute.get)
    assert arg == (6.5, 0.0)
    assert best.levels == approx(np.array(arg), abs=1e-6)
    assert ef_value == approx(brute[arg], rel=1e-6)
    # the L-shaped method finds the same optimum
    from energy_routes.hedge.lshaped import solve_states_lshaped

    ls, _ = solve_states_lshaped([part], blocks, levers)
    assert ls.levels == approx(best.levels, abs=1e-6)
    assert ls.objective_musd == approx(best.objective_musd, rel=1e-9)
    # and with the levers fixed at any grid point, the extensive form equals the independent solve
    ef = ExtensiveForm([part], blocks, levers)
    for (u1, u2), v in brute.items():
        r = ef.solve({0: u1, 1: u2})
        assert ef_economic(r, [part], blocks, levers, v_ref, None) == approx(v, rel=1e-6), (u1, u2)


# ----------------------------------------------------------------------------- invariants


def write_hazard_inputs(folder, levers: str = LEVERS):
    """The builder network at 30 Mt/yr of supply with the hazard model and the lever table of this file."""
    t = base_tables()
    set_rows(t["supply"], {"source": "a"}, export_supply_mt=30)
    folder = write_inputs(folder, t)
    (folder / "hazards.csv").write_text(HAZARDS)
    (folder / "hazard_severity.csv").write_text(SEVERITY)
    (folder / "hedge_levers.csv").write_text(levers)
    return folder


@pytest.fixture()
def hazard_inputs(tmp_path):
    return write_hazard_inputs(tmp_path / "hz")


def test_more_draws_never_change_the_first_blocks(hazard_inputs):
    from energy_routes.sweep.hazards import load_hazards

    sc = _scenario(hazard_inputs)
    hz, _ = load_hazards(hazard_inputs, {"pipe", "ship", "link", "spur", "cheap", "dear", "spare", "a", "b"})
    levers = [Lever("pipe_plus", "asset", "pipe", "Mt/yr", 0, 10, False, 20.0)]
    part = make_part(sc, ["pipe"], levers)
    few = make_blocks([part], make_draws(sc, hz, 7, 0, 3))
    many = make_blocks([part], make_draws(sc, hz, 7, 0, 6))
    assert any(b.n_events for b in few)
    for a, b in zip(few, many[:3]):
        assert a.draw == b.draw and a.n_events == b.n_events
        np.testing.assert_array_equal(a.upper, b.upper)
        np.testing.assert_array_equal(a.G, b.G)


def test_risk_draws_are_the_hedge_draws(hazard_inputs):
    """Draw k of hedge has the events risk's draw k has (same seed): common random numbers."""
    from energy_routes.sweep.hazards import load_hazards
    from energy_routes.sweep.risk import events_for_draw

    sc = _scenario(hazard_inputs)
    hz, _ = load_hazards(hazard_inputs, {"pipe"})
    start, end = sc.months[0].start_time, sc.months[-1].end_time.normalize()
    for d in make_draws(sc, hz, 11, 0, 5):
        assert list(d.events) == events_for_draw(hz, 11, d.draw, 2023, start, end)


def test_lshaped_equals_extensive_form_on_hazard_draws(hazard_inputs):
    from energy_routes.hedge.api import Request, setup
    from energy_routes.hedge.lshaped import solve_states_lshaped

    (hazard_inputs / "hedge_levers.csv").write_text(LEVERS.replace(",300,musd", ",100,musd"))  # the ship pays in some draws
    pb = setup(Request("case", hazard_inputs, draws=12, seed=5))
    ef, _ = solve_states(ExtensiveForm(pb.parts, pb.blocks, pb.levers))
    ls, _ = solve_states_lshaped(pb.parts, pb.blocks, pb.levers)
    assert ls.status == "Optimal"
    assert ls.objective_musd == approx(ef.objective_musd, rel=1e-9)
    assert ls.levels == approx(ef.levels, abs=1e-5)


@pytest.mark.parametrize("seed", [3])
def test_evpi_vss_nonnegative_and_free_lever_never_worse(hazard_inputs, tmp_path, seed):
    import pandas as pd

    from energy_routes.hedge.api import Request, run

    out = run(Request("case", hazard_inputs, draws=6, seed=seed, out=tmp_path / f"h{seed}", oos_draws=3))
    s = pd.read_csv(out / "hedge_summary.csv").iloc[0]
    assert s["evpi_musd_per_yr"] >= -1e-6 * abs(s["objective_musd_per_yr"])
    assert s["vss_musd_per_yr"] >= -1e-6 * abs(s["objective_musd_per_yr"])
    # a free lever is never worse than not having it (the pipe costs nothing; the ship is fixed at 0 in both)
    from energy_routes.hedge.api import setup

    free = tmp_path / "free.csv"
    free.write_text(LEVERS.replace(",20,musd", ",0,musd"))
    pb = setup(Request("case", hazard_inputs, draws=6, seed=seed, levers_file=free))
    ef = ExtensiveForm(pb.parts, pb.blocks, pb.levers)
    with_it, without = ef.solve({1: 0.0}), ef.solve({0: 0.0, 1: 0.0})
    assert with_it.objective_musd >= without.objective_musd - 1e-9 * abs(without.objective_musd)
    # the chosen portfolio is at least as good as none on the draws it was chosen on (none is feasible)
    assert s["expected_result_musd_per_yr"] >= s["no_levers_expected_result_musd_per_yr"] - 1e-6 * abs(s["objective_musd_per_yr"])


# ----------------------------------------------------------------------------- CLI and bad input


def test_cli_writes_a_hedge_folder(hazard_inputs, tmp_path):
    import pandas as pd

    out = tmp_path / "cli"
    r = CliRunner().invoke(main, ["hedge", "case", "--inputs", str(hazard_inputs), "--draws", "6", "--cvar", "0.5:0.2", "--frontier", "--frontier-alpha", "0.8", "--oos-draws", "3", "--no-evpi", "--out", str(out)])
    assert r.exit_code == 0, r.output
    for name in ("hedge_levers.csv", "hedge_summary.csv", "hedge_draws.csv", "hedge_frontier.csv", "hedge_frontier.png", "tables.xlsx", "report.html", "manifest.json"):
        assert (out / name).exists(), name
    import openpyxl

    wb = openpyxl.load_workbook(out / "tables.xlsx", read_only=True)
    assert {"Hedge", "Hedge levers", "Hedge draws", "Hedge frontier"} <= set(wb.sheetnames)
    levels = [row[7] for row in wb["Hedge levers"].iter_rows(min_row=2, values_only=True)]
    csv_levels = pd.read_csv(out / "hedge_levers.csv")["level"].tolist()
    assert levels == approx(csv_levels)
    man = json.loads((out / "manifest.json").read_text())
    assert man["kind"] == "hedge" and man["request"]["draws"] == 6
    assert "hedge_levers.csv" in man["input_sha256"]

    fr = pd.read_csv(out / "hedge_frontier.csv")
    # more weight on CVaR never raises the expected result nor the CVaR (the frontier is monotone)
    cv = next(c for c in fr.columns if c.startswith("cvar8"))
    assert (np.diff(fr["expected_result_musd_per_yr"]) <= 1e-6 * fr["expected_result_musd_per_yr"].abs().max()).all()
    assert (np.diff(fr[cv]) <= 1e-6 * fr[cv].abs().max() + 1e-9).all()


@pytest.mark.parametrize(
    "edit, args, expected",
    [
        (None, ["--lever", "nope"], "--lever: unknown lever 'nope'"),
        (("ship_plus,asset,ship,Mt/yr,0,10,no,300,musd_per_yr_per_mt_yr", "ship_plus,asset,ship,Mt/yr,0,10,no,300,musd_per_yr_per_kt"), [], "line 3, column 'cost_unit'"),
        (("ship_plus,asset,ship,Mt/yr,0,10,no,300,musd_per_yr_per_mt_yr", "ship_plus,asset,ship,Mt/yr,0,10,no,300,musd_per_mt"), [], "line 3, column 'cost_unit'"),
        (("ship_plus,asset,ship,Mt/yr,0,10", "ship_plus,asset,ship,Mt/yr,10,0"), [], "line 3, column 'max': bounds inverted"),
        (("pipe_plus,asset,pipe", "pipe_plus,asset,nowhere"), [], "line 2, column 'target': unknown asset 'nowhere'"),
        (("pipe_plus,asset,pipe", "pipe_plus,route_limit,cheap"), [], "lever 'pipe_plus': route 'cheap' has no annual cap"),
        (None, ["--cvar", "1.5:1"], "--cvar: CVaR level 1.5 is outside (0, 1)"),
        (None, ["--cvar", "0:1"], "--cvar: CVaR level 0 is outside (0, 1)"),
        (None, ["--cvar", "0.9"], "--cvar: '0.9' is not ALPHA:WEIGHT"),
        (None, ["--draws", "5", "--cvar", "0.9:1"], "--draws: 5 draws are too few for a CVaR at level 0.9"),
        (None, ["--draws", "1"], "--draws: 1 draws; expected 2"),
        (None, ["--method", "lshaped", "--cvar", "0.5:1"], "--method: lshaped solves the risk-neutral objective"),
    ],
)
def test_bad_input_exits_2_and_writes_nothing(hazard_inputs, tmp_path, edit, args, expected):
    if edit:
        f = hazard_inputs / "hedge_levers.csv"
        text = f.read_text()
        assert edit[0] in text
        f.write_text(text.replace(edit[0], edit[1]))
    out = tmp_path / "never"
    r = CliRunner().invoke(main, ["hedge", "case", "--inputs", str(hazard_inputs), "--draws", "4", *args, "--out", str(out)])
    assert r.exit_code == 2, r.output
    assert expected in " ".join(r.output.split()), r.output
    if edit:
        assert "hedge_levers.csv" in r.output
    assert "Traceback" not in r.output
    assert not out.exists()
    assert not list(tmp_path.glob(".never*"))


def test_shipped_levers_fit_the_shipped_inputs(shipped_inputs):
    """Every shipped lever names a target the shipped network has, in the unit and cost unit of its kind."""
    from energy_routes.hedge.levers import load_levers

    sc = resolve(load_inputs(shipped_inputs), "base-2024", [])
    levers = load_levers(shipped_inputs / "hedge_levers.csv", sc)
    assert {lv.kind for lv in levers} == {"asset", "route_limit", "source_route", "store"}
    assert sum(lv.onoff for lv in levers) >= 1
