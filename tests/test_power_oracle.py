"""The power block against PyPSA, an independent formulation of the same network (tests/independent.py).

Objective, generator output (hence curtailment), offtake, link flows, battery
charging, discharging and levels, and in planning mode the optimal capacities,
must agree to 1e-6 (relative for the objective, MW or MWh for the rest) on
generated networks here, and on the shipped power scenarios in
tests/test_power_oracle_shipped.py (a file of its own so the two halves run on
different test workers).
"""

from __future__ import annotations

import numpy as np
import pytest

from builders import random_power_net, union_power_net
from energy_routes.power.run import solve_net
from independent import power_pypsa

pytest.importorskip("pypsa")

ARRAYS = ("p", "q", "f", "ch", "dis", "soc")
CAPACITIES = ("gen_cap", "link_cap", "store_power", "store_energy")
#: element counts of each array family, to cut the union's arrays back into the parts
COUNT = {"p": "gen", "gen_cap": "gen", "q": "off_node", "f": "link", "link_cap": "link", "ch": "store", "dis": "store", "soc": "store",
         "store_power": "store", "store_energy": "store"}


def assert_same(nets: list, tol: float = 1e-6) -> None:
    """Solve each network here, and all of them at once (their disjoint union) in PyPSA; compare part by part."""
    ref = power_pypsa(union_power_net(nets))
    total = 0.0
    start = dict.fromkeys(set(COUNT.values()), 0)
    for net in nets:
        _, sol, d = solve_net(net)
        total += sol.objective
        for name in ARRAYS + CAPACITIES:
            key = COUNT[name]
            k = len(getattr(net, key))
            mine, theirs = getattr(d, name), getattr(ref, name)[start[key]:start[key] + k]
            assert mine.shape == theirs.shape, name
            err = float(np.max(np.abs(mine - theirs), initial=0.0))
            assert err <= tol * max(1.0, float(np.max(np.abs(theirs), initial=0.0))), (name, err)
        # curtailment: what was available and not generated
        g0 = start["gen"]
        theirs_curt = net.gen_avail * ref.gen_cap[g0:g0 + len(net.gen), None] - ref.p[g0:g0 + len(net.gen)]
        mine_curt = net.gen_avail * d.gen_cap[:, None] - d.p
        assert np.abs(mine_curt - theirs_curt).max(initial=0.0) <= tol * max(1.0, float(np.abs(mine_curt).max(initial=0.0)))
        for key in start:
            start[key] += len(getattr(net, key))
    assert total == pytest.approx(ref.objective, rel=tol, abs=tol)


def test_generated_dispatch_matches_pypsa():
    assert_same([random_power_net(seed, 48) for seed in range(30)])


def test_generated_planning_matches_pypsa():
    assert_same([random_power_net(1000 + seed, 48, planning=True) for seed in range(20)])
