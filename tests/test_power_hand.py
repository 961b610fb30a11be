"""The power block on networks small enough to solve by hand (docs/model.md §2).

Every expected number is worked out in the comments: congestion rent = capacity ×
price spread × hours, a battery's arbitrage in closed form, converter and line
losses, round-trip losses, outages, country caps, the planning mode's zero-profit
condition, and the LP's size.
"""

from __future__ import annotations

import numpy as np
import pytest
from pytest import approx

from builders import power_tables, set_rows
from energy_routes.power.params import Extend, PowerNet
from energy_routes.power.run import solve_net, sizing_study
from energy_routes.power.extract import power_tables as tables_of

POWER = {"power": {"enabled": True, "years": [2023]}}
H = 8760


def eta(converter: float, line_per_1000km: float, km: float) -> float:
    return (1 - converter) ** 2 * (1 - line_per_1000km * km / 1000)


def with_kz_offtake(t: dict, value: float) -> dict:
    """Kazakhstan takes any amount at ``value`` $/MWh (its own market)."""
    t["power_offtake"].append({**t["power_offtake"][0], "node": "kz", "value_usd_per_mwh": value})
    return t


def node(res, name: str):
    pa = res.tables["power_annual"].set_index("node")
    return pa.loc[name]


def link(res, name: str):
    return res.tables["power_links"].set_index("link").loc[name]


# --------------------------------------------------------------------------- congestion rent


def test_two_node_congestion_rent(run):
    # wind 1000 MW × cf 0.5 = 500 MW every hour at kz; cable 300 MW, lossless; az pays 50 $/MWh for any
    # amount, kz 20 $/MWh. The cable is full every hour: 300 MW to az, 200 MW sold at home.
    # λ_kz = 20 (the last MWh is sold at home), λ_az = 50 (one more MWh there replaces 50 $ of value).
    # congestion rent = 300 MW × (50 − 20) $/MWh × 8,760 h = 78.84 M$
    # objective = 300 × 50 × 8760 + 200 × 20 × 8760 = 131.40 + 35.04 = 166.44 M$
    res = run(with_kz_offtake(power_tables(1000, 300), 20), POWER, power=True, wind=0.5)
    assert res.power[0]["objective_musd"] == approx(166.44, rel=1e-9)
    assert link(res, "trans_caspian_cable").congestion_rent_musd == approx(300 * 30 * H / 1e6, rel=1e-9)
    assert link(res, "trans_caspian_cable").hours_at_capacity == H
    prices = res.tables["power_prices"].groupby("node").usd_per_mwh
    assert prices.min()["kz"] == approx(20) and prices.max()["kz"] == approx(20)
    assert prices.min()["az"] == approx(50) and prices.max()["az"] == approx(50)
    assert node(res, "kz").offtake_gwh == approx(200 * H / 1e3)
    assert node(res, "az").revenue_musd == approx(131.4)


def test_no_spread_no_rent(run):
    # cable 600 MW > 500 MW of wind: it never binds, everything goes to az (50 > 20) and the prices are
    # equal on both ends (50): no rent
    res = run(with_kz_offtake(power_tables(1000, 600), 20), POWER, power=True, wind=0.5)
    assert link(res, "trans_caspian_cable").congestion_rent_musd == approx(0, abs=1e-9)
    assert res.power[0]["objective_musd"] == approx(500 * 50 * H / 1e6)


# --------------------------------------------------------------------------- losses


def test_cable_limited_with_losses(run):
    # G = 500 MW; cable 300 MW with 1 % per converter and 3 %/1,000 km over 400 km:
    # η = 0.99² × (1 − 0.012) = 0.9683388; az receives η × 300 every hour
    t = power_tables(1000, 300, converter_loss=0.01, line_loss=0.03, length_km=400)
    res = run(t, POWER, power=True, wind=0.5)
    e = eta(0.01, 0.03, 400)
    assert e == approx(0.9683388)
    kz, az, cable = node(res, "kz"), node(res, "az"), link(res, "trans_caspian_cable")
    assert kz.available_gwh == approx(500 * 8.76)
    assert kz.generation_gwh == approx(300 * 8.76)
    assert kz.curtailed_gwh == approx(200 * 8.76)
    assert cable.sent_gwh == approx(300 * 8.76)
    assert cable.received_gwh == approx(e * 300 * 8.76)
    assert cable.losses_gwh == approx((1 - e) * 300 * 8.76)
    assert kz.link_losses_gwh == approx((1 - e) * 300 * 8.76)
    assert az.offtake_gwh == approx(e * 300 * 8.76)
    assert cable.utilisation == approx(1.0)
    # the price at kz is what one more MWh sent earns, η × 50: the cable is full, so it is worth the rent
    assert res.tables["power_prices"].query("node == 'kz'").usd_per_mwh.max() == approx(0, abs=1e-9)
    assert cable.congestion_rent_musd == approx(e * 50 * 300 * H / 1e6)


def test_generation_limited(run):
    # wind 400 MW × 0.5 = 200 MW < 300 MW cable: all of it goes; curtailment 0; price at kz = η × 50
    t = power_tables(400, 300, converter_loss=0.02, line_loss=0.05, length_km=300)
    res = run(t, POWER, power=True, wind=0.5)
    e = eta(0.02, 0.05, 300)
    assert node(res, "az").offtake_gwh == approx(e * 200 * 8.76)
    assert node(res, "kz").curtailed_gwh == approx(0, abs=1e-9)
    assert link(res, "trans_caspian_cable").utilisation == approx(200 / 300)
    assert res.tables["power_prices"].query("node == 'kz'").usd_per_mwh.mean() == approx(e * 50)


def test_black_sea_chain(run):
    # kz --(300 MW, η1)--> az --(k_bs, η2)--> eu. az takes at most 100 MW (demand) at 50 $/MWh,
    # eu any amount at 80. η1 = 0.99² × 0.988, η2 = 0.98² × (1 − 0.05 × 1.1) = 0.907578.
    # 80 η2 = 72.6 > 50: power goes to eu first, up to the Black Sea cable (150 MW sent from az),
    # and the rest of the 300 × η1 = 290.50 MW arriving at az is sold there (100 MW cap).
    e1, e2 = eta(0.01, 0.03, 400), eta(0.02, 0.05, 1100)
    t = power_tables(1000, 300, converter_loss=0.01, line_loss=0.03, length_km=400, black_sea_mw=150,
                     bs_converter_loss=0.02, bs_line_loss=0.05, bs_length_km=1100, eu_value=80)
    set_rows(t["power_offtake"], {"node": "az"}, demand_mw=100)
    res = run(t, POWER, power=True, wind=0.5)
    arriving = 300 * e1  # 290.50 MW
    assert arriving - 150 > 100  # so az is full, and some power is curtailed at kz instead
    # kz sends only what az and the Black Sea cable can use: 100 + 150 at az, i.e. 250 / η1 into the cable
    assert link(res, "trans_caspian_cable").sent_gwh == approx(250 / e1 * 8.76)
    assert link(res, "black_sea_cable").received_gwh == approx(150 * e2 * 8.76)
    assert node(res, "az").offtake_gwh == approx(100 * 8.76)
    expected = (100 * 50 + 150 * e2 * 80) * H / 1e6
    assert res.power[0]["objective_musd"] == approx(expected, rel=1e-9)


def test_azerbaijan_in_transit_only(run):
    # the same network with az in transit only: nothing sold in az, eu takes 150 MW sent from az
    t = power_tables(1000, 300, black_sea_mw=150, eu_value=80)
    set_rows(t["power_offtake"], {"node": "az"}, demand_mw=100)
    res = run(t, {"power": {"enabled": True, "years": [2023], "transit_only": ["az"]}}, power=True, wind=0.5)
    assert "az" not in set(res.tables["power_annual"].query("offtake_gwh > 0").node)
    assert res.power[0]["objective_musd"] == approx(150 * 80 * H / 1e6)
    # and adding Azerbaijani offtake can only raise the value (the old model lost energy here)
    res2 = run(t, POWER, power=True, wind=0.5)
    assert res2.power[0]["objective_musd"] == approx((150 * 80 + 100 * 50) * H / 1e6)


# --------------------------------------------------------------------------- gas at its export netback


def test_gas_netback_value(run):
    # az's offtake valued by the gas it frees: 300 $/1000 m3 × 280 m3/MWh / 1000 + 3 $/MWh = 87 $/MWh;
    # 200 MW delivered → 200 × 8760 × 280 m3 = 490.56 million m3 of gas saved, 152.424 M$
    t = power_tables(400, 300)
    set_rows(t["power_offtake"], {"node": "az"}, value_usd_per_mwh="", gas_netback_usd_per_1000m3=300, gas_m3_per_mwh=280, gas_vom_usd_per_mwh=3)
    res = run(t, POWER, power=True, wind=0.5)
    az = node(res, "az")
    assert az.gas_saved_mcm == approx(200 * H * 280 / 1e6)
    assert az.revenue_musd == approx(200 * H * 87 / 1e6)


# --------------------------------------------------------------------------- outages and commissioning


@pytest.mark.parametrize("remaining", [0.0, 0.5])
def test_cable_outage(run, remaining):
    # 1-10 July 2023 (240 hours, from hour 181 × 24) at `remaining` × 300 MW instead of 300 MW
    t = power_tables(1000, 300)
    ev = {"id": "cut", "target": "trans_caspian_cable", "start": "2023-07-01", "end": "2023-07-10", "remaining": remaining}
    res = run(t, {**POWER, "events": [ev]}, power=True, wind=0.5)
    assert link(res, "trans_caspian_cable").sent_gwh == approx((300 * H - 240 * 300 * (1 - remaining)) / 1e3)
    ph = res.tables["power_hourly"].query("kind == 'link'")
    july = ph.hour.between(181 * 24, 191 * 24 - 1)
    assert (ph.loc[july, "capacity_mw"] == 300 * remaining).all()
    assert (ph.loc[~july, "capacity_mw"] == 300).all()


def test_not_yet_commissioned_builds_no_lp(run):
    res = run(power_tables(1000, 300, commissioning_year=2024), POWER, power=True, wind=0.5)
    assert res.power == [{"year": 2023, "weather_year": 1, "mode": "dispatch", "status": "no link in service",
                          "objective_musd": 0.0, "variables": 0, "constraints": 0, "solve_seconds": 0.0}]
    assert res.tables["power_annual"].empty and res.tables["power_hourly"].empty


# --------------------------------------------------------------------------- storage


def arbitrage_net(days: int = 2, rte: float = 0.81) -> PowerNet:
    """One node: 100 MW of free generation, sold at 10 $/MWh in hours 0-11 and 100 $/MWh in hours 12-23
    of each day (no cap); a battery of 20 MW / 40 MWh; a dummy link so the network is not trivial."""
    T = 24 * days
    value = np.where(np.arange(T) % 24 < 12, 10.0, 100.0)
    return PowerNet(
        2030, 1, T, ["a", "b"], ["x", "x"],
        gen=["g"], gen_node=np.array([0]), gen_cap=np.array([100.0]), gen_avail=np.ones((1, T)), gen_vom=np.zeros(1),
        off_node=np.array([0]), off_cap=np.full((1, T), np.inf), off_value=value[None, :], off_gas_m3=np.zeros(1),
        link=["l"], link_kind=["busbar"], link_from=np.array([0]), link_to=np.array([1]), link_cap=np.array([1.0]),
        link_rho=np.ones((1, T)), link_eta=np.ones(1), link_wheel=np.array([1.0]),
        store=["s"], store_node=np.array([0]), store_power=np.array([20.0]), store_energy=np.array([40.0]),
        store_eta=np.array([np.sqrt(rte)]), store_loss=np.zeros(1), store_cost=np.zeros(1),
    )


def test_battery_arbitrage_closed_form():
    # η = √0.81 = 0.9 each way. Once a day the battery fills (40 MWh stored = 40 / 0.9 = 44.44 MWh taken
    # at 10 $) and empties (40 × 0.9 = 36 MWh sold at 100 $): 3,600 − 444.44 = 3,155.56 $/day.
    # (20 MW is enough: 44.44 MWh in 2.2 h of the 12 cheap hours, 36 MWh in 1.8 of the 12 dear ones.)
    # Without it: 100 MW × 12 h × (10 + 100) = 132,000 $/day. The dummy link (1 $/MWh wheeling, no
    # value at b) carries nothing.
    net = arbitrage_net(days=2)
    _, sol, d = solve_net(net)
    gain = 100 * 36 - 10 * 40 / 0.9
    assert sol.objective == approx(2 * (132_000 + gain), rel=1e-12)
    assert d.ch.sum() == approx(2 * 40 / 0.9)
    assert d.dis.sum() == approx(2 * 36)
    # round-trip losses: what went in minus what came out = 8.44 MWh a day, exactly (1 − 0.81) × charged
    t = tables_of([(net, d)], [])
    a = t["power_annual"].set_index("node").loc["a"]
    assert a.storage_losses_gwh * 1e3 == approx(2 * (40 / 0.9 - 36))
    assert a.storage_losses_gwh * 1e3 == approx((1 - 0.81) * d.ch.sum())
    # every MWh generated is sold or lost in the battery
    assert a.generation_gwh == approx(a.offtake_gwh + a.storage_losses_gwh)
    assert d.f.sum() == approx(0, abs=1e-9)


def test_battery_not_worth_cycling():
    # sell at 10 and 12 $/MWh: 12 × 0.81 = 9.72 < 10, so a full cycle loses money and the battery stays idle
    net = arbitrage_net(days=2)
    net.off_value = np.where(np.arange(net.hours) % 24 < 12, 10.0, 12.0)[None, :]
    _, sol, d = solve_net(net)
    assert d.ch.sum() == approx(0, abs=1e-9) and d.dis.sum() == approx(0, abs=1e-9)
    assert sol.objective == approx(2 * 100 * 12 * (10 + 12))


# --------------------------------------------------------------------------- sharing the cable


def shared_tables(k_cable: float, uz_wind: float, kz_wind: float) -> dict:
    """kz and uz both feed a hub (lossless feeders), the hub feeds az over the cable."""
    t = power_tables(kz_wind, k_cable)
    t["power_nodes"] += [{"node": "uz", "name": "Uzbekistan", "country": "uz", "description": ""},
                         {"node": "hub", "name": "Converter busbar", "country": "kz", "description": ""}]
    t["power_generators"].append({**t["power_generators"][0], "generator": "uz_wind", "node": "uz", "profile": "karakalpakstan_wind", "capacity_mw": uz_wind})
    set_rows(t["power_links"], {"asset": "trans_caspian_cable"}, from_node="hub")
    base = {**t["power_links"][0], "kind": "busbar", "length_km": 0, "capacity_mw": 5000}
    t["power_links"] += [{**base, "asset": "kz_feed", "from_node": "kz", "to_node": "hub"},
                         {**base, "asset": "uz_feed", "from_node": "uz", "to_node": "hub"}]
    t["assets"] += [{"asset": a, "block": "power", "name": a, "units": 1, "max_active_units": 1, "description": ""} for a in ("kz_feed", "uz_feed")]
    return t


def test_country_caps_share_the_cable(run):
    # cable 320 MW; kz has 500 MW, uz 400 MW (wind 1000 / 800 MW at cf 0.5). Caps: kz ≤ 0.25 × 320 = 80,
    # uz ≤ 0.7 × 320 = 224. Both caps bind every hour: kz 80, uz 224 (304 MW, so the cable itself is not
    # full); the rest is curtailed. λ_hub = λ_az = 50, λ_kz = λ_uz = 0: the 50 $/MWh gap across each
    # feeder is its country's cap's price, which belongs to the cable's capacity:
    # the cable earns 304 × 50 × 8760 = 133.152 M$, the feeders nothing of their own.
    caps = [{"link": "trans_caspian_cable", "country": "kz", "max_share": 0.25}, {"link": "trans_caspian_cable", "country": "uz", "max_share": 0.7}]
    res = run(shared_tables(320, 800, 1000), {"power": {"enabled": True, "years": [2023], "shares": caps}}, power=True, wind=0.5)
    al = res.tables["power_allocation"].set_index("country")
    assert al.loc["kz", "sent_gwh"] == approx(80 * 8.76)
    assert al.loc["uz", "sent_gwh"] == approx(224 * 8.76)
    assert al.loc["kz", "share_of_flow"] == approx(80 / 304)
    assert al.loc["kz", "hours_at_cap"] == H and al.loc["kz", "max_share"] == 0.25
    use = res.tables["power_hourly"].query("kind == 'link_use'")
    assert set(use.country) == {"kz", "uz"} and len(use) == 2 * H
    assert use.groupby("hour").sent_mwh.sum().to_numpy() == approx(np.full(H, 304.0))
    assert use.query("country == 'kz'").capacity_mw.to_numpy() == approx(np.full(H, 80.0))
    assets = res.tables["power_assets"].set_index("asset")
    assert assets.loc["trans_caspian_cable", "value_musd"] == approx(304 * 50 * H / 1e6)
    assert assets.loc["kz_feed", "value_musd"] == approx(0, abs=1e-6)
    assert assets.loc["uz_feed", "value_musd"] == approx(0, abs=1e-6)
    cable = link(res, "trans_caspian_cable")
    assert cable.share_rent_musd == approx(304 * 50 * H / 1e6) and cable.congestion_rent_musd == approx(0, abs=1e-6)


def test_open_access_gives_the_cable_to_the_cheaper_power(run):
    # no caps: uz wind has no variable cost, kz wind 2 $/MWh, so uz fills the cable first (300 ≤ 400)
    t = shared_tables(300, 800, 1000)
    set_rows(t["power_generators"], {"generator": "wind"}, vom_usd_per_mwh=2)
    res = run(t, POWER, power=True, wind=0.5)
    al = res.tables["power_allocation"].set_index("country")
    assert al.loc["uz", "sent_gwh"] == approx(300 * 8.76)
    assert al.loc["kz", "sent_gwh"] == approx(0, abs=1e-9)


# --------------------------------------------------------------------------- planning and sizing


def planning_net() -> PowerNet:
    """Two nodes, 24 hours: 100 MW available at a for hours 0-11, 20 MW after; b pays 60 $/MWh for anything;
    the link a -> b (lossless) is sized at 30 $ per MW for the day."""
    T = 24
    avail = np.where(np.arange(T) < 12, 1.0, 0.2)
    return PowerNet(
        2030, 1, T, ["a", "b"], ["x", "y"],
        gen=["g"], gen_node=np.array([0]), gen_cap=np.array([100.0]), gen_avail=avail[None, :], gen_vom=np.zeros(1),
        off_node=np.array([1]), off_cap=np.full((1, T), np.inf), off_value=np.full((1, T), 60.0), off_gas_m3=np.zeros(1),
        link=["l"], link_kind=["hvdc_submarine"], link_from=np.array([0]), link_to=np.array([1]), link_cap=np.array([0.0]),
        link_rho=np.ones((1, T)), link_eta=np.ones(1), link_wheel=np.zeros(1),
        ext_link={0: Extend(0.0, 500.0, 720.0)}, unit_cost={"l": 720.0},
    )


def test_planning_sizes_where_the_last_mw_pays_for_itself():
    # One more MW of link earns 60 $ in every hour it is full. Up to 20 MW it is full 24 h (1,440 $/MW),
    # from 20 to 100 MW 12 h (720 $/MW). Its cost is 720 $/MW: indifferent above 20 MW... so make it
    # 721 to land exactly on 20 MW, and 719 to go to 100 MW.
    for cost, expected in ((721.0, 20.0), (719.0, 100.0)):
        net = planning_net()
        net.ext_link[0] = Extend(0.0, 500.0, cost)
        _, sol, d = solve_net(net)
        assert d.link_cap[0] == approx(expected)
        sent = np.minimum(np.where(np.arange(24) < 12, 100.0, 20.0), expected).sum()
        assert sol.objective == approx(60 * sent - cost * expected)


def test_planning_zero_profit():
    # the b market pays 60 $/MWh in hours 0-11 and 90 in hours 12-23; the link costs 1,000 $/MW for the day.
    # A MW up to 20 is used all day and earns 12 × 60 + 12 × 90 = 1,800 > 1,000; a MW above 20 only in the
    # morning, 720 < 1,000: the link is sized at 20 MW. Being strictly inside its bounds, it earns exactly
    # its cost (LP duality: the hourly capacity prices sum to the cost): value = 20 × 1,000 $, net 0.
    net = planning_net()
    net.off_value = np.where(np.arange(24) < 12, 60.0, 90.0)[None, :]
    net.ext_link[0] = Extend(0.0, 500.0, 1000.0)
    net.unit_cost = {"l": 1000.0}
    _, sol, d = solve_net(net)
    assert d.link_cap[0] == approx(20.0)
    assert sol.objective == approx(20 * (12 * 60 + 12 * 90) - 20 * 1000)  # 16,000 $
    assets = tables_of([(net, d)], [])["power_assets"].set_index("asset")
    assert assets.loc["l", "annual_cost_musd"] * 1e6 == approx(20_000)
    assert assets.loc["l", "value_musd"] * 1e6 == approx(20_000)
    assert assets.loc["l", "net_musd"] == approx(0, abs=1e-9)


def test_sizing_study_equals_fresh_solves():
    # the warm re-solves of the sizing study give what a fresh LP at each capacity gives
    net = arbitrage_net(days=2)
    net.link_kind = ["hvdc_submarine"]
    net.off_node = np.array([0, 1])
    net.off_cap = np.vstack([net.off_cap, np.full((1, net.hours), np.inf)])
    net.off_value = np.vstack([net.off_value, np.full((1, net.hours), 70.0)])
    net.off_gas_m3 = np.zeros(2)
    net.link_wheel = np.zeros(1)
    plp, _, _ = solve_net(net)
    caps = [0.0, 25.0, 60.0, 150.0]
    cases = sizing_study(plp, 0, caps)
    for k, d in cases:
        fresh = net.__class__(**{**net.__dict__, "link_cap": np.array([k])})
        _, sol, _ = solve_net(fresh)
        assert d.objective == approx(sol.objective, rel=1e-12)
    sz = tables_of([], [(net, 0, cases)])["power_sizing"]
    assert list(sz.capacity_mw) == caps
    # marginal value of each step: Δ value / Δ GW
    v = sz.value_musd.to_numpy()
    assert sz.marginal_value_musd_per_gw.iloc[1] == approx((v[1] - v[0]) / 0.025)


# --------------------------------------------------------------------------- size of the LP


def test_lp_size(run):
    # two nodes, one generator, one offtake (az), one link, no store (0 MW): p, q, f per hour = 3 × 8760
    # columns; node_balance at kz and az = 2 × 8760 rows; nonzeros: p (1), q (1), f (2) per hour
    res = run(power_tables(1000, 300), POWER, power=True, wind=0.5)
    assert res.power[0]["variables"] == 3 * H
    assert res.power[0]["constraints"] == 2 * H
    assert res.power[0]["nonzeros"] == 4 * H
