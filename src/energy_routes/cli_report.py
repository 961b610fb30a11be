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
@click.argument("runs", nargs=-1, type=click.Path(path_type=Path))
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=None,
              help="Folder to write the comparison to (default runs/compare-<A>-vs-<B>-<UTC stamp>/).")
@click.option("--quiet", "-q", is_flag=True, help="Print only the output folder.")
def compare(runs: tuple[Path, ...], out_dir: Path | None, quiet: bool) -> None:
    """Compare two or more run folders RUN_A RUN_B [RUN_C ...]: volume by route and year, shut-in, netback and
    binding constraints, each run against the first (B - A, C - A, ...).

    Prints the tables, leaving out rows where no run differs from A, and writes
    compare_*.csv (every row), compare.xlsx, compare.html and compare.png. Each
    run is named by its scenario and what was added to it (--override, a story's
    event or lever). Typical use: a base run as A and disruption cases after it.
    """
    from . import compare as cmp
    from .writers import check_out, default_out_dir, now_iso, write_run

    if len(runs) < 2:
        _fail(InputError([Problem("RUNS", f"compare needs at least two run folders, got {len(runs)}")]))
    if out_dir is not None:
        check_out(out_dir)
    try:
        loaded = cmp.load_runs(runs)
    except EnergyRoutesError as exc:
        _fail(exc)
    tables = cmp.compare_runs(*loaded)
    a, b = loaded[0], loaded[1]
    target = out_dir or default_out_dir(f"compare-{a.name}-vs-{b.name}" + (f"-and-{len(loaded) - 2}-more" if len(loaded) > 2 else ""))
    letters = cmp.letters(len(loaded))
    manifest = {
        "energy_routes_compare": 1,
        "created_utc": now_iso(),
        **{f"run_{x}": {"folder": str(r.folder.resolve()), "scenario": r.name, "label": r.label, "created_utc": r.manifest.get("created_utc")} for x, r in zip(letters, loaded)},
        "difference": "B - A" if len(loaded) == 2 else ", ".join(f"{x.upper()} - A" for x in letters[1:]),
    }
    try:
        written = write_run(
            Path(target),
            {f"compare_{k}": v for k, v in tables.items()},
            manifest,
            finalize=lambda tmp: cmp.write_compare_files(tmp, tables, *loaded),
        )
    except FileExistsError as exc:
        _fail(InputError([Problem("--out", str(exc))]))
    if quiet:
        click.echo(str(written))
        return
    console = Console()
    for line in cmp.describe_runs(loaded):
        console.print(escape(line), highlight=False, soft_wrap=True)
    for t in cmp.terminal_tables(tables, *loaded):
        console.print(t)
    console.print(f"comparison written to {escape(str(written))} (CSV, compare.xlsx, compare.html, compare.png)", highlight=False, soft_wrap=True)
