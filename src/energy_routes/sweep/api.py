"""Entry points behind ``energy-routes disrupt``, ``risk`` and ``sweep``: one function each.

Each builds (or, with ``resume``, re-reads) the plan, runs the cases through
:func:`~.engine.run_cases` and consolidates the folder with
:func:`~.runner.finish`. They return the folder; errors are
:class:`~energy_routes.errors.InputError` (bad request, exit 2) and
:class:`~.engine.Interrupted` (exit 130, finished cases kept).
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import pandas as pd

from ..errors import InputError, Problem
from ..load import load_inputs
from ..scenario import resolve
from . import disrupt as dis
from . import risk as rsk
from . import runner
from .engine import Job, run_cases
from .hazards import load_hazards


def _job_id(request: dict) -> str:
    return hashlib.sha256(json.dumps(request, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _run(job: Job, plan: pd.DataFrame, store, timings: dict, description: str, **kw) -> dict[str, pd.DataFrame]:
    """Run the plan's missing cases; the per-case tables of the store, joined to the plan."""
    t1 = time.perf_counter()
    run_cases(job, plan, store, description=description, **kw)
    timings["cases"] = time.perf_counter() - t1
    return {
        "cases": plan.merge(store.table("cases"), on="case_id", how="left", suffixes=("", "_result")).sort_values("case_id"),
        "route_volumes": store.table("route_volumes"),
        "years": store.table("years"),
    }


def _scenario(inputs_dir: Path, scenario: str, overrides) -> tuple:
    inputs = load_inputs(inputs_dir)
    sc = resolve(inputs, scenario, list(overrides))
    for note in sc.notes:
        _note(note)
    return inputs, sc


def _note(text: str) -> None:
    """A warning about the resolved scenario on stderr (masked or replaced limits), even when quiet."""
    from rich.console import Console
    from rich.markup import escape

    Console(stderr=True).print(f"[yellow]note:[/yellow] {escape(text)}", highlight=False, soft_wrap=True)


def _oil_ids(sc) -> set[str]:
    inp = sc.inputs
    assets = set(inp["assets"].loc[inp["assets"]["block"] == "oil", "asset"])
    return assets | set(inp["routes"]["route"]) | set(inp["sources"]["source"])


def disrupt(
    scenario: str | None = None,
    *,
    inputs_dir: Path = Path("inputs"),
    overrides=(),
    targets=(),
    remaining: str = "0,0.33,0.5,0.67",
    weeks: str = "1,2,4,8,13",
    starts: str | None = None,
    out: Path | None = None,
    workers: int = 1,
    dask: str | None = None,
    quiet: bool = False,
    resume_dir: Path | None = None,
) -> Path:
    """A grid of disruption cases on top of ``scenario``."""
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    if resume_dir:
        request, plan, store = runner.resume(resume_dir)
        inputs, sc = _scenario(Path(request["inputs"]), request["scenario"], request["overrides"])
        runner.check_hashes(request, inputs.hashes)
        folder = Path(resume_dir)
    else:
        if not scenario:
            raise InputError([Problem("SCENARIO", "missing; give a scenario name or .yaml file, or --resume RUN_DIR")])
        if not targets:
            raise InputError([Problem("--asset", "missing; name at least one asset, route or source to disrupt (e.g. --asset cpc_terminal)")])
        inputs, sc = _scenario(inputs_dir, scenario, overrides)
        known = _oil_ids(sc)
        bad = [t for tgt in targets for t in tgt.split("+") if t not in known]
        if bad:
            raise InputError([Problem("--asset", f"unknown target '{b}'; expected one of the oil assets, routes or sources: {', '.join(sorted(known))}") for b in bad])
        rem = dis.parse_floats(remaining, "--remaining", 0.0, 1.0)
        wks = dis.parse_floats(weeks, "--weeks", 1 / 7, 520)
        st = dis.parse_starts(starts or f"{sc.months[0]}..{sc.months[-1]}")
        first, last = sc.months[0].start_time, dis.horizon_end(sc)
        outside = [s for s in st if s < first or s > last]
        if outside:
            raise InputError([Problem("--start", f"{outside[0]:%Y-%m-%d} is outside the horizon of '{sc.name}' ({sc.months[0]} to {sc.months[-1]})")])
        plan = dis.build_plan(list(targets), rem, wks, st, last)
        request = {
            "kind": "disrupt",
            "scenario": scenario,
            "scenario_name": sc.name,
            "inputs": str(Path(inputs_dir).resolve()),
            "overrides": list(overrides),
            "targets": list(targets),
            "remaining": rem,
            "weeks": wks,
            "starts": [s.strftime("%Y-%m-%d") for s in st],
            "input_hashes": inputs.hashes,
            "scenario_resolved": sc.resolved,
            "title": f"Disruption sweep on {sc.name}",
        }
        folder = Path(out) if out else runner.default_sweep_dir("disrupt", sc.name)
        store = runner.start(folder, request, plan)
    timings["setup"] = time.perf_counter() - t0
    job = Job(_job_id({k: request[k] for k in ("scenario", "overrides", "targets", "input_hashes")}), dis.make_worker, {"scenario": sc, "targets": dis.unique_targets(request["targets"])})
    tables = _run(job, plan, store, timings, "disruption cases", workers=workers, dask=dask, quiet=quiet)
    cases = tables["cases"]
    tables["cases"] = cases.drop(columns=["events"])
    tables["route_volumes"] = tables["route_volumes"].sort_values(["case_id", "route", "year"])
    tables["years"] = tables["years"].sort_values(["case_id", "year"])
    piv = dis.pivots(cases)
    for name, pv in piv.items():
        tables[name] = pv.reset_index().rename(columns=lambda c: str(c))
    return runner.finish(folder, request, plan, tables, timings, heatmaps={dis.pivot_title(k): v for k, v in piv.items()})


def risk(
    scenario: str | None = None,
    *,
    inputs_dir: Path = Path("inputs"),
    overrides=(),
    levers=(),
    draws: int = 1000,
    seed: int = 20240217,
    es_level: float = 0.95,
    out: Path | None = None,
    workers: int = 1,
    dask: str | None = None,
    quiet: bool = False,
    resume_dir: Path | None = None,
    power_draws: int = 0,
) -> Path:
    """Monte Carlo over the hazard model, for the scenario and each lever (and cable faults in its power block: ``power_draws``)."""
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    if resume_dir:
        request, plan, store = runner.resume(resume_dir)
        folder = Path(resume_dir)
        inputs_dir = Path(request["inputs"])
    else:
        if not scenario:
            raise InputError([Problem("SCENARIO", "missing; give a scenario name or .yaml file, or --resume RUN_DIR")])
        if draws < 1:
            raise InputError([Problem("--draws", f"{draws} is not a positive number of draws")])
        if not 0.5 <= es_level < 1:
            raise InputError([Problem("--es-level", f"{es_level:g} is outside [0.5, 1)")])
    inputs = load_inputs(inputs_dir)
    req_overrides = request["overrides"] if resume_dir else list(overrides)
    req_levers = request["levers"] if resume_dir else list(levers)
    scenario_arg = request["scenario"] if resume_dir else scenario
    from ..scenario import load_library

    library = load_library(inputs_dir)
    variants = {rsk.NO_LEVER: resolve(inputs, scenario_arg, req_overrides)}
    sc = variants[rsk.NO_LEVER]
    for note in sc.notes:
        _note(note)
    for lv in req_levers:
        if lv == rsk.NO_LEVER:
            raise InputError([Problem("--lever", f"'{rsk.NO_LEVER}' is the reference and is always included")])
        if lv in library.overrides:  # an override added to the scenario
            variants[lv] = resolve(inputs, scenario_arg, [*req_overrides, lv])
        elif lv in library.scenarios:  # or a whole alternative scenario
            variants[lv] = resolve(inputs, lv, req_overrides)
        else:
            raise InputError([Problem("--lever", f"unknown lever '{lv}'; expected a named override ({', '.join(library.overrides)}) or scenario ({', '.join(library.scenarios)})")])
        for note in variants[lv].notes:
            _note(f"lever '{lv}': {note}")
        if list(variants[lv].months) != list(sc.months):
            raise InputError([Problem("--lever", f"'{lv}' has the horizon {variants[lv].months[0]}..{variants[lv].months[-1]}, not that of '{sc.name}' ({sc.months[0]}..{sc.months[-1]}); the draws must cover the same months")])
    hazards, hz_hashes = load_hazards(inputs_dir, _oil_ids(sc))
    hashes = {**inputs.hashes, **hz_hashes}
    if resume_dir:
        runner.check_hashes(request, hashes)
    else:
        request = {
            "kind": "risk",
            "scenario": scenario,
            "scenario_name": sc.name,
            "inputs": str(Path(inputs_dir).resolve()),
            "overrides": req_overrides,
            "levers": req_levers,
            "draws": int(draws),
            "seed": int(seed),
            "es_level": float(es_level),
            "input_hashes": hashes,
            "scenario_resolved": sc.resolved,
            "title": f"Disruption risk on {sc.name}",
        }
        plan = rsk.build_plan(req_levers, int(draws), sc.years)
        folder = Path(out) if out else runner.default_sweep_dir("risk", sc.name)
        store = runner.start(folder, request, plan)
    start, end = sc.months[0].start_time, dis.horizon_end(sc)
    payload = {"scenarios": variants, "hazards": hazards, "seed": request["seed"], "start": str(start.date()), "end": str(end.date())}
    job = Job(_job_id({k: request[k] for k in ("scenario", "overrides", "levers", "seed", "input_hashes")}), rsk.make_worker, payload)
    timings["setup"] = time.perf_counter() - t0
    got = _run(job, plan, store, timings, "Monte Carlo draws", workers=workers, dask=dask, quiet=quiet)
    cases = got["cases"].drop(columns=["year_result"], errors="ignore").sort_values(["lever", "draw"])
    years = got["years"].sort_values(["lever", "draw", "year"])
    ok = cases[cases["status"] == "Optimal"]
    # each simulated year's netback without disruption, summed over the horizon's years
    per_year = (ok["netback_musd"] + ok["lost_netback_musd"]).groupby([ok["lever"], ok["year"]]).first()
    base_netback = per_year.groupby(level=0).sum().to_dict()
    summary = rsk.summarise(years, base_netback, request["es_level"])
    by_year = years.groupby(["lever", "year"], sort=True).agg(
        draws=("draw", "size"),
        mean_extra_shut_in_mt=("extra_shut_in_mt", "mean"),
        p90_extra_shut_in_mt=("extra_shut_in_mt", lambda v: v.quantile(0.9)),
        mean_lost_netback_musd=("lost_netback_musd", "mean"),
        p90_lost_netback_musd=("lost_netback_musd", lambda v: v.quantile(0.9)),
    ).reset_index()
    tables = {"risk_summary": summary, "risk_by_year": by_year, "cases": cases, "years": years}
    if power_draws:  # cable faults in the scenario's power block (docs/model.md §2)
        from ..power.risk import power_risk

        t1 = time.perf_counter()
        power_tables, power_hashes = power_risk(sc, inputs_dir, int(power_draws), request["seed"], request["es_level"])
        tables.update(power_tables)
        request["input_hashes"].update(power_hashes)
        timings["power_draws"] = time.perf_counter() - t1
    return runner.finish(folder, request, plan, tables, timings)


def sweep(
    spec_path: Path | None = None,
    *,
    inputs_dir: Path = Path("inputs"),
    out: Path | None = None,
    workers: int = 1,
    dask: str | None = None,
    quiet: bool = False,
    resume_dir: Path | None = None,
) -> Path:
    """Every combination of the parameter values in a sweep spec."""
    from . import grid

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    if resume_dir:
        request, plan, store = runner.resume(resume_dir)
        folder = Path(resume_dir)
        inputs = load_inputs(request["inputs"])
        runner.check_hashes(request, inputs.hashes)
    else:
        if spec_path is None:
            raise InputError([Problem("SPEC", "missing; give a sweep spec .yaml, or --resume RUN_DIR")])
        spec = grid.read_spec(spec_path)
        inputs, sc = _scenario(inputs_dir, spec["scenario"], spec.get("overrides") or [])
        folder = Path(out) if out else runner.default_sweep_dir("sweep", Path(spec_path).stem)
        runner.check_free(folder)  # before the cases are staged and checked
        staging = folder.with_name(f".{folder.name}.plan")
        import shutil

        shutil.rmtree(staging, ignore_errors=True)
        try:
            plan = grid.build_plan(spec, staging)
            grid.validate_cases(inputs_dir, staging, plan, spec["parameters"])
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        request = {
            "kind": "sweep",
            "spec": spec,
            "spec_file": str(Path(spec_path).resolve()),
            "scenario": spec["scenario"],
            "scenario_name": sc.name,
            "inputs": str(Path(inputs_dir).resolve()),
            "overrides": list(spec.get("overrides") or []),
            "input_hashes": inputs.hashes,
            "scenario_resolved": sc.resolved,
            "title": f"Parameter sweep on {sc.name}",
        }
        store = runner.start(folder, request, plan)
        shutil.move(str(staging / "cases"), str(folder / "cases"))
        shutil.rmtree(staging, ignore_errors=True)
    payload = {"inputs": request["inputs"], "scenario": request["scenario"], "overrides": request["overrides"], "folder": str(folder.resolve())}
    job = Job(_job_id({k: request[k] for k in ("spec", "input_hashes")}), grid.make_worker, payload)
    timings["setup"] = time.perf_counter() - t0
    tables = _run(job, plan, store, timings, "sweep cases", workers=workers, dask=dask, quiet=quiet)
    tables["route_volumes"] = tables["route_volumes"].sort_values(["case_id", "route", "year"])
    tables["years"] = tables["years"].sort_values(["case_id", "year"])
    return runner.finish(folder, request, plan, tables, timings)

