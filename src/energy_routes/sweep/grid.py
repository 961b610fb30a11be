"""Parameter sweeps from a SPEC.yaml: any grid of capacities, tariffs, prices and commitments.

A spec names a scenario and a list of parameters; every combination of their
values is one case. Each parameter has an ``apply`` block written like a
scenario override (``set`` edits of input tables, ``route_limits``,
``route_shares``, ``events``, ``shut_in_penalty_usd_per_t``) in which the
text ``{value}`` stands for the parameter's value::

    scenario: outlook-2023-2030
    parameters:
      - name: brent_usd_per_bbl
        values: [60, 80, 100]
        apply:
          set: [{table: prices, values: {brent_usd_per_bbl: "{value}"}}]
      - name: aktau_mt
        values: [7.5, 10, 12.5]
        apply:
          set: [{table: asset_capacity, where: {asset: trans_caspian_tankers}, values: {capacity_mt: "{value}"}}]

Each case is written as a scenario file ``cases/<case>.yaml`` in the sweep
folder (``extends`` the spec's scenario), so any case can be re-run alone
with ``energy-routes run``. Scenario lists merge as in scenarios.yaml: events
add to the scenario's own, and route limits in ``apply`` replace the
scenario's for the routes and years they name (docs/data.md).

Solving: one kernel per worker compiled from the spec's scenario; a case
whose LP has the same structure pushes its right-hand sides and objective
coefficients into HiGHS and re-solves warm; a case that changes the
structure (a new route share, a new source-route cap) is built and solved
on its own.
"""

from __future__ import annotations

import hashlib
import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from ..errors import InputError, Problem
from ..load import load_inputs
from ..extract import column_costs
from ..model.registry import model_spec
from ..params import oil_params
from ..scenario import resolve
from .cases import case_metrics, route_arrays, route_rows, year_arrays, year_rows
from .engine import Job
from .kernel import OilKernel

APPLY_KEYS = {"set", "route_limits", "route_shares", "events", "shut_in_penalty_usd_per_t"}


def _sub(obj: Any, value: Any) -> Any:
    if isinstance(obj, str):
        if obj.strip() == "{value}":
            return value
        return obj.replace("{value}", str(value))
    if isinstance(obj, list):
        return [_sub(v, value) for v in obj]
    if isinstance(obj, dict):
        return {k: _sub(v, value) for k, v in obj.items()}
    return obj


def read_spec(path: Path) -> dict:
    """Read and check a sweep spec; every problem names the spec file and the field."""
    rel = Path(path).name
    if not Path(path).exists():
        raise InputError([Problem(str(path), "does not exist; expected a sweep spec (.yaml)")])
    try:
        spec = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError([Problem(rel, f"is not valid YAML: {getattr(exc, 'problem', exc)}", line=mark.line + 1 if mark else None)]) from None
    problems: list[Problem] = []
    if not isinstance(spec, dict):
        raise InputError([Problem(rel, "expected a mapping with 'scenario' and 'parameters'")])
    unknown = set(spec) - {"scenario", "overrides", "parameters", "description"}
    for k in sorted(unknown):
        problems.append(Problem(rel, f"unknown key '{k}'; expected scenario, overrides, parameters, description", column=k))
    if not isinstance(spec.get("scenario"), str):
        problems.append(Problem(rel, "missing 'scenario': the shipped scenario (or .yaml file) the cases start from", column="scenario"))
    params = spec.get("parameters")
    if not isinstance(params, list) or not params:
        problems.append(Problem(rel, "missing 'parameters': a list of {name, values, apply}", column="parameters"))
        params = []
    names = set()
    for i, prm in enumerate(params):
        where = f"parameters[{i}]"
        if not isinstance(prm, dict):
            problems.append(Problem(rel, "expected a mapping {name, values, apply}", column=where))
            continue
        name = prm.get("name")
        if not isinstance(name, str) or not name:
            problems.append(Problem(rel, "missing 'name'", column=f"{where}.name"))
        elif name in names:
            problems.append(Problem(rel, f"parameter name '{name}' is used twice", column=f"{where}.name"))
        names.add(name)
        vals = prm.get("values")
        if not isinstance(vals, list) or not vals:
            problems.append(Problem(rel, "expected 'values': a non-empty list", column=f"{where}.values"))
        apply = prm.get("apply")
        if not isinstance(apply, dict) or not apply:
            problems.append(Problem(rel, f"expected 'apply': a mapping with any of {', '.join(sorted(APPLY_KEYS))}", column=f"{where}.apply"))
        else:
            for k in sorted(set(apply) - APPLY_KEYS):
                problems.append(Problem(rel, f"cannot apply '{k}'; expected any of {', '.join(sorted(APPLY_KEYS))}", column=f"{where}.apply.{k}"))
            if "{value}" not in yaml.safe_dump(apply):
                problems.append(Problem(rel, "the apply block never uses {value}, so every value gives the same case", column=f"{where}.apply"))
        extra = set(prm) - {"name", "values", "apply", "description"}
        for k in sorted(extra):
            problems.append(Problem(rel, f"unknown key '{k}'", column=f"{where}.{k}"))
    if problems:
        raise InputError(problems)
    return spec


def _merge_pieces(pieces: list[dict]) -> dict:
    out: dict = {}
    for piece in pieces:
        for k, v in piece.items():
            if isinstance(v, list):
                out[k] = out.get(k, []) + v
            else:
                out[k] = v
    return out


def build_plan(spec: dict, folder: Path) -> pd.DataFrame:
    """Every combination of parameter values; writes cases/<case>.yaml and returns the plan."""
    params = spec["parameters"]
    cases_dir = folder / "cases"
    cases_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    base_scenario = spec["scenario"]
    for n, combo in enumerate(itertools.product(*[p["values"] for p in params]), start=1):
        case = f"c{n:05d}"
        doc: dict = {"name": case, "description": ", ".join(f"{p['name']}={v}" for p, v in zip(params, combo))}
        if Path(base_scenario).suffix in (".yaml", ".yml"):
            parent = yaml.safe_load(Path(base_scenario).read_text(encoding="utf-8")) or {}
            inline = {k: v for k, v in parent.items() if k not in ("name", "description")}
            doc.update({k: v for k, v in inline.items() if k in ("extends", "overrides")})
            pieces = [{k: v for k, v in inline.items() if k not in ("extends", "overrides")}]
        else:
            doc["extends"] = base_scenario
            pieces = []
        if spec.get("overrides"):
            doc["overrides"] = list(doc.get("overrides", [])) + list(spec["overrides"])
        pieces += [_sub(p["apply"], v) for p, v in zip(params, combo)]
        doc.update(_merge_pieces(pieces))
        path = cases_dir / f"{case}.yaml"
        path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
        rows.append({"case_id": case, **{p["name"]: v for p, v in zip(params, combo)}, "scenario_file": f"cases/{case}.yaml"})
    return pd.DataFrame(rows)


def validate_cases(inputs_dir: Path, folder: Path, plan: pd.DataFrame, params: list[dict]) -> None:
    """Resolve enough cases that every value of every parameter is checked once (all cases if few)."""
    inputs = load_inputs(inputs_dir)
    if len(plan) <= 200:
        pick = list(plan["case_id"])
    else:
        pick = []
        for p in params:
            for v in p["values"]:
                pick.append(plan.loc[plan[p["name"]] == v, "case_id"].iloc[0])
        pick = list(dict.fromkeys(pick))
    problems: list[Problem] = []
    for case in pick:
        try:
            resolve(inputs, folder / "cases" / f"{case}.yaml")
        except InputError as exc:
            problems += exc.problems
    if problems:
        raise InputError(list(dict.fromkeys(problems)))


def _signature(spec) -> str:
    """What must match for a case to reuse the compiled LP: every family's keys and coefficients."""
    h = hashlib.blake2b(digest_size=16)
    for name, keys in spec.var_keys.items():
        h.update(repr((name, keys)).encode())
    for name, block in spec.cons.items():
        h.update(repr((name, block.keys)).encode())
        for t in block.terms:
            h.update(t.var.encode())
            for a in (t.row, t.col, t.coef):
                h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()


class ParamKernel:
    """Push a whole case's row bounds and objective into the compiled LP of the spec's scenario.

    Bounds and costs come from the case's own :class:`~energy_routes.model.registry.ModelSpec`,
    so nothing about a family is written here; a case whose keys or coefficients differ
    (a new share, a new source-route cap) is built and solved on its own.
    """

    def __init__(self, scenario):
        self.kernel = OilKernel(scenario)
        self.signature = _signature(self.kernel.spec)

    def solve(self, scenario):
        """Solve one case; returns (kernel the outcome belongs to, outcome)."""
        spec = model_spec(oil_params(scenario))
        if _signature(spec) != self.signature:
            own = OilKernel(scenario)  # a different LP: build it for this case alone
            return own, own.baseline
        k = self.kernel
        lp = k.lp
        lower, upper = k.base_lower.copy(), k.base_upper.copy()
        for name, block in spec.cons.items():
            pos = lp.rows_of(name, len(block.keys))
            ok = pos >= 0
            lower[pos[ok]], upper[pos[ok]] = block.lower[ok], block.upper[ok]
        out = k.solve_all_rows(lower, upper, cost=column_costs(lp, spec, tie_break=True), econ=column_costs(lp, spec), penalty=spec.params.penalty)
        return k, out


def make_worker(job: Job):
    pl = job.payload
    inputs_dir = Path(pl["inputs"])
    folder = Path(pl["folder"])
    state: dict = {}

    def solve(chunk: list[dict]) -> dict[str, pd.DataFrame]:
        if "inputs" not in state:
            state["inputs"] = load_inputs(inputs_dir)
            state["pk"] = ParamKernel(resolve(state["inputs"], pl["scenario"], pl["overrides"]))
        pk: ParamKernel = state["pk"]
        base = pk.kernel.baseline
        cases, routes, years = [], route_rows(pk.kernel), year_rows(pk.kernel)
        for rec in chunk:
            sc = resolve(state["inputs"], folder / rec["scenario_file"])
            k, out = pk.solve(sc)
            # losses are measured against the spec's scenario, not the case's own optimum
            cases.append({"case_id": rec["case_id"], **case_metrics(k, out, base=base)})
            if out.optimal and len(out.route_mt) == len(base.route_mt):
                routes.add({"case_id": rec["case_id"]}, route_arrays(k, out, base))
                years.add({"case_id": rec["case_id"]}, year_arrays(k, out, base))
        return {"route_volumes": routes.frame(), "years": years.frame(), "cases": pd.DataFrame(cases)}

    return solve

