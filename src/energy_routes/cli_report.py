"""CLI commands for analyst deliverables: ``report`` and ``compare`` (issue 4).

``energy-routes report RUN_DIR`` writes tables.xlsx, report.html and the PNG
charts into a run folder (``run`` does this itself unless ``--no-report``).
``energy-routes compare RUN_A RUN_B [--out DIR]`` prints the differences and
writes them as CSV, Excel, HTML and PNG into a folder of their own.
Exit codes: 0 done, 2 a folder is missing or is not a run folder.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape

from .errors import EnergyRoutesError, InputError, Problem


def _fail(exc: EnergyRoutesError) -> None:
    Console(stderr=True).print(f"[bold red]error:[/bold red] {escape(str(exc))}", highlight=False, soft_wrap=True)
    sys.exit(exc.exit_code)


@click.command()
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.option("--no-png", is_flag=True, help="Skip the PNG charts for slides.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing on success.")
def report(run_dir: Path, no_png: bool, quiet: bool) -> None:
    """Write tables.xlsx, report.html and PNG charts into the run folder RUN_DIR.

    The report is built from the run folder alone (its CSV tables and
    manifest.json); the route legs and display names come from the run's
    inputs folder if it is still there unchanged.
    """
    from .report import build_report

    t0 = time.perf_counter()
    try:
        files, _times = build_report(run_dir, pngs=not no_png)
    except EnergyRoutesError as exc:
        _fail(exc)
    if not quiet:
        console = Console()
        console.print(f"report written in {time.perf_counter() - t0:.1f} s:", highlight=False)
        for f in files:
            console.print(f"  {escape(str(f))}", highlight=False, soft_wrap=True)


@click.command()
@click.argument("run_a", type=click.Path(path_type=Path))
@click.argument("run_b", type=click.Path(path_type=Path))
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=None,
              help="Folder to write the comparison to (default runs/compare-<A>-vs-<B>-<UTC stamp>/).")
@click.option("--quiet", "-q", is_flag=True, help="Print only the output folder.")
def compare(run_a: Path, run_b: Path, out_dir: Path | None, quiet: bool) -> None:
    """Compare two run folders: volume by route and year, shut-in, netback and binding constraints (B - A).

    Prints the tables and writes compare_*.csv, compare.xlsx, compare.html and
    compare.png. Typical use: a base run as A and a disruption case as B.
    """
    from . import compare as cmp
    from .writers import check_out, default_out_dir, now_iso, write_run

    if out_dir is not None:
        check_out(out_dir)
    try:
        a, b = cmp.load_pair(run_a, run_b)
    except EnergyRoutesError as exc:
        _fail(exc)
    tables = cmp.compare_runs(a, b)
    target = out_dir or default_out_dir(f"compare-{a.name}-vs-{b.name}")
    manifest = {
        "energy_routes_compare": 1,
        "created_utc": now_iso(),
        "run_a": {"folder": str(a.folder.resolve()), "scenario": a.name, "created_utc": a.manifest.get("created_utc")},
        "run_b": {"folder": str(b.folder.resolve()), "scenario": b.name, "created_utc": b.manifest.get("created_utc")},
        "difference": "B - A",
    }
    try:
        written = write_run(
            Path(target),
            {f"compare_{k}": v for k, v in tables.items()},
            manifest,
            finalize=lambda tmp: cmp.write_compare_files(tmp, tables, a, b),
        )
    except FileExistsError as exc:
        _fail(InputError([Problem("--out", str(exc))]))
    if quiet:
        click.echo(str(written))
        return
    console = Console()
    for line in cmp.describe_pair(a, b):
        console.print(escape(line), highlight=False, soft_wrap=True)
    for t in cmp.terminal_tables(tables, a, b):
        console.print(t)
    console.print(f"comparison written to {escape(str(written))} (CSV, compare.xlsx, compare.html, compare.png)", highlight=False, soft_wrap=True)


COMMANDS: list[click.Command] = [report, compare]
