"""The legs and outlets added in issue 12 (part 2), checked by hand against the shipped tables.

A route's capacity for Kazakh crude is the smallest of its assets' C − Θ
(docs/model.md §1; every asset below has one unit), so in 2024:

- Kazakhstan–China: Kenkiyak–Kumkol 10 − 7.6 = 2.4, Atasu–Alashankou 20 − 10.2 = 9.8 → 2.4 (was 9.8);
- BTC: Aktau berths 5.2, tanker fleet 3.68, Tengiz rail 5.48, BTC 58.8 − 28 = 30.8 → 3.68;
- Makhachkala: berths 5.2, Makhachkala terminal 3.0, rail 5.48 → 3.0 (no fleet on that leg);
- Druzhba to Germany: Atyrau–Samara 17.5, Transneft quota 1.5 → 1.5; Atyrau–Samara to the ports: 17.5.

Netbacks (Brent 81 $/bbl in 2024, Kashagan's feeder cost 0 to both): Germany sells
KEBCO delivered Schwedt at −1.5 $/bbl for 10 + 30 $/t of tariff, the ports route
KEBCO at −4.0 for 10 + 20 $/t: (81 − 1.5) × 7.3 − 40 = 540.35 and (81 − 4) × 7.3 − 30 = 532.1.
"""

from __future__ import annotations

import pytest

from energy_routes.api import run_scenario


@pytest.fixture(scope="module")
def base_2024(shipped_inputs):
    return run_scenario(shipped_inputs, "base-2024", power=False)


@pytest.mark.parametrize(
    "route, capacity",
    [("kazakhstan_china", 10 - 7.6), ("btc", 3.68), ("makhachkala", 3.0), ("druzhba_germany", 1.5), ("atyrau_samara", 17.5)],
)
def test_route_capacity_is_its_tightest_leg(base_2024, route, capacity):
    cap = base_2024.tables["allocation_annual"].set_index("route").loc[route, "capacity_mt"]
    assert cap == pytest.approx(capacity, abs=1e-6)


def test_germany_and_the_ports_route_netbacks(base_2024):
    nb = base_2024.tables["inputs_netback"].query("source == 'kashagan'").set_index("route")
    assert nb.loc["druzhba_germany", "netback_usd_per_t"] == pytest.approx((81 - 1.5) * 7.3 - 40)
    assert nb.loc["atyrau_samara", "netback_usd_per_t"] == pytest.approx((81 - 4.0) * 7.3 - 30)


def test_the_china_feeder_binds_where_the_old_network_had_room(shipped_inputs):
    """2025 with Kropotkinskaya: CPC loses capacity and crude looks for other outlets; China can take at most
    10 − 7.6 = 2.4 Mt/yr (Kenkiyak–Kumkol), so it never carries more, in any month, than 2.4 × days/365."""
    # CNPC's acceptance (inputs/acceptance.csv: 50 kt a month after 30 days) would bind first: lift it, so the
    # feeder is what limits China
    doc = {"name": "china-open", "extends": "cpc-pump-station-2025",
           "set": [{"table": "acceptance", "where": {"acceptor": "cnpc"}, "values": {"extra_kt_per_month": 5000, "lead_time_days": 0}}]}
    res = run_scenario(shipped_inputs, doc, power=False)
    m = res.tables["allocation_monthly"]
    china = m[m.route == "kazakhstan_china"]
    days = {f"2025-{i:02d}": d for i, d in enumerate([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], start=1)}
    for row in china.itertuples():
        assert row.volume_kt <= 2.4 * 1000 * days[row.period] / 365 + 1e-6, row.period
    assert china.volume_kt.max() == pytest.approx(2.4 * 1000 * 31 / 365, rel=1e-6)  # it binds in some 31-day month
