"""One answer: the reported flows do not depend on how the LP was solved (docs/model.md §1 "Tie-break").

Before the tie-break, 72 of the 84 route-month volumes of ``base-2024`` could
move by more than 1 kt at the same optimum, and the same year solved alone
and inside a longer horizon gave different monthly splits. Here:

- the optimal face of the LP is a single point on every route-month volume
  (each is minimised and maximised over the optimal face: the range is 0);
- the same year alone and inside the 2023–2030 horizon gives the same period
  tables; so do shuffled input rows, HiGHS's primal simplex instead of dual,
  and presolve off;
- a disruption grid gives byte-identical tables with 1 and 2 worker
  processes (every case starts from the scenario's basis, so the binding
  constraints reported do not depend on which case ran before it).
"""

from __future__ import annotations

import random
import shutil

import highspy
import numpy as np
import pandas as pd
import pytest

from energy_routes import extract
from energy_routes.api import run_scenario
from energy_routes.load import load_inputs
from energy_routes.model import build_oil_model
from energy_routes.model.registry import model_spec
from energy_routes.model.plan import planned_params as oil_params
from energy_routes.scenario import resolve
from energy_routes.solve import CompiledLP

PERIOD_TABLES = ("allocation_period", "flows_period", "balance_period", "stores_period", "asset_use_period")


def _solve(scenario, configure=None):
    spec = model_spec(oil_params(scenario))
    lp = CompiledLP(build_oil_model(spec))
    if configure:
        configure(lp.highs)
    assert lp.solve().optimal
    return lp, spec, extract.oil_tables(lp, spec)


def _frame_close(a: pd.DataFrame, b: pd.DataFrame, keys: list[str]):
    a = a.sort_values(keys, kind="stable").reset_index(drop=True)
    b = b.sort_values(keys, kind="stable").reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-6, atol=1e-6)


KEYS = {
    "allocation_period": ["period", "route"],
    "flows_period": ["period", "source", "route"],
    "balance_period": ["period"],
    "stores_period": ["period", "store"],
    "asset_use_period": ["period", "asset"],
}


def _face_widths(lp: CompiledLP, spec) -> list[float]:
    """Range of every route-month volume over the optimal face of the LP just solved.

    By LP duality the optimal face is {x feasible : x_j at its bound where the reduced cost d_j ≠ 0,
    row i at its bound where the dual y_i ≠ 0} (complementary slackness with one optimal dual),
    so no tolerance on the objective is needed: each route-month volume is minimised and maximised
    over that face with the LP's own rows.
    """
    h = lp.highs
    sol = h.getSolution()
    d, y, x, act = (np.asarray(v, float) for v in (sol.col_dual, sol.row_dual, sol.col_value, sol.row_value))
    fix_c = np.flatnonzero(np.abs(d) > 1e-9)
    h.changeColsBounds(len(fix_c), fix_c.astype(np.int32), x[fix_c], x[fix_c])
    fix_r = np.flatnonzero(np.abs(y) > 1e-9)
    h.changeRowsBounds(len(fix_r), fix_r.astype(np.int32), act[fix_r], act[fix_r])
    p = spec.params
    P = len(p.periods)
    xcols = lp.cols_of("x", len(spec.var_keys["x"])).reshape(len(p.pairs), P)
    widths = []
    for r in p.routes:
        ks = [k for k, (_, r2) in enumerate(p.pairs) if r2 == r]
        for t in range(P):
            obj = np.zeros(lp.num_cols)
            obj[xcols[ks, t]] = 1.0
            lp.set_costs(np.arange(lp.num_cols), obj)
            vals = []
            for sense in (highspy.ObjSense.kMinimize, highspy.ObjSense.kMaximize):
                h.changeObjectiveSense(sense)
                h.run()
                assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
                vals.append(h.getInfo().objective_function_value)
            widths.append(vals[1] - vals[0])
    return widths


def test_every_route_month_volume_is_pinned_at_the_optimum(shipped_inputs):
    sc = resolve(load_inputs(shipped_inputs), "base-2024")
    lp, spec, _ = _solve(sc)
    widths = _face_widths(lp, spec)
    assert len(widths) == 8 * 12  # eight routes (druzhba_germany since issue 12) x 12 months
    assert max(widths) < 1e-6, f"{sum(w > 1e-6 for w in widths)} route-month volumes can still move; widest {max(widths):.3f} kt"


def test_without_the_tie_break_the_optimum_is_not_unique(shipped_inputs):
    """The control, so the test above can fail: on netback alone many route-month volumes are free."""
    sc = resolve(load_inputs(shipped_inputs), "base-2024")
    lp, spec, _ = _solve(sc)
    lp.set_costs(np.arange(lp.num_cols), extract.column_costs(lp, spec))
    assert lp.solve().optimal
    widths = _face_widths(lp, spec)
    assert sum(w > 1.0 for w in widths) >= 20


def test_a_year_alone_and_inside_the_horizon_give_the_same_tables(shipped_inputs):
    sc = resolve(load_inputs(shipped_inputs), "outlook-2023-2030")
    _, _, whole = _solve(sc)
    _, _, alone = _solve(sc.for_years([2025]))
    for name in PERIOD_TABLES:
        w = whole[name]
        w = w[w["period"].astype(str).str.startswith("2025")]
        _frame_close(w, alone[name], KEYS[name])


def test_shuffled_input_rows_give_the_same_tables(shipped_inputs, tmp_path):
    copy = tmp_path / "inputs"
    shutil.copytree(shipped_inputs, copy)
    rng = random.Random(7)
    for name in ("arcs", "nodes", "source_routes", "asset_capacity", "supply", "stores", "prices", "assets", "grades"):
        path = copy / f"{name}.csv"
        head, *rows = path.read_text(encoding="utf-8").splitlines()
        rng.shuffle(rows)
        path.write_text("\n".join([head, *rows]) + "\n", encoding="utf-8")
    a = run_scenario(shipped_inputs, "cpc-outage-2022", power=False).tables
    b = run_scenario(copy, "cpc-outage-2022", power=False).tables
    for name in PERIOD_TABLES:
        _frame_close(a[name], b[name], KEYS[name])


@pytest.mark.parametrize(
    "options",
    [{"simplex_strategy": 4}, {"presolve": "off"}, {"simplex_strategy": 1, "simplex_scale_strategy": 0}],
    ids=["primal-simplex", "no-presolve", "dual-unscaled"],
)
def test_solver_settings_do_not_change_the_answer(shipped_inputs, options):
    sc = resolve(load_inputs(shipped_inputs), "hist-2025")
    _, _, ref = _solve(sc)

    def configure(h):
        for k, v in options.items():
            h.setOptionValue(k, v)

    _, _, got = _solve(sc, configure)
    for name in PERIOD_TABLES:
        _frame_close(ref[name], got[name], KEYS[name])


def test_economic_duals_use_the_same_convention_as_highs(shipped_inputs):
    """duals_for_costs with the LP's own costs returns HiGHS's row duals (the sign convention of shadow_prices)."""
    sc = resolve(load_inputs(shipped_inputs), "cpc-pump-station-2025")
    lp, spec, tables = _solve(sc)
    y = lp.duals_for_costs(lp.costs())
    assert np.abs(y - lp.dual).max() < 1e-9
    # and the reported shadow prices are the economic ones: capacities positive, no tie-break residue
    sp = tables["shadow_prices"]
    assert (sp.loc[sp.constraint == "asset_capacity", "usd_per_t"] > 0).all()
    assert (sp.usd_per_t.abs() > 0.01).all()


@pytest.mark.slow
def test_sweep_tables_are_byte_identical_with_one_or_two_workers(shipped_inputs, tmp_path):
    from energy_routes.sweep import api as sweep_api

    def grid(out, workers):
        return sweep_api.disrupt(
            "outlook-2023-2030",
            inputs_dir=shipped_inputs,
            targets=["cpc_terminal", "cpc_pipeline"],
            remaining="0,0.33,0.7",
            weeks="1,6",
            starts="2027-01..2027-12",
            out=out,
            workers=workers,
            quiet=True,
        )

    a, b = grid(tmp_path / "one", 1), grid(tmp_path / "two", 2)
    for name in ("cases.csv", "route_volumes.csv", "years.csv"):
        ta = pd.read_csv(a / name).sort_values(["case_id"] + (["route", "year"] if name == "route_volumes.csv" else ["year"] if name == "years.csv" else []))
        tb = pd.read_csv(b / name).sort_values(list(ta.columns[:1]) + (["route", "year"] if name == "route_volumes.csv" else ["year"] if name == "years.csv" else []))
        assert ta.to_csv(index=False) == tb.to_csv(index=False), name
    cases = pd.read_csv(a / "cases.csv")
    assert (cases.binding.fillna("") != "").any()  # the comparison includes real binding constraints
