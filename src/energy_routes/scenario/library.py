"""The shipped scenario library (``inputs/scenarios.yaml``) and how scenario pieces merge.

Reads ``inputs/scenarios.yaml``::

    base:       settings every scenario starts from
    overrides:  name -> partial settings
    scenarios:  name -> {description, overrides: [name, ...]}

A scenario is a chain of *pieces*: the base, its overrides in order, then a
user file's inline settings and any ``--override``. Pieces merge in that
order: mappings key by key, the item lists (:data:`LIST_SETTINGS`) appended,
scalars replaced (:func:`merge`). Which route limits hold when pieces
disagree is decided later, per route and year (:mod:`.limits`).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import InputError, Problem
from ..load import slip_hint
from .settings import FIELD_UNITS, LIST_SETTINGS, Settings
from .yamlio import line_for, load_yaml

SCENARIO_FILE = "scenarios.yaml"


def validate_piece(piece: Any, where: tuple, rel: str, lines: dict[tuple, int], problems: list[Problem]) -> Settings | None:
    """Check one piece against :class:`Settings`; problems name file, line and setting."""
    if piece is None:
        piece = {}
    if not isinstance(piece, dict):
        problems.append(Problem(rel, f"'{'.'.join(map(str, where))}' must be a mapping of settings", line=line_for(lines, where)))
        return None
    try:
        return Settings.model_validate(piece)
    except ValidationError as exc:
        for err in exc.errors():
            loc = where + tuple(err["loc"])
            field_name = ".".join(str(p) for p in loc)
            msg = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                msg = "unknown setting"
            got = err.get("input")
            got_txt = "" if isinstance(got, (dict, list)) or got is None or "got " in msg else f" (got {got!r})"
            unit = FIELD_UNITS.get(str(loc[-1])) if loc else None
            if unit and err["type"] == "less_than_equal" and isinstance(got, (int, float)):
                got_txt += slip_hint(unit, float(got))
            problems.append(Problem(rel, f"{msg}{got_txt}", line=line_for(lines, loc), column=field_name))
        return None


def merge(base: dict, over: dict, _top: bool = True) -> dict:
    """Merge ``over`` onto ``base``: mappings key by key, the item lists
    (route_limits, route_shares, events, set) appended, everything else replaced."""
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value, _top=False)
        elif _top and key in LIST_SETTINGS and isinstance(value, list) and isinstance(out.get(key), list):
            out[key] = out[key] + copy.deepcopy(value)
        else:
            out[key] = copy.deepcopy(value)
    return out


@dataclass(frozen=True)
class Origin:
    """Where one setting or list item came from: file, line, and the piece of the chain."""

    file: str
    line: int | None
    piece: str  # "base", "override 'x'", "my-case.yaml", "--override 'x'"
    order: int  # position of the piece in the chain (later pieces win where the rules say so)

    def where(self) -> str:
        return f"{self.file}, line {self.line}" if self.line else self.file


@dataclass
class Provenance:
    """The origin of every merged list item (in merge order) and of the last setting of every other key."""

    items: dict[str, list[Origin]] = field(default_factory=dict)
    scalars: dict[str, Origin] = field(default_factory=dict)
    pieces: int = 0

    def add(self, piece: dict, where: tuple, rel: str, lines: dict, label: str) -> None:
        order = self.pieces
        self.pieces += 1
        for key in LIST_SETTINGS:
            for i, _ in enumerate(piece.get(key) or []):
                self.items.setdefault(key, []).append(Origin(rel, line_for(lines, where + (key, i)), label, order))
        for key in piece:
            if key not in LIST_SETTINGS:
                self.scalars[key] = Origin(rel, line_for(lines, where + (key,)), label, order)

    def item(self, key: str, i: int) -> Origin | None:
        items = self.items.get(key) or []
        return items[i] if i < len(items) else None


@dataclass
class Library:
    """The shipped scenario file: base, overrides and named scenarios."""

    path: Path
    base: dict
    overrides: dict[str, dict]
    scenarios: dict[str, dict]
    lines: dict[tuple, int]

    def describe(self) -> list[tuple[str, str]]:
        return [(name, str(spec.get("description", "")).strip()) for name, spec in self.scenarios.items()]


def load_library(folder: Path) -> Library:
    """Read and check ``scenarios.yaml`` in an inputs folder."""
    path = Path(folder) / SCENARIO_FILE
    rel = SCENARIO_FILE
    if not path.exists():
        raise InputError([Problem(rel, f"is missing from {folder}; expected the base scenario and named scenarios")])
    data, lines = load_yaml(path)
    problems: list[Problem] = []
    if not isinstance(data, dict):
        raise InputError([Problem(rel, "must be a mapping with keys base, overrides, scenarios", line=1)])
    for key in data:
        if key not in ("base", "overrides", "scenarios"):
            problems.append(Problem(rel, "unknown top-level key; expected base, overrides, scenarios", line=line_for(lines, (key,)), column=str(key)))
    base = data.get("base") or {}
    validate_piece(base, ("base",), rel, lines, problems)
    overrides = data.get("overrides") or {}
    scenarios = data.get("scenarios") or {}
    for section, items in (("overrides", overrides), ("scenarios", scenarios)):
        if not isinstance(items, dict):
            problems.append(Problem(rel, f"'{section}' must be a mapping of names", line=line_for(lines, (section,))))
    if not isinstance(overrides, dict) or not isinstance(scenarios, dict):
        raise InputError(problems)
    for name, piece in overrides.items():
        validate_piece(piece, ("overrides", name), rel, lines, problems)
    for name, spec in scenarios.items():
        if not isinstance(spec, dict):
            problems.append(Problem(rel, "must be a mapping with description and overrides", line=line_for(lines, ("scenarios", name)), column=f"scenarios.{name}"))
            continue
        for key in spec:
            if key not in ("description", "overrides"):
                problems.append(Problem(rel, "unknown key; a scenario has description and overrides", line=line_for(lines, ("scenarios", name, key)), column=f"scenarios.{name}.{key}"))
        seen: set = set()
        for i, ov in enumerate(spec.get("overrides") or []):
            if ov not in overrides:
                problems.append(Problem(rel, f"unknown override '{ov}'; known: {', '.join(overrides) or '(none defined)'}", line=line_for(lines, ("scenarios", name, "overrides", i)), column=f"scenarios.{name}.overrides"))
            elif ov in seen:
                problems.append(Problem(rel, f"override '{ov}' is listed twice; its events and limits would be applied twice", line=line_for(lines, ("scenarios", name, "overrides", i)), column=f"scenarios.{name}.overrides"))
            seen.add(ov)
    if problems:
        raise InputError(problems)
    return Library(path, base, overrides, scenarios, lines)
