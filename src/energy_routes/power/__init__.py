"""The power block: an hourly network of nodes, links, stores and offtake (docs/model.md §2).

``solve_power(scenario, timer)`` is the one entry point the pipeline calls:
parameters (:mod:`.params`) -> Pyomo model (:mod:`.model`) -> HiGHS
(:mod:`.run`) -> tables (:mod:`.extract`). Input checks live in :mod:`.checks`
and cable faults for ``risk`` in :mod:`.risk`. Importing this package is
cheap: the model modules load only when a power LP is solved.
"""

from __future__ import annotations


def solve_power(scenario, timer):
    """Solve every (power year, weather year) of ``scenario``: see :func:`.run.solve_power`."""
    from .run import solve_power as _solve

    return _solve(scenario, timer)


def empty_power_tables():
    """The power tables with their columns and no rows (runs without the power block)."""
    from .extract import power_tables

    return power_tables([], [])
