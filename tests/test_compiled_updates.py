"""Changing a scenario's numbers in place (mutable parameters pushed into HiGHS) must
give exactly what a fresh build and solve of the changed case gives."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from builders import write_inputs
from energy_routes.load import load_inputs
from energy_routes.model import build_oil_model
from energy_routes.params import oil_params
from energy_routes.scenario import resolve
from energy_routes.solve import CompiledLP


@pytest.fixture()
def base_params(tmp_path: Path):
    folder = write_inputs(tmp_path / "in", scenario={"route_limits": [{"route": "spare", "min_mt": 1}]})
    return oil_params(resolve(load_inputs(folder), "case"))


def fresh_objective(p) -> float:
    lp = CompiledLP(build_oil_model(p))
    sol = lp.solve()
    assert sol.optimal
    return sol.objective


@pytest.mark.parametrize("factor", [0.0, 0.3, 0.77, 1.5])
def test_capacity_update_equals_fresh_solve(base_params, factor):
    m = build_oil_model(base_params)
    lp = CompiledLP(m)
    first = lp.solve().objective
    changed = {k: v * factor if k[0] == "ship" else v for k, v in base_params.asset_cap.items()}
    for k, v in changed.items():
        m.asset_cap[k] = v
    lp.update_rows("asset_capacity")
    if factor == 0.0:
        # spare needs 1 Mt through ship, which now has no capacity: infeasible
        assert not lp.solve().optimal
        return
    warm = lp.solve().objective
    expected = fresh_objective(dataclasses.replace(base_params, asset_cap=changed))
    assert warm == pytest.approx(expected, rel=1e-9, abs=1e-9)
    if factor != 1.0:
        assert warm != pytest.approx(first, rel=1e-6)


def test_limit_update_equals_fresh_solve(base_params):
    m = build_oil_model(base_params)
    lp = CompiledLP(m)
    lp.solve()
    lo = dict(base_params.limit_lo)
    lo[("spare", 2023)] = 4000.0
    m.limit_lo["spare", 2023] = 4000.0
    lp.update_rows("route_limit")
    warm = lp.solve()
    assert warm.optimal
    # by hand: spare takes 4 Mt of the 10 Mt ship capacity at 530 $/t instead of dear at 560 $/t
    # objective = 20000*0.59 + 6000*0.56 + 4000*0.53 - 6500*0.05
    assert warm.objective == pytest.approx(20000 * 0.59 + 6000 * 0.56 + 4000 * 0.53 - 6500 * 0.05, rel=1e-12)
    assert warm.objective == pytest.approx(fresh_objective(dataclasses.replace(base_params, limit_lo=lo)), rel=1e-12)
