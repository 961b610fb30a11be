"""Derived parameters of the oil block: monthly quantities from the yearly tables and the events.

Reads, from a resolved :class:`~energy_routes.scenario.Scenario`: ``supply``
(year, source, export_supply_mt), ``asset_capacity`` (year, asset,
capacity_mt, third_party_mt), ``assets`` (asset, units, max_active_units),
``route_legs`` (route, seq, asset, tariff_usd_per_t), ``source_routes``
(source, route, feeder_cost_usd_per_t, max_mt), ``routes`` (route, grade),
``grades`` (grade, bbl_per_t, diff_usd_per_bbl), ``prices`` (year,
brent_usd_per_bbl), and the scenario's events, route limits and shares. The formulas are those of
``docs/model.md`` §1 "Derived monthly parameters".
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .scenario import Scenario
from .events import day_remaining

@dataclass
class OilParams:
    """Everything the oil LP needs, in kt per month, $/t and Mt/yr as documented."""

    months: list[str]
    days: dict[str, int]
    year_of: dict[str, int]
    years: list[int]
    horizon_frac: dict[int, float]
    sources: list[str]
    routes: list[str]
    assets: list[str]
    pairs: list[tuple[str, str]]  # K
    route_assets: dict[str, list[str]]
    bbl_per_t: dict[str, float]  # by route
    netback: dict[tuple[str, str, int], float]  # $/t
    supply: dict[tuple[str, str], float]  # kt
    asset_cap: dict[tuple[str, str], float]  # kt
    route_cap: dict[tuple[str, str], float]  # kt, only where tighter than the route's assets
    route_cap_all: dict[tuple[str, str], float]  # kt, every (route, month): what the route can carry
    limit_lo: dict[tuple[str, int], float]  # kt per year (pro-rated)
    limit_hi: dict[tuple[str, int], float]  # kt per year, inf = none
    share: dict[tuple[str, int], float]  # only where < 1
    pair_cap: dict[tuple[str, str, int], float]  # kt per year
    penalty: float  # $/t
    availability: pd.DataFrame = field(default_factory=pd.DataFrame)  # period, target, remaining (monthly mean)


@dataclass
class DailyBasis:
    """The oil block's daily quantities before events, and the day → month layout.

    Shared by :func:`oil_params` and the sweep kernel, so a sweep case and a
    fresh run compute monthly capacities with the same arithmetic.
    """

    months: list[str]
    days: pd.DatetimeIndex
    month_start: np.ndarray  # index of each month's first day (days are sorted)
    per_year: np.ndarray  # 1000 / days in that day's year: Mt/yr -> kt/day
    route_assets: dict[str, list[str]]
    units: dict[str, tuple[float, float]]  # asset -> (units, max active units)
    cap_mt: dict[str, np.ndarray]  # asset -> capacity_mt laid out by day
    third_mt: dict[str, np.ndarray]  # asset -> third_party_mt laid out by day
    supply_mt: dict[str, np.ndarray]  # source -> export_supply_mt laid out by day

    def monthly(self, values: np.ndarray) -> np.ndarray:
        """Sum a daily array into months (same order as ``months``)."""
        return np.add.reduceat(values, self.month_start)

    def kappa(self, asset: str, rem: np.ndarray | None) -> np.ndarray:
        """Kazakh capacity per day (kt/d): max(0, φ C − Θ), φ = min(u ρ, m)/m."""
        u, mx = self.units[asset]
        phi = 1.0 if rem is None else np.minimum(u * rem, mx) / mx
        return np.maximum(0.0, phi * self.cap_mt[asset] - self.third_mt[asset]) * self.per_year

    def route_daily(self, route: str, kappas: dict[str, np.ndarray], rem: np.ndarray | None) -> np.ndarray:
        """What route r can carry per day: min over its assets' κ, times the route's own ρ."""
        daily = np.min(np.vstack([kappas[a] for a in self.route_assets[route]]), axis=0)
        return daily if rem is None else daily * rem

    def supply_daily(self, source: str, rem: np.ndarray | None) -> np.ndarray:
        q = self.supply_mt[source] * self.per_year
        return q if rem is None else q * rem


def daily_basis(scenario: Scenario) -> DailyBasis:
    """Lay the yearly input tables out over the horizon's days."""
    inp = scenario.inputs
    months = [str(p) for p in scenario.months]
    start = scenario.months[0].start_time
    end = scenario.months[-1].end_time.normalize()
    days = pd.date_range(start, end, freq="D")
    month_codes = days.to_period("M").astype(str).to_numpy()
    month_start = np.flatnonzero(np.r_[True, month_codes[1:] != month_codes[:-1]])
    years = scenario.years
    year_of_day = days.year.to_numpy()
    per_year = 1000.0 / np.where(pd.DatetimeIndex(days).is_leap_year, 366, 365)

    def by_day(table: pd.DataFrame, key: str, ident: str, column: str) -> np.ndarray:
        """The yearly value of ``column`` for ``ident``, laid out over the horizon's days."""
        rows = table[table[key] == ident]
        values = dict(zip(rows["year"].astype(int), rows[column].astype(float)))
        return np.array([values[y] for y in years])[np.searchsorted(years, year_of_day)]

    routes = inp["routes"]["route"].tolist()
    legs = inp["route_legs"].sort_values(["route", "seq"])
    route_assets = {r: legs.loc[legs.route == r, "asset"].tolist() for r in routes}
    oil_assets = sorted({a for r in routes for a in route_assets[r]}, key=inp["assets"]["asset"].tolist().index)
    units_t = inp["assets"].set_index("asset")
    return DailyBasis(
        months=months,
        days=days,
        month_start=month_start,
        per_year=per_year,
        route_assets=route_assets,
        units={a: (float(units_t.at[a, "units"]), float(units_t.at[a, "max_active_units"])) for a in oil_assets},
        cap_mt={a: by_day(inp["asset_capacity"], "asset", a, "capacity_mt") for a in oil_assets},
        third_mt={a: by_day(inp["asset_capacity"], "asset", a, "third_party_mt") for a in oil_assets},
        supply_mt={s: by_day(inp["supply"], "source", s, "export_supply_mt") for s in inp["sources"]["source"]},
    )


def netback_table(scenario: Scenario) -> pd.DataFrame:
    """Netback per source, route and year of the horizon, with its parts ($/t; docs/model.md §1).

    Columns: year, source, route, grade, brent_usd_per_bbl, diff_usd_per_bbl, bbl_per_t,
    price_usd_per_t, tariff_usd_per_t, feeder_cost_usd_per_t, netback_usd_per_t.
    """
    inp = scenario.inputs
    legs = inp["route_legs"]
    tariff = legs.groupby("route")["tariff_usd_per_t"].sum()
    grades = inp["grades"].set_index("grade")
    brent = inp["prices"].set_index("year")["brent_usd_per_bbl"]
    grade_of = inp["routes"].set_index("route")["grade"]
    rows = []
    for y in scenario.years:
        for s, r, feeder in zip(inp["source_routes"]["source"], inp["source_routes"]["route"], inp["source_routes"]["feeder_cost_usd_per_t"]):
            g = grades.loc[grade_of[r]]
            price = (float(brent[y]) + float(g["diff_usd_per_bbl"])) * float(g["bbl_per_t"])
            rows.append((y, s, r, grade_of[r], float(brent[y]), float(g["diff_usd_per_bbl"]), float(g["bbl_per_t"]), price, float(tariff[r]), float(feeder), price - float(tariff[r]) - float(feeder)))
    cols = ["year", "source", "route", "grade", "brent_usd_per_bbl", "diff_usd_per_bbl", "bbl_per_t", "price_usd_per_t", "tariff_usd_per_t", "feeder_cost_usd_per_t", "netback_usd_per_t"]
    return pd.DataFrame(rows, columns=cols)


def capacity_table(scenario: Scenario) -> pd.DataFrame:
    """Capacity of each oil asset per horizon year before events: all shippers, third party and left for Kazakh crude (Mt/yr).

    Columns: year, asset, units, max_active_units, capacity_mt, third_party_mt, kazakh_mt (= max(0, C − Θ)).
    """
    inp = scenario.inputs
    basis_assets = inp["assets"].set_index("asset")
    cap = inp["asset_capacity"]
    cap = cap[cap["year"].isin(scenario.years)].copy()
    cap["units"] = cap["asset"].map(basis_assets["units"])
    cap["max_active_units"] = cap["asset"].map(basis_assets["max_active_units"])
    cap["kazakh_mt"] = (cap["capacity_mt"] - cap["third_party_mt"]).clip(lower=0.0)
    return cap[["year", "asset", "units", "max_active_units", "capacity_mt", "third_party_mt", "kazakh_mt"]].sort_values(["year", "asset"], kind="stable").reset_index(drop=True)


def oil_params(scenario: Scenario) -> OilParams:
    """Compute the oil block's parameters (docs/model.md §1)."""
    inp = scenario.inputs
    basis = daily_basis(scenario)
    months = basis.months
    days = basis.days
    month_of_day = days.to_period("M").astype(str).to_numpy()
    years = scenario.years
    days_m = dict(zip(months, np.diff(np.r_[basis.month_start, len(days)]).astype(int).tolist()))
    year_of = {m: int(m[:4]) for m in months}
    horizon_frac = {y: sum(days_m[m] for m in months if year_of[m] == y) / (366 if pd.Timestamp(year=y, month=1, day=1).is_leap_year else 365) for y in years}
    rem = day_remaining(scenario, days)

    def monthly(values: np.ndarray) -> dict[str, float]:
        return dict(zip(months, basis.monthly(values).tolist()))

    sources = inp["sources"]["source"].tolist()
    routes = inp["routes"]["route"].tolist()
    route_assets = basis.route_assets
    oil_assets = list(basis.units)

    supply: dict[tuple[str, str], float] = {}
    for s in sources:
        for m, v in monthly(basis.supply_daily(s, rem.get(s))).items():
            supply[(s, m)] = v

    # assets: Kazakh capacity per day
    kappa = {a: basis.kappa(a, rem.get(a)) for a in oil_assets}
    asset_cap = {(a, m): v for a in oil_assets for m, v in monthly(kappa[a]).items()}
    route_cap: dict[tuple[str, str], float] = {}
    route_cap_all: dict[tuple[str, str], float] = {}
    for r in routes:
        for m, v in monthly(basis.route_daily(r, kappa, rem.get(r))).items():
            route_cap_all[(r, m)] = v
            # a route row is redundant (and would only split duals) unless it is
            # tighter than every asset on the route
            if v < min(asset_cap[(a, m)] for a in route_assets[r]) - 1e-9:
                route_cap[(r, m)] = v

    # prices and netbacks
    grade_of = inp["routes"].set_index("route")["grade"]
    grades = inp["grades"].set_index("grade")
    sr = inp["source_routes"]
    pairs = [(s, r) for s, r in zip(sr["source"], sr["route"])]
    pairs.sort(key=lambda p: (sources.index(p[0]), routes.index(p[1])))
    bbl_per_t = {r: float(grades.at[grade_of[r], "bbl_per_t"]) for r in routes}
    nb = netback_table(scenario)
    netback = {(s, r, int(y)): float(v) for s, r, y, v in zip(nb.source, nb.route, nb.year, nb.netback_usd_per_t)}

    # annual limits (kt per year, pro-rated to the horizon); which entries hold is decided when
    # the scenario is resolved (scenario/limits.py: later pieces replace, one piece intersects)
    limit_lo = {(r, y): 0.0 for r in routes for y in years}
    limit_hi = {(r, y): math.inf for r in routes for y in years}
    for (r, y), eff in scenario.limits.items():
        if (r, y) in limit_lo:
            if eff.low is not None:
                limit_lo[(r, y)] = 1000.0 * eff.low * horizon_frac[y]
            if eff.high is not None:
                limit_hi[(r, y)] = 1000.0 * eff.high * horizon_frac[y]
    share = {k: eff.high for k, eff in scenario.shares.items() if k[1] in horizon_frac and eff.high is not None and eff.high < 1.0}
    pair_cap = {}
    for s, r, mx in zip(sr["source"], sr["route"], sr["max_mt"]):
        if mx is not None and not pd.isna(mx):
            for y in years:
                pair_cap[(s, r, y)] = 1000.0 * float(mx) * horizon_frac[y]

    avail_rows = []
    for target, values in sorted(rem.items()):
        s = pd.Series(values).groupby(month_of_day).mean()
        avail_rows += [(m, target, float(s[m])) for m in months]
    availability = pd.DataFrame(avail_rows, columns=["period", "target", "remaining"])

    return OilParams(
        months=months,
        days=days_m,
        year_of=year_of,
        years=years,
        horizon_frac=horizon_frac,
        sources=sources,
        routes=routes,
        assets=oil_assets,
        pairs=pairs,
        route_assets=route_assets,
        bbl_per_t=bbl_per_t,
        netback=netback,
        supply=supply,
        asset_cap=asset_cap,
        route_cap=route_cap,
        route_cap_all=route_cap_all,
        limit_lo=limit_lo,
        limit_hi=limit_hi,
        share=share,
        pair_cap=pair_cap,
        penalty=float(scenario.settings.shut_in_penalty_usd_per_t),
        availability=availability,
    )
