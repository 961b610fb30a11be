"""CLI commands for many cases: ``disrupt``, ``risk`` and ``sweep`` (issue 3).

All three write a sweep folder (see :mod:`energy_routes.sweep.store`), show a
progress bar on stderr (``--quiet`` hides it), run on ``--workers N`` local
processes or a Dask cluster (``--dask local`` or ``--dask tcp://host:port``),
and continue an interrupted folder with ``--resume RUN_DIR``. Exit codes: 0
done, 2 bad request or input, 130 interrupted (the message says what was
kept). A request of more than 100,000 cases is refused without ``--yes``.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click
import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .cli_guard import fail
from .errors import EnergyRoutesError


def _common(f):
    f = click.option("--yes", "-y", is_flag=True, help="Run a request of more than 100,000 cases (without it, a large request is refused before anything is written).")(f)
    f = click.option("--quiet", "-q", is_flag=True, help="No progress bar or summary; print only the folder.")(f)
    f = click.option("--resume", "resume_dir", type=click.Path(path_type=Path, file_okay=False), default=None, help="Continue an interrupted sweep folder (runs only the missing cases).")(f)
    f = click.option("--dask", default=None, metavar="ADDRESS", help="Run on Dask: 'local' starts a LocalCluster, or give a scheduler address tcp://HOST:PORT.")(f)
    f = click.option("--workers", "-w", type=click.IntRange(1, 512), default=1, show_default=True, help="Worker processes (with --dask local: cluster workers).")(f)
    f = click.option("--out", type=click.Path(path_type=Path), default=None, help="Sweep folder to write (default runs/<kind>-<scenario>-<UTC stamp>/).")(f)
    f = click.option("--override", "overrides", multiple=True, help="Add a named override from scenarios.yaml to the scenario (repeatable).")(f)
    f = click.option("--inputs", "inputs_dir", type=click.Path(path_type=Path), default=Path("inputs"), show_default=True, help="Folder with the input tables and scenarios.yaml.")(f)
    return f


def _guard(fn):
    """Run ``fn``; turn expected failures into a message and an exit code (unexpected ones: see cli_guard)."""
    from .sweep.engine import Interrupted

    err = Console(stderr=True)
    try:
        return fn()
    except EnergyRoutesError as exc:
        fail(exc, err)
    except (Interrupted, KeyboardInterrupt) as exc:
        msg = str(exc) if isinstance(exc, Interrupted) else "interrupted; finished cases are saved. Continue with --resume <the sweep folder>"
        err.print(escape(msg), highlight=False, soft_wrap=True)
        sys.stdout.flush()
        sys.stderr.flush()
        # every result file is already on disk (written atomically); leave now, without the interpreter's
        # shutdown, which would wait for the worker pool's threads and can print noise on a second Ctrl-C
        os._exit(130)


def _print_table(console: Console, df: pd.DataFrame, title: str, cols: list[str], fmt: dict[str, str] | None = None, limit: int = 15) -> None:
    """A table that fits 80 columns without cutting a number: numbers never wrap, text folds."""
    from rich import box

    t = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    numeric = {c: pd.api.types.is_numeric_dtype(df[c]) for c in cols}
    for c in cols:
        t.add_column(c, justify="right" if numeric[c] else "left", no_wrap=numeric[c], overflow="fold")
    for _, row in df.head(limit).iterrows():
        t.add_row(*[format(row[c], (fmt or {}).get(c, ",.2f")) if numeric[c] else escape("" if pd.isna(row[c]) else str(row[c])) for c in cols])
    console.print(t)
    if len(df) > limit:
        console.print(f"  … {len(df) - limit} more rows in the CSV", highlight=False)


@click.command()
@click.argument("scenario", required=False)
@click.option("--asset", "--target", "targets", multiple=True, help="Asset, route or source to disrupt (repeatable: one grid per target; join with + to hit several at once, e.g. cpc_pipeline+cpc_terminal).")
@click.option("--moorings-out", "moorings_out", multiple=True, help="CPC terminal moorings out together, by number (e.g. 2 or 1,2; repeatable: one grid each); the units of asset_units.csv.")
@click.option("--remaining", default="0,0.33,0.5,0.67", show_default=True, help="Remaining capacity fractions (comma-separated).")
@click.option("--weeks", default="1,2,4,8,13", show_default=True, help="Outage lengths in weeks (comma-separated).")
@click.option("--start", "starts", default=None, help="Start months or dates: 2027-01..2027-12, 2027-03,2027-09 or 2027-03-15 (default: every month of the horizon).")
@_common
def disrupt(scenario, targets, moorings_out, remaining, weeks, starts, inputs_dir, overrides, out, workers, dask, resume_dir, quiet, yes):
    """A grid of disruption cases (severity × duration × start) on top of SCENARIO.

    \b
    Example:
      energy-routes disrupt outlook-2023-2030 --asset cpc_terminal \\
          --remaining 0,0.33,0.5,0.67 --weeks 1,2,4,8,13 --start 2027-01..2027-12
    """
    from .sweep.api import disrupt as run

    folder = _guard(lambda: run(scenario, inputs_dir=inputs_dir, overrides=overrides, targets=targets, moorings_out=moorings_out, remaining=remaining, weeks=weeks, starts=starts, out=out, workers=workers, dask=dask, quiet=quiet, resume_dir=resume_dir, yes=yes))
    if quiet:
        click.echo(str(folder))
        return
    console = Console()
    cases = pd.read_csv(folder / "cases.csv")
    worst = cases.sort_values("lost_netback_musd", ascending=False)
    worst = worst.rename(columns={"case_id": "case", "remaining": "left", "extra_shut_in_mt": "shut-in", "rerouted_mt": "rerouted", "lost_netback_musd": "lost M$"})
    # "family: target" breaks after the colon, so the id is not folded mid-word in 80 columns
    worst["bottleneck"] = worst["bottleneck"].astype("string").str.replace(":", ": ", regex=False)
    _print_table(console, worst, f"Worst cases of {len(cases)} (by lost netback; shut-in and rerouted in Mt)", ["case", "start", "left", "weeks", "shut-in", "rerouted", "lost M$", "bottleneck"], {"left": ".2f", "weeks": "g", "lost M$": ",.0f"}, limit=8)
    for f in sorted(folder.glob("pivot_shut_in_mt_mean_*.csv")):
        pv = pd.read_csv(f)
        pv.columns = [str(c) for c in pv.columns]
        _print_table(console, pv, f"Extra shut-in, Mt, mean over start months: {f.stem.removeprefix('pivot_shut_in_mt_mean_').replace('_and_', '+').replace('_unit_', '/')} (rows: remaining; columns: weeks)", list(pv.columns), {c: ".3f" for c in pv.columns})
    console.print(f"\nTables (CSV, Parquet parts, results.duckdb) in {escape(str(folder))}/", highlight=False)


@click.command()
@click.argument("scenario", required=False)
@click.option("--draws", type=click.IntRange(1, 10_000_000), default=1000, show_default=True, help="Monte Carlo draws per lever.")
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), default=20240217, show_default=True, help="Random seed: the same seed gives the same draws.")
@click.option("--lever", "levers", multiple=True, help="Named override to compare against no lever, on the same draws (repeatable), e.g. btc-7mt-2027.")
@click.option("--es-level", type=float, default=0.95, show_default=True, help="Expected shortfall level: mean of the worst (1 − level) share of annual outcomes.")
@click.option("--power-draws", type=click.IntRange(0, 100_000), default=0, show_default=True, help="Also draw submarine-cable faults (inputs/power_hazards.csv) in the power block, this many draws (each with a fault re-solves an hourly year).")
@_common
def risk(scenario, draws, seed, levers, es_level, power_draws, inputs_dir, overrides, out, workers, dask, resume_dir, quiet, yes):
    """Monte Carlo disruption risk for SCENARIO from the hazard model in inputs/hazards.csv.

    Reports the distribution of annual extra shut-in and lost netback, and how
    each --lever changes it (diversification as insurance).
    """
    from .sweep.api import risk as run

    folder = _guard(lambda: run(scenario, inputs_dir=inputs_dir, overrides=overrides, levers=levers, draws=draws, seed=seed, es_level=es_level, out=out, workers=workers, dask=dask, quiet=quiet, resume_dir=resume_dir, yes=yes, power_draws=power_draws))
    if quiet:
        click.echo(str(folder))
        return
    console = Console()
    s = pd.read_csv(folder / "risk_summary.csv")
    es = next(c for c in s.columns if c.startswith("lost_netback_es")).split("_")[2]
    show = pd.DataFrame(
        {
            "lever": s["lever"],
            "draws": s["samples"],
            "mean": s["lost_netback_mean_musd_per_yr"],
            "P50": s["lost_netback_p50_musd_per_yr"],
            "P90": s["lost_netback_p90_musd_per_yr"],
            "P99": s["lost_netback_p99_musd_per_yr"],
            es.upper(): s[f"lost_netback_{es}_musd_per_yr"],
        }
    )
    _print_table(console, show, "Lost export netback from disruptions, M$ per year", list(show.columns), {"draws": ",d", "mean": ",.0f", "P50": ",.0f", "P90": ",.0f", "P99": ",.0f", es.upper(): ",.0f"})
    shut = pd.DataFrame(
        {
            "lever": s["lever"],
            "mean": s["extra_shut_in_mean_mt_per_yr"],
            "P50": s["extra_shut_in_p50_mt_per_yr"],
            "P90": s["extra_shut_in_p90_mt_per_yr"],
            "P99": s["extra_shut_in_p99_mt_per_yr"],
            es.upper(): s[f"extra_shut_in_{es}_mt_per_yr"],
        }
    )
    _print_table(console, shut, "Extra shut-in from disruptions, Mt per year (P90: exceeded in one year in ten)", list(shut.columns), {c: ".3f" for c in shut.columns if c != "lever"})
    if len(s) > 1 and "netback_gain_vs_none_horizon_musd" in s:
        vs = pd.DataFrame(
            {
                "lever": s["lever"],
                "mean": s["lost_netback_mean_musd_per_yr_vs_none"],
                "P90": s["lost_netback_p90_musd_per_yr_vs_none"],
                "P99": s["lost_netback_p99_musd_per_yr_vs_none"],
                es.upper(): s[f"lost_netback_{es}_musd_per_yr_vs_none"],
                "gain, no disruption, M$": s["netback_gain_vs_none_horizon_musd"],
            }
        )
        _print_table(console, vs[vs["lever"] != "none"], "What each lever changes (negative = smaller losses: the value of diversification as insurance)", list(vs.columns), {c: ",.0f" for c in vs.columns})
    if (folder / "power_risk_summary.csv").exists():
        p = pd.read_csv(folder / "power_risk_summary.csv")
        p = p[[c for c in p.columns if c in ("year", "draws", "draws_with_fault") or c.startswith(("lost_offtake_gwh_", "lost_value_musd_")) and not c.endswith("p50")]]
        p.columns = [{"draws": "n", "draws_with_fault": "hit"}.get(c, c).replace("lost_offtake_gwh_", "GWh ").replace("lost_value_musd_", "M$ ") for c in p.columns]
        _print_table(console, p, "Cable faults: power not delivered (GWh) and value lost (M$) per year; n draws, hit with a fault", list(p.columns),
                     {"n": ",d", "hit": ",d", **{c: ",.0f" for c in p.columns if c[:3] in ("GWh", "M$ ")}})
    console.print("\nTables (CSV, Parquet parts, results.duckdb) and exceedance curves\n(exceedance.html, exceedance.png) in:", highlight=False)
    console.print(f"  {escape(str(folder))}/", highlight=False, soft_wrap=True)


@click.command()
@click.argument("spec", required=False, type=click.Path(path_type=Path))
@click.option("--inputs", "inputs_dir", type=click.Path(path_type=Path), default=Path("inputs"), show_default=True, help="Folder with the input tables and scenarios.yaml.")
@click.option("--out", type=click.Path(path_type=Path), default=None, help="Sweep folder to write (default runs/sweep-<spec>-<UTC stamp>/).")
@click.option("--workers", "-w", type=click.IntRange(1, 512), default=1, show_default=True, help="Worker processes (with --dask local: cluster workers).")
@click.option("--dask", default=None, metavar="ADDRESS", help="Run on Dask: 'local' or tcp://HOST:PORT (workers must see the inputs folder and the sweep folder).")
@click.option("--resume", "resume_dir", type=click.Path(path_type=Path, file_okay=False), default=None, help="Continue an interrupted sweep folder.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar or summary; print only the folder.")
@click.option("--yes", "-y", is_flag=True, help="Run a request of more than 100,000 cases.")
def sweep(spec, inputs_dir, out, workers, dask, resume_dir, quiet, yes):
    """Every combination of the parameter values in SPEC (a YAML grid over any scenario).

    See docs/sweeps.md for the spec format; inputs/sweeps/ has examples.
    """
    from .sweep.api import sweep as run

    folder = _guard(lambda: run(spec, inputs_dir=inputs_dir, out=out, workers=workers, dask=dask, quiet=quiet, resume_dir=resume_dir, yes=yes))
    cases = pd.read_csv(folder / "cases.csv")
    _say_invalid(cases)
    if quiet:
        click.echo(str(folder))
        return
    console = Console()
    req = json.loads((folder / "sweep.json").read_text())
    names = [p["name"] for p in req["spec"]["parameters"]]
    shown = [c for c in ["case_id", *names, "status", "netback_musd", "shut_in_mt", "bottleneck"] if c in cases]
    _print_table(console, cases, f"{len(cases)} cases", shown, {n: "g" for n in names}, limit=20)
    console.print(f"\nTables (CSV, Parquet parts, results.duckdb) and each case as a scenario file (cases/) in {escape(str(folder))}/", highlight=False)


def _say_invalid(cases: pd.DataFrame) -> None:
    """Cases recorded as failed rows because their scenario is invalid: say so on stderr, even when quiet."""
    from .sweep.engine import INVALID

    bad = cases[cases["status"] == INVALID] if "status" in cases else cases.iloc[:0]
    if len(bad):
        first = bad.iloc[0]
        Console(stderr=True).print(
            f"[yellow]note:[/yellow] {len(bad)} of {len(cases)} cases have invalid input and were not solved (status '{INVALID}', "
            f"reason in the 'problem' column of cases.csv); the first, {escape(str(first['case_id']))}: {escape(str(first.get('problem', '')))}",
            highlight=False,
            soft_wrap=True,
        )
