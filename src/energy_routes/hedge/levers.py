"""First-stage levers declared as data, and how a lever level changes a scenario.

Reads ``hedge_levers.csv`` (lever, kind, target, unit, min, max, onoff, cost,
cost_unit, description; :data:`energy_routes.schema.HEDGE_LEVERS`). A lever
names the capacity or limit it changes:

========================  ==========================================  ======
kind                      target, and what a level u adds              unit
========================  ==========================================  ======
``asset``                 an oil asset: u to ``capacity_mt``           Mt/yr
``route_limit``           a route: u to its annual cap (must exist)    Mt/yr
``source_route``          ``source:route``: u to ``max_mt`` (must      Mt/yr
                          exist, e.g. 0 for a closed pipeline)
``store``                 a store: u to ``capacity_kt``                kt
========================  ==========================================  ======

A continuous lever takes any level in [min, max] at ``cost`` per unit and
year; an on/off lever (``onoff = yes``) is either at min (off, no cost) or at
max (on, ``cost`` M$/yr). :func:`apply_levers` returns the scenario with the
levels added, through the same input tables and limits the model reads, so
the effect of a lever on every row of the LP is computed by the registry's
own bounds functions, never here.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import InputError, Problem
from ..load import read_table
from ..scenario import Scenario
from ..schema import HEDGE_LEVERS

UNIT_OF_KIND = {"asset": "Mt/yr", "route_limit": "Mt/yr", "source_route": "Mt/yr", "store": "kt"}
COST_UNIT = {"Mt/yr": "musd_per_yr_per_mt_yr", "kt": "musd_per_yr_per_kt"}
ONOFF_COST_UNIT = "musd_per_yr"
#: at most this many on/off levers (their states are enumerated: 2^n extensive forms)
MAX_ONOFF = 6


class NoLimit(Exception):
    """A route_limit lever on a scenario (year) that sets no cap on its route."""


@dataclass(frozen=True)
class Lever:
    name: str
    kind: str
    target: str
    unit: str
    lo: float
    hi: float
    onoff: bool
    cost: float  # M$/yr per unit (continuous) or M$/yr when on (on/off)
    description: str = ""

    def cost_of(self, level: float) -> float:
        """Annualised cost in M$/yr of a level."""
        if self.onoff:
            return self.cost if level > self.lo + 1e-12 else 0.0
        return self.cost * level


def _targets(scenario: Scenario) -> dict[str, set[str]]:
    inp = scenario.inputs
    assets = set(inp["assets"].loc[inp["assets"]["block"] == "oil", "asset"])
    pairs = {f"{s}:{r}" for s, r in zip(inp["source_routes"]["source"], inp["source_routes"]["route"])}
    stores = set(inp["stores"]["store"]) if "stores" in inp.tables else set()
    return {"asset": assets, "route_limit": set(inp["routes"]["route"]), "source_route": pairs, "store": stores}


def load_levers(path: Path, scenario: Scenario, names: list[str] | None = None) -> list[Lever]:
    """Read and check the lever table against the scenario; ``names`` picks some levers (all if empty)."""
    path = Path(path)
    rel = path.name
    problems: list[Problem] = []
    if not path.exists():
        raise InputError([Problem(rel, f"is missing from {path.parent}; expected {HEDGE_LEVERS.description.lower()}")])
    read = read_table(path, rel, HEDGE_LEVERS, {}, problems, {})
    if read is None or problems:
        raise InputError(problems)
    df, lines = read
    known = _targets(scenario)
    levers: list[Lever] = []
    for i, row in df.iterrows():
        line = int(lines[i])
        kind, target, unit = row["kind"], str(row["target"]).strip(), row["unit"]
        onoff = row["onoff"] == "yes"
        before = len(problems)
        if target not in known[kind]:
            shown = ", ".join(sorted(known[kind])[:12]) or "none"
            problems.append(Problem(rel, f"unknown {kind} '{target}'; expected one of: {shown}", line=line, column="target"))
        if unit != UNIT_OF_KIND[kind]:
            problems.append(Problem(rel, f"unit '{unit}' does not fit kind '{kind}'; expected {UNIT_OF_KIND[kind]}", line=line, column="unit"))
        want = ONOFF_COST_UNIT if onoff else COST_UNIT[UNIT_OF_KIND[kind]]
        if row["cost_unit"] != want:
            what = "an on/off lever costs M$/yr when on" if onoff else f"a continuous lever costs M$/yr per {UNIT_OF_KIND[kind]}"
            problems.append(Problem(rel, f"cost_unit '{row['cost_unit']}' is the wrong unit: {what}; expected {want}", line=line, column="cost_unit"))
        if row["max"] < row["min"]:
            problems.append(Problem(rel, f"bounds inverted: max {row['max']:g} is below min {row['min']:g}; expected min <= max", line=line, column="max"))
        if onoff and row["max"] <= row["min"]:
            problems.append(Problem(rel, f"an on/off lever needs max > min (off = min, on = max); got {row['min']:g}..{row['max']:g}", line=line, column="max"))
        if len(problems) == before:
            desc = row.get("description", "")
            levers.append(Lever(row["lever"], kind, target, unit, float(row["min"]), float(row["max"]), onoff, float(row["cost"]), "" if desc is None or desc != desc else str(desc)))
    if problems:
        raise InputError(problems)
    by_name = {lv.name: lv for lv in levers}
    if names:
        unknown = [n for n in names if n not in by_name]
        if unknown:
            raise InputError([Problem("--lever", f"unknown lever '{n}'; expected one of {rel}: {', '.join(by_name)}") for n in unknown])
        levers = [by_name[n] for n in dict.fromkeys(names)]
    if sum(lv.onoff for lv in levers) > MAX_ONOFF:
        raise InputError([Problem("--lever", f"{sum(lv.onoff for lv in levers)} on/off levers; at most {MAX_ONOFF} (their 2^n states are enumerated)")])
    if not levers:
        raise InputError([Problem(rel, "has no levers; expected at least one")])
    return levers


def state_bounds(levers: list[Lever], fixed: dict[int, float] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The levers' (lower, upper) bounds with the on/off ones of ``fixed`` (position -> level) pinned."""
    lo = np.array([lv.lo for lv in levers], float)
    hi = np.array([lv.hi for lv in levers], float)
    for j, v in (fixed or {}).items():
        lo[j] = hi[j] = v
    return lo, hi


def _add(table, mask, column: str, amount: float, what: str):
    out = table.copy()
    vals = out.loc[mask, column].astype(float)
    if vals.isna().any():
        raise ValueError(what)
    out.loc[mask, column] = vals + amount
    return out


def apply_levers(scenario: Scenario, levers: list[Lever], levels) -> Scenario:
    """The scenario with each lever's level added to the capacity or limit it names (a copy)."""
    inp = scenario.inputs.copy()
    limits = dict(scenario.limits)
    for lv, u in zip(levers, np.asarray(levels, float)):
        if u == 0:
            continue
        t = inp.tables
        if lv.kind == "asset":
            ac = t["asset_capacity"]
            t["asset_capacity"] = _add(ac, ac["asset"] == lv.target, "capacity_mt", u, f"asset '{lv.target}' has no capacity")
        elif lv.kind == "store":
            st = t["stores"]
            t["stores"] = _add(st, st["store"] == lv.target, "capacity_kt", u, f"store '{lv.target}' has no capacity")
        elif lv.kind == "source_route":
            s, r = lv.target.split(":", 1)
            sr = t["source_routes"]
            t["source_routes"] = _add(sr, (sr["source"] == s) & (sr["route"] == r), "max_mt", u, f"lever '{lv.name}': {lv.target} has no max_mt in source_routes.csv (no limit to raise); give it one, e.g. 0 for a closed link")
        else:  # route_limit
            hit = False
            for (r, y), eff in scenario.limits.items():
                if r == lv.target and eff.high is not None:
                    limits[(r, y)] = dataclasses.replace(eff, high=eff.high + u)
                    hit = True
            if not hit:
                raise NoLimit(f"lever '{lv.name}': route '{lv.target}' has no annual cap in scenario '{scenario.name}' (no limit to raise); use a scenario or override that sets one")
    return dataclasses.replace(scenario, inputs=inp, limits=limits)
