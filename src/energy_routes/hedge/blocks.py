"""The second-stage blocks: one per draw, each the compiled oil LP of its year with the draw's bounds.

For every year of the horizon the scenario's oil LP is compiled once
(:class:`~energy_routes.sweep.kernel.OilKernel`); its matrix, column bounds
and costs are read back from HiGHS. A draw changes only row bounds, computed
by the kernel from the registry's bounds functions
(:meth:`~energy_routes.sweep.kernel.OilKernel.bounds_many`). A lever changes
row bounds too, and only upper bounds: its effect per unit is the difference
of the registry's bounds with the lever at its maximum and at zero, on the
scenario changed by :func:`~.levers.apply_levers` (so nothing about a
constraint family is re-derived here). The effect must be affine in the
level (checked at the midpoint and with every lever at its maximum at once):
then the block's rows read ``A x − G u ≤ b`` exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..errors import InputError, Problem
from ..extract import column_costs
from ..model.plan import planned_params
from ..model.registry import model_spec
from ..params import daily_basis
from ..sweep.kernel import OilKernel
from .levers import Lever, NoLimit, apply_levers

#: relative tolerance of the affinity check of a lever's effect
AFFINE_TOL = 1e-7


def _lever_problem(lever: Lever, text: str) -> InputError:
    return InputError([Problem("hedge_levers.csv", f"lever '{lever.name}' ({lever.kind} {lever.target}): {text}", column="target")])


def _all_rows(kernel: OilKernel, scenario) -> tuple[np.ndarray, np.ndarray]:
    """Every row's (lower, upper) of ``kernel``'s LP for ``scenario`` (its own events only), from the registry."""
    spec = model_spec(planned_params(scenario))
    lower, upper = kernel.base_lower.copy(), kernel.base_upper.copy()
    for name, block in spec.cons.items():
        ref = kernel.spec.cons.get(name)
        if ref is None or len(ref.keys) != len(block.keys):
            raise ValueError(f"the lever changes the rows of {name}, not only their bounds")
        rows = kernel.lp.rows_of(name, len(block.keys))
        ok = rows >= 0
        lower[rows[ok]] = block.lower[ok]
        upper[rows[ok]] = block.upper[ok]
    return lower, upper


def _slope(b0: np.ndarray, b1: np.ndarray, bm: np.ndarray, hi: float) -> np.ndarray | None:
    """(b1 − b0)/hi where the bound is affine (bm the midpoint value); None if it is not."""
    fin0, fin1, finm = np.isfinite(b0), np.isfinite(b1), np.isfinite(bm)
    if not (np.array_equal(fin0, fin1) and np.array_equal(fin0, finm)):
        return None
    g = np.zeros(b0.shape)
    g[fin0] = (b1[fin0] - b0[fin0]) / hi
    pred = b0[fin0] + g[fin0] * hi / 2
    if np.any(np.abs(bm[fin0] - pred) > AFFINE_TOL * (1 + np.abs(pred))):
        return None
    return g


@dataclass
class Part:
    """One year's compiled LP and the lever effects that do not depend on a draw."""

    kernel: OilKernel
    year: int
    A: sp.csr_matrix
    col_lower: np.ndarray
    col_upper: np.ndarray
    cost: np.ndarray  # LP costs (economic + tie-break), $/t, maximised
    econ: np.ndarray  # economic costs, $/t
    frac: float  # share of the year inside the horizon (lever costs are pro-rated)
    G_static: np.ndarray  # (rows, L): kt per lever unit added to rows' upper bounds, draw-independent rows
    levers: list[Lever]
    bases: list  # per lever: daily basis with the lever at its maximum (None if it cannot move an event row)
    halves: list
    idle: list[str]  # levers that raise a cap this year does not have (no effect in it)
    col_status: np.ndarray | None = None  # the scenario's optimal basis (HighsBasisStatus codes)
    row_status: np.ndarray | None = None


@dataclass
class Block:
    """One draw: its part, the bounds of the rows events move, and the lever effects on them."""

    part: int
    draw: int
    year: int
    n_events: int
    rows: np.ndarray  # moving rows
    lower: np.ndarray  # their bounds with every lever at zero
    upper: np.ndarray
    G: np.ndarray  # (len(rows), L) lever effects on them (zero for levers that cannot move an event row)
    weight: float

    def bounds(self, parts: list[Part], levels=None) -> tuple[np.ndarray, np.ndarray]:
        """Every row's (lower, upper) at lever ``levels`` (default zero)."""
        p = parts[self.part]
        lower, upper = p.kernel.base_lower.copy(), p.kernel.base_upper.copy()
        lower[self.rows], upper[self.rows] = self.lower, self.upper
        if levels is not None:
            u = np.asarray(levels, float)
            upper = upper + p.G_static @ u
            upper[self.rows] += self.G @ u
        return lower, upper

    def lever_matrix(self, parts: list[Part]) -> np.ndarray:
        """(rows, L) effect of the levers on every row's upper bound."""
        G = parts[self.part].G_static.copy()
        G[self.rows] += self.G
        return G


def make_part(scenario_year, targets, levers: list[Lever]) -> Part:
    """Compile one year's LP and measure each lever's effect on the draw-independent rows."""
    k = OilKernel(scenario_year, targets)
    base = k.lp.get_basis()  # the scenario's optimal basis (the kernel's last solve): a warm start for every block
    col_status = np.array([int(v) for v in base.col_status], dtype=np.int8) if base.valid else None
    row_status = np.array([int(v) for v in base.row_status], dtype=np.int8) if base.valid else None
    lp = k.lp.highs.getLp()
    n, m = lp.num_col_, lp.num_row_
    A = sp.csc_matrix((np.asarray(lp.a_matrix_.value_), np.asarray(lp.a_matrix_.index_), np.asarray(lp.a_matrix_.start_)), shape=(m, n)).tocsr()
    cost = np.asarray(lp.col_cost_, float)
    if not k.lp.maximize:
        raise ValueError("the oil LP is expected to maximise")
    econ = column_costs(k.lp, k.spec)
    L = len(levers)
    G = np.zeros((m, L))
    bases, halves = [], []
    lo0, up0 = k.base_lower, k.base_upper
    moving = set()
    for name in k.moving:
        rows = k.lp.rows_of(name, len(k.spec.cons[name].keys))
        moving.update(rows[rows >= 0].tolist())
    moving_mask = np.zeros(m, bool)
    moving_mask[list(moving)] = True
    full = np.zeros(L)
    idle: list[str] = []
    for j, lv in enumerate(levers):
        full[j] = lv.hi
        if lv.hi <= 0:
            bases.append(None)
            halves.append(None)
            continue
        try:
            hi_sc = apply_levers(scenario_year, [lv], [lv.hi])
            mid_sc = apply_levers(scenario_year, [lv], [lv.hi / 2])
            lo1, up1 = _all_rows(k, hi_sc)
            lom, upm = _all_rows(k, mid_sc)
        except NoLimit:
            idle.append(lv.name)  # a cap that this year does not have: the lever does nothing in it
            full[j] = 0.0
            bases.append(None)
            halves.append(None)
            continue
        except ValueError as exc:
            raise _lever_problem(lv, str(exc)) from None
        changed = (lo1 != lo0) & ~moving_mask
        if changed.any():
            raise _lever_problem(lv, f"it changes the lower bound of {int(changed.sum())} row(s); a lever may only raise capacities and caps")
        g = _slope(up0, up1, upm, lv.hi)
        if g is None:
            raise _lever_problem(lv, f"its effect on the LP is not linear over [0, {lv.hi:g}] {lv.unit}; narrow the bounds")
        g[moving_mask] = 0.0  # event rows: per draw
        G[:, j] = g
        if lv.kind == "asset":  # moves event rows (asset and route capacities): keep the daily capacities
            bases.append(daily_basis(hi_sc))
            halves.append(daily_basis(mid_sc))
        else:
            bases.append(None)
            halves.append(None)
    if L > 1 and full.any():  # jointly affine: all levers at their maximum equals the sum of their effects
        try:
            lo1, up1 = _all_rows(k, apply_levers(scenario_year, levers, full))
        except (ValueError, NoLimit) as exc:
            raise InputError([Problem("hedge_levers.csv", str(exc))]) from None
        pred = up0 + G @ full
        fin = np.isfinite(up0) & ~moving_mask
        if np.any(np.abs(up1[fin] - pred[fin]) > AFFINE_TOL * (1 + np.abs(pred[fin]))):
            raise InputError([Problem("hedge_levers.csv", "the levers' effects are not additive (two levers on one limit that interact); hedge them separately")])
    frac = float(k.params.horizon_frac[0])
    return Part(k, scenario_year.years[0], A, np.asarray(lp.col_lower_, float), np.asarray(lp.col_upper_, float), cost, econ, frac, G, list(levers), bases, halves, idle, col_status, row_status)


def make_blocks(parts: list[Part], draws, weight: float | None = None) -> list[Block]:
    """One block per draw, with the lever effects on the rows its events move."""
    years = [p.year for p in parts]
    by_part: dict[int, list] = {}
    for d in draws:
        by_part.setdefault(years.index(d.year), []).append(d)
    w = weight if weight is not None else 1.0 / max(1, len(draws))
    out: dict[int, Block] = {}
    for i, ds in by_part.items():
        p = parts[i]
        ev = [list(d.events) for d in ds]
        rows, lo, up = p.kernel.bounds_many(ev)
        # rows measured against the no-event plan (the displaced rows) keep their no-lever bounds: a lever would
        # change the plan itself, which is an LP solve, not an affine effect (docs/model.md §5)
        fixed = p.kernel.moving_mask(lambda c: c.plan_relative)
        G = np.zeros((len(ds), len(rows), len(p.levers)))
        for j, lv in enumerate(p.levers):
            if p.bases[j] is None:
                continue
            _, lo1, up1 = p.kernel.bounds_many(ev, basis=p.bases[j])
            _, _, upm = p.kernel.bounds_many(ev, basis=p.halves[j])
            up1[:, fixed], upm[:, fixed], lo1[:, fixed] = up[:, fixed], up[:, fixed], lo[:, fixed]
            if not np.array_equal(lo1, lo):
                raise _lever_problem(lv, "it changes the lower bound of a row events move")
            for c in range(len(ds)):
                g = _slope(up[c], up1[c], upm[c], lv.hi)
                if g is None:
                    raise _lever_problem(lv, f"its effect in draw {ds[c].draw} is not linear over [0, {lv.hi:g}] {lv.unit} (a third party's share or a route's weakest asset changes); narrow the bounds")
                G[c, :, j] = g
        for c, d in enumerate(ds):
            out[d.draw] = Block(i, d.draw, d.year, len(d.events), rows, lo[c].copy(), up[c].copy(), G[c], w)
    return [out[d.draw] for d in draws]


def mean_blocks(blocks: list[Block]) -> list[Block]:
    """The expected-value problem: per year, one block with the draws' mean bounds and lever effects (the LP is linear in them)."""
    out = []
    for part in sorted({b.part for b in blocks}):
        bs = [b for b in blocks if b.part == part]
        lower = np.mean([b.lower for b in bs], axis=0)
        upper = np.mean([b.upper for b in bs], axis=0)
        G = np.mean([b.G for b in bs], axis=0)
        out.append(Block(part, -1, bs[0].year, 0, bs[0].rows, lower, upper, G, sum(b.weight for b in bs)))
    return out

