"""Scenarios: a base plus named overrides (Calliope-style), resolved against the inputs.

Reads ``inputs/scenarios.yaml``::

    base:       settings every scenario starts from
    overrides:  name -> partial settings
    scenarios:  name -> {description, overrides: [name, ...]}

or a user scenario file with ``name``, optional ``extends`` (a shipped
scenario), ``overrides`` and inline settings. Merging: mappings merge key by
key, lists are appended, scalars replaced. The result is checked with
pydantic (types, ranges) and then against the input tables (ids exist, events
and limits inside the horizon, data covers the horizon). Every problem names
the file, the line and the setting.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import InputError, Problem
from .load import Inputs, _check_structure, _validate_with_pandera, known_ids, slip_hint
from .schema import TABLES_BY_NAME

HORIZON_MIN = pd.Period("2022-01", "M")
HORIZON_MAX = pd.Period("2030-12", "M")
SCENARIO_FILE = "scenarios.yaml"

YearsSpec = int | list[int] | str | None

#: units of the numeric settings, for hints when a value looks like a unit slip
FIELD_UNITS = {"remaining": "fraction", "max_share": "fraction", "min_mt": "Mt/yr", "max_mt": "Mt/yr"}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Horizon(_Strict):
    start: str = Field(description="first month, YYYY-MM")
    end: str = Field(description="last month, YYYY-MM")

    @field_validator("start", "end", mode="before")
    @classmethod
    def _month(cls, v: Any) -> str:
        if isinstance(v, (dt.date, dt.datetime)):
            v = v.strftime("%Y-%m")
        v = str(v)
        if not re.fullmatch(r"\d{4}-\d{2}", v) or not 1 <= int(v[5:]) <= 12:
            raise ValueError(f"expected a month as YYYY-MM, got '{v}'")
        return v


class PowerSettings(_Strict):
    enabled: bool = True
    years: list[int] = Field(default_factory=list)
    black_sea: bool = False


class RouteLimit(_Strict):
    route: str
    years: YearsSpec = None
    min_mt: float | None = Field(default=None, ge=0, le=150)
    max_mt: float | None = Field(default=None, ge=0, le=150)
    note: str | None = None


class RouteShare(_Strict):
    route: str
    years: YearsSpec = None
    max_share: float = Field(ge=0, le=1)
    note: str | None = None


class Event(_Strict):
    id: str
    target: str
    start: dt.date
    end: dt.date
    remaining: float = Field(ge=0, le=1)
    ramp_days: int = Field(default=0, ge=0, le=730)
    note: str | None = None


class SetEdit(_Strict):
    table: str
    where: dict[str, str | int | float] = Field(default_factory=dict)
    years: YearsSpec = None
    values: dict[str, str | int | float | None]
    note: str | None = None


class Settings(_Strict):
    """The settings of one scenario (all optional so overrides can be partial)."""

    name: str | None = None
    description: str | None = None
    extends: str | None = None
    overrides: list[str] = Field(default_factory=list)
    horizon: Horizon | None = None
    shut_in_penalty_usd_per_t: float | None = Field(default=None, ge=0, le=10000)
    power: PowerSettings | None = None
    route_limits: list[RouteLimit] = Field(default_factory=list)
    route_shares: list[RouteShare] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    set: list[SetEdit] = Field(default_factory=list)


@dataclass
class Scenario:
    """A scenario resolved against the inputs: what the model is built from."""

    name: str
    description: str
    overrides: list[str]
    settings: Settings
    inputs: Inputs  # with the scenario's `set` edits applied
    months: pd.PeriodIndex
    source_file: str
    resolved: dict = field(default_factory=dict)  # plain-data form for the manifest

    @property
    def years(self) -> list[int]:
        return sorted({p.year for p in self.months})

    @property
    def power_years(self) -> list[int]:
        p = self.settings.power
        if p is None or not p.enabled:
            return []
        return list(p.years) if p.years else [self.years[-1]]


# ---------------------------------------------------------------- YAML with lines


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that records the line of every mapping key and sequence item."""


def _load_yaml(path: Path) -> tuple[Any, dict[tuple, int]]:
    rel = path.name
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError([Problem(str(path), f"cannot be read ({exc.strerror})")]) from None
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise InputError([Problem(rel, "is UTF-16 text; save it as UTF-8", line=1)])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError([Problem(rel, f"is not UTF-8 text (byte 0x{raw[exc.start]:02x}); save it as UTF-8", line=line)]) from None
    try:
        node = yaml.compose(text, Loader=_LineLoader)
        data = yaml.load(text, Loader=_LineLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        what = getattr(exc, "problem", None) or str(exc)
        raise InputError([Problem(rel, f"is not valid YAML: {what}{_yaml_hint(what)}", line=line)]) from None
    lines: dict[tuple, int] = {}
    dupes: list[Problem] = []

    def walk(n: yaml.Node, path: tuple) -> None:
        lines[path] = n.start_mark.line + 1
        if isinstance(n, yaml.MappingNode):
            first: dict[str, int] = {}
            for k, _ in n.value:
                line = k.start_mark.line + 1
                if k.value in first:
                    where = ".".join(map(str, path + (k.value,)))
                    dupes.append(
                        Problem(rel, f"key '{k.value}' repeats the one on line {first[k.value]}; YAML would silently keep only the last, so merge them", line=line, column=where)
                    )
                first.setdefault(k.value, line)
            for k, v in n.value:
                lines[path + (k.value,)] = k.start_mark.line + 1
                walk(v, path + (k.value,))
                lines[path + (k.value,)] = k.start_mark.line + 1
        elif isinstance(n, yaml.SequenceNode):
            for i, v in enumerate(n.value):
                walk(v, path + (i,))

    if node is not None:
        walk(node, ())
    if dupes:
        raise InputError(dupes)
    return data, lines


def _yaml_hint(what: str) -> str:
    """Plain words for PyYAML's parser messages."""
    if "stream end" in what:
        return " (the file ends inside a { } or [ ]: is it cut short, or a bracket not closed?)"
    if "\\t" in what or "\t" in what or "tab" in what:
        return " (YAML indents with spaces, not tabs)"
    if "block" in what or "mapping values are not allowed" in what:
        return " (check the indentation of this line against the line above)"
    return ""


def _line_for(lines: dict[tuple, int], path: tuple) -> int | None:
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return lines.get(())


def _validate_piece(piece: Any, where: tuple, rel: str, lines: dict[tuple, int], problems: list[Problem]) -> Settings | None:
    if piece is None:
        piece = {}
    if not isinstance(piece, dict):
        problems.append(Problem(rel, f"'{'.'.join(map(str, where))}' must be a mapping of settings", line=_line_for(lines, where)))
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
            problems.append(Problem(rel, f"{msg}{got_txt}", line=_line_for(lines, loc), column=field_name))
        return None


# ---------------------------------------------------------------- merge


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


# ---------------------------------------------------------------- library


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
    data, lines = _load_yaml(path)
    problems: list[Problem] = []
    if not isinstance(data, dict):
        raise InputError([Problem(rel, "must be a mapping with keys base, overrides, scenarios", line=1)])
    for key in data:
        if key not in ("base", "overrides", "scenarios"):
            problems.append(Problem(rel, "unknown top-level key; expected base, overrides, scenarios", line=_line_for(lines, (key,)), column=str(key)))
    base = data.get("base") or {}
    _validate_piece(base, ("base",), rel, lines, problems)
    overrides = data.get("overrides") or {}
    scenarios = data.get("scenarios") or {}
    for section, items in (("overrides", overrides), ("scenarios", scenarios)):
        if not isinstance(items, dict):
            problems.append(Problem(rel, f"'{section}' must be a mapping of names", line=_line_for(lines, (section,))))
    if not isinstance(overrides, dict) or not isinstance(scenarios, dict):
        raise InputError(problems)
    for name, piece in overrides.items():
        _validate_piece(piece, ("overrides", name), rel, lines, problems)
    for name, spec in scenarios.items():
        if not isinstance(spec, dict):
            problems.append(Problem(rel, "must be a mapping with description and overrides", line=_line_for(lines, ("scenarios", name)), column=f"scenarios.{name}"))
            continue
        for key in spec:
            if key not in ("description", "overrides"):
                problems.append(Problem(rel, "unknown key; a scenario has description and overrides", line=_line_for(lines, ("scenarios", name, key)), column=f"scenarios.{name}.{key}"))
        seen: set = set()
        for i, ov in enumerate(spec.get("overrides") or []):
            if ov not in overrides:
                problems.append(Problem(rel, f"unknown override '{ov}'; known: {', '.join(overrides) or '(none defined)'}", line=_line_for(lines, ("scenarios", name, "overrides", i)), column=f"scenarios.{name}.overrides"))
            elif ov in seen:
                problems.append(Problem(rel, f"override '{ov}' is listed twice; its events and limits would be applied twice", line=_line_for(lines, ("scenarios", name, "overrides", i)), column=f"scenarios.{name}.overrides"))
            seen.add(ov)
    if problems:
        raise InputError(problems)
    return Library(path, base, overrides, scenarios, lines)


# ---------------------------------------------------------------- resolve


def _years(spec: YearsSpec, horizon_years: list[int]) -> list[int]:
    if spec is None:
        return list(horizon_years)
    if isinstance(spec, int):
        return [spec]
    if isinstance(spec, list):
        return [int(y) for y in spec]
    m = re.fullmatch(r"\s*(\d{4})\s*\.\.\s*(\d{4})\s*", str(spec))
    if m:
        a, b = int(m.group(1)), int(m.group(2))
        return list(range(a, b + 1))
    if re.fullmatch(r"\s*\d{4}\s*", str(spec)):
        return [int(spec)]
    raise ValueError(f"expected a year, a list of years or 'YYYY..YYYY', got '{spec}'")


def resolve(inputs: Inputs, scenario: str | Path, extra_overrides: list[str] | tuple[str, ...] = ()) -> Scenario:
    """Resolve a shipped scenario name or a scenario file into a :class:`Scenario`."""
    library = load_library(inputs.folder)
    problems: list[Problem] = []
    path = Path(str(scenario))
    if str(scenario) in library.scenarios:
        spec = library.scenarios[str(scenario)]
        name = str(scenario)
        description = str(spec.get("description", "")).strip()
        chain = list(spec.get("overrides") or [])
        inline: dict = {}
        rel, lines = SCENARIO_FILE, library.lines
    elif path.suffix in (".yaml", ".yml") and path.exists():
        data, lines = _load_yaml(path)
        rel = path.name
        if data is None:
            data = {}
        if _validate_piece(data, (), rel, lines, problems) is None:
            raise InputError(problems)
        name = str(data.get("name") or path.stem)
        description = str(data.get("description", "")).strip()
        chain = []
        if data.get("extends"):
            parent = data["extends"]
            if parent not in library.scenarios:
                raise InputError([Problem(rel, f"extends unknown scenario '{parent}'; known: {', '.join(library.scenarios)} (extends names a shipped scenario, and those extend nothing, so there are no chains or cycles)", line=_line_for(lines, ("extends",)), column="extends")])
            chain = list(library.scenarios[parent].get("overrides") or [])
            description = description or str(library.scenarios[parent].get("description", "")).strip()
        for i, ov in enumerate(data.get("overrides") or []):
            if ov not in library.overrides:
                problems.append(Problem(rel, f"unknown override '{ov}'; known: {', '.join(library.overrides) or '(none defined)'}", line=_line_for(lines, ("overrides", i)), column="overrides"))
            chain.append(ov)
        inline = {k: v for k, v in data.items() if k not in ("name", "description", "extends", "overrides")}
    else:
        known = ", ".join(library.scenarios)
        raise InputError([Problem(str(scenario), f"is neither a shipped scenario ({known}) nor an existing .yaml file")])
    for ov in extra_overrides:
        if ov not in library.overrides:
            problems.append(Problem("--override", f"unknown override '{ov}'; known: {', '.join(library.overrides) or '(none defined)'}"))
        chain.append(ov)
    for ov in sorted({ov for ov in chain if chain.count(ov) > 1}):
        problems.append(
            Problem(
                f"{rel} (scenario '{name}')",
                f"override '{ov}' is applied {chain.count(ov)} times (through extends, overrides and --override); its events and limits would count more than once",
                line=_line_for(lines, ("overrides",)) if rel != SCENARIO_FILE else None,
                column="overrides",
            )
        )
    if problems:
        raise InputError(problems)
    merged = copy.deepcopy(library.base)
    provenance: dict[str, list[tuple[str, int | None]]] = {}
    _note_provenance(provenance, library.base, ("base",), SCENARIO_FILE, library.lines)
    for ov in chain:
        piece = library.overrides[ov] or {}
        merged = merge(merged, {k: v for k, v in piece.items() if k != "description"})
        _note_provenance(provenance, piece, ("overrides", ov), SCENARIO_FILE, library.lines)
    merged = merge(merged, inline)
    _note_provenance(provenance, inline, (), rel, lines)
    merged.pop("description", None)
    settings = Settings.model_validate(merged)
    return _check_against_inputs(inputs, settings, name, description, chain, provenance)


LIST_SETTINGS = ("route_limits", "route_shares", "events", "set")


def _note_provenance(prov: dict, piece: dict, where: tuple, rel: str, lines: dict) -> None:
    """Remember the file and line of every list item, in merge order, and of the last setting of every other key."""
    for key in LIST_SETTINGS:
        for i, _ in enumerate(piece.get(key) or []):
            prov.setdefault(key, []).append((rel, _line_for(lines, where + (key, i))))
    for key in piece:
        if key not in LIST_SETTINGS:
            prov[key] = (rel, _line_for(lines, where + (key,)))


def _check_against_inputs(
    inputs: Inputs, s: Settings, name: str, description: str, chain: list[str], provenance: dict
) -> Scenario:
    problems: list[Problem] = []
    rel = SCENARIO_FILE

    def report(msg: str, column: str) -> None:
        m = re.match(r"(\w+)\[(\d+)\]", column)
        file, line = SCENARIO_FILE, None
        if m and m.group(1) in provenance and int(m.group(2)) < len(provenance[m.group(1)]):
            file, line = provenance[m.group(1)][int(m.group(2))]
        elif isinstance(provenance.get(column.split(".")[0]), tuple):  # a scalar or mapping setting
            file, line = provenance[column.split(".")[0]]
        problems.append(Problem(f"{file} (scenario '{name}')", msg, line=line, column=column))

    if s.horizon is None:
        raise InputError([Problem(rel, "no horizon set; expected horizon: {start: YYYY-MM, end: YYYY-MM} in base", column="horizon")])
    start, end = pd.Period(s.horizon.start, "M"), pd.Period(s.horizon.end, "M")
    if start > end:
        report(f"horizon starts ({start}) after it ends ({end})", "horizon")
    if start < HORIZON_MIN or end > HORIZON_MAX:
        report(f"horizon {start}..{end} must lie inside {HORIZON_MIN}..{HORIZON_MAX}", "horizon")
    if problems:
        raise InputError(problems)
    months = pd.period_range(start, end, freq="M")
    years = sorted({p.year for p in months})
    first_day, last_day = start.start_time.date(), end.end_time.date()

    routes = set(inputs.ids("routes", "route"))
    assets = set(inputs.ids("assets", "asset"))
    sources = set(inputs.ids("sources", "source"))

    def years_of(spec: YearsSpec, column: str) -> list[int]:
        try:
            ys = _years(spec, years)
        except ValueError as exc:
            report(str(exc), column)
            return []
        outside = [y for y in ys if y not in years]
        if outside:
            report(f"year(s) {', '.join(map(str, outside))} outside the horizon {start}..{end}", column)
        return [y for y in ys if y in years]

    for i, lim in enumerate(s.route_limits):
        col = f"route_limits[{i}]"
        if lim.route not in routes:
            report(f"unknown route '{lim.route}'; known: {', '.join(sorted(routes))}", col + ".route")
        years_of(lim.years, col + ".years")
        if lim.min_mt is not None and lim.max_mt is not None and lim.min_mt > lim.max_mt:
            report(f"min_mt {lim.min_mt:g} exceeds max_mt {lim.max_mt:g}", col)
    # limits on one route and year combine into the tightest minimum and maximum (docs/model.md):
    # a minimum from one entry above a maximum from another can never hold
    lows: dict[tuple[str, int], tuple[float, int]] = {}
    highs: dict[tuple[str, int], tuple[float, int]] = {}
    for i, lim in enumerate(s.route_limits):
        try:
            ys = _years(lim.years, years)
        except ValueError:
            continue
        for y in ys:
            if lim.min_mt is not None and lim.min_mt > lows.get((lim.route, y), (-1.0, -1))[0]:
                lows[(lim.route, y)] = (lim.min_mt, i)
            if lim.max_mt is not None and lim.max_mt < highs.get((lim.route, y), (float("inf"), -1))[0]:
                highs[(lim.route, y)] = (lim.max_mt, i)
    clashes: dict[tuple[int, int], list[int]] = {}
    for key, (lo, i) in lows.items():
        hi, j = highs.get(key, (float("inf"), -1))
        if lo > hi and i != j:
            clashes.setdefault((i, j), []).append(key[1])
    for (i, j), ys in clashes.items():
        lo, hi = s.route_limits[i].min_mt, s.route_limits[j].max_mt
        report(
            f"requires at least {lo:g} Mt/yr on route '{s.route_limits[i].route}' in {', '.join(map(str, sorted(ys)))}, "
            f"but route_limits[{j}]{_origin(provenance, 'route_limits', j)} allows at most {hi:g} Mt/yr there",
            f"route_limits[{i}]",
        )
    for i, sh in enumerate(s.route_shares):
        col = f"route_shares[{i}]"
        if sh.route not in routes:
            report(f"unknown route '{sh.route}'; known: {', '.join(sorted(routes))}", col + ".route")
        years_of(sh.years, col + ".years")
    ids_seen: set[str] = set()
    for i, ev in enumerate(s.events):
        col = f"events[{i}] ({ev.id})"
        if ev.id in ids_seen:
            report(f"event id '{ev.id}' is used twice; ids must be unique", col)
        ids_seen.add(ev.id)
        if ev.target not in routes | assets | sources:
            report(f"unknown target '{ev.target}'; expected an asset, route or source id", col + ".target")
        if ev.start > ev.end:
            report(f"starts ({ev.start}) after it ends ({ev.end})", col)
        if ev.start < first_day or ev.end > last_day:
            report(f"window {ev.start}..{ev.end} is outside the horizon {first_day}..{last_day}", col)
    # Overlapping events add their losses (a mooring out while the pipeline is derated). Two
    # events on one target over the very same window are one outage entered twice: with the
    # same 'remaining' the loss would count twice, with different ones they contradict.
    window: dict[tuple, int] = {}
    for i, ev in enumerate(s.events):
        key = (ev.target, ev.start, ev.end)
        if key in window:
            j = window[key]
            other = s.events[j]
            report(
                f"cuts '{ev.target}' over the same window {ev.start}..{ev.end} as events[{j}] ({other.id}), "
                f"with remaining {ev.remaining:g} here and {other.remaining:g} there; overlapping events add their "
                "losses, so one outage entered twice counts twice: keep one event per outage",
                f"events[{i}] ({ev.id})",
            )
        window.setdefault(key, i)
    if s.power is not None:
        for y in s.power.years:
            if not 2000 <= y <= 2100:
                report(f"power year {y} is not a plausible year", "power.years")

    edited = inputs.copy()
    for i, edit in enumerate(s.set):
        col = f"set[{i}]"
        table = TABLES_BY_NAME.get(edit.table)
        if table is None or edit.table not in edited.tables:
            report(f"unknown table '{edit.table}'; known: {', '.join(edited.tables)}", col + ".table")
            continue
        df = edited.tables[edit.table]
        colnames = {c.name for c in table.columns}
        bad = [k for k in list(edit.where) + list(edit.values) if k not in colnames]
        if bad:
            report(f"unknown column(s) {', '.join(bad)} in table {edit.table}; known: {', '.join(sorted(colnames))}", col)
            continue
        mask = pd.Series(True, index=df.index)
        for k, v in edit.where.items():
            mask &= df[k].astype(str) == str(v)
        if edit.years is not None:
            if "year" not in df:
                report(f"table {edit.table} has no year column; drop 'years'", col + ".years")
                continue
            try:
                ys = _years(edit.years, years)
            except ValueError as exc:
                report(str(exc), col + ".years")
                continue
            mask &= df["year"].isin(ys)
        if not mask.any():
            report(f"matches no row of {edit.table}.csv", col + ".where")
            continue
        for k, v in edit.values.items():
            c = table.col(k)
            if c.kind in ("int", "float"):
                try:
                    v = None if v is None else float(v)
                except (TypeError, ValueError):
                    report(f"value for {k} must be {c.expected()}, got '{v}'", col + f".values.{k}")
                    continue
                if c.kind == "int" and v is not None:
                    v = int(v)
            df.loc[mask, k] = v
        _validate_with_pandera(
            df, edited.lines[edit.table], table, f"{edit.table}.csv as edited by {rel} {col}", known_ids(edited.tables), problems
        )
    _check_structure(edited.tables, edited.lines, problems)

    # data must cover the horizon
    for tname, key in (("supply", "source"), ("asset_capacity", "asset")):
        df = edited.tables[tname]
        for ident, grp in df.groupby(key):
            missing = sorted(set(years) - set(grp["year"]))
            if missing:
                last = int(edited.lines[tname].get(grp.index[-1], 0)) or None
                problems.append(
                    Problem(
                        f"{tname}.csv",
                        f"{key} '{ident}' has no row for year(s) {', '.join(map(str, missing))} of scenario '{name}' (horizon {start}..{end}); its last row is here",
                        line=last,
                        column="year",
                    )
                )
    missing = sorted(set(years) - set(edited.tables["prices"]["year"]))
    if missing:
        last = int(edited.lines["prices"].iloc[-1]) if len(edited.lines["prices"]) else None
        problems.append(Problem("prices.csv", f"no Brent price for year(s) {', '.join(map(str, missing))} of scenario '{name}' (horizon {start}..{end}); the last row is here", line=last, column="year"))
    oil_assets = set(edited.tables["assets"].query("block == 'oil'")["asset"])
    no_cap = sorted(oil_assets - set(edited.tables["asset_capacity"]["asset"]))
    for a in no_cap:
        problems.append(Problem("asset_capacity.csv", f"oil asset '{a}' has no capacity rows", column="asset"))
    no_supply = sorted(sources - set(edited.tables["supply"]["source"]))
    for src in no_supply:
        problems.append(Problem("supply.csv", f"source '{src}' has no supply rows", column="source"))
    scenario = Scenario(name, description, chain, s, edited, months, rel)
    for y in scenario.power_years:
        for tech in ("wind", "solar"):
            pc = edited.tables["power_capacity"]
            if not ((pc["technology"] == tech) & (pc["year"] == y)).any():
                problems.append(Problem("power_capacity.csv", f"no {tech} capacity for power year {y} of scenario '{name}'", column="year"))
    if problems:
        raise InputError(problems)
    if s.shut_in_penalty_usd_per_t is None:
        raise InputError([Problem(rel, "shut_in_penalty_usd_per_t is not set (expected in base)", column="shut_in_penalty_usd_per_t")])
    scenario.resolved = _plain({"name": name, "description": description, "overrides": chain, **s.model_dump(exclude={"name", "description", "extends", "overrides"})})
    return scenario


def _origin(provenance: dict, key: str, i: int) -> str:
    """`` (file, line N)`` of the i-th merged item of a list setting, when known."""
    items = provenance.get(key) or []
    if i < len(items):
        file, line = items[i]
        return f" ({file}, line {line})" if line else f" ({file})"
    return ""


def _plain(obj: Any) -> Any:
    """JSON-friendly copy (dates as ISO strings)."""
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_plain(v) for v in obj]
    if isinstance(obj, (dt.date, dt.datetime)):
        return obj.isoformat()
    return obj
