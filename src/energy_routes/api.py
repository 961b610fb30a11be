"""The pipeline in one place: inputs -> scenario -> parameters -> models -> HiGHS -> tables.

>>> from energy_routes.api import run_scenario
>>> result = run_scenario("inputs", "base-2024")          # doctest: +SKIP
>>> result.tables["allocation_annual"]                     # doctest: +SKIP
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import extract
from .diagnose import diagnose_infeasible, unreachable_commitments
from .errors import SolveError
from .load import load_inputs
from .model import build_oil_model
from .model.registry import ModelSpec, model_spec
from .params import OilParams, oil_params
from .scenario import Scenario, resolve
from .solve import CompiledLP, Solution
from .writers import TABLE_NAMES

@dataclass
class RunResult:
    """Everything a run produced, before anything is written."""

    scenario: Scenario
    params: OilParams
    spec: ModelSpec
    oil: Solution
    oil_size: dict[str, int]
    power: list[dict] = field(default_factory=list)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    economics: dict[str, float] = field(default_factory=dict)  # M$: revenue, tariffs, netback, penalty, objective, tie_break

    @property
    def objective_musd(self) -> float:
        """What the oil block maximises, M$: export netback less the shut-in penalty (docs/model.md §1)."""
        return self.economics["objective_musd"]

    @property
    def netback_musd(self) -> float:
        return self.economics["netback_musd"]

    @property
    def lp_objective_musd(self) -> float:
        """The LP's optimum, M$: ``objective_musd`` less the tie-break (a few tenths of a cent per tonne)."""
        return self.oil.objective / 1000.0


class Timer:
    """Accumulates wall time per named stage: ``with timer("build"): ...``."""

    def __init__(self) -> None:
        self.times: dict[str, float] = {}

    @contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.times[stage] = self.times.get(stage, 0.0) + time.perf_counter() - t0


def run_scenario(
    inputs_dir: str | Path,
    scenario: str | Path,
    overrides: list[str] | tuple[str, ...] = (),
    *,
    power: bool = True,
) -> RunResult:
    """Load, resolve, build, solve and extract one scenario.

    Raises
    ------
    InputError
        when the inputs or the scenario are invalid (nothing is solved).
    SolveError
        when HiGHS does not return an optimal solution; for an infeasible
        model ``diagnosis`` names the conflicting constraints.
    """
    timer = Timer()
    with timer("load"):
        inputs = load_inputs(inputs_dir)
        sc = resolve(inputs, scenario, overrides)
        p = oil_params(sc)
    blocked = unreachable_commitments(p)
    if blocked:
        raise SolveError(f"the oil model of scenario '{sc.name}' is infeasible", "Infeasible", blocked)
    with timer("build"):
        spec = model_spec(p)
        lp = CompiledLP(build_oil_model(spec))
    with timer("solve"):
        sol = lp.solve()
    if not sol.optimal:
        diagnosis = diagnose_infeasible(spec) if "nfeasible" in sol.status else {}
        raise SolveError(f"the oil model of scenario '{sc.name}' is {sol.status.lower()}", sol.status, diagnosis)
    with timer("extract"):
        tables = extract.oil_tables(lp, spec)
        money = extract.economics(lp, spec)
    power_runs: list[dict] = []
    if power:
        from .power import solve_power

        power_runs, power_out = solve_power(sc, timer)
    else:
        from .power import empty_power_tables

        power_out = empty_power_tables()
    tables.update(power_out)
    tables = {name: tables[name] for name in TABLE_NAMES}
    size = {"variables": lp.num_cols, "constraints": lp.num_rows, "nonzeros": lp.num_nonzeros}
    timings = dict(timer.times)
    timings["highs_solve_oil"] = sol.solve_seconds
    return RunResult(sc, p, spec, sol, size, power_runs, tables, timings, money)
