"""The power network of one (power year, weather year) as numpy arrays (docs/model.md §2).

Reads, from a resolved scenario: ``power_nodes``, ``power_generators``,
``power_offtake``, ``power_links``, ``power_stores``, ``power_costs``,
``power_profiles``, the scenario's events on power links and its ``power:``
settings (weather years, transit-only nodes, country shares, extendable
assets, discount rate). Elements with no capacity in the year (not yet
commissioned, or zero) are left out unless the planning mode sizes them, and
so are nodes that nothing touches; every array below is over what remains.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..events import event_losses, remaining_from_losses

HOURS = 8760


@dataclass
class Extend:
    """A capacity the planning mode chooses: bounds and annualised cost."""

    lo: float
    hi: float  # np.inf = no upper bound
    cost: float  # $ per MW-yr (per MWh-yr for a store's energy): annuity + fixed O&M


@dataclass
class Share:
    """Country ``country`` may use at most ``max_share`` of link ``link``'s capacity: over the feeders into its sending node."""

    link: int
    country: str
    max_share: float
    feeders: np.ndarray  # link indices from nodes of that country into the link's sending node


@dataclass
class PowerNet:
    """Everything one power LP is built from. Power in MW (= MWh per hour), money in $."""

    year: int
    weather_year: int
    hours: int
    nodes: list[str]
    country: list[str]  # per node
    # generators g: output p[g,h] <= avail[g,h] * cap[g]; variable cost vom[g]
    gen: list[str] = field(default_factory=list)
    gen_node: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    gen_cap: np.ndarray = field(default_factory=lambda: np.zeros(0))
    gen_avail: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    gen_vom: np.ndarray = field(default_factory=lambda: np.zeros(0))
    # offtake o at node off_node[o]: q[o,h] <= off_cap[o,h] (inf = no cap), worth off_value[o,h] $/MWh
    off_node: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    off_cap: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    off_value: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    off_gas_m3: np.ndarray = field(default_factory=lambda: np.zeros(0))  # gas saved per MWh of offtake (0 = not a gas node)
    # links l from link_from to link_to: f[l,h] <= rho[l,h] * cap[l] sent, eta[l] * f received, wheel $/MWh sent
    link: list[str] = field(default_factory=list)
    link_kind: list[str] = field(default_factory=list)
    link_from: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    link_to: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    link_cap: np.ndarray = field(default_factory=lambda: np.zeros(0))
    link_rho: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    link_eta: np.ndarray = field(default_factory=lambda: np.zeros(0))
    link_wheel: np.ndarray = field(default_factory=lambda: np.zeros(0))
    # stores s at store_node: charge, discharge <= power[s]; level <= energy[s];
    # level[h] = (1 - loss) level[h-1] + eta charge - discharge / eta, cyclic; cost $/MWh charged
    store: list[str] = field(default_factory=list)
    store_node: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    store_power: np.ndarray = field(default_factory=lambda: np.zeros(0))
    store_energy: np.ndarray = field(default_factory=lambda: np.zeros(0))
    store_eta: np.ndarray = field(default_factory=lambda: np.zeros(0))  # one way: sqrt(round trip)
    store_loss: np.ndarray = field(default_factory=lambda: np.zeros(0))
    store_cost: np.ndarray = field(default_factory=lambda: np.zeros(0))
    shares: list[Share] = field(default_factory=list)
    # planning mode: index -> Extend
    ext_gen: dict[int, Extend] = field(default_factory=dict)
    ext_link: dict[int, Extend] = field(default_factory=dict)
    ext_store_power: dict[int, Extend] = field(default_factory=dict)
    ext_store_energy: dict[int, Extend] = field(default_factory=dict)
    # annualised fixed cost per unit of every element, $ per MW-yr (store energy: per MWh-yr), for reporting
    unit_cost: dict[str, float] = field(default_factory=dict)
    status: str = ""  # "" = build the LP; otherwise why there is none ("no link in service")

    @property
    def planning(self) -> bool:
        return bool(self.ext_gen or self.ext_link or self.ext_store_power or self.ext_store_energy)


def link_efficiency(kind: str, length_km: float, line_loss_per_1000km: float, converter_loss: float) -> float:
    """η = (1 − c)² (1 − λ L / 1000) for HVDC (a converter at each end), (1 − λ L / 1000) otherwise."""
    line = max(0.0, 1.0 - line_loss_per_1000km * length_km / 1000.0)
    return (1.0 - converter_loss) ** 2 * line if kind.startswith("hvdc") else line


def annuity_factor(rate: float, years: int) -> float:
    """Capital recovery factor r (1 + r)^n / ((1 + r)^n − 1); 1/n at r = 0."""
    if rate == 0:
        return 1.0 / years
    g = (1.0 + rate) ** years
    return rate * g / (g - 1.0)


def _annual(costs: pd.DataFrame, item: str, rate: float) -> float:
    """$ per unit-yr of a cost item: capex × (annuity + fixed O&M share); 0 if the item is not listed."""
    if item not in costs.index:
        return 0.0
    c = costs.loc[item]
    return float(c["capex_usd_per_unit"]) * (annuity_factor(rate, int(c["lifetime_yr"])) + float(c["fom_share"]))


def hourly_remaining(events, year: int, target: str) -> np.ndarray:
    """Remaining fraction of ``target`` for each hour of a 365-day ``year`` (29 Feb dropped)."""
    days = pd.date_range(f"{year}-01-01", f"{year}-12-31", freq="D")
    days = days[~((days.month == 2) & (days.day == 29))]
    loss = event_losses([e for e in events if e.target == target], days).get(target)
    return np.ones(HOURS) if loss is None else np.repeat(remaining_from_losses(loss), 24)


def weather_years(scenario) -> list[int]:
    """The weather years a scenario solves: ``power.weather_years``, or weather year 1 (profiles number them 1..N)."""
    p = scenario.settings.power
    return list(p.weather_years) if p is not None and p.weather_years else [1]


def links_in_service(scenario, year: int) -> bool:
    """Whether any link other than a busbar feeder carries power in ``year`` (or is sized by the planning mode)."""
    links = scenario.inputs["power_links"]
    ps = scenario.settings.power
    sized = {e.asset for e in ps.extendable} if ps is not None and ps.mode == "planning" else set()
    live = (links["commissioning_year"] <= year) & (links["capacity_mw"] > 0) | links["asset"].isin(sized)
    return bool((live & (links["kind"] != "busbar")).any())


def offtake_row(off: pd.DataFrame, node: str, year: int) -> pd.Series | None:
    """The ``power_offtake`` row of ``node`` in force in ``year``: the latest with year ≤ ``year``."""
    rows = off[(off["node"] == node) & (off["year"] <= year)]
    return None if rows.empty else rows.loc[rows["year"].idxmax()]


def offtake_value(row: pd.Series) -> float:
    """$/MWh: value_usd_per_mwh, or the gas it saves at its export netback (+ the gas plant's variable cost)."""
    if not pd.isna(row["value_usd_per_mwh"]):
        return float(row["value_usd_per_mwh"])
    vom = 0.0 if pd.isna(row["gas_vom_usd_per_mwh"]) else float(row["gas_vom_usd_per_mwh"])
    return float(row["gas_netback_usd_per_1000m3"]) * float(row["gas_m3_per_mwh"]) / 1000.0 + vom


def power_net(scenario, year: int, weather_year: int, *, events=None) -> PowerNet:
    """The network of ``year`` under ``weather_year`` (docs/model.md §2); ``events`` default to the scenario's."""
    inp = scenario.inputs
    ps = scenario.settings.power
    events = scenario.settings.events if events is None else events
    prof = inp["power_profiles"]
    prof = prof[prof["weather_year"] == weather_year].sort_values("hour")
    costs = inp["power_costs"].set_index("item")
    rate = ps.discount_rate if ps is not None else 0.08
    ext = {e.asset: e for e in (ps.extendable if ps is not None and ps.mode == "planning" else [])}
    transit = set(ps.transit_only if ps is not None else [])
    nodes_df = inp["power_nodes"]
    all_nodes = nodes_df["node"].tolist()
    node_country = dict(zip(nodes_df["node"], nodes_df["country"]))
    unit_cost: dict[str, float] = {}

    def extend(asset: str, mw_cost: float, energy: bool = False) -> Extend | None:
        e = ext.get(asset)
        if e is None:
            return None
        if energy:
            return Extend(e.min_mwh, np.inf if e.max_mwh is None else e.max_mwh, mw_cost)
        return Extend(e.min_mw, np.inf if e.max_mw is None else e.max_mw, mw_cost)

    # generators
    g_rows, g_ext = [], {}
    for _, r in inp["power_generators"].iterrows():
        cost = _annual(costs, r["technology"], rate)
        unit_cost[r["generator"]] = cost
        x = extend(r["generator"], cost)
        in_service = int(r["commissioning_year"]) <= year and float(r["capacity_mw"]) > 0
        if x is None and not in_service:
            continue
        if x is not None:
            g_ext[len(g_rows)] = x
        g_rows.append((r["generator"], r["node"], float(r["capacity_mw"]) if in_service else 0.0, prof[r["profile"]].to_numpy(float), float(r["vom_usd_per_mwh"])))
    # links
    l_rows, l_ext = [], {}
    for _, r in inp["power_links"].iterrows():
        kind = r["kind"]
        cost = 0.0 if kind == "busbar" else _annual(costs, kind, rate) * float(r["length_km"])
        if kind.startswith("hvdc"):
            cost += _annual(costs, "hvdc_converter_pair", rate)
        unit_cost[r["asset"]] = cost
        x = extend(r["asset"], cost)
        in_service = int(r["commissioning_year"]) <= year and float(r["capacity_mw"]) > 0
        if x is None and not in_service:
            continue
        if x is not None:
            l_ext[len(l_rows)] = x
        eta = link_efficiency(kind, float(r["length_km"]), float(r["line_loss_per_1000km"]), float(r["converter_loss"]))
        rho = hourly_remaining(events, year, r["asset"])
        l_rows.append((r["asset"], kind, r["from_node"], r["to_node"], float(r["capacity_mw"]) if in_service else 0.0, rho, eta, float(r["wheeling_usd_per_mwh"])))
    # stores
    s_rows, s_ext_p, s_ext_e = [], {}, {}
    for _, r in inp["power_stores"].iterrows():
        cp, ce = _annual(costs, "battery_power", rate), _annual(costs, "battery_energy", rate)
        unit_cost[r["store"]] = cp
        unit_cost[r["store"] + ":energy"] = ce
        xp, xe = extend(r["store"], cp), extend(r["store"], ce, energy=True)
        in_service = int(r["commissioning_year"]) <= year and float(r["power_mw"]) > 0 and float(r["energy_mwh"]) > 0
        if xp is None and not in_service:
            continue
        if xp is not None:
            s_ext_p[len(s_rows)], s_ext_e[len(s_rows)] = xp, xe
        s_rows.append(
            (r["store"], r["node"], float(r["power_mw"]) if in_service else 0.0, float(r["energy_mwh"]) if in_service else 0.0,
             float(np.sqrt(r["round_trip_efficiency"])), float(r["standing_loss_per_hour"]), float(r["cost_usd_per_mwh"]))
        )
    # offtake
    o_rows = []
    off = inp["power_offtake"]
    for n in all_nodes:
        if n in transit:
            continue
        row = offtake_row(off, n, year)
        if row is None:
            continue
        value = offtake_value(row) * (prof[row["price_profile"]].to_numpy(float) if not pd.isna(row["price_profile"]) else np.ones(HOURS))
        if pd.isna(row["demand_mw"]):
            cap = np.full(HOURS, np.inf)
        else:
            shape = prof[row["demand_profile"]].to_numpy(float) if not pd.isna(row["demand_profile"]) else np.ones(HOURS)
            cap = float(row["demand_mw"]) * shape
            if float(row["demand_mw"]) == 0:
                continue
        gas = 0.0 if pd.isna(row["gas_m3_per_mwh"]) else float(row["gas_m3_per_mwh"])
        o_rows.append((n, cap, value, gas))

    used = {r[1] for r in g_rows} | {r[2] for r in l_rows} | {r[3] for r in l_rows} | {r[1] for r in s_rows}
    o_rows = [r for r in o_rows if r[0] in used]  # an offtake nothing can reach takes nothing
    nodes = [n for n in all_nodes if n in used]
    pos = {n: i for i, n in enumerate(nodes)}
    net = PowerNet(year, weather_year, HOURS, nodes, [node_country[n] for n in nodes], unit_cost=unit_cost)
    net.gen = [r[0] for r in g_rows]
    net.gen_node = np.array([pos[r[1]] for r in g_rows], dtype=int)
    net.gen_cap = np.array([r[2] for r in g_rows], dtype=float)
    net.gen_avail = np.array([r[3] for r in g_rows], dtype=float).reshape(len(g_rows), HOURS)
    net.gen_vom = np.array([r[4] for r in g_rows], dtype=float)
    net.off_node = np.array([pos[r[0]] for r in o_rows], dtype=int)
    net.off_cap = np.array([r[1] for r in o_rows], dtype=float).reshape(len(o_rows), HOURS)
    net.off_value = np.array([r[2] for r in o_rows], dtype=float).reshape(len(o_rows), HOURS)
    net.off_gas_m3 = np.array([r[3] for r in o_rows], dtype=float)
    net.link = [r[0] for r in l_rows]
    net.link_kind = [r[1] for r in l_rows]
    net.link_from = np.array([pos[r[2]] for r in l_rows], dtype=int)
    net.link_to = np.array([pos[r[3]] for r in l_rows], dtype=int)
    net.link_cap = np.array([r[4] for r in l_rows], dtype=float)
    net.link_rho = np.array([r[5] for r in l_rows], dtype=float).reshape(len(l_rows), HOURS)
    net.link_eta = np.array([r[6] for r in l_rows], dtype=float)
    net.link_wheel = np.array([r[7] for r in l_rows], dtype=float)
    net.store = [r[0] for r in s_rows]
    net.store_node = np.array([pos[r[1]] for r in s_rows], dtype=int)
    net.store_power = np.array([r[2] for r in s_rows], dtype=float)
    net.store_energy = np.array([r[3] for r in s_rows], dtype=float)
    net.store_eta = np.array([r[4] for r in s_rows], dtype=float)
    net.store_loss = np.array([r[5] for r in s_rows], dtype=float)
    net.store_cost = np.array([r[6] for r in s_rows], dtype=float)
    net.ext_gen, net.ext_link, net.ext_store_power, net.ext_store_energy = g_ext, l_ext, s_ext_p, s_ext_e
    lpos = {name: i for i, name in enumerate(net.link)}
    for sh in ps.shares if ps is not None else []:
        if sh.link not in lpos:
            continue  # the link is not in service this year
        src = net.link_from[lpos[sh.link]]
        feeders = np.array([i for i in range(len(net.link)) if net.link_to[i] == src and net.country[net.link_from[i]] == sh.country], dtype=int)
        if feeders.size:  # a cap on a country that does not feed the link binds nothing
            net.shares.append(Share(lpos[sh.link], sh.country, sh.max_share, feeders))
    return net


def power_nets(scenario, *, events=None) -> list[PowerNet]:
    """One network per (power year, weather year) of the scenario, in that order.

    A year with no link in service gets an empty network with its ``status`` set: no LP is built
    and the hourly profiles are not even read."""
    out = []
    for y in scenario.power_years:
        for w in weather_years(scenario):
            if links_in_service(scenario, y):
                out.append(power_net(scenario, y, w, events=events))
            else:
                out.append(PowerNet(y, w, HOURS, [], [], status="no link in service"))
    return out
