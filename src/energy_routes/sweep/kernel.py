"""One compiled oil LP per worker; a case pushes only the numbers it changes.

A disruption case differs from its scenario only in the daily remaining
capacity of a few targets (assets, routes or sources). For a batch of
cases the kernel computes the event-dependent right-hand sides of every
case at once with numpy (:func:`~energy_routes.params.capacities` with a
leading case axis), turns them into row bounds through the registry's own
bounds functions (:func:`~energy_routes.model.registry.batch_bounds`), and
then answers each case: a repeat of bound changes solved before gets that
outcome, a case the scenario's basis still solves is read from that basis
(:mod:`.vertex`), and the rest are pushed into HiGHS and re-solved warm
(docs/model.md §4.2). Nothing about a constraint family is written here.

Determinism: every case starts from the scenario's optimal basis (not from
the previous case's), so a case's results, its binding constraints
included, do not depend on which cases ran before it in the same worker,
on the number of workers, on chunking or on an interrupted-and-resumed run.

Years: every constraint of the oil LP is indexed by a period or a year,
stores return to their opening level at each year's end and ramp limits
apply within a year, so the LP of a multi-year horizon is the direct sum of
one LP per year. :class:`YearKernels` keeps one :class:`OilKernel` per year
and re-solves only the years a case's events touch.

The power block is not part of the kernel: oil-only cases never touch it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

from ..events import event_losses
from ..extract import BINDING_TOL, column_costs
from ..model import compile_oil_spec
from ..model.oil import DUAL_TO_USD_PER_T
from ..model.plan import route_volumes, no_event_plan
from ..model.registry import CONS, REPORTED, batch_bounds, model_spec
from ..params import capacities, daily_basis, oil_params
from ..scenario import Scenario
from ..solve import Solution, column_values, highs_bounds
from .heap import keep_freed_memory
from .vertex import BaseVertex

#: a dual below this (in $/t) is treated as zero when naming binding constraints
BINDING_USD_PER_T = BINDING_TOL  # the same threshold as a run's shadow_prices.csv
#: at most this many solved bound changes are remembered per kernel (for repeats)
MAX_KNOWN = 50_000
#: cases whose bounds are computed together (arrays cases × targets × days: larger batches cost page faults)
BATCH = 64


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
    objective_musd: float  # netback less the shut-in penalty (the economic objective)
    revenue_musd: float  # netback: Σ sale value · x − Σ tariff · f, without the shut-in penalty
    shut_in_mt: np.ndarray  # by year
    route_mt: np.ndarray  # (route, year), row-major as Kernel.route_year
    revenue_by_year: np.ndarray  # M$ by year
    binding: list[tuple[str, int, float]] = field(default_factory=list)  # (family:target, year, signed $/t), largest |$/t| first
    iterations: int = 0
    solve_seconds: float = 0.0


def touched_routes(route_assets: dict[str, list[str]], targets) -> list[str]:
    """Routes whose capacity a set of targets can change (the route itself, or one of its assets)."""
    targets = set(targets)
    return [r for r, assets in route_assets.items() if r in targets or targets.intersection(assets)]


LOOP_HITS = 256  # below this many hits a plain loop is quicker than numpy's sorts


def strongest_by_code(codes: np.ndarray, values: np.ndarray) -> list[tuple[int, float]]:
    """For each code, the value of largest magnitude among those with that code, signed (the first of them
    where several tie): the shadow price a label and year report; the codes ordered by that magnitude,
    largest first, ties in code order (a case's ``binding``). A monthly solve has some tens of hits (a plain
    loop); a daily one can have thousands, one per binding row and day (numpy's sorts, the same answer)."""
    if len(codes) <= LOOP_HITS:
        best: dict[int, float] = {}
        for c, v in zip(np.asarray(codes).tolist(), np.asarray(values).tolist()):
            b = best.get(c)
            if b is None or abs(v) > abs(b):
                best[c] = v
        return sorted(best.items(), key=lambda cv: (-abs(cv[1]), cv[0]))
    codes, values = np.asarray(codes), np.asarray(values, dtype=float)
    order = np.lexsort((np.arange(len(values)), -np.abs(values), codes))  # by code, largest first, first of a tie
    head = order[np.concatenate(([True], codes[order][1:] != codes[order][:-1]))]
    c, v = codes[head], values[head]
    o = np.lexsort((c, -np.abs(v)))  # largest first, ties in code order
    return list(zip(c[o].tolist(), v[o].tolist()))


def _failed(status: str, n_years: int, n_route_years: int, iters: int = 0, secs: float = 0.0) -> Outcome:
    nan_y = np.full(n_years, math.nan)
    return Outcome(status, False, math.nan, math.nan, nan_y, np.full(n_route_years, math.nan), nan_y, [], iters, secs)


class OilKernel:
    """The oil LP of one scenario, compiled once, re-solved per case."""

    def __init__(self, scenario: Scenario, targets=()):
        keep_freed_memory()  # a batch's arrays are reused by the next instead of page-faulted afresh (.heap)
        self.scenario = scenario
        self.basis = b = daily_basis(scenario)
        # the no-event plan (the displaced rows' right-hand sides): solved apart when the scenario has
        # events of its own, else its own optimum below (the same LP)
        p = oil_params(scenario, b)
        if scenario.settings.events:
            p = dataclasses.replace(p, plan=no_event_plan(scenario))
        units = b.unit.targets
        unknown = set(targets) - set(p.assets) - set(p.routes) - set(p.sources) - set(units)
        if unknown:
            raise ValueError(f"not an oil asset, asset/unit, route or source: {', '.join(sorted(unknown))}")
        self.params = p
        self.spec = spec = model_spec(p)
        # the same LP as CompiledLP(build_oil_model(spec)), column for column and row for row
        # (tests/test_oil_matrix.py), loaded from the arrays the model is built from; no Pyomo component
        # is made (a kernel never reads one, and a worker's garbage collections would walk them all)
        self.lp = lp = compile_oil_spec(spec)
        self.base_loss = event_losses(scenario.settings.events, b.periods.days)
        self._day0 = b.periods.days.values[0].astype("datetime64[D]")
        self._ndays = len(b.periods.days)
        self._days: dict[str, int] = {}
        self._ids = {"asset": p.assets, "route": p.routes, "source": p.sources, "unit": units}

        # the rows whose bounds events can change, and the registry families they belong to
        self.moving = [name for name in spec.cons if CONS[name].changes_with]
        self._rows = {name: lp.rows_of(name, len(spec.cons[name].keys)) for name in self.moving}
        self.base_lower, self.base_upper = lp.row_lower.copy(), lp.row_upper.copy()

        # aggregation of a solution into years (M$, Mt)
        years = p.years
        self.years = years
        self.route_year = [(r, y) for r in p.routes for y in years]
        P = len(p.periods)
        ypos = p.year_pos
        ncol = lp.num_cols
        econ = column_costs(lp, spec)
        self._econ = econ

        def agg(var: str, row_of_item) -> sp.csr_matrix:
            n = len(spec.var_keys[var])
            cols = lp.cols_of(var, n)
            items = np.arange(n) // P if P else np.zeros(0, int)
            t = np.arange(n) % P if P else np.zeros(0, int)
            rows = row_of_item(items, t)
            ok = cols >= 0
            return rows[ok], cols[ok]

        pair_route = np.array([p.routes.index(r) for _, r in p.pairs], dtype=np.int64)
        r_rows, r_cols = agg("x", lambda k, t: pair_route[k] * len(years) + ypos[t])
        self._G_route = sp.csr_matrix((np.full(len(r_cols), 1e-3), (r_rows, r_cols)), shape=(len(self.route_year), ncol))
        z_rows, z_cols = agg("z", lambda s, t: ypos[t])
        self._G_shut = sp.csr_matrix((np.full(len(z_cols), 1e-3), (z_rows, z_cols)), shape=(len(years), ncol))
        rev_rows, rev_cols = [], []
        for var in ("x", "f"):
            rr, cc = agg(var, lambda k, t: ypos[t])
            rev_rows.append(rr)
            rev_cols.append(cc)
        rr, cc = np.concatenate(rev_rows), np.concatenate(rev_cols)
        self._G_year = sp.csr_matrix((np.full(len(cc), 1e-3), (rr, cc)), shape=(len(years), ncol))  # exports and flows by year, k$ -> M$
        # the three products in one weighted count (_aggregate) over the entries of [G_year; G_shut; G_route]
        # in their CSR order: each row's terms are summed in the same order as G @ x does, from 0
        G = sp.vstack([self._G_year, self._G_shut, self._G_route], format="csr")
        self._agg_row = np.repeat(np.arange(G.shape[0]), np.diff(G.indptr))
        self._agg_col, self._agg_w = G.indices, G.data
        self._agg_rev = self._agg_row < len(years)  # the netback rows: a term is 1e-3 · (econ · x), not 1e-3 · x
        self._agg_econ = self._agg_scale(econ)
        self._penalty = p.penalty

        # binding-constraint labels of the reported families: (label, year position) per row
        labels, rows, ypos_row = [], [], []
        for name in REPORTED:
            block = spec.cons.get(name)
            if block is None:
                continue
            pos = lp.rows_of(name, len(block.keys))
            subject = CONS[name].dual.subject
            for key, row in zip(block.keys, pos):
                if row < 0:
                    continue
                period, target = subject(key)
                year = int(period[:4])
                labels.append(f"{name}:{target}")
                rows.append(int(row))
                ypos_row.append(years.index(year))
        uniq = sorted(set(zip(labels, ypos_row)), key=lambda t: (labels.index(t[0]), t[1]))
        code = {k: i for i, k in enumerate(uniq)}
        self._bind_keys = [(lab, years[j]) for lab, j in uniq]
        self._bind_rows = np.array(rows, dtype=np.int64)
        self._bind_code = np.array([code[(lab, j)] for lab, j in zip(labels, ypos_row)], dtype=np.int64)

        sol = lp.solve()
        self._base_basis = lp.get_basis() if sol.optimal else None
        self.baseline = self._outcome(self._read(sol))
        self._base_primal = lp.primal.copy() if sol.optimal else None
        self._base_act = lp.activity.copy() if sol.optimal else None
        if self.params.plan is None and sol.optimal:
            self.params = dataclasses.replace(self.params, plan=route_volumes(lp.family_values("x", len(spec.var_keys["x"])), spec))
        self._vertex: BaseVertex | None = None  # factored when first needed (the hedge's kernels never need it)
        self._known: dict[bytes, tuple[tuple, Outcome]] = {}  # solved bound changes (see solve_bounds_many)
        self.shortcuts = 0  # cases the scenario's basis still solved (no HiGHS call)
        self.repeats = 0  # cases whose bound changes had been solved before

    # -- cases -------------------------------------------------------------
    def _losses(self, events_list) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Remaining fractions (n, A, D), (n, R, D), (n, S, D), (n, U, D) for a batch of cases (scenario events included).

        Losses add up on assets, routes and sources; on a unit with identity the largest counts
        (events.event_losses)."""
        n, D = len(events_list), self._ndays
        kinds = ("asset", "route", "source", "unit")
        out = []
        for kind in kinds:
            ids = self._ids[kind]
            loss = np.zeros((n, len(ids), D))
            for i, t in enumerate(ids):
                if t in self.base_loss:
                    loss[:, i] += self.base_loss[t]
            out.append(loss)
        pos = {t: (k, i) for k, kind in enumerate(kinds) for i, t in enumerate(self._ids[kind])}
        day = self._day_index
        for c, events in enumerate(events_list):
            for e in events:
                k, i = pos[e.target]
                row = out[k][c, i]
                add = kinds[k] != "unit"  # on a unit the largest loss counts
                a, b = day(e.start), day(e.end)
                lo, hi = max(a, 0), min(b, D - 1)
                if hi >= lo:
                    if add:
                        row[lo : hi + 1] += 1.0 - e.remaining
                    else:
                        np.maximum(row[lo : hi + 1], 1.0 - e.remaining, out=row[lo : hi + 1])
                if e.ramp_days:
                    j = np.arange(1, int(e.ramp_days) + 1)
                    days = b + j
                    ok = (days >= 0) & (days < D)
                    ramp = (1.0 - e.remaining) * (1.0 - j[ok] / (e.ramp_days + 1))
                    if add:
                        row[days[ok]] += ramp
                    else:
                        row[days[ok]] = np.maximum(row[days[ok]], ramp)
        for loss in out:  # remaining = 1 − loss, within [0, 1], in place (cases × targets × days)
            np.subtract(1.0, loss, out=loss)
            np.clip(loss, 0.0, 1.0, out=loss)
        return tuple(out)

    def _day_index(self, date: str) -> int:
        """Position of an ISO date among the kernel's days (may fall outside [0, D)); memoised: draws repeat dates."""
        d = self._days.get(date)
        if d is None:
            d = self._days[date] = int((np.datetime64(date, "D") - self._day0).astype(int))
        return d

    def bounds_many(self, events_list, basis=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Rows the cases change and, per case, their (lower, upper) bounds: arrays (rows,), (n, rows), (n, rows).

        ``basis`` (default: the scenario's) lets a caller ask for the same events on other daily
        capacities, e.g. a hedge lever's larger asset (:mod:`energy_routes.hedge.blocks`)."""
        caps = capacities(self.basis if basis is None else basis, *self._losses(events_list))
        p = self.params.with_caps(caps)
        rows, lower, upper = [], [], []
        for name in self.moving:
            lo, up = batch_bounds(name, p, self.spec.layout)
            pos = self._rows[name]
            ok = pos >= 0
            rows.append(pos[ok])
            lower.append(lo[..., ok])
            upper.append(up[..., ok])
        return np.concatenate(rows), np.concatenate(lower, axis=-1), np.concatenate(upper, axis=-1)

    def moving_mask(self, pred) -> np.ndarray:
        """(rows,) True for the rows :meth:`bounds_many` returns whose family (a registry ``ConFamily``) satisfies ``pred``."""
        return np.concatenate([np.full(int((self._rows[name] >= 0).sum()), bool(pred(CONS[name]))) for name in self.moving] or [np.zeros(0, bool)])

    def solve_many(self, events_list) -> list[Outcome]:
        """Solve each case (a list of events added to the scenario's own) from the scenario's basis."""
        out: list[Outcome] = []
        for i in range(0, len(events_list), BATCH):
            out += self.solve_bounds_many(*self.bounds_many(events_list[i : i + BATCH]))
        return out

    def solve_events(self, events) -> Outcome:
        """Solve the scenario with ``events`` added to its own events."""
        return self.solve_many([list(events)])[0]

    def solve_bounds_many(self, rows: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> list[Outcome]:
        """Each case's outcome with bounds ``lower[c]``, ``upper[c]`` on ``rows``, as HiGHS would find it started
        from the scenario's optimal basis, in three exact steps (docs/model.md §4.2):

        1. repeats: a case whose bound changes equal those of a case solved before (in this batch or an
           earlier one) gets that case's outcome (the outcome is a function of the bounds alone);
        2. the scenario's vertex: when its basis stays primal feasible under the case's bounds it is still
           optimal (:class:`~.vertex.BaseVertex`), the outcome is read from it with no HiGHS call
           (``iterations`` 0, which is what HiGHS would do);
        3. the rest: push the bounds, re-solve from the scenario's basis.

        Which step answers a case changes no number of its outcome, so the tables stay independent of the
        order, chunking and worker count.
        """
        n = lower.shape[0]
        out: list[Outcome | None] = [None] * n
        if self._base_basis is None:  # the scenario itself is not optimal: solve every case
            todo = list(range(n))
        else:
            changed = (lower != self.base_lower[rows]) | (upper != self.base_upper[rows])
            sigs, first, fresh = [], {}, []
            for c in range(n):
                idx = np.flatnonzero(changed[c])
                sig = (idx.tobytes(), lower[c, idx].tobytes(), upper[c, idx].tobytes())
                key = hashlib.blake2b(b"|".join(sig), digest_size=16).digest()
                sigs.append((key, sig))
                hit = self._known.get(key)
                if hit is not None and hit[0] == sig:
                    out[c] = hit[1]
                    self.repeats += 1
                elif key in first and sigs[first[key]][1] == sig:
                    self.repeats += 1  # filled in below from its twin
                else:
                    first.setdefault(key, c)
                    fresh.append(c)
            fresh = np.array(fresh, dtype=np.int64)
            todo = []
            if len(fresh):
                ok, dx = self._vertex_of().still_optimal(rows, lower[fresh], upper[fresh])
                for c, o in zip(fresh[ok], self._from_vertex(dx)):
                    out[c] = o
                self.shortcuts += int(ok.sum())
                todo = fresh[~ok].tolist()
        if todo:
            lp = self.lp
            # HiGHS holds the scenario's bounds between batches; a case pushes only the rows whose bound
            # differs, bit for bit, from what HiGHS holds: the case before's (the scenario's before the first)
            # (the LP solved is the same, from the same basis)
            lo, up = highs_bounds(lower[todo], upper[todo])
            base_lo, base_up = self.base_lower[rows], self.base_upper[rows]
            held_lo = np.concatenate((base_lo[None, :], lo)).view(np.int64)  # bits of what HiGHS holds before each case, then after the last
            held_up = np.concatenate((base_up[None, :], up)).view(np.int64)
            moves = (held_lo[1:] != held_lo[:-1]) | (held_up[1:] != held_up[:-1])
            rows32 = rows.astype(np.int32)
            read = []
            for j in range(len(todo)):  # only what needs HiGHS here; the outcomes after the loop (_read)
                moved = np.flatnonzero(moves[j])
                if len(moved):
                    lp.push_row_bounds(rows32[moved], lo[j, moved], up[j, moved])
                self._restart()
                sol = lp.solve()
                if not sol.optimal:
                    lp.highs.clearSolver()
                read.append(self._read(sol))
            moved = np.flatnonzero((held_lo[-1] != held_lo[0]) | (held_up[-1] != held_up[0]))
            if len(moved):
                lp.push_row_bounds(rows32[moved], base_lo[moved], base_up[moved])
            for c, r in zip(todo, read):
                out[c] = self._outcome(r)
        if self._base_basis is not None:
            for c, (key, sig) in enumerate(sigs):
                if out[c] is None:
                    out[c] = out[first[key]]
                elif key not in self._known and len(self._known) < MAX_KNOWN:
                    self._known[key] = (sig, out[c])
        return out

    def _vertex_of(self) -> BaseVertex:
        if self._vertex is None:
            self._vertex = v = BaseVertex(self.lp.highs, self._base_basis, self._base_primal, self._base_act, self.base_lower, self.base_upper)
            cols = v.basic_cols
            self._G_basic = (self._G_year[:, cols].multiply(self._econ[cols][None, :]).tocsr(), self._G_shut[:, cols].tocsr(), self._G_route[:, cols].tocsr())
        return self._vertex

    def _from_vertex(self, dx: np.ndarray) -> list[Outcome]:
        """Outcomes of cases still solved by the scenario's basis, from the change ``dx`` (basic columns, cases)
        of its basic values; the duals, so the binding constraints, are the scenario's."""
        if not dx.shape[1]:
            return []
        b = self.baseline
        g_rev, g_shut, g_route = self._G_basic
        rev = b.revenue_by_year[:, None] + g_rev @ dx
        shut = b.shut_in_mt[:, None] + g_shut @ dx
        route = b.route_mt[:, None] + g_route @ dx
        total = rev.sum(axis=0)
        obj = total - self._penalty * shut.sum(axis=0)
        return [Outcome(b.status, True, float(obj[k]), float(total[k]), shut[:, k], route[:, k], rev[:, k], list(b.binding), 0, 0.0) for k in range(dx.shape[1])]

    def _restart(self) -> None:
        """Start the next solve from the scenario's optimal basis and nothing else of the last solve
        (HiGHS keeps pricing weights and factors between solves, which would make a case's answer
        depend on the case before it)."""
        self.lp.highs.clearSolver()
        if self._base_basis is not None:
            self.lp.set_basis(self._base_basis)

    def solve_all_rows(self, lower: np.ndarray, upper: np.ndarray, cost: np.ndarray | None = None, econ: np.ndarray | None = None, penalty: float | None = None) -> Outcome:
        """Set every row's bounds (and, if given, every column's LP cost, with ``econ`` the economic part and
        ``penalty`` the shut-in penalty) and re-solve; the scenario's bounds and costs are restored after."""
        lp = self.lp
        all_rows = np.arange(lp.num_rows)
        if cost is not None:
            saved = lp.costs()
            lp.set_costs(np.arange(lp.num_cols), cost)
        lp.set_row_bounds(all_rows, lower, upper)
        self._restart()
        sol = lp.solve()
        if not sol.optimal:
            lp.highs.clearSolver()
        out = self._outcome(self._read(sol, econ), econ, penalty)
        lp.set_row_bounds(all_rows, self.base_lower, self.base_upper)
        if cost is not None:
            lp.set_costs(np.arange(lp.num_cols), saved)
        return out

    def _agg_scale(self, econ: np.ndarray) -> np.ndarray:
        """Each aggregation entry's factor on its column value: ``econ`` on the netback rows, 1 elsewhere."""
        return np.where(self._agg_rev, econ[self._agg_col], 1.0)

    def _aggregate(self, x: np.ndarray, econ: np.ndarray) -> np.ndarray:
        """Netback (M$) and shut-in (Mt) by year, then volume by route and year (Mt), of column values ``x``:
        ``[G_year @ (econ · x); G_shut @ x; G_route @ x]``, the same sums to the bit (weights 1e-3, summed in
        each row's CSR order from 0, as scipy's matrix-vector product does)."""
        scale = self._agg_econ if econ is self._econ else self._agg_scale(econ)
        return np.bincount(self._agg_row, weights=self._agg_w * (scale * x[self._agg_col]), minlength=len(self.years) * 2 + len(self.route_year))

    def _read(self, sol: Solution, econ: np.ndarray | None = None) -> tuple[Solution, np.ndarray | None]:
        """What an outcome needs of a solve that only HiGHS holds until the next: the economic duals
        (``y = B^-T c_B`` at the final basis). The column values stay in ``sol`` (HiGHS's copy) and are read
        by :meth:`_outcome`, which a batch calls after its last solve (the numpy work then runs in a loop
        of its own instead of after each solve, when HiGHS has pushed it out of the CPU's caches)."""
        return sol, (self.lp.duals_for_costs(self._econ if econ is None else econ) if sol.optimal else None)

    def _outcome(self, read: tuple[Solution, np.ndarray | None], econ: np.ndarray | None = None, penalty: float | None = None) -> Outcome:
        sol, y = read
        if not sol.optimal:
            return _failed(sol.status, len(self.years), len(self.route_year), sol.iterations, sol.solve_seconds)
        econ = self._econ if econ is None else econ
        penalty = self._penalty if penalty is None else penalty
        ny = len(self.years)
        agg = self._aggregate(column_values(sol), econ)
        rev_y, shut_y, route = agg[:ny], agg[ny : 2 * ny], agg[2 * ny :]  # netback (sale value less tariffs) by year, M$; Mt
        duals = y[self._bind_rows] * DUAL_TO_USD_PER_T
        hit = np.flatnonzero(np.abs(duals) > BINDING_USD_PER_T)
        keys = self._bind_keys
        binding = [(*keys[k], v) for k, v in strongest_by_code(self._bind_code[hit], duals[hit])]
        return Outcome(
            sol.status,
            True,
            float(rev_y.sum() - penalty * shut_y.sum()),
            float(rev_y.sum()),
            shut_y,
            route,
            rev_y,
            binding,
            sol.iterations,
            sol.solve_seconds,
        )


def _combine(outs: list[Outcome]) -> Outcome:
    """The outcome of a multi-year LP from the outcomes of its independent years."""
    iters = sum(o.iterations for o in outs)
    secs = sum(o.solve_seconds for o in outs)
    for o in outs:
        if not o.optimal:
            return _failed(o.status, sum(len(o.shut_in_mt) for o in outs), sum(len(o.route_mt) for o in outs), iters, secs)
    binding = sorted((b for o in outs for b in o.binding), key=lambda t: -abs(t[2]))
    return Outcome(
        "Optimal",
        True,
        sum(o.objective_musd for o in outs),
        sum(o.revenue_musd for o in outs),
        np.concatenate([o.shut_in_mt for o in outs]),
        np.stack([o.route_mt for o in outs], axis=1).ravel(),  # (route, year) row-major
        np.concatenate([o.revenue_by_year for o in outs]),
        binding,
        iters,
        secs,
    )


def year_kernel(scenario: Scenario, year: int, targets=()) -> OilKernel:
    """The kernel of one horizon year (the oil LP is separable by year: docs/model.md §4.2)."""
    return OilKernel(scenario.for_years([year]), targets)


class YearKernels:
    """One :class:`OilKernel` per horizon year; a case re-solves only the years its events touch."""

    def __init__(self, scenario: Scenario, targets=()):
        self.scenario = scenario
        self.years = scenario.years
        self.parts = [year_kernel(scenario, y, targets) for y in self.years]
        first = self.parts[0]
        self.basis = first.basis
        self.params = first.params
        self.route_year = [(r, y) for r in first.params.routes for y in self.years]
        self._span = [(str(k.basis.periods.days[0].date()), str(k.basis.periods.days[-1].date())) for k in self.parts]
        self.baseline = _combine([k.baseline for k in self.parts])
        # what a year a case does not touch adds to its outcome: the year's baseline numbers, but no
        # solver work (its cold solve was the scenario's, done once, not the case's)
        self._untouched = [dataclasses.replace(k.baseline, iterations=0, solve_seconds=0.0) for k in self.parts]

    def _mine(self, events, span) -> list:
        a, b = span
        # ISO dates compare as text; a ramp extends an event's reach past its end
        return [e for e in events if e.start <= b and (e.end if not e.ramp_days else str(np.datetime64(e.end, "D") + int(e.ramp_days))) >= a]

    def cases_by_year(self, events_list) -> list[tuple[list[int], list[list]]]:
        """For each year kernel (as :attr:`parts`): the cases whose events reach into its year, and those
        cases' events that do (what it re-solves)."""
        out = []
        for span in self._span:
            mine = [self._mine(ev, span) for ev in events_list]
            todo = [i for i, m in enumerate(mine) if m]
            out.append((todo, [mine[i] for i in todo]))
        return out

    def solve_many(self, events_list) -> list[Outcome]:
        per_year: list[list[Outcome | None]] = []
        for k, (todo, events), same in zip(self.parts, self.cases_by_year(events_list), self._untouched):
            solved = dict(zip(todo, k.solve_many(events)))
            per_year.append([solved.get(i, same) for i in range(len(events_list))])
        return [_combine([per_year[j][i] for j in range(len(self.parts))]) for i in range(len(events_list))]

    def solve_events(self, events) -> Outcome:
        return self.solve_many([list(events)])[0]


def make_kernel(scenario: Scenario, targets=()) -> OilKernel | YearKernels:
    """Split by year when the horizon has more than one (a case then re-solves only the years it touches)."""
    return YearKernels(scenario, targets) if len(scenario.years) > 1 else OilKernel(scenario, targets)
