"""The pipeline in one place: inputs -> scenario -> parameters -> models -> HiGHS -> tables.

>>> from energy_routes.api import run_scenario, save_run
>>> result = run_scenario("inputs", "base-2024", power=False)                                  # doctest: +SKIP
>>> result.tables["allocation_annual"]                                                          # doctest: +SKIP
>>> run_scenario("inputs", {"extends": "base-2024", "events": [{"id": "x", "target": "cpc_terminal",
...              "start": "2024-03-01", "weeks": 4, "remaining": 0.3333}]}, power=False)         # doctest: +SKIP
>>> save_run(result, "runs/my-run", "inputs")                                                  # doctest: +SKIP

docs/api.md documents the whole Python interface; examples/api.ipynb runs it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import pyomo_lite  # noqa: F401  (first: Pyomo without scipy.stats & co.)
from . import extract
from .diagnose import diagnose_infeasible, unreachable_commitments
from .errors import SolveError
from .explain import SHORT_ROUTE_NAMES, binding_constraints
from .load import load_inputs
from .model import build_oil_model, compile_oil_model
from .model.registry import ModelSpec, model_spec
from .model.plan import planned_params
from .params import OilParams
from .scenario import Scenario, resolve
from .show import inputs_used
from .solve import Solution
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
    scenario: str | Path | dict,
    overrides: list[str] | tuple[str, ...] = (),
    *,
    power: bool = True,
    extra_pieces: list[tuple[str, dict]] | tuple = (),
) -> RunResult:
    """Load, resolve, build, solve and extract one scenario.

    Parameters
    ----------
    inputs_dir
        The inputs folder (CSV tables and ``scenarios.yaml``).
    scenario
        A shipped scenario name, a path to a scenario ``.yaml`` file, or the same as a dict:
        ``{"name": ..., "extends": "base-2024", "overrides": [...], "events": [...], ...}``
        (keys as in docs/data.md, "Scenarios").
    overrides
        Named overrides added after the scenario's own (``--override``).
    power
        Solve the hourly power block too.
    extra_pieces
        ``(label, settings)`` pairs merged after the overrides, in order (how ``story`` adds an event).

    Returns
    -------
    RunResult
        ``result.tables`` holds the run's tables by name (``allocation_annual``, ``shadow_prices``,
        ``binding_constraints``, ``inputs_netback``, ...); ``result.scenario.notes`` the warnings.

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
        sc = resolve(inputs, scenario, overrides, extra_pieces)
        p = planned_params(sc)
    blocked = unreachable_commitments(p)
    if blocked:
        raise SolveError(f"the oil model of scenario '{sc.name}' is infeasible", "Infeasible", blocked)
    with timer("build"):
        spec = model_spec(p)
        lp = compile_oil_model(build_oil_model(spec))
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
    with timer("explain"):
        tables["binding_constraints"] = binding_constraints(tables["shadow_prices"], sc, SHORT_ROUTE_NAMES)
        tables.update(inputs_used(sc))
    size = {"variables": lp.num_cols, "constraints": lp.num_rows, "nonzeros": lp.num_nonzeros}
    timings = dict(timer.times)
    timings["highs_solve_oil"] = sol.solve_seconds
    return RunResult(sc, p, spec, sol, size, power_runs, tables, timings, money)


def save_run(result: RunResult, out_dir: str | Path, inputs_dir: str | Path, *, report: bool = True) -> Path:
    """Write a result as a run folder (CSV tables, manifest.json and, with ``report``, tables.xlsx,
    report.html and the PNGs), atomically, as ``energy-routes run`` does; returns the folder.

    Raises ``FileExistsError`` when ``out_dir`` exists and is not empty.
    """
    from .writers import manifest_for, write_run

    target = Path(out_dir)

    def finalize(tmp: Path) -> None:
        from .report import build_report

        build_report(tmp, shown_as=target)

    return write_run(target, result.tables, manifest_for(result, Path(inputs_dir), result.scenario.name), finalize=finalize if report else None)
