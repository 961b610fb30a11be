"""Derived model parameters: monthly oil quantities and hourly power quantities.

Reads, from a resolved :class:`~energy_routes.scenario.Scenario`: ``supply``
(year, source, export_supply_mt), ``asset_capacity`` (year, asset,
capacity_mt, third_party_mt), ``assets`` (asset, units, max_active_units),
``route_legs`` (route, seq, asset, tariff_usd_per_t), ``source_routes``
(source, route, feeder_cost_usd_per_t, max_mt), ``routes`` (route, grade),
``grades`` (grade, bbl_per_t, diff_usd_per_bbl), ``prices`` (year,
brent_usd_per_bbl), ``power_capacity``, ``power_links``, ``power_profiles``,
and the scenario's events, route limits and shares. The formulas are those of
``docs/model.md`` §1 "Derived monthly parameters" and §2.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .scenario import Scenario, _years
from .schema import BLACK_SEA, TRANS_CASPIAN

HOURS = 8760


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
class PowerYear:
    """The hourly power LP of one year."""

    year: int
    generation: np.ndarray  # MWh per hour
    cable_cap: np.ndarray  # MW (after commissioning and events)
    eta_tc: float
    black_sea: bool
    bs_cap: np.ndarray  # MW
    eta_bs: float
    cable_mw: float  # nameplate in service, for utilisation


def day_remaining(scenario: Scenario, days: pd.DatetimeIndex) -> dict[str, np.ndarray]:
    """Remaining capacity fraction per target and day: 1 − Σ event losses, floored at 0."""
    loss: dict[str, np.ndarray] = {}
    day_vals = days.values.astype("datetime64[D]")
    for ev in scenario.settings.events:
        lam = np.ones(len(days))
        start, end = np.datetime64(ev.start, "D"), np.datetime64(ev.end, "D")
        lam[(day_vals >= start) & (day_vals <= end)] = ev.remaining
        if ev.ramp_days:
            after = (day_vals - end).astype(int)
            ramp = (after > 0) & (after <= ev.ramp_days)
            lam[ramp] = ev.remaining + (1 - ev.remaining) * after[ramp] / (ev.ramp_days + 1)
        loss[ev.target] = loss.get(ev.target, np.zeros(len(days))) + (1 - lam)
    return {t: np.clip(1 - v, 0.0, 1.0) for t, v in loss.items()}


def oil_params(scenario: Scenario) -> OilParams:
    """Compute the oil block's parameters (docs/model.md §1)."""
    inp = scenario.inputs
    months = [str(p) for p in scenario.months]
    start = scenario.months[0].start_time
    end = scenario.months[-1].end_time.normalize()
    days = pd.date_range(start, end, freq="D")
    month_of_day = days.to_period("M").astype(str).to_numpy()
    year_of_day = days.year.to_numpy()
    days_in_year = np.where(pd.DatetimeIndex(days).is_leap_year, 366, 365)
    years = scenario.years
    days_m = {m: int(n) for m, n in zip(*np.unique(month_of_day, return_counts=True))}
    year_of = {m: int(m[:4]) for m in months}
    horizon_frac = {y: sum(days_m[m] for m in months if year_of[m] == y) / (366 if pd.Timestamp(year=y, month=1, day=1).is_leap_year else 365) for y in years}
    rem = day_remaining(scenario, days)
    ones = np.ones(len(days))

    def monthly(values: np.ndarray) -> dict[str, float]:
        s = pd.Series(values).groupby(month_of_day).sum()
        return {m: float(s[m]) for m in months}

    sources = inp["sources"]["source"].tolist()
    routes = inp["routes"]["route"].tolist()
    legs = inp["route_legs"].sort_values(["route", "seq"])
    route_assets = {r: legs.loc[legs.route == r, "asset"].tolist() for r in routes}
    oil_assets = sorted({a for r in routes for a in route_assets[r]}, key=inp["assets"]["asset"].tolist().index)

    # supply
    def by_day(table: pd.DataFrame, key: str, ident: str, column: str) -> np.ndarray:
        """The yearly value of ``column`` for ``ident``, laid out over the horizon's days."""
        rows = table[table[key] == ident]
        per_year = dict(zip(rows["year"].astype(int), rows[column].astype(float)))
        return np.array([per_year[y] for y in years])[np.searchsorted(years, year_of_day)]

    supply: dict[tuple[str, str], float] = {}
    for s in sources:
        per_day = by_day(inp["supply"], "source", s, "export_supply_mt") * 1000.0 / days_in_year * rem.get(s, ones)
        for m, v in monthly(per_day).items():
            supply[(s, m)] = v

    # assets: Kazakh capacity per day
    units = inp["assets"].set_index("asset")
    kappa: dict[str, np.ndarray] = {}
    asset_cap: dict[tuple[str, str], float] = {}
    for a in oil_assets:
        u, mx = float(units.at[a, "units"]), float(units.at[a, "max_active_units"])
        phi = np.minimum(u * rem.get(a, ones), mx) / mx
        c = by_day(inp["asset_capacity"], "asset", a, "capacity_mt")
        th = by_day(inp["asset_capacity"], "asset", a, "third_party_mt")
        kappa[a] = np.maximum(0.0, phi * c - th) * 1000.0 / days_in_year
        for m, v in monthly(kappa[a]).items():
            asset_cap[(a, m)] = v
    route_cap: dict[tuple[str, str], float] = {}
    route_cap_all: dict[tuple[str, str], float] = {}
    for r in routes:
        daily = np.min(np.vstack([kappa[a] for a in route_assets[r]]), axis=0) * rem.get(r, ones)
        for m, v in monthly(daily).items():
            route_cap_all[(r, m)] = v
            # a route row is redundant (and would only split duals) unless it is
            # tighter than every asset on the route
            if v < min(asset_cap[(a, m)] for a in route_assets[r]) - 1e-9:
                route_cap[(r, m)] = v

    # prices and netbacks
    grade_of = inp["routes"].set_index("route")["grade"]
    grades = inp["grades"].set_index("grade")
    brent = inp["prices"].set_index("year")["brent_usd_per_bbl"]
    tariff = legs.groupby("route")["tariff_usd_per_t"].sum()
    sr = inp["source_routes"]
    pairs = [(s, r) for s, r in zip(sr["source"], sr["route"])]
    pairs.sort(key=lambda p: (sources.index(p[0]), routes.index(p[1])))
    feeder = sr.set_index(["source", "route"])["feeder_cost_usd_per_t"]
    bbl_per_t = {r: float(grades.at[grade_of[r], "bbl_per_t"]) for r in routes}
    netback = {}
    for s, r in pairs:
        g = grades.loc[grade_of[r]]
        for y in years:
            price = (float(brent[y]) + float(g["diff_usd_per_bbl"])) * float(g["bbl_per_t"])
            netback[(s, r, y)] = price - float(tariff[r]) - float(feeder[(s, r)])

    # annual limits (kt per year, pro-rated to the horizon)
    limit_lo = {(r, y): 0.0 for r in routes for y in years}
    limit_hi = {(r, y): math.inf for r in routes for y in years}
    for lim in scenario.settings.route_limits:
        for y in _years(lim.years, years):
            if lim.min_mt is not None:
                limit_lo[(lim.route, y)] = max(limit_lo[(lim.route, y)], 1000.0 * lim.min_mt * horizon_frac[y])
            if lim.max_mt is not None:
                limit_hi[(lim.route, y)] = min(limit_hi[(lim.route, y)], 1000.0 * lim.max_mt * horizon_frac[y])
    share: dict[tuple[str, int], float] = {}
    for sh in scenario.settings.route_shares:
        for y in _years(sh.years, years):
            share[(sh.route, y)] = min(share.get((sh.route, y), 1.0), sh.max_share)
    share = {k: v for k, v in share.items() if v < 1.0}
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


def link_efficiency(link: pd.Series) -> float:
    """η = (1 − converter loss)² × (1 − line loss per 1,000 km × length / 1,000)."""
    line = float(link["line_loss_per_1000km"]) * float(link["length_km"]) / 1000.0
    return (1.0 - float(link["converter_loss"])) ** 2 * max(0.0, 1.0 - line)


def _hourly_remaining(scenario: Scenario, year: int, target: str) -> np.ndarray:
    """Remaining fraction of ``target`` for each hour of a 365-day ``year`` (29 Feb dropped)."""
    days = pd.date_range(f"{year}-01-01", f"{year}-12-31", freq="D")
    days = days[~((days.month == 2) & (days.day == 29))]
    rem = day_remaining(scenario, days).get(target)
    if rem is None:
        return np.ones(HOURS)
    return np.repeat(rem, 24)


def power_params(scenario: Scenario) -> list[PowerYear]:
    """Compute the power block's hourly parameters (docs/model.md §2)."""
    inp = scenario.inputs
    prof = inp["power_profiles"].sort_values("hour")
    wind_cf = prof["wind_cf"].to_numpy(float)
    solar_cf = prof["solar_cf"].to_numpy(float)
    pc = inp["power_capacity"].set_index(["technology", "year"])["capacity_mw"]
    links = inp["power_links"].set_index("asset")
    black_sea = bool(scenario.settings.power and scenario.settings.power.black_sea)
    out = []
    for y in scenario.power_years:
        gen = float(pc[("wind", y)]) * wind_cf + float(pc[("solar", y)]) * solar_cf

        def cap_of(asset: str) -> tuple[np.ndarray, float, float]:
            if asset not in links.index:
                return np.zeros(HOURS), 1.0, 0.0
            link = links.loc[asset]
            mw = float(link["capacity_mw"]) if int(link["commissioning_year"]) <= y else 0.0
            return mw * _hourly_remaining(scenario, y, asset), link_efficiency(link), mw

        tc, eta_tc, tc_mw = cap_of(TRANS_CASPIAN)
        bs, eta_bs, _ = cap_of(BLACK_SEA)
        out.append(PowerYear(y, gen, tc, eta_tc, black_sea, bs, eta_bs, tc_mw))
    return out
