"""CLI commands for analyst deliverables: ``report`` and ``compare`` (issue 4)."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
