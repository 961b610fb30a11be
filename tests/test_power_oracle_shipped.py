"""The shipped power scenarios against PyPSA (the oracle of tests/test_power_oracle.py): the same objective,
flows, storage and curtailment to 1e-6 over a full year of hours, and in planning mode the same capacities."""

from __future__ import annotations

import pytest

from energy_routes.load import load_inputs
from energy_routes.power.params import power_nets
from energy_routes.scenario import resolve
from test_power_oracle import assert_same

pytest.importorskip("pypsa")


#: the headline corridor (Mangystau and Karakalpakstan into Azerbaijan) and the full network (on to Romania over the
#: Black Sea, Azerbaijani offtake allowed). green-corridor-q2-2026 is the first with other capacities and year;
#: the transit-only variant switches Azerbaijan's offtake off, which tests/test_power_hand.py solves by hand.
#: Each full year costs about a minute in PyPSA, so two of the four keep CI inside its budget.
SHIPPED = ["green-corridor-2030", "green-corridor-black-sea-2030"]


@pytest.fixture(scope="module")
def shipped(shipped_inputs):
    inputs = load_inputs(shipped_inputs)

    def nets(name: str):
        return power_nets(resolve(inputs, name))

    return nets


@pytest.mark.slow
def test_shipped_dispatch_matches_pypsa(shipped):
    nets = [net for name in SHIPPED for net in shipped(name)]
    assert len(nets) == len(SHIPPED) and all(not n.status for n in nets)
    assert_same(nets)


@pytest.mark.slow
def test_shipped_planning_matches_pypsa(shipped):
    # the planning mode of the sizing scenario: the same cable and battery sizes as PyPSA
    (net,) = shipped("cable-sizing-2030")
    assert net.planning
    assert_same([net])
