"""The oil block as a Pyomo ConcreteModel, rendered from the declarations of :mod:`.registry`.

One Pyomo ``Var`` component per variable family and one ``Constraint``
component per constraint family, named as in the registry (and in
docs/model.md §1), indexed by position; the keys of every position are in
the :class:`~energy_routes.model.registry.ModelSpec`. Nothing about any
family is written here: this module only turns coefficient blocks into
Pyomo expressions (:func:`build_oil_model`) and, from the same arrays, into
the matrix HiGHS is given (:func:`compile_oil_model`).
"""

from __future__ import annotations

from .. import pyomo_lite  # noqa: F401, I001  (before Pyomo: no scipy.stats & co.)
from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo
from pyomo.common.gc_manager import PauseGC
from pyomo.core.expr.numeric_expr import LinearExpression

from ..params import OilParams
from ..solve import CompiledLP
from .registry import ModelSpec, model_spec

#: shadow prices are duals of rows in k$ per kt, i.e. $/t; the factor is kept explicit for readers
DUAL_TO_USD_PER_T = 1.0

#: what HiGHS reads as an infinite bound (anything >= 1e20); Pyomo needs some bound on every row
FREE = 1e30


def _bound(v: float) -> float | None:
    return None if not np.isfinite(v) else float(v)


@dataclass
class FamilyRows:
    """One constraint family's left-hand sides, row-compressed: row i has entries ``start[i]:start[i+1]``,
    each a coefficient on member ``pos`` of variable family ``var`` (an index into ``spec.var_keys``).
    Within a row, entries are in the order of the family's terms (then by position); repeated
    (row, variable) pairs are summed and zero coefficients dropped, so a row without entries is no row."""

    start: np.ndarray
    var: np.ndarray
    pos: np.ndarray
    coef: np.ndarray


def family_rows(spec: ModelSpec, name: str) -> FamilyRows:
    """The rows of constraint family ``name`` from its coefficient blocks (COO ``Terms``)."""
    block = spec.cons[name]
    terms = block.terms
    slot: dict[str, int] = {}  # variable family -> its place in the row (first term first)
    for t in terms:
        slot.setdefault(t.var, len(slot))
    if terms:
        row = np.concatenate([np.asarray(t.row, np.int64) for t in terms])
        var = np.concatenate([np.full(len(t.row), slot[t.var], np.int64) for t in terms])
        pos = np.concatenate([np.asarray(t.col, np.int64) for t in terms])
        coef = np.concatenate([np.asarray(t.coef, float) for t in terms])
    else:
        row = var = pos = np.zeros(0, np.int64)
        coef = np.zeros(0)
    order = np.lexsort((pos, var, row))  # stable: repeats are summed in the order they were given
    row, var, pos, coef = row[order], var[order], pos[order], coef[order]
    if len(row):
        first = np.ones(len(row), bool)
        first[1:] = (row[1:] != row[:-1]) | (var[1:] != var[:-1]) | (pos[1:] != pos[:-1])
        at = np.flatnonzero(first)
        row, var, pos, coef = row[at], var[at], pos[at], np.add.reduceat(coef, at)
        nz = coef != 0
        row, var, pos, coef = row[nz], var[nz], pos[nz], coef[nz]
    start = np.zeros(len(block.keys) + 1, np.int64)
    np.cumsum(np.bincount(row, minlength=len(block.keys)), out=start[1:])
    family = np.array([list(spec.var_keys).index(v) for v in slot], np.int64)
    return FamilyRows(start, family[var], pos, coef)


def build_oil_model(p: OilParams | ModelSpec) -> pyo.ConcreteModel:
    """Build the oil block's ConcreteModel (docs/model.md §1) from parameters or an evaluated spec."""
    spec = p if isinstance(p, ModelSpec) else model_spec(p)
    families = list(spec.var_keys)
    with PauseGC():
        m = pyo.ConcreteModel(name="oil")
        var = {}
        for name, keys in spec.var_keys.items():
            n = len(keys)
            lo, up = spec.var_lower[name], spec.var_upper[name]
            v = pyo.Var(range(n), domain=pyo.Reals, dense=True)
            setattr(m, name, v)
            data = [v[i] for i in range(n)]
            for i, d in enumerate(data):
                d.setlb(_bound(lo[i]))
                d.setub(_bound(up[i]))
            var[name] = data
        coefs, vars_ = [], []
        for name, econ in spec.var_cost.items():
            cost = econ + spec.var_tie[name]
            nz = np.flatnonzero(cost)
            coefs += cost[nz].tolist()
            vars_ += [var[name][i] for i in nz]
        m.netback = pyo.Objective(expr=LinearExpression(constant=0.0, linear_coefs=coefs, linear_vars=vars_), sense=pyo.maximize)
        for cname, block in spec.cons.items():
            rows = family_rows(spec, cname)
            start = rows.start.tolist()
            coef = rows.coef.tolist()
            members = [var[families[f]][i] for f, i in zip(rows.var.tolist(), rows.pos.tolist())]
            lo, up = block.lower, block.upper

            def rule(m, i, start=start, coef=coef, members=members, lo=lo, up=up):
                a, b = start[i], start[i + 1]
                if b == a:
                    return pyo.Constraint.Skip
                expr = LinearExpression(constant=0.0, linear_coefs=coef[a:b], linear_vars=members[a:b])
                lower, upper = _bound(lo[i]), _bound(up[i])
                if lower is None and upper is None:
                    upper = FREE  # a row with no bound yet (a sweep may set one): HiGHS reads it as +inf
                return (lower, expr, upper)

            setattr(m, cname, pyo.Constraint(range(len(block.keys)), rule=rule))
    m.spec = spec  # the keys of every position, for extraction (a plain attribute, not a Pyomo component)
    return m


@dataclass
class OilMatrix:
    """The oil LP as HiGHS is given it, from a spec's arrays alone (:func:`oil_matrix`).

    ``order``: variable families (positions in ``spec.var_keys``) in column order; ``keep``: for each
    member of those families in that order, whether it is a column; ``used``: for each constraint
    family, the positions whose row has entries (its rows, in order); ``A`` column-wise
    (start, index, value)."""

    spec: ModelSpec
    order: list[int]
    keep: np.ndarray
    used: list[np.ndarray]
    A: tuple[np.ndarray, np.ndarray, np.ndarray]
    row_lower: np.ndarray
    row_upper: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    cost: np.ndarray

    def arrays(self) -> tuple:
        """``A``, row bounds, column bounds and costs, in the order :meth:`CompiledLP.from_matrix` takes them."""
        return self.A, self.row_lower, self.row_upper, self.col_lower, self.col_upper, self.cost

    def var_groups(self) -> dict[str, tuple[np.ndarray, list]]:
        """Each variable family's columns and the positions behind them (families in column order),
        as :class:`~energy_routes.solve.CompiledLP` groups a model's components."""
        names = list(self.spec.var_keys)
        col = np.cumsum(self.keep) - 1
        out, at = {}, 0
        for f in self.order:
            n = len(self.spec.var_keys[names[f]])
            kept = np.flatnonzero(self.keep[at : at + n])
            if len(kept):
                out[names[f]] = (col[at + kept], kept.tolist())
            at += n
        return out

    def con_groups(self) -> dict[str, tuple[np.ndarray, list]]:
        """Each constraint family's rows and the positions behind them (families in row order)."""
        out, at = {}, 0
        for name, u in zip(self.spec.cons, self.used):
            if len(u):
                out[name] = (at + np.arange(len(u), dtype=np.int64), u.tolist())
            at += len(u)
        return out


def oil_matrix(spec: ModelSpec) -> OilMatrix:
    """The matrix, bounds and costs :func:`build_oil_model` makes its constraints from, in the order Pyomo's
    compiler would give them.

    Rows are the constraint families in declaration order, each row that has entries. Columns are in
    the order Pyomo's ``LinearStandardFormCompiler`` gives: whole variable families, first those in
    the objective, then the others as the rows first use them; members that appear in no row and
    have no cost are left out."""
    families = list(spec.var_keys)
    cost = [spec.var_cost[f] + spec.var_tie[f] for f in families]
    rows = [family_rows(spec, c) for c in spec.cons]
    # columns: variable families in the order the compiler first meets them, the objective's first
    # (entries are sorted by row, so an entry's number orders the families one constraint family uses)
    seen = {f: (0, f) for f in range(len(families)) if cost[f].any()}
    for k, r in enumerate(rows):
        for f in dict.fromkeys(r.var.tolist()):
            seen.setdefault(f, (1, k, int(np.argmax(r.var == f))))
    order = sorted(seen, key=seen.__getitem__)
    first_col = np.zeros(len(families), np.int64)
    first_col[order] = np.cumsum([0] + [len(cost[f]) for f in order])[:-1]
    # rows: each family's rows that have entries, family by family
    used = [np.flatnonzero(np.diff(r.start)) for r in rows]
    row0 = np.cumsum([0] + [len(u) for u in used])
    row = np.concatenate([row0[k] + np.repeat(np.arange(len(u)), np.diff(r.start)[u]) for k, (r, u) in enumerate(zip(rows, used))] or [np.zeros(0, np.int64)])
    col = np.concatenate([first_col[r.var] + r.pos for r in rows] or [np.zeros(0, np.int64)])
    val = np.concatenate([r.coef for r in rows] or [np.zeros(0)])
    # drop the columns in no row and without cost, then sort the entries column-wise
    c = np.concatenate([cost[f] for f in order] or [np.zeros(0)])
    keep = (np.bincount(col, minlength=len(c)) > 0) | (c != 0)
    col = (np.cumsum(keep) - 1)[col]
    by_col = np.lexsort((row, col))
    start = np.zeros(int(keep.sum()) + 1, np.int64)
    np.cumsum(np.bincount(col, minlength=len(start) - 1), out=start[1:])

    def stacked(arrays: list[np.ndarray], fill: float) -> np.ndarray:
        a = np.concatenate(arrays or [np.zeros(0)])
        return np.where(np.isfinite(a), a, fill)  # None in the Pyomo model (see _bound)

    blocks = list(spec.cons.values())
    return OilMatrix(
        spec,
        order,
        keep,
        used,
        (start, row[by_col], val[by_col]),
        stacked([b.lower[u] for b, u in zip(blocks, used)], -np.inf),
        stacked([b.upper[u] for b, u in zip(blocks, used)], np.inf),
        stacked([spec.var_lower[families[f]] for f in order], -np.inf)[keep],
        stacked([spec.var_upper[families[f]] for f in order], np.inf)[keep],
        c[keep],
    )


def compile_oil_model(m: pyo.ConcreteModel, *, threads: int = 1, time_limit: float | None = None) -> CompiledLP:
    """Load a model made by :func:`build_oil_model` into HiGHS from the arrays it was built from
    (:func:`oil_matrix`), without Pyomo's compiler walking every expression (nor the scipy import it
    needs): the same LP, column for column and row for row, as ``CompiledLP(m)``
    (tests/test_oil_matrix.py holds the two equal)."""
    spec: ModelSpec = m.spec
    mx = oil_matrix(spec)
    families = list(spec.var_keys)
    members = [d for f in mx.order for d in getattr(m, families[f]).values()]
    return CompiledLP.from_matrix(
        m,
        [d for d, k in zip(members, mx.keep.tolist()) if k],
        [getattr(m, name)[i] for name, u in zip(spec.cons, mx.used) for i in u.tolist()],
        *mx.arrays(),
        maximize=True,
        threads=threads,
        time_limit=time_limit,
    )


def compile_oil_spec(spec: ModelSpec, *, threads: int = 1, time_limit: float | None = None) -> CompiledLP:
    """The LP of :func:`compile_oil_model` (``build_oil_model(spec)``), row for row and column for column,
    loaded without creating its Pyomo components: for the sweep kernels, which re-solve it thousands of
    times and never read a Pyomo member (a daily year's model is some 700,000 Pyomo objects that every
    full garbage collection of a worker would walk). Positions, values and duals are read by family
    as from any :class:`~energy_routes.solve.CompiledLP`; only :meth:`~energy_routes.solve.CompiledLP.row_label`
    needs the Pyomo model (tests/test_oil_matrix.py holds the two equal)."""
    mx = oil_matrix(spec)
    return CompiledLP.from_matrix(None, None, None, *mx.arrays(), maximize=True, threads=threads, time_limit=time_limit, groups=(mx.var_groups(), mx.con_groups()))
