"""The oil LP loaded from the arrays it is built from is Pyomo's own compilation of the same model.

``compile_oil_model`` (what ``run`` uses) skips Pyomo's ``LinearStandardFormCompiler`` and hands HiGHS
the matrix ``build_oil_model`` made the constraints from; the sweeps, diagnosis and these tests compile
the Pyomo model with the compiler (``CompiledLP(model)``). Both must give HiGHS the very same LP, in the
same order (so the same vertex, the same duals and tables whichever path a run took): same Pyomo member
behind every row and column, same matrix, bounds, costs and sense. Checked on every shipped scenario,
on weekly and daily periods, and on generated networks (tests/test_invariants.py draws them).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings

from builders import write_inputs
from energy_routes.load import load_inputs
from energy_routes.model import build_oil_model, compile_oil_model, compile_oil_spec
from energy_routes.model.registry import model_spec
from energy_routes.model.plan import planned_params as oil_params
from energy_routes.scenario import load_library, resolve
from energy_routes.solve import CompiledLP
from test_invariants import networks


def lp_of(lp: CompiledLP) -> dict:
    """The LP HiGHS holds, with the Pyomo member behind each row and column."""
    h = lp.highs.getLp()
    return {
        "cols": [id(v) for v in lp.columns] if lp.columns is not None else None,
        "rows": [id(c) for c in lp.constraints] if lp.constraints is not None else None,
        "start": np.asarray(h.a_matrix_.start_),
        "index": np.asarray(h.a_matrix_.index_),
        "value": np.asarray(h.a_matrix_.value_),
        "col_lower": np.asarray(h.col_lower_),
        "col_upper": np.asarray(h.col_upper_),
        "cost": np.asarray(h.col_cost_),
        "row_lower": np.asarray(h.row_lower_),
        "row_upper": np.asarray(h.row_upper_),
        "sense": h.sense_,
        "offset": h.offset_,
        "format": h.a_matrix_.format_,
    }


def assert_same_lp(spec) -> None:
    m = build_oil_model(spec)
    direct, compiled = compile_oil_model(m), CompiledLP(m)
    a, b = lp_of(direct), lp_of(compiled)
    assert a["cols"] == b["cols"], "the same columns, in the same order"
    assert a["rows"] == b["rows"], "the same rows, in the same order"
    for key in a:
        if isinstance(a[key], np.ndarray):
            assert np.array_equal(a[key], b[key]), key
        else:
            assert a[key] == b[key], key
    assert direct.num_nonzeros == compiled.num_nonzeros
    assert direct.families() == compiled.families()
    for name in spec.var_keys:
        assert np.array_equal(direct.cols_of(name, len(spec.var_keys[name])), compiled.cols_of(name, len(spec.var_keys[name])))
    # the sweep kernels' LP, loaded with no Pyomo component made: the same LP, and every family's columns and
    # rows where the compiled model has them
    bare = compile_oil_spec(spec)
    c = lp_of(bare)
    for key in a:
        if key in ("cols", "rows"):
            assert len(c[key] or []) == 0 and (bare.num_cols, bare.num_rows) == (len(a["cols"]), len(a["rows"]))
        elif isinstance(a[key], np.ndarray):
            assert np.array_equal(c[key], b[key]), key
        else:
            assert c[key] == b[key], key
    assert bare.families() == compiled.families()
    for name, keys in spec.var_keys.items():
        assert np.array_equal(bare.cols_of(name, len(keys)), compiled.cols_of(name, len(keys))), name
    for name, block in spec.cons.items():
        assert np.array_equal(bare.rows_of(name, len(block.keys)), compiled.rows_of(name, len(block.keys))), name


@pytest.fixture(scope="module")
def shipped():
    return load_inputs("inputs")


@pytest.mark.parametrize("name", sorted(load_library(Path("inputs")).scenarios))
def test_same_lp_on_every_shipped_scenario(shipped, name):
    assert_same_lp(model_spec(oil_params(resolve(shipped, name, (), ()))))


@pytest.mark.parametrize("override", ["weekly", "daily"])
def test_same_lp_on_finer_periods(shipped, override):
    assert_same_lp(model_spec(oil_params(resolve(shipped, "cpc-two-spms-loss", (override,), ()))))


@settings(max_examples=25, deadline=None)
@given(case=networks())
def test_same_lp_on_generated_networks(case):
    tables, scenario = case
    with tempfile.TemporaryDirectory() as tmp:
        inputs = load_inputs(write_inputs(Path(tmp) / "in", tables, scenario))
        assert_same_lp(model_spec(oil_params(resolve(inputs, "case", (), ()))))
