"""CLI commands for briefing: ``story`` (base, disruption, levers in one folder) and ``show`` (the inputs a scenario uses).

``energy-routes story SCENARIO --event ... [--lever ...]`` or ``energy-routes story STORY.yaml``
writes one story folder (see :mod:`energy_routes.story`) and prints the headline
and the side-by-side tables. ``energy-routes show SCENARIO`` prints the Kazakh
capacity per asset and year, the netback per source and route and how it is made
up, the commitments and caps that hold and every event, without solving.
Exit codes: 0 done, 2 bad input, 3 a case is infeasible, 130 interrupted.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape

from .errors import EnergyRoutesError, InputError, Problem


def _fail(exc: EnergyRoutesError) -> None:
    Console(stderr=True).print(f"[bold red]error:[/bold red] {escape(str(exc))}", highlight=False, soft_wrap=True)
    sys.exit(exc.exit_code)


def _is_story_file(arg: str) -> bool:
    p = Path(arg)
    if p.suffix not in (".yaml", ".yml") or not p.exists():
        return False
    import yaml

    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return False
    return isinstance(data, dict) and "scenario" in data and ("levers" in data or "events" in data or "event" in data)


@click.command()
@click.argument("scenario")
@click.option("--inputs", "inputs_dir", type=click.Path(path_type=Path), default=Path("inputs"), show_default=True, help="Folder with the input tables and scenarios.yaml.")
@click.option("--event", "events", multiple=True, help="The disruption: a named override, or key=value pairs, e.g. target=cpc_terminal,start=2027-03-01,weeks=6,remaining=0.3333 (repeatable: all apply together).")
@click.option("--lever", "levers", multiple=True, help="A named override solved on top of the disrupted case (repeatable).")
@click.option("--override", "overrides", multiple=True, help="Add a named override to the scenario, in every case (repeatable).")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=None, help="Story folder to write (default runs/story-<scenario>-<UTC stamp>/).")
@click.option("--power", is_flag=True, help="Solve the hourly power block in every case too (off by default: the story is about oil).")
@click.option("--no-png", is_flag=True, help="Skip the slide PNGs.")
@click.option("--quiet", "-q", is_flag=True, help="Print only the story folder.")
def story(scenario, inputs_dir, events, levers, overrides, out_dir, power, no_png, quiet):
    """The whole story in one folder: the base SCENARIO, the disrupted case, each lever on top of it.

    \b
    Example:
      energy-routes story outlook-2023-2030 \\
          --event target=cpc_terminal,start=2027-03-01,weeks=6,remaining=0.3333 \\
          --lever aktau-berths-12_5 --lever baku-supsa-restart
    SCENARIO may instead be a story file (YAML with scenario, events, levers).
    Writes story.html, story.xlsx, story_*.csv, chart PNGs and each case's
    tables under cases/; prints the headline and the cases side by side.
    """
    from .errors import SolveError
    from .scenario import load_library
    from .story import StoryRequest, parse_event, read_story_file, run_story

    console = Console(quiet=quiet)
    err = Console(stderr=True)
    try:
        if _is_story_file(scenario):
            req = read_story_file(Path(scenario))
            req.overrides += list(overrides)
            req.levers += list(levers)
            extra_events = events
        else:
            req = StoryRequest(scenario, list(overrides), levers=list(levers))
            extra_events = events
        library = load_library(inputs_dir)
        for text in extra_events:
            kind, value = parse_event(text, list(library.overrides))
            if kind == "override":
                req.event_overrides.append(value)
            else:
                req.events.append(value)

        def progress(case) -> None:
            if not quiet:
                err.print(f"solving {case.role}{': ' + case.lever if case.lever else ''} ...", highlight=False)

        folder, st = run_story(inputs_dir, req, out_dir, power=power, pngs=not no_png, progress=progress)
    except SolveError as exc:
        err.print(f"[bold red]error:[/bold red] {escape(str(exc))} (nothing was written)", highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    except EnergyRoutesError as exc:
        _fail(exc)
    except FileExistsError as exc:
        _fail(InputError([Problem(str(out_dir), str(exc))]))
    if quiet:
        click.echo(str(folder))
        return
    from . import compare as cmp

    for r in st.runs:
        for note in r.scenario_notes:
            err.print(f"[yellow]note:[/yellow] {escape(r.label)}: {escape(note)}", highlight=False, soft_wrap=True)
    console.print(f"[bold]{escape(st.headline)}[/bold]", highlight=False)
    console.print("")
    tables = {k.removeprefix("story_"): v for k, v in st.tables.items() if k != "story_headline"}
    for k, r in enumerate(st.runs):
        console.print(escape(f"{chr(ord('A') + k)} = {r.label} (cases/{r.folder.name})"), highlight=False)
    for t in cmp.terminal_tables(tables, *st.runs)[1:]:
        console.print(t)
    console.print(f"story written to {escape(str(folder))} (story.html, story.xlsx, story_*.csv, cases/)", highlight=False, soft_wrap=True)


@click.command()
@click.argument("scenario")
@click.option("--inputs", "inputs_dir", type=click.Path(path_type=Path), default=Path("inputs"), show_default=True, help="Folder with the input tables and scenarios.yaml.")
@click.option("--override", "overrides", multiple=True, help="Add a named override from scenarios.yaml (repeatable).")
@click.option("--year", type=int, default=None, help="Show one year of the horizon only.")
def show(scenario, inputs_dir, overrides, year):
    """The inputs SCENARIO actually uses, without solving: Kazakh capacity per asset and year, prices,
    differentials, tariffs and netback per source and route, commitments and caps, every event.

    The same tables are written by every run (inputs_*.csv) and are the
    workbook's "Inputs used" sheets.
    """
    from .load import load_inputs
    from .scenario import resolve
    from .show import terminal_tables

    console = Console()
    err = Console(stderr=True)
    try:
        sc = resolve(load_inputs(inputs_dir), scenario, list(overrides))
    except EnergyRoutesError as exc:
        _fail(exc)
    if year is not None and year not in sc.years:
        _fail(InputError([Problem("--year", f"{year} is outside the horizon of '{sc.name}' ({sc.years[0]}-{sc.years[-1]})")]))
    for note in sc.notes:
        err.print(f"[yellow]note:[/yellow] {escape(note)}", highlight=False, soft_wrap=True)
    console.print(f"[bold]{escape(sc.label)}[/bold]: horizon {sc.months[0]}..{sc.months[-1]}, shut-in penalty {sc.settings.shut_in_penalty_usd_per_t:g} $/t", highlight=False)
    for t in terminal_tables(sc, year=year):
        console.print(t)
