"""CLI command ``backtest``: replay 2022-2025 against reported history (issue 6).

Reads the inputs folder (model tables, ``scenarios.yaml`` with ``hist-YYYY``
scenarios, ``history/*.csv``); writes a run folder with
``backtest_outlets.csv``, ``backtest_events.csv`` and ``manifest.json``
(atomically, via :func:`energy_routes.writers.write_run`) and prints a
summary. Exit codes: 0 done (1 with ``--check`` when a claimed comparison
misses), 2 invalid input, 3 a historical scenario is infeasible.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
import pandas as pd
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .errors import EnergyRoutesError, InputError, Problem

EXIT_CHECK = 1


def _fail(exc: EnergyRoutesError) -> None:
    Console(stderr=True).print(f"[bold red]error:[/bold red] {escape(str(exc))}", highlight=False, soft_wrap=True)
    sys.exit(exc.exit_code)


def _num(v: float, spec: str = ".2f") -> str:
    return "" if pd.isna(v) else format(v, spec)


def _range(low: float, high: float) -> str:
    if pd.isna(low):
        return "-"
    return f"{low:g}" if low == high else f"{low:g}-{high:g}"


#: the terminal's word for each kind of comparison (backtest.comparison)
KIND = {"claim": "yes", "identity": "ident", "input": "input", "not claimed": "-"}


def _short_verdict(row) -> str:
    if row.verdict.startswith("inside"):
        return "[green]inside[/green]"
    if row.verdict.startswith("misses"):
        side = "above" if row.error_mt > 0 else "below"
        if row.claimed and row.holds:
            return f"[green]within {row.tolerance_pct:g} %[/green]"  # err % shows by how much
        return f"[red]{abs(row.error_mt):.2f} {side}[/red]" if row.claimed else f"{abs(row.error_mt):.2f} {side}"
    if row.verdict.startswith("no reported"):
        return "not reported"
    return escape(row.verdict)


def outlets_table(df: pd.DataFrame, year: int) -> Table:
    t = Table(title=f"Backtest {year}: Kazakh exports by outlet, Mt", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    for col, just in (("outlet", "left"), ("reported", "right"), ("model", "right"), ("err %", "right"), ("claim", "center"), ("verdict", "left")):
        t.add_column(col, justify=just, no_wrap=True)
    for row in df[df.year == year].itertuples():
        t.add_row(
            escape(row.outlet_name),
            _range(row.reported_low_mt, row.reported_high_mt),
            _num(row.model_mt),
            _num(row.error_pct, "+.1f") if row.error_mt else "",
            KIND[row.comparison],
            _short_verdict(row),
        )
    return t


def monthly_table(df: pd.DataFrame) -> Table:
    t = Table(title="Backtest: months with public figures, Mt in the month", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    for col, just in (("month", "left"), ("outlet", "left"), ("reported", "right"), ("model", "right"), ("claim", "center"), ("verdict", "left")):
        t.add_column(col, justify=just, no_wrap=True)
    for row in df.itertuples():
        t.add_row(row.month, escape(row.outlet_name), _range(row.reported_low_mt, row.reported_high_mt), _num(row.model_mt, ".3f"), KIND[row.comparison], _short_verdict(row))
    return t


def daily_table(df: pd.DataFrame) -> Table:
    t = Table(title="Backtest: events at daily resolution, Mt over the stated days", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    for col, just in (("event", "left"), ("days", "left"), ("reported", "right"), ("model", "right"), ("claim", "center"), ("verdict", "left")):
        t.add_column(col, justify=just, no_wrap=True)
    for row in df.itertuples():
        days = f"{str(row.from_day)[5:]}..{str(row.to_day)[5:]}"
        t.add_row(escape(row.event_id), days, _range(row.reported_low_mt, row.reported_high_mt), _num(row.model_mt, ".3f"), KIND[row.comparison], _short_verdict(row))
    return t


def events_table(df: pd.DataFrame) -> Table:
    t = Table(title="Backtest: CPC disruptions, effect on the year, Mt", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    for col, just in (("event", "left"), ("metric", "left"), ("reported", "right"), ("model", "right"), ("claim", "center"), ("verdict", "left")):
        t.add_column(col, justify=just, no_wrap=True)
    for row in df.itertuples():
        t.add_row(escape(row.event_id), row.metric, _range(row.reported_low_mt, row.reported_high_mt), _num(row.model_mt), KIND[row.comparison], _short_verdict(row))
    return t


def print_backtest(console: Console, bt, out_dir: Path | None) -> None:
    for y in bt.years:
        console.print(outlets_table(bt.outlets, y))
    if not bt.events.empty:
        console.print(events_table(bt.events))
    if not bt.daily.empty:
        console.print(daily_table(bt.daily))
    if not bt.monthly.empty:
        console.print(monthly_table(bt.monthly))
    claimed = bt.claimed
    misses = bt.claimed_misses
    inside = len(claimed) - len(misses)
    colour = "green" if misses.empty else "red"
    identities = int((bt.outlets.comparison == "identity").sum())
    console.print(
        f"[{colour}]claims that hold (inside the reported range, or within their stated tolerance): {inside} of {len(claimed)}[/{colour}]; "
        f"identities of the inputs (not claims): {identities}; "
        f"not claimed: {_rows(bt) - len(claimed) - identities} (reasons in the CSV 'reason' column and docs/backtest.md)",
        highlight=False,
    )
    for row in misses.itertuples():
        console.print(f"  [red]claimed miss[/red] {escape(_what(row))}: {escape(row.verdict)}", highlight=False)
    if out_dir is not None:
        console.print("tables and the chart (backtest.png, backtest.html) written to:", highlight=False)
        console.print(f"  [bold]{escape(str(out_dir))}[/bold]", highlight=False, soft_wrap=True)


def _rows(bt) -> int:
    return len(bt.outlets) + len(bt.events) + len(bt.monthly) + len(bt.daily)


def _what(row) -> str:
    """'2024 cpc', '2022 b1_storm_2022 shut_in', '2025-12 cpc' or 'b7_storm_nov_2023 shut_in 2023-11-27..2023-12-03'
    for a row of Backtest.claimed."""
    if row.kind == "month":
        return f"{row.month} {row.outlet}"
    if row.kind == "day":
        return f"{row.event_id} {row.metric} {row.from_day}..{row.to_day}"
    if row.kind == "event":
        return f"{int(row.year)} {row.event_id} {row.metric}"
    return f"{int(row.year)} {row.outlet}"


def _manifest(bt, inputs_dir: Path) -> dict:
    from .load import file_sha256
    from .scenario import SCENARIO_FILE
    from .writers import command_line, git_commit, now_iso, versions

    hashes = {}
    for path in sorted(Path(inputs_dir).glob("*.csv")):
        hashes[path.name] = file_sha256(path)
    lib = Path(inputs_dir) / SCENARIO_FILE
    if lib.exists():
        hashes[SCENARIO_FILE] = file_sha256(lib)
    hashes.update(bt.history.hashes)
    claimed, misses = bt.claimed, bt.claimed_misses
    return {
        "energy_routes_manifest": 1,
        "kind": "backtest",
        "created_utc": now_iso(),
        "command": command_line(),
        "years": bt.years,
        "inputs_dir": str(Path(inputs_dir).resolve()),
        "input_sha256": hashes,
        "git_commit": git_commit(Path(__file__).parent),
        "versions": versions(),
        "solver": {"name": "HiGHS (highspy)", "runs": bt.runs},
        "summary": {
            "claimed": len(claimed),
            "claimed_inside": len(claimed) - len(misses),
            "claimed_misses": [{"item": _what(r), "verdict": r.verdict} for r in misses.itertuples()],
            "identities": int((bt.outlets.comparison == "identity").sum()),
            "not_claimed": _rows(bt) - len(claimed) - int((bt.outlets.comparison == "identity").sum()),
        },
    }


def _charts(folder: Path, bt) -> None:
    from .report.backtestchart import write_backtest_charts

    write_backtest_charts(folder, bt.outlets, bt.events)


@click.command()
@click.option("--years", "years_spec", default="2022..2025", show_default=True, help="Years to replay: YYYY..YYYY, YYYY or a comma list.")
@click.option(
    "--inputs", "inputs_dir", type=click.Path(path_type=Path), default=Path("inputs"), show_default=True,
    help="Folder with the input tables, scenarios.yaml (hist-YYYY) and history/.",
)
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=None, help="Run folder to write (default runs/backtest-<UTC stamp>/).")
@click.option("--check", is_flag=True, help="Exit with code 1 when a claimed comparison falls outside the reported range.")
@click.option("--quiet", "-q", is_flag=True, help="Print only the run folder.")
def backtest(years_spec: str, inputs_dir: Path, out_dir: Path | None, check: bool, quiet: bool) -> None:
    """Replay the calibrated historical years (scenarios hist-YYYY) and compare with reported history.

    Writes backtest_outlets.csv (per year and outlet: reported low/high, model,
    error in Mt and %, verdict) and backtest_events.csv (per CPC disruption:
    reported vs model CPC loss, rerouted and shut-in volumes), backtest_monthly.csv
    (the months with public figures), backtest_daily.csv (events replayed at daily
    resolution, compared over the days a figure covers), backtest.png and
    backtest.html (the model against the reported ranges) plus manifest.json.
    """
    from .backtest import parse_years, run_backtest
    from .writers import check_out, default_out_dir, write_run

    try:
        years = parse_years(years_spec)
    except ValueError as exc:
        _fail(InputError([Problem("--years", str(exc))]))
    target = out_dir or default_out_dir("backtest")
    check_out(target)  # fail before ten solves, not after
    try:
        bt = run_backtest(inputs_dir, years)
    except EnergyRoutesError as exc:
        _fail(exc)
    try:
        written = write_run(target, {"backtest_outlets": bt.outlets, "backtest_events": bt.events, "backtest_monthly": bt.monthly, "backtest_daily": bt.daily}, _manifest(bt, inputs_dir), finalize=lambda tmp: _charts(tmp, bt))
    except FileExistsError as exc:  # another run took the same --out between the check and the rename
        _fail(InputError([Problem("--out", str(exc))]))
    if quiet:
        click.echo(str(written))
    else:
        print_backtest(Console(), bt, written)
    if check and not bt.claimed_misses.empty:
        sys.exit(EXIT_CHECK)
