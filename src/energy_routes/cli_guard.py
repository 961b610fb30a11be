"""One place that turns every failure of a command into a message and an exit code (no tracebacks).

:class:`GuardedGroup` is the ``energy-routes`` command group: every command
runs inside :func:`guard`, so the project's own errors print their message
and exit with their code (2 bad input, 3 infeasible), and an error nobody
foresaw prints one line naming it as a bug (exit 1) instead of a traceback.
``ENERGY_ROUTES_DEBUG=1`` shows the traceback as well. SIGTERM is treated as
Ctrl-C (exit 130 with a word on what was kept), so a CI timeout or ``kill``
never leaves a half-written folder that looks finished.
"""

from __future__ import annotations

import gc
import importlib
import os
import signal
import sys
import threading
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import click
from rich.console import Console
from rich.markup import escape

from .errors import EnergyRoutesError

DEBUG_ENV = "ENERGY_ROUTES_DEBUG"


def fail(exc: EnergyRoutesError, console: Console | None = None) -> NoReturn:
    """Print ``error: <message>`` on stderr and exit with the error's code."""
    (console or Console(stderr=True)).print(f"[bold red]error:[/bold red] {escape(str(exc))}", highlight=False, soft_wrap=True)
    sys.exit(exc.exit_code)


def unexpected(exc: BaseException) -> NoReturn:
    """An error the program did not foresee: one line, exit code 1 (the traceback only with ENERGY_ROUTES_DEBUG=1)."""
    err = Console(stderr=True)
    if os.environ.get(DEBUG_ENV):
        err.print(escape("".join(traceback.format_exception(exc))), highlight=False, soft_wrap=True)
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    err.print(
        f"[bold red]error:[/bold red] unexpected {escape(type(exc).__name__)}{': ' + escape(text[:300]) if text else ''}. "
        f"This is a bug in energy-routes or a problem of this machine (disk full, memory); nothing that looks finished was written. "
        f"Run again with {DEBUG_ENV}=1 for the traceback.",
        highlight=False,
        soft_wrap=True,
    )
    sys.exit(1)


@contextmanager
def guard() -> Iterator[None]:
    """Expected errors -> their message and exit code; unexpected ones -> :func:`unexpected`."""
    try:
        yield
    except EnergyRoutesError as exc:
        fail(exc)
    except (click.exceptions.ClickException, click.exceptions.Abort, click.exceptions.Exit):
        raise
    except Exception as exc:  # noqa: BLE001 - the promise is "no traceback"
        unexpected(exc)


@contextmanager
def imports_without_gc() -> Iterator[None]:
    """Import a command's libraries (pandas, Pyomo, HiGHS, pydantic, ...) without cyclic garbage collection.

    Importing makes almost no cyclic garbage, but every collection walks every object loaded so far
    (a full one, with these libraries, takes 0.1 s): together 0.15-0.25 s of a one-year run, measured
    with gc.callbacks (benchmarks/startup.py times the run). So the collector is off while they load,
    and then everything alive is frozen (``gc.freeze``: collections skip it from then on). Once per
    process: an in-process caller (the tests' CliRunner) running many commands freezes only what was
    alive at the first, so what it keeps uncollectable is bounded.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if gc.get_freeze_count() == 0:
            gc.freeze()
        if enabled:
            gc.enable()


def _sigterm_as_interrupt(signum, frame):  # pragma: no cover - exercised in subprocess tests
    raise KeyboardInterrupt


class GuardedGroup(click.Group):
    """A click group whose commands run inside :func:`guard`, with SIGTERM handled as Ctrl-C.

    ``lazy_commands`` maps a command name to ``"module:attribute"``: the module is imported the first time
    the command is looked up (running it, or listing it in ``--help``), not when the group is.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands: dict[str, str] = {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None and cmd_name in self.lazy_commands:
            module, attr = self.lazy_commands[cmd_name].split(":")
            command = getattr(importlib.import_module(module), attr)
            self.add_command(command, cmd_name)
        return command

    def invoke(self, ctx: click.Context):
        old = None
        if threading.current_thread() is threading.main_thread():
            old = signal.signal(signal.SIGTERM, _sigterm_as_interrupt)
        try:
            with guard():
                return super().invoke(ctx)
        finally:
            if old is not None:
                signal.signal(signal.SIGTERM, old)
