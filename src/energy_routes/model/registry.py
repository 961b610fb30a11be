"""The oil model, defined once: every variable and constraint family, its index, equation, bounds and dual.

Each :class:`VarFamily` and :class:`ConFamily` below is the single place that
knows its index (keys), its equation (docstring ``doc``, the same as
docs/model.md §1), the coefficients of its left-hand side, how its bounds
are computed from :class:`~energy_routes.params.OilParams`, which
event-dependent quantities those bounds read (``changes_with``), and how its
dual is reported (:class:`DualReport`). The Pyomo build
(:mod:`energy_routes.model.oil`), the warm re-solves of sweeps
(:mod:`energy_routes.sweep.kernel`), result extraction
(:mod:`energy_routes.extract`) and diagnosis (:mod:`energy_routes.diagnose`)
all read these declarations; none re-derives a bound or a name.

Units: flows and stocks in kt per period, money in k$ (so an objective
coefficient is in $/t and a dual is in $/t directly). Bounds functions
accept ``OilParams`` whose event-dependent arrays (``p.caps``) carry leading
case axes, and then return arrays with the same leading axes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..params import OilParams

#: the tie-break: a handling cost of TIE_USD_PER_T × w per tonne moved, w in [1, 2) from a hash of the
#: variable's name (docs/model.md §1 "Tie-break"); small enough never to change a choice worth more
#: than a few tenths of a cent per tonne, large enough to be far above HiGHS's tolerances
TIE_USD_PER_T = 0.001

INF = np.inf


@lru_cache(maxsize=None)
def _unit_hash(name: str) -> float:
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big") / 2.0**64


def tie_weights(family: str, keys: list[tuple]) -> np.ndarray:
    """w = 1 + u, u in [0, 1) from BLAKE2b-64 of ``family|key parts`` (stable across runs, orders and horizons)."""
    return np.array([1.0 + _unit_hash(family + "|" + "|".join(map(str, k))) for k in keys])


# ----------------------------------------------------------------------------- layout


@dataclass(frozen=True)
class Terms:
    """Left-hand-side coefficients of one variable family in one constraint family (COO)."""

    var: str
    row: np.ndarray
    col: np.ndarray
    coef: np.ndarray


class Layout:
    """Index arithmetic shared by the declarations: positions of keys in each family."""

    def __init__(self, p: OilParams):
        net, per = p.network, p.periods
        self.P = len(per)
        self.labels = list(per.labels)
        self.years = list(p.years)
        self.ypos = p.year_pos
        self.year_start = per.year_start()
        self.src = {s: i for i, s in enumerate(net.sources)}
        self.route = {r: i for i, r in enumerate(net.routes)}
        self.pair = {k: i for i, k in enumerate(net.pairs)}
        self.flow = {k: i for i, k in enumerate(net.flows)}
        self.asset = {a: i for i, a in enumerate(net.assets)}
        self.holding = {k: i for i, k in enumerate(net.holdings)}
        self.store = {k.store: i for i, k in enumerate(net.stores)}
        self.arc = {a.arc: a for a in net.arcs}
        self.arc_pos = {a.arc: i for i, a in enumerate(net.arcs)}
        self.served = [r for r in net.routes if any(r2 == r for _, r2 in net.pairs)]
        # outlets with a planned schedule somewhere in the horizon (schedules.csv), and who accepts more
        self.scheduled = [r for r in self.served if np.isfinite(p.schedule[net.routes.index(r)]).any()]
        self.sched = {r: i for i, r in enumerate(self.scheduled)}
        acc = p.accept
        self.acceptors = list(acc.acceptors)
        self.acceptor_of = {r: acc.acceptor_of(r) for r in self.scheduled}
        self.t = np.arange(self.P)

    def grid(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """(item, period) index arrays of an item × period family, item-major."""
        return np.repeat(np.arange(n), self.P), np.tile(self.t, n)


def _keys_by_period(items: list, labels: list[str]) -> list[tuple]:
    return [(*(it if isinstance(it, tuple) else (it,)), lab) for it in items for lab in labels]


def _period_keys(p, lay=None) -> list[tuple]:
    """One key per period (the ``credit`` column and the ``displaced_start/displaced/displaced_end`` rows)."""
    return [(lab,) for lab in p.periods.labels]


def _terms(var: str, items: list[tuple[int, int, float]], P: int | None = None, rows_per: int | None = None) -> Terms:
    """Terms from (row_item, var_item, coef) repeated over every period (row = item*P + t) when ``P`` is given."""
    if not items:
        return Terms(var, np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
    a = np.array(items, dtype=float)
    ri, vi, c = a[:, 0].astype(np.int64), a[:, 1].astype(np.int64), a[:, 2]
    if P is None:
        return Terms(var, ri, vi, c)
    t = np.arange(P)
    return Terms(var, (ri[:, None] * P + t).ravel(), (vi[:, None] * P + t).ravel(), np.repeat(c, P))


# ----------------------------------------------------------------------------- variables


@dataclass(frozen=True)
class VarFamily:
    name: str
    index: tuple[str, ...]
    unit: str
    doc: str
    keys: Callable[[OilParams], list[tuple]]
    bounds: Callable[[OilParams, Layout], tuple[np.ndarray, np.ndarray]]
    cost: Callable[[OilParams, Layout, list[tuple]], np.ndarray]  # $/t (k$ per kt) in the objective, maximised
    tie_break: bool = False  # carries the tie-break handling cost (docs/model.md §1 "Tie-break")


def _nonneg(n_of: Callable[[OilParams], int]):
    def bounds(p: OilParams, lay: Layout):
        n = n_of(p) * lay.P
        return np.zeros(n), np.full(n, INF)

    return bounds


def _x_cost(p, lay, keys):
    return p.sale_value[:, lay.ypos].ravel()  # (K, P) item-major


def _f_cost(p, lay, keys):
    return -np.repeat([lay.arc[a].tariff for _, a in p.network.flows], lay.P)


def _zero_cost(p, lay, keys):
    return np.zeros(len(keys))


def _extra_bounds(p: OilParams, lay: Layout):
    """e ≥ 0; e = 0 on a route no acceptor covers (its schedule is a hard limit)."""
    n = len(lay.scheduled) * lay.P
    up = np.full(n, INF)
    for r, i in lay.sched.items():
        if lay.acceptor_of[r] is None:
            up[i * lay.P : (i + 1) * lay.P] = 0.0
    return np.zeros(n), up


def _extra_cost(p: OilParams, lay: Layout):
    """−premium of the route's acceptor, $/t."""
    prem = [p.accept.premium[a] if (a := lay.acceptor_of[r]) is not None else 0.0 for r in lay.scheduled]
    return -np.repeat(np.asarray(prem, float), lay.P)


def _level_bounds(p: OilParams, lay: Layout):
    H = len(p.network.holdings)
    lo, up = np.zeros(H * lay.P), np.full(H * lay.P, INF)
    if H:
        ends = p.periods.year_end()
        for h in range(H):
            for j, t in enumerate(ends):
                lo[h * lay.P + t] = up[h * lay.P + t] = p.holding_open[h, j]
    return lo, up


VARIABLES: tuple[VarFamily, ...] = (
    VarFamily(
        "x", ("source", "route", "period"), "kt",
        "exports: crude of source s sold at outlet (route) r in period t",
        lambda p: _keys_by_period(p.network.pairs, list(p.periods.labels)),
        _nonneg(lambda p: len(p.network.pairs)),
        _x_cost,
        tie_break=True,
    ),
    VarFamily(
        "f", ("source", "arc", "period"), "kt",
        "flow of source s's crude on arc a in period t",
        lambda p: _keys_by_period(p.network.flows, list(p.periods.labels)),
        _nonneg(lambda p: len(p.network.flows)),
        _f_cost,
        tie_break=True,
    ),
    VarFamily(
        "z", ("source", "period"), "kt",
        "shut-in: export supply of s not produced in period t (outlook − production)",
        lambda p: _keys_by_period(p.network.sources, list(p.periods.labels)),
        _nonneg(lambda p: len(p.network.sources)),
        lambda p, lay, keys: np.full(len(keys), -p.penalty),
    ),
    VarFamily(
        "inj", ("source", "store", "period"), "kt",
        "source s's crude put into store k in period t",
        lambda p: _keys_by_period(p.network.holdings, list(p.periods.labels)),
        _nonneg(lambda p: len(p.network.holdings)),
        _zero_cost,
        tie_break=True,
    ),
    VarFamily(
        "wd", ("source", "store", "period"), "kt",
        "source s's crude taken out of store k in period t",
        lambda p: _keys_by_period(p.network.holdings, list(p.periods.labels)),
        _nonneg(lambda p: len(p.network.holdings)),
        _zero_cost,
        tie_break=True,
    ),
    VarFamily(
        "e", ("route", "period"), "kt",
        "extra volume above route r's schedule in period t, accepted by the route's acceptor at its premium",
        lambda p: _keys_by_period(Layout(p).scheduled, list(p.periods.labels)),
        lambda p, lay: _extra_bounds(p, lay),
        lambda p, lay, keys: _extra_cost(p, lay),
        tie_break=True,
    ),
    VarFamily(
        "s", ("route", "period"), "kt",
        "the part of route r's capacity shortfall below its no-event plan in period t not credited as displaced crude "
        "(c[r,t] − s[r,t] is the credit d[r,t]; displaced_route, displaced)",
        lambda p: _keys_by_period(Layout(p).served, list(p.periods.labels)),
        _nonneg(lambda p: len(Layout(p).served)),
        _zero_cost,
    ),
    VarFamily(
        "credit", ("period",), "kt",
        "displaced crude of the displacement window up to t not taken by extra acceptance (at most; displaced_start, displaced); "
        "≥ 0 where a window ends (displaced_end); free",
        _period_keys,
        lambda p, lay: (np.full(lay.P, -INF), np.full(lay.P, INF)),
        _zero_cost,
    ),
    VarFamily(
        "level", ("source", "store", "period"), "kt",
        "source s's crude in store k at the end of period t (fixed to the opening level at each year's end)",
        lambda p: _keys_by_period(p.network.holdings, list(p.periods.labels)),
        _level_bounds,
        _zero_cost,
    ),
)
VARS = {v.name: v for v in VARIABLES}


# ----------------------------------------------------------------------------- constraints


@dataclass(frozen=True)
class DualReport:
    """How a family's duals appear in ``shadow_prices.csv``: (period, asset_or_route) from a key."""

    subject: Callable[[tuple], tuple[str, str]]


@dataclass(frozen=True)
class ConFamily:
    name: str
    index: tuple[str, ...]
    doc: str
    keys: Callable[[OilParams, Layout], list[tuple]]
    terms: Callable[[OilParams, Layout], list[Terms]]
    bounds: Callable[[OilParams, Layout], tuple[np.ndarray, np.ndarray]]
    changes_with: frozenset[str] = frozenset()  # fields of p.caps the bounds read
    dual: DualReport | None = None
    elastic_lower: bool = False  # its lower bounds are commitments the elastic diagnosis may relax
    words: dict | None = None  # how a binding row is said to an analyst (rendered by energy_routes.explain)
    plan_relative: bool = False  # its bounds are measured against the no-event plan, which a hedge lever does not re-solve


def _flat(a: np.ndarray) -> np.ndarray:
    """(..., n, P) -> (..., n*P), item-major."""
    return a.reshape(*a.shape[:-2], a.shape[-2] * a.shape[-1])


def _eq(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return values, values


def _up(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.full(values.shape, -INF), values


# supply_balance --------------------------------------------------------------
def _supply_terms(p, lay):
    net = p.network
    f = [(lay.src[s], lay.flow[(s, a)], 1.0) for s, a in net.flows if lay.arc[a].src == s]
    inj = [(lay.src[s], lay.holding[(s, k)], 1.0) for s, k in net.holdings if net.stores[lay.store[k]].node == s]
    wd = [(r, c, -1.0) for r, c, _ in inj]
    z = [(i, i, 1.0) for i in range(len(net.sources))]
    return [_terms("f", f, lay.P), _terms("inj", inj, lay.P), _terms("wd", wd, lay.P), _terms("z", z, lay.P)]


# node_balance ----------------------------------------------------------------
def _node_terms(p, lay):
    net = p.network
    row = {k: i for i, k in enumerate(net.balances)}
    f = []
    for s, a in net.flows:
        arc = lay.arc[a]
        if (s, arc.dst) in row:
            f.append((row[(s, arc.dst)], lay.flow[(s, a)], 1.0))
        if (s, arc.src) in row:
            f.append((row[(s, arc.src)], lay.flow[(s, a)], -1.0))
    x = [(row[(s, r)], lay.pair[(s, r)], -1.0) for s, r in net.pairs if (s, r) in row]
    inj = [(row[(s, net.stores[lay.store[k]].node)], lay.holding[(s, k)], -1.0) for s, k in net.holdings if (s, net.stores[lay.store[k]].node) in row]
    wd = [(r, c, 1.0) for r, c, _ in inj]
    return [_terms("f", f, lay.P), _terms("x", x, lay.P), _terms("inj", inj, lay.P), _terms("wd", wd, lay.P)]


# asset_capacity ----------------------------------------------------------------
def _asset_terms(p, lay):
    f = [(lay.asset[lay.arc[a].asset], lay.flow[(s, a)], 1.0) for s, a in p.network.flows if lay.arc[a].asset]
    return [_terms("f", f, lay.P)]


# route_capacity ----------------------------------------------------------------
def _route_cap_terms(p, lay):
    row = {r: i for i, r in enumerate(lay.served)}
    x = [(row[r], lay.pair[(s, r)], 1.0) for s, r in p.network.pairs]
    return [_terms("x", x, lay.P)]


def _route_cap_bounds(p, lay):
    idx = [lay.route[r] for r in lay.served]
    return _up(_flat(p.caps.route_row[..., idx, :]))


# annual families: one row per (item, year), summing the item's periods of that year
def _annual(items: list[tuple[int, float]], rows: list[tuple], lay: Layout, var: str = "x") -> Terms:
    """rows[i] = (row, var item, year position, coef): Σ over the periods of that year."""
    r_, c_, v_ = [], [], []
    for row, item, y, coef in rows:
        ts = np.flatnonzero(lay.ypos == y)
        r_.append(np.full(len(ts), row))
        c_.append(item * lay.P + ts)
        v_.append(np.full(len(ts), coef))
    if not r_:
        return Terms(var, np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
    return Terms(var, np.concatenate(r_), np.concatenate(c_), np.concatenate(v_))


def _limit_keys(p, lay):
    return [(r, y) for r in lay.served for y in lay.years]


def _limit_terms(p, lay):
    rows = []
    for i, (r, y) in enumerate(_limit_keys(p, lay)):
        rows += [(i, lay.pair[(s, r)], lay.years.index(y), 1.0) for s, r2 in p.network.pairs if r2 == r]
    return [_annual([], rows, lay)]


def _limit_bounds(p, lay):
    """An annual cap on a route an acceptor covers holds its planned volume only: the monthly schedule rows
    already carry it (Σ_t S[r,t] ≤ L_max), and extra volume accepted above them is on top, so no quota moves
    from quiet months into a disrupted one; the row keeps its minimum (a commitment on all volume)."""
    idx = [lay.route[r] for r in lay.served]
    hi = p.limit_hi[idx].copy()
    for i, r in enumerate(lay.served):
        if r in lay.sched and lay.acceptor_of[r] is not None:
            hi[i] = INF
    return p.limit_lo[idx].ravel(), hi.ravel()


def _share_keys(p, lay):
    return [(r, y) for r in p.network.routes for j, y in enumerate(lay.years) if p.share[lay.route[r], j] < 1.0]


def _share_terms(p, lay):
    rows = []
    for i, (r, y) in enumerate(_share_keys(p, lay)):
        sigma = p.share[lay.route[r], lay.years.index(y)]
        for s, r2 in p.network.pairs:
            rows.append((i, lay.pair[(s, r2)], lay.years.index(y), (1.0 if r2 == r else 0.0) - sigma))
    return [_annual([], rows, lay)]


def _capped_pairs(p) -> list[int]:
    """Positions of the (source, route) pairs with a shipper's allocation (source_routes.csv max_mt)."""
    return [k for k in range(len(p.network.pairs)) if np.isfinite(p.pair_cap[k]).any()]


def _pair_keys(p, lay):
    return _keys_by_period([p.network.pairs[k] for k in _capped_pairs(p)], lay.labels)


def _pair_terms(p, lay):
    return [_terms("x", [(i, k, 1.0) for i, k in enumerate(_capped_pairs(p))], lay.P)]


def _pair_bounds(p, lay):
    return _up(p.pair_cap[_capped_pairs(p)].ravel())


# stores --------------------------------------------------------------------------
def _store_balance_terms(p, lay):
    H, P = len(p.network.holdings), lay.P
    if not H:
        return []
    h, t = lay.grid(H)
    row = h * P + t
    prev = ~lay.year_start[t]
    return [
        Terms("level", np.concatenate([row, row[prev]]), np.concatenate([row, row[prev] - 1]), np.concatenate([np.ones(len(row)), -np.ones(prev.sum())])),
        Terms("inj", row, row, -np.ones(len(row))),
        Terms("wd", row, row, np.ones(len(row))),
    ]


def _store_balance_bounds(p, lay):
    H = len(p.network.holdings)
    rhs = np.zeros((H, lay.P))
    if H:
        first = np.flatnonzero(lay.year_start)
        rhs[:, first] = p.holding_open[:, lay.ypos[first]]
    return _eq(rhs.ravel())


def _per_store(var: str):
    def terms(p, lay):
        items = [(lay.store[k], lay.holding[(s, k)], 1.0) for s, k in p.network.holdings]
        return [_terms(var, items, lay.P)]

    return terms


def _store_keys(p, lay):
    return _keys_by_period([k.store for k in p.network.stores], lay.labels)


def _store_level_bounds(p, lay):
    """[min_level, capacity] of each store in every period: the tanks as built."""
    st = p.network.stores
    ones = np.ones(lay.P)
    lo = np.array([k.min_level_kt for k in st], float)[:, None] * ones
    hi = np.array([k.capacity_kt for k in st], float)[:, None] * ones
    return lo.ravel(), hi.ravel()


def _store_hold_bounds(p, lay):
    """= the opening (working) level in a settled period (non-anticipation), free elsewhere."""
    opening = np.array([k.opening_kt for k in p.network.stores], float)[:, None]
    settled = np.asarray(p.caps.settled, float) > 0.5  # (..., P)
    s = settled[..., None, :]
    return _flat(np.where(s, opening, -INF)), _flat(np.where(s, opening, INF))


def _holding_share(p: OilParams) -> np.ndarray:
    """(H, Y) σ[s,k,y]: source s's share of store k's working level in year y, ℓ⁰[s,k,y] / Σ_s' ℓ⁰[s',k,y]
    (its share of the export supply of the sources the store holds; equal shares if the store opens empty)."""
    net = p.network
    sigma = np.zeros(p.holding_open.shape)
    for k in {k for _, k in net.holdings}:
        h = [i for i, (_, k2) in enumerate(net.holdings) if k2 == k]
        tot = p.holding_open[h].sum(axis=0)
        sigma[h] = np.where(tot > 0, p.holding_open[h] / np.where(tot > 0, tot, 1.0), 1.0 / len(h))
    return sigma


def _shared_holdings(p) -> list[int]:
    """Positions of the holdings of stores that hold more than one source's crude."""
    net = p.network
    n = {}
    for _, k in net.holdings:
        n[k] = n.get(k, 0) + 1
    return [i for i, (_, k) in enumerate(net.holdings) if n[k] > 1]


def _store_share_keys(p, lay):
    return _keys_by_period([p.network.holdings[i] for i in _shared_holdings(p)], lay.labels)


def _store_share_terms(p, lay):
    """ℓ[s,k,t] − σ[s,k,y(t)] Σ_{s'} ℓ[s',k,t]: one row per shared holding and period, over the store's holdings."""
    net, P = p.network, lay.P
    shared = _shared_holdings(p)
    if not shared:
        return []
    sigma = _holding_share(p)[:, lay.ypos]  # (H, P)
    rows, cols, coef = [], [], []
    t = lay.t
    for row, h in enumerate(shared):
        k = net.holdings[h][1]
        for h2, (_, k2) in enumerate(net.holdings):
            if k2 == k:
                rows.append(row * P + t)
                cols.append(h2 * P + t)
                coef.append((1.0 if h2 == h else 0.0) - sigma[h])
    return [Terms("level", np.concatenate(rows), np.concatenate(cols), np.concatenate(coef))]


def _store_share_bounds(p, lay):
    """= 0 in a settled period (each source's share held at its working share), free elsewhere."""
    n = len(_shared_holdings(p))
    settled = np.asarray(p.caps.settled, float) > 0.5  # (..., P)
    s = np.broadcast_to(settled[..., None, :], settled.shape[:-1] + (n, lay.P))
    return _flat(np.where(s, 0.0, -INF)), _flat(np.where(s, 0.0, INF))


def _store_rate_bounds(attr: str):
    def bounds(p, lay):
        rate = np.array([getattr(k, attr) for k in p.network.stores])
        return _up((rate[:, None] * p.periods.length[None, :]).ravel())

    return bounds


# ramp_up -------------------------------------------------------------------------
def _ramp_rows(p, lay) -> list[tuple[int, int]]:
    """(source position, period) of each ramp row: sources with a limit, every period but a year's first."""
    return [(i, t) for i in range(len(p.network.sources)) if np.isfinite(p.ramp[i]).any() for t in range(lay.P) if not lay.year_start[t]]


def _ramp_keys(p, lay):
    return [(p.network.sources[i], lay.labels[t]) for i, t in _ramp_rows(p, lay)]


def _ramp_terms(p, lay):
    d = p.periods.length.astype(float)
    items_r, items_c, items_v = [], [], []
    for row, (i, t) in enumerate(_ramp_rows(p, lay)):
        items_r += [row, row]
        items_c += [i * lay.P + t, i * lay.P + t - 1]
        items_v += [-1.0 / d[t], 1.0 / d[t - 1]]
    return [Terms("z", np.array(items_r, np.int64), np.array(items_c, np.int64), np.array(items_v))]


def _ramp_bounds(p, lay):
    rows = _ramp_rows(p, lay)
    if not rows:
        return _up(np.zeros(p.caps.supply.shape[:-2] + (0,)))
    i = np.array([r[0] for r in rows])
    t = np.array([r[1] for r in rows])
    d = p.periods.length.astype(float)
    q = p.caps.supply  # (..., S, P)
    gap = (d[t - 1] + d[t]) / 2.0
    up = p.ramp[i, lay.ypos[t]] * gap - q[..., i, t] / d[t] + q[..., i, t - 1] / d[t - 1]
    return _up(up)


# cut_hold ------------------------------------------------------------------------
def _hold_rows(p, lay) -> list[tuple[int, int]]:
    """(source position, period) of each cut_hold row: sources with a decision horizon, every period but a year's first."""
    L = p.hold_days if len(p.hold_days) else np.zeros(len(p.network.sources))
    return [(i, t) for i in range(len(p.network.sources)) if L[i] > 0 for t in range(lay.P) if not lay.year_start[t]]


def _hold_keys(p, lay):
    return [(p.network.sources[i], lay.labels[t]) for i, t in _hold_rows(p, lay)]


def _hold_terms(p, lay):
    d = p.periods.length.astype(float)
    rows = _hold_rows(p, lay)
    r = np.repeat(np.arange(len(rows)), 2)
    c = np.array([c for i, t in rows for c in (i * lay.P + t, i * lay.P + t - 1)], np.int64)
    v = np.array([v for _, t in rows for v in (-1.0 / d[t], 1.0 / d[t - 1])])
    return [Terms("z", r.astype(np.int64), c, v)]


def _hold_bounds(p, lay):
    """(q_t − z_t)/Δ_t − (q_{t−1} − z_{t−1})/Δ_{t−1} ≤ 0 where the cut holds, else +∞."""
    rows = _hold_rows(p, lay)
    q = p.caps.supply  # (..., S, P)
    if not rows:
        return _up(np.zeros(q.shape[:-2] + (0,)))
    i = np.array([r[0] for r in rows])
    t = np.array([r[1] for r in rows])
    d = p.periods.length.astype(float)
    held = np.asarray(p.caps.hold)[..., i, t] > 0.5
    up = -q[..., i, t] / d[t] + q[..., i, t - 1] / d[t - 1]
    return _up(np.where(held, up, INF))


# displaced crude ----------------------------------------------------------------------
def _in_window(p) -> np.ndarray:
    return np.asarray(p.caps.window) > 0  # (..., P)


def _plan_and_short(p, lay) -> tuple[np.ndarray, np.ndarray]:
    """(P[r,t], c[r,t]) for the served routes: the no-event plan and max(0, P − cap) (what the outage took off it), kt."""
    if p.plan is None:
        raise ValueError("the displaced rows need the no-event plan (energy_routes.model.plan.planned_params)")
    idx = [lay.route[r] for r in lay.served]
    plan = np.asarray(p.plan, float)[idx]
    with np.errstate(invalid="ignore"):  # an infeasible scenario's plan is +inf (model.plan): inf − inf
        short = np.nan_to_num(np.maximum(0.0, plan - np.asarray(p.caps.route_cap)[..., idx, :]), nan=INF, posinf=INF)
    return plan, short


def _dsp_route_terms(p, lay):
    """−s[r,t] + Σ_s x[s,r,t] − e[r,t] (e on scheduled routes)."""
    row = {r: i for i, r in enumerate(lay.served)}
    sv = [(i, i, -1.0) for i in range(len(lay.served))]
    x = [(row[r], lay.pair[(s, r)], 1.0) for s, r in p.network.pairs]
    e = [(row[r], lay.sched[r], -1.0) for r in lay.scheduled]
    return [_terms("s", sv, lay.P), _terms("x", x, lay.P), _terms("e", e, lay.P)]


def _dsp_route_bounds(p, lay):
    """≤ P[r,t] − c[r,t] in a displacement window (the credit d = c − s is at most what r carries below its plan,
    extra excluded); free elsewhere."""
    win = _in_window(p)[..., None, :]  # (..., 1, P)
    shape = win.shape[:-2] + (len(lay.served), lay.P)
    if not win.any():
        return _flat(np.full(shape, -INF)), _flat(np.full(shape, INF))
    plan, short = _plan_and_short(p, lay)
    with np.errstate(invalid="ignore"):
        rhs = np.nan_to_num(plan - short, nan=INF, posinf=INF)
    return _flat(np.full(shape, -INF)), _flat(np.where(win, rhs, INF))


def _credit_terms(prev: bool):
    """credit[t] (− credit[t−1], not in a year's first period, when ``prev``) + Σ_r s[r,t] + Σ_r e[r,t]."""

    def terms(p, lay):
        P = lay.P
        t = lay.t
        back = t[~lay.year_start] if prev else t[:0]
        ns, ne = len(lay.served), len(lay.scheduled)
        return [
            Terms("credit", np.concatenate([t, back]).astype(np.int64), np.concatenate([t, back - 1]).astype(np.int64), np.concatenate([np.ones(P), -np.ones(len(back))])),
            Terms("s", np.tile(t, ns).astype(np.int64), np.arange(ns * P, dtype=np.int64), np.ones(ns * P)),
            Terms("e", np.tile(t, ne).astype(np.int64), np.arange(ne * P, dtype=np.int64), np.ones(ne * P)),
        ]

    return terms


def _credit_bounds(code: int):
    """≤ Σ_r c[r,t] where the period's window code is ``code`` (1: a displacement window starts, 2: it continues);
    free elsewhere."""

    def bounds(p, lay):
        on = np.asarray(p.caps.window) == code  # (..., P)
        if not on.any():
            return np.full(on.shape, -INF), np.full(on.shape, INF)
        _, short = _plan_and_short(p, lay)
        return np.full(on.shape, -INF), np.where(on, short.sum(axis=-2), INF)

    return bounds


def _window_end(p, lay) -> np.ndarray:
    """(..., P) True where a displacement window ends: in a window, and the next period (of the same year) does not continue it."""
    code = np.asarray(p.caps.window)
    nxt = np.concatenate([code[..., 1:], np.zeros(code.shape[:-1] + (1,), code.dtype)], axis=-1)
    last_of_year = np.append(lay.year_start[1:], True)
    return (code > 0) & ((nxt != 2) | last_of_year)


def _credit_end_bounds(p, lay):
    """credit[t] ≥ 0 where a displacement window ends (so over the window Σ e ≤ Σ d); free elsewhere."""
    end = _window_end(p, lay)
    return np.where(end, 0.0, -INF), np.full(end.shape, INF)


# route_schedule / acceptance ----------------------------------------------------------
def _schedule_terms(p, lay):
    x = [(lay.sched[r], lay.pair[(s, r)], 1.0) for s, r in p.network.pairs if r in lay.sched]
    e = [(i, i, -1.0) for i in range(len(lay.scheduled))]
    return [_terms("x", x, lay.P), _terms("e", e, lay.P)]


def _schedule_bounds(p, lay):
    idx = [lay.route[r] for r in lay.scheduled]
    return _up(p.schedule[idx].reshape(len(idx) * lay.P))


def _accept_terms(p, lay):
    e = [(a, lay.sched[r], 1.0) for r, a in lay.acceptor_of.items() if a is not None]
    return [_terms("e", e, lay.P)]


def _accept_bounds(p, lay):
    return _up(_flat(p.caps.accept))


def _by_period(name_of_item: Callable[[tuple], str]):
    return DualReport(lambda key: (key[-1], name_of_item(key)))


CONSTRAINTS: tuple[ConFamily, ...] = (
    ConFamily(
        "supply_balance", ("source", "period"),
        "Σ_{a out of field s} f[s,a,t] + inj[s,k,t] − wd[s,k,t] (stores at the field) + z[s,t] = q[s,t]",
        lambda p, lay: _keys_by_period(p.network.sources, lay.labels),
        _supply_terms,
        lambda p, lay: _eq(_flat(p.caps.supply)),
        frozenset({"supply"}),
    ),
    ConFamily(
        "node_balance", ("source", "node", "period"),
        "Σ_{a into n} f[s,a,t] − Σ_{a out of n} f[s,a,t] − x[s,n,t] (n an outlet) − inj[s,k,t] + wd[s,k,t] (stores at n) = 0",
        lambda p, lay: _keys_by_period(p.network.balances, lay.labels),
        _node_terms,
        lambda p, lay: _eq(np.zeros(len(p.network.balances) * lay.P)),
    ),
    ConFamily(
        "asset_capacity", ("asset", "period"),
        "Σ_{s, a ∈ arcs of asset} f[s,a,t] ≤ cap[asset,t]",
        lambda p, lay: _keys_by_period(p.network.assets, lay.labels),
        _asset_terms,
        lambda p, lay: _up(_flat(p.caps.asset_cap)),
        frozenset({"asset_cap"}),
        _by_period(lambda k: k[0]),
        words={
            "id_kind": "asset",
            "per": "period",
            "what": {"+": "the capacity of {name} is used up"},
            "tonne": {"+": "one more tonne of its capacity for Kazakh crude"},
            "source": {"table": "asset_capacity", "key": {"asset": "{id}", "year": "{year}"}, "show": "{capacity_mt:g} Mt/yr, {third_party_mt:g} of it third party"},
            "events": True,
        },
    ),
    ConFamily(
        "route_capacity", ("route", "period"),
        "Σ_s x[s,r,t] ≤ cap[r,t] in periods where an event cuts route r itself, else +∞",
        lambda p, lay: _keys_by_period(lay.served, lay.labels),
        _route_cap_terms,
        _route_cap_bounds,
        frozenset({"route_row"}),
        _by_period(lambda k: k[0]),
        words={
            "id_kind": "route",
            "per": "period",
            "what": {"+": "{name} is full at its capacity after disruptions"},
            "tonne": {"+": "one more tonne of route capacity"},
            "source": {"table": "arcs", "key": {"to_node": "{id}"}, "show": "arc {arc} ({asset})"},
            "events": True,
        },
    ),
    ConFamily(
        "route_limit", ("route", "year"),
        "L_min[r,y] ≤ Σ_{t∈y} Σ_s x[s,r,t] ≤ L_max[r,y]   (kt, pro-rated to the horizon; no upper bound on a route an acceptor covers: route_schedule carries its cap)",
        _limit_keys,
        _limit_terms,
        _limit_bounds,
        frozenset(),
        DualReport(lambda k: (str(k[1]), k[0])),
        elastic_lower=True,
        words={
            "id_kind": "route",
            "per": "year",
            "what": {"+": "the cap of {bound:g} Mt/yr on {name} binds", "-": "the commitment of at least {bound:g} Mt/yr on {name} binds"},
            "tonne": {"+": "one more tonne of cap", "-": "one more tonne of commitment"},
            "source": {"setting": "route_limits"},
        },
    ),
    ConFamily(
        "route_share", ("route", "year"),
        "Σ_{t∈y} Σ_s x[s,r,t] − σ[r,y] Σ_{t∈y} Σ_{(s,r')} x[s,r',t] ≤ 0",
        _share_keys,
        _share_terms,
        lambda p, lay: _up(np.zeros(len(_share_keys(p, lay)))),
        frozenset(),
        DualReport(lambda k: (str(k[1]), k[0])),
        words={
            "id_kind": "route",
            "per": "year",
            "what": {"+": "the cap of {bound:.0%} of the year's exports on {name} binds"},
            "tonne": {"+": "one more tonne of allowance"},
            "source": {"setting": "route_shares"},
        },
    ),
    ConFamily(
        "source_route_limit", ("source", "route", "period"),
        "x[s,r,t] ≤ 1000 M[s,r] n_t / D_y   (kt; the shipper's allocation, monthly: M Mt/yr pro-rated to the period's n_t of the year's D_y days)",
        _pair_keys,
        _pair_terms,
        _pair_bounds,
        frozenset(),
        _by_period(lambda k: f"{k[0]}:{k[1]}"),
        words={
            "id_kind": "source_route",
            "per": "period",
            "what": {"+": "the limit of {bound:g} Mt/yr on {source_name} crude via {name} binds"},
            "tonne": {"+": "one more tonne of that limit"},
            "source": {"table": "source_routes", "key": {"source": "{source}", "route": "{route}"}, "show": "max_mt {max_mt:g}"},
        },
    ),
    ConFamily(
        "route_schedule", ("route", "period"),
        "Σ_s x[s,r,t] − e[r,t] ≤ S[r,t]   (S the scheduled kt of the period; routes with a schedule)",
        lambda p, lay: _keys_by_period(lay.scheduled, lay.labels),
        _schedule_terms,
        _schedule_bounds,
        frozenset(),
        _by_period(lambda k: k[0]),
        words={
            "id_kind": "route",
            "per": "period",
            "what": {"+": "{name} is at its planned schedule"},
            "tonne": {"+": "one more tonne of schedule"},
            "source": {"table": "schedules", "key": {"route": "{id}", "year": "{year}"}, "show": "{schedule_kt:g} kt in month {month}", "or_setting": "route_limits"},
        },
    ),
    ConFamily(
        "acceptance", ("acceptor", "period"),
        "Σ_{r covered by a} e[r,t] ≤ A[a,t]   (A: extra_kt_per_month over the period's disrupted days after the lead time, else 0)",
        lambda p, lay: _keys_by_period(lay.acceptors, lay.labels),
        _accept_terms,
        _accept_bounds,
        frozenset({"accept"}),
        _by_period(lambda k: k[0]),
        words={
            "id_kind": "acceptor",
            "per": "period",
            "what": {"+": "the extra acceptance of {name} above the schedules is used up"},
            "tonne": {"+": "one more tonne of extra acceptance"},
            "source": {"table": "acceptance", "key": {"acceptor": "{id}"}, "show": "{extra_kt_per_month:g} kt/month after {lead_time_days} days at {premium_usd_per_t:g} $/t"},
        },
    ),
    ConFamily(
        "store_balance", ("source", "store", "period"),
        "level[s,k,t] − level[s,k,t−1] − inj[s,k,t] + wd[s,k,t] = 0; in a year's first period level[s,k,t−1] is the opening level (right-hand side)",
        lambda p, lay: _keys_by_period(p.network.holdings, lay.labels),
        _store_balance_terms,
        _store_balance_bounds,
    ),
    ConFamily(
        "store_level", ("store", "period"),
        "min_level[k] ≤ Σ_s level[s,k,t] ≤ capacity[k]",
        _store_keys,
        _per_store("level"),
        _store_level_bounds,
        frozenset(),
        _by_period(lambda k: k[0]),
        words={
            "id_kind": "store",
            "per": "period",
            "what": {"+": "no tank room is left in the {name}", "-": "the level in the {name} is down to its minimum working level"},
            "tonne": {"+": "one more tonne of tank room", "-": "one more tonne of minimum working level"},
            "source": {"table": "stores", "key": {"store": "{id}"}, "show": "{capacity_kt:g} kt, minimum {min_level_kt:g} kt, opening {opening_kt:g} kt"},
        },
    ),
    ConFamily(
        "store_hold", ("store", "period"),
        "Σ_s level[s,k,t] = opening[k] in a settled period (no disrupted day in the last 30 days), free elsewhere",
        _store_keys,
        _per_store("level"),
        _store_hold_bounds,
        frozenset({"settled"}),
        _by_period(lambda k: k[0]),
        words={
            "id_kind": "store",
            "per": "period",
            "what": {
                "+": "the level in the {name} is held at the working level (no disruption in the last 30 days): no crude may be kept there above the plan",
                "-": "the level in the {name} is held at the working level (no disruption in the last 30 days): it may not be drawn down ahead of an outage nobody foresees",
            },
            "tonne": {"+": "one more tonne of working level", "-": "one more tonne of working level"},
            "source": {"table": "stores", "key": {"store": "{id}"}, "show": "opening {opening_kt:g} kt"},
        },
    ),
    ConFamily(
        "store_share", ("source", "store", "period"),
        "level[s,k,t] − σ[s,k,y] Σ_s' level[s',k,t] = 0 in a settled period (σ: s's share of k's opening level in year y), free elsewhere; stores holding more than one source",
        _store_share_keys,
        _store_share_terms,
        _store_share_bounds,
        frozenset({"settled"}),
    ),
    ConFamily(
        "store_injection", ("store", "period"),
        "Σ_s inj[s,k,t] ≤ max_in[k] × Δ_t",
        _store_keys,
        _per_store("inj"),
        _store_rate_bounds("max_in_kt_per_day"),
        frozenset(),
        _by_period(lambda k: k[0]),
        words={
            "id_kind": "store",
            "per": "period",
            "what": {"+": "crude goes into the {name} as fast as it can"},
            "tonne": {"+": "one more tonne of daily intake over the period"},
            "source": {"table": "stores", "key": {"store": "{id}"}, "show": "max_in {max_in_kt_per_day:g} kt/day"},
        },
    ),
    ConFamily(
        "store_withdrawal", ("store", "period"),
        "Σ_s wd[s,k,t] ≤ max_out[k] × Δ_t",
        _store_keys,
        _per_store("wd"),
        _store_rate_bounds("max_out_kt_per_day"),
        frozenset(),
        _by_period(lambda k: k[0]),
        words={
            "id_kind": "store",
            "per": "period",
            "what": {"+": "crude comes out of the {name} as fast as it can"},
            "tonne": {"+": "one more tonne of daily outflow over the period"},
            "source": {"table": "stores", "key": {"store": "{id}"}, "show": "max_out {max_out_kt_per_day:g} kt/day"},
        },
    ),
    ConFamily(
        "cut_hold", ("source", "period"),
        "(q[s,t] − z[s,t])/Δ_t − (q[s,t−1] − z[s,t−1])/Δ_{t−1} ≤ 0 where t's first day is 1..L_s−1 days after a run of disrupted days began, else +∞ (sources with a decision horizon L_s, t not a year's first period)",
        _hold_keys,
        _hold_terms,
        _hold_bounds,
        frozenset({"supply", "hold"}),
        _by_period(lambda k: k[0]),
        words={
            "id_kind": "source",
            "per": "period",
            "what": {"+": "{name} holds the cut it made when the disruption began"},
            "tonne": {"+": "one more tonne of output restored within the decision horizon"},
            "source": {"table": "sources", "key": {"source": "{id}"}, "show": "cut_hold_days {cut_hold_days:g}"},
        },
    ),
    ConFamily(
        "ramp_up", ("source", "period"),
        "(q[s,t] − z[s,t])/Δ_t − (q[s,t−1] − z[s,t−1])/Δ_{t−1} ≤ ρ_s (Δ_{t−1} + Δ_t)/2, for t not a year's first period",
        _ramp_keys,
        _ramp_terms,
        _ramp_bounds,
        frozenset({"supply"}),
        _by_period(lambda k: k[0]),
        words={
            "id_kind": "source",
            "per": "period",
            "what": {"+": "{name} production cannot come back faster after the cut"},
            "tonne": {"+": "one more tonne of recovery"},
            "source": {"table": "sources", "key": {"source": "{id}"}, "show": "ramp_up_per_day {ramp_up_per_day:g}"},
        },
    ),
    ConFamily(
        "displaced_route", ("route", "period"),
        "−s[r,t] + Σ_s x[s,r,t] − e[r,t] ≤ P[r,t] − c[r,t] in a displacement window, free elsewhere   (P: route r's volume in the "
        "no-event plan, c = max(0, P − cap): the credit d = c − s ≤ c is at most what r carries below its plan, extra excluded)",
        lambda p, lay: _keys_by_period(lay.served, lay.labels),
        _dsp_route_terms,
        _dsp_route_bounds,
        frozenset({"window", "route_cap"}),
        plan_relative=True,
    ),
    ConFamily(
        "displaced_start", ("period",),
        "credit[t] + Σ_r s[r,t] + Σ_r e[r,t] ≤ Σ_r c[r,t] where a displacement window starts at t, free elsewhere",
        _period_keys,
        _credit_terms(prev=False),
        _credit_bounds(1),
        frozenset({"window", "route_cap"}),
        plan_relative=True,
    ),
    ConFamily(
        "displaced", ("period",),
        "credit[t] − credit[t−1] + Σ_r s[r,t] + Σ_r e[r,t] ≤ Σ_r c[r,t] where t continues a displacement window, free elsewhere: "
        "over a window to date the extra accepted is at most the crude the outage displaced (Σ e ≤ Σ d)",
        _period_keys,
        _credit_terms(prev=True),
        _credit_bounds(2),
        frozenset({"window", "route_cap"}),
        plan_relative=True,
    ),
    ConFamily(
        "displaced_end", ("period",),
        "credit[t] ≥ 0 where a displacement window ends, free elsewhere",
        _period_keys,
        lambda p, lay: [Terms("credit", lay.t.astype(np.int64), lay.t.astype(np.int64), np.ones(lay.P))],
        _credit_end_bounds,
        frozenset({"window"}),
        plan_relative=True,
    ),
)
CONS = {c.name: c for c in CONSTRAINTS}

#: the families whose duals go to shadow_prices.csv (and to a sweep's binding column)
REPORTED = tuple(c.name for c in CONSTRAINTS if c.dual is not None)

#: which binding family explains a loss first when several bind with the same value (constraints in series on
#: one path carry one shadow price): a capacity, schedule, acceptance or limit stops the crude; a full or
#: held tank is where it backs up behind one. Families not listed come after, in name order. Used by a
#: sweep's ``bottleneck`` and a story's reason.
EXPLAIN_FIRST = ("asset_capacity", "route_capacity", "route_schedule", "acceptance", "source_route_limit", "route_limit", "route_share")


#: rules for what operators know and do, not capacities: a store held at its working level while nobody foresees
#: an outage, a cut held for its decision horizon. Their shadow price is what foresight would be worth, which no
#: investment buys, so they are reported among the binding constraints but are never a sweep's ``bottleneck``
RULES = frozenset({"store_hold", "cut_hold"})


def explain_rank(family: str) -> int:
    """Position of ``family`` in :data:`EXPLAIN_FIRST` (after all of them when not listed)."""
    return EXPLAIN_FIRST.index(family) if family in EXPLAIN_FIRST else len(EXPLAIN_FIRST)


# ----------------------------------------------------------------------------- the assembled spec


@dataclass
class ConBlock:
    keys: list[tuple]
    lower: np.ndarray
    upper: np.ndarray
    terms: list[Terms]


@dataclass
class ModelSpec:
    """Every family's keys, bounds, costs and coefficients for one OilParams: what the Pyomo build renders."""

    params: OilParams
    layout: Layout
    var_keys: dict[str, list[tuple]]
    var_lower: dict[str, np.ndarray]
    var_upper: dict[str, np.ndarray]
    var_cost: dict[str, np.ndarray]  # economic objective coefficients, $/t
    var_tie: dict[str, np.ndarray]  # tie-break coefficients (≤ 0), $/t; the LP maximises cost + tie
    cons: dict[str, ConBlock]


def model_spec(p: OilParams) -> ModelSpec:
    """Evaluate every declaration for ``p`` (no batch axes)."""
    lay = Layout(p)
    var_keys, lo, up, cost, tie = {}, {}, {}, {}, {}
    for v in VARIABLES:
        keys = v.keys(p)
        var_keys[v.name] = keys
        lo[v.name], up[v.name] = v.bounds(p, lay)
        cost[v.name] = np.asarray(v.cost(p, lay, keys), float)
        tie[v.name] = -TIE_USD_PER_T * tie_weights(v.name, keys) if v.tie_break else np.zeros(len(keys))
    cons = {}
    for c in CONSTRAINTS:
        keys = c.keys(p, lay)
        if not keys:
            continue
        lower, upper = c.bounds(p, lay)
        cons[c.name] = ConBlock(keys, np.asarray(lower, float), np.asarray(upper, float), [t for t in c.terms(p, lay) if len(t.row)])
    return ModelSpec(p, lay, var_keys, lo, up, cost, tie, cons)


def batch_bounds(family: str, p: OilParams, lay: Layout) -> tuple[np.ndarray, np.ndarray]:
    """Row bounds of one family for ``p`` whose caps may carry leading case axes (lower broadcast to the same shape)."""
    lo, up = CONS[family].bounds(p, lay)
    lo, up = np.asarray(lo, float), np.asarray(up, float)
    shape = np.broadcast_shapes(lo.shape, up.shape)
    return np.broadcast_to(lo, shape), np.broadcast_to(up, shape)
