"""CLI commands for many cases: ``disrupt``, ``risk`` and ``sweep`` (issue 3)."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
