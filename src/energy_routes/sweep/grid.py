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
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from ..errors import InputError, Problem
from ..load import load_inputs
from ..extract import column_costs
from ..model.registry import model_spec
from ..schema import ID_PATTERN
from ..model.plan import planned_params
from ..scenario import resolve
from .cases import case_metrics, cases_frame, route_arrays, route_rows, year_arrays, year_rows
from .engine import Job
from .kernel import OilKernel

APPLY_KEYS = {"set", "route_limits", "route_shares", "events", "shut_in_penalty_usd_per_t"}
#: columns of the plan and the cases table a parameter name would clash with
RESERVED_COLUMNS = {"case_id", "scenario_file", "status", "problem"}


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


#: a spec file's name for messages: the path as given (so a shipped spec reads inputs/sweeps/x.yaml)
def _rel(path: Path) -> str:
    return str(path)


def read_spec(path: Path) -> dict:
    """Read and check a sweep spec; every problem names the spec file, the line and the field."""
    from ..scenario.yamlio import line_for, load_yaml

    rel = _rel(Path(path))
    if not Path(path).exists() and not Path(path).is_symlink():
        raise InputError([Problem(str(path), "does not exist; expected a sweep spec (.yaml)")])
    spec, lines = load_yaml(Path(path), rel)
    problems: list[Problem] = []

    def at(*where) -> int | None:
        return line_for(lines, tuple(where))

    if not isinstance(spec, dict):
        raise InputError([Problem(rel, "expected a mapping with 'scenario' and 'parameters'", line=1)])
    unknown = set(spec) - {"scenario", "overrides", "parameters", "description"}
    for k in sorted(map(str, unknown)):
        problems.append(Problem(rel, f"unknown key '{k}'; expected scenario, overrides, parameters, description", line=at(k), column=k))
    if not isinstance(spec.get("scenario"), str) or not spec.get("scenario"):
        problems.append(Problem(rel, "missing 'scenario': the shipped scenario (or .yaml file) the cases start from", line=at("scenario"), column="scenario"))
    ovs = spec.get("overrides")
    if ovs is not None and (not isinstance(ovs, list) or not all(isinstance(o, str) for o in ovs)):
        problems.append(Problem(rel, "expected 'overrides': a list of override names", line=at("overrides"), column="overrides"))
    elif ovs:
        for o in sorted({o for o in ovs if ovs.count(o) > 1}):
            problems.append(Problem(rel, f"override '{o}' is listed twice; its events and limits would be applied twice", line=at("overrides"), column="overrides"))
    params = spec.get("parameters")
    if not isinstance(params, list) or not params:
        problems.append(Problem(rel, "missing 'parameters': a list of {name, values, apply}", line=at("parameters"), column="parameters"))
        params = []
    names = set()
    for i, prm in enumerate(params):
        where = f"parameters[{i}]"
        if not isinstance(prm, dict):
            problems.append(Problem(rel, "expected a mapping {name, values, apply}", line=at("parameters", i), column=where))
            continue
        name = prm.get("name")
        if not isinstance(name, str) or not re.fullmatch(ID_PATTERN, name):
            problems.append(Problem(rel, f"expected 'name': an id (lower-case letters, digits, _), got {name!r}", line=at("parameters", i, "name"), column=f"{where}.name"))
        elif name in names or name in RESERVED_COLUMNS:
            why = "is used twice" if name in names else "is a column of the cases table; choose another name"
            problems.append(Problem(rel, f"parameter name '{name}' {why}", line=at("parameters", i, "name"), column=f"{where}.name"))
        names.add(name)
        vals = prm.get("values")
        if not isinstance(vals, list) or not vals:
            problems.append(Problem(rel, "expected 'values': a non-empty list", line=at("parameters", i, "values"), column=f"{where}.values"))
        else:
            for j, v in enumerate(vals):
                if isinstance(v, bool) or not isinstance(v, (int, float, str)):
                    problems.append(Problem(rel, f"expected a number or a word, got {v!r}", line=at("parameters", i, "values", j), column=f"{where}.values[{j}]"))
                elif isinstance(v, float) and not math.isfinite(v):
                    problems.append(Problem(rel, f"expected a finite number, got {v!r}", line=at("parameters", i, "values", j), column=f"{where}.values[{j}]"))
                elif v in vals[:j]:
                    problems.append(Problem(rel, f"value {v!r} is listed twice; every value gives one case", line=at("parameters", i, "values", j), column=f"{where}.values[{j}]"))
        apply = prm.get("apply")
        if not isinstance(apply, dict) or not apply:
            problems.append(Problem(rel, f"expected 'apply': a mapping with any of {', '.join(sorted(APPLY_KEYS))}", line=at("parameters", i, "apply"), column=f"{where}.apply"))
        else:
            for k in sorted(map(str, set(apply) - APPLY_KEYS)):
                problems.append(Problem(rel, f"cannot apply '{k}'; expected any of {', '.join(sorted(APPLY_KEYS))}", line=at("parameters", i, "apply", k), column=f"{where}.apply.{k}"))
            if "{value}" not in yaml.safe_dump(apply):
                problems.append(Problem(rel, "the apply block never uses {value}, so every value gives the same case", line=at("parameters", i, "apply"), column=f"{where}.apply"))
        extra = set(prm) - {"name", "values", "apply", "description"}
        for k in sorted(map(str, extra)):
            problems.append(Problem(rel, f"unknown key '{k}'", line=at("parameters", i, k), column=f"{where}.{k}"))
    if problems:
        raise InputError(problems)
    return spec


def spec_size(spec: dict) -> int:
    """How many cases a spec makes (the product of its value counts)."""
    return math.prod(len(p["values"]) for p in spec["parameters"])


def _merge_pieces(pieces: list[dict]) -> dict:
    out: dict = {}
    for piece in pieces:
        for k, v in piece.items():
            if isinstance(v, list):
                out[k] = out.get(k, []) + v
            else:
                out[k] = v
    return out


def build_plan(spec: dict, folder: Path, progress: Callable[[int], None] | None = None) -> pd.DataFrame:
    """Every combination of parameter values; writes cases/<case>.yaml and returns the plan.

    ``progress``, if given, is called with the number of case files written so far.
    """
    params = spec["parameters"]
    cases_dir = folder / "cases"
    cases_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    base_scenario = spec["scenario"]
    parent_doc = None
    if Path(base_scenario).suffix in (".yaml", ".yml"):
        from ..scenario.yamlio import load_yaml

        parent_doc = load_yaml(Path(base_scenario), str(base_scenario))[0] or {}
    for n, combo in enumerate(itertools.product(*[p["values"] for p in params]), start=1):
        case = f"c{n:05d}"
        doc: dict = {"name": case, "description": ", ".join(f"{p['name']}={v}" for p, v in zip(params, combo))}
        if parent_doc is not None:
            inline = {k: v for k, v in parent_doc.items() if k not in ("name", "description")}
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
        if progress is not None:
            progress(n)
    return pd.DataFrame(rows)


#: up to this many cases, every case is resolved and checked before the sweep folder is created;
#: beyond it, one case per parameter value, and a case that still turns out invalid is a failed row
CHECK_ALL_UP_TO = 500


def validate_cases(inputs_dir: Path, folder: Path, plan: pd.DataFrame, params: list[dict], spec_rel: str = "the sweep spec", progress: Callable[[int], None] | None = None) -> None:
    """Resolve the cases (all of them up to CHECK_ALL_UP_TO, else one per parameter value); raise every problem at once.

    Problems name the spec, the case and its parameter values, then what is wrong with it.
    """
    inputs = load_inputs(inputs_dir)
    if len(plan) <= CHECK_ALL_UP_TO:
        pick = list(plan["case_id"])
    else:
        pick = []
        for p in params:
            for v in p["values"]:
                pick.append(plan.loc[plan[p["name"]] == v, "case_id"].iloc[0])
        pick = list(dict.fromkeys(pick))
    by_id = plan.set_index("case_id")
    found: dict[tuple, list[str]] = {}
    for n, case in enumerate(pick, start=1):
        try:
            resolve(inputs, folder / "cases" / f"{case}.yaml")
        except InputError as exc:
            for p in exc.problems:
                # the case file is generated (and gone after a failed start): name the setting and the table, not the file
                file = p.file
                if f"{case}.yaml" in file:
                    file = file.split(" as edited by ")[0] + " as edited" if " as edited by " in file else ""
                message = p.message.replace(f"'{case}'", "the case")
                found.setdefault((file, p.column, message), {})[case] = None
        if progress is not None:
            progress(n)
    if found:
        problems = []
        for (file, column, message), cases in found.items():
            where = f"{file}: " if file else ""
            problems.append(Problem(spec_rel, f"{_cases_text(list(cases), by_id, params, len(plan))}: {where}{message}", column=column))
        raise InputError(problems)


def _cases_text(cases: list[str], by_id: pd.DataFrame, params: list[dict], total: int) -> str:
    """'case c00004 (a=1, b=2)', or for several 'cases c00004, c00005, … (3 of 9, all with a=1)'."""
    if len(cases) == 1:
        values = ", ".join(f"{p['name']}={by_id.at[cases[0], p['name']]}" for p in params)
        return f"case {cases[0]} ({values})"
    shared = [f"{p['name']}={by_id.at[cases[0], p['name']]}" for p in params if by_id.loc[cases, p["name"]].nunique() == 1]
    listed = ", ".join(cases[:3]) + (", …" if len(cases) > 3 else "")
    return f"cases {listed} ({len(cases)} of {total}{', all with ' + ', '.join(shared) if shared else ''})"


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
        spec = model_spec(planned_params(scenario))
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
        return {"route_volumes": routes.frame(), "years": years.frame(), "cases": cases_frame(cases)}

    return solve

