"""Shared fixtures and the hypothesis profile.

The hypothesis profile is fixed (derandomized, no example database, no
deadline) so CI generates the same cases on every run. Select another with
``HYPOTHESIS_PROFILE=dev`` (random draws) when hunting for bugs.

The ``ci`` profile sets no ``max_examples``: each property test sets its own.
tests/test_invariants.py runs ``N_NETWORKS`` = 40 generated networks, each
solved three times (480 LPs against the independent formulation); the
``N_NETWORKS`` environment variable changes the count in either profile.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, settings

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

settings.register_profile(
    "ci",
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
settings.register_profile(
    "dev",
    deadline=None,
    max_examples=500,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

from builders import write_inputs  # noqa: E402

VENV_BIN = Path(sys.executable).parent
CLI = VENV_BIN / "energy-routes"


@pytest.fixture()
def make_inputs(tmp_path):
    """``make_inputs(tables=None, scenario=None, name="in", **kw)`` writes a builder inputs folder under tmp_path."""
    counter = {"n": 0}

    def make(tables=None, scenario=None, name=None, **kw):
        counter["n"] += 1
        return write_inputs(tmp_path / (name or f"in{counter['n']}"), tables, scenario, **kw)

    return make


@pytest.fixture()
def run(make_inputs):
    """``run(tables=None, scenario=None, power=False)`` writes a builder folder and solves scenario 'case'."""
    from energy_routes.api import run_scenario

    def _run(tables=None, scenario=None, *, power=False, **kw):
        folder = make_inputs(tables, scenario, **kw)
        return run_scenario(folder, "case", power=power)

    return _run


@pytest.fixture(scope="session")
def shipped_inputs() -> Path:
    folder = REPO / "inputs"
    if not (folder / "scenarios.yaml").exists():
        pytest.skip("the shipped inputs (inputs/scenarios.yaml) are not there yet")
    return folder
