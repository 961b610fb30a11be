"""Build small, hand-solvable input folders for tests.

``write_inputs(tmp_path, **changes)`` writes a complete inputs folder whose
numbers are chosen so the optimum can be worked out by hand:

- one year (2023, 365 days), Brent 80 $/bbl, every grade 7.5 bbl/t and a
  differential of 0, so every route sells at 600 $/t;
- two sources, ``a`` and ``b``; three routes, ``cheap`` (tariff 10 $/t,
  asset ``pipe``), ``dear`` (tariff 40 $/t, assets ``ship`` then ``link``)
  and ``spare`` (tariff 70 $/t, assets ``ship`` then ``spur``), so ``ship``
  is a leg shared by ``dear`` and ``spare``;
- supply ``a`` 36.5 Mt/yr and ``b`` 0 (100 kt per day in total).

Routes are given as ``route_legs`` (route, seq, asset, tariff): a test-only
shorthand that :func:`legs_network` turns into the model's ``nodes.csv`` and
``arcs.csv`` (one private chain of hubs per route, fed from every source
connected to it), which is the same LP as fixed paths. Every table can be
replaced or edited through keyword arguments.
"""

from __future__ import annotations

import contextlib

from pathlib import Path

import yaml

BASE_TABLES: dict[str, list[dict]] = {
    "sources": [
        {"source": "a", "name": "Source A", "bbl_per_t": 7.5, "description": ""},
        {"source": "b", "name": "Source B", "bbl_per_t": 7.5, "description": ""},
    ],
    "grades": [{"grade": "g", "name": "Grade", "bbl_per_t": 7.5, "diff_usd_per_bbl": 0, "description": ""}],
    "prices": [{"year": 2023, "brent_usd_per_bbl": 80}],
    "assets": [
        {"asset": "pipe", "block": "oil", "name": "Pipe", "units": 1, "max_active_units": 1, "description": ""},
        {"asset": "ship", "block": "oil", "name": "Ship", "units": 1, "max_active_units": 1, "description": ""},
        {"asset": "link", "block": "oil", "name": "Link", "units": 1, "max_active_units": 1, "description": ""},
        {"asset": "spur", "block": "oil", "name": "Spur", "units": 1, "max_active_units": 1, "description": ""},
        {"asset": "trans_caspian_cable", "block": "power", "name": "Cable", "units": 1, "max_active_units": 1, "description": ""},
    ],
    "asset_capacity": [
        {"year": 2023, "asset": "pipe", "capacity_mt": 20, "third_party_mt": 0},
        {"year": 2023, "asset": "ship", "capacity_mt": 10, "third_party_mt": 0},
        {"year": 2023, "asset": "link", "capacity_mt": 50, "third_party_mt": 0},
        {"year": 2023, "asset": "spur", "capacity_mt": 50, "third_party_mt": 0},
    ],
    "routes": [
        {"route": "cheap", "name": "Cheap", "grade": "g", "description": ""},
        {"route": "dear", "name": "Dear", "grade": "g", "description": ""},
        {"route": "spare", "name": "Spare", "grade": "g", "description": ""},
    ],
    "route_legs": [
        {"route": "cheap", "seq": 1, "asset": "pipe", "tariff_usd_per_t": 10},
        {"route": "dear", "seq": 1, "asset": "ship", "tariff_usd_per_t": 30},
        {"route": "dear", "seq": 2, "asset": "link", "tariff_usd_per_t": 10},
        {"route": "spare", "seq": 1, "asset": "ship", "tariff_usd_per_t": 30},
        {"route": "spare", "seq": 2, "asset": "spur", "tariff_usd_per_t": 40},
    ],
    "source_routes": [
        {"source": "a", "route": "cheap", "feeder_cost_usd_per_t": 0, "max_mt": ""},
        {"source": "a", "route": "dear", "feeder_cost_usd_per_t": 0, "max_mt": ""},
        {"source": "a", "route": "spare", "feeder_cost_usd_per_t": 0, "max_mt": ""},
        {"source": "b", "route": "cheap", "feeder_cost_usd_per_t": 0, "max_mt": ""},
    ],
    "supply": [
        {"year": 2023, "source": "a", "export_supply_mt": 36.5},
        {"year": 2023, "source": "b", "export_supply_mt": 0},
    ],
    # the power network (docs/model.md §2): wind at kz, one cable kz -> az, az takes everything at 50 $/MWh
    "power_nodes": [
        {"node": "kz", "name": "Kazakhstan", "country": "kz", "description": ""},
        {"node": "az", "name": "Azerbaijan", "country": "az", "description": ""},
    ],
    "power_generators": [
        {"generator": "wind", "node": "kz", "technology": "wind", "profile": "mangystau_wind", "capacity_mw": 0, "commissioning_year": 2023, "vom_usd_per_mwh": 0, "description": ""},
    ],
    "power_offtake": [
        {"year": 2023, "node": "az", "demand_mw": "", "demand_profile": "", "value_usd_per_mwh": 50, "price_profile": "", "gas_netback_usd_per_1000m3": "", "gas_m3_per_mwh": "", "gas_vom_usd_per_mwh": "", "description": ""},
    ],
    "power_links": [
        {
            "asset": "trans_caspian_cable",
            "from_node": "kz",
            "to_node": "az",
            "kind": "hvdc_submarine",
            "capacity_mw": 0,
            "commissioning_year": 2023,
            "length_km": 400,
            "line_loss_per_1000km": 0.0,
            "converter_loss": 0.0,
            "wheeling_usd_per_mwh": 0,
        }
    ],
    "power_stores": [
        {"store": "battery", "node": "kz", "power_mw": 0, "energy_mwh": 0, "round_trip_efficiency": 0.81, "standing_loss_per_hour": 0, "cost_usd_per_mwh": 0, "commissioning_year": 2023, "description": ""},
    ],
    "power_costs": [
        {"item": "wind", "capex_usd_per_unit": 1000000, "unit": "MW", "fom_share": 0.02, "lifetime_yr": 25, "description": ""},
        {"item": "hvdc_submarine", "capex_usd_per_unit": 2000, "unit": "MW-km", "fom_share": 0.01, "lifetime_yr": 40, "description": ""},
    ],
}

BASE_SCENARIO = {
    "base": {
        "description": "test base",
        "horizon": {"start": "2023-01", "end": "2023-12"},
        "shut_in_penalty_usd_per_t": 50,
        "power": {"enabled": False, "years": [], "weather_years": []},
    },
    "overrides": {},
    "scenarios": {"case": {"description": "the test case", "overrides": []}},
}


def write_table(folder: Path, name: str, rows: list[dict]) -> Path:
    path = folder / f"{name}.csv"
    cols = list(rows[0].keys())
    lines = [",".join(cols)] + [",".join("" if r.get(c) is None else str(r.get(c)) for c in cols) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


PROFILE_SERIES = ("mangystau_wind", "mangystau_solar", "karakalpakstan_wind", "karakalpakstan_solar", "mangystau_demand", "azerbaijan_demand", "romania_price")


def write_profiles(folder: Path, wind: float | list[float] = 0.5, solar: float | list[float] = 0.0, **series) -> Path:
    """power_profiles.csv, one weather year: every wind series ``wind``, every solar series ``solar``, shapes 1 unless given."""
    cols = {"mangystau_wind": wind, "karakalpakstan_wind": wind, "mangystau_solar": solar, "karakalpakstan_solar": solar,
            "mangystau_demand": 1.0, "azerbaijan_demand": 1.0, "romania_price": 1.0, **series}
    vals = {k: (v if isinstance(v, list) else [v] * 8760) for k, v in cols.items()}
    rows = ["weather_year,hour," + ",".join(PROFILE_SERIES)]
    rows += [f"1,{h}," + ",".join(str(vals[k][h]) for k in PROFILE_SERIES) for h in range(8760)]
    path = folder / "power_profiles.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def legs_network(legs: list[dict], source_routes: list[dict]) -> dict[str, list[dict]]:
    """``nodes`` and ``arcs`` rows for routes given as legs: route r with legs a1..ak becomes
    sources -> r_in -a1-> r_1 -a2-> ... -ak-> r, each leg an arc with its asset and tariff."""
    nodes, arcs = [], []
    by_route: dict[str, list[dict]] = {}
    for leg in legs:
        by_route.setdefault(leg["route"], []).append(leg)
    for r, rl in by_route.items():
        rl = sorted(rl, key=lambda d: int(d["seq"]))
        hubs = [f"{r}_in"] + [f"{r}_{i}" for i in range(1, len(rl))]
        nodes += [{"node": h, "kind": "hub", "name": h, "description": ""} for h in hubs]
        for sr in source_routes:
            if sr["route"] == r:
                arcs.append({"arc": f"{sr['source']}_{r}_in", "from_node": sr["source"], "to_node": hubs[0], "asset": "", "tariff_usd_per_t": 0, "description": ""})
        for i, leg in enumerate(rl):
            to = hubs[i + 1] if i + 1 < len(hubs) else r
            arcs.append({"arc": f"{r}_leg{i + 1}", "from_node": hubs[i], "to_node": to, "asset": leg["asset"], "tariff_usd_per_t": leg["tariff_usd_per_t"], "description": ""})
    return {"nodes": nodes, "arcs": arcs}


def write_inputs(folder: Path, tables: dict[str, list[dict]] | None = None, scenario: dict | None = None, *, wind=0.5, solar=0.0) -> Path:
    """Write a complete inputs folder; ``tables`` replaces whole tables, ``scenario`` is merged into the base settings."""
    folder.mkdir(parents=True, exist_ok=True)
    all_tables = {**BASE_TABLES, **(tables or {})}
    if "route_legs" in all_tables:
        legs = all_tables.pop("route_legs")
        if "arcs" not in (tables or {}):
            all_tables.update(legs_network(legs, all_tables["source_routes"]))
    for name, rows in all_tables.items():
        if rows:
            write_table(folder, name, rows)
    write_profiles(folder, wind, solar)
    doc = {k: (dict(v) if isinstance(v, dict) else v) for k, v in BASE_SCENARIO.items()}
    doc["base"] = {**BASE_SCENARIO["base"], **(scenario or {})}
    (folder / "scenarios.yaml").write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return folder


# ---------------------------------------------------------------------------
# Helpers added for the test suite (the functions above keep their behaviour).

import copy as _copy  # noqa: E402

BLACK_SEA_ASSET = {"asset": "black_sea_cable", "block": "power", "name": "Black Sea cable", "units": 1, "max_active_units": 1, "description": ""}


def base_tables() -> dict[str, list[dict]]:
    """A deep copy of ``BASE_TABLES`` that a test may edit freely."""
    return _copy.deepcopy(BASE_TABLES)


def set_rows(rows: list[dict], where: dict, **values) -> list[dict]:
    """Set ``values`` on every row matching ``where`` (in place); fails if nothing matches."""
    hit = 0
    for row in rows:
        if all(row.get(k) == v for k, v in where.items()):
            row.update(values)
            hit += 1
    assert hit, f"no row matches {where}"
    return rows


def two_year_tables(years: tuple[int, ...] = (2023, 2024)) -> dict[str, list[dict]]:
    """``BASE_TABLES`` with every year-indexed table repeated for ``years`` (same numbers each year)."""
    t = base_tables()
    for name in ("prices", "asset_capacity", "supply"):
        first = [r for r in t[name] if r["year"] == 2023]
        t[name] = [{**r, "year": y} for y in years for r in first]
    return t


def power_tables(
    wind_mw: float,
    cable_mw: float,
    *,
    converter_loss: float = 0.0,
    line_loss: float = 0.0,
    length_km: float = 400,
    commissioning_year: int = 2023,
    value: float = 50.0,
    black_sea_mw: float | None = None,
    bs_converter_loss: float = 0.0,
    bs_line_loss: float = 0.0,
    bs_length_km: float = 1100,
    eu_value: float = 80.0,
) -> dict[str, list[dict]]:
    """Base tables with ``wind_mw`` of wind at kz and a cable kz -> az of ``cable_mw``; az takes any amount at ``value`` $/MWh.

    With ``black_sea_mw`` a second cable az -> eu, where power sells at ``eu_value``."""
    t = base_tables()
    set_rows(t["power_generators"], {"generator": "wind"}, capacity_mw=wind_mw)
    set_rows(t["power_offtake"], {"node": "az"}, value_usd_per_mwh=value)
    set_rows(
        t["power_links"],
        {"asset": "trans_caspian_cable"},
        capacity_mw=cable_mw,
        converter_loss=converter_loss,
        line_loss_per_1000km=line_loss,
        length_km=length_km,
        commissioning_year=commissioning_year,
    )
    if black_sea_mw is not None:
        t["assets"].append(dict(BLACK_SEA_ASSET))
        t["power_nodes"].append({"node": "eu", "name": "EU", "country": "ro", "description": ""})
        t["power_offtake"].append({**t["power_offtake"][0], "node": "eu", "value_usd_per_mwh": eu_value})
        t["power_links"].append(
            {
                "asset": "black_sea_cable",
                "from_node": "az",
                "to_node": "eu",
                "kind": "hvdc_submarine",
                "capacity_mw": black_sea_mw,
                "commissioning_year": 2023,
                "length_km": bs_length_km,
                "line_loss_per_1000km": bs_line_loss,
                "converter_loss": bs_converter_loss,
                "wheeling_usd_per_mwh": 0,
            }
        )
    return t


def write_user_scenario(path: Path, doc: dict) -> Path:
    """Write a user scenario YAML file (``name``, ``extends``, ``overrides``, inline settings)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def random_power_net(seed: int, hours: int = 48, *, planning: bool = False, shares: bool = True):
    """A generated power network (docs/model.md §2), built directly as a PowerNet (no files).

    3-5 nodes of 2-3 countries; generators with random availability; offtake at some nodes, capped or not,
    flat or hourly values; links forward along a random tree plus extra edges, with losses, wheeling and
    outages; a store on some node; optionally a country cap on a hub's outgoing link and, with
    ``planning``, some capacities sized against annualised costs. Random floats make ties unlikely,
    so the optimum is unique in practice."""
    import numpy as np

    from energy_routes.power.params import Extend, PowerNet, Share

    rng = np.random.default_rng(seed)
    T = hours
    N = int(rng.integers(3, 6))
    countries = [["a", "b", "c"][int(rng.integers(0, 3))] if i else "a" for i in range(N)]
    net = PowerNet(2030, 1, T, [f"n{i}" for i in range(N)], countries)
    G = int(rng.integers(1, 4))
    net.gen = [f"g{i}" for i in range(G)]
    net.gen_node = rng.integers(0, max(1, N - 1), G)
    net.gen_cap = rng.uniform(50, 500, G)
    net.gen_avail = np.clip(rng.uniform(-0.2, 1.0, (G, T)), 0, 1)
    net.gen_vom = rng.uniform(0, 5, G)
    off_nodes = sorted(set(rng.choice(N, size=int(rng.integers(1, N)), replace=False).tolist()) | {N - 1})
    O = len(off_nodes)
    net.off_node = np.array(off_nodes, dtype=int)
    caps = rng.uniform(20, 300, (O, T))
    caps[rng.uniform(size=O) < 0.4] = np.inf
    net.off_cap = caps
    net.off_value = rng.uniform(20, 120, (O, 1)) * np.clip(1 + 0.4 * rng.standard_normal((O, T)), 0.05, None)
    net.off_gas_m3 = np.zeros(O)
    edges = [(int(rng.integers(0, i)), i) for i in range(1, N)]
    edges += [(int(a), int(b)) for a, b in rng.integers(0, N, (int(rng.integers(0, 3)), 2)) if a != b]
    L = len(edges)
    net.link = [f"l{i}" for i in range(L)]
    net.link_kind = ["hvdc_submarine"] * L
    net.link_from = np.array([e[0] for e in edges], dtype=int)
    net.link_to = np.array([e[1] for e in edges], dtype=int)
    net.link_cap = rng.uniform(30, 400, L)
    rho = np.ones((L, T))
    for l in range(L):
        if rng.uniform() < 0.4:
            a = int(rng.integers(0, T))
            rho[l, a:a + int(rng.integers(1, T // 3 + 1))] = rng.choice([0.0, 0.5])
    net.link_rho = rho
    net.link_eta = rng.uniform(0.85, 1.0, L)
    net.link_wheel = rng.uniform(0, 3, L)
    S = int(rng.integers(0, 3))
    net.store = [f"s{i}" for i in range(S)]
    net.store_node = rng.integers(0, N, S)
    net.store_power = rng.uniform(10, 200, S)
    net.store_energy = net.store_power * rng.uniform(1, 6, S)
    net.store_eta = np.sqrt(rng.uniform(0.7, 0.95, S))
    net.store_loss = rng.uniform(0, 0.01, S)
    net.store_cost = rng.uniform(0.1, 3, S)
    if shares:
        for l in range(L):
            feeders = np.flatnonzero(net.link_to == net.link_from[l])
            by_country = {}
            for i in feeders:
                by_country.setdefault(countries[net.link_from[i]], []).append(i)
            for c, fl in sorted(by_country.items()):
                if rng.uniform() < 0.5:
                    net.shares.append(Share(l, c, float(rng.uniform(0.2, 0.9)), np.array(fl, dtype=int)))
    if planning:
        for l in range(L):
            if rng.uniform() < 0.5:
                net.ext_link[l] = Extend(0.0, float(rng.uniform(200, 800)), float(rng.uniform(500, 3000) * T / 8760 * 8760 / T * T / 100))
        for g in range(G):
            if rng.uniform() < 0.4:
                net.ext_gen[g] = Extend(0.0, float(rng.uniform(200, 900)), float(rng.uniform(200, 2000)))
        for s in range(S):
            if rng.uniform() < 0.6:
                net.ext_store_power[s] = Extend(0.0, float(rng.uniform(50, 300)), float(rng.uniform(10, 300)))
                net.ext_store_energy[s] = Extend(0.0, float(rng.uniform(100, 1500)), float(rng.uniform(5, 100)))
    return net


def union_power_net(nets: list):
    """The disjoint union of power networks with the same hours: one LP whose optimum, where each part's is
    unique, is every part's optimum side by side (its objective their sum). Names get the prefix ``k<i>:``.
    Lets the PyPSA oracle build and solve many networks at once (its fixed cost per network is seconds)."""
    import numpy as np

    from energy_routes.power.params import Extend, PowerNet, Share

    T = nets[0].hours
    assert all(n.hours == T for n in nets)
    u = PowerNet(nets[0].year, nets[0].weather_year, T, [], [])
    cat = np.concatenate
    node_off = link_off = gen_off = store_off = 0
    parts = {k: [] for k in ("gen_node", "gen_cap", "gen_avail", "gen_vom", "off_node", "off_cap", "off_value", "off_gas_m3", "link_from", "link_to",
                             "link_cap", "link_rho", "link_eta", "link_wheel", "store_node", "store_power", "store_energy", "store_eta", "store_loss", "store_cost")}
    for i, n in enumerate(nets):
        pre = f"k{i}:"
        u.nodes += [pre + x for x in n.nodes]
        u.country += [pre + c for c in n.country]
        u.gen += [pre + x for x in n.gen]
        u.link += [pre + x for x in n.link]
        u.link_kind += list(n.link_kind)
        u.store += [pre + x for x in n.store]
        for k in parts:
            v = getattr(n, k)
            if k in ("gen_node", "off_node", "store_node", "link_from", "link_to"):
                v = v + node_off
            parts[k].append(v)
        for k, x in n.ext_gen.items():
            u.ext_gen[k + gen_off] = Extend(x.lo, x.hi, x.cost)
        for k, x in n.ext_link.items():
            u.ext_link[k + link_off] = Extend(x.lo, x.hi, x.cost)
        for k, x in n.ext_store_power.items():
            u.ext_store_power[k + store_off] = Extend(x.lo, x.hi, x.cost)
        for k, x in n.ext_store_energy.items():
            u.ext_store_energy[k + store_off] = Extend(x.lo, x.hi, x.cost)
        for sh in n.shares:
            u.shares.append(Share(sh.link + link_off, pre + sh.country, sh.max_share, sh.feeders + link_off))
        node_off += len(n.nodes)
        link_off += len(n.link)
        gen_off += len(n.gen)
        store_off += len(n.store)
    for k, vs in parts.items():
        two_d = k in ("gen_avail", "off_cap", "off_value", "link_rho")
        vs = [v.reshape(-1, T) if two_d else v for v in vs]
        setattr(u, k, cat(vs) if vs else getattr(u, k))
    for k in ("gen_node", "off_node", "store_node", "link_from", "link_to"):
        setattr(u, k, getattr(u, k).astype(int))
    return u


@contextlib.contextmanager
def ctrl_c_at_chunk(monkeypatch, n: int):
    """Inside the block a sweep's store raises KeyboardInterrupt (as Ctrl-C would) while saving its ``n``-th chunk;
    on leaving, chunks are saved normally again."""
    from energy_routes.sweep import store as store_mod

    real = store_mod.Store.write_chunk
    calls = {"n": 0}

    def flaky(self, tables):
        calls["n"] += 1
        if calls["n"] == n:
            raise KeyboardInterrupt
        return real(self, tables)

    monkeypatch.setattr(store_mod.Store, "write_chunk", flaky)
    try:
        yield
    finally:
        monkeypatch.setattr(store_mod.Store, "write_chunk", real)
