"""Hand a Pyomo model to HiGHS and bring the solution back.

The fast path (:class:`CompiledLP`) compiles the model once with Pyomo's
``LinearStandardFormCompiler``, passes the matrix to ``highspy`` and keeps the
compiler's row and column maps, so primal values and duals come back per
Pyomo component, and changed right-hand sides can be pushed into HiGHS
(``update_rows``) and re-solved warm without rebuilding anything. The stock
Pyomo HiGHS interface (:func:`solve_with_pyomo`) is kept as an independent
cross-check for the tests.
"""

from __future__ import annotations

import math
import os
import struct
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field

from . import pyomo_lite  # noqa: F401, I001  (before Pyomo: no scipy.stats & co.)
import highspy
import numpy as np
import pandas as pd
import pyomo.environ as pyo
from pyomo.common.gc_manager import PauseGC
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

INF = highspy.kHighsInf


_BANNER_SHOWN = False
_STATUS_TEXT: dict = {}  # HiGHS model status -> its text (asked once per status, not per solve)


def highs_bounds(lower, upper) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bounds as HiGHS takes them: infinite where |bound| >= 1e20 (Pyomo's and our "none")."""
    lower, upper = np.asarray(lower, float), np.asarray(upper, float)
    return np.where(lower <= -1e20, -INF, lower), np.where(upper >= 1e20, INF, upper)


def float_array(values: list) -> np.ndarray:
    """A list of Python floats (what highspy gives for a solution's vectors) as a float64 array, the same
    bits: ``struct`` reads the list about four times faster than ``np.asarray`` (which checks each item's type)."""
    out = np.empty(len(values))
    struct.pack_into(f"{len(values)}d", out, 0, *values)
    return out


def new_highs() -> highspy.Highs:
    """A silent ``highspy.Highs`` (the first instance in a process prints a banner on C stdout)."""
    global _BANNER_SHOWN
    if _BANNER_SHOWN:
        h = highspy.Highs()
    else:
        sys.stdout.flush()
        saved = os.dup(1)
        try:
            with open(os.devnull, "w") as devnull:
                os.dup2(devnull.fileno(), 1)
                h = highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
        _BANNER_SHOWN = True
    h.setOptionValue("output_flag", False)
    return h




@dataclass
class Solution:
    """What one solve returns."""

    status: str
    optimal: bool
    objective: float
    solve_seconds: float
    iterations: int
    #: HiGHS's copy of an optimal solution (``highspy.HighsSolution``; None otherwise): :func:`column_values`
    #: reads it, at any later time (a sweep solves a batch first, then reads every solution)
    values: object = field(default=None, repr=False, compare=False)


def column_values(sol: Solution) -> np.ndarray:
    """Column values of an optimal solve (:attr:`Solution.values`)."""
    if sol.values is None:
        raise RuntimeError("no optimal solution to read")
    return float_array(sol.values.col_value)


class CompiledLP:
    """A Pyomo LP compiled to matrix form and loaded into a highspy instance."""

    def __init__(self, model: pyo.ConcreteModel, *, threads: int = 1, time_limit: float | None = None):
        with PauseGC():  # a cyclic collection walks every Pyomo object: none is garbage here
            self._compile(model, threads, time_limit)

    def _compile(self, model: pyo.ConcreteModel, threads: int, time_limit: float | None) -> None:
        self.model = model
        info = LinearStandardFormCompiler().write(model, mixed_form=True, set_sense=None)
        (obj,) = info.objectives
        self.maximize = obj.sense == pyo.maximize
        self.columns = list(info.columns)
        n = len(self.columns)
        # one HiGHS row per Pyomo constraint (the compiler splits ranged rows in two), in order of first row
        n_rows = len(info.rows)
        ids = np.fromiter((id(con) for con, _ in info.rows), dtype=np.int64, count=n_rows)
        sense = np.fromiter((kind for _, kind in info.rows), dtype=np.int8, count=n_rows)
        _, first, inverse = np.unique(ids, return_index=True, return_inverse=True)
        order = np.argsort(first, kind="stable")  # constraints by their first row
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        con_of_row = rank[inverse.ravel()]
        keep = first[order]
        self.constraints = [info.rows[i][0] for i in keep.tolist()]
        A = info.A.tocsr()[keep].tocsc() if len(keep) else info.A.tocsc()
        A = (A.indptr, A.indices, A.data)
        self.row_lower, self.row_upper = self._row_bounds(len(self.constraints), con_of_row, sense, np.asarray(info.rhs, dtype=float))
        bounds = [v.bounds for v in self.columns]  # one call per column (``lb`` and ``ub`` each resolve the domain)
        col_lower = np.array([-INF if lb is None else float(lb) for lb, _ in bounds])
        col_upper = np.array([INF if ub is None else float(ub) for _, ub in bounds])
        cost = np.asarray(info.c.toarray()[0], dtype=float) if info.c.shape[0] else np.zeros(n)
        offset = float(info.c_offset[0]) if len(info.c_offset) else 0.0
        self._load(A, col_lower, col_upper, cost, offset, threads, time_limit)

    @classmethod
    def from_matrix(
        cls,
        model: pyo.ConcreteModel | None,
        columns: list | None,
        constraints: list | None,
        A,
        row_lower: np.ndarray,
        row_upper: np.ndarray,
        col_lower: np.ndarray,
        col_upper: np.ndarray,
        cost: np.ndarray,
        *,
        maximize: bool,
        threads: int = 1,
        time_limit: float | None = None,
        groups: tuple[dict, dict] | None = None,
    ) -> CompiledLP:
        """Load a Pyomo model whose builder made it from this matrix form (row i of ``A`` is
        ``constraints[i]`` over ``columns``), without Pyomo's compiler walking every expression.
        ``A`` is a scipy sparse matrix or, column-wise, the arrays ``(start, index, value)`` with
        each column's rows sorted and distinct (model/oil.py: no scipy import for a one-year run).

        The builder's contract: ``lo ≤ A x ≤ up`` and the column bounds and costs are exactly those of
        the Pyomo components (power/model.py builds both from the same arrays; the tests compare this
        path with the compiler's on the shipped networks).

        Without a model (``model``, ``columns``, ``constraints`` None), ``groups`` gives each variable and
        constraint family's columns and rows with their indices, as :meth:`_group` finds them in a model
        (model/oil.py: ``compile_oil_spec``); everything but :meth:`row_label` then works as with one."""
        self = cls.__new__(cls)
        with PauseGC():
            self.model = model
            self.maximize = maximize
            self.columns = None if columns is None else list(columns)
            self.constraints = None if constraints is None else list(constraints)
            self.row_lower, self.row_upper = highs_bounds(row_lower, row_upper)
            if not isinstance(A, tuple):
                A = A.tocsc()
                A.sum_duplicates()
                A = (A.indptr, A.indices, A.data)
            self._load(A, *highs_bounds(col_lower, col_upper), np.asarray(cost, float), 0.0, threads, time_limit, groups)
        return self

    def _load(self, A: tuple, col_lower: np.ndarray, col_upper: np.ndarray, cost: np.ndarray, offset: float, threads: int, time_limit: float | None, groups=None) -> None:
        """Group the members by component (unless ``groups`` gives them) and pass the LP (``A`` column-wise:
        start, index, value) to a new HiGHS instance."""
        self.offset = offset
        if groups is None:
            groups = self._group(self.model, pyo.Var, self.columns), self._group(self.model, pyo.Constraint, self.constraints)
        self._by_var, self._by_con = groups
        self._num_cols, self._num_rows = len(col_lower), len(self.row_lower)
        h = new_highs()
        h.setOptionValue("threads", threads)
        if time_limit:
            h.setOptionValue("time_limit", float(time_limit))
        lp = highspy.HighsLp()
        lp.num_col_ = self._num_cols
        lp.num_row_ = self._num_rows
        lp.col_cost_ = cost
        lp.col_lower_ = col_lower
        lp.col_upper_ = col_upper
        lp.row_lower_ = self.row_lower
        lp.row_upper_ = self.row_upper
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        start, index, value = A
        lp.a_matrix_.start_ = np.asarray(start, np.int32)
        lp.a_matrix_.index_ = np.asarray(index, np.int32)
        lp.a_matrix_.value_ = np.asarray(value, float)
        lp.sense_ = highspy.ObjSense.kMaximize if self.maximize else highspy.ObjSense.kMinimize
        lp.offset_ = self.offset
        h.passModel(lp)
        self.highs = h
        self.num_nonzeros = len(value)
        self._solution = None
        self._primal: np.ndarray | None = None
        self._dual: np.ndarray | None = None
        self._activity: np.ndarray | None = None

    @property
    def num_cols(self) -> int:
        return self._num_cols

    @property
    def num_rows(self) -> int:
        return self._num_rows

    @staticmethod
    def _row_bounds(n: int, con_of_row: np.ndarray, sense: np.ndarray, rhs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Lower and upper bound of each constraint from the compiler's rows (sense 0: ==, 1: <=, -1: >=;
        right-hand sides with the body's constant moved over); |bound| >= 1e20 is infinite."""
        lo, up = np.full(n, -INF), np.full(n, INF)
        le, ge = sense >= 0, sense <= 0
        up[con_of_row[le]] = rhs[le]
        lo[con_of_row[ge]] = rhs[ge]
        return highs_bounds(lo, up)

    @staticmethod
    def _group(model: pyo.ConcreteModel, ctype, items: list) -> dict[str, tuple[np.ndarray, list]]:
        """Each component's members in the compiled LP: (their positions in ``items``, their indices), in
        position order; components in order of their first member. Walks the components (``items()`` gives
        each member's index without the look-up ``ComponentData.index()`` makes)."""
        where = {id(x): i for i, x in enumerate(items)}
        found = []
        for comp in model.component_objects(ctype, descend_into=True):
            pos, idx = [], []
            for k, d in comp.items():
                i = where.get(id(d))
                if i is not None:
                    pos.append(i)
                    idx.append(k)
            if pos:
                p = np.array(pos, dtype=np.int64)
                o = np.argsort(p, kind="stable")
                found.append((int(p[o[0]]), comp.name, p[o], [idx[i] for i in o.tolist()]))
        found.sort(key=lambda f: f[0])
        return {name: (p, idx) for _, name, p, idx in found}

    # -- positions of a family's members ------------------------------------------------
    def cols_of(self, var_name: str, n: int | None = None) -> np.ndarray:
        """Column of each member of an integer-indexed Var family (position i -> column; -1 where the
        compiler dropped it, i.e. it appears in no row and has no cost)."""
        return self._positions(self._by_var, var_name, n)

    def rows_of(self, con_name: str, n: int | None = None) -> np.ndarray:
        """Row of each member of an integer-indexed Constraint family (-1 where the row was skipped)."""
        return self._positions(self._by_con, con_name, n)

    @staticmethod
    def _positions(groups, name: str, n: int | None) -> np.ndarray:
        pos, idx = groups.get(name, (np.zeros(0, np.int64), []))
        size = n if n is not None else (max(idx) + 1 if idx else 0)
        out = np.full(size, -1, dtype=np.int64)
        if len(pos):
            out[np.asarray(idx, dtype=np.int64)] = pos
        return out

    def families(self) -> list[str]:
        """Names of the constraint families in the compiled LP."""
        return list(self._by_con)

    def row_label(self, row: int) -> tuple[str, object]:
        """(family, Pyomo index) of a row (an LP loaded with its Pyomo model)."""
        if self.constraints is None:
            raise RuntimeError("row labels need the Pyomo model: load it with one (CompiledLP(model), compile_oil_model)")
        con = self.constraints[row]
        return con.parent_component().name, con.index()

    # -- changing the LP in HiGHS ----------------------------------------------------------
    def set_row_bounds(self, rows: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> None:
        """Push new bounds of some rows into HiGHS (infinite where |bound| >= 1e20)."""
        self.push_row_bounds(np.asarray(rows, dtype=np.int32), *highs_bounds(lower, upper))

    def push_row_bounds(self, rows: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> None:
        """Push bounds already as HiGHS takes them (:func:`highs_bounds`) of rows given as int32: no conversion
        (a sweep pushes a few rows before every re-solve)."""
        self.highs.changeRowsBounds(len(rows), rows, lower, upper)

    def set_costs(self, cols: np.ndarray, cost: np.ndarray) -> None:
        cols = np.asarray(cols, dtype=np.int32)
        self.highs.changeColsCost(len(cols), cols, np.asarray(cost, float))

    def costs(self) -> np.ndarray:
        return np.asarray(self.highs.getLp().col_cost_, dtype=float)

    def duals_for_costs(self, cost: np.ndarray) -> np.ndarray:
        """Row duals at the last optimal basis for another cost vector: y = B^-T c_B.

        Used to report shadow prices of the economic objective at the vertex the LP chose
        (the tie-break is in the LP's costs, not in what a tonne of capacity is worth).
        Same sign convention as :attr:`dual` (checked against HiGHS's own duals in the tests).
        """
        _, basic = self.highs.getBasicVariables()  # column j, or −1 − i for row i's slack (cost 0)
        padded = np.concatenate((np.asarray(cost, float), np.zeros(self.num_rows)))
        c_b = np.take(padded, basic, mode="wrap")  # −1 − i wraps into the zeros
        _, y = self.highs.getBasisTransposeSolve(c_b)
        return np.asarray(y, dtype=float)

    def get_basis(self):
        return self.highs.getBasis()

    def set_basis(self, basis) -> None:
        self.highs.setBasis(basis)

    def solve(self) -> Solution:
        t0 = time.perf_counter()
        self.highs.run()
        seconds = time.perf_counter() - t0
        status = self.highs.getModelStatus()
        text = _STATUS_TEXT.get(status) or _STATUS_TEXT.setdefault(status, self.highs.modelStatusToString(status))
        optimal = status == highspy.HighsModelStatus.kOptimal
        # two values, not getInfo(): that copies every field of HighsInfo into a new Python object
        iterations = int(self.highs.getInfoValue("simplex_iteration_count")[1])
        # primal, duals and activities are read from the solution when first asked for (a sweep reads the
        # primal of a batch's solves after the batch, Solution.values, and never the others)
        self._primal = self._dual = self._activity = None
        if optimal:
            self._solution = sol = self.highs.getSolution()  # a copy: later changes to the LP leave it as it is
            objective = float(self.highs.getObjectiveValue())  # HighsInfo's objective_function_value
        else:
            self._solution = sol = None
            objective = math.nan
        return Solution(text, optimal, objective, seconds, iterations, sol)

    @property
    def primal(self) -> np.ndarray:
        """Column values of the last optimal solve."""
        if self._primal is None:
            if self._solution is None:
                raise RuntimeError("no optimal solution to read")
            self._primal = float_array(self._solution.col_value)
        return self._primal

    @property
    def dual(self) -> np.ndarray:
        """Row duals of the last optimal solve: d objective / d right-hand side (objective units per row unit)."""
        if self._dual is None:
            if self._solution is None:
                raise RuntimeError("no optimal solution to read")
            self._dual = float_array(self._solution.row_dual)
        return self._dual

    @property
    def activity(self) -> np.ndarray:
        """Row activities (left-hand sides) of the last optimal solve."""
        if self._activity is None:
            if self._solution is None:
                raise RuntimeError("no optimal solution to read")
            self._activity = float_array(self._solution.row_value)
        return self._activity

    def family_values(self, var_name: str, n: int) -> np.ndarray:
        """Values of an integer-indexed Var family, position-aligned (0 where the compiler dropped a member)."""
        cols = self.cols_of(var_name, n)
        out = np.zeros(n)
        ok = cols >= 0
        out[ok] = self.primal[cols[ok]]
        return out

    def family_duals(self, con_name: str, n: int) -> np.ndarray:
        """Duals of an integer-indexed Constraint family, position-aligned (0 where a row was skipped)."""
        rows = self.rows_of(con_name, n)
        out = np.zeros(n)
        ok = rows >= 0
        out[ok] = self.dual[rows[ok]]
        return out

    def family_activity(self, con_name: str, n: int) -> np.ndarray:
        rows = self.rows_of(con_name, n)
        out = np.zeros(n)
        ok = rows >= 0
        out[ok] = self.activity[rows[ok]]
        return out

    def values(self, var_name: str) -> pd.Series:
        """Primal values of one Pyomo Var component, indexed by its index tuples."""
        return self._series(self._by_var, var_name, self.primal if self._solution is not None else None)

    def duals(self, con_name: str) -> pd.Series:
        """Duals of one constraint family: d objective / d right-hand side, in objective units per row unit."""
        return self._series(self._by_con, con_name, self.dual if self._solution is not None else None)

    @staticmethod
    def _series(groups, name: str, data: np.ndarray | None) -> pd.Series:
        if data is None:
            raise RuntimeError("no optimal solution to read")
        if name not in groups:
            return pd.Series(dtype=float)
        pos, idx = groups[name]
        index = pd.MultiIndex.from_tuples(idx) if idx and isinstance(idx[0], tuple) else pd.Index(idx)
        return pd.Series(data[pos], index=index)

    def row_activity(self, con_name: str) -> pd.Series:
        return self._series(self._by_con, con_name, self.activity if self._solution is not None else None)


def solve_with_pyomo(model: pyo.ConcreteModel) -> tuple[str, float, dict[str, pd.Series]]:
    """Solve with Pyomo's stock HiGHS interface (appsi), for cross-checks.

    Returns the termination condition, the objective and the duals of every
    constraint family (signed as d objective / d rhs).
    """
    from pyomo.contrib.appsi.solvers.highs import Highs

    if not hasattr(model, "dual"):
        model.dual = pyo.Suffix(direction=pyo.Suffix.IMPORT)
    opt = Highs()
    opt.config.stream_solver = False
    opt.config.load_solution = True
    res = opt.solve(model)
    duals_raw = opt.get_duals()
    out: dict[str, dict] = defaultdict(dict)
    for con, val in duals_raw.items():
        out[con.parent_component().name][con.index()] = val
    obj = pyo.value(next(model.component_data_objects(pyo.Objective, active=True)))
    return str(res.termination_condition), float(obj), {k: pd.Series(v) for k, v in out.items()}
