"""``energy-routes hedge``: choose the lever portfolio before the disruptions happen.

Flow: check the request (nothing written on bad input) -> resolve the
scenario -> read the hazard model and the levers -> compile each year's LP
(:mod:`.blocks`) -> the draws of ``risk`` (:mod:`.draws`) -> the extensive
form, on/off levers enumerated (:mod:`.extensive`) -> the portfolio
re-evaluated draw by draw, EVPI, VSS, out-of-sample check and the frontier
(:mod:`.evaluate`) -> tables (:mod:`.outputs`) -> one folder written
atomically with ``manifest.json``.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import InputError, Problem
from .draws import DEFAULT_SEED

#: the default CVaR level when --cvar gives only a weight, and of the frontier
DEFAULT_ALPHA = 0.9
#: the weights the frontier traces by default
FRONTIER_WEIGHTS = (0.0, 0.1, 0.25, 0.5, 1.0, 2.0)


@dataclass
class Request:
    scenario: str
    inputs_dir: Path = Path("inputs")
    overrides: tuple = ()
    levers: tuple = ()
    levers_file: Path | None = None
    draws: int = 200
    seed: int = DEFAULT_SEED
    cvar: tuple[float, float] | None = None  # (alpha, weight)
    frontier: tuple[float, ...] | None = None
    frontier_alpha: float = DEFAULT_ALPHA
    oos_draws: int | None = None  # default: as many as in-sample
    evpi: bool = True
    threads: int = 1
    out: Path | None = None
    quiet: bool = True
    mpi: bool = False
    extra: dict = field(default_factory=dict)
    method: str = "ef"  # "ef" (extensive form) or "lshaped" (multi-cut Benders, risk neutral)


def parse_cvar(text: str | None) -> tuple[float, float] | None:
    """``ALPHA:WEIGHT`` (e.g. 0.9:0.5) -> (alpha, weight); bad text is an InputError naming --cvar."""
    if text is None or text == "":
        return None
    try:
        a, w = (float(v) for v in str(text).split(":"))
    except ValueError:
        raise InputError([Problem("--cvar", f"'{text}' is not ALPHA:WEIGHT, e.g. 0.9:0.5")]) from None
    return a, w


def check_request(req: Request) -> None:
    """Everything about the request that can be checked before reading inputs (exit 2, nothing written)."""
    problems: list[Problem] = []
    if not 2 <= req.draws <= 100_000:
        problems.append(Problem("--draws", f"{req.draws} draws; expected 2 to 100,000"))
    for name, risk in (("--cvar", req.cvar), ("--frontier", (req.frontier_alpha, 0.0) if req.frontier else None)):
        if risk is None:
            continue
        alpha, weight = risk
        if not 0.0 < alpha < 1.0:  # false for NaN
            problems.append(Problem(name, f"CVaR level {alpha:g} is outside (0, 1)"))
        elif req.draws * (1.0 - alpha) < 1.0 - 1e-9:
            problems.append(Problem("--draws", f"{req.draws} draws are too few for a CVaR at level {alpha:g}: its tail would hold {req.draws * (1 - alpha):.2g} draws; expected at least {math.ceil(1 / (1 - alpha) - 1e-9)} draws"))
        if not (weight >= 0.0 and math.isfinite(weight)):
            problems.append(Problem(name, f"CVaR weight {weight:g} is not a finite number >= 0"))
    for w in req.frontier or ():
        if not (w >= 0.0 and math.isfinite(w)):
            problems.append(Problem("--frontier", f"weight {w:g} is not a finite number >= 0"))
    if req.oos_draws is not None and not 2 <= req.oos_draws <= 100_000:
        problems.append(Problem("--oos-draws", f"{req.oos_draws}; expected 2 to 100,000"))
    if req.method not in ("ef", "lshaped"):
        problems.append(Problem("--method", f"'{req.method}'; expected ef or lshaped"))
    elif req.method == "lshaped" and req.cvar and req.cvar[1] > 0:
        problems.append(Problem("--method", "lshaped solves the risk-neutral objective; drop --cvar or use --method ef"))
    if req.mpi:
        from .mpi import available

        why = available()
        if why:
            problems.append(Problem("--mpi", f"needs mpi-sppy and mpi4py (pip install -e '.[mpi]'): {why}"))
    if not 0 <= req.seed < 2**63:
        problems.append(Problem("--seed", f"{req.seed} is outside [0, 2^63)"))
    if problems:
        raise InputError(problems)
    if req.out is not None:
        from ..writers import check_out

        check_out(Path(req.out))


@dataclass
class HedgeProblem:
    """Everything the solve needs, built from the inputs."""

    scenario: object
    levers: list
    parts: list
    draws: list
    blocks: list
    v_ref: np.ndarray  # per draw: its year's undisrupted value without levers, M$
    hashes: dict
    hazards: list


def setup(req: Request) -> HedgeProblem:
    """Resolve the scenario, read the hazards and levers, compile each year's LP, make the draws' blocks."""
    from ..load import load_inputs
    from ..scenario import resolve
    from ..sweep.hazards import load_hazards
    from .blocks import make_blocks, make_part
    from .draws import make_draws
    from .levers import load_levers

    inputs_dir = Path(req.inputs_dir)
    inputs = load_inputs(inputs_dir)
    sc = resolve(inputs, req.scenario, list(req.overrides))
    inp = sc.inputs
    oil = set(inp["assets"].loc[inp["assets"]["block"] == "oil", "asset"]) | set(inp["routes"]["route"]) | set(inp["sources"]["source"])
    hazards, hz_hashes = load_hazards(inputs_dir, oil)
    levers_file = Path(req.levers_file) if req.levers_file else inputs_dir / "hedge_levers.csv"
    levers = load_levers(levers_file, sc, list(req.levers))
    from ..safeio import sha256_of

    hashes = {**inp.hashes, **hz_hashes, levers_file.name: sha256_of(levers_file)}
    targets = sorted({h.target for h in hazards})
    parts = [make_part(sc.for_years([y]), targets, levers) for y in sc.years]
    for lv in levers:
        if all(lv.name in p.idle for p in parts):
            raise InputError([Problem(levers_file.name, f"lever '{lv.name}': route '{lv.target}' has no annual cap in scenario '{sc.name}' in any year, so there is no limit to raise; use a scenario or --override that sets one", column="target")])
    draws = make_draws(sc, hazards, int(req.seed), 0, int(req.draws))
    blocks = make_blocks(parts, draws)
    base = {p.year: p.kernel.baseline.objective_musd for p in parts}
    v_ref = np.array([base[d.year] for d in draws])
    return HedgeProblem(sc, levers, parts, draws, blocks, v_ref, hashes, hazards)


def checkpoint_key(req: Request, pb: HedgeProblem) -> dict:
    """What the frontier points and the out-of-sample check depend on (the key of their staging folder)."""
    return {
        "what": "hedge pieces", "inputs": pb.hashes, "scenario": pb.scenario.resolved, "levers": [vars(lv) for lv in pb.levers],
        "draws": int(req.draws), "seed": int(req.seed), "frontier_alpha": float(req.frontier_alpha), "oos_draws": int(req.oos_draws or req.draws),
    }


def run(req: Request) -> Path | None:
    """Solve the hedge and write its folder; returns the folder."""
    from ..sweep.engine import note
    from ..writers import default_out_dir, request_key, safe_folder_name, write_run
    from . import outputs
    from .blocks import make_blocks
    from .draws import make_draws
    from .checkpoint import Checkpoint
    from .evaluate import Evaluation, ef_economic, evaluate, evpi_vss, mean_ci, objective
    from .extensive import ExtensiveForm, solve_states

    check_request(req)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    pb = setup(req)
    timings["setup"] = time.perf_counter() - t0
    folder = Path(req.out) if req.out else default_out_dir(safe_folder_name(f"hedge-{pb.scenario.name}"))
    quiet = req.quiet
    if req.mpi:  # only rank 0 speaks
        from mpi4py import MPI

        quiet = quiet or MPI.COMM_WORLD.Get_rank() != 0
    say = (lambda s: None) if quiet else note
    say(f"hedge: {len(pb.draws)} draws, {len(pb.levers)} lever(s), {len(pb.parts)} year LP(s)")

    risk = req.cvar if req.cvar and req.cvar[1] > 0 else None
    t1 = time.perf_counter()
    if req.mpi:
        from .mpi import solve_ph

        best, states = solve_ph(pb, risk, req.extra)
        if best is None:  # not rank 0: its share of the draws is done
            return None
    elif req.method == "lshaped":
        from .lshaped import solve_states_lshaped

        best, states = solve_states_lshaped(pb.parts, pb.blocks, pb.levers)
    else:
        ef = ExtensiveForm(pb.parts, pb.blocks, pb.levers, cvar=risk, v_ref_musd=pb.v_ref, threads=req.threads)
        best, states = solve_states(ef)
    timings["extensive_form"] = time.perf_counter() - t1
    if not best.optimal:
        from ..errors import SolveError

        raise SolveError(f"the extensive form is not solved: {best.status}", best.status)
    if req.method == "lshaped" and not req.mpi:
        say(f"L-shaped: {best.iterations} iterations, {best.seconds:.2f} s")
    elif not req.mpi:
        say(f"extensive form: {best.rows:,} rows × {best.cols:,} columns, {best.seconds:.2f} s in HiGHS")

    say(f"re-solving the {len(pb.blocks)} draws at the chosen levels and without levers")
    t2 = time.perf_counter()
    chosen = evaluate(pb.parts, pb.blocks, pb.levers, best.levels)
    none = evaluate(pb.parts, pb.blocks, pb.levers, np.zeros(len(pb.levers)))
    rp = objective(chosen.result_musd, chosen.weights, pb.v_ref, risk)
    ef_econ = ef_economic(best, pb.parts, pb.blocks, pb.levers, pb.v_ref, risk) if len(best.block_values_musd) else rp
    timings["evaluate"] = time.perf_counter() - t2

    measures: dict[str, float] = {"ef_objective_economic_musd_per_yr": ef_econ}
    say("VSS (expected-value problem)" + (" and EVPI (one wait-and-see LP per draw)" if req.evpi else ""))
    t3 = time.perf_counter()
    measures.update(evpi_vss(pb.parts, pb.blocks, pb.levers, pb.v_ref, risk, rp, evpi=req.evpi))
    timings["evpi_vss"] = time.perf_counter() - t3

    cp = Checkpoint(folder.parent, checkpoint_key(req, pb))
    try:
        t4 = time.perf_counter()
        m_oos = int(req.oos_draws or req.draws)
        say(f"out-of-sample check on {m_oos} fresh draws")

        fresh: list = []

        def lazy():  # the fresh draws' blocks, made once and only if a piece is not on disk
            if not fresh:
                fresh.extend(make_blocks(pb.parts, make_draws(pb.scenario, pb.hazards, int(req.seed), int(req.draws), m_oos)))
            return fresh
        tag = request_key({"levels": [float(u) for u in best.levels]})
        oos = Evaluation.from_arrays(cp.cached(f"oos-{tag}", lambda: evaluate(pb.parts, lazy(), pb.levers, best.levels).arrays()))
        oos0 = Evaluation.from_arrays(cp.cached("oos-none", lambda: evaluate(pb.parts, lazy(), pb.levers, np.zeros(len(pb.levers))).arrays()))
        measures["oos"] = {"draws": m_oos, "first_draw": int(req.draws), "mean_ci": mean_ci(oos.result_musd), "gain_ci": mean_ci(oos.result_musd - oos0.result_musd)}
        timings["out_of_sample"] = time.perf_counter() - t4

        frontier = None
        if req.frontier:
            t5 = time.perf_counter()
            say(f"frontier: {len(req.frontier)} CVaR weights at level {req.frontier_alpha:g}")
            rows = []
            for w in req.frontier:
                rk = (req.frontier_alpha, w)

                def point(rk=rk, w=w):
                    res, _ = solve_states(ExtensiveForm(pb.parts, pb.blocks, pb.levers, cvar=rk if w > 0 else None, v_ref_musd=pb.v_ref, threads=req.threads))
                    if not res.optimal:
                        from ..errors import SolveError

                        raise SolveError(f"the frontier's extensive form at CVaR weight {w:g} is not solved: {res.status}", res.status)
                    return {"levels": res.levels, **evaluate(pb.parts, pb.blocks, pb.levers, res.levels).arrays()}

                got = cp.cached(f"frontier-{w!r}", point)
                rows.append((w, got["levels"], Evaluation.from_arrays(got)))
            frontier = outputs.frontier_table(rows, pb, req.frontier_alpha)
            timings["frontier"] = time.perf_counter() - t5
    except KeyboardInterrupt:
        if cp.exists():
            from ..sweep.engine import Interrupted

            raise Interrupted(0, 0, f"interrupted; the finished frontier points and out-of-sample check are kept in {cp.dir}; run the same command again to continue from them") from None
        raise

    tables = {
        "hedge_levers": outputs.levers_table(pb, best, states),
        "hedge_summary": outputs.summary_table(pb, best, chosen, none, rp, measures, risk),
        "hedge_draws": outputs.draws_table(pb, chosen, none),
    }
    if len(states) > 1:
        tables["hedge_states"] = outputs.states_table(pb, states)
    if frontier is not None:
        tables["hedge_frontier"] = frontier
    manifest = outputs.manifest(req, pb, best, measures, timings)
    finalize = outputs.finalize_hook(f"Hedge on {pb.scenario.label}: {len(pb.blocks)} draws", pb.scenario.name)
    write_run(folder, tables, manifest, finalize=finalize)
    cp.clear()
    return folder
