"""The oil network as data: fields, hubs and outlets joined by arcs, with stores at nodes.

Reads ``sources.csv`` (source: a field node), ``routes.csv`` (route: an outlet
node, where the crude is sold), ``nodes.csv`` (node, kind: the hubs, ports
and terminals in between), ``arcs.csv`` (arc, from_node, to_node, asset,
tariff_usd_per_t; ``asset`` blank for an uncapacitated feeder),
``stores.csv`` (store, node, capacity and working levels) and
``source_routes.csv`` (which source may be sold at which outlet).

Crude keeps its source's identity along the way (one commodity per source),
so flows by source and route, per-pair caps and feeder costs mean what they
meant when routes were fixed paths. Source ``s`` may use arc ``u -> v`` when
``u`` can be reached from ``s`` and ``v`` leads to an outlet ``s`` is
connected to (docs/model.md §1 "Network").
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import pandas as pd

from .errors import Problem


@dataclass(frozen=True)
class Arc:
    arc: str
    src: str
    dst: str
    asset: str | None
    tariff: float  # $/t


@dataclass(frozen=True)
class Store:
    store: str
    node: str
    capacity_kt: float
    min_level_kt: float
    opening_kt: float
    max_in_kt_per_day: float
    max_out_kt_per_day: float


@dataclass
class OilNetwork:
    """Nodes, arcs, stores and which source may use which of them."""

    sources: list[str]
    routes: list[str]
    hubs: list[str]
    arcs: list[Arc]
    pairs: list[tuple[str, str]]  # K: (source, route) that may be sold
    flows: list[tuple[str, str]]  # (source, arc) a source's crude may use
    balances: list[tuple[str, str]]  # (source, node): a balance row at every hub and outlet a source can be at
    stores: list[Store]
    holdings: list[tuple[str, str]]  # (source, store): whose crude a store can hold
    assets: list[str]  # oil assets that carry some flow, in assets.csv order
    route_assets: dict[str, list[str]]  # assets on the arcs into each outlet
    route_tariff: dict[tuple[str, str], float]  # (source, route): tariffs on the cheapest path, $/t

    def arcs_of_asset(self, asset: str) -> list[str]:
        return [a.arc for a in self.arcs if a.asset == asset]


def _reach(start: set[str], succ: dict[str, list[str]]) -> set[str]:
    seen, todo = set(start), list(start)
    while todo:
        u = todo.pop()
        for v in succ.get(u, ()):
            if v not in seen:
                seen.add(v)
                todo.append(v)
    return seen


def build_network(tables: dict[str, pd.DataFrame]) -> OilNetwork:
    """The network of validated tables (see :func:`check_network` for what is checked)."""
    sources = tables["sources"]["source"].tolist()
    routes = tables["routes"]["route"].tolist()
    hubs = tables["nodes"]["node"].tolist()
    asset_order = tables["assets"]["asset"].tolist()
    arcs = [
        Arc(r.arc, r.from_node, r.to_node, None if pd.isna(r.asset) or r.asset == "" else r.asset, float(r.tariff_usd_per_t))
        for r in tables["arcs"].itertuples()
    ]
    succ: dict[str, list[str]] = defaultdict(list)
    pred: dict[str, list[str]] = defaultdict(list)
    for a in arcs:
        succ[a.src].append(a.dst)
        pred[a.dst].append(a.src)
    sr = tables["source_routes"]
    pairs = sorted(zip(sr["source"], sr["route"]), key=lambda p: (sources.index(p[0]), routes.index(p[1])))
    outlets_of = defaultdict(set)
    for s, r in pairs:
        outlets_of[s].add(r)
    flows: list[tuple[str, str]] = []
    balances: set[tuple[str, str]] = set()
    for s in sources:
        fwd = _reach({s}, succ)
        bwd = _reach(outlets_of[s], pred)
        for a in arcs:
            if a.src in fwd and a.dst in bwd:
                flows.append((s, a.arc))
                balances.add((s, a.dst))
    node_order = {n: i for i, n in enumerate(sources + hubs + routes)}
    balances_l = sorted(balances, key=lambda k: (sources.index(k[0]), node_order[k[1]]))
    arc_of = {a.arc: a for a in arcs}
    used_assets = {arc_of[a].asset for _, a in flows if arc_of[a].asset}
    assets = [a for a in asset_order if a in used_assets]
    route_assets = {}
    for r in routes:
        srcs = {s for s, r2 in pairs if r2 == r}
        fwd = _reach(srcs, succ)
        bwd = _reach({r}, pred)
        on = {a.asset for a in arcs if a.asset and a.src in fwd and a.dst in bwd}
        route_assets[r] = [a for a in asset_order if a in on]
    route_tariff = {}
    for s, r in pairs:
        route_tariff[(s, r)] = _cheapest(s, r, arcs)
    stores = [
        Store(r.store, r.node, float(r.capacity_kt), float(r.min_level_kt), float(r.opening_kt), float(r.max_in_kt_per_day), float(r.max_out_kt_per_day))
        for r in tables["stores"].itertuples()
    ] if "stores" in tables else []
    at_node = {(s, n) for s, n in balances_l} | {(s, s) for s in sources}
    holdings = [(s, k.store) for k in stores for s in sources if (s, k.node) in at_node]
    return OilNetwork(sources, routes, hubs, arcs, pairs, flows, balances_l, stores, holdings, assets, route_assets, route_tariff)


def _cheapest(s: str, r: str, arcs: list[Arc]) -> float:
    """Tariff of the cheapest path from field ``s`` to outlet ``r`` (Bellman–Ford on a small DAG)."""
    best = {s: 0.0}
    for _ in range(len(arcs) + 1):
        changed = False
        for a in arcs:
            if a.src in best and best[a.src] + a.tariff < best.get(a.dst, float("inf")) - 1e-12:
                best[a.dst] = best[a.src] + a.tariff
                changed = True
        if not changed:
            break
    return best.get(r, float("nan"))


def check_network(tables: dict[str, pd.DataFrame], lines: dict[str, pd.Series], problems: list[Problem]) -> None:
    """Checks across the network tables: one id space for nodes, arcs that go somewhere, no cycles,
    every connected source and outlet joined by a path, stores at real nodes with consistent levels."""
    need = ("sources", "routes", "nodes", "arcs", "source_routes", "assets")
    if any(tables.get(t) is None for t in need):
        return
    id_cols = (("sources", "source"), ("routes", "route"), ("nodes", "node"), ("arcs", "arc"), ("arcs", "from_node"), ("arcs", "to_node"), ("source_routes", "source"), ("source_routes", "route"))
    if any(tables[t][c].isna().any() for t, c in id_cols):
        return  # an empty id is reported on its own; the network cannot be checked around it
    sources = tables["sources"]["source"].tolist()
    routes = tables["routes"]["route"].tolist()
    hubs = tables["nodes"]["node"].tolist()
    kind = {**{s: "source" for s in sources}, **{r: "route" for r in routes}}
    for idx, n in tables["nodes"]["node"].items():
        if n in kind:
            problems.append(Problem("nodes.csv", f"node '{n}' is already a {kind[n]} id; sources, routes and nodes share one id space", line=int(lines["nodes"][idx]), column="node"))
    for idx, r in tables["routes"]["route"].items():
        if r in set(sources):
            problems.append(Problem("routes.csv", f"route '{r}' is also a source id; sources, routes and nodes share one id space", line=int(lines["routes"][idx]), column="route"))
    arcs = tables["arcs"]
    block = dict(zip(tables["assets"]["asset"], tables["assets"]["block"]))
    succ: dict[str, list[str]] = defaultdict(list)
    pred: dict[str, list[str]] = defaultdict(list)
    start_ok, end_ok = set(sources) | set(hubs), set(hubs) | set(routes)
    for idx, a in zip(arcs.index, arcs.to_dict("records")):  # records: iterrows built a Series per row
        line = int(lines["arcs"][idx])
        if a["from_node"] not in start_ok:
            where = "a route (outlet): crude is sold there and goes no further" if a["from_node"] in routes else "not a source or a node of nodes.csv"
            problems.append(Problem("arcs.csv", f"from_node '{a['from_node']}' is {where}; expected one of {', '.join(sorted(start_ok))}", line=line, column="from_node"))
        if a["to_node"] not in end_ok:
            where = "a source (field): arcs cannot flow into a field" if a["to_node"] in sources else "not a node of nodes.csv or a route"
            problems.append(Problem("arcs.csv", f"to_node '{a['to_node']}' is {where}; expected one of {', '.join(sorted(end_ok))}", line=line, column="to_node"))
        if a["from_node"] == a["to_node"]:
            problems.append(Problem("arcs.csv", f"arc '{a['arc']}' starts and ends at '{a['to_node']}'", line=line, column="to_node"))
        asset = a.get("asset")
        if isinstance(asset, str) and asset and block.get(asset) == "power":
            problems.append(Problem("arcs.csv", f"asset '{asset}' is a power asset; expected an oil asset or blank", line=line, column="asset"))
        succ[a["from_node"]].append(a["to_node"])
        pred[a["to_node"]].append(a["from_node"])
    if _has_cycle(succ):
        problems.append(Problem("arcs.csv", "the arcs form a cycle; crude must flow from fields towards outlets (a directed network without cycles)", column="to_node"))
        return
    for idx, r in tables["routes"]["route"].items():
        if r not in pred:
            problems.append(Problem("routes.csv", f"route '{r}' has no arc into it in arcs.csv", line=int(lines["routes"][idx]), column="route"))
    for idx, row in zip(tables["source_routes"].index, tables["source_routes"].to_dict("records")):
        s, r = row["source"], row["route"]
        if r in pred and r not in _reach({s}, succ):
            problems.append(Problem("source_routes.csv", f"no path of arcs from source '{s}' to route '{r}' in arcs.csv", line=int(lines["source_routes"][idx]), column="route"))
    stores = tables.get("stores")
    if stores is not None:
        for idx, k in zip(stores.index, stores.to_dict("records")):
            line = int(lines["stores"][idx])
            if k["node"] not in start_ok:
                problems.append(Problem("stores.csv", f"node '{k['node']}' is not a source or a node of nodes.csv (stores sit at fields, hubs, ports and terminals)", line=line, column="node"))
            if k["min_level_kt"] > k["capacity_kt"]:
                problems.append(Problem("stores.csv", f"min_level_kt {k['min_level_kt']:g} is above capacity_kt {k['capacity_kt']:g}", line=line, column="min_level_kt"))
            if not k["min_level_kt"] <= k["opening_kt"] <= k["capacity_kt"]:
                problems.append(Problem("stores.csv", f"opening_kt {k['opening_kt']:g} is outside the working range [{k['min_level_kt']:g}, {k['capacity_kt']:g}] (min_level_kt, capacity_kt)", line=line, column="opening_kt"))


def _has_cycle(succ: dict[str, list[str]]) -> bool:
    state: dict[str, int] = {}

    def visit(u: str) -> bool:
        state[u] = 1
        for v in succ.get(u, ()):
            if state.get(v) == 1 or (v not in state and visit(v)):
                return True
        state[u] = 2
        return False

    return any(u not in state and visit(u) for u in list(succ))
