"""Outlets as they really work: units with identity, shippers' sharing, schedules and acceptance.

Reads four optional tables (docs/data.md; docs/model.md §1 "Units", "Sharing",
"Schedules and acceptance"):

- ``asset_units.csv`` (asset, unit, name, rate_mt, rate_low_mt, rate_high_mt):
  the units of a multi-unit asset with identity (the CPC terminal's moorings
  ``spm1``..``spm3``), each with its own rate. An event names one as
  ``asset/unit`` (``cpc_terminal/spm2``);
- ``asset_sharing.csv`` (asset, rule): ``pro_rata`` if Kazakh and third-party
  shippers share a derated asset in proportion to their normal volumes,
  ``third_party_first`` (the default) if third parties keep their volume;
- ``schedules.csv`` (route, year, month, schedule_kt): an outlet's planned
  monthly volume;
- ``acceptance.csv`` (acceptor, routes, extra_kt_per_month, lead_time_days,
  premium_usd_per_t): who must accept volume above the schedules of the
  routes it covers (``routes`` joined by ``+``), how much a month, how long
  after a disruption starts, and at what premium.

This module checks the tables against each other and lays them out for the
parameters (:mod:`energy_routes.params`); it holds no model arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import Problem
from .events import UNIT_SEP  # an event target naming a unit of an asset: ``cpc_terminal/spm2``


def unit_target(asset: str, unit: str) -> str:
    return f"{asset}{UNIT_SEP}{unit}"


def is_unit_target(target: str) -> bool:
    return UNIT_SEP in target


def acceptor_routes(text: str) -> list[str]:
    """The routes of an acceptance row: ids joined by ``+`` (``atyrau_samara+makhachkala``)."""
    return [r.strip() for r in str(text).split("+") if r.strip()]


def unit_targets(tables: dict[str, pd.DataFrame]) -> list[str]:
    """Every ``asset/unit`` an event may name."""
    u = tables.get("asset_units")
    if u is None:
        return []
    return [unit_target(a, k) for a, k in zip(u["asset"], u["unit"])]


def check_outlets(tables: dict[str, pd.DataFrame], lines: dict[str, pd.Series], problems: list[Problem]) -> None:
    """Checks across the outlet tables (each message names file, line and column)."""
    assets = tables.get("assets")
    block = dict(zip(assets["asset"], assets["block"])) if assets is not None else {}
    n_units = dict(zip(assets["asset"], assets["units"])) if assets is not None else {}
    units = tables.get("asset_units")
    if units is not None:
        for idx, row in units.iterrows():
            line = int(lines["asset_units"][idx])
            if block.get(row["asset"]) == "power":
                problems.append(Problem("asset_units.csv", f"asset '{row['asset']}' is a power asset; units with identity are for oil assets", line=line, column="asset"))
            lo, mid, hi = row["rate_low_mt"], row["rate_mt"], row["rate_high_mt"]
            if not (pd.isna(lo) or pd.isna(mid) or pd.isna(hi)) and not lo <= mid <= hi:
                problems.append(Problem("asset_units.csv", f"rate_mt {mid:g} is outside its range [{lo:g}, {hi:g}] (rate_low_mt, rate_high_mt)", line=line, column="rate_mt"))
        for asset, grp in units.groupby("asset", sort=False):
            want = n_units.get(asset)
            if want is not None and not pd.isna(want) and len(grp) != int(want):
                problems.append(
                    Problem("asset_units.csv", f"lists {len(grp)} units of '{asset}' but assets.csv says it has {int(want)}; list every unit or none", line=int(lines["asset_units"][grp.index[0]]), column="unit")
                )
    sharing = tables.get("asset_sharing")
    if sharing is not None:
        for idx, a in sharing["asset"].items():
            if block.get(a) == "power":
                problems.append(Problem("asset_sharing.csv", f"asset '{a}' is a power asset; expected an oil asset", line=int(lines["asset_sharing"][idx]), column="asset"))
    sched = tables.get("schedules")
    if sched is not None and not sched.empty:
        for (r, y), grp in sched.groupby(["route", "year"], sort=False):
            missing = sorted(set(range(1, 13)) - set(int(m) for m in grp["month"].dropna()))
            if missing:
                problems.append(
                    Problem("schedules.csv", f"route '{r}' has a schedule in {int(y)} but no row for month(s) {', '.join(map(str, missing))}; a scheduled year needs all 12 months", line=int(lines["schedules"][grp.index[0]]), column="month")
                )
    acc = tables.get("acceptance")
    routes = set(tables["routes"]["route"]) if tables.get("routes") is not None else set()
    if acc is not None:
        seen: dict[str, str] = {}
        for idx, row in acc.iterrows():
            line = int(lines["acceptance"][idx])
            rs = acceptor_routes(row["routes"])
            if not rs:
                problems.append(Problem("acceptance.csv", "lists no route; expected route ids joined by '+'", line=line, column="routes"))
            for r in rs:
                if r not in routes:
                    problems.append(Problem("acceptance.csv", f"unknown route '{r}'; expected route ids of routes.csv joined by '+' ({', '.join(sorted(routes))})", line=line, column="routes"))
                elif r in seen:
                    problems.append(Problem("acceptance.csv", f"route '{r}' is already covered by acceptor '{seen[r]}'; each route has at most one acceptor", line=line, column="routes"))
                else:
                    seen[r] = row["acceptor"]


def check_lead_times(tables: dict[str, pd.DataFrame], lines: dict[str, pd.Series], horizon_days: int, problems: list[Problem]) -> None:
    """A lead time at least as long as the horizon would never let extra volume flow: an input error."""
    acc = tables.get("acceptance")
    if acc is None:
        return
    for idx, row in acc.iterrows():
        if int(row["lead_time_days"]) >= horizon_days:
            problems.append(
                Problem("acceptance.csv", f"lead_time_days {int(row['lead_time_days'])} is not shorter than the horizon ({horizon_days} days); extra acceptance could never start", line=int(lines["acceptance"][idx]), column="lead_time_days")
            )


# ----------------------------------------------------------------------------- layout for the parameters


@dataclass(frozen=True)
class UnitLayout:
    """Units with identity of the network's assets: targets and daily rates."""

    targets: list[str]  # asset/unit, in table order
    asset_pos: np.ndarray  # (U,) position of each unit's asset in the network's asset list
    rate_mt: np.ndarray  # (U,) loading rate of one unit, Mt/yr
    has_units: np.ndarray  # (A,) True where the asset's units have identity


def unit_layout(tables: dict[str, pd.DataFrame], assets: list[str]) -> UnitLayout:
    u = tables.get("asset_units")
    if u is None:
        u = pd.DataFrame(columns=["asset", "unit", "rate_mt"])
    u = u[u["asset"].isin(assets)]
    pos = np.array([assets.index(a) for a in u["asset"]], dtype=np.int64)
    has = np.zeros(len(assets), dtype=bool)
    has[pos] = True
    return UnitLayout([unit_target(a, k) for a, k in zip(u["asset"], u["unit"])], pos, u["rate_mt"].to_numpy(float), has)


def pro_rata_mask(tables: dict[str, pd.DataFrame], assets: list[str]) -> np.ndarray:
    """(A,) True where Kazakh and third-party shippers share the asset pro rata."""
    sh = tables.get("asset_sharing")
    rule = dict(zip(sh["asset"], sh["rule"])) if sh is not None else {}
    return np.array([rule.get(a) == "pro_rata" for a in assets], dtype=bool)


@dataclass(frozen=True)
class AcceptLayout:
    """Acceptors and the routes each covers (only routes of the network)."""

    acceptors: list[str]
    routes: list[list[str]]
    extra_kt_per_month: np.ndarray  # (Acc,)
    lead_days: np.ndarray  # (Acc,)
    premium: np.ndarray  # (Acc,) $/t

    def acceptor_of(self, route: str) -> int | None:
        for i, rs in enumerate(self.routes):
            if route in rs:
                return i
        return None


def accept_layout(tables: dict[str, pd.DataFrame], routes: list[str]) -> AcceptLayout:
    acc = tables.get("acceptance")
    if acc is None or acc.empty:
        return AcceptLayout([], [], np.zeros(0), np.zeros(0, np.int64), np.zeros(0))
    return AcceptLayout(
        acc["acceptor"].tolist(),
        [[r for r in acceptor_routes(t) if r in routes] for t in acc["routes"]],
        acc["extra_kt_per_month"].to_numpy(float),
        acc["lead_time_days"].to_numpy(np.int64),
        acc["premium_usd_per_t"].to_numpy(float),
    )


def schedule_daily(tables: dict[str, pd.DataFrame], routes: list[str], days: pd.DatetimeIndex) -> np.ndarray:
    """(R, D) scheduled kt per day (a month's schedule spread evenly over its days); inf where none."""
    out = np.full((len(routes), len(days)), np.inf)
    sched = tables.get("schedules")
    if sched is None or sched.empty:
        return out
    key = {(r, int(y), int(m)): float(v) for r, y, m, v in zip(sched["route"], sched["year"], sched["month"], sched["schedule_kt"])}
    y, m, dim = days.year.to_numpy(), days.month.to_numpy(), days.days_in_month.to_numpy()
    for i, r in enumerate(routes):
        vals = np.array([key.get((r, int(a), int(b)), np.inf) for a, b in zip(y, m)])
        out[i] = vals / dim
    return out
