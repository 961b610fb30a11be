"""Checks of merged settings against the inputs: ids exist, windows and years inside the horizon.

Each ``check_*`` looks at one kind of setting and appends located problems
(file, line, setting) through a :class:`Locator`; none edits anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from ..errors import Problem
from ..power.checks import settings_problems
from .library import SCENARIO_FILE, Provenance
from .limits import Effective
from .settings import Settings, expand_years

HORIZON_MIN = pd.Period("2022-01", "M")
HORIZON_MAX = pd.Period("2030-12", "M")


@dataclass
class Locator:
    """Turns a setting path such as ``route_limits[2].route`` into a located problem."""

    name: str
    provenance: Provenance
    problems: list[Problem] = field(default_factory=list)

    def report(self, msg: str, column: str) -> None:
        m = re.match(r"(\w+)\[(\d+)\]", column)
        file, line = SCENARIO_FILE, None
        origin = self.provenance.item(m.group(1), int(m.group(2))) if m else None
        if origin is None:  # a scalar or mapping setting, or a list that later pieces replace whole
            origin = self.provenance.scalars.get(m.group(1) if m else column.split(".")[0])
        if origin is not None:
            file, line = origin.file, origin.line
        self.problems.append(Problem(file, f"scenario '{self.name}': {msg}", line=line, column=column))

    def origin_text(self, key: str, i: int) -> str:
        """`` (file, line N)`` of the i-th merged item of a list setting, when known."""
        o = self.provenance.item(key, i)
        return f" ({o.where()})" if o else ""

    def inherited(self, key: str, i: int) -> bool:
        """Whether the i-th item of a list setting comes from a piece before the one that set the horizon.

        Such an item was written for another horizon (a shipped multi-year scenario narrowed to one
        year): its years or days outside the horizon are dropped with a note instead of failing.
        """
        o = self.provenance.item(key, i)
        h = self.provenance.scalars.get("horizon")
        return o is not None and h is not None and o.order < h.order

    def label(self, key: str, i: int, what: str = "") -> str:
        """``route_limits[0] on 'btc' from override 'x' (scenarios.yaml, line 94)``: one style for notes."""
        o = self.provenance.item(key, i)
        return f"{key}[{i}]{what}" + (f" from {o.piece} ({o.where()})" if o else "")


def check_horizon(s: Settings, loc: Locator) -> pd.PeriodIndex | None:
    """The horizon's months, or None (with problems) when it is missing, inverted or out of range."""
    if s.horizon is None:
        loc.problems.append(Problem(SCENARIO_FILE, "no horizon set; expected horizon: {start: YYYY-MM, end: YYYY-MM} in base", column="horizon"))
        return None
    start, end = pd.Period(s.horizon.start, "M"), pd.Period(s.horizon.end, "M")
    ok = True
    if start > end:
        loc.report(f"horizon starts ({start}) after it ends ({end})", "horizon")
        ok = False
    if start < HORIZON_MIN or end > HORIZON_MAX:
        loc.report(f"horizon {start}..{end} must lie inside {HORIZON_MIN}..{HORIZON_MAX}", "horizon")
        ok = False
    return pd.period_range(start, end, freq="M") if ok else None


def _years_in_horizon(spec, years: list[int], key: str, i: int, what: str, loc: Locator, horizon: str, notes: list[str]) -> None:
    """Years outside the horizon: an error in the piece that set the horizon (or a later one), else a note.

    An entry inherited from a piece written for a longer horizon keeps its years inside this one.
    """
    column = f"{key}[{i}].years"
    try:
        ys = expand_years(spec, years)
    except ValueError as exc:
        loc.report(str(exc), column)
        return
    outside = [y for y in ys if y not in years]
    if not outside:
        return
    if loc.inherited(key, i):
        kept = [y for y in ys if y in years]
        effect = f"applies to {', '.join(map(str, kept))} only" if kept else "has no effect"
        notes.append(f"{loc.label(key, i, what)} covers {', '.join(map(str, outside))}, outside the horizon {horizon}: it {effect} here")
    else:
        loc.report(f"year(s) {', '.join(map(str, outside))} outside the horizon {horizon}", column)


def check_limits(s: Settings, years: list[int], routes: set[str], limits: dict[tuple[str, int], Effective], loc: Locator, horizon: str) -> list[str]:
    """Route limits name known routes and horizon years; no entry's minimum exceeds the maximum that holds with it.

    Returns notes on inherited entries whose years lie partly or wholly outside the horizon."""
    notes: list[str] = []
    for i, lim in enumerate(s.route_limits):
        col = f"route_limits[{i}]"
        if lim.route not in routes:
            loc.report(f"unknown route '{lim.route}'; known: {', '.join(sorted(routes))}", col + ".route")
        _years_in_horizon(lim.years, years, "route_limits", i, f" on '{lim.route}'", loc, horizon, notes)
        if lim.min_mt is not None and lim.max_mt is not None and lim.min_mt > lim.max_mt:
            loc.report(f"min_mt {lim.min_mt:g} exceeds max_mt {lim.max_mt:g}", col)
    # within the piece that holds, a minimum from one entry above a maximum from another can never hold
    clashes: dict[tuple[int, int], list[int]] = {}
    for (route, y), eff in limits.items():
        if eff.low is not None and eff.high is not None and eff.low > eff.high and eff.low_from != eff.high_from:
            clashes.setdefault((eff.low_from, eff.high_from), []).append(y)
    for (i, j), ys in clashes.items():
        lo, hi = s.route_limits[i].min_mt, s.route_limits[j].max_mt
        loc.report(
            f"requires at least {lo:g} Mt/yr on route '{s.route_limits[i].route}' in {', '.join(map(str, sorted(ys)))}, "
            f"but route_limits[{j}]{loc.origin_text('route_limits', j)} allows at most {hi:g} Mt/yr there",
            f"route_limits[{i}]",
        )
    return notes


def check_shares(s: Settings, years: list[int], routes: set[str], loc: Locator, horizon: str) -> list[str]:
    notes: list[str] = []
    for i, sh in enumerate(s.route_shares):
        col = f"route_shares[{i}]"
        if sh.route not in routes:
            loc.report(f"unknown route '{sh.route}'; known: {', '.join(sorted(routes))}", col + ".route")
        _years_in_horizon(sh.years, years, "route_shares", i, f" on '{sh.route}'", loc, horizon, notes)
    return notes


def check_events(s: Settings, targets: dict[str, list[str]], first_day, last_day, loc: Locator) -> tuple[list[str], list[int]]:
    """Unique ids, known targets, windows inside the horizon, no outage entered twice.

    ``targets`` maps a kind (asset, route, source) to its ids. A window that runs past the
    horizon's last day is clipped there (a note says so); so is one that starts before the
    first day. An event wholly outside the horizon is an error, unless it is inherited from a
    piece written for another horizon: then it is dropped with a note. Returns the notes and
    the indices of the events to keep.
    """
    known = {t for ids in targets.values() for t in ids}
    notes: list[str] = []
    keep: list[int] = []
    ids_seen: set[str] = set()
    for i, ev in enumerate(s.events):
        col = f"events[{i}] ({ev.id})"
        if ev.id in ids_seen:
            loc.report(f"event id '{ev.id}' is used twice; ids must be unique", col)
        ids_seen.add(ev.id)
        if ev.target not in known:
            listed = "; ".join(f"{kind}s: {', '.join(ids)}" for kind, ids in targets.items() if ids)
            loc.report(f"unknown target '{ev.target}'; expected an asset, route or source id ({listed})", col + ".target")
        if ev.start > ev.end:
            loc.report(f"starts ({ev.start}) after it ends ({ev.end})", col)
            keep.append(i)
            continue
        if ev.end < first_day or ev.start > last_day:
            if loc.inherited("events", i):
                notes.append(f"{loc.label('events', i, f' ({ev.id})')}: its window {ev.start}..{ev.end} is outside the horizon {first_day}..{last_day}, so it is left out")
                continue
            loc.report(f"window {ev.start}..{ev.end} is outside the horizon {first_day}..{last_day}", col)
        elif ev.start < first_day or ev.end > last_day:
            start, end = max(ev.start, first_day), min(ev.end, last_day)
            notes.append(f"{loc.label('events', i, f' ({ev.id})')}: its window {ev.start}..{ev.end} is clipped to the horizon, {start}..{end}")
            ev.start, ev.end = start, end
        keep.append(i)
    # Overlapping events add their losses (a mooring out while the pipeline is derated). Two
    # events on one target over the very same window are one outage entered twice: with the
    # same 'remaining' the loss would count twice, with different ones they contradict.
    window: dict[tuple, int] = {}
    for i, ev in enumerate(s.events):
        key = (ev.target, ev.start, ev.end)
        if key in window and "/" not in ev.target:  # a unit's events take the min, so a repeat cannot count twice
            j = window[key]
            other = s.events[j]
            loc.report(
                f"cuts '{ev.target}' over the same window {ev.start}..{ev.end} as events[{j}] ({other.id}), "
                f"with remaining {ev.remaining:g} here and {other.remaining:g} there; overlapping events add their "
                "losses, so one outage entered twice counts twice: keep one event per outage",
                f"events[{i}] ({ev.id})",
            )
        window.setdefault(key, i)
    return notes, keep


def check_windows(s: Settings, first_day, last_day, loc: Locator) -> None:
    """Resolution windows lie inside the horizon, run forwards and do not overlap."""
    wins = s.windows or []
    for i, w in enumerate(wins):
        col = f"windows[{i}]"
        if w.start > w.end:
            loc.report(f"starts ({w.start}) after it ends ({w.end})", col)
        elif w.start < first_day or w.end > last_day:
            loc.report(f"window {w.start}..{w.end} is outside the horizon {first_day}..{last_day}", col)
    ordered = sorted(range(len(wins)), key=lambda i: wins[i].start)
    for a, b in zip(ordered, ordered[1:]):
        if wins[b].start <= wins[a].end:
            loc.report(f"overlaps windows[{a}] ({wins[a].start}..{wins[a].end}); give each day one resolution", f"windows[{b}]")


def check_power(s: Settings, loc: Locator, inputs) -> None:
    settings_problems(s.power, inputs, loc.report)


def check_coverage(tables: dict[str, pd.DataFrame], lines: dict[str, pd.Series], years: list[int], sources: set[str], name: str, horizon: str) -> list[Problem]:
    """The (edited) tables have a row for every year of the horizon the model reads."""
    problems: list[Problem] = []
    for tname, key in (("supply", "source"), ("asset_capacity", "asset")):
        df = tables[tname]
        have: dict[str, set[int]] = {}
        last_row: dict[str, object] = {}
        for label, ident, year in zip(df.index, df[key].to_numpy(dtype=object), df["year"].to_numpy(dtype=object)):
            if pd.isna(ident):
                continue
            have.setdefault(ident, set()).add(year)
            last_row[ident] = label
        for ident in sorted(have):
            missing = sorted(set(years) - have[ident])
            if missing:
                last = int(lines[tname].get(last_row[ident], 0)) or None
                problems.append(
                    Problem(
                        f"{tname}.csv",
                        f"{key} '{ident}' has no row for year(s) {', '.join(map(str, missing))} of scenario '{name}' (horizon {horizon}); its last row is here",
                        line=last,
                        column="year",
                    )
                )
    missing = sorted(set(years) - set(tables["prices"]["year"]))
    if missing:
        last = int(lines["prices"].iloc[-1]) if len(lines["prices"]) else None
        problems.append(Problem("prices.csv", f"no Brent price for year(s) {', '.join(map(str, missing))} of scenario '{name}' (horizon {horizon}); the last row is here", line=last, column="year"))
    assets = tables["assets"]
    oil_assets = set(assets.loc[assets["block"] == "oil", "asset"])
    for a in sorted(oil_assets - set(tables["asset_capacity"]["asset"])):
        problems.append(Problem("asset_capacity.csv", f"oil asset '{a}' has no capacity rows", column="asset"))
    for src in sorted(sources - set(tables["supply"]["source"])):
        problems.append(Problem("supply.csv", f"source '{src}' has no supply rows", column="source"))
    return problems
