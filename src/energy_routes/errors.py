"""Errors the command line turns into messages and exit codes (no tracebacks)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the inputs, located as precisely as we can."""

    file: str
    message: str
    line: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", line {self.line}"
        if self.column:
            where += f", column '{self.column}'"
        return f"{where}: {self.message}"


class EnergyRoutesError(Exception):
    """Base class; ``exit_code`` is what the CLI returns."""

    exit_code = 1


@dataclass
class InputError(EnergyRoutesError):
    """The inputs or the scenario are invalid (exit code 2)."""

    problems: list[Problem] = field(default_factory=list)
    exit_code = 2

    def __str__(self) -> str:
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in the inputs:"
        return "\n".join([head, *(f"  - {p}" for p in self.problems)])


class SolveError(EnergyRoutesError):
    """The solver did not return an optimal solution (exit code 3)."""

    exit_code = 3

    def __init__(self, message: str, status: str, diagnosis: dict | None = None):
        super().__init__(message)
        self.status = status
        self.diagnosis = diagnosis or {}
