"""The power LP loaded from its builder's matrix form equals Pyomo's own compilation of the same model.

``compile_power_model`` skips Pyomo's expression walk by loading the sparse blocks the ``define_*``
functions built the constraints from; this checks, on generated networks (dispatch and planning) and a
shipped one, that HiGHS receives the same LP as ``CompiledLP(model)`` (the compiler's reading of the
Pyomo components): same rows and columns, matrix, bounds and costs, hence the same optimum (the PyPSA oracle tests solve it).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from builders import random_power_net
from energy_routes.power.model import build_power_model, compile_power_model
from energy_routes.solve import CompiledLP


def lp_parts(lp: CompiledLP) -> dict:
    """The LP HiGHS holds, with the Pyomo member behind each row and column."""
    h = lp.highs.getLp()
    A = sp.csc_matrix((np.asarray(h.a_matrix_.value_), np.asarray(h.a_matrix_.index_), np.asarray(h.a_matrix_.start_)), shape=(h.num_row_, h.num_col_))
    return {
        "cols": [id(v) for v in lp.columns], "rows": [id(c) for c in lp.constraints], "A": A,
        "col": np.column_stack([h.col_lower_, h.col_upper_, h.col_cost_]), "row": np.column_stack([h.row_lower_, h.row_upper_]),
        "sense": h.sense_,
    }


def assert_same_lp(net) -> None:
    m, matrix = build_power_model(net)
    direct, compiled = lp_parts(compile_power_model(m, matrix)), lp_parts(CompiledLP(m))
    assert direct["sense"] == compiled["sense"]
    # put the direct LP's rows and columns in the compiler's order (the orders may differ)
    col_at = {c: j for j, c in enumerate(direct["cols"])}
    row_at = {r: i for i, r in enumerate(direct["rows"])}
    cols = np.array([col_at[c] for c in compiled["cols"]])
    rows = np.array([row_at[r] for r in compiled["rows"]])
    assert len(rows) == len(direct["rows"]), "the same rows"
    A = direct["A"].tocsr()[rows][:, cols]
    assert (A != compiled["A"]).nnz == 0, "the same matrix"
    assert np.array_equal(direct["row"][rows], compiled["row"]), "the same row bounds"
    assert np.array_equal(direct["col"][cols], compiled["col"]), "the same column bounds and costs"
    # the compiler drops a column in no row and without cost; the direct form keeps it, free of everything
    dropped = np.setdiff1d(np.arange(len(direct["cols"])), cols)
    assert direct["A"][:, dropped].nnz == 0 and not direct["col"][dropped, 2].any()


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), planning=st.booleans())
def test_matrix_form_equals_compiler_on_generated_networks(seed, planning):
    assert_same_lp(random_power_net(seed, planning=planning))


def test_matrix_form_equals_compiler_on_a_shipped_network():
    from energy_routes.load import load_inputs
    from energy_routes.power.params import power_nets
    from energy_routes.scenario import resolve

    net = next(n for n in power_nets(resolve(load_inputs("inputs"), "green-corridor-black-sea-2030", (), ())) if not n.status)
    assert_same_lp(net)
