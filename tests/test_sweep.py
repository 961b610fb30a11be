"""Disruption sweeps: hand-solved cases, equality with fresh solves, workers, Dask, store and resume.

The builder network (tests/builders.py, arithmetic in tests/test_hand_cases.py):
netbacks cheap 590, dear 560, spare 530 $/t; pipe 20 Mt/yr (cheap), ship
10 Mt/yr shared by dear and spare; penalty 50 $/t. With supply 25 Mt/yr the
scenario sends 20 Mt by cheap and 5 Mt by dear; ship has 5 Mt/yr spare.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from builders import base_tables, ctrl_c_at_chunk, set_rows, write_user_scenario
from click.testing import CliRunner

from energy_routes.api import run_scenario
from energy_routes.cli import main
from energy_routes.errors import SolveError
from energy_routes.load import load_inputs
from energy_routes.scenario import resolve
from energy_routes.sweep import api as sweep_api
from energy_routes.sweep.engine import Dealer, Interrupted, chunks_of
from energy_routes.sweep.kernel import CaseEvent, OilKernel

KT_PER_DAY_20 = 20000 / 365
KT_PER_DAY_5 = 5000 / 365


def approx(v, rel=1e-9, abs_=1e-6):  # CSV tables carry 6 decimals
    return pytest.approx(v, rel=rel, abs=abs_)


@pytest.fixture()
def net25(make_inputs):
    t = base_tables()
    set_rows(t["supply"], {"source": "a"}, export_supply_mt=25)
    return make_inputs(t)


def _cases(folder) -> pd.DataFrame:
    return pd.read_csv(folder / "cases.csv").set_index("case_id")


# --------------------------------------------------------------------------- hand-solved


def test_disrupt_full_month_outage_by_hand(net25, tmp_path):
    # 4 weeks from 1 Feb 2023 is the whole of February (28 days): the pipe carries nothing that month
    out = sweep_api.disrupt("case", inputs_dir=net25, targets=["pipe"], remaining="0", weeks="4", starts="2023-02-01", out=tmp_path / "s", quiet=True)
    row = _cases(out).iloc[0]
    # cheap loses 28 × 20000/365 kt; the ship's spare 28 × 5000/365 kt goes to dear; the rest, 28 × 15000/365 kt, is shut in
    assert row["extra_shut_in_mt"] == approx(28 * 15000 / 365 / 1000)
    assert row["delta_cheap_mt"] == approx(-28 * KT_PER_DAY_20 / 1000)
    assert row["delta_dear_mt"] == approx(28 * KT_PER_DAY_5 / 1000)
    assert row["rerouted_mt"] == approx(28 * KT_PER_DAY_5 / 1000)
    assert row["lost_netback_musd"] == approx(28 * KT_PER_DAY_20 * 0.59 - 28 * KT_PER_DAY_5 * 0.56)
    # the ship is the capacity that would have helped
    assert row["bottleneck"] == "asset_capacity:ship"


def test_disrupt_partial_month_is_absorbed_within_the_month(net25, tmp_path):
    """The model is monthly: 14 days at half capacity in June take 14 × 10000/365 kt off the pipe's June capacity.

    June: pipe (30 × 20000 − 14 × 10000)/365 = 1260.3 kt, ship 30 × 10000/365 = 821.9 kt, supply
    30 × 25000/365 = 2054.8 kt ≤ 2082.2 kt, so nothing is shut in; the 383.6 kt the pipe cannot take go to
    dear (whose June room is 30 × 5000/365 = 411 kt), losing 590 − 560 = 30 $/t.
    """
    out = sweep_api.disrupt("case", inputs_dir=net25, targets=["pipe"], remaining="0.5", weeks="2", starts="2023-06-10", out=tmp_path / "s", quiet=True)
    row = _cases(out).iloc[0]
    moved = 14 * 10000 / 365
    assert row["extra_shut_in_mt"] == approx(0)
    assert row["rerouted_mt"] == approx(moved / 1000)
    assert row["lost_netback_musd"] == approx(moved * 0.03)


def test_disrupt_grid_shape_and_pivot(net25, tmp_path):
    out = sweep_api.disrupt("case", inputs_dir=net25, targets=["pipe"], remaining="0,0.5,1", weeks="1,2", starts="2023-02..2023-04", out=tmp_path / "s", quiet=True)
    cases = _cases(out)
    assert len(cases) == 3 * 2 * 3
    # remaining 1 loses nothing, whatever the length
    assert cases.loc[cases["remaining"] == 1, "lost_netback_musd"].abs().max() == approx(0)
    pv = pd.read_csv(out / "pivot_shut_in_mt_mean_pipe.csv").set_index("remaining capacity (fraction)")
    # a d-day full outage in a D-day month shuts in max(0, (20000 d − 5000 D)/365) kt (supply 25, pipe 20, ship 10 Mt/yr)
    shut = [max(0.0, (20000 * 14 - 5000 * D) / 365) for D in (28, 31, 30)]
    assert pv.loc[0.0, "2.0"] == approx(sum(shut) / 3 / 1000)
    assert pv.loc[0.0, "1.0"] == approx(0)  # 7 days: 140000 − 5000 D < 0 in every month
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["cases"] == 18 and manifest["status_counts"] == {"Optimal": 18}


# --------------------------------------------------------------------------- equal to a fresh solve


def _fresh(inputs_dir, scenario, events, tmp_path, n=[0]):
    n[0] += 1
    doc = {"name": f"fresh{n[0]}", "extends": scenario, "events": [{"id": f"e{i}", "target": e.target, "start": e.start, "end": e.end, "remaining": e.remaining, "ramp_days": e.ramp_days} for i, e in enumerate(events)]}
    path = write_user_scenario(tmp_path / f"fresh{n[0]}.yaml", doc)
    return run_scenario(inputs_dir, path, power=False)


CASES = [
    [CaseEvent("cpc_terminal", "2025-03-01", "2025-03-31", 0.0)],
    [CaseEvent("cpc_terminal", "2025-03-10", "2025-04-20", 1 / 3)],
    [CaseEvent("cpc_pipeline", "2025-02-20", "2025-05-23", 0.65), CaseEvent("cpc_terminal", "2025-04-01", "2025-04-30", 1 / 3)],  # overlaps the scenario's own outage
    [CaseEvent("cpc", "2025-07-05", "2025-08-11", 0.4)],
    [CaseEvent("trans_caspian_tankers", "2025-01-15", "2025-02-14", 0.0)],
    [],
]


@pytest.mark.slow
def test_kernel_cases_equal_fresh_solves(shipped_inputs, tmp_path):
    """Every case solved warm on one kernel, in sequence, equals a fresh build-and-solve of the same scenario."""
    inputs = load_inputs(shipped_inputs)
    sc = resolve(inputs, "cpc-pump-station-2025")  # has its own event, so case losses add to it
    sources = inputs["sources"]["source"].tolist()
    targets = {e.target for c in CASES for e in c} | {sources[0]}
    cases = CASES + [[CaseEvent(sources[0], "2025-10-01", "2025-11-15", 0.5)]]
    kernel = OilKernel(sc, targets=targets)
    for events in cases + cases[::-1]:  # twice, in two orders: restored rows must not leak between cases
        got = kernel.solve_events(events)
        ref = _fresh(shipped_inputs, "cpc-pump-station-2025", events, tmp_path)
        assert got.optimal
        assert got.objective_musd == approx(ref.objective_musd, rel=1e-9)
        assert got.shut_in_mt.sum() == approx(ref.tables["shut_in_monthly"]["shut_in_kt"].sum() / 1000, rel=1e-7, abs_=1e-6)
        annual = ref.tables["allocation_annual"].set_index("route")["volume_mt"]
        per_route = got.route_mt.reshape(len(kernel.params.routes), -1).sum(axis=1)
        # exports by route are unique here (netbacks differ), so they must match too
        np.testing.assert_allclose(per_route, annual.reindex(kernel.params.routes).to_numpy(), rtol=1e-7, atol=1e-6)


@pytest.mark.slow
def test_cases_the_base_vertex_still_solves_equal_fresh_solves(shipped_inputs, tmp_path):
    """The kernel's shortcut (a case that only moves bounds of rows basic at the scenario's optimum, and keeps
    their activity inside the new bounds, returns the scenario's outcome unsolved) gives what a fresh solve gives;
    it is taken for one-week 10 % derates of assets with room, and not for a month's full stop of the terminal."""
    inputs = load_inputs(shipped_inputs)
    sc = resolve(inputs, "cpc-pump-station-2025")
    assets = list(OilKernel(sc).params.assets)
    kernel = OilKernel(sc, targets=assets)
    cases = {a: [CaseEvent(a, "2025-06-01", "2025-06-07", 0.9)] for a in assets}
    cases["stop"] = [CaseEvent("cpc_terminal", "2025-06-01", "2025-06-30", 0.0)]
    took = {}
    for name, events in cases.items():
        before = kernel.shortcuts
        got = kernel.solve_events(events)
        took[name] = kernel.shortcuts > before
        if not got.optimal:  # a derate below a route's commitment: infeasible both ways (never a shortcut)
            assert not took[name]
            with pytest.raises(SolveError):
                _fresh(shipped_inputs, "cpc-pump-station-2025", events, tmp_path)
            continue
        ref = _fresh(shipped_inputs, "cpc-pump-station-2025", events, tmp_path)
        assert got.objective_musd == approx(ref.objective_musd, rel=1e-9), name
        assert got.shut_in_mt.sum() == approx(ref.tables["shut_in_monthly"]["shut_in_kt"].sum() / 1000, rel=1e-7, abs_=1e-6), name
    assert any(took[a] for a in assets), took
    assert not took["stop"]


# --------------------------------------------------------------------------- workers, Dask, store, resume


def test_chunks_cover_every_case_once_in_order_large_first():
    """Guided chunks: a quarter of each worker's share of what is left, between 24 and 512 cases."""
    recs = list(range(10_000))
    sizes = [len(c) for c in chunks_of(recs, 2)]
    assert [r for c in chunks_of(recs, 2) for r in c] == recs
    # 10,000 / (2 workers × 4) = 1,250 -> capped at 512; that holds while more than 512 × 8 = 4,096 are left:
    # 512 × 12 = 6,144 given out, 3,856 left, so the 13th is ceil(3,856 / 8) = 482
    assert sizes[:13] == [512] * 12 + [482]
    assert all(a >= b for a, b in zip(sizes, sizes[1:]))
    assert min(sizes[:-1]) == 24 and sizes[-1] <= 24  # at most 24 cases left to one worker at the end
    # one process: nothing to balance, ceil(10,000 / 8) = 1,250 capped at 256: 39 chunks of 256 and one of 16
    assert [len(c) for c in chunks_of(recs, 1)] == [256] * 39 + [16]
    assert [len(c) for c in chunks_of(recs, 2, size=3000)] == [3000, 3000, 3000, 1000]


def test_chunks_of_keep_groups_apart():
    """With group_by, the chunks go group after group and none spans two groups."""
    recs = [{"g": i % 3, "i": i} for i in range(90)]  # three groups of 30, interleaved as risk's years are
    chunks = chunks_of(recs, 1, group_by=("g",))
    # one process: ceil(90 / 8) = 12 a chunk, cut at each group's end: 12, 12, 6 per group
    assert [len(c) for c in chunks] == [12, 12, 6] * 3
    assert [{r["g"] for r in c} for c in chunks] == [{0}] * 3 + [{1}] * 3 + [{2}] * 3
    assert [r["i"] for c in chunks for r in c] == list(range(0, 90, 3)) + list(range(1, 90, 3)) + list(range(2, 90, 3))


def test_dealer_gives_each_worker_its_own_groups_then_shares_the_rest():
    """Four groups of 100 on two workers: worker 0 gets groups 0 and 1, worker 1 groups 2 and 3, until one runs out."""
    recs = [{"g": i // 100, "i": i} for i in range(400)]
    d = Dealer(recs, 2, group_by=("g",))
    # guided sizes: a quarter of each worker's share of what is left, at least 24: ceil(400 / 8) = 50
    first = d.next(0)
    assert [r["i"] for r in first] == list(range(0, 50))
    assert [r["i"] for r in d.next(1)] == list(range(200, 244))  # 350 left: ceil(350 / 8) = 44, from the front of its share
    dealt = {0: [first], 1: []}
    while True:  # worker 0 alone from now on (worker 1 is slow): its share, then the back of worker 1's
        c = d.next(0)
        if not c:
            break
        dealt[0].append(c)
    assert all(len({r["g"] for r in c}) == 1 for c in dealt[0])  # never two groups in a chunk
    own = [c for c in dealt[0] if c[0]["g"] in (0, 1)]
    taken = [c for c in dealt[0] if c[0]["g"] in (2, 3)]
    assert [r["i"] for c in own for r in c] == list(range(0, 200))  # its share, in order
    assert dealt[0][: len(own)] == own  # before anything of the other's
    # then from the back of worker 1's share (group 3 first), never what worker 1 was dealt
    assert taken[0][-1]["i"] == 399 and taken[-1][0]["i"] == 244
    assert sorted(r["i"] for c in taken for r in c) == list(range(244, 400))
    assert d.next(1) == []  # everything dealt


def test_risk_tables_do_not_depend_on_workers_chunks_or_resume(net2y, tmp_path, monkeypatch):
    """The risk tables, byte for byte, from one process, two workers (each dealt its own years) and a run
    interrupted after two chunks and resumed on two workers."""
    import yaml

    doc = yaml.safe_load((net2y / "scenarios.yaml").read_text())
    doc["overrides"] = {"bigger-ship": {"set": [{"table": "asset_capacity", "where": {"asset": "ship"}, "values": {"capacity_mt": 15}}]}}
    (net2y / "scenarios.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    kw = dict(inputs_dir=net2y, draws=60, seed=11, levers=["bigger-ship"], quiet=True)  # 4 groups (lever, year) of 30
    one = sweep_api.risk("case", out=tmp_path / "one", **kw)
    two = sweep_api.risk("case", out=tmp_path / "two", workers=2, **kw)
    with ctrl_c_at_chunk(monkeypatch, 3), pytest.raises(Interrupted):
        sweep_api.risk("case", out=tmp_path / "cut", **kw)
    cut = sweep_api.risk(resume_dir=tmp_path / "cut", workers=2, quiet=True)
    cases = pd.read_csv(one / "cases.csv")
    assert (cases["n_events"] > 0).sum() > 20  # draws with events really were solved
    for name in ("cases.csv", "years.csv", "risk_summary.csv", "risk_by_year.csv"):
        ref = (one / name).read_bytes()
        assert (two / name).read_bytes() == ref, name
        assert (cut / name).read_bytes() == ref, name


def _grid(inputs_dir, out, **kw):
    return sweep_api.disrupt("case", inputs_dir=inputs_dir, targets=["pipe", "ship"], remaining="0,0.5", weeks="1,3", starts="2023-01..2023-06", out=out, quiet=True, **kw)


def _key_tables(folder):
    c = pd.read_csv(folder / "cases.csv").sort_values("case_id").reset_index(drop=True)
    r = pd.read_csv(folder / "route_volumes.csv").sort_values(["case_id", "route", "year"]).reset_index(drop=True)
    return c.drop(columns=["iterations"]), r


def test_two_worker_processes_give_the_same_tables(net25, tmp_path):
    a = _key_tables(_grid(net25, tmp_path / "one"))
    b = _key_tables(_grid(net25, tmp_path / "two", workers=2))
    pd.testing.assert_frame_equal(a[0], b[0], check_exact=False, rtol=1e-9, atol=1e-9)
    pd.testing.assert_frame_equal(a[1], b[1], check_exact=False, rtol=1e-9, atol=1e-9)


@pytest.mark.slow
def test_dask_local_cluster_gives_the_same_tables(net25, tmp_path):
    pytest.importorskip("distributed")
    a = _key_tables(_grid(net25, tmp_path / "one"))
    b = _key_tables(_grid(net25, tmp_path / "dask", workers=2, dask="local"))
    pd.testing.assert_frame_equal(a[0], b[0], check_exact=False, rtol=1e-9, atol=1e-9)
    pd.testing.assert_frame_equal(a[1], b[1], check_exact=False, rtol=1e-9, atol=1e-9)


def test_interrupted_sweep_keeps_finished_cases_and_resumes(net25, tmp_path, monkeypatch):
    from energy_routes.sweep import store as store_mod

    ref = _key_tables(_grid(net25, tmp_path / "ref"))
    folder = tmp_path / "cut"
    with ctrl_c_at_chunk(monkeypatch, 3), pytest.raises(Interrupted) as info:  # Ctrl-C while the third chunk is being saved
        sweep_api.disrupt("case", inputs_dir=net25, targets=["pipe", "ship"], remaining="0,0.5", weeks="1,3", starts="2023-01..2023-06", out=folder, quiet=True)
    assert 0 < info.value.done < info.value.total
    assert not (folder / "manifest.json").exists()  # an interrupted sweep does not look complete
    saved = store_mod.Store(folder).done_ids()
    assert len(saved) == info.value.done
    ran = {"n": 0}
    real_run = sweep_api.run_cases

    def counting(job, plan, store, **kw):
        ran["n"] = len(plan) - len(store.done_ids())
        return real_run(job, plan, store, **kw)

    monkeypatch.setattr(sweep_api, "run_cases", counting)
    sweep_api.disrupt(resume_dir=folder, quiet=True)
    assert ran["n"] == info.value.total - info.value.done  # only the missing cases ran
    got = _key_tables(folder)
    pd.testing.assert_frame_equal(ref[0], got[0], check_exact=False, rtol=1e-9, atol=1e-9)
    pd.testing.assert_frame_equal(ref[1], got[1], check_exact=False, rtol=1e-9, atol=1e-9)


def test_duckdb_answers_sql_over_the_sweep(net25, tmp_path):
    import duckdb

    folder = _grid(net25, tmp_path / "s")
    con = duckdb.connect(str(folder / "results.duckdb"), read_only=True)
    n, worst = con.execute("SELECT count(*), max(extra_shut_in_mt) FROM cases").fetchone()
    con.close()
    cases = pd.read_csv(folder / "cases.csv")
    assert n == len(cases) == 2 * 2 * 2 * 6
    assert worst == approx(cases["extra_shut_in_mt"].max())


def test_resume_refuses_changed_inputs(net25, tmp_path):
    folder = _grid(net25, tmp_path / "s")
    (folder / "manifest.json").unlink()  # pretend it was interrupted
    p = net25 / "prices.csv"
    p.write_text(p.read_text().replace("80", "81"))
    r = CliRunner().invoke(main, ["disrupt", "--inputs", str(net25), "--resume", str(folder)])
    assert r.exit_code == 2, r.output
    assert "prices.csv" in r.output and "changed since the sweep started" in r.output


# --------------------------------------------------------------------------- CLI


@pytest.mark.parametrize(
    "args, expected",
    [
        (["--asset", "nowhere"], "unknown target 'nowhere'"),
        (["--asset", "pipe", "--remaining", "0,1.5"], "1.5 is outside [0, 1]"),
        (["--asset", "pipe", "--weeks", "two"], "'two' is not a number"),
        (["--asset", "pipe", "--start", "2031-01"], "outside the horizon"),
        (["--asset", "pipe", "--start", "March"], "is not a month"),
        ([], "name at least one asset"),
    ],
)
def test_disrupt_bad_requests_exit_2(net25, tmp_path, args, expected):
    out = tmp_path / "never"
    r = CliRunner().invoke(main, ["disrupt", "case", "--inputs", str(net25), "--out", str(out), *args])
    assert r.exit_code == 2, r.output
    assert expected in r.output
    assert "Traceback" not in r.output
    assert not out.exists()


def test_disrupt_cli_prints_worst_cases_and_folder(net25, tmp_path):
    out = tmp_path / "s"
    r = CliRunner().invoke(main, ["disrupt", "case", "--inputs", str(net25), "--asset", "pipe", "--remaining", "0", "--weeks", "1", "--start", "2023-03", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "Worst cases" in r.output and str(out) in r.output.replace("\n", "")
    r = CliRunner().invoke(main, ["disrupt", "case", "--inputs", str(net25), "--asset", "pipe", "--out", str(out)])
    assert r.exit_code == 2 and "already exists" in r.output


def test_out_of_horizon_window_is_cut(net25, tmp_path):
    out = sweep_api.disrupt("case", inputs_dir=net25, targets=["pipe"], remaining="0", weeks="4", starts="2023-12-20", out=tmp_path / "s", quiet=True)
    row = _cases(out).iloc[0]
    assert row["days_in_horizon"] == 12
    # December: (20000 × 12 − 5000 × 31)/365 kt shut in; the days past the horizon change nothing
    assert row["extra_shut_in_mt"] == approx((20000 * 12 - 5000 * 31) / 365 / 1000)


def test_nan_free_metrics(net25, tmp_path):
    out = _grid(net25, tmp_path / "s")
    cases = pd.read_csv(out / "cases.csv")
    num = cases.select_dtypes("number").drop(columns=["bottleneck_year"])
    assert not num.isna().any().any()
    # the bottleneck's year is empty exactly where there is no bottleneck
    assert (cases["bottleneck_year"].isna() == cases["bottleneck"].fillna("").eq("")).all()
    assert math.isclose(float(np.nansum(num["rerouted_mt"] >= 0)), len(cases))


@pytest.mark.slow
def test_year_split_kernel_equals_fresh_solves_of_the_whole_horizon(shipped_inputs, tmp_path):
    """The multi-year LP is solved year by year (only touched years); the sum must equal one fresh LP over 2023-2030."""
    from energy_routes.sweep.kernel import YearKernels

    inputs = load_inputs(shipped_inputs)
    sc = resolve(inputs, "outlook-2023-2030")
    cases = [
        [CaseEvent("cpc_terminal", "2026-12-10", "2027-01-20", 0.0)],  # across a year boundary
        [CaseEvent("cpc_pipeline", "2029-05-01", "2029-07-31", 0.6), CaseEvent("cpc_terminal", "2023-02-01", "2023-02-14", 1 / 3)],
        [],
    ]
    split = YearKernels(sc, targets={"cpc_terminal", "cpc_pipeline"})
    whole = OilKernel(sc, targets={"cpc_terminal", "cpc_pipeline"})
    for events in cases:
        ref = _fresh(shipped_inputs, "outlook-2023-2030", events, tmp_path)
        for kernel in (split, whole):
            got = kernel.solve_events(events)
            assert got.objective_musd == approx(ref.objective_musd, rel=1e-9)
            shut = ref.tables["shut_in_monthly"]
            by_year = shut.groupby(shut["period"].str[:4])["shut_in_kt"].sum().to_numpy() / 1000
            np.testing.assert_allclose(got.shut_in_mt, by_year, rtol=1e-7, atol=1e-6)
            annual = ref.tables["allocation_annual"]
            assert got.route_mt.sum() == approx(annual["volume_mt"].sum(), rel=1e-9)


# --------------------------------------------------------------------------- Monte Carlo risk


HAZARDS = "hazard,target,events_per_year,duration_median_days,duration_p90_days,duration_max_days\npipe_fail,pipe,{rate},20,60,90\n"
SEVERITY = "hazard,remaining,probability\npipe_fail,0,0.5\npipe_fail,0.5,0.5\n"


@pytest.fixture()
def net2y(make_inputs):
    from builders import two_year_tables

    t = two_year_tables()
    set_rows(t["supply"], {"source": "a"}, export_supply_mt=25)
    folder = make_inputs(t, {"horizon": {"start": "2023-01", "end": "2024-12"}})
    (folder / "hazards.csv").write_text(HAZARDS.format(rate=3))
    (folder / "hazard_severity.csv").write_text(SEVERITY)
    return folder


def test_risk_draws_equal_fresh_solves_with_the_same_events(net2y, tmp_path):
    from energy_routes.sweep.hazards import draw_events, load_hazards
    from energy_routes.sweep.risk import events_for_draw

    out = sweep_api.risk("case", inputs_dir=net2y, draws=6, seed=7, out=tmp_path / "r", quiet=True)
    cases = pd.read_csv(out / "cases.csv").set_index("draw")
    assert list(cases["year"]) == [2023, 2024] * 3  # draws alternate over the horizon's years
    assert not [c for c in cases.columns if c.endswith("_result")]  # the plan's lever, draw and year once, not twice
    hazards, _ = load_hazards(net2y, {"pipe", "ship", "link", "spur", "cheap", "dear", "spare", "a", "b"})
    h0, h1 = pd.Timestamp("2023-01-01"), pd.Timestamp("2024-12-31")
    base = run_scenario(net2y, "case", power=False)

    def netback(res):
        return res.tables["allocation_annual"]["netback_musd"].sum()

    def shut(res):
        return res.tables["shut_in_monthly"]["shut_in_kt"].sum() / 1000

    seen = 0
    for draw in range(6):
        events = events_for_draw(hazards, 7, draw, int(cases.loc[draw, "year"]), h0, h1)
        assert cases.loc[draw, "n_events"] == len(events)
        assert all(e.start[:4] == e.end[:4] == str(cases.loc[draw, "year"]) for e in events)
        ref = _fresh(net2y, "case", events, tmp_path) if events else base
        seen += bool(events)
        # a fresh run of the whole horizon with the draw's events loses exactly what the draw's year loses
        assert cases.loc[draw, "lost_netback_musd"] == approx(netback(base) - netback(ref), rel=1e-9, abs_=1e-5)
        assert cases.loc[draw, "extra_shut_in_mt"] == approx(shut(ref) - shut(base), rel=1e-9, abs_=1e-5)
    assert seen >= 3  # the hazard (3 a year) really produced events to compare
    # the same seed draws the same events; another seed does not
    assert draw_events(hazards, 7, 3, h0, h1) == draw_events(hazards, 7, 3, h0, h1)
    assert draw_events(hazards, 7, 3, h0, h1) != draw_events(hazards, 8, 3, h0, h1)


def test_events_reaching_into_the_year_from_before_are_kept():
    """A draw for 2024 must see an event that started in late 2023 and runs into January."""
    from energy_routes.sweep.hazards import Hazard
    from energy_routes.sweep.risk import events_for_draw

    # one hazard with a fixed 60-day length; rate high enough that some event starts in Nov-Dec 2023 in some draw
    hz = [Hazard("h", "pipe", 6.0, np.log(60.0), 0.0, 60.0, np.array([0.0]), np.array([1.0]))]
    h0, h1 = pd.Timestamp("2023-01-01"), pd.Timestamp("2024-12-31")
    spill = [e for d in range(50) for e in events_for_draw(hz, 1, d, 2024, h0, h1) if e.start == "2024-01-01"]
    assert spill and all(e.end < "2024-03-01" for e in spill)


def test_risk_with_no_hazard_loses_nothing(net2y, tmp_path):
    (net2y / "hazards.csv").write_text(HAZARDS.format(rate=0))
    out = sweep_api.risk("case", inputs_dir=net2y, draws=5, out=tmp_path / "r", quiet=True)
    s = pd.read_csv(out / "risk_summary.csv").iloc[0]
    assert s["samples"] == 5  # one simulated year per draw
    for col in [c for c in s.index if c.endswith("_per_yr")]:
        assert s[col] == approx(0)


def test_tail_statistics_closed_form():
    from energy_routes.sweep.risk import tail_stats

    st = tail_stats(np.arange(1, 101, dtype=float), 0.95)
    assert st["mean"] == approx(50.5)
    assert st["p50"] == approx(50.5)
    assert st["p90"] == approx(90.1)  # linear interpolation between the 90th and 91st values
    assert st["es"] == approx((96 + 97 + 98 + 99 + 100) / 5)


def test_risk_levers_share_draws_and_bigger_ship_never_loses_more(net2y, tmp_path):
    """More ship capacity can only help: in every draw the lever's optimum is at least the reference's."""
    import yaml

    doc = yaml.safe_load((net2y / "scenarios.yaml").read_text())
    doc["overrides"] = {"bigger-ship": {"set": [{"table": "asset_capacity", "where": {"asset": "ship"}, "values": {"capacity_mt": 15}}]}}
    (net2y / "scenarios.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    out = sweep_api.risk("case", inputs_dir=net2y, draws=20, levers=["bigger-ship"], out=tmp_path / "r", quiet=True)
    cases = pd.read_csv(out / "cases.csv")
    piv = cases.pivot(index="draw", columns="lever", values="objective_musd")
    assert (piv["bigger-ship"] >= piv["none"] - 1e-6).all()  # the simulated year's optimum
    ev = cases.pivot(index="draw", columns="lever", values="n_events")
    assert (ev["bigger-ship"] == ev["none"]).all()  # common random numbers
    s = pd.read_csv(out / "risk_summary.csv").set_index("lever")
    assert s.loc["bigger-ship", "lost_netback_mean_musd_per_yr"] <= s.loc["none", "lost_netback_mean_musd_per_yr"] + 1e-6


@pytest.mark.parametrize(
    "file, text, expected",
    [
        ("hazard_severity.csv", "hazard,remaining,probability\npipe_fail,0,0.5\npipe_fail,0.5,0.4\n", "add up to 0.9; expected 1"),
        ("hazards.csv", HAZARDS.format(rate=3).replace(",pipe,", ",nowhere,"), "unknown target 'nowhere'"),
        ("hazards.csv", HAZARDS.format(rate=-1), "events_per_year"),
        ("hazard_severity.csv", "hazard,remaining,probability\npipe_fail,1.5,1\n", "remaining"),
    ],
)
def test_bad_hazard_model_exits_2(net2y, tmp_path, file, text, expected):
    (net2y / file).write_text(text)
    out = tmp_path / "never"
    r = CliRunner().invoke(main, ["risk", "case", "--inputs", str(net2y), "--draws", "3", "--out", str(out)])
    assert r.exit_code == 2, r.output
    assert file in r.output and expected in r.output
    assert not out.exists()


# --------------------------------------------------------------------------- parameter sweeps


def _spec(tmp_path, params, scenario="case"):
    import yaml

    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump({"scenario": scenario, "parameters": params}, sort_keys=False))
    return path


SHIP = {"name": "ship_mt", "values": [2, 5, 15], "apply": {"set": [{"table": "asset_capacity", "where": {"asset": "ship"}, "values": {"capacity_mt": "{value}"}}]}}
BRENT = {"name": "brent", "values": [80, 90], "apply": {"set": [{"table": "prices", "values": {"brent_usd_per_bbl": "{value}"}}]}}


def test_sweep_grid_by_hand_and_against_each_cases_own_run(net25, tmp_path):
    out = sweep_api.sweep(_spec(tmp_path, [SHIP, BRENT]), inputs_dir=net25, out=tmp_path / "s", quiet=True)
    cases = pd.read_csv(out / "cases.csv").set_index(["ship_mt", "brent"])
    assert len(cases) == 6
    # Brent 90: every route sells at 90 × 7.5 = 675 $/t; cheap nets 665, dear 635.
    # ship 15 or 5: cheap 20 Mt + dear 5 Mt, nothing shut in: 20000 × 0.665 + 5000 × 0.635 = 16475 M$
    assert cases.loc[(15, 90), "objective_musd"] == approx(16475)
    assert cases.loc[(5, 90), "objective_musd"] == approx(16475)
    # ship 2: dear 2 Mt, 3 Mt shut in at 50 $/t: 13300 + 1270 − 150 = 14420 M$
    assert cases.loc[(2, 90), "objective_musd"] == approx(14420)
    assert cases.loc[(2, 90), "shut_in_mt"] == approx(3)
    # every case equals a fresh run of its own scenario file
    for _, row in cases.reset_index().iterrows():
        ref = run_scenario(net25, out / row["scenario_file"], power=False)
        assert row["objective_musd"] == approx(ref.objective_musd)


def test_sweep_case_that_changes_the_lp_structure_is_solved_on_its_own(net25, tmp_path):
    share = {"name": "dear_share", "values": [1.0, 0.1], "apply": {"route_shares": [{"route": "dear", "max_share": "{value}"}]}}
    out = sweep_api.sweep(_spec(tmp_path, [share]), inputs_dir=net25, out=tmp_path / "s", quiet=True)
    cases = pd.read_csv(out / "cases.csv").set_index("dear_share")
    for share_v, row in cases.iterrows():
        ref = run_scenario(net25, out / row["scenario_file"], power=False)
        assert row["objective_musd"] == approx(ref.objective_musd)
    # dear ≤ 10 % of exports. Cheap carries 20 Mt (pipe full); the other 5 Mt go on the ship (10 Mt) by dear or
    # spare, as spare's 530 $/t beats shutting in. Exports are 25 Mt, so dear ≤ 2.5 and spare takes 2.5:
    # 20000 × 0.59 + 2500 × 0.56 + 2500 × 0.53 = 14525 M$, against 20000 × 0.59 + 5000 × 0.56 = 14600 without the share
    assert cases.loc[0.1, "objective_musd"] == approx(14525)
    assert cases.loc[1.0, "objective_musd"] == approx(14600)


@pytest.mark.parametrize(
    "params, expected",
    [
        ([{"name": "x", "values": [1], "apply": {"set": [{"table": "prices", "values": {"brent_usd_per_bbl": 80}}]}}], "never uses {value}"),
        ([{"name": "x", "values": [], "apply": {"set": []}}], "non-empty list"),
        ([{"name": "x", "values": [1], "apply": {"horizon": "{value}"}}], "cannot apply 'horizon'"),
        ([{"name": "x", "values": [-5], "apply": {"set": [{"table": "asset_capacity", "where": {"asset": "ship"}, "values": {"capacity_mt": "{value}"}}]}}], "capacity_mt"),
        ([{"name": "x", "values": [1], "apply": {"route_limits": [{"route": "nowhere", "max_mt": "{value}"}]}}], "nowhere"),
    ],
)
def test_bad_sweep_spec_exits_2_and_writes_nothing(net25, tmp_path, params, expected):
    out = tmp_path / "never"
    r = CliRunner().invoke(main, ["sweep", str(_spec(tmp_path, params)), "--inputs", str(net25), "--out", str(out)])
    assert r.exit_code == 2, r.output
    assert expected in r.output.replace("\n", " ")
    assert "Traceback" not in r.output
    assert not out.exists() and not list(tmp_path.glob(".never*"))


@pytest.mark.slow
def test_ctrl_c_on_a_real_process_keeps_finished_cases_and_resume_completes(net25, tmp_path):
    """SIGINT to a running ``energy-routes disrupt`` (2 worker processes): exit 130, parts kept, no manifest; --resume finishes."""
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    cli = Path(sys.executable).parent / "energy-routes"
    folder = tmp_path / "s"
    args = [str(cli), "disrupt", "case", "--inputs", str(net25), "--asset", "pipe", "--asset", "ship", "--asset", "pipe+ship",
            "--remaining", "0,0.2,0.4,0.6,0.8", "--weeks", "1,2,4,8", "--start", "2023-01..2023-12", "--out", str(folder), "--workers", "2", "--quiet"]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while time.time() < deadline and not list((folder / "parts").glob("cases-*.parquet")):
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    total = 3 * 5 * 4 * 12  # targets x remaining x weeks x start months
    if proc.returncode == 0 or (folder / "manifest.json").exists():  # it finished before the signal arrived
        pytest.skip("the sweep finished before Ctrl-C could be sent")
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "--resume" in err
    assert not (folder / "manifest.json").exists()
    from energy_routes.sweep.store import Store

    done = len(Store(folder).done_ids())
    assert 0 < done < total
    r = subprocess.run([str(cli), "disrupt", "--inputs", str(net25), "--resume", str(folder), "--quiet"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    cases = pd.read_csv(folder / "cases.csv")
    assert len(cases) == total and cases["case_id"].is_unique
    assert (folder / "manifest.json").exists()


def test_sweep_workbook_mirrors_the_csv_tables(net25, tmp_path, monkeypatch):
    from energy_routes.sweep import runner

    monkeypatch.setattr(runner, "WORKBOOK_MAX_ROWS", 100)  # route_volumes (144 rows) goes to the note instead
    folder = _grid(net25, tmp_path / "s")
    xl = pd.read_excel(folder / "tables.xlsx", sheet_name=None)
    assert {"Contents", "Cases", "Years", "Not in this workbook"} <= set(xl)
    csv = pd.read_csv(folder / "cases.csv")
    sheet = xl["Cases"]
    assert len(sheet) == len(csv)
    # the same numbers, column by column (headers carry units, so compare by position)
    for j, col in enumerate(csv.columns):
        if pd.api.types.is_numeric_dtype(csv[col]):
            np.testing.assert_allclose(sheet.iloc[:, j].to_numpy(float), csv[col].to_numpy(float), rtol=0, atol=5e-7)  # CSV: 6 decimals
    note = xl["Not in this workbook"]
    assert note.iloc[0, 0] == "route_volumes" and note.iloc[0, 1] == 144
    assert json.loads((folder / "manifest.json").read_text())["workbook"] == "tables.xlsx"


def test_the_bottleneck_on_a_tie_is_what_stops_the_crude_not_the_tank_behind_it():
    """cases.case_metrics on hand-made outcomes: in the case, a tank (store_level:tanks) and a berth
    (asset_capacity:berths) in series both carry +492.22 $/t in 2027, none of them bound in the scenario, so
    both rose 492.22: the berth is named (a capacity before the tank it backs up into). A shadow price that
    rose more wins whatever its family: the tank at 500.2 against the berth at 465.3 is the tank."""
    from types import SimpleNamespace

    from energy_routes.sweep.cases import case_metrics
    from energy_routes.sweep.kernel import Outcome

    def outcome(binding):
        return Outcome("Optimal", True, 0.0, 0.0, np.zeros(1), np.zeros(1), np.zeros(1), binding)

    k = SimpleNamespace(params=SimpleNamespace(routes=["r"], network=SimpleNamespace(route_assets={"r": ["pipe"]})), years=[2027])
    base = outcome([])
    tie = outcome([("store_level:tanks", 2027, 492.22), ("asset_capacity:berths", 2027, 492.22)])
    assert case_metrics(k, tie, {"pipe"}, base)["bottleneck"] == "asset_capacity:berths"
    more = outcome([("store_level:tanks", 2027, 500.2), ("asset_capacity:berths", 2027, 465.3)])
    assert case_metrics(k, more, {"pipe"}, base)["bottleneck"] == "store_level:tanks"


def test_a_rule_of_behaviour_is_never_the_bottleneck():
    """A tank held at its working level outside outages (store_hold) and a cut held for its decision horizon
    (cut_hold) are rules for what operators know, not capacities: their shadow prices (here 600.0 and 550.0 $/t,
    larger than the berth's 465.3) are what foresight would be worth, so the bottleneck is the berth. With only
    rules binding there is none. Fails if model.registry.RULES is ignored (the held tank would be named)."""
    from types import SimpleNamespace

    from energy_routes.sweep.cases import case_metrics
    from energy_routes.sweep.kernel import Outcome

    def outcome(binding):
        return Outcome("Optimal", True, 0.0, 0.0, np.zeros(1), np.zeros(1), np.zeros(1), binding)

    k = SimpleNamespace(params=SimpleNamespace(routes=["r"], network=SimpleNamespace(route_assets={"r": ["pipe"]})), years=[2027])
    base = outcome([])
    case = outcome([("store_hold:tanks", 2027, -600.0), ("cut_hold:field", 2027, 550.0), ("asset_capacity:berths", 2027, 465.3)])
    assert case_metrics(k, case, {"pipe"}, base)["bottleneck"] == "asset_capacity:berths"
    only_rules = outcome([("store_hold:tanks", 2027, -600.0), ("cut_hold:field", 2027, 550.0)])
    m = case_metrics(k, only_rules, {"pipe"}, base)
    assert m["bottleneck"] == "" and "store_hold:tanks 2027" in m["binding"]


def test_bottleneck_year_is_written_the_same_whatever_shares_its_chunk(tmp_path):
    """A case without a bottleneck (NA) in a chunk used to make that chunk's ``bottleneck_year`` float, so the
    same case was written ``2026.0`` or ``2026`` depending on which cases the workers put beside it. Two
    chunks through the sweep's own Parquet store and CSV writer: the year is ``2026`` in both, the NA empty."""
    from energy_routes.sweep.cases import cases_frame
    from energy_routes.sweep.store import Store
    from energy_routes.writers import write_csv

    row = {"case_id": "a", "bottleneck": "capacity:btc", "bottleneck_year": 2026}
    alone = cases_frame([row])
    beside_none = cases_frame([{**row, "case_id": "b"}, {"case_id": "c", "bottleneck": "", "bottleneck_year": pd.NA}])
    store = Store(tmp_path / "sweep")
    store.write_chunk({"cases": alone})
    store.write_chunk({"cases": beside_none})
    write_csv(store.table("cases"), tmp_path / "cases.csv")
    assert (tmp_path / "cases.csv").read_text().splitlines() == [
        "case_id,bottleneck,bottleneck_year", "a,capacity:btc,2026", "b,capacity:btc,2026", "c,,"]
