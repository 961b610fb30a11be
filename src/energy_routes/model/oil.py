"""The oil block as a Pyomo ConcreteModel, rendered from the declarations of :mod:`.registry`.

One Pyomo ``Var`` component per variable family and one ``Constraint``
component per constraint family, named as in the registry (and in
docs/model.md §1), indexed by position; the keys of every position are in
the :class:`~energy_routes.model.registry.ModelSpec`. Nothing about any
family is written here: this module only turns coefficient blocks into
Pyomo expressions.
"""

from __future__ import annotations

from .. import pyomo_lite  # noqa: F401, I001  (before Pyomo: no scipy.stats & co.)
import numpy as np
import pyomo.environ as pyo
import scipy.sparse as sp
from pyomo.common.gc_manager import PauseGC
from pyomo.core.expr.numeric_expr import LinearExpression

from ..params import OilParams
from .registry import ModelSpec, model_spec

#: shadow prices are duals of rows in k$ per kt, i.e. $/t; the factor is kept explicit for readers
DUAL_TO_USD_PER_T = 1.0

#: what HiGHS reads as an infinite bound (anything >= 1e20); Pyomo needs some bound on every row
FREE = 1e30


def _bound(v: float) -> float | None:
    return None if not np.isfinite(v) else float(v)


def build_oil_model(p: OilParams | ModelSpec) -> pyo.ConcreteModel:
    """Build the oil block's ConcreteModel (docs/model.md §1) from parameters or an evaluated spec."""
    spec = p if isinstance(p, ModelSpec) else model_spec(p)
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
            n = len(block.keys)
            cols: list = []
            offset = 0
            parts = []
            for t in block.terms:
                parts.append(sp.coo_matrix((t.coef, (t.row, t.col + offset)), shape=(n, len(spec.var_keys[t.var]) + offset)))
                cols.append((offset, var[t.var]))
                offset += len(spec.var_keys[t.var])
            width = offset
            A = sp.csr_matrix((n, width))
            for part in parts:
                part.resize((n, width))
                A = A + part.tocsr()
            A.sum_duplicates()
            flat = [None] * width
            for off, data in cols:
                flat[off : off + len(data)] = data
            lo, up = block.lower, block.upper

            def rule(m, i, A=A, flat=flat, lo=lo, up=up):
                a, b = A.indptr[i], A.indptr[i + 1]
                idx = A.indices[a:b]
                if b == a:
                    return pyo.Constraint.Skip
                expr = LinearExpression(constant=0.0, linear_coefs=A.data[a:b].tolist(), linear_vars=[flat[j] for j in idx])
                lower, upper = _bound(lo[i]), _bound(up[i])
                if lower is None and upper is None:
                    upper = FREE  # a row with no bound yet (a sweep may set one): HiGHS reads it as +inf
                return (lower, expr, upper)

            setattr(m, cname, pyo.Constraint(range(n), rule=rule))
    m.spec = spec  # the keys of every position, for extraction (a plain attribute, not a Pyomo component)
    return m
