"""The power LP of one (power year, weather year): nodes, links, stores, offtake (docs/model.md §2).

Built from a :class:`~energy_routes.power.params.PowerNet`. Each variable
family is one Pyomo ``Var`` over a flat index ``k = e·T + h`` (element e,
hour h); each constraint family is built from numpy index arrays (one sparse
block of rows) and handed to Pyomo row by row as ``LinearExpression`` objects,
so nothing in Python loops over hours with model logic. ``define_*`` functions
add one family each; names are those of docs/model.md and of the duals read back.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyomo.environ as pyo
import scipy.sparse as sp
from pyomo.common.gc_manager import PauseGC
from pyomo.core.expr.numeric_expr import LinearExpression
from pyomo.core.expr.relational_expr import EqualityExpression, InequalityExpression, RangedExpression

from ..solve import CompiledLP
from .params import PowerNet

#: variable families: name -> what it is (all MW, i.e. MWh per hour, except capacities)
VARIABLES = {
    "p": "generator output",
    "q": "offtake at a node",
    "f": "power sent into a link",
    "ch": "store charging (from the node)",
    "dis": "store discharging (to the node)",
    "soc": "store level (MWh)",
}


@dataclass
class Columns:
    """Where each family's columns sit in one global column list (for the sparse row blocks), and the
    matrix form the families are built from: column bounds, row blocks and costs (what
    :meth:`~energy_routes.solve.CompiledLP.from_matrix` loads, identical to the Pyomo components)."""

    start: dict[str, int] = field(default_factory=dict)
    vars: list = field(default_factory=list)  # VarData in global order
    lower: list = field(default_factory=list)  # column lower bounds, one array per family
    upper: list = field(default_factory=list)
    rows: list = field(default_factory=list)  # (constraint component, A, lo, up) per family
    cost: np.ndarray | None = None

    def block(self, name: str, rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, n_rows: int) -> sp.csr_matrix:
        return sp.csr_matrix((vals, (rows, cols + self.start[name])), shape=(n_rows, len(self.vars)))


def _var(m: pyo.ConcreteModel, name: str, ub: np.ndarray, cols: Columns) -> None:
    """A non-negative family over a flat index with upper bounds ``ub`` (inf = none)."""
    ubl = [None if not np.isfinite(u) else float(u) for u in ub.ravel()]
    v = pyo.Var(range(len(ubl)), bounds=lambda _m, i: (0.0, ubl[i]))
    m.add_component(name, v)
    cols.start[name] = len(cols.vars)
    cols.vars.extend(v.values())
    cols.lower.append(np.zeros(len(ubl)))
    cols.upper.append(np.asarray(ub, dtype=float).ravel())


def _rows(m: pyo.ConcreteModel, name: str, A: sp.csr_matrix, lo: np.ndarray, up: np.ndarray, cols: Columns) -> None:
    """One constraint family ``lo ≤ A x ≤ up`` from a sparse block over the global columns."""
    A = A.tocsr()
    A.sum_duplicates()
    ip, ix, dv = A.indptr, A.indices.tolist(), A.data.tolist()
    xs = cols.vars
    lo_l = [None if not np.isfinite(x) else float(x) for x in lo]
    up_l = [None if not np.isfinite(x) else float(x) for x in up]

    def rule(_m, i):
        # relational expressions built directly: about twice as fast as Pyomo parsing a (lo, body, up) tuple
        a, b = ip[i], ip[i + 1]
        body = LinearExpression(constant=0.0, linear_coefs=dv[a:b], linear_vars=[xs[j] for j in ix[a:b]])
        lo_i, up_i = lo_l[i], up_l[i]
        if lo_i is not None and lo_i == up_i:
            return EqualityExpression((body, lo_i))
        if lo_i is None:
            return InequalityExpression((body, up_i), False)
        if up_i is None:
            return InequalityExpression((lo_i, body), False)
        return RangedExpression((lo_i, body, up_i), (False, False))

    con = pyo.Constraint(range(A.shape[0]), rule=rule)
    m.add_component(name, con)
    cols.rows.append((con, A, np.asarray(lo, float), np.asarray(up, float)))


def _flat(n: int, T: int) -> tuple[np.ndarray, np.ndarray]:
    """(element, hour) of every flat index e·T + h."""
    return np.repeat(np.arange(n), T), np.tile(np.arange(T), n)


def define_variables(m: pyo.ConcreteModel, net: PowerNet, cols: Columns) -> None:
    """p, q, f, ch, dis, soc ≥ 0 with their capacities as bounds (capacities the planning mode sizes: no bound here)."""
    T = net.hours
    ext_g = np.array([g in net.ext_gen for g in range(len(net.gen))], dtype=bool)
    _var(m, "p", np.where(ext_g[:, None], np.inf, net.gen_avail * net.gen_cap[:, None]), cols)
    _var(m, "q", net.off_cap, cols)
    ext_l = np.array([i in net.ext_link for i in range(len(net.link))], dtype=bool)
    _var(m, "f", np.where(ext_l[:, None], np.inf, net.link_rho * net.link_cap[:, None]), cols)
    ext_s = np.array([s in net.ext_store_power for s in range(len(net.store))], dtype=bool)
    p_s = np.where(ext_s, np.inf, net.store_power)
    e_s = np.where(ext_s, np.inf, net.store_energy)
    _var(m, "ch", np.repeat(p_s, T), cols)
    _var(m, "dis", np.repeat(p_s, T), cols)
    _var(m, "soc", np.repeat(e_s, T), cols)
    for name, ext in (("cap_gen", net.ext_gen), ("cap_link", net.ext_link), ("cap_store_power", net.ext_store_power), ("cap_store_energy", net.ext_store_energy)):
        keys = sorted(ext)
        v = pyo.Var(keys, bounds=lambda _m, k, ext=ext: (ext[k].lo, None if not np.isfinite(ext[k].hi) else ext[k].hi))
        m.add_component(name, v)
        cols.start[name] = len(cols.vars)
        cols.vars.extend(v.values())
        cols.lower.append(np.array([ext[k].lo for k in keys], dtype=float))
        cols.upper.append(np.array([ext[k].hi for k in keys], dtype=float))


def _cap_col(net_ext: dict, name: str, cols: Columns, elem: np.ndarray) -> np.ndarray:
    """Global column of the capacity variable of each element in ``elem`` (all must be extendable)."""
    keys = sorted(net_ext)
    where = {k: i for i, k in enumerate(keys)}
    return cols.start[name] + np.array([where[e] for e in elem], dtype=int)


def define_node_balance(m: pyo.ConcreteModel, net: PowerNet, cols: Columns) -> None:
    """node_balance[n·T+h]:  Σ_g p + Σ_{l in} η_l f − Σ_{l out} f + Σ_s (dis − ch) − q = 0   (dual: $/MWh)."""
    T, N = net.hours, len(net.nodes)
    blocks = []
    for name, node, coef in (
        ("p", net.gen_node, np.ones(len(net.gen_node))),
        ("q", net.off_node, -np.ones(len(net.off_node))),
        ("f", net.link_to, net.link_eta),
        ("f", net.link_from, -np.ones(len(net.link_from))),
        ("dis", net.store_node, np.ones(len(net.store_node))),
        ("ch", net.store_node, -np.ones(len(net.store_node))),
    ):
        e, h = _flat(len(node), T)
        blocks.append(cols.block(name, node[e] * T + h, e * T + h, coef[e], N * T))
    _rows(m, "node_balance", sum(blocks[1:], blocks[0]), np.zeros(N * T), np.zeros(N * T), cols)


def define_store_level(m: pyo.ConcreteModel, net: PowerNet, cols: Columns) -> None:
    """store_level[s·T+h]:  soc[h] − (1 − σ) soc[h−1] − η ch[h] + dis[h] / η = 0, with h−1 of hour 0 the last hour (cyclic)."""
    S, T = len(net.store), net.hours
    if not S:
        return
    e, h = _flat(S, T)
    k = e * T + h
    prev = e * T + (h - 1) % T
    A = (
        cols.block("soc", k, k, np.ones(S * T), S * T)
        + cols.block("soc", k, prev, -(1.0 - net.store_loss[e]), S * T)
        + cols.block("ch", k, k, -net.store_eta[e], S * T)
        + cols.block("dis", k, k, 1.0 / net.store_eta[e], S * T)
    )
    _rows(m, "store_level", A, np.zeros(S * T), np.zeros(S * T), cols)


def define_planned_capacity(m: pyo.ConcreteModel, net: PowerNet, cols: Columns) -> None:
    """Planning mode only. gen_capacity: p − a·P_g ≤ 0; link_capacity: f − ρ·K_l ≤ 0;
    store_charge_capacity / store_discharge_capacity: ch, dis − P_s ≤ 0; store_level_capacity: soc − E_s ≤ 0."""
    T = net.hours

    def family(name, var, ext, capvar, elems, coef_of):
        if not elems.size:
            return
        e, h = _flat(len(elems), T)
        rows = e * T + h
        n = len(elems) * T
        A = cols.block(var, rows, elems[e] * T + h, np.ones(n), n)
        capcol = _cap_col(ext, capvar, cols, elems)[e]
        A = A + sp.csr_matrix((-coef_of(elems[e], h), (rows, capcol)), shape=(n, len(cols.vars)))
        _rows(m, name, A, np.full(n, -np.inf), np.zeros(n), cols)

    g = np.array(sorted(net.ext_gen), dtype=int)
    family("gen_capacity", "p", net.ext_gen, "cap_gen", g, lambda e, h: net.gen_avail[e, h])
    ll = np.array(sorted(net.ext_link), dtype=int)
    family("link_capacity", "f", net.ext_link, "cap_link", ll, lambda e, h: net.link_rho[e, h])
    s = np.array(sorted(net.ext_store_power), dtype=int)
    one = lambda e, h: np.ones(len(e))  # noqa: E731
    family("store_charge_capacity", "ch", net.ext_store_power, "cap_store_power", s, one)
    family("store_discharge_capacity", "dis", net.ext_store_power, "cap_store_power", s, one)
    family("store_level_capacity", "soc", net.ext_store_energy, "cap_store_energy", s, one)


def define_shares(m: pyo.ConcreteModel, net: PowerNet, cols: Columns) -> None:
    """link_share[i·T+h]:  Σ_{l ∈ feeders(c)} η_l f[l,h] − s_c ρ_L[h] K_L ≤ 0  (K_L a variable when sized)."""
    T = net.hours
    if not net.shares:
        return
    n = len(net.shares) * T
    blocks, up = [], np.zeros(n)
    for i, sh in enumerate(net.shares):
        h = np.arange(T)
        for l in sh.feeders:
            blocks.append(cols.block("f", i * T + h, l * T + h, np.full(T, net.link_eta[l]), n))
        if sh.link in net.ext_link:
            capcol = _cap_col(net.ext_link, "cap_link", cols, np.array([sh.link]))[0]
            blocks.append(sp.csr_matrix((-sh.max_share * net.link_rho[sh.link], (i * T + h, np.full(T, capcol))), shape=(n, len(cols.vars))))
        else:
            up[i * T + h] = sh.max_share * net.link_rho[sh.link] * net.link_cap[sh.link]
    A = sum(blocks[1:], blocks[0]) if blocks else sp.csr_matrix((n, len(cols.vars)))
    _rows(m, "link_share", A, np.full(n, -np.inf), up, cols)


def objective_coefficients(net: PowerNet, cols: Columns) -> np.ndarray:
    """$ per unit of each column: value of offtake, minus variable costs, minus annualised fixed costs of sized assets."""
    c = np.zeros(len(cols.vars))
    T = net.hours

    def put(name, values):
        if values.size:
            c[cols.start[name]: cols.start[name] + values.size] = values.ravel()

    put("q", net.off_value)
    put("p", -np.repeat(net.gen_vom, T))
    put("f", -np.repeat(net.link_wheel, T))
    put("ch", -np.repeat(net.store_cost, T))
    for name, ext in (("cap_gen", net.ext_gen), ("cap_link", net.ext_link), ("cap_store_power", net.ext_store_power), ("cap_store_energy", net.ext_store_energy)):
        put(name, -np.array([ext[k].cost for k in sorted(ext)], dtype=float))
    return c


def define_objective(m: pyo.ConcreteModel, net: PowerNet, cols: Columns) -> None:
    """max Σ_{o,h} v q − Σ_{g,h} c_g p − Σ_{l,h} w_l f − Σ_{s,h} c_s ch − Σ_x C_x X_x   ($)."""
    c = cols.cost = objective_coefficients(net, cols)
    nz = np.flatnonzero(c)
    expr = LinearExpression(constant=0.0, linear_coefs=c[nz].tolist(), linear_vars=[cols.vars[j] for j in nz])
    m.value = pyo.Objective(expr=expr, sense=pyo.maximize)


def build_power_model(net: PowerNet) -> tuple[pyo.ConcreteModel, Columns]:
    """Build the LP of one network: the Pyomo model and the matrix form it was made from."""
    with PauseGC():
        m = pyo.ConcreteModel(name=f"power_{net.year}_w{net.weather_year}")
        cols = Columns()
        define_variables(m, net, cols)
        define_node_balance(m, net, cols)
        define_store_level(m, net, cols)
        define_planned_capacity(m, net, cols)
        define_shares(m, net, cols)
        define_objective(m, net, cols)
    return m, cols


def compile_power_model(m: pyo.ConcreteModel, cols: Columns) -> CompiledLP:
    """Load the model into HiGHS from the matrix form its ``define_*`` functions built it from (the rows in
    the order the families were added), skipping Pyomo's expression walk; same LP as ``CompiledLP(m)``."""
    constraints = [c for con, *_ in cols.rows for c in con.values()]
    A = sp.vstack([a for _, a, _, _ in cols.rows], format="csr") if cols.rows else sp.csr_matrix((0, len(cols.vars)))
    lo = np.concatenate([x for _, _, x, _ in cols.rows]) if cols.rows else np.zeros(0)
    up = np.concatenate([x for _, _, _, x in cols.rows]) if cols.rows else np.zeros(0)
    return CompiledLP.from_matrix(
        m, cols.vars, constraints, A, lo, up, np.concatenate(cols.lower), np.concatenate(cols.upper), cols.cost, maximize=True
    )
