"""Invariants of the power LP on generated networks (hypothesis; docs/model.md §2).

Recomputed from the solution, not read from the program's tables: energy
balance at every node and hour, no link or store above its capacity, the
store levels follow their dynamics, and more link capacity never lowers the
optimum; the tables add up to the arrays they come from.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from builders import random_power_net
from energy_routes.power.extract import power_tables
from energy_routes.power.run import solve_net

TOL = 1e-6


def check_solution(net, d) -> None:
    N, T = len(net.nodes), net.hours
    bal = np.zeros((N, T))
    np.add.at(bal, net.gen_node, d.p)
    np.add.at(bal, net.link_to, d.f * net.link_eta[:, None])
    np.add.at(bal, net.link_from, -d.f)
    np.add.at(bal, net.store_node, d.dis - d.ch)
    np.add.at(bal, net.off_node, -d.q)
    scale = max(1.0, float(np.abs(d.f).max(initial=0)), float(np.abs(d.p).max(initial=0)))
    assert np.abs(bal).max(initial=0.0) <= TOL * scale, "energy balance"
    for arr in (d.p, d.q, d.f, d.ch, d.dis, d.soc):
        assert (arr >= -TOL).all()
    assert (d.p <= net.gen_avail * d.gen_cap[:, None] + TOL * scale).all(), "generator above its availability"
    assert (d.q <= net.off_cap + TOL * scale).all(), "offtake above its cap"
    assert (d.f <= net.link_rho * d.link_cap[:, None] + TOL * scale).all(), "link above its capacity"
    assert (d.ch <= d.store_power[:, None] + TOL * scale).all() and (d.dis <= d.store_power[:, None] + TOL * scale).all()
    assert (d.soc <= d.store_energy[:, None] + TOL * scale).all()
    prev = np.roll(d.soc, 1, axis=1)
    dyn = d.soc - (1 - net.store_loss[:, None]) * prev - net.store_eta[:, None] * d.ch + d.dis / net.store_eta[:, None]
    assert np.abs(dyn).max(initial=0.0) <= TOL * scale, "store dynamics"
    for sh in net.shares:
        use = sum(net.link_eta[l] * d.f[l] for l in sh.feeders)
        assert (use <= sh.max_share * net.link_rho[sh.link] * d.link_cap[sh.link] + TOL * scale).all(), "country cap"
    # the objective is the value of offtake less variable and fixed costs
    value = (net.off_value * d.q).sum() - (net.gen_vom[:, None] * d.p).sum() - (net.link_wheel[:, None] * d.f).sum() - (net.store_cost[:, None] * d.ch).sum()
    value -= sum(x.cost * d.link_cap[k] for k, x in net.ext_link.items()) + sum(x.cost * d.gen_cap[k] for k, x in net.ext_gen.items())
    value -= sum(x.cost * d.store_power[k] for k, x in net.ext_store_power.items()) + sum(x.cost * d.store_energy[k] for k, x in net.ext_store_energy.items())
    assert abs(value - d.objective) <= 1e-6 * max(1.0, abs(value))


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10**6), planning=st.booleans())
def test_balance_capacity_dynamics(seed, planning):
    net = random_power_net(seed, 36, planning=planning)
    _, _, d = solve_net(net)
    check_solution(net, d)
    t = power_tables([(net, d)], [])
    pa = t["power_annual"]
    # what every node generates, imports and discharges is what it sells, sends, charges (tables add up)
    inflow = pa.generation_gwh + pa.imports_gwh
    outflow = pa.offtake_gwh + pa.exports_gwh + pa.storage_losses_gwh
    assert np.allclose(inflow, outflow, atol=1e-9)
    assert np.allclose(pa.available_gwh - pa.generation_gwh, pa.curtailed_gwh, atol=1e-12)
    assert np.isclose(t["power_links"].received_gwh.sum(), (d.f * net.link_eta[:, None]).sum() / 1e3)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10**6), extra=st.floats(0.0, 500.0))
def test_more_link_capacity_never_lowers_the_optimum(seed, extra):
    net = random_power_net(seed, 36)
    plp, sol, _ = solve_net(net)
    link = seed % len(net.link)
    plp.set_link(link, capacity_mw=float(net.link_cap[link] + extra))
    more = plp.solve()
    assert more.optimal
    assert more.objective >= sol.objective - 1e-7 * max(1.0, abs(sol.objective))
