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


#: at most this many problems are printed per file and column (the rest are counted)
SHOW_PER_FIELD = 10
#: and at most this many in all
SHOW_TOTAL = 60


@dataclass
class InputError(EnergyRoutesError):
    """The inputs or the scenario are invalid (exit code 2).

    ``problems`` holds every problem; the message shows the first
    :data:`SHOW_PER_FIELD` of each file and column and :data:`SHOW_TOTAL` in
    all, and counts the rest, so a table with a million bad rows prints a
    screenful, not a million lines.
    """

    problems: list[Problem] = field(default_factory=list)
    exit_code = 2

    def __str__(self) -> str:
        n = len(self.problems)
        head = f"{n:,} problem{'s' if n != 1 else ''} in the inputs:"
        shown: list[str] = []
        hidden: dict[tuple[str, str | None], int] = {}
        per: dict[tuple[str, str | None], int] = {}
        for p in self.problems:
            key = (p.file, p.column)
            per[key] = per.get(key, 0) + 1
            if per[key] <= SHOW_PER_FIELD and len(shown) < SHOW_TOTAL:
                shown.append(f"  - {p}")
            else:
                hidden[key] = hidden.get(key, 0) + 1
        more = []
        for (file, column), count in hidden.items():
            where = f"{file}, column '{column}'" if column else file
            more.append(f"  … and {count:,} more like these in {where}" if per[(file, column)] > count else f"  … and {count:,} more in {where}")
        if len(more) > 10:
            rest = sum(hidden.values())
            more = [f"  … and {rest:,} more problems in {len(hidden)} files or columns; fix the ones above first"]
        return "\n".join([head, *shown, *more])


class ReportError(EnergyRoutesError):
    """The tables were computed but the report (Excel, HTML, charts) could not be written (exit code 1)."""

    exit_code = 1


class SolveError(EnergyRoutesError):
    """The solver did not return an optimal solution (exit code 3)."""

    exit_code = 3

    def __init__(self, message: str, status: str, diagnosis: dict | None = None):
        super().__init__(message)
        self.status = status
        self.diagnosis = diagnosis or {}
