"""CLI command ``hedge``: a two-stage stochastic choice of the export-route insurance portfolio.

``energy-routes hedge SCENARIO --draws N [--seed S] [--lever NAME ...]
[--cvar ALPHA:WEIGHT] [--frontier] [--mpi]`` chooses the levers of
``inputs/hedge_levers.csv`` before the disruptions of the hazard model
(the draws of ``risk``) are known, and writes a hedge folder (see
:mod:`energy_routes.hedge.outputs` and docs/hedge.md). Exit codes: 0 done,
2 bad input, 3 not solved, 130 interrupted.
"""

from __future__ import annotations

from pathlib import Path

import click
import pandas as pd
from rich.console import Console
from rich.markup import escape

from .cli_guard import fail
from .errors import EnergyRoutesError


@click.command()
@click.argument("scenario")
@click.option("--draws", type=int, default=200, show_default=True, help="Disruption draws in the extensive form (the draws of `risk`).")
@click.option("--seed", type=int, default=20240217, show_default=True, help="Random seed (the same as `risk` gives the same draws).")
@click.option("--lever", "levers", multiple=True, help="A lever of hedge_levers.csv to consider (repeatable; default: all).")
@click.option("--levers-file", type=click.Path(path_type=Path), default=None, help="Lever table (default: INPUTS/hedge_levers.csv).")
@click.option("--cvar", default=None, metavar="ALPHA:WEIGHT", help="Add −WEIGHT × CVaR_ALPHA of lost netback to the objective, e.g. 0.9:0.5.")
@click.option("--frontier", is_flag=True, help="Also trace expected result against CVaR for weights 0, 0.1, 0.25, 0.5, 1, 2 (hedge_frontier.csv/png).")
@click.option("--frontier-alpha", type=float, default=0.9, show_default=True, help="CVaR level of the frontier.")
@click.option("--oos-draws", type=int, default=None, help="Fresh draws for the out-of-sample check (default: as many as --draws).")
@click.option("--no-evpi", is_flag=True, help="Skip the wait-and-see solves (one small LP per draw) behind EVPI.")
@click.option("--method", type=click.Choice(["ef", "lshaped"]), default="ef", show_default=True, help="ef: the extensive form in one HiGHS solve; lshaped: multi-cut Benders over warm per-draw solves (risk neutral; faster for many draws).")
@click.option("--mpi", is_flag=True, help="Solve with mpi-sppy progressive hedging (run under `mpiexec -n N`; needs the [mpi] extra).")
@click.option("--ph-iterations", type=click.IntRange(1, 100000), default=200, show_default=True, help="With --mpi: most progressive-hedging iterations.")
@click.option("--ph-rho", type=click.FloatRange(0, min_open=True), default=100.0, show_default=True, help="With --mpi: PH penalty rho, M$/yr per (lever unit)^2.")
@click.option("--threads", type=click.IntRange(1, 64), default=1, show_default=True, help="HiGHS threads for the extensive form.")
@click.option("--override", "overrides", multiple=True, help="Add a named override from scenarios.yaml to the scenario (repeatable).")
@click.option("--inputs", "inputs_dir", type=click.Path(path_type=Path), default=Path("inputs"), show_default=True, help="Folder with the input tables and scenarios.yaml.")
@click.option("--out", type=click.Path(path_type=Path), default=None, help="Hedge folder to write (default runs/hedge-<scenario>-<UTC stamp>/).")
@click.option("--quiet", "-q", is_flag=True, help="Print only the folder.")
def hedge(scenario, draws, seed, levers, levers_file, cvar, frontier, frontier_alpha, oos_draws, no_evpi, method, mpi, ph_iterations, ph_rho, threads, overrides, inputs_dir, out, quiet):
    """Choose the lever portfolio for SCENARIO before disruptions are known.

    Maximises expected netback (less the shut-in penalty) minus the levers'
    annualised cost, optionally minus a CVaR term on lost netback, over the
    disruption draws of the hazard model; reports EVPI, VSS and an
    out-of-sample check on fresh draws.
    """
    from .hedge.api import FRONTIER_WEIGHTS, Request, parse_cvar, run
    from .sweep.engine import Interrupted

    err = Console(stderr=True)
    try:
        req = Request(
            scenario, inputs_dir, tuple(overrides), tuple(levers), levers_file, int(draws), int(seed), parse_cvar(cvar),
            FRONTIER_WEIGHTS if frontier else None, float(frontier_alpha), oos_draws, not no_evpi, threads, out, quiet, mpi,
            {"ph_iterations": ph_iterations, "ph_rho": ph_rho}, method,
        )
        folder = run(req)
        if folder is None:  # an MPI rank other than 0: rank 0 writes and reports
            return
    except EnergyRoutesError as exc:
        fail(exc, err)
    except (Interrupted, KeyboardInterrupt) as exc:  # Interrupted says which finished pieces were kept
        err.print(escape(str(exc)) if isinstance(exc, Interrupted) else "interrupted; nothing was written")
        raise SystemExit(130) from None
    if quiet:
        click.echo(str(folder))
        return
    console = Console(width=80)
    lv = pd.read_csv(folder / "hedge_levers.csv")
    s = pd.read_csv(folder / "hedge_summary.csv").iloc[0]
    console.print("[bold]Chosen levers[/bold]  (level, cost M$/yr, value M$/yr per unit)")
    for _, r in lv.iterrows():
        val = r["gross_value_musd_per_yr_per_unit"]
        extra = f"  {val:>9.4g}" if val == val else ""
        console.print(escape(f"  {r['lever'][:22]:<22} {r['level']:>8.4g} {r['unit']:<6} {r['cost_musd_per_yr']:>9,.1f}{extra}"), highlight=False)
    cv = next(c for c in s.index if c.startswith("cvar") and c.endswith("lost_netback_musd_per_yr") and not c.startswith("cvar_"))
    lines = [
        ("expected netback", s["expected_netback_musd_per_yr"], "M$/yr"),
        ("lever cost", s["lever_cost_musd_per_yr"], "M$/yr"),
        ("expected result", s["expected_result_musd_per_yr"], "M$/yr"),
        (cv.split("_")[0].upper() + " of lost netback", s[cv], "M$/yr"),
        ("expected shut-in", s["expected_shut_in_mt_per_yr"], "Mt/yr"),
        ("P90 shut-in", s["p90_shut_in_mt_per_yr"], "Mt/yr"),
        ("EVPI", s["evpi_musd_per_yr"], "M$/yr"),
        ("VSS", s["vss_musd_per_yr"], "M$/yr"),
        ("out-of-sample gain", s["oos_gain_vs_no_levers_musd_per_yr"], f"M$/yr (95% CI {s['oos_gain_ci95_low_musd_per_yr']:,.1f} .. {s['oos_gain_ci95_high_musd_per_yr']:,.1f})"),
    ]
    for name, v, unit in lines:
        console.print(escape(f"  {name:<24} {v:>12,.2f} {unit}"), highlight=False)
    console.print(escape(f"Tables in {folder}/"), highlight=False)
