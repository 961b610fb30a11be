"""Infeasibility is explained, and any solver status other than optimal is never written as results.

The hand case: the builder network (tests/builders.py) where route ``spare``
passes the asset ``ship`` (10 Mt/yr, nothing else on it for spare's crude to
avoid). An event halves ``ship`` for the 31 days of March 2023, so ship can
carry 10 − 10 × 0.5 × 31/365 = 9.575342 Mt in 2023. A commitment of 9.8 Mt
through ``spare`` cannot hold: short by 9.8 − 9.575342 = 0.224658 Mt. The
constraints in conflict are that commitment (route_limit[spare, 2023]) and
the twelve monthly capacity rows of ship.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner
from scipy.optimize import linprog

from builders import write_user_scenario
from energy_routes.cli import main
from energy_routes.diagnose import irreducible_subset
from energy_routes.load import load_inputs
from energy_routes.model import build_oil_model
from energy_routes.model.registry import model_spec
from energy_routes.model.plan import planned_params as oil_params
from energy_routes.scenario import resolve
from energy_routes.solve import CompiledLP

SHIP_LEFT_MT = 10 - 10 * 0.5 * 31 / 365  # 9.575342...
COMMITMENT_MT = 9.8
OUTAGE = {"id": "ship-half", "target": "ship", "start": "2023-03-01", "end": "2023-03-31", "remaining": 0.5}


@pytest.fixture()
def conflict(make_inputs):
    return make_inputs(scenario={"route_limits": [{"route": "spare", "min_mt": COMMITMENT_MT}], "events": [OUTAGE]}, name="in")


def test_commitment_above_capacity_left_after_an_outage(conflict, tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")  # rich wraps at 80 columns otherwise
    out = tmp_path / "runs" / "infeasible"
    res = CliRunner().invoke(main, ["run", "case", "--inputs", str(conflict), "--out", str(out), "--no-power"])
    assert res.exit_code == 3, res.output
    err = res.stderr
    assert "Traceback" not in res.output + err
    assert "infeasible" in err
    # the commitment and the capacity holding it back, with their numbers
    assert f"route_limit[spare, 2023] >= {COMMITMENT_MT:.3f} Mt" in err
    assert f"asset_capacity[ship, 2023-01..2023-12] (12 rows, summed) <= {SHIP_LEFT_MT:.3f} Mt, cut by events: 2023-03 at 50%" in err
    assert f"short by {COMMITMENT_MT - SHIP_LEFT_MT:.3f} Mt" in err

    # the run folder holds the diagnosis and a manifest, no result tables
    assert sorted(p.name for p in out.iterdir()) == ["diagnosis.json", "manifest.json"]
    assert json.loads((out / "manifest.json").read_text())["status"] == "Infeasible"
    diag = json.loads((out / "diagnosis.json").read_text())
    (short,) = diag["shortfalls"]
    assert short["route"] == "spare" and short["year"] == 2023
    assert short["shortfall_kt"] == pytest.approx((COMMITMENT_MT - SHIP_LEFT_MT) * 1000, abs=1e-3)
    iis = diag["iis"]
    names = sorted((r["constraint"], r["index"][0], r["bound"]) for r in iis["rows"] if r["constraint"] != "node_balance")
    assert names == sorted([("asset_capacity", "ship", "upper")] * 12 + [("route_limit", "spare", "lower")])
    # and the balances that carry the ship's crude on to the outlet (spare_1, then spare) in every month
    balances = sorted((r["index"][1], r["index"][2]) for r in iis["rows"] if r["constraint"] == "node_balance")
    assert balances == sorted((n, f"2023-{m:02d}") for n in ("spare_1", "spare") for m in range(1, 13))
    by_month = {r["index"][1]: r["value_kt"] for r in iis["rows"] if r["constraint"] == "asset_capacity"}
    assert by_month["2023-03"] == pytest.approx(10000 * 0.5 * 31 / 365, abs=1e-3)
    assert by_month["2023-04"] == pytest.approx(10000 * 30 / 365, abs=1e-3)
    assert sum(by_month.values()) == pytest.approx(SHIP_LEFT_MT * 1000, abs=1e-2)
    assert [r["remaining_after_events"] for r in iis["rows"] if "remaining_after_events" in r] == [0.5]


def test_without_the_outage_the_same_commitment_is_feasible(make_inputs, tmp_path):
    """The control: 9.8 Mt fits in ship's 10 Mt, so it is the outage that makes the conflict."""
    folder = make_inputs(scenario={"route_limits": [{"route": "spare", "min_mt": COMMITMENT_MT}]})
    res = CliRunner().invoke(main, ["run", "case", "--inputs", str(folder), "--out", str(tmp_path / "ok"), "--no-power", "-q"])
    assert res.exit_code == 0, res.output


def _rows_by_name(lp: CompiledLP, spec) -> dict[tuple, int]:
    out = {}
    for i in range(lp.num_rows):
        family, pos = lp.row_label(i)
        key = spec.cons[family].keys[pos]
        out[(family, *[str(v) for v in key])] = i
    return out


def _feasible(lp: CompiledLP, rows: list[int], sides: list[str]) -> bool:
    """Is {x >= 0 : the given rows, on the given sides} feasible?  scipy, not HiGHS-through-the-package."""
    lp_data = lp.highs.getLp()
    from scipy import sparse

    A = sparse.csc_matrix(
        (np.asarray(lp_data.a_matrix_.value_), np.asarray(lp_data.a_matrix_.index_), np.asarray(lp_data.a_matrix_.start_)),
        shape=(lp.num_rows, lp.num_cols),
    ).tocsr()
    ub_rows, ub = [], []
    for i, side in zip(rows, sides):
        if side in ("upper", "both"):
            ub_rows.append(A[i]), ub.append(lp.row_upper[i])
        if side in ("lower", "both"):
            ub_rows.append(-A[i]), ub.append(-lp.row_lower[i])
    bounds = list(zip(np.asarray(lp_data.col_lower_), [None if v >= 1e20 else v for v in np.asarray(lp_data.col_upper_)]))
    res = linprog(np.zeros(lp.num_cols), A_ub=sparse.vstack(ub_rows), b_ub=np.array(ub), bounds=bounds, method="highs")
    assert res.status in (0, 2), res.message
    return res.status == 0


def _check_irreducible(p) -> dict:
    spec = model_spec(p)
    iis = irreducible_subset(spec)
    assert iis.get("rows"), iis
    lp = CompiledLP(build_oil_model(spec))
    pos = _rows_by_name(lp, spec)
    rows = [pos[(r["constraint"], *r["index"])] for r in iis["rows"]]
    sides = [r["bound"] for r in iis["rows"]]
    for r, i in zip(iis["rows"], rows):  # the reported value is the row's bound on that side
        assert r["value_kt"] == pytest.approx(lp.row_upper[i] if r["bound"] == "upper" else lp.row_lower[i], abs=1e-3)
    assert not _feasible(lp, rows, sides), "the subset must be infeasible on its own"
    for k in range(len(rows)):  # and irreducible: drop any one row and the rest can hold
        assert _feasible(lp, rows[:k] + rows[k + 1 :], sides[:k] + sides[k + 1 :]), f"dropping {iis['rows'][k]} leaves it infeasible"
    return iis


@pytest.mark.parametrize(
    "scenario",
    [
        {"route_limits": [{"route": "spare", "min_mt": COMMITMENT_MT}], "events": [OUTAGE]},
        # HiGHS's cheaper strategies (iis_strategy 2, 3) add a needless supply_balance row here
        {"route_limits": [{"route": "spare", "min_mt": 12}], "events": [OUTAGE]},
        {"route_limits": [{"route": "spare", "min_mt": 6}, {"route": "dear", "min_mt": 6}]},
    ],
    ids=["outage", "above-capacity-and-outage", "two-commitments-one-asset"],
)
def test_the_subset_is_infeasible_and_irreducible(make_inputs, scenario):
    p = oil_params(resolve(load_inputs(make_inputs(scenario=scenario)), "case"))
    _check_irreducible(p)


@pytest.mark.slow
def test_the_subset_on_the_shipped_data(shipped_inputs, tmp_path):
    """btc-7mt-2027 without the 12.5 Mt Aktau berths: 7 Mt to BTC + 2 Mt to Makhachkala exceed the tankers."""
    user = write_user_scenario(tmp_path / "no_berths.yaml", {"name": "no-berths", "overrides": ["btc-7mt-2027"]})
    p = oil_params(resolve(load_inputs(shipped_inputs), user))
    iis = _check_irreducible(p)
    fams = {(r["constraint"], r["index"][0]) for r in iis["rows"]}
    assert ("route_limit", "btc") in fams and ("route_limit", "makhachkala") in fams
    assert ("asset_capacity", "trans_caspian_tankers") in fams


def test_a_solver_status_other_than_optimal_is_reported_and_not_written(make_inputs, tmp_path, monkeypatch):
    """HiGHS stopped by an iteration limit (a real HiGHS status, not a mock of it): exit 3, nothing written."""
    import energy_routes.solve as solve

    real = solve.new_highs

    def limited():
        h = real()
        h.setOptionValue("presolve", "off")
        h.setOptionValue("simplex_iteration_limit", 0)
        return h

    monkeypatch.setattr(solve, "new_highs", limited)
    folder = make_inputs()
    out = tmp_path / "runs" / "limited"
    res = CliRunner().invoke(main, ["run", "case", "--inputs", str(folder), "--out", str(out), "--no-power"])
    assert res.exit_code == 3, res.output
    assert "iteration limit" in res.stderr.lower()
    assert "Traceback" not in res.output + res.stderr
    assert not out.exists()
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())
