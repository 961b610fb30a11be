"""Resolve a shipped scenario name or a scenario file into a :class:`Scenario` the model is built from.

Steps, each in its own module: read the library (:mod:`.library`), build the
chain of pieces and merge them (:func:`.library.merge`), check the merged
settings (:mod:`.settings`, :mod:`.checks`), decide which limits hold
(:mod:`.limits`), apply the ``set`` edits to a copy of the tables
(:mod:`.edits`) and check that the data cover the horizon.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import InputError, Problem
from ..load import Inputs
from ..outlets import check_lead_times, unit_targets
from . import checks, limits
from .edits import apply_set_edits
from .library import SCENARIO_FILE, Provenance, load_library, merge, validate_piece
from .stacking import stacking_notes
from .settings import Settings
from .yamlio import line_for, load_yaml


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
    limits: dict = field(default_factory=dict)  # (route, year) -> limits.Effective (Mt/yr)
    shares: dict = field(default_factory=dict)  # (route, year) -> limits.Effective (max share in .high)
    notes: list[str] = field(default_factory=list)  # warnings an analyst should see (masked or replaced limits, ...)
    provenance: Provenance | None = None  # where every merged list item came from (file, line, piece)
    added: list[str] = field(default_factory=list)  # pieces added on top of the named scenario (--override, events, levers)

    @property
    def label(self) -> str:
        """The scenario's name and what was added to it: ``base-2024 + aktau-berths-12_5``."""
        return " + ".join([self.name, *self.added])

    @property
    def years(self) -> list[int]:
        return sorted({p.year for p in self.months})

    @property
    def power_years(self) -> list[int]:
        p = self.settings.power
        if p is None or not p.enabled:
            return []
        return list(p.years) if p.years else [self.years[-1]]

    def for_years(self, years: list[int]) -> "Scenario":
        """The same scenario restricted to some of its years (limits of other years dropped)."""
        import dataclasses

        keep = set(years)
        return dataclasses.replace(
            self,
            months=self.months[self.months.year.isin(list(keep))],
            limits={k: v for k, v in self.limits.items() if k[1] in keep},
            shares={k: v for k, v in self.shares.items() if k[1] in keep},
        )


def _unknown_override(ov: str, library) -> str:
    return f"unknown override '{ov}'; known: {', '.join(library.overrides) or '(none defined)'}"


def resolve(
    inputs: Inputs,
    scenario: str | Path | dict,
    extra_overrides: list[str] | tuple[str, ...] = (),
    extra_pieces: list[tuple[str, dict]] | tuple = (),
) -> Scenario:
    """Resolve a shipped scenario name, a scenario file or a scenario as a dict into a :class:`Scenario`.

    ``extra_overrides`` are named overrides added after the scenario's own (``--override``);
    ``extra_pieces`` are ``(label, settings)`` pairs added after those, in order (a story's
    event, written on the command line). A dict is read like a scenario file: ``name``,
    ``description``, ``extends``, ``overrides`` and inline settings.
    """
    library = load_library(inputs.folder)
    problems: list[Problem] = []
    path = Path(str(scenario)) if not isinstance(scenario, dict) else None
    if path is not None and str(scenario) in library.scenarios:
        spec = library.scenarios[str(scenario)]
        name = str(scenario)
        description = str(spec.get("description", "")).strip()
        chain = list(spec.get("overrides") or [])
        inline: dict = {}
        rel, lines = SCENARIO_FILE, library.lines
    elif isinstance(scenario, dict) or (path.suffix in (".yaml", ".yml") and path.exists()):
        if isinstance(scenario, dict):
            data, lines, rel = copy.deepcopy(scenario), {}, "<scenario dict>"
        else:
            data, lines = load_yaml(path)
            rel = path.name
        if data is None:
            data = {}
        if validate_piece(data, (), rel, lines, problems) is None:
            raise InputError(problems)
        name = str(data.get("name") or (path.stem if path is not None else "scenario"))
        description = str(data.get("description", "")).strip()
        chain = []
        if data.get("extends"):
            parent = data["extends"]
            if parent not in library.scenarios:
                raise InputError([Problem(rel, f"extends unknown scenario '{parent}'; known: {', '.join(library.scenarios)} (extends names a shipped scenario, and those extend nothing, so there are no chains or cycles)", line=line_for(lines, ("extends",)), column="extends")])
            chain = list(library.scenarios[parent].get("overrides") or [])
            description = description or str(library.scenarios[parent].get("description", "")).strip()
        for i, ov in enumerate(data.get("overrides") or []):
            if ov not in library.overrides:
                problems.append(Problem(rel, _unknown_override(ov, library), line=line_for(lines, ("overrides", i)), column="overrides"))
            chain.append(ov)
        inline = {k: v for k, v in data.items() if k not in ("name", "description", "extends", "overrides")}
    else:
        known = ", ".join(library.scenarios)
        raise InputError([Problem(str(scenario), f"is neither a shipped scenario ({known}) nor an existing .yaml file")])
    n_file_chain = len(chain)
    for ov in extra_overrides:
        if ov not in library.overrides:
            problems.append(Problem("--override", _unknown_override(ov, library)))
        chain.append(ov)
    for ov in sorted({ov for ov in chain if chain.count(ov) > 1}):
        problems.append(
            Problem(
                rel,
                f"scenario '{name}': override '{ov}' is applied {chain.count(ov)} times (through extends, overrides and --override); its events and limits would count more than once",
                line=line_for(lines, ("overrides",)) if rel != SCENARIO_FILE else None,
                column="overrides",
            )
        )
    for label, piece in extra_pieces:
        validate_piece(piece, (), label, {}, problems)
    if problems:
        raise InputError(problems)
    # the chain of pieces, in merge order: base, the file's overrides, its inline settings, --override, extra pieces
    merged = copy.deepcopy(library.base)
    prov = Provenance()
    prov.add(library.base, ("base",), SCENARIO_FILE, library.lines, "base")
    pieces = [(ov, f"override '{ov}'") for ov in chain[:n_file_chain]]
    for ov, label in pieces:
        piece = library.overrides[ov] or {}
        merged = merge(merged, {k: v for k, v in piece.items() if k != "description"})
        prov.add(piece, ("overrides", ov), SCENARIO_FILE, library.lines, label)
    merged = merge(merged, inline)
    prov.add(inline, (), rel, lines, rel if rel != SCENARIO_FILE else f"scenario '{name}'")
    for ov in chain[n_file_chain:]:
        piece = library.overrides[ov] or {}
        merged = merge(merged, {k: v for k, v in piece.items() if k != "description"})
        prov.add(piece, ("overrides", ov), SCENARIO_FILE, library.lines, f"--override '{ov}'")
    for label, piece in extra_pieces:
        piece = copy.deepcopy(piece)
        merged = merge(merged, {k: v for k, v in piece.items() if k not in ("description", "name")})
        prov.add(piece, (), label, {}, label)
    merged.pop("description", None)
    merged.pop("name", None)
    settings = Settings.model_validate(merged)
    added = list(chain[n_file_chain:]) + [label for label, _ in extra_pieces]
    return _resolve_settings(inputs, settings, name, description, chain, prov, added)


def _resolve_settings(inputs: Inputs, s: Settings, name: str, description: str, chain: list[str], prov: Provenance, added: list[str] | None = None) -> Scenario:
    """Check merged settings against the inputs, decide the limits, apply the edits."""
    loc = checks.Locator(name, prov)
    months = checks.check_horizon(s, loc)
    if months is None:
        raise InputError(loc.problems)
    years = sorted({p.year for p in months})
    horizon = f"{months[0]}..{months[-1]}"
    first_day, last_day = months[0].start_time.date(), months[-1].end_time.date()
    routes = set(inputs.ids("routes", "route"))
    sources = set(inputs.ids("sources", "source"))

    lim_items = [prov.item("route_limits", i) for i in range(len(s.route_limits))]
    share_items = [prov.item("route_shares", i) for i in range(len(s.route_shares))]
    route_limits, notes = limits.route_limits(s, lim_items, years)
    route_shares, share_notes = limits.route_shares(s, share_items, years)
    notes = checks.check_limits(s, years, routes, route_limits, loc, horizon) + notes
    share_notes = checks.check_shares(s, years, routes, loc, horizon) + share_notes
    targets = {"asset": inputs.ids("assets", "asset"), "unit": unit_targets(inputs.tables), "route": inputs.ids("routes", "route"), "source": inputs.ids("sources", "source")}
    event_notes, keep = checks.check_events(s, targets, first_day, last_day, loc)
    if len(keep) < len(s.events):  # inherited events wholly outside the horizon are left out (with a note)
        s.events = [s.events[i] for i in keep]
        if "events" in prov.items:
            prov.items["events"] = [prov.items["events"][i] for i in keep if i < len(prov.items["events"])]
    assets_t = inputs["assets"]
    event_notes += stacking_notes(s.events, prov, dict(zip(assets_t["asset"], assets_t["units"].astype(int))))
    checks.check_windows(s, first_day, last_day, loc)
    checks.check_power(s, loc, inputs)
    edited = apply_set_edits(inputs, s, years, loc, SCENARIO_FILE)
    scenario = Scenario(
        name, description, chain, s, edited, months, SCENARIO_FILE, limits=route_limits, shares=route_shares,
        notes=notes + share_notes + event_notes, provenance=prov, added=list(added or []),
    )
    problems = loc.problems + checks.check_coverage(edited.tables, edited.lines, years, sources, name, horizon)
    check_lead_times(edited.tables, edited.lines, (last_day - first_day).days + 1, problems)
    if problems:
        raise InputError(problems)
    if s.shut_in_penalty_usd_per_t is None:
        raise InputError([Problem(SCENARIO_FILE, "shut_in_penalty_usd_per_t is not set (expected in base)", column="shut_in_penalty_usd_per_t")])
    dumped = s.model_dump(exclude={"name": True, "description": True, "extends": True, "overrides": True, "events": {"__all__": {"days", "weeks"}}})
    scenario.resolved = _plain({"name": name, "description": description, "overrides": chain, "added": scenario.added, **dumped})
    return scenario


def _plain(obj: Any) -> Any:
    """JSON-friendly copy (dates as ISO strings)."""
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_plain(v) for v in obj]
    if isinstance(obj, (dt.date, dt.datetime)):
        return obj.isoformat()
    return obj
