"""The power block: trans-Caspian (and Black Sea) cable dispatch, hour by hour (docs/model.md §2).

``solve_power(scenario, timer)`` is the one entry point the pipeline calls:
parameters (:mod:`.params`) -> Pyomo model (:mod:`.model`) -> HiGHS -> tables (:mod:`.extract`).
"""

from __future__ import annotations

from ..errors import SolveError
from ..solve import CompiledLP
from .extract import power_tables
from .model import build_power_model
from .params import power_params


def solve_power(scenario, timer) -> tuple[list[dict], dict]:
    """Solve every power year of ``scenario``; returns (one record per year, {"power_annual", "power_hourly"})."""
    runs, solved = [], []
    for py in power_params(scenario):
        with timer("build"):
            plp = CompiledLP(build_power_model(py))
        with timer("solve"):
            psol = plp.solve()
        if not psol.optimal:
            raise SolveError(f"the power model of {py.year} is {psol.status.lower()}", psol.status)
        solved.append((py, plp))
        runs.append(
            {"year": py.year, "status": psol.status, "objective_gwh": psol.objective, "variables": plp.num_cols, "constraints": plp.num_rows, "solve_seconds": psol.solve_seconds}
        )
    with timer("extract"):
        annual, hourly = power_tables(solved)
    return runs, {"power_annual": annual, "power_hourly": hourly}
