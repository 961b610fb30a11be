"""CLI command ``backtest``: replay 2022-2025 against reported history (issue 6)."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
