"""An independent formulation of the oil block (docs/model.md §1), for cross-checks.

Reads the same CSV tables and ``scenarios.yaml`` with pandas / PyYAML, computes
every parameter from the formulas in docs/model.md, writes the LP as sparse
matrices and solves it with ``scipy.optimize.linprog(method="highs")``.

Nothing from ``energy_routes`` is imported: it shares no code with the model
under test, so an agreement of the optimal objectives is evidence, not an echo.

Deliberate differences in *form* (not in meaning) from the package:

- every route gets a ``route_capacity`` row for every month (the package keeps
  only the non-redundant ones);
- every scenario limit / share / pair cap that holds is its own row (the
  package merges several limits on one route-year into the tightest one).
  Which entries hold follows docs/data.md: for one route and year only the
  entries of the latest scenario piece that names them count;
- a route limit on a route that no source reaches is still a row (0 must lie
  within the limits).
"""

from __future__ import annotations

import calendar
import copy
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from scipy import sparse
from scipy.optimize import linprog


def _merge(base: dict, over: dict) -> dict:
    out = copy.deepcopy(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _merge(out[k], v)
        elif isinstance(v, list) and isinstance(out.get(k), list):
            out[k] = out[k] + copy.deepcopy(v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def _tag(piece: dict, order: int) -> dict:
    """Mark every route limit and share of a piece with the piece's position in the chain."""
    piece = copy.deepcopy(piece)
    for key in ("route_limits", "route_shares"):
        piece[key] = [{**item, "_piece": order} for item in piece.get(key) or []]
    return piece


def scenario_settings(folder: Path, name: str) -> dict:
    """base + the scenario's overrides (my own merge, per docs/data.md)."""
    doc = yaml.safe_load((Path(folder) / "scenarios.yaml").read_text(encoding="utf-8-sig"))
    settings = _tag(doc.get("base") or {}, 0)
    for i, ov in enumerate((doc.get("scenarios") or {})[name].get("overrides") or [], start=1):
        piece = {k: v for k, v in (doc["overrides"][ov] or {}).items() if k != "description"}
        settings = _merge(settings, _tag(piece, i))
    return settings


def _holding(items: list[dict], years: list[int]) -> list[tuple[dict, int]]:
    """(entry, year) pairs that hold: per route and year, only the latest piece's entries."""
    latest: dict[tuple[str, int], int] = {}
    for it in items:
        for yy in _years(it.get("years"), years):
            latest[(it["route"], yy)] = max(latest.get((it["route"], yy), -1), it["_piece"])
    return [(it, yy) for it in items for yy in _years(it.get("years"), years) if it["_piece"] == latest[(it["route"], yy)]]


def _years(spec, horizon_years: list[int]) -> list[int]:
    if spec is None:
        return list(horizon_years)
    if isinstance(spec, int):
        return [spec]
    if isinstance(spec, list):
        return [int(y) for y in spec]
    m = re.fullmatch(r"\s*(\d{4})\s*\.\.\s*(\d{4})\s*", str(spec))
    if m:
        return list(range(int(m.group(1)), int(m.group(2)) + 1))
    return [int(spec)]


def _date(v) -> dt.date:
    return v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v))


def _read(folder: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(Path(folder) / f"{name}.csv", encoding="utf-8-sig", skipinitialspace=True)


@dataclass
class IndependentResult:
    status: int  # scipy: 0 optimal, 2 infeasible
    objective: float | None  # M$, maximised
    x: dict  # (s, r, month) -> kt
    z: dict  # (s, month) -> kt
    asset_cap: dict  # (a, month) -> kt
    route_cap: dict  # (r, month) -> kt
    supply: dict  # (s, month) -> kt
    netback: dict  # (s, r, year) -> $/t


def solve_independent(folder: Path, scenario: str = "case") -> IndependentResult:
    folder = Path(folder)
    st = scenario_settings(folder, scenario)
    sources_t = _read(folder, "sources")
    routes_t = _read(folder, "routes")
    assets_t = _read(folder, "assets")
    grades_t = _read(folder, "grades").set_index("grade")
    prices_t = _read(folder, "prices").set_index("year")
    cap_t = _read(folder, "asset_capacity")
    legs_t = _read(folder, "route_legs")
    sr_t = _read(folder, "source_routes")
    supply_t = _read(folder, "supply")
    frames = {"asset_capacity": cap_t, "route_legs": legs_t, "source_routes": sr_t, "supply": supply_t, "prices": prices_t.reset_index(), "assets": assets_t}

    # ---- calendar: every day of the horizon
    y0, m0 = map(int, str(st["horizon"]["start"]).split("-"))
    y1, m1 = map(int, str(st["horizon"]["end"]).split("-"))
    months: list[str] = []
    y, m = y0, m0
    while (y, m) <= (y1, m1):
        months.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    days: list[dt.date] = []
    for mo in months:
        yy, mm = int(mo[:4]), int(mo[5:])
        days += [dt.date(yy, mm, d) for d in range(1, calendar.monthrange(yy, mm)[1] + 1)]
    n_days = len(days)
    month_idx = {mo: i for i, mo in enumerate(months)}
    day_month = np.array([month_idx[f"{d.year:04d}-{d.month:02d}"] for d in days])
    day_year = np.array([d.year for d in days])
    years = sorted(set(day_year.tolist()))
    days_in_year = {yy: 366 if calendar.isleap(yy) else 365 for yy in years}
    dy = np.array([days_in_year[v] for v in day_year], dtype=float)
    days_of_month = {mo: calendar.monthrange(int(mo[:4]), int(mo[5:]))[1] for mo in months}
    h = {yy: sum(days_of_month[mo] for mo in months if int(mo[:4]) == yy) / days_in_year[yy] for yy in years}

    def month_sum(daily: np.ndarray) -> dict[str, float]:
        return {mo: float(daily[day_month == i].sum()) for i, mo in enumerate(months)}

    # ---- `set` edits: rows of a table matching `where` (and `years`) get `values`
    for edit in st.get("set") or []:
        name = edit["table"]
        if name not in frames:
            if name.startswith("power_"):
                continue  # power tables: not part of the oil block
            raise NotImplementedError(f"set on {name}")
        df = frames[name]
        mask = pd.Series(True, index=df.index)
        for k, v in (edit.get("where") or {}).items():
            mask &= df[k].astype(str) == str(v)
        if edit.get("years") is not None:
            mask &= df["year"].isin(_years(edit["years"], years))
        for k, v in edit["values"].items():
            if df[k].dtype == object and v is not None:
                df[k] = df[k].astype(object)
            df.loc[mask, k] = v
    prices_t = frames["prices"].set_index("year")

    # ---- disruptions: rho_i,d = max(0, 1 - sum_e (1 - lambda_e(d)))
    losses: dict[str, np.ndarray] = {}
    for ev in st.get("events") or []:
        d0, d1 = _date(ev["start"]), _date(ev["end"])
        r_e = float(ev["remaining"])
        k = int(ev.get("ramp_days") or 0)
        lam = np.ones(n_days)
        for i, d in enumerate(days):
            if d0 <= d <= d1:
                lam[i] = r_e
            else:
                after = (d - d1).days
                if 0 < after <= k:
                    lam[i] = r_e + (1 - r_e) * after / (k + 1)
        losses[ev["target"]] = losses.get(ev["target"], np.zeros(n_days)) + (1 - lam)
    rho = {t: np.maximum(0.0, 1 - v) for t, v in losses.items()}
    one = np.ones(n_days)

    sources = sources_t["source"].tolist()
    routes = routes_t["route"].tolist()
    legs = legs_t.sort_values(["route", "seq"])
    A_r = {r: legs.loc[legs.route == r, "asset"].tolist() for r in routes}
    oil_assets = sorted({a for r in routes for a in A_r[r]})

    # ---- supply q_s,t
    Q = {(row.source, int(row.year)): float(row.export_supply_mt) for row in supply_t.itertuples()}
    supply = {}
    for s in sources:
        daily = np.array([Q[(s, int(v))] for v in day_year]) * 1000.0 / dy * rho.get(s, one)
        for mo, v in month_sum(daily).items():
            supply[(s, mo)] = v

    # ---- Kazakh capacity kappa_a,d and cap_a,t
    C = {(row.asset, int(row.year)): float(row.capacity_mt) for row in cap_t.itertuples()}
    TH = {(row.asset, int(row.year)): float(row.third_party_mt) for row in cap_t.itertuples()}
    units = {row.asset: (int(row.units), int(row.max_active_units)) for row in assets_t.itertuples()}
    kappa: dict[str, np.ndarray] = {}
    asset_cap = {}
    for a in oil_assets:
        u, mx = units[a]
        phi = np.minimum(u * rho.get(a, one), mx) / mx
        c = np.array([C[(a, int(v))] for v in day_year])
        th = np.array([TH[(a, int(v))] for v in day_year])
        kappa[a] = np.maximum(0.0, phi * c - th) * 1000.0 / dy
        for mo, v in month_sum(kappa[a]).items():
            asset_cap[(a, mo)] = v
    route_cap = {}
    for r in routes:
        daily = np.min(np.vstack([kappa[a] for a in A_r[r]]), axis=0) * rho.get(r, one)
        for mo, v in month_sum(daily).items():
            route_cap[(r, mo)] = v

    # ---- netbacks
    grade = dict(zip(routes_t.route, routes_t.grade))
    tariff = {r: float(legs.loc[legs.route == r, "tariff_usd_per_t"].sum()) for r in routes}
    K = [(row.source, row.route) for row in sr_t.itertuples()]
    feeder = {(row.source, row.route): float(row.feeder_cost_usd_per_t) for row in sr_t.itertuples()}
    netback = {}
    for s, r in K:
        g = grades_t.loc[grade[r]]
        for yy in years:
            price = (float(prices_t.at[yy, "brent_usd_per_bbl"]) + float(g["diff_usd_per_bbl"])) * float(g["bbl_per_t"])
            netback[(s, r, yy)] = price - tariff[r] - feeder[(s, r)]

    # ---- columns
    cols: list[tuple] = [("x", s, r, mo) for mo in months for (s, r) in K] + [("z", s, mo) for mo in months for s in sources]
    col = {c: j for j, c in enumerate(cols)}
    pen = float(st["shut_in_penalty_usd_per_t"])
    cost = np.zeros(len(cols))  # minimise -objective
    for (s, r) in K:
        for mo in months:
            cost[col[("x", s, r, mo)]] = -netback[(s, r, int(mo[:4]))] / 1000.0
    for s in sources:
        for mo in months:
            cost[col[("z", s, mo)]] = pen / 1000.0

    eq_rows, eq_b = [], []
    ub_rows, ub_b = [], []

    def x_cols(pred) -> list[int]:
        return [col[c] for c in cols if c[0] == "x" and pred(c[1], c[2], c[3])]

    # supply_balance
    for s in sources:
        for mo in months:
            idx = x_cols(lambda s2, r, t: s2 == s and t == mo) + [col[("z", s, mo)]]
            eq_rows.append({j: 1.0 for j in idx})
            eq_b.append(supply[(s, mo)])
    # asset_capacity
    for a in oil_assets:
        for mo in months:
            idx = x_cols(lambda s, r, t: t == mo and a in A_r[r])
            if idx:
                ub_rows.append({j: 1.0 for j in idx})
                ub_b.append(asset_cap[(a, mo)])
    # route_capacity (all of them)
    for r in routes:
        for mo in months:
            idx = x_cols(lambda s, r2, t: t == mo and r2 == r)
            if idx:
                ub_rows.append({j: 1.0 for j in idx})
                ub_b.append(route_cap[(r, mo)])
    # route_limit: one row per limit entry and year
    for lim, yy in _holding(st.get("route_limits") or [], years):
        idx = x_cols(lambda s, r, t: r == lim["route"] and int(t[:4]) == yy)
        if lim.get("max_mt") is not None:
            ub_rows.append({j: 1.0 for j in idx})
            ub_b.append(1000.0 * h[yy] * float(lim["max_mt"]))
        if lim.get("min_mt") is not None:
            ub_rows.append({j: -1.0 for j in idx})
            ub_b.append(-1000.0 * h[yy] * float(lim["min_mt"]))
    # route_share
    for sh, yy in _holding(st.get("route_shares") or [], years):
        sigma = float(sh["max_share"])
        row = {}
        for j in x_cols(lambda s, r, t: int(t[:4]) == yy):
            row[j] = row.get(j, 0.0) - sigma
        for j in x_cols(lambda s, r, t: r == sh["route"] and int(t[:4]) == yy):
            row[j] = row.get(j, 0.0) + 1.0
        ub_rows.append(row)
        ub_b.append(0.0)
    # source_route_limit
    for row_ in sr_t.itertuples():
        if pd.isna(row_.max_mt):
            continue
        for yy in years:
            idx = x_cols(lambda s, r, t: s == row_.source and r == row_.route and int(t[:4]) == yy)
            ub_rows.append({j: 1.0 for j in idx})
            ub_b.append(1000.0 * h[yy] * float(row_.max_mt))

    def matrix(rows):
        if not rows:
            return None
        data, ri, ci = [], [], []
        for i, row in enumerate(rows):
            for j, v in row.items():
                ri.append(i)
                ci.append(j)
                data.append(v)
        return sparse.csr_matrix((data, (ri, ci)), shape=(len(rows), len(cols)))

    res = linprog(
        cost,
        A_ub=matrix(ub_rows),
        b_ub=np.array(ub_b) if ub_rows else None,
        A_eq=matrix(eq_rows),
        b_eq=np.array(eq_b),
        bounds=(0, None),
        method="highs",
    )
    if res.status != 0:
        return IndependentResult(res.status, None, {}, {}, asset_cap, route_cap, supply, netback)
    xs = {(c[1], c[2], c[3]): float(res.x[j]) for c, j in col.items() if c[0] == "x"}
    zs = {(c[1], c[2]): float(res.x[j]) for c, j in col.items() if c[0] == "z"}
    return IndependentResult(0, -float(res.fun), xs, zs, asset_cap, route_cap, supply, netback)


# ---------------------------------------------------------------------------
# The power block in PyPSA: an independent formulation of docs/model.md §2


@dataclass
class PypsaResult:
    """PyPSA's optimum in the model's terms: objective in $ (maximised), arrays element × hour."""

    objective: float
    p: np.ndarray
    q: np.ndarray
    f: np.ndarray
    ch: np.ndarray
    dis: np.ndarray
    soc: np.ndarray
    gen_cap: np.ndarray
    link_cap: np.ndarray
    store_power: np.ndarray
    store_energy: np.ndarray


def power_pypsa(net) -> PypsaResult:
    """Build ``net`` (a :class:`energy_routes.power.params.PowerNet`) as a PyPSA network and solve it with HiGHS.

    Mapping: node -> Bus; generator -> Generator (p_max_pu = availability); offtake -> a Generator that
    only consumes (p_min_pu = −cap/p_nom, p_max_pu = 0) with marginal cost = value, so PyPSA's cost
    Σ mc·p = −Σ value·offtake; link -> Link (efficiency η, p_max_pu = ρ); store -> Store on its own bus
    with a charging Link (efficiency η, marginal cost = charging cost) and a discharging Link
    (efficiency η, p_nom = P/η so that what reaches the node is at most P); country caps and the tie
    between the two battery links' sizes as extra constraints. Minimises cost = −(the model's objective).
    """
    import logging

    import pypsa

    pypsa.options.api.legacy_string_dtype = True
    logging.getLogger("pypsa").setLevel(logging.ERROR)
    logging.getLogger("linopy").setLevel(logging.ERROR)
    T = net.hours
    n = pypsa.Network()
    n.set_snapshots(range(T))
    snaps = n.snapshots

    def ts(values: np.ndarray, names: list[str]) -> pd.DataFrame:
        return pd.DataFrame(np.asarray(values, dtype=float).reshape(len(names), T).T, index=snaps, columns=names)

    def sizing(ext: dict, fixed: np.ndarray, k: int) -> dict:
        """Capacity attributes of element k: extendable with bounds and cost, or fixed."""
        x = ext.get(k)
        return dict(ext=x is not None, nom=0.0 if x else float(fixed[k]), lo=x.lo if x else 0.0, hi=x.hi if x else np.inf, cost=x.cost if x else 0.0)

    def add(kind: str, names: list[str], sized: list[dict] | None = None, **attrs) -> None:
        """One bulk ``n.add`` (PyPSA's cost is per call, not per component)."""
        if not names:
            return
        if sized is not None:
            attrs.update(p_nom_extendable=[z["ext"] for z in sized], p_nom=[z["nom"] for z in sized], p_nom_min=[z["lo"] for z in sized],
                         p_nom_max=[z["hi"] for z in sized], capital_cost=[z["cost"] for z in sized])
        n.add(kind, names, **attrs)

    add("Bus", list(net.nodes))
    G = len(net.gen)
    add("Generator", list(net.gen), [sizing(net.ext_gen, net.gen_cap, g) for g in range(G)],
        bus=[net.nodes[i] for i in net.gen_node], p_max_pu=ts(net.gen_avail, list(net.gen)), marginal_cost=list(net.gen_vom))
    off_names = [f"offtake:{net.nodes[i]}" for i in net.off_node]
    if off_names:
        cap = net.off_cap
        p_nom = np.array([max(float(c.max()) if np.isfinite(c).all() else 1e6, 1e-9) for c in cap])
        pmin = -np.where(np.isfinite(cap), cap, p_nom[:, None]) / p_nom[:, None]
        n.add("Generator", off_names, bus=[net.nodes[i] for i in net.off_node], p_nom=p_nom, p_min_pu=ts(pmin, off_names),
              p_max_pu=0.0, marginal_cost=ts(net.off_value, off_names))
    L = len(net.link)
    add("Link", list(net.link), [sizing(net.ext_link, net.link_cap, l) for l in range(L)],
        bus0=[net.nodes[i] for i in net.link_from], bus1=[net.nodes[i] for i in net.link_to], efficiency=list(net.link_eta),
        p_max_pu=ts(net.link_rho, list(net.link)), marginal_cost=list(net.link_wheel))
    S = len(net.store)
    if S:
        buses = [f"{name}:battery" for name in net.store]
        nodes = [net.nodes[i] for i in net.store_node]
        eta = [float(e) for e in net.store_eta]
        n.add("Bus", buses)
        ee = [net.ext_store_energy.get(s) for s in range(S)]
        n.add("Store", list(net.store), bus=buses, e_cyclic=True, standing_loss=list(net.store_loss),
              e_nom_extendable=[x is not None for x in ee], e_nom=[0.0 if x else float(net.store_energy[s]) for s, x in enumerate(ee)],
              e_nom_min=[x.lo if x else 0.0 for x in ee], e_nom_max=[x.hi if x else np.inf for x in ee], capital_cost=[x.cost if x else 0.0 for x in ee])
        add("Link", [f"{s}:charge" for s in net.store], [sizing(net.ext_store_power, net.store_power, s) for s in range(S)],
            bus0=nodes, bus1=buses, efficiency=eta, marginal_cost=list(net.store_cost))
        dis = [dict(ext=s in net.ext_store_power, nom=0.0 if s in net.ext_store_power else float(net.store_power[s]) / eta[s], lo=0.0, hi=np.inf, cost=0.0) for s in range(S)]
        add("Link", [f"{s}:discharge" for s in net.store], dis, bus0=buses, bus1=nodes, efficiency=eta)

    def extra(n, snapshots):
        m = n.model
        p = m["Link-p"]
        for s, name in enumerate(net.store):
            if s in net.ext_store_power:
                nom = m["Link-p_nom"]
                m.add_constraints(nom.sel(name=f"{name}:discharge", drop=True) * float(net.store_eta[s]) - nom.sel(name=f"{name}:charge", drop=True) == 0, name=f"tie-{name}")
        for i, sh in enumerate(net.shares):
            lhs = sum(float(net.link_eta[l]) * p.sel(name=net.link[l], drop=True) for l in sh.feeders)
            rho = xr.DataArray(net.link_rho[sh.link], coords={"snapshot": n.snapshots})
            if sh.link in net.ext_link:
                rhs_var = m["Link-p_nom"].sel(name=net.link[sh.link], drop=True)
                m.add_constraints(lhs - sh.max_share * rho * rhs_var <= 0, name=f"share-{i}")
            else:
                m.add_constraints(lhs <= sh.max_share * rho * float(net.link_cap[sh.link]), name=f"share-{i}")

    import xarray as xr

    status, condition = n.optimize(solver_name="highs", extra_functionality=extra, solver_options={"threads": 1, "output_flag": False},
                                   include_objective_constant=False)
    assert status == "ok", (status, condition)
    T_ = list(range(T))

    def cols(df, names):
        return df.reindex(columns=names).fillna(0.0).loc[T_].to_numpy().T if names else np.zeros((0, T))

    ch = cols(n.links_t.p0, [f"{s}:charge" for s in net.store])
    dis = cols(n.links_t.p0, [f"{s}:discharge" for s in net.store]) * (net.store_eta[:, None] if len(net.store) else 1.0)

    def nom(df, names, col):
        return df.loc[names, col].to_numpy(float) if names else np.zeros(0)

    return PypsaResult(
        objective=-float(n.objective + n.objective_constant),
        p=cols(n.generators_t.p, list(net.gen)), q=-cols(n.generators_t.p, off_names), f=cols(n.links_t.p0, list(net.link)),
        ch=ch, dis=dis, soc=cols(n.stores_t.e, list(net.store)),
        gen_cap=nom(n.generators, list(net.gen), "p_nom_opt"), link_cap=nom(n.links, list(net.link), "p_nom_opt"),
        store_power=nom(n.links, [f"{s}:charge" for s in net.store], "p_nom_opt"), store_energy=nom(n.stores, list(net.store), "e_nom_opt"),
    )
