"""The ``energy-routes`` command line.

Exit codes: 0 success; 2 invalid input or usage (nothing written); 3 the
model is infeasible or the solver failed (a ``diagnosis.json`` is written for
an infeasible scenario); 1 an unexpected error; 130 interrupted.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape

from .cli_guard import GuardedGroup, fail, imports_without_gc
from .errors import EnergyRoutesError, InputError, Problem, ReportError, SolveError

DEFAULT_INPUTS = Path("inputs")
EXIT_INPUT, EXIT_SOLVE = 2, 3


def _inputs_option(f):
    return click.option(
        "--inputs",
        "inputs_dir",
        type=click.Path(path_type=Path),
        default=DEFAULT_INPUTS,
        show_default=True,
        help="Folder with the input tables and scenarios.yaml.",
    )(f)


def _fail(console: Console, exc: EnergyRoutesError) -> None:
    fail(exc, console)


@click.group(cls=GuardedGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="energy_routes")
def main() -> None:
    """Optimise Kazakh crude export routes and trans-Caspian power exports.

    \b
    energy-routes scenarios                 list shipped scenarios
    energy-routes validate [INPUTS_DIR]     check data and scenario files
    energy-routes run SCENARIO [--out DIR]  solve a scenario and write its tables and report
    energy-routes report RUN_DIR            (re)write tables.xlsx, report.html, PNGs
    energy-routes show SCENARIO             the inputs a scenario uses (capacity, netback, commitments, events)
    energy-routes compare RUN_A RUN_B ...   runs side by side, each against the first
    energy-routes story SCENARIO --event E [--lever L]  base, disruption and levers in one report
    energy-routes disrupt SCENARIO --asset A  grid of disruption cases (severity x length x start)
    energy-routes risk SCENARIO --draws N   Monte Carlo disruption risk, with expansion levers
    energy-routes sweep SPEC.yaml           any parameter grid over a scenario
    energy-routes backtest                  the model against reported 2022-2025 history
    """


@main.command()
@_inputs_option
def scenarios(inputs_dir: Path) -> None:
    """List the shipped scenarios with a one-line description."""
    from .scenario import load_library

    console = Console()
    try:
        lib = load_library(inputs_dir)
    except EnergyRoutesError as exc:
        _fail(Console(stderr=True), exc)
    width = max((len(n) for n, _ in lib.describe()), default=0)
    for name, desc in lib.describe():
        first = desc.splitlines()[0] if desc else ""
        console.print(escape(f"{name:<{width}}  {first}"), highlight=False, soft_wrap=True)
    if lib.overrides:
        console.print(f"\noverrides you can add with --override: {', '.join(lib.overrides)}", highlight=False, soft_wrap=True)


@main.command()
@click.argument("inputs_dir", required=False, type=click.Path(path_type=Path), default=DEFAULT_INPUTS)
@click.option("--quiet", "-q", is_flag=True, help="Print nothing on success.")
def validate(inputs_dir: Path, quiet: bool) -> None:
    """Check every input table and every shipped scenario; report all problems at once."""
    from .load import load_inputs
    from .scenario import load_library, resolve

    err = Console(stderr=True)
    try:
        inputs = load_inputs(inputs_dir, lazy=False)  # check every table, the lazy ones too
    except InputError as exc:
        try:  # still check the scenario file and the sweep specs' structure, so every problem is reported at once
            load_library(inputs_dir)
        except InputError as exc2:
            exc.problems.extend(exc2.problems)
        exc.problems.extend(_check_sweep_specs(inputs_dir, None))
        _fail(err, exc)
    problems: list[Problem] = []
    try:
        lib = load_library(inputs_dir)
    except InputError as exc:
        exc.problems.extend(_check_sweep_specs(inputs_dir, None))
        _fail(err, exc)
    for name in lib.scenarios:
        try:
            resolve(inputs, name)
        except InputError as exc:
            problems.extend(exc.problems)
    problems.extend(_check_optional_tables(inputs_dir, inputs, lib))
    problems.extend(_check_sweep_specs(inputs_dir, inputs))
    if problems:
        _fail(err, InputError(list(dict.fromkeys(problems))))
    if not quiet:
        n_specs = len(_sweep_specs(inputs_dir))
        specs = f" and {n_specs} sweep spec{'s' if n_specs != 1 else ''}" if n_specs else ""
        Console().print(f"{inputs_dir}: {len(inputs.tables)} tables, {len(lib.scenarios)} scenarios{specs} are valid")


def _check_optional_tables(inputs_dir: Path, inputs, lib) -> list[Problem]:
    """The tables only some commands read: the hazard model (risk) and the reported history (backtest)."""
    problems: list[Problem] = []
    oil_ids = set(inputs["assets"].loc[inputs["assets"]["block"] == "oil", "asset"]) | set(inputs["routes"]["route"]) | set(inputs["sources"]["source"])
    if (inputs_dir / "hazards.csv").exists() or (inputs_dir / "hazard_severity.csv").exists():
        from .sweep.hazards import load_hazards

        try:
            load_hazards(inputs_dir, oil_ids)
        except InputError as exc:
            problems.extend(exc.problems)
    if (inputs_dir / "history").is_dir():
        from .history import load_history

        try:
            load_history(inputs_dir, set(inputs["routes"]["route"]), set(lib.overrides))
        except InputError as exc:
            problems.extend(exc.problems)
    return problems


def _sweep_specs(inputs_dir: Path) -> list[Path]:
    folder = Path(inputs_dir) / "sweeps"
    return sorted(p for p in folder.glob("*") if p.suffix in (".yaml", ".yml")) if folder.is_dir() else []


def _check_sweep_specs(inputs_dir: Path, inputs) -> list[Problem]:
    """Every sweep spec under inputs/sweeps/: its structure and, when the tables are valid, its cases (as ``sweep`` checks them)."""
    import tempfile

    from .scenario import resolve
    from .sweep import grid

    problems: list[Problem] = []
    for path in _sweep_specs(inputs_dir):
        try:
            spec = grid.read_spec(path)
            if inputs is None:
                continue
            resolve(inputs, spec["scenario"], list(spec.get("overrides") or []))
            if grid.spec_size(spec) > 10 * grid.CHECK_ALL_UP_TO:
                continue  # too big to check here: `sweep` checks it before it starts
            with tempfile.TemporaryDirectory(prefix="energy-routes-validate-") as tmp:
                plan = grid.build_plan(spec, Path(tmp))
                grid.validate_cases(inputs_dir, Path(tmp), plan, spec["parameters"], str(path))
        except InputError as exc:
            problems.extend(Problem(p.file, p.message, p.line, p.column) if p.file.startswith(str(path)) else Problem(str(path), str(p)) for p in exc.problems)
    return problems


@main.command()
@click.argument("scenario")
@_inputs_option
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=None, help="Run folder to write (default runs/<scenario>-<UTC stamp>/).")
@click.option("--override", "overrides", multiple=True, help="Add a named override from scenarios.yaml (repeatable).")
@click.option("--resolution", type=click.Choice(["month", "week", "day"]), default=None,
              help="Periods of the oil block (default: the scenario's, month); windows in the scenario keep theirs.")
@click.option("--no-power", is_flag=True, help="Skip the hourly power block.")
@click.option("--no-report", is_flag=True, help="Write only the tables, without tables.xlsx, report.html and the PNG charts.")
@click.option("--quiet", "-q", is_flag=True, help="Print only the run folder.")
def run(
    scenario: str, inputs_dir: Path, out_dir: Path | None, overrides: tuple[str, ...], resolution: str | None, no_power: bool, no_report: bool,
    quiet: bool,
) -> None:
    """Solve SCENARIO (a shipped name or a .yaml file) and write its tables and report."""
    with imports_without_gc():
        from .api import run_scenario
        from .writers import check_out, default_out_dir, manifest_for, write_run

    console = Console(quiet=quiet)
    err = Console(stderr=True)
    if len(set(overrides)) < len(overrides):
        twice = sorted({o for o in overrides if overrides.count(o) > 1})
        err.print(f"[yellow]note:[/yellow] --override {escape(', '.join(twice))} given more than once; each is applied once", highlight=False, soft_wrap=True)
        overrides = tuple(dict.fromkeys(overrides))
    # --out is checked before any work (the default folder's parent, runs/, too): a bad target is exit 2, not a lost solve
    check_out(out_dir if out_dir is not None else default_out_dir(Path(scenario).stem))
    try:
        pieces = [(f"--resolution {resolution}", {"resolution": resolution})] if resolution else []
        result = run_scenario(inputs_dir, scenario, overrides, power=not no_power, extra_pieces=pieces)
    except SolveError as exc:
        from .diagnose import describe

        err.print(f"[bold red]error:[/bold red] {escape(str(exc))}", highlight=False)
        if exc.diagnosis:
            for line in describe(exc.diagnosis):
                err.print("  " + escape(line), highlight=False)
            target = out_dir or default_out_dir(Path(scenario).stem)
            try:
                write_run(Path(target), {}, {"status": exc.status, "scenario": scenario}, {"diagnosis.json": exc.diagnosis})
                err.print(f"  diagnosis written to {target}/diagnosis.json", highlight=False)
            except OSError as werr:
                err.print(f"  (could not write diagnosis: {escape(str(werr))})", highlight=False)
        sys.exit(exc.exit_code)
    for note in result.scenario.notes:
        err.print(f"[yellow]note:[/yellow] {escape(note)}", highlight=False, soft_wrap=True)
    target = out_dir or default_out_dir(result.scenario.name)
    try:
        written = write_run(target, result.tables, manifest_for(result, inputs_dir, scenario), finalize=None if no_report else _report_writer(Path(target)))
    except FileExistsError as exc:  # another run took the same --out between the check and the rename
        _fail(err, InputError([Problem("--out", str(exc))]))
    except OSError as exc:
        _fail(err, EnergyRoutesError(f"the run folder {target} could not be written ({exc.strerror or exc}); nothing was written"))
    if quiet:
        click.echo(str(written))
    else:
        from .show import events as show_events
        from .summary import print_summary

        print_summary(console, result, written)
        ev = show_events(result.scenario)
        if len(ev):  # every event the scenario carries, inherited through extends/overrides included, with its origin
            console.print(f"disruption events ({len(ev)}), inherited ones included:", highlight=False)
            for r in ev.itertuples():
                ramp = f", {r.ramp_days}-day ramp" if r.ramp_days else ""
                console.print(f"  {escape(r.id)}: {escape(r.target)} keeps {r.remaining:.0%} {r.start}..{r.end}{ramp}; from {escape(getattr(r, '_8'))}", highlight=False)
        if not no_report:
            console.print(f"report: {escape(str(written / 'report.html'))} and tables.xlsx", highlight=False, soft_wrap=True)


def _report_writer(target: Path):
    """Writes the deliverables into the temporary run folder, before it is renamed to ``target``."""

    def write(tmp: Path) -> None:
        from .report import build_report

        try:
            build_report(tmp, shown_as=target)
        except (EnergyRoutesError, KeyboardInterrupt):
            raise
        except Exception as exc:  # the report failed, not the run: say so, and how to keep the tables
            raise ReportError(
                f"the report could not be written ({type(exc).__name__}: {exc}); nothing was written. "
                "Run again with --no-report to keep the tables, and report the bug."
            ) from exc

    return write


#: commands that live in their own modules (one module per feature), imported only when named (or for
#: ``--help``), so a ``run`` does not pay for the sweep, report, story, backtest and hedge modules
main.lazy_commands.update(
    {
        "disrupt": "energy_routes.cli_sweep:disrupt",
        "risk": "energy_routes.cli_sweep:risk",
        "sweep": "energy_routes.cli_sweep:sweep",
        "report": "energy_routes.cli_report:report",
        "compare": "energy_routes.cli_report:compare",
        "story": "energy_routes.cli_story:story",
        "show": "energy_routes.cli_story:show",
        "backtest": "energy_routes.cli_backtest:backtest",
        "hedge": "energy_routes.cli_hedge:hedge",
    }
)


def entry() -> None:
    """Console-script entry point: no tracebacks for the errors we expect; Ctrl-C exits 130.

    Click's standalone mode turns Ctrl-C into "Aborted!" and exit 1, so Click's
    own exceptions are handled here instead.
    """
    try:
        code = main(standalone_mode=False)
    except (KeyboardInterrupt, click.exceptions.Abort):
        Console(stderr=True).print("interrupted; nothing that looks finished was written")
        sys.exit(130)
    except click.ClickException as exc:  # usage errors: message and exit 2, as in standalone mode
        exc.show()
        sys.exit(exc.exit_code)
    except Exception as exc:  # noqa: BLE001 - outside any command (option parsing, start-up): still no traceback
        from .cli_guard import unexpected

        unexpected(exc)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":  # pragma: no cover
    entry()

