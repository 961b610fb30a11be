"""Derived parameters of the oil block: period quantities from the yearly tables and the events.

Reads, from a resolved :class:`~energy_routes.scenario.Scenario`: ``supply``
(year, source, export_supply_mt), ``sources`` (source, bbl_per_t,
ramp_up_per_day, cut_hold_days), ``asset_capacity`` (year, asset, capacity_mt,
third_party_mt), ``assets`` (asset, units, max_active_units), the network
tables (``nodes``, ``arcs``, ``stores``, ``source_routes``; see
:mod:`energy_routes.network`), ``routes`` (route, grade), ``grades`` (grade,
bbl_per_t, diff_usd_per_bbl; by year in the optional ``grade_differentials``), ``prices`` (year, brent_usd_per_bbl), and the
scenario's time axis, events, route limits and shares. The formulas are
those of ``docs/model.md`` §1 "Derived parameters".

Quantities that events change (supply, asset and route capacities) are
numpy arrays whose last axis is the period; the sweep kernel computes them
for a whole batch of cases at once with a leading case axis, through the
same :class:`DailyBasis` arithmetic.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .events import event_losses
from .network import OilNetwork, build_network
from .outlets import AcceptLayout, UnitLayout, accept_layout, pro_rata_mask, schedule_daily, unit_layout
from .periods import Periods, build_periods, days_in_year
from .scenario import Scenario


@dataclass
class DailyBasis:
    """The oil block's daily quantities before events, laid out over the horizon's days.

    Shared by :func:`oil_params` and the sweep kernel, so a sweep case and a
    fresh run compute period capacities with the same arithmetic. Arrays are
    (target, day); the functions accept a leading batch axis on ``rem``.
    """

    periods: Periods
    network: OilNetwork
    per_year: np.ndarray  # (D,) 1000 / days in that day's year: Mt/yr -> kt/day
    units: np.ndarray  # (A,) units of each asset
    max_active: np.ndarray  # (A,) units that can be active at once
    cap_mt: np.ndarray  # (A, D) capacity_mt of each asset, by day
    third_mt: np.ndarray  # (A, D) third_party_mt, by day
    supply_mt: np.ndarray  # (S, D) export_supply_mt, by day
    route_mask: np.ndarray  # (R, A) True where asset a is on a path into route r
    unit: UnitLayout  # units with identity (moorings): targets, asset, rate
    pro_rata: np.ndarray  # (A,) True where Kazakh and third-party shippers share the asset pro rata
    accept: AcceptLayout  # who accepts extra volume above schedules, with lead times and premiums
    accept_daily: np.ndarray  # (Acc, D) extra acceptance per day, kt/d (a month's allowance over its days)
    route_full: np.ndarray | None = None  # (R, D) what each route can carry per day without events
    hold_days: np.ndarray | None = None  # (S,) decision horizon L_s of each source's cuts, days (0 = none; sources.csv cut_hold_days)

    @property
    def assets(self) -> list[str]:
        return self.network.assets

    def phi(self, rem: np.ndarray, rem_units: np.ndarray | None = None) -> np.ndarray:
        """Share of an asset's capacity that is available, (..., A, D).

        Units without identity: φ = min(u ρ, m)/m. Units with identity (asset_units.csv):
        φ = min(ρ Σ_i ρ_i r_i, C)/C, ρ_i the unit's own remaining fraction and r_i its rate
        (computed for the assets that have such units only: a sweep batch is cases × assets × days).
        """
        u, mx = self.units[:, None], self.max_active[:, None]
        phi = np.minimum(u * rem, mx) / mx
        if not self.unit.has_units.any():
            return phi
        if rem_units is None:
            rem_units = np.ones((len(self.unit.targets), rem.shape[-1]))
        weight = np.zeros((len(self.assets), len(self.unit.targets)))
        weight[self.unit.asset_pos, np.arange(len(self.unit.targets))] = self.unit.rate_mt
        ua = np.flatnonzero(self.unit.has_units)
        avail = np.einsum("au,...ud->...ad", weight[ua], rem_units) * rem[..., ua, :]  # Mt/yr the units can load
        cap = np.broadcast_to(self.cap_mt[ua], avail.shape)
        phi[..., ua, :] = np.divide(np.minimum(avail, cap), cap, out=np.zeros(avail.shape), where=cap > 0)
        return phi

    def kappa(self, rem: np.ndarray, rem_units: np.ndarray | None = None) -> np.ndarray:
        """Kazakh capacity per day (kt/d); ``rem`` is (..., A, D), ``rem_units`` (..., U, D).

        Third party first: max(0, φ C − Θ). Pro rata: φ max(0, C − Θ) (each shipper keeps the
        same share φ of its normal volume).
        """
        phi = self.phi(rem, rem_units)
        pr, first = self.pro_rata, ~self.pro_rata  # each asset computed by its own rule only
        out = np.empty(phi.shape)
        out[..., pr, :] = phi[..., pr, :] * np.maximum(0.0, self.cap_mt[pr] - self.third_mt[pr])
        out[..., first, :] = np.maximum(0.0, phi[..., first, :] * self.cap_mt[first] - self.third_mt[first])
        out *= self.per_year
        return out

    def tightest_asset(self, cap: np.ndarray) -> np.ndarray:
        """Per route, the smallest of its assets' capacities along the last axis (days or periods):
        (..., A, T) -> (..., R, T); a route with no capacitated asset gets none."""
        out = np.zeros(cap.shape[:-2] + (len(self.route_mask), cap.shape[-1]))
        for r, mask in enumerate(self.route_mask):  # a route has a few assets: gather them, not a (R, A) mask of every case
            if mask.any():
                out[..., r, :] = cap[..., mask, :].min(axis=-2)
        return np.where(np.isinf(out), 0.0, out)

    def route_daily(self, kappa: np.ndarray, rem: np.ndarray) -> np.ndarray:
        """What each route can carry per day: min over its assets' κ, times the route's own ρ; (..., R, D)."""
        return self.tightest_asset(kappa) * rem

    def supply_daily(self, rem: np.ndarray) -> np.ndarray:
        """Export supply per day (kt/d) after source events; ``rem`` is (..., S, D)."""
        return self.supply_mt * self.per_year * rem


@dataclass
class Capacities:
    """The event-dependent right-hand sides, by period (kt); leading axes are cases in a sweep batch."""

    supply: np.ndarray  # (..., S, P)
    asset_cap: np.ndarray  # (..., A, P)
    route_cap: np.ndarray  # (..., R, P): what the LP lets the route carry (reported as capacity_kt)
    route_row: np.ndarray  # (..., R, P): route_cap in periods with an event on the route itself, else inf
    accept: np.ndarray | None = None  # (..., Acc, P): extra acceptance above schedules allowed in each period, kt
    settled: np.ndarray | None = None  # (..., P): 1.0 where the period is settled (no disruption in the last 30 days), else 0.0
    hold: np.ndarray | None = None  # (..., S, P): 1.0 where source s may not raise its production rate from t−1 to t (cut_hold), else 0.0
    window: np.ndarray | None = None  # (..., P): 0 outside a displacement window, 1 where one starts, 2 where it continues (`displaced`)


@dataclass
class OilParams:
    """Everything the oil LP needs: kt per period, $/t, and kt per year for annual limits."""

    network: OilNetwork
    periods: Periods
    years: list[int]
    horizon_frac: np.ndarray  # (Y,) share of each year inside the horizon
    caps: Capacities
    sale_value: np.ndarray  # (K, Y) $/t at the outlet: (Brent + differential) × bbl/t − feeder cost
    netback: np.ndarray  # (K, Y) $/t: sale value − tariffs on the cheapest path (for tables)
    arc_tariff: np.ndarray  # (n_arcs,) $/t
    bbl_per_t_source: np.ndarray  # (S,) barrels per tonne of each source's crude
    limit_lo: np.ndarray  # (R, Y) kt per year, pro-rated to the horizon
    limit_hi: np.ndarray  # (R, Y) kt per year, inf = none
    share: np.ndarray  # (R, Y) maximum share of the year's exports, 1 = none
    pair_cap: np.ndarray  # (K, P) kt per period (a shipper's allocation, Mt/yr pro-rated to the period), inf = none
    schedule: np.ndarray  # (R, P) scheduled kt per period, inf = no schedule
    accept: AcceptLayout  # acceptors, the routes each covers, premiums ($/t)
    holding_open: np.ndarray  # (H, Y) level of each (source, store) holding at the start and end of each year, kt
    ramp: np.ndarray  # (S, Y) most a source's production rate can rise per day, kt/d per day (inf = no limit)
    penalty: float  # $/t on shut-in
    availability: pd.DataFrame = field(default_factory=pd.DataFrame)  # period (month), target, remaining
    availability_period: pd.DataFrame = field(default_factory=pd.DataFrame)  # period label, target, remaining
    hold_days: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (S,) decision horizon of each source's cuts, days (0 = none)
    plan: np.ndarray | None = None  # (R, P) kt on each route in each period in the no-event plan (model.plan); None = not computed

    # convenience views --------------------------------------------------------
    @property
    def sources(self) -> list[str]:
        return self.network.sources

    @property
    def routes(self) -> list[str]:
        return self.network.routes

    @property
    def assets(self) -> list[str]:
        return self.network.assets

    @property
    def pairs(self) -> list[tuple[str, str]]:
        return self.network.pairs

    @property
    def year_pos(self) -> np.ndarray:
        """(P,) position in ``years`` of each period's year."""
        return np.searchsorted(self.years, self.periods.year)

    def with_caps(self, caps: Capacities) -> "OilParams":
        return dataclasses.replace(self, caps=caps)


def daily_basis(scenario: Scenario, network: OilNetwork | None = None) -> DailyBasis:
    """Lay the yearly input tables out over the horizon's days."""
    inp = scenario.inputs
    net = network or build_network(inp.tables)
    periods = scenario_periods(scenario)
    days = periods.days
    years = scenario.years
    year_of_day = days.year.to_numpy()
    per_year = 1000.0 / np.where(pd.DatetimeIndex(days).is_leap_year, 366, 365)
    ypos = np.searchsorted(years, year_of_day)

    def by_day(table: pd.DataFrame, key: str, idents: list[str], column: str) -> np.ndarray:
        t = table[table["year"].isin(years)]
        wide = t.pivot(index=key, columns="year", values=column).reindex(index=idents, columns=years)
        return wide.to_numpy(float)[:, ypos]

    units_t = inp["assets"].set_index("asset")
    assets = net.assets
    mask = np.array([[a in net.route_assets[r] for a in assets] for r in net.routes], dtype=bool).reshape(len(net.routes), len(assets))
    acc = accept_layout(inp.tables, net.routes)
    basis = DailyBasis(
        periods=periods,
        network=net,
        per_year=per_year,
        units=units_t.loc[assets, "units"].to_numpy(float) if assets else np.zeros(0),
        max_active=units_t.loc[assets, "max_active_units"].to_numpy(float) if assets else np.zeros(0),
        cap_mt=by_day(inp["asset_capacity"], "asset", assets, "capacity_mt"),
        third_mt=by_day(inp["asset_capacity"], "asset", assets, "third_party_mt"),
        supply_mt=by_day(inp["supply"], "source", net.sources, "export_supply_mt"),
        route_mask=mask,
        unit=unit_layout(inp.tables, assets),
        pro_rata=pro_rata_mask(inp.tables, assets),
        accept=acc,
        accept_daily=acc.extra_kt_per_month[:, None] / days.days_in_month.to_numpy()[None, :],
    )
    src_t = inp["sources"].set_index("source")
    hold = src_t["cut_hold_days"] if "cut_hold_days" in src_t else pd.Series(dtype=float)
    basis.hold_days = np.array([float(hold.get(s)) if s in hold and not pd.isna(hold.get(s)) else 0.0 for s in net.sources])
    basis.route_full = basis.route_daily(basis.kappa(np.ones((len(assets), len(days)))), np.ones((len(net.routes), len(days))))
    return basis


def scenario_periods(scenario: Scenario) -> Periods:
    """The scenario's time axis (its ``resolution`` and ``windows``; monthly by default)."""
    s = scenario.settings
    return build_periods(scenario.months[0], scenario.months[-1], s.resolution or "month", s.windows or ())


def remaining(basis: DailyBasis, losses: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Dense remaining fractions (assets, routes, sources, units) × days from event losses per target."""
    net = basis.network
    n = len(basis.periods.days)

    def dense(ids: list[str]) -> np.ndarray:
        out = np.ones((len(ids), n))
        for i, t in enumerate(ids):
            if t in losses:
                out[i] = np.clip(1.0 - losses[t], 0.0, 1.0)
        return out

    return dense(net.assets), dense(net.routes), dense(net.sources), dense(basis.unit.targets)


def disrupted_days(basis: DailyBasis, route_daily: np.ndarray) -> np.ndarray:
    """(..., D) True on a day when some route can carry less than without any event (docs/model.md §1)."""
    if route_daily.shape[-2] == 0:
        return np.zeros(route_daily.shape[:-2] + route_daily.shape[-1:], dtype=bool)
    return (route_daily < basis.route_full - 1e-9).any(axis=-2)


def acceptance_allowed(basis: DailyBasis, dis: np.ndarray) -> np.ndarray:
    """Extra acceptance per period (..., Acc, P), kt: each acceptor's daily allowance on the days it may flow.

    ``dis`` marks the disrupted days (:func:`disrupted_days`); an acceptor takes extra volume on a
    disrupted day once ``lead_time_days`` have passed since the run of disrupted days began (a run
    under way on the horizon's first day, or on 1 January, starts there).
    """
    since = days_since_run_began(basis, dis)
    allowed = dis[..., None, :] & (since[..., None, :] >= basis.accept.lead_days[:, None])  # (..., Acc, D)
    return basis.periods.reduce(allowed * basis.accept_daily)


def days_since_run_began(basis: DailyBasis, dis: np.ndarray) -> np.ndarray:
    """(..., D) days since the latest run of disrupted days began (0 on its first day), −1 before any this year.

    A run starts again on 1 January: years are independent LPs (docs/model.md), so a year solved alone
    (the sweep kernel) and inside the horizon give the same answer. Read on a disrupted day, it is how long
    the disruption has lasted (acceptance lead times); after the run, how long ago it began (cut_hold).
    """
    per = basis.periods
    idx = np.arange(dis.shape[-1])
    new_year = per.day_of_year == 1
    prev = np.concatenate([np.zeros(dis.shape[:-1] + (1,), bool), dis[..., :-1]], axis=-1)
    start = dis & (~prev | new_year)  # first day of a run of disrupted days
    last_start = np.maximum.accumulate(np.where(start, idx, -1), axis=-1)
    year_first = idx - per.day_of_year + 1
    return np.where(last_start >= np.maximum(year_first, 0), idx - last_start, -1)


#: days after a disruption within which a store may still be away from its working level (docs/model.md §1)
STORE_SETTLE_DAYS = 30


def settled_periods(basis: DailyBasis, dis: np.ndarray) -> np.ndarray:
    """(..., P) True where a period is *settled*: no disrupted day in the last ``STORE_SETTLE_DAYS`` days up
    to its end, counted within its year (docs/model.md §1 "store hold")."""
    per = basis.periods
    D = dis.shape[-1]
    idx = np.arange(D)
    cs = np.concatenate([np.zeros(dis.shape[:-1] + (1,)), np.cumsum(dis, axis=-1)], axis=-1)  # cs[d] = disrupted days before d
    end = np.append(per.start[1:], D) - 1  # last day of each period
    year_first = idx - per.day_of_year + 1  # first day of each day's year (clipped to the horizon)
    lo_day = np.maximum(end - STORE_SETTLE_DAYS + 1, np.maximum(year_first[end], 0))
    return (cs[..., end + 1] - cs[..., lo_day]) == 0


def hold_periods(basis: DailyBasis, dis: np.ndarray) -> np.ndarray:
    """(..., S, P) True where source s may not raise its production rate from period t−1 to t (``cut_hold``).

    A cut is decided when a run of disrupted days begins (day d⁰), before anyone knows how long it will last,
    and holds for the source's decision horizon L_s: on a day d the rate may not rise
    over the day before's, d⁰ included (d⁰ ≤ d ≤ d⁰ + L_s − 1), whether or not the run is still going (docs/model.md
    §1 "decision horizon"). Runs
    start again on 1 January (years are independent LPs). A period's row compares it with the period before, so
    it holds when the period's first day is such a day (within its year).
    """
    per = basis.periods
    L = basis.hold_days if basis.hold_days is not None else np.zeros(len(basis.network.sources))
    s = days_since_run_began(basis, dis)[..., np.asarray(per.start)]  # (..., P), at each period's first day
    year_start = np.asarray(per.year_start())
    held = (s[..., None, :] >= 0) & (s[..., None, :] < L[:, None]) & ~year_start  # (..., S, P)
    return held


def displacement_window(basis: DailyBasis, settled: np.ndarray) -> np.ndarray:
    """(..., P) 0 outside a displacement window, 1 where a window starts, 2 where it continues (docs/model.md §1
    "displaced crude").

    A window is a run of unsettled periods and the first settled period after it (the period by whose end
    every store is back at its working level), within one year; a window starts in its first period (a year's
    first period always starts one). Over a window the ``displaced*`` rows hold the extra accepted above schedules
    to the crude the outage displaced below the no-event plan.
    """
    year_start = np.asarray(basis.periods.year_start())

    def before(a: np.ndarray) -> np.ndarray:  # a[t−1], False in a year's first period
        return np.concatenate([np.zeros(a.shape[:-1] + (1,), bool), a[..., :-1]], axis=-1) & ~year_start

    unsettled = ~settled
    closing = settled & before(unsettled)  # first settled period after an unsettled one
    window = unsettled | closing
    start = window & ~(before(window) & ~before(closing))
    return np.where(start, 1, np.where(window, 2, 0))


def capacities(basis: DailyBasis, rem_assets: np.ndarray, rem_routes: np.ndarray, rem_sources: np.ndarray, rem_units: np.ndarray | None = None) -> Capacities:
    """Period right-hand sides from remaining fractions (any leading batch axes)."""
    per = basis.periods
    kappa = basis.kappa(rem_assets, rem_units)
    asset_cap = per.reduce(kappa)
    route_daily = basis.route_daily(kappa, rem_routes)
    route_cap = per.reduce(route_daily)
    # a route's own row holds only in periods where an event cuts the route itself: elsewhere its
    # assets' rows say what it can carry (and a tank upstream of its last leg may add to that)
    cut = per.reduce((rem_routes < 1.0).astype(float)) > 0
    route_row = np.where(cut, route_cap, np.inf)
    # what the LP lets a route carry in a period (reported as capacity_kt): its tightest asset over the
    # period (each asset row sums its own days, so legs out on different days do not add up) and its
    # own row where it has one
    reported = np.minimum(basis.tightest_asset(asset_cap), route_row)
    supply = per.reduce(basis.supply_daily(rem_sources))
    dis = disrupted_days(basis, route_daily)
    settled = settled_periods(basis, dis)
    return Capacities(supply, asset_cap, reported, route_row, acceptance_allowed(basis, dis), settled.astype(float), hold_periods(basis, dis).astype(float), displacement_window(basis, settled).astype(float))


def netback_table(scenario: Scenario) -> pd.DataFrame:
    """Netback per source, route and year of the horizon, with its parts ($/t; docs/model.md §1).

    Columns: year, source, route, grade, brent_usd_per_bbl, diff_usd_per_bbl, bbl_per_t,
    price_usd_per_t, tariff_usd_per_t (on the cheapest path of arcs), feeder_cost_usd_per_t,
    netback_usd_per_t.
    """
    inp = scenario.inputs
    net = build_network(inp.tables)
    g_t, p_t, r_t, f_t = inp["grades"], inp["prices"], inp["routes"], inp["source_routes"]
    # plain dicts: a pandas lookup per (year, source, route) cost more than the rest of the table
    bbl = dict(zip(g_t["grade"], g_t["bbl_per_t"].astype(float)))
    diff0 = dict(zip(g_t["grade"], g_t["diff_usd_per_bbl"].astype(float)))
    brent = dict(zip(p_t["year"], p_t["brent_usd_per_bbl"].astype(float)))
    grade_of = dict(zip(r_t["route"], r_t["grade"]))
    feeder = dict(zip(zip(f_t["source"], f_t["route"]), f_t["feeder_cost_usd_per_t"].astype(float)))
    by_year = grade_differentials(inp)
    rows = []
    for y in scenario.years:
        for s, r in net.pairs:
            g = grade_of[r]
            diff = by_year.get((g, y), diff0[g])
            price = (brent[y] + diff) * bbl[g]
            tariff, fc = net.route_tariff[(s, r)], feeder[(s, r)]
            rows.append((y, s, r, g, brent[y], diff, bbl[g], price, tariff, fc, price - tariff - fc))
    cols = ["year", "source", "route", "grade", "brent_usd_per_bbl", "diff_usd_per_bbl", "bbl_per_t", "price_usd_per_t", "tariff_usd_per_t", "feeder_cost_usd_per_t", "netback_usd_per_t"]
    return pd.DataFrame(rows, columns=cols)


def grade_differentials(inp) -> dict[tuple[str, int], float]:
    """(grade, year) -> differential to Dated Brent, $/bbl, from the optional ``grade_differentials.csv``;
    a grade and year not listed there use ``grades.csv`` ``diff_usd_per_bbl``."""
    t = inp.tables.get("grade_differentials")
    if t is None or t.empty:
        return {}
    return {(g, int(y)): float(d) for g, y, d in zip(t["grade"], t["year"], t["diff_usd_per_bbl"])}


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


def _availability(per: Periods, losses: dict[str, np.ndarray]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Mean remaining fraction per target with events, by month and by period."""
    month_of_day = per.days.to_period("M").astype(str).to_numpy()
    rows_m, rows_p = [], []
    for target, loss in sorted(losses.items()):
        rem = np.clip(1.0 - loss, 0.0, 1.0)
        by_month = pd.Series(rem).groupby(month_of_day).mean()
        rows_m += [(m, target, float(by_month[m])) for m in per.months]
        by_period = per.reduce(rem) / per.length
        rows_p += [(lab, target, float(v)) for lab, v in zip(per.labels, by_period)]
    cols = ["period", "target", "remaining"]
    return pd.DataFrame(rows_m, columns=cols), pd.DataFrame(rows_p, columns=cols)


def oil_params(scenario: Scenario, basis: DailyBasis | None = None) -> OilParams:
    """Compute the oil block's parameters (docs/model.md §1); ``basis``: the scenario's :func:`daily_basis`
    when the caller has it already."""
    inp = scenario.inputs
    basis = daily_basis(scenario) if basis is None else basis
    net, per = basis.network, basis.periods
    years = scenario.years
    losses = event_losses(scenario.settings.events, per.days)
    caps = capacities(basis, *remaining(basis, losses))
    frac = np.array([per.length[per.year == y].sum() / days_in_year(y) for y in years])

    # prices: the value of a tonne sold at the outlet, and the netback of the cheapest path (tables)
    nb = netback_table(scenario)
    nb_key = {(s, r, int(y)): (p - f, n) for s, r, y, p, f, n in zip(nb.source, nb.route, nb.year, nb.price_usd_per_t, nb.feeder_cost_usd_per_t, nb.netback_usd_per_t)}
    sale_value = np.array([[nb_key[(s, r, y)][0] for y in years] for s, r in net.pairs]).reshape(len(net.pairs), len(years))
    netback = np.array([[nb_key[(s, r, y)][1] for y in years] for s, r in net.pairs]).reshape(len(net.pairs), len(years))
    src = inp["sources"].set_index("source")

    # annual limits (kt per year, pro-rated to the horizon); which entries hold is decided when
    # the scenario is resolved (scenario/limits.py: later pieces replace, one piece intersects)
    R, Y = len(net.routes), len(years)
    limit_lo, limit_hi, share = np.zeros((R, Y)), np.full((R, Y), np.inf), np.ones((R, Y))
    for (r, y), eff in scenario.limits.items():
        if r in net.routes and y in years:
            i, j = net.routes.index(r), years.index(y)
            if eff.low is not None:
                limit_lo[i, j] = 1000.0 * eff.low * frac[j]
            if eff.high is not None:
                limit_hi[i, j] = 1000.0 * eff.high * frac[j]
    for (r, y), eff in scenario.shares.items():
        if r in net.routes and y in years and eff.high is not None:
            share[net.routes.index(r), years.index(y)] = eff.high
    cap_of = inp["source_routes"].set_index(["source", "route"])["max_mt"]
    # a shipper's allocation on a route is monthly (docs/model.md §1 "source_route_limit"): M Mt/yr
    # pro-rated to each period's days, as an annual cap becomes a schedule below
    per_days = per.length / np.array([days_in_year(int(y)) for y in per.year], dtype=float)
    pair_cap = np.full((len(net.pairs), len(per)), np.inf)
    for k, (s, r) in enumerate(net.pairs):
        mx = cap_of[(s, r)]
        if mx is not None and not pd.isna(mx):
            pair_cap[k] = 1000.0 * float(mx) * per_days

    # stores: each holding (source, store) starts and ends every year at the store's opening level,
    # shared among the sources it can hold in proportion to their export supply that year (docs/model.md)
    store_of = {k.store: k for k in net.stores}
    supply_y = inp["supply"].set_index(["source", "year"])["export_supply_mt"]
    holding_open = np.zeros((len(net.holdings), Y))
    for i, (s, k) in enumerate(net.holdings):
        mates = [s2 for s2, k2 in net.holdings if k2 == k]
        for j, y in enumerate(years):
            tot = sum(float(supply_y[(s2, y)]) for s2 in mates)
            holding_open[i, j] = store_of[k].opening_kt * (float(supply_y[(s, y)]) / tot if tot > 0 else 1.0 / len(mates))

    # ramp-up: a fraction of the source's full daily rate (that year's outlook) per day
    ramp = np.full((len(net.sources), Y), np.inf)
    if "ramp_up_per_day" in src:
        for i, s in enumerate(net.sources):
            v = src.at[s, "ramp_up_per_day"]
            if v is not None and not pd.isna(v):
                ramp[i] = [float(v) * 1000.0 * float(supply_y[(s, y)]) / days_in_year(y) for y in years]

    # planned schedules (schedules.csv); an annual cap of the scenario becomes a monthly schedule too,
    # spread over the year's days (docs/model.md), so a year's quota cannot move into one month
    schedule = per.reduce(schedule_daily(inp.tables, net.routes, per.days)) if net.routes else np.zeros((0, len(per)))
    days_of_year = np.array([per.length[per.year == y].sum() for y in years], dtype=float)
    ypos = np.searchsorted(years, per.year)
    quota = limit_hi[:, ypos] * per.length[None, :] / days_of_year[ypos][None, :]
    schedule = np.minimum(schedule, quota)

    avail_m, avail_p = _availability(per, losses)
    return OilParams(
        network=net,
        periods=per,
        years=years,
        horizon_frac=frac,
        caps=caps,
        sale_value=sale_value,
        netback=netback,
        arc_tariff=np.array([a.tariff for a in net.arcs]),
        bbl_per_t_source=src.loc[net.sources, "bbl_per_t"].to_numpy(float),
        limit_lo=limit_lo,
        limit_hi=limit_hi,
        share=share,
        pair_cap=pair_cap,
        schedule=schedule,
        accept=basis.accept,
        holding_open=holding_open,
        ramp=ramp,
        penalty=float(scenario.settings.shut_in_penalty_usd_per_t),
        availability=avail_m,
        availability_period=avail_p,
        hold_days=basis.hold_days,
    )
