"""Tidy tables of the solved power networks (docs/model.md §2, "Outputs").

``power_annual`` (per node), ``power_hourly`` (per node, link and country's
use of a shared link), ``power_links`` (per link), ``power_prices`` (nodal
marginal values), ``power_allocation`` (a shared link's use by country),
``power_assets`` (value and cost of each generator, link and store) and
``power_sizing`` (the sizing study). Energy in MWh per hour and GWh per year,
money in M$ (the LP works in $).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .dispatch import Dispatch
from .params import PowerNet

COLUMNS = {
    "power_annual": [
        "year", "weather_year", "node", "country", "available_gwh", "generation_gwh", "curtailed_gwh", "offtake_gwh",
        "imports_gwh", "exports_gwh", "link_losses_gwh", "storage_losses_gwh", "revenue_musd", "variable_cost_musd",
        "gas_saved_mcm", "mean_value_usd_per_mwh",
    ],
    "power_hourly": [
        "year", "weather_year", "hour", "kind", "id", "country", "available_mwh", "generation_mwh", "curtailed_mwh",
        "offtake_mwh", "charge_mwh", "discharge_mwh", "storage_mwh", "sent_mwh", "received_mwh", "capacity_mw",
    ],
    "power_links": [
        "year", "weather_year", "link", "kind", "from_node", "to_node", "capacity_mw", "sized", "sent_gwh", "received_gwh",
        "losses_gwh", "utilisation", "hours_at_capacity", "congestion_rent_musd", "share_rent_musd", "annual_cost_musd",
        "lcot_usd_per_mwh",
    ],
    "power_prices": ["year", "weather_year", "hour", "node", "usd_per_mwh"],
    "power_allocation": ["year", "weather_year", "link", "country", "sent_gwh", "share_of_flow", "max_share", "hours_at_cap"],
    "power_assets": [
        "year", "weather_year", "asset", "type", "node", "capacity_mw", "energy_mwh", "sized", "output_gwh",
        "annual_cost_musd", "value_musd", "net_musd", "levelised_cost_usd_per_mwh",
    ],
    "power_sizing": [
        "year", "weather_year", "link", "capacity_mw", "value_musd", "delivered_gwh", "congestion_rent_musd",
        "annual_cost_musd", "net_musd", "marginal_value_musd_per_gw", "lcot_usd_per_mwh",
    ],
}
#: a flow is "at capacity" within this many MW
AT_CAP_TOL = 1e-6


def link_rent(net: PowerNet, d: Dispatch) -> np.ndarray:
    """Congestion rent per link and hour, $: f (η λ_to − λ_from − w)."""
    return d.f * (net.link_eta[:, None] * d.price[net.link_to] - d.price[net.link_from] - net.link_wheel[:, None])


def share_rent(net: PowerNet, d: Dispatch) -> tuple[np.ndarray, np.ndarray]:
    """Rent of the country caps, $ per link and hour: (earned by the capped link, μ s ρ K; carried in its feeders' rent, μ η f).

    Where a country's cap binds, the price difference across its feeders is the cap's scarcity, not the
    feeders' own: that part of their rent belongs to the capacity of the capped link."""
    on_link, in_feeders = np.zeros_like(d.f), np.zeros_like(d.f)
    for i, sh in enumerate(net.shares):
        on_link[sh.link] += d.share_price[i] * sh.max_share * net.link_rho[sh.link] * d.link_cap[sh.link]
        for l in sh.feeders:
            in_feeders[l] += d.share_price[i] * net.link_eta[l] * d.f[l]
    return on_link, in_feeders


def shared_hub(net: PowerNet, link: int) -> np.ndarray | None:
    """Feeder links of ``link`` when it is shared: its sending node is a pure hub (only feeders in, only this link
    out) reached from nodes of two or more countries, or a country cap names it; else None."""
    src = net.link_from[link]
    if (net.gen_node == src).any() or (net.store_node == src).any() or (net.off_node == src).any():
        return None
    if ((net.link_from == src).sum()) != 1:
        return None
    feeders = np.flatnonzero(net.link_to == src)
    countries = {net.country[net.link_from[i]] for i in feeders}
    capped = any(sh.link == link for sh in net.shares)
    return feeders if feeders.size and (len(countries) > 1 or capped) else None


def _node_sum(node_of: np.ndarray, values: np.ndarray, n_nodes: int) -> np.ndarray:
    """Sum element rows onto their nodes: (elements × hours) -> (nodes × hours)."""
    out = np.zeros((n_nodes, values.shape[1] if values.ndim == 2 else 0))
    if len(node_of):
        np.add.at(out, node_of, values)
    return out


def _annual(net: PowerNet, d: Dispatch) -> pd.DataFrame:
    N, T = len(net.nodes), net.hours
    avail = _node_sum(net.gen_node, net.gen_avail * d.gen_cap[:, None], N).reshape(N, T)
    gen = _node_sum(net.gen_node, d.p, N).reshape(N, T)
    off = _node_sum(net.off_node, d.q, N).reshape(N, T)
    imp = _node_sum(net.link_to, d.f * net.link_eta[:, None], N).reshape(N, T)
    exp = _node_sum(net.link_from, d.f, N).reshape(N, T)
    loss = _node_sum(net.link_from, d.f * (1 - net.link_eta[:, None]), N).reshape(N, T)
    sto = _node_sum(net.store_node, d.ch - d.dis, N).reshape(N, T)
    rev = _node_sum(net.off_node, d.q * net.off_value, N).reshape(N, T)
    gas = _node_sum(net.off_node, d.q * net.off_gas_m3[:, None], N).reshape(N, T)
    cost = (
        _node_sum(net.gen_node, d.p * net.gen_vom[:, None], N).reshape(N, T)
        + _node_sum(net.link_from, d.f * net.link_wheel[:, None], N).reshape(N, T)
        + _node_sum(net.store_node, d.ch * net.store_cost[:, None], N).reshape(N, T)
    )
    return pd.DataFrame({
        "year": net.year, "weather_year": net.weather_year, "node": net.nodes, "country": net.country,
        "available_gwh": avail.sum(1) / 1e3, "generation_gwh": gen.sum(1) / 1e3, "curtailed_gwh": (avail - gen).sum(1) / 1e3,
        "offtake_gwh": off.sum(1) / 1e3, "imports_gwh": imp.sum(1) / 1e3, "exports_gwh": exp.sum(1) / 1e3,
        "link_losses_gwh": loss.sum(1) / 1e3, "storage_losses_gwh": sto.sum(1) / 1e3, "revenue_musd": rev.sum(1) / 1e6,
        "variable_cost_musd": cost.sum(1) / 1e6, "gas_saved_mcm": gas.sum(1) / 1e6, "mean_value_usd_per_mwh": d.price.mean(1),
    })


def _hourly(net: PowerNet, d: Dispatch, shares: dict) -> pd.DataFrame:
    N, T, L = len(net.nodes), net.hours, len(net.link)
    avail = _node_sum(net.gen_node, net.gen_avail * d.gen_cap[:, None], N)
    gen = _node_sum(net.gen_node, d.p, N)
    nan_n, nan_l = np.full((N, T), np.nan), np.full((L, T), np.nan)
    node = {
        "kind": np.repeat("node", N * T), "id": np.repeat(net.nodes, T), "country": np.repeat(net.country, T),
        "available_mwh": avail, "generation_mwh": gen, "curtailed_mwh": avail - gen, "offtake_mwh": _node_sum(net.off_node, d.q, N),
        "charge_mwh": _node_sum(net.store_node, d.ch, N), "discharge_mwh": _node_sum(net.store_node, d.dis, N),
        "storage_mwh": _node_sum(net.store_node, d.soc, N), "sent_mwh": _node_sum(net.link_from, d.f, N),
        "received_mwh": _node_sum(net.link_to, d.f * net.link_eta[:, None], N), "capacity_mw": nan_n,
    }
    link = {
        "kind": np.repeat("link", L * T), "id": np.repeat(net.link, T), "country": np.repeat([net.country[i] for i in net.link_from], T),
        **{c: nan_l for c in ("available_mwh", "generation_mwh", "curtailed_mwh", "offtake_mwh", "charge_mwh", "discharge_mwh", "storage_mwh")},
        "sent_mwh": d.f, "received_mwh": d.f * net.link_eta[:, None], "capacity_mw": net.link_rho * d.link_cap[:, None],
    }
    parts = [node, link]
    for l in range(L):
        feeders = shared_hub(net, l)
        if feeders is None:
            continue
        for c in sorted({net.country[net.link_from[i]] for i in feeders}):
            use = sum(d.f[i] * net.link_eta[i] for i in feeders if net.country[net.link_from[i]] == c)
            cap = shares.get((net.link[l], c))
            parts.append({
                "kind": np.repeat("link_use", T), "id": np.repeat(net.link[l], T), "country": np.repeat(c, T),
                **{k: np.full(T, np.nan) for k in ("available_mwh", "generation_mwh", "curtailed_mwh", "offtake_mwh", "charge_mwh", "discharge_mwh", "storage_mwh")},
                "sent_mwh": use, "received_mwh": use * net.link_eta[l],
                "capacity_mw": np.full(T, np.nan) if cap is None else cap * net.link_rho[l] * d.link_cap[l],
            })
    frames = []
    for part in parts:
        n = len(part["kind"])
        frames.append(pd.DataFrame({"year": np.full(n, net.year), "weather_year": np.full(n, net.weather_year), "hour": np.tile(np.arange(T), n // T),
                                    **{k: np.asarray(v).ravel() for k, v in part.items()}}))
    return pd.concat(frames, ignore_index=True)


def _links(net: PowerNet, d: Dispatch, rent: np.ndarray, cap_rent: np.ndarray) -> pd.DataFrame:
    T = net.hours
    sent, recv = d.f.sum(1), (d.f * net.link_eta[:, None]).sum(1)
    cap_h = net.link_rho * d.link_cap[:, None]
    annual = np.array([net.unit_cost.get(n, 0.0) for n in net.link]) * d.link_cap
    return pd.DataFrame({
        "year": net.year, "weather_year": net.weather_year, "link": net.link, "kind": net.link_kind,
        "from_node": [net.nodes[i] for i in net.link_from], "to_node": [net.nodes[i] for i in net.link_to],
        "capacity_mw": d.link_cap, "sized": [i in net.ext_link for i in range(len(net.link))],
        "sent_gwh": sent / 1e3, "received_gwh": recv / 1e3, "losses_gwh": (sent - recv) / 1e3,
        "utilisation": np.where(d.link_cap > 0, sent / np.maximum(d.link_cap * T, 1e-12), np.nan),
        "hours_at_capacity": ((d.f >= cap_h - AT_CAP_TOL) & (cap_h > 0)).sum(1),
        "congestion_rent_musd": rent.sum(1) / 1e6, "share_rent_musd": cap_rent.sum(1) / 1e6, "annual_cost_musd": annual / 1e6,
        "lcot_usd_per_mwh": np.where(recv > 0, annual / np.maximum(recv, 1e-12), np.nan),
    })


def _allocation(net: PowerNet, d: Dispatch, shares: dict) -> pd.DataFrame:
    rows = []
    for l in range(len(net.link)):
        feeders = shared_hub(net, l)
        if feeders is None:
            continue
        total = d.f[l].sum()
        for c in sorted({net.country[net.link_from[i]] for i in feeders}):
            use = sum(d.f[i] * net.link_eta[i] for i in feeders if net.country[net.link_from[i]] == c)
            cap = shares.get((net.link[l], c))
            at_cap = np.nan if cap is None else int(((use >= cap * net.link_rho[l] * d.link_cap[l] - AT_CAP_TOL) & (net.link_rho[l] * d.link_cap[l] > 0)).sum())
            rows.append((net.year, net.weather_year, net.link[l], c, use.sum() / 1e3, use.sum() / total if total > 0 else np.nan, np.nan if cap is None else cap, at_cap))
    return pd.DataFrame(rows, columns=COLUMNS["power_allocation"])


def _assets(net: PowerNet, d: Dispatch, rent: np.ndarray, cap_rent: np.ndarray, in_feeders: np.ndarray) -> pd.DataFrame:
    rows = []
    lam_g = d.price[net.gen_node] if len(net.gen) else np.zeros((0, net.hours))
    for g, name in enumerate(net.gen):
        out = d.p[g].sum()
        value = (d.p[g] * (lam_g[g] - net.gen_vom[g])).sum()
        cost = net.unit_cost.get(name, 0.0) * d.gen_cap[g]
        rows.append((name, "generator", net.nodes[net.gen_node[g]], d.gen_cap[g], np.nan, g in net.ext_gen, out, cost, value, out))
    for l, name in enumerate(net.link):
        recv = (d.f[l] * net.link_eta[l]).sum()
        cost = net.unit_cost.get(name, 0.0) * d.link_cap[l]
        value = (rent[l] + cap_rent[l] - in_feeders[l]).sum()
        rows.append((name, "link", net.nodes[net.link_from[l]], d.link_cap[l], np.nan, l in net.ext_link, recv, cost, value, recv))
    for s, name in enumerate(net.store):
        lam = d.price[net.store_node[s]]
        value = (lam * (d.dis[s] - d.ch[s]) - net.store_cost[s] * d.ch[s]).sum()
        cost = net.unit_cost.get(name, 0.0) * d.store_power[s] + net.unit_cost.get(name + ":energy", 0.0) * d.store_energy[s]
        out = d.dis[s].sum()
        rows.append((name, "store", net.nodes[net.store_node[s]], d.store_power[s], d.store_energy[s], s in net.ext_store_power, out, cost, value, out))
    df = pd.DataFrame(rows, columns=["asset", "type", "node", "capacity_mw", "energy_mwh", "sized", "output_gwh", "annual_cost_musd", "value_musd", "_mwh"])
    df.insert(0, "weather_year", net.weather_year)
    df.insert(0, "year", net.year)
    df["levelised_cost_usd_per_mwh"] = np.where(df["_mwh"] > 0, df["annual_cost_musd"] / np.maximum(df["_mwh"], 1e-12), np.nan)
    df["output_gwh"] /= 1e3
    df["annual_cost_musd"] /= 1e6
    df["value_musd"] /= 1e6
    df["net_musd"] = df["value_musd"] - df["annual_cost_musd"]
    return df[COLUMNS["power_assets"]]


def fixed_cost(net: PowerNet, d: Dispatch) -> float:
    """$: annualised fixed cost of the sized assets (the part of the objective that is not operation)."""
    c = sum(net.ext_gen[g].cost * d.gen_cap[g] for g in net.ext_gen)
    c += sum(net.ext_link[l].cost * d.link_cap[l] for l in net.ext_link)
    c += sum(net.ext_store_power[s].cost * d.store_power[s] for s in net.ext_store_power)
    c += sum(net.ext_store_energy[s].cost * d.store_energy[s] for s in net.ext_store_energy)
    return float(c)


def _sizing(net: PowerNet, link: int, cases: list[tuple[float, Dispatch]]) -> pd.DataFrame:
    rows, prev = [], None
    unit = net.unit_cost.get(net.link[link], 0.0)
    for k, d in cases:
        value = (d.objective + fixed_cost(net, d)) / 1e6
        recv = (d.f[link] * net.link_eta[link]).sum()
        annual = unit * k / 1e6
        marginal = np.nan if prev is None or k == prev[0] else (value - prev[1]) / ((k - prev[0]) / 1e3)
        rows.append((net.year, net.weather_year, net.link[link], k, value, recv / 1e3, link_rent(net, d)[link].sum() / 1e6, annual, value - annual, marginal,
                     annual * 1e6 / recv if recv > 0 else np.nan))
        prev = (k, value)
    return pd.DataFrame(rows, columns=COLUMNS["power_sizing"])


#: below this magnitude a result is written as 0 (no "-0.000000" from solver round-off)
ZERO = 1e-9


def _frame(parts: list[pd.DataFrame], name: str) -> pd.DataFrame:
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame({c: [] for c in COLUMNS[name]})
    df = pd.concat(parts, ignore_index=True)[COLUMNS[name]]
    for c in df.columns:
        if df[c].dtype.kind == "f":
            v = df[c].to_numpy(copy=True)
            v[np.abs(v) < ZERO] = 0.0
            df[c] = v
    return df


def power_tables(solved: list[tuple[PowerNet, Dispatch | None]], sizing: list[tuple[PowerNet, int, list]]) -> dict[str, pd.DataFrame]:
    """Every power table from the solved networks (a ``None`` dispatch: no LP was needed, no rows)."""
    out: dict[str, list[pd.DataFrame]] = {k: [] for k in COLUMNS}
    for net, d in solved:
        if d is None:  # no LP (no link in service): no rows; the run record says why
            continue
        out["power_annual"].append(_annual(net, d))
        shares = {(net.link[sh.link], sh.country): sh.max_share for sh in net.shares}
        rent = link_rent(net, d)
        cap_rent, in_feeders = share_rent(net, d)
        out["power_hourly"].append(_hourly(net, d, shares))
        out["power_links"].append(_links(net, d, rent, cap_rent))
        out["power_prices"].append(pd.DataFrame({
            "year": net.year, "weather_year": net.weather_year, "hour": np.tile(np.arange(net.hours), len(net.nodes)),
            "node": np.repeat(net.nodes, net.hours), "usd_per_mwh": d.price.ravel(),
        }))
        out["power_allocation"].append(_allocation(net, d, shares))
        out["power_assets"].append(_assets(net, d, rent, cap_rent, in_feeders))
    for net, link, cases in sizing:
        out["power_sizing"].append(_sizing(net, link, cases))
    return {k: _frame(v, k) for k, v in out.items()}
