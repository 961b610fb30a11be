"""Entry points behind ``energy-routes disrupt``, ``risk`` and ``sweep``: one function each.

Each checks the request before anything is written (options finite and in
range, repeated values folded with a note, ``--out`` and ``--dask`` usable,
the request's size stated and, above :data:`CONFIRM_ABOVE` cases, confirmed
with ``yes``), builds (or, with ``resume``, re-reads) the plan, runs the
cases through :func:`~.engine.run_cases` and consolidates the folder with
:func:`~.runner.finish`. They return the folder; errors are
:class:`~energy_routes.errors.InputError` (bad request, exit 2) and
:class:`~.engine.Interrupted` (exit 130), whose message says what was kept.
"""

from __future__ import annotations

import hashlib
import shutil
import time
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from ..errors import InputError, Problem
from ..load import load_inputs
from ..scenario import resolve
from ..writers import request_key, scenario_file, scenario_hashes
from ..outlets import unit_targets
from . import disrupt as dis
from . import risk as rsk
from . import runner
from .engine import Interrupted, Job, SetupProgress, check_dask, isolate_invalid, note, run_cases
from .hazards import load_hazards

#: a request of more cases than this is stated and needs ``yes`` (``--yes``)
CONFIRM_ABOVE = 100_000
#: no sweep folder holds more cases than this (the plan alone would need gigabytes); split the request
MAX_CASES = 5_000_000
#: sweep.json records hashes of everything the resolved scenario depends on (not only the tables)
HASHES_COVER = "scenario"


class _Life:
    """Where a sweep is (set-up, cases, finishing) and its folder, so an interruption can say what was kept."""

    def __init__(self, kind: str):
        self.kind, self.step, self.folder, self.store = kind, "set-up", None, None

    def interrupted(self, done: int | None = None, total: int | None = None) -> Interrupted:
        resume = f"energy-routes {self.kind} --resume {self.folder}"
        if self.folder is None:
            msg = "interrupted during set-up; nothing was written"
        elif self.step == "finish":
            msg = f"interrupted while writing the consolidated tables; every case is saved in {self.folder}/parts. Finish with: {resume}"
        else:
            so_far = f" after {done:,} of {total:,} cases" if done is not None else ""
            msg = f"interrupted{so_far}; finished cases are saved in {self.folder}. Continue with: {resume}"
        return Interrupted(done or 0, total or 0, msg)

    def close(self) -> None:
        if self.store is not None:
            self.store.close()


def _drive(kind: str, body):
    """Run ``body(life)``; Ctrl-C or SIGTERM at any step becomes :class:`Interrupted` with what was kept; the lock is released."""
    life = _Life(kind)
    try:
        return body(life)
    except KeyboardInterrupt:
        raise life.interrupted() from None
    except Interrupted as exc:
        raise life.interrupted(exc.done, exc.total) from None
    finally:
        life.close()


def _run(job: Job, plan: pd.DataFrame, store, timings: dict, description: str, life: _Life, **kw) -> dict[str, pd.DataFrame]:
    """Run the plan's missing cases; the per-case tables of the store, joined to the plan."""
    t1 = time.perf_counter()
    life.step = "cases"
    run_cases(job, plan, store, description=description, **kw)
    life.step = "finish"
    timings["cases"] = time.perf_counter() - t1
    owners = store.owners()
    return {
        "cases": plan.merge(store.table("cases", owners), on="case_id", how="left", suffixes=("", "_result")).sort_values("case_id"),
        "route_volumes": store.table("route_volumes", owners),
        "years": store.table("years", owners),
    }


def _sorted(df: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Rows in a fixed order (a table with no rows, when no case was solved, stays as it is)."""
    return df.sort_values(by) if set(by) <= set(df.columns) else df


def _scenario(inputs_dir: Path, scenario: str, overrides) -> tuple:
    inputs = load_inputs(inputs_dir)
    sc = resolve(inputs, scenario, list(overrides))
    for text in sc.notes:
        note(text)
    return inputs, sc


#: the asset whose units ``--moorings-out`` numbers (the CPC terminal's single point moorings)
MOORING_ASSET = "cpc_terminal"


def _oil_ids(sc) -> set[str]:
    inp = sc.inputs
    assets = set(inp["assets"].loc[inp["assets"]["block"] == "oil", "asset"])
    return assets | set(inp["routes"]["route"]) | set(inp["sources"]["source"]) | set(unit_targets(inp.tables))


def mooring_targets(moorings_out: Iterable[str], sc) -> list[str]:
    """``--moorings-out 1,2`` -> 'cpc_terminal/spm1+cpc_terminal/spm2': the n-th unit of the CPC terminal in
    asset_units.csv (1-based), all moorings of one value out at once; one grid per value."""
    units = [t for t in unit_targets(sc.inputs.tables) if t.startswith(MOORING_ASSET + "/")]
    out, problems = [], []
    for text in moorings_out:
        parts = [p.strip() for p in str(text).split(",")]
        try:
            nums = [int(p) for p in parts]
        except ValueError:
            problems.append(Problem("--moorings-out", f"'{text}' is not a list of mooring numbers such as 1,2"))
            continue
        bad = [n for n in nums if not 1 <= n <= len(units)]
        if bad:
            problems.append(Problem("--moorings-out", f"mooring {bad[0]} is not one of 1..{len(units)} (the units of {MOORING_ASSET} in asset_units.csv: {', '.join(units) or 'none'})"))
            continue
        out.append("+".join(units[n - 1] for n in dict.fromkeys(nums)))
    if problems:
        raise InputError(problems)
    return out


def unique(values: Iterable, option: str, key=lambda v: v, show=str) -> list:
    """``values`` without repeats (first spelling kept), with a note naming what was folded."""
    seen: dict = {}
    repeats: list = []
    for v in values:
        k = key(v)
        if k in seen:
            repeats.append(v)
        else:
            seen[k] = v
    if repeats:
        note(f"{option} {', '.join(dict.fromkeys(show(v) for v in repeats))} given more than once; each is used once")
    return list(seen.values())


def parse_targets(targets: Iterable[str], known: set[str]) -> list[str]:
    """Check ``--asset`` values: known ids, no empty part, no part joined with itself; fold repeats (``b+a`` repeats ``a+b``)."""
    problems: list[Problem] = []
    clean: list[str] = []
    for tgt in targets:
        parts = [p.strip() for p in str(tgt).split("+")]
        if any(not p for p in parts):
            problems.append(Problem("--asset", f"'{tgt}' has an empty part; join ids with + as in cpc_pipeline+cpc_terminal"))
            continue
        twice = sorted({p for p in parts if parts.count(p) > 1})
        if twice:
            problems.append(Problem("--asset", f"'{tgt}' joins {', '.join(repr(t) for t in twice)} with itself; a target can be hit once per case (give the loss with --remaining)"))
            continue
        for p in parts:
            if p not in known:
                problems.append(Problem("--asset", f"unknown target '{p}'; expected one of the oil assets, routes or sources: {', '.join(sorted(known))}"))
        clean.append("+".join(parts))
    if problems:
        raise InputError(list(dict.fromkeys(problems)))
    return unique(clean, "--asset", key=lambda t: frozenset(t.split("+")))


def check_size(n: int, detail: str, yes: bool, quiet: bool) -> None:
    """Say how big a request is; refuse above MAX_CASES, and above CONFIRM_ABOVE without ``yes``."""
    if n > MAX_CASES:
        raise InputError([Problem("request", f"{n:,} cases ({detail}) is more than one sweep folder holds ({MAX_CASES:,}); split it into several sweeps")])
    if n > CONFIRM_ABOVE and not yes:
        raise InputError([Problem("request", f"{n:,} cases ({detail}) is a large request (over {CONFIRM_ABOVE:,}): it takes long and writes a large folder. Add --yes to run it")])
    if not quiet:
        from rich.console import Console

        Console(stderr=True).print(f"{n:,} cases ({detail})", highlight=False, soft_wrap=True)


def _check_new(out: Path | None, dask: str | None) -> None:
    """The checks of a new sweep that need nothing read: --out usable, --dask reachable."""
    if out is not None:
        runner.check_free(out)
    check_dask(dask)


def _hashes(inputs, inputs_dir: Path, scenario_arg, extra: dict[str, str] | None = None) -> dict[str, str]:
    return {**scenario_hashes(inputs.hashes, inputs_dir, scenario_arg), **(extra or {})}


def _check_unchanged(request: dict, hashes: dict[str, str], resolved: dict) -> None:
    if request.get("hashes_cover") != HASHES_COVER:  # a folder from before scenario files were recorded
        hashes = {k: v for k, v in hashes.items() if k in request.get("input_hashes", {})}
        note("this sweep folder records only the input tables; changes to scenarios.yaml or the scenario file since it started cannot be detected")
    runner.check_hashes(request, hashes)
    runner.check_resolved(request, resolved)


def _scenario_arg(request: dict) -> str:
    """The scenario as recorded: the absolute path of a scenario file (so a resume works from any folder), or a shipped name."""
    return request.get("scenario_file") or request["scenario"]


def disrupt(
    scenario: str | None = None,
    *,
    inputs_dir: Path = Path("inputs"),
    overrides=(),
    targets=(),
    moorings_out=(),
    remaining: str = "0,0.33,0.5,0.67",
    weeks: str = "1,2,4,8,13",
    starts: str | None = None,
    out: Path | None = None,
    workers: int = 1,
    dask: str | None = None,
    quiet: bool = False,
    resume_dir: Path | None = None,
    yes: bool = False,
) -> Path:
    """A grid of disruption cases on top of ``scenario``."""

    def body(life: _Life) -> Path:
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        check_dask(dask)
        if resume_dir:
            request, plan, store = runner.resume(resume_dir, "disrupt")
            life.folder, life.store = Path(resume_dir), store
            inputs, sc = _scenario(Path(request["inputs"]), _scenario_arg(request), request["overrides"])
            _check_unchanged(request, _hashes(inputs, Path(request["inputs"]), _scenario_arg(request)), sc.resolved)
            folder = Path(resume_dir)
        else:
            if not scenario:
                raise InputError([Problem("SCENARIO", "missing; give a scenario name or .yaml file, or --resume RUN_DIR")])
            if not targets and not moorings_out:
                raise InputError([Problem("--asset", "missing; name at least one asset, route or source to disrupt (e.g. --asset cpc_terminal), or --moorings-out")])
            _check_new(out, None)
            rem = unique(dis.parse_floats(remaining, "--remaining", 0.0, 1.0), "--remaining", show=lambda v: f"{v:g}")
            wks = unique(dis.parse_floats(weeks, "--weeks", 1 / 7, 520), "--weeks", show=lambda v: f"{v:g}")
            ovs = unique(overrides, "--override")
            inputs, sc = _scenario(inputs_dir, scenario, ovs)
            tgts = parse_targets(list(targets) + mooring_targets(moorings_out, sc), _oil_ids(sc))
            st = unique(dis.parse_starts(starts or f"{sc.months[0]}..{sc.months[-1]}"), "--start", show=lambda s: f"{s:%Y-%m-%d}")
            first, last = sc.months[0].start_time, dis.horizon_end(sc)
            outside = [s for s in st if s < first or s > last]
            if outside:
                raise InputError([Problem("--start", f"{outside[0]:%Y-%m-%d} is outside the horizon of '{sc.name}' ({sc.months[0]} to {sc.months[-1]})")])
            n = len(tgts) * len(rem) * len(wks) * len(st)
            check_size(n, f"{len(tgts)} target(s) × {len(rem)} remaining × {len(wks)} lengths × {len(st)} starts", yes, quiet)
            folder = Path(out) if out else runner.default_sweep_dir("disrupt", sc.name)
            runner.check_free(folder)
            with SetupProgress("building the plan", n, quiet, min_total=20_000) as progress:
                plan = dis.build_plan(tgts, rem, wks, st, last, progress=progress)
            request = {
                "kind": "disrupt",
                "scenario": scenario,
                "scenario_file": str(scenario_file(scenario)) if scenario_file(scenario) else None,
                "scenario_name": sc.name,
                "inputs": str(Path(inputs_dir).resolve()),
                "overrides": ovs,
                "targets": tgts,
                "remaining": rem,
                "weeks": wks,
                "starts": [s.strftime("%Y-%m-%d") for s in st],
                "input_hashes": _hashes(inputs, inputs_dir, scenario),
                "hashes_cover": HASHES_COVER,
                "scenario_resolved": sc.resolved,
                "title": f"Disruption sweep on {sc.name}",
            }
            store = runner.start(folder, request, plan)
            life.folder, life.store = folder, store
        timings["setup"] = time.perf_counter() - t0
        job = Job(request_key({k: request[k] for k in ("scenario", "overrides", "targets", "input_hashes")}), dis.make_worker, {"scenario": sc, "targets": dis.unique_targets(request["targets"])})
        tables = _run(job, plan, store, timings, "disruption cases", life, workers=workers, dask=dask, quiet=quiet)
        cases = tables["cases"]
        tables["cases"] = cases.drop(columns=["events"])
        tables["route_volumes"] = _sorted(tables["route_volumes"], ["case_id", "route", "year"])
        tables["years"] = _sorted(tables["years"], ["case_id", "year"])
        piv = dis.pivots(cases)
        for name, pv in piv.items():
            tables[name] = pv.reset_index().rename(columns=lambda c: str(c))
        return runner.finish(folder, request, plan, tables, timings, heatmaps={dis.pivot_title(k): v for k, v in piv.items()})

    return _drive("disrupt", body)


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
    yes: bool = False,
    power_draws: int = 0,
) -> Path:
    """Monte Carlo over the hazard model, for the scenario and each lever (and cable faults in its power block: ``power_draws``)."""

    def body(life: _Life) -> Path:
        nonlocal inputs_dir
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        check_dask(dask)
        if resume_dir:
            request, plan, store = runner.resume(resume_dir, "risk")
            life.folder, life.store = Path(resume_dir), store
            folder = Path(resume_dir)
            inputs_dir = Path(request["inputs"])
            req_overrides, req_levers, scenario_arg = request["overrides"], request["levers"], _scenario_arg(request)
        else:
            if not scenario:
                raise InputError([Problem("SCENARIO", "missing; give a scenario name or .yaml file, or --resume RUN_DIR")])
            if not 1 <= draws <= MAX_CASES:
                raise InputError([Problem("--draws", f"{draws} is not a number of draws in [1, {MAX_CASES:,}]")])
            if not 0 <= seed < 2**63:
                raise InputError([Problem("--seed", f"{seed} is outside [0, 2^63); the seed is a non-negative whole number")])
            if not 0.5 <= es_level < 1:  # false for NaN too
                raise InputError([Problem("--es-level", f"{es_level:g} is outside [0.5, 1)")])
            _check_new(out, None)
            req_overrides, req_levers, scenario_arg = unique(overrides, "--override"), unique(levers, "--lever"), scenario
        inputs = load_inputs(inputs_dir)
        from ..scenario import load_library

        library = load_library(inputs_dir)
        variants = {rsk.NO_LEVER: resolve(inputs, scenario_arg, req_overrides)}
        sc = variants[rsk.NO_LEVER]
        for text in sc.notes:
            note(text)
        for lv in req_levers:
            if lv == rsk.NO_LEVER:
                raise InputError([Problem("--lever", f"'{rsk.NO_LEVER}' is the reference and is always included")])
            if lv in library.overrides:  # an override added to the scenario
                variants[lv] = resolve(inputs, scenario_arg, [*req_overrides, lv])
            elif lv in library.scenarios:  # or a whole alternative scenario
                variants[lv] = resolve(inputs, lv, req_overrides)
            else:
                raise InputError([Problem("--lever", f"unknown lever '{lv}'; expected a named override ({', '.join(library.overrides)}) or scenario ({', '.join(library.scenarios)})")])
            for text in variants[lv].notes:
                note(f"lever '{lv}': {text}")
            if list(variants[lv].months) != list(sc.months):
                raise InputError([Problem("--lever", f"'{lv}' has the horizon {variants[lv].months[0]}..{variants[lv].months[-1]}, not that of '{sc.name}' ({sc.months[0]}..{sc.months[-1]}); the draws must cover the same months")])
        hazards, hz_hashes = load_hazards(inputs_dir, _oil_ids(sc))
        hashes = _hashes(inputs, inputs_dir, scenario_arg, hz_hashes)
        if resume_dir:
            _check_unchanged(request, hashes, sc.resolved)
        else:
            n = draws * (1 + len(req_levers))
            check_size(n, f"{draws:,} draws × {1 + len(req_levers)} lever(s) including none", yes, quiet)
            request = {
                "kind": "risk",
                "scenario": scenario,
                "scenario_file": str(scenario_file(scenario)) if scenario_file(scenario) else None,
                "scenario_name": sc.name,
                "inputs": str(Path(inputs_dir).resolve()),
                "overrides": req_overrides,
                "levers": req_levers,
                "draws": int(draws),
                "seed": int(seed),
                "es_level": float(es_level),
                "input_hashes": hashes,
                "hashes_cover": HASHES_COVER,
                "scenario_resolved": sc.resolved,
                "title": f"Disruption risk on {sc.name}",
            }
            plan = rsk.build_plan(req_levers, int(draws), sc.years)
            folder = Path(out) if out else runner.default_sweep_dir("risk", sc.name)
            store = runner.start(folder, request, plan)
            life.folder, life.store = folder, store
        start, end = sc.months[0].start_time, dis.horizon_end(sc)
        payload = {"scenarios": variants, "hazards": hazards, "seed": request["seed"], "start": str(start.date()), "end": str(end.date())}
        job = Job(request_key({k: request[k] for k in ("scenario", "overrides", "levers", "seed", "input_hashes")}), rsk.make_worker, payload, group_by=rsk.GROUP_BY)
        timings["setup"] = time.perf_counter() - t0
        got = _run(job, plan, store, timings, "Monte Carlo draws", life, workers=workers, dask=dask, quiet=quiet)
        # the worker's rows repeat the plan's lever, draw and year: keep the plan's (the join suffixes the copies)
        cases = got["cases"].drop(columns=["lever_result", "draw_result", "year_result"], errors="ignore").sort_values(["lever", "draw"])
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
        def exceedance_charts(where: Path) -> list[Path]:
            from ..report.exceedance import write_exceedance

            return write_exceedance(years[years["lever"].isin(summary["lever"])], where, request.get("title", "Disruption risk"))

        return runner.finish(folder, request, plan, tables, timings, charts_hook=exceedance_charts)

    return _drive("risk", body)


def _cases_digest(folder: Path) -> dict[str, str]:
    """One hash over the case files of a parameter sweep (``cases/*.yaml``), which the workers resolve."""
    from ..safeio import MAX_YAML_BYTES, read_input

    h = hashlib.sha256()
    for f in sorted((folder / "cases").glob("*.yaml")):
        h.update(f.name.encode() + b"\0" + hashlib.sha256(read_input(f, f"cases/{f.name}", MAX_YAML_BYTES)).digest())
    return {"cases/*.yaml": h.hexdigest()}


def sweep(
    spec_path: Path | None = None,
    *,
    inputs_dir: Path = Path("inputs"),
    out: Path | None = None,
    workers: int = 1,
    dask: str | None = None,
    quiet: bool = False,
    resume_dir: Path | None = None,
    yes: bool = False,
) -> Path:
    """Every combination of the parameter values in a sweep spec."""
    from . import grid

    def body(life: _Life) -> Path:
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        check_dask(dask)
        if resume_dir:
            request, plan, store = runner.resume(resume_dir, "sweep")
            life.folder, life.store = Path(resume_dir), store
            folder = Path(resume_dir)
            inputs, sc = _scenario(Path(request["inputs"]), _scenario_arg(request), request["overrides"])
            hashes = _hashes(inputs, Path(request["inputs"]), _scenario_arg(request), _cases_digest(folder))
            _check_unchanged(request, hashes, sc.resolved)
        else:
            if spec_path is None:
                raise InputError([Problem("SPEC", "missing; give a sweep spec .yaml, or --resume RUN_DIR")])
            _check_new(out, None)
            spec = grid.read_spec(spec_path)
            n = grid.spec_size(spec)
            check_size(n, " × ".join(f"{len(p['values'])} {p['name']}" for p in spec["parameters"]), yes, quiet)
            inputs, sc = _scenario(inputs_dir, spec["scenario"], spec.get("overrides") or [])
            folder = Path(out) if out else runner.default_sweep_dir("sweep", Path(spec_path).stem)
            runner.check_free(folder)  # before the cases are staged and checked
            staging = runner.staging_for(folder)
            try:
                with SetupProgress("writing the case files", n, quiet) as progress:
                    plan = grid.build_plan(spec, staging, progress=progress)
                checked = n if n <= grid.CHECK_ALL_UP_TO else sum(len(p["values"]) for p in spec["parameters"])
                with SetupProgress("checking the cases", checked, quiet, min_total=50) as progress:
                    grid.validate_cases(inputs_dir, staging, plan, spec["parameters"], str(spec_path), progress=progress)
                if n > grid.CHECK_ALL_UP_TO:
                    note(f"{checked} of {n:,} cases were checked before the start (one per parameter value); a case found invalid later is recorded as a failed row (status 'invalid input')")
                request = {
                    "kind": "sweep",
                    "spec": spec,
                    "spec_file": str(Path(spec_path).resolve()),
                    "scenario": spec["scenario"],
                    "scenario_file": str(scenario_file(spec["scenario"])) if scenario_file(spec["scenario"]) else None,
                    "scenario_name": sc.name,
                    "inputs": str(Path(inputs_dir).resolve()),
                    "overrides": list(spec.get("overrides") or []),
                    "input_hashes": _hashes(inputs, inputs_dir, spec["scenario"], _cases_digest(staging)),
                    "hashes_cover": HASHES_COVER,
                    "scenario_resolved": sc.resolved,
                    "title": f"Parameter sweep on {sc.name}",
                }
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
            store = runner.start(folder, request, plan, staging=staging)
            life.folder, life.store = folder, store
        payload = {"inputs": request["inputs"], "scenario": _scenario_arg(request), "overrides": request["overrides"], "folder": str(folder.resolve())}
        job = Job(request_key({k: request[k] for k in ("spec", "input_hashes")}), isolate_invalid(grid.make_worker), payload)
        timings["setup"] = time.perf_counter() - t0
        tables = _run(job, plan, store, timings, "sweep cases", life, workers=workers, dask=dask, quiet=quiet)
        tables["route_volumes"] = _sorted(tables["route_volumes"], ["case_id", "route", "year"])
        tables["years"] = _sorted(tables["years"], ["case_id", "year"])
        return runner.finish(folder, request, plan, tables, timings)

    return _drive("sweep", body)
