"""One compiled oil LP per worker; a case pushes only the numbers it changes.

A disruption case differs from its scenario only in the daily remaining
capacity of a few targets (assets, routes or sources). The kernel keeps the
scenario's :class:`~energy_routes.params.DailyBasis`, recomputes the monthly
right-hand sides of the rows those targets touch with the same arithmetic as
:func:`~energy_routes.params.oil_params`, pushes them into HiGHS by the
compiler's row maps (``changeRowsBounds``) and re-solves warm from the
previous basis. Rows a previous case changed are restored in the same call.

Route rows: a fresh run adds a ``route_capacity`` row only where a route is
tighter than each of its assets, which an event can change. The kernel
therefore compiles a ``route_capacity`` row for every month of every route a
sweep can touch (directly, or through one of its assets); where such a row is
not tighter it is redundant and changes neither the optimum nor the flows.

Years: every constraint of the oil LP is monthly or annual, so the LP of a
multi-year horizon is the direct sum of one LP per year. :class:`YearKernels`
keeps one :class:`OilKernel` per year and re-solves only the years a case's
events touch; the others keep their optimum. The sum equals the optimum of
the whole LP (tested against fresh solves of the whole horizon).

The power block is not part of the kernel: oil-only cases never touch it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import NamedTuple

import highspy
import numpy as np
import scipy.sparse as sp

from ..model import build_oil_model
from ..model.oil import DUAL_TO_USD_PER_T, SHADOW_FAMILIES
from ..events import event_losses, remaining_from_losses
from ..params import daily_basis, oil_params
from ..scenario import Scenario
from ..solve import CompiledLP

#: a dual below this (in $/t) is treated as zero when naming binding constraints
BINDING_USD_PER_T = 0.01


class CaseEvent(NamedTuple):
    """One disruption: ``target`` keeps ``remaining`` of its capacity from ``start`` to ``end`` (dates, inclusive)."""

    target: str
    start: str
    end: str
    remaining: float
    ramp_days: int = 0


@dataclass
class Outcome:
    """What one case returns: numbers only, aggregated to years."""

    status: str
    optimal: bool
    objective_musd: float
    revenue_musd: float  # Σ netback · x, without the shut-in penalty
    shut_in_mt: np.ndarray  # by year
    route_mt: np.ndarray  # (route, year), row-major as Kernel.route_year
    revenue_by_year: np.ndarray  # M$ by year
    binding: list[tuple[str, float]] = field(default_factory=list)  # (constraint:target, max $/t), largest first
    iterations: int = 0
    solve_seconds: float = 0.0


def touched_routes(basis_route_assets: dict[str, list[str]], targets) -> list[str]:
    """Routes whose capacity a set of targets can change (the route itself, or one of its assets)."""
    targets = set(targets)
    return [r for r, assets in basis_route_assets.items() if r in targets or targets.intersection(assets)]


class OilKernel:
    """The oil LP of one scenario, compiled once, re-solved per case."""

    def __init__(self, scenario: Scenario, targets=()):
        self.scenario = scenario
        self.basis = b = daily_basis(scenario)
        self.base_loss = event_losses(scenario.settings.events, b.days)
        p = oil_params(scenario)
        unknown = set(targets) - set(p.assets) - set(p.routes) - set(p.sources)
        if unknown:
            raise ValueError(f"not an oil asset, route or source: {', '.join(sorted(unknown))}")
        slack_rows = []
        for r in touched_routes(b.route_assets, targets):
            for m in p.months:
                if (r, m) not in p.route_cap:
                    p.route_cap[(r, m)] = p.route_cap_all[(r, m)]
                    slack_rows.append((r, m))
        self.params = p
        self.lp = lp = CompiledLP(build_oil_model(p))
        if slack_rows:
            # rows a fresh run would not have: present in the matrix, but without a bound
            pos, idx = lp._by_con["route_capacity"]
            where = dict(zip(idx, pos))
            rows = np.array([where[k] for k in slack_rows], dtype=np.int32)
            lp.row_upper[rows] = highspy.kHighsInf
            lp.highs.changeRowsBounds(len(rows), rows, lp.row_lower[rows], lp.row_upper[rows])
        self.base_lower = lp.row_lower.copy()
        self.base_upper = lp.row_upper.copy()
        self._dirty = False
        self._all_rows = np.arange(lp.num_rows, dtype=np.int32)
        rem = {t: remaining_from_losses(v) for t, v in self.base_loss.items()}
        self.base_rem = rem
        self.base_kappa = {a: b.kappa(a, rem.get(a)) for a in p.assets}
        self.base_asset_monthly = {a: b.monthly(k) for a, k in self.base_kappa.items()}

        def rows_by(family: str) -> dict[str, dict[str, int]]:
            if family not in lp._by_con:
                return {}
            pos, idx = lp._by_con[family]
            out: dict[str, dict[str, int]] = {}
            for i, key in zip(pos, idx):
                out.setdefault(key[0], {})[key[1]] = int(i)
            return out

        self._asset_rows = rows_by("asset_capacity")
        self._route_rows = rows_by("route_capacity")
        self._supply_rows = rows_by("supply_balance")
        self._month_pos = {m: i for i, m in enumerate(p.months)}
        self._rows_cache: dict = {}
        self._day_vals = b.days.values.astype("datetime64[D]")
        self._touched_cache: dict = {}

        # aggregation of the primal solution into years
        ncol = lp.num_cols
        years = p.years
        self.years = years
        self.route_year = [(r, y) for r in p.routes for y in years]
        ry_pos = {k: i for i, k in enumerate(self.route_year)}
        y_pos = {y: i for i, y in enumerate(years)}
        cost = np.asarray(lp.highs.getLp().col_cost_, dtype=float)
        rv_rows, rv_cols, z_rows, z_cols, ry_rows, ry_cols = [], [], [], [], [], []
        for j, var in enumerate(lp.columns):
            name = var.parent_component().name
            key = var.index()
            if name == "x":
                s, r, t = key
                ry_rows.append(ry_pos[(r, p.year_of[t])])
                ry_cols.append(j)
                rv_rows.append(y_pos[p.year_of[t]])
                rv_cols.append(j)
            elif name == "z":
                z_rows.append(y_pos[p.year_of[key[1]]])
                z_cols.append(j)
        # dense: small, and a numpy product is faster per case than a scipy.sparse one
        self._G_route = sp.csr_matrix((np.full(len(ry_cols), 1e-3), (ry_rows, ry_cols)), shape=(len(self.route_year), ncol)).toarray()
        self._G_shut = sp.csr_matrix((np.full(len(z_cols), 1e-3), (z_rows, z_cols)), shape=(len(years), ncol)).toarray()
        # 1 where an export column counts towards a year's revenue (shut-in columns never do)
        self._G_rev_mask = sp.csr_matrix((np.ones(len(rv_cols)), (rv_rows, rv_cols)), shape=(len(years), ncol)).toarray()
        self._G_rev = self._G_rev_mask * cost  # netback (M$ per kt) of each export column, by year

        # binding-constraint labels for the capacity-type families
        labels: list[str] = []
        label_rows: list[int] = []
        for fam in SHADOW_FAMILIES:
            if fam == "supply_balance" or fam not in lp._by_con:
                continue
            pos, idx = lp._by_con[fam]
            for i, key in zip(pos, idx):
                target = f"{key[0]}:{key[1]}" if fam == "source_route_limit" else key[0]
                label_rows.append(int(i))
                labels.append(f"{fam}:{target}")
        uniq = sorted(set(labels), key=labels.index)
        code = {lab: k for k, lab in enumerate(uniq)}
        self._bind_labels = uniq
        self._bind_rows = np.array(label_rows, dtype=np.int64)
        self._bind_code = np.array([code[lab] for lab in labels], dtype=np.int64)

        self.baseline = self.solve_events(())

    # -- cases -------------------------------------------------------------
    def _rows_for(self, table: dict[str, dict[str, int]], key: str) -> tuple[np.ndarray, np.ndarray]:
        """Row numbers of ``key``'s rows and the month positions they sit at (cached)."""
        ck = (id(table), key)
        hit = self._rows_cache.get(ck)
        if hit is None:
            by_month = table.get(key, {})
            months = list(by_month)
            hit = self._rows_cache[ck] = (np.array([by_month[m] for m in months], dtype=np.int64), np.array([self._month_pos[m] for m in months], dtype=np.int64))
        return hit

    def _touched(self, targets: frozenset) -> list[str]:
        hit = self._touched_cache.get(targets)
        if hit is None:
            hit = self._touched_cache[targets] = touched_routes(self.basis.route_assets, targets)
        return hit

    def bounds_for(self, events) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Rows a case changes and their new (lower, upper) bounds."""
        b, p = self.basis, self.params
        losses = event_losses(events, self._day_vals)
        rem = dict(self.base_rem)
        for t, loss in losses.items():
            rem[t] = remaining_from_losses(self.base_loss.get(t, 0.0) + loss)
        targets = set(losses)
        rows: list[np.ndarray] = []
        lower: list[np.ndarray] = []
        upper: list[np.ndarray] = []

        def push(r: np.ndarray, lo: np.ndarray, up: np.ndarray) -> None:
            rows.append(r)
            lower.append(lo)
            upper.append(up)

        kappa = self.base_kappa
        monthly_cap = self.base_asset_monthly
        hit_assets = targets.intersection(p.assets)
        if hit_assets:
            kappa, monthly_cap = dict(kappa), dict(monthly_cap)
            for a in hit_assets:
                kappa[a] = b.kappa(a, rem.get(a))
                monthly_cap[a] = b.monthly(kappa[a])
                r_, mpos = self._rows_for(self._asset_rows, a)
                push(r_, self.base_lower[r_], monthly_cap[a][mpos])
        for r in self._touched(frozenset(targets)):
            r_, mpos = self._rows_for(self._route_rows, r)
            if len(r_):
                vals = b.monthly(b.route_daily(r, kappa, rem.get(r)))
                tightest_asset = np.min(np.vstack([monthly_cap[a] for a in b.route_assets[r]]), axis=0)
                # as in a fresh run, a route row binds only where it is tighter than each of its assets
                vals = np.where(vals < tightest_asset - 1e-9, vals, highspy.kHighsInf)[mpos]
                push(r_, self.base_lower[r_], vals)
        for s in targets.intersection(p.sources):
            r_, mpos = self._rows_for(self._supply_rows, s)
            vals = b.monthly(b.supply_daily(s, rem.get(s)))[mpos]
            push(r_, vals, vals)
        if not rows:
            return np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0)
        return np.concatenate(rows), np.concatenate(lower), np.concatenate(upper)

    def solve_events(self, events) -> Outcome:
        """Solve the scenario with ``events`` added to its own events."""
        rows, lo, up = self.bounds_for(events)
        return self.solve_bounds(rows, lo, up)

    def solve_bounds(self, rows: np.ndarray, lo: np.ndarray, up: np.ndarray) -> Outcome:
        """Set the given rows' bounds (every other row back to the scenario's), re-solve warm."""
        lp = self.lp
        if len(rows) or self._dirty:
            # push every row: cheaper than working out which rows the previous case left changed
            lower, upper = self.base_lower.copy(), self.base_upper.copy()
            lower[rows], upper[rows] = lo, up
            lp.highs.changeRowsBounds(len(lower), self._all_rows, lower, upper)
        self._dirty = bool(len(rows))
        sol = lp.solve()
        if not sol.optimal:
            lp.highs.clearSolver()  # do not warm-start the next case from a failed basis
            nan_y = np.full(len(self.years), math.nan)
            return Outcome(sol.status, False, math.nan, math.nan, nan_y, np.full(len(self.route_year), math.nan), nan_y, [], sol.iterations, sol.solve_seconds)
        x = lp._primal
        rev_y = self._G_rev @ x
        duals = np.abs(lp._dual[self._bind_rows]) * DUAL_TO_USD_PER_T
        hit = duals > BINDING_USD_PER_T
        binding: list[tuple[str, float]] = []
        if hit.any():
            best = np.zeros(len(self._bind_labels))
            np.maximum.at(best, self._bind_code[hit], duals[hit])
            order = np.argsort(-best)
            binding = [(self._bind_labels[k], float(best[k])) for k in order if best[k] > 0]
        return Outcome(
            sol.status,
            True,
            sol.objective,
            float(rev_y.sum()),
            self._G_shut @ x,
            self._G_route @ x,
            rev_y,
            binding,
            sol.iterations,
            sol.solve_seconds,
        )

    def set_objective(self, cost: np.ndarray) -> None:
        """Replace every objective coefficient (M$ per kt); revenue is then weighed with the new netbacks."""
        self.lp.highs.changeColsCost(len(cost), np.arange(len(cost), dtype=np.int32), cost)
        self._G_rev = self._G_rev_mask * cost

    def solve_all_rows(self, lower: np.ndarray, upper: np.ndarray) -> Outcome:
        """Set the bounds of every row and re-solve warm."""
        return self.solve_bounds(self._all_rows.astype(np.int64), lower, upper)


def _combine(outs: list[Outcome]) -> Outcome:
    """The outcome of a multi-year LP from the outcomes of its independent years."""
    iters = sum(o.iterations for o in outs)
    secs = sum(o.solve_seconds for o in outs)
    for o in outs:
        if not o.optimal:
            n = sum(len(o.shut_in_mt) for o in outs)
            nan_y = np.full(n, math.nan)
            nr = sum(len(o.route_mt) for o in outs)
            return Outcome(o.status, False, math.nan, math.nan, nan_y, np.full(nr, math.nan), nan_y, [], iters, secs)
    best: dict[str, float] = {}
    for o in outs:
        for lab, v in o.binding:
            if v > best.get(lab, 0.0):
                best[lab] = v
    return Outcome(
        "Optimal",
        True,
        sum(o.objective_musd for o in outs),
        sum(o.revenue_musd for o in outs),
        np.concatenate([o.shut_in_mt for o in outs]),
        np.stack([o.route_mt for o in outs], axis=1).ravel(),  # (route, year) row-major
        np.concatenate([o.revenue_by_year for o in outs]),
        sorted(best.items(), key=lambda t: -t[1]),
        iters,
        secs,
    )


class YearKernels:
    """One :class:`OilKernel` per horizon year; a case re-solves only the years its events touch."""

    def __init__(self, scenario: Scenario, targets=()):
        self.scenario = scenario
        self.years = scenario.years
        self.parts = [OilKernel(scenario.for_years([y]), targets) for y in self.years]
        first = self.parts[0]
        self.basis = first.basis  # route_assets are the same for every year
        self.params = first.params
        self.route_year = [(r, y) for r in first.params.routes for y in self.years]
        self._span = [(str(k.basis.days[0].date()), str(k.basis.days[-1].date())) for k in self.parts]
        self.baseline = _combine([k.baseline for k in self.parts])

    def solve_events(self, events) -> Outcome:
        # ISO dates compare as text; a ramp extends an event's reach past its end
        ev = [(e, e.start, e.end if not e.ramp_days else str(np.datetime64(e.end, "D") + int(e.ramp_days))) for e in events]
        outs = []
        for k, (a, b) in zip(self.parts, self._span):
            mine = [e for e, s, t in ev if s <= b and t >= a]
            outs.append(k.solve_events(mine) if mine else k.baseline)
        return _combine(outs)


def make_kernel(scenario: Scenario, targets=()) -> OilKernel | YearKernels:
    """Split by year when the horizon has more than one (a case then re-solves only the years it touches)."""
    return YearKernels(scenario, targets) if len(scenario.years) > 1 else OilKernel(scenario, targets)
