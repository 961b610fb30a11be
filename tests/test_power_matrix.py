"""The power LP loaded from its builder's matrix form equals Pyomo's own compilation of the same model.

``compile_power_model`` skips Pyomo's expression walk by loading the sparse blocks the ``define_*``
functions built the constraints from; this checks, on generated networks (dispatch and planning) and a
shipped one, that HiGHS receives the same LP as ``CompiledLP(model)`` (the compiler's reading of the
Pyomo components): same rows and columns, matrix, bounds and costs, hence the same optimum.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builders import random_power_net
from energy_routes.power.model import build_power_model, compile_power_model
from energy_routes.solve import CompiledLP


def lp_arrays(lp: CompiledLP) -> dict:
    """The LP HiGHS holds, with rows and columns keyed by their Pyomo members (orders may differ)."""
    h = lp.highs.getLp()
    cols = [id(v) for v in lp.columns]
    rows = [id(c) for c in lp.constraints]
    start, index, value = (np.asarray(x) for x in (h.a_matrix_.start_, h.a_matrix_.index_, h.a_matrix_.value_))
    entries = {}
    for j, col in enumerate(cols):
        for k in range(start[j], start[j + 1]):
            if value[k] != 0.0:
                entries[(rows[index[k]], col)] = float(value[k])
    return {
        "entries": entries,
        "col": {c: (lo, up, cost) for c, lo, up, cost in zip(cols, h.col_lower_, h.col_upper_, h.col_cost_)},
        "row": {r: (lo, up) for r, lo, up in zip(rows, h.row_lower_, h.row_upper_)},
        "sense": h.sense_,
    }


def assert_same_lp(net) -> None:
    m, matrix = build_power_model(net)
    direct, compiled = lp_arrays(compile_power_model(m, matrix)), lp_arrays(CompiledLP(m))
    assert direct["sense"] == compiled["sense"]
    assert direct["entries"] == pytest.approx(compiled["entries"], rel=0, abs=0)
    assert direct["row"] == compiled["row"]
    # the compiler drops a column in no row and without cost; the direct form keeps it, free of everything
    for col, bounds in direct["col"].items():
        if col in compiled["col"]:
            assert bounds == compiled["col"][col]
        else:
            assert bounds[2] == 0.0 and not any(key[1] == col for key in direct["entries"])
    assert set(compiled["col"]) <= set(direct["col"])


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), planning=st.booleans())
def test_matrix_form_equals_compiler_on_generated_networks(seed, planning):
    assert_same_lp(random_power_net(seed, planning=planning))


def test_matrix_form_equals_compiler_and_optimum_on_a_shipped_network():
    from energy_routes.load import load_inputs
    from energy_routes.power.params import power_nets
    from energy_routes.scenario import resolve

    net = next(n for n in power_nets(resolve(load_inputs("inputs"), "green-corridor-black-sea-2030", (), ())) if not n.status)
    assert_same_lp(net)
    m, matrix = build_power_model(net)
    a, b = compile_power_model(m, matrix).solve(), CompiledLP(m).solve()
    assert a.optimal and b.optimal
    assert a.objective == pytest.approx(b.objective, rel=1e-9)
