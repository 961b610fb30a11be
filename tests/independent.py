"""An independent formulation of the oil block (docs/model.md §1), for cross-checks.

Reads the same CSV tables and ``scenarios.yaml`` with pandas / PyYAML, computes
every parameter from the formulas in docs/model.md (network, periods, daily
events, units, third parties, stores, ramps, pro-rating, the tie-break),
writes the LP as sparse matrices and solves it with
``scipy.optimize.linprog(method="highs")``.

Nothing from ``energy_routes`` is imported: it shares no code with the model
under test, so an agreement of the optima and flows is evidence, not an echo.

Deliberate differences in *form* (not in meaning) from the package:

- a route gets a ``route_capacity`` row only in periods where an event cuts
  the route itself (the package keeps a row everywhere, at +inf elsewhere);
- every scenario limit / share / pair cap that holds is its own row (the
  package merges several limits on one route-year into the tightest one).
  Which entries hold follows docs/data.md: for one route and year only the
  entries of the latest scenario piece that names them count;
- the year-end store level is an equality row, not a fixed column, and in a
  settled period each source's level in a shared store is pinned to its
  opening level directly (the package writes it as a share of the total);
- a route limit on a route that no source reaches is still a row (0 must lie
  within the limits).
"""

from __future__ import annotations

import calendar
import copy
import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from scipy import sparse
from scipy.optimize import linprog

TIE = 0.001  # $/t, docs/model.md "Tie-break"


def _merge(base: dict, over: dict) -> dict:
    out = copy.deepcopy(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _merge(out[k], v)
        elif isinstance(v, list) and isinstance(out.get(k), list) and k in ("route_limits", "route_shares", "events", "set"):
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


def _read(folder: Path, name: str) -> pd.DataFrame | None:
    path = Path(folder) / f"{name}.csv"
    if not path.exists():
        return None
    return pd.read_csv(path, encoding="utf-8-sig", skipinitialspace=True, keep_default_na=True)


def _w(family: str, *parts) -> float:
    """Tie-break weight: 1 + BLAKE2b-64 of 'family|parts' / 2^64 (docs/model.md)."""
    name = family + "|" + "|".join(map(str, parts))
    return 1.0 + int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big") / 2.0**64


def _periods(days: list[dt.date], resolution: str, windows: list[dict]) -> list[tuple[int, int, str]]:
    """(first day index, length, label) per period, per docs/model.md "Time"."""
    res = [resolution] * len(days)
    cut = [False] * len(days)
    for w in windows or []:
        a, b = _date(w["start"]), _date(w["end"])
        inside = [i for i, d in enumerate(days) if a <= d <= b]
        for i in inside:
            res[i] = w.get("resolution", "day")
        if inside:
            cut[inside[0]] = True
            if inside[-1] + 1 < len(days):
                cut[inside[-1] + 1] = True
    for i, d in enumerate(days):
        if i == 0 or d.day == 1 or res[i] == "day" or (res[i] == "week" and d.day in (1, 8, 15, 22)):
            cut[i] = True
    starts = [i for i, c in enumerate(cut) if c]
    out = []
    for j, i0 in enumerate(starts):
        i1 = starts[j + 1] if j + 1 < len(starts) else len(days)
        d0 = days[i0]
        whole = d0.day == 1 and (i1 - i0) == calendar.monthrange(d0.year, d0.month)[1]
        out.append((i0, i1 - i0, f"{d0.year:04d}-{d0.month:02d}" if whole else d0.isoformat()))
    return out


@dataclass
class IndependentResult:
    status: int  # scipy: 0 optimal, 2 infeasible
    objective: float | None  # M$, the LP's maximum (tie-break included)
    x: dict  # (s, r, period label) -> kt
    z: dict  # (s, period label) -> kt
    asset_cap: dict  # (a, month) -> kt
    route_cap: dict  # (r, month) -> kt
    supply: dict  # (s, month) -> kt
    netback: dict  # (s, r, year) -> $/t (cheapest path)
    level: dict  # (store, period label) -> kt, summed over sources
    periods: list  # labels


def solve_independent(folder: Path, scenario: str = "case", *, without_events: bool = False) -> IndependentResult:
    folder = Path(folder)
    st = scenario_settings(folder, scenario)
    if without_events:  # the no-event plan (docs/model.md "displaced crude"): the same scenario, no events
        st = {**st, "events": []}
    sources_t = _read(folder, "sources")
    routes_t = _read(folder, "routes")
    assets_t = _read(folder, "assets")
    grades_t = _read(folder, "grades").set_index("grade")
    prices_t = _read(folder, "prices")
    cap_t = _read(folder, "asset_capacity")
    arcs_t = _read(folder, "arcs")
    stores_t = _read(folder, "stores")
    sr_t = _read(folder, "source_routes")
    supply_t = _read(folder, "supply")
    frames = {"asset_capacity": cap_t, "arcs": arcs_t, "source_routes": sr_t, "supply": supply_t, "prices": prices_t, "assets": assets_t, "sources": sources_t, "grades": grades_t.reset_index()}
    if stores_t is not None:
        frames["stores"] = stores_t
    gd_t = _read(folder, "grade_differentials")
    if gd_t is not None:
        frames["grade_differentials"] = gd_t
    units_t = _read(folder, "asset_units")  # moorings with identity (docs/model.md "Units")
    sharing_t = _read(folder, "asset_sharing")
    sched_t = _read(folder, "schedules")
    accept_t = _read(folder, "acceptance")

    # ---- calendar: every day of the horizon, and its periods
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
    periods = _periods(days, st.get("resolution") or "month", st.get("windows") or [])
    P = len(periods)
    labels = [lab for _, _, lab in periods]
    plen = np.array([n for _, n, _ in periods], dtype=float)
    day_period = np.zeros(n_days, dtype=int)
    for j, (i0, n, _) in enumerate(periods):
        day_period[i0 : i0 + n] = j
    p_year = np.array([days[i0].year for i0, _, _ in periods])
    p_month = [f"{days[i0].year:04d}-{days[i0].month:02d}" for i0, _, _ in periods]
    day_year = np.array([d.year for d in days])
    years = sorted(set(day_year.tolist()))
    D = {yy: 366 if calendar.isleap(yy) else 365 for yy in years}
    dy = np.array([D[v] for v in day_year], dtype=float)
    h = {yy: plen[p_year == yy].sum() / D[yy] for yy in years}
    year_first = [j == 0 or p_year[j] != p_year[j - 1] for j in range(P)]
    year_last = [j == P - 1 or p_year[j] != p_year[j + 1] for j in range(P)]

    def period_sum(daily: np.ndarray) -> np.ndarray:
        out = np.zeros(P)
        np.add.at(out, day_period, daily)
        return out

    def month_of(vals: np.ndarray) -> dict[str, float]:
        out: dict[str, float] = {}
        for j, mo in enumerate(p_month):
            out[mo] = out.get(mo, 0.0) + float(vals[j])
        return out

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
    prices = frames["prices"].set_index("year")
    grades_t = frames["grades"].set_index("grade")
    gd = frames.get("grade_differentials")
    diffs = {} if gd is None else {(r.grade, int(r.year)): float(r.diff_usd_per_bbl) for r in gd.itertuples()}

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
        prev = losses.get(ev["target"], np.zeros(n_days))
        # a unit (asset/unit) is there or not: its loss is the largest of its events', not their sum
        losses[ev["target"]] = np.maximum(prev, 1 - lam) if "/" in ev["target"] else prev + (1 - lam)
    rho = {t: np.maximum(0.0, 1 - v) for t, v in losses.items()}
    one = np.ones(n_days)

    # ---- network
    sources = sources_t["source"].tolist()
    routes = routes_t["route"].tolist()
    arcs = [(r.arc, r.from_node, r.to_node, None if pd.isna(r.asset) else r.asset, float(r.tariff_usd_per_t)) for r in arcs_t.itertuples()]
    K = [(row.source, row.route) for row in sr_t.itertuples()]
    succ: dict[str, set] = {}
    pred: dict[str, set] = {}
    for _, u, v, _, _ in arcs:
        succ.setdefault(u, set()).add(v)
        pred.setdefault(v, set()).add(u)

    def reach(start: set, nxt: dict) -> set:
        seen, todo = set(start), list(start)
        while todo:
            u = todo.pop()
            for v in nxt.get(u, ()):
                if v not in seen:
                    seen.add(v)
                    todo.append(v)
        return seen

    F = []  # (s, arc) a source may use
    for s in sources:
        fwd, bwd = reach({s}, succ), reach({r for s2, r in K if s2 == s}, pred)
        F += [(s, a) for a, u, v, _, _ in arcs if u in fwd and v in bwd]
    arc_of = {a: (u, v, asset, tau) for a, u, v, asset, tau in arcs}
    oil_assets = [a for a in assets_t["asset"] if any(arc_of[x][2] == a for _, x in F)]
    route_assets = {}
    for r in routes:
        fwd, bwd = reach({s for s, r2 in K if r2 == r}, succ), reach({r}, pred)
        route_assets[r] = sorted({asset for a, u, v, asset, _ in arcs if asset and u in fwd and v in bwd})
    nodes_at = {(s, arc_of[a][1]) for s, a in F}
    stores = [] if stores_t is None else list(frames["stores"].itertuples())
    holdings = [(s, k.store) for k in stores for s in sources if (s, k.node) in nodes_at or s == k.node]
    store_node = {k.store: k.node for k in stores}

    # ---- supply q_s,t
    Q = {(row.source, int(row.year)): float(row.export_supply_mt) for row in frames["supply"].itertuples()}
    supply = {}
    for s in sources:
        daily = np.array([Q[(s, int(v))] for v in day_year]) * 1000.0 / dy * rho.get(s, one)
        supply[s] = period_sum(daily)

    # ---- Kazakh capacity kappa_a,d and cap_a,t
    C = {(row.asset, int(row.year)): float(row.capacity_mt) for row in frames["asset_capacity"].itertuples()}
    TH = {(row.asset, int(row.year)): float(row.third_party_mt) for row in frames["asset_capacity"].itertuples()}
    units = {row.asset: (int(row.units), int(row.max_active_units)) for row in frames["assets"].itertuples()}
    unit_rates: dict[str, list[tuple[str, float]]] = {}
    if units_t is not None:
        for row in units_t.itertuples():
            unit_rates.setdefault(row.asset, []).append((f"{row.asset}/{row.unit}", float(row.rate_mt)))
    pro_rata = set() if sharing_t is None else {row.asset for row in sharing_t.itertuples() if row.rule == "pro_rata"}

    def kazakh_daily(rh: dict) -> dict[str, np.ndarray]:
        out = {}
        for a in oil_assets:
            u, mx = units[a]
            c = np.array([C[(a, int(v))] for v in day_year])
            th = np.array([TH[(a, int(v))] for v in day_year])
            if a in unit_rates:  # units with identity: what the units still up can load, up to C
                avail = sum(rate * rh.get(t, one) for t, rate in unit_rates[a]) * rh.get(a, one)
                phi = np.where(c > 0, np.minimum(avail, c) / np.where(c > 0, c, 1.0), 0.0)
            else:
                phi = np.minimum(u * rh.get(a, one), mx) / mx
            if a in pro_rata:  # every shipper keeps the same share of its normal volume
                out[a] = phi * np.maximum(c - th, 0.0) * 1000.0 / dy
            else:  # third parties keep theirs
                out[a] = np.maximum(0.0, phi * c - th) * 1000.0 / dy
        return out

    def route_daily(kap: dict, rh: dict) -> dict[str, np.ndarray]:
        return {r: (np.min(np.vstack([kap[a] for a in route_assets[r]]), axis=0) * rh.get(r, one) if route_assets[r] else np.zeros(n_days)) for r in routes}

    kappa = kazakh_daily(rho)
    cap_a = {a: period_sum(kappa[a]) for a in oil_assets}
    r_daily = route_daily(kappa, rho)
    cap_r = {r: period_sum(r_daily[r]) for r in routes}

    # ---- schedules and acceptance (docs/model.md "Schedules and acceptance")
    dim = np.array([calendar.monthrange(d.year, d.month)[1] for d in days], dtype=float)
    sched: dict[str, np.ndarray] = {}
    if sched_t is not None:
        kt = {(row.route, int(row.year), int(row.month)): float(row.schedule_kt) for row in sched_t.itertuples()}
        for r in routes:
            daily = np.array([kt.get((r, d.year, d.month), np.inf) for d in days]) / dim
            if np.isfinite(daily).any() and any(r2 == r for _, r2 in K):
                sched[r] = period_sum(daily)
    # an annual cap (route_limits max_mt that holds) is a monthly schedule too: max × Δ_t / D_y
    caps_ry: dict[tuple, float] = {}
    for lim, yy in _holding(st.get("route_limits") or [], years):
        if lim.get("max_mt") is not None:
            caps_ry[(lim["route"], yy)] = min(caps_ry.get((lim["route"], yy), np.inf), float(lim["max_mt"]))
    for r in routes:
        if not any(r2 == r for _, r2 in K):
            continue
        quota = np.array([1000.0 * caps_ry.get((r, int(p_year[j])), np.inf) * plen[j] / D[int(p_year[j])] for j in range(P)])
        if np.isfinite(quota).any():
            sched[r] = np.minimum(sched.get(r, np.full(P, np.inf)), quota)
    full = route_daily(kazakh_daily({}), {})
    disrupted = np.array([any(r_daily[r][i] < full[r][i] - 1e-9 for r in routes) for i in range(n_days)])
    run_start = np.zeros(n_days, dtype=int)
    for i in range(n_days):
        run_start[i] = run_start[i - 1] if i and disrupted[i - 1] and days[i].year == days[i - 1].year else i
    # the first day of the latest run of disrupted days up to each day, within its year (None: no run yet)
    last_run = []
    for i in range(n_days):
        new_year = i == 0 or days[i].year != days[i - 1].year
        prev = last_run[-1] if not new_year else None
        if disrupted[i] and (new_year or not disrupted[i - 1]):
            prev = i
        last_run.append(prev)
    settled = []
    for a0, n0, _ in periods:
        end = a0 + n0 - 1
        first = end
        while first > 0 and days[first - 1].year == days[end].year and end - (first - 1) < 30:
            first -= 1
        settled.append(not disrupted[first : end + 1].any())
    acceptors = []  # (name, routes covered that have a schedule, allowance per period, premium)
    if accept_t is not None:
        for row in accept_t.itertuples():
            covered = [r for r in str(row.routes).split("+") if r in sched]
            ok = disrupted & (np.arange(n_days) - run_start >= int(row.lead_time_days))
            acceptors.append((row.acceptor, covered, period_sum(ok * float(row.extra_kt_per_month) / dim), float(row.premium_usd_per_t)))

    # a route's reported capacity: what its rows let it carry in each period, i.e. its tightest asset over the
    # period and, in periods where an event cuts the route itself, that row's bound (docs/model.md §1)
    def reported(r: str) -> np.ndarray:
        legs = np.min(np.vstack([cap_a[a] for a in route_assets[r]]), axis=0) if route_assets[r] else np.zeros(len(periods))
        own = np.array([cap_r[r][j] if r in rho and (rho[r][periods[j][0] : periods[j][0] + periods[j][1]] < 1).any() else np.inf
                        for j in range(len(periods))])
        return np.minimum(legs, own)

    # ---- prices: sale value at the outlet, and the cheapest-path netback (for the tables)
    grade = dict(zip(routes_t.route, routes_t.grade))
    feeder = {(row.source, row.route): float(row.feeder_cost_usd_per_t) for row in frames["source_routes"].itertuples()}
    sale, netback = {}, {}
    for s, r in K:
        g = grades_t.loc[grade[r]]
        best = {s: 0.0}
        for _ in arcs:
            for a, u, v, _, tau in arcs:
                if u in best and best[u] + tau < best.get(v, np.inf):
                    best[v] = best[u] + tau
        for yy in years:
            diff = diffs.get((grade[r], yy), float(g["diff_usd_per_bbl"]))  # a year's row replaces the grade's default
            price = (float(prices.at[yy, "brent_usd_per_bbl"]) + diff) * float(g["bbl_per_t"])
            sale[(s, r, yy)] = price - feeder[(s, r)]
            netback[(s, r, yy)] = sale[(s, r, yy)] - best[r]

    # ---- columns
    cols: list[tuple] = []
    cols += [("x", s, r, j) for (s, r) in K for j in range(P)]
    cols += [("f", s, a, j) for (s, a) in F for j in range(P)]
    cols += [("z", s, j) for s in sources for j in range(P)]
    for v in ("inj", "wd", "level"):
        cols += [(v, s, k, j) for (s, k) in holdings for j in range(P)]
    premium_of = {r: prem for _, covered, _, prem in acceptors for r in covered}
    cols += [("e", r, j) for r in sched if r in premium_of for j in range(P)]  # no acceptor: no extra at all
    # ---- displaced crude (docs/model.md "displaced crude"): windows are runs of unsettled periods and the first
    # settled period after each (within a year); in a window, extra accepted ≤ crude the outage displaced
    windows: list[list[int]] = []
    for j in range(P):
        closing = settled[j] and not year_first[j] and not settled[j - 1]
        if not settled[j] or closing:
            prev_in = windows and windows[-1][-1] == j - 1 and not year_first[j]
            prev_closed = prev_in and settled[j - 1]  # the window before ended with its first settled period
            if prev_in and not prev_closed:
                windows[-1].append(j)
            else:
                windows.append([j])
    served = [r for r in routes if any(r2 == r for _, r2 in K)]
    plan: dict = {}
    if windows:
        base = solve_independent(folder, scenario, without_events=True)
        assert base.status == 0, "the no-event plan must solve"
        for (s, r, lab), v in base.x.items():
            plan[(r, labels.index(lab))] = plan.get((r, labels.index(lab)), 0.0) + v
    in_window = sorted(j for w in windows for j in w)
    cols += [("d", r, j) for r in served for j in in_window]  # free: displaced crude credited on r in period j
    col = {c: j for j, c in enumerate(cols)}
    pen = float(st["shut_in_penalty_usd_per_t"])
    cost = np.zeros(len(cols))  # minimise -objective (k$)
    for c, j in col.items():
        if c[0] == "x":
            cost[j] = -sale[(c[1], c[2], int(p_year[c[3]]))] + TIE * _w("x", c[1], c[2], labels[c[3]])
        elif c[0] == "f":
            cost[j] = arc_of[c[2]][3] + TIE * _w("f", c[1], c[2], labels[c[3]])
        elif c[0] == "z":
            cost[j] = pen
        elif c[0] in ("inj", "wd"):
            cost[j] = TIE * _w(c[0], c[1], c[2], labels[c[3]])
        elif c[0] == "e":
            cost[j] = premium_of[c[1]] + TIE * _w("e", c[1], labels[c[2]])

    eq_rows, eq_b, ub_rows, ub_b = [], [], [], []

    def add(rows, rhs, row, b):
        rows.append(row)
        rhs.append(b)

    opening = {}
    stores_by = {k.store: k for k in stores}
    for s, k in holdings:
        mates = [s2 for s2, k2 in holdings if k2 == k]
        for yy in years:
            tot = sum(Q[(s2, yy)] for s2 in mates)
            opening[(s, k, yy)] = float(stores_by[k].opening_kt) * (Q[(s, yy)] / tot if tot > 0 else 1 / len(mates))

    for j in range(P):
        # supply at each field: out-arcs + tank in − tank out + shut-in = q
        for s in sources:
            row = {col[("f", s, a, j)]: 1.0 for (s2, a) in F if s2 == s and arc_of[a][0] == s}
            for s2, k in holdings:
                if s2 == s and store_node[k] == s:
                    row[col[("inj", s, k, j)]] = 1.0
                    row[col[("wd", s, k, j)]] = -1.0
            row[col[("z", s, j)]] = 1.0
            add(eq_rows, eq_b, row, supply[s][j])
        # balance at every other node a source can be at
        for s, n in sorted(nodes_at):
            row = {}
            for s2, a in F:
                if s2 != s:
                    continue
                u, v = arc_of[a][0], arc_of[a][1]
                if v == n:
                    row[col[("f", s, a, j)]] = row.get(col[("f", s, a, j)], 0.0) + 1.0
                if u == n:
                    row[col[("f", s, a, j)]] = row.get(col[("f", s, a, j)], 0.0) - 1.0
            if (s, n) in K:
                row[col[("x", s, n, j)]] = -1.0
            for s2, k in holdings:
                if s2 == s and store_node[k] == n:
                    row[col[("inj", s, k, j)]] = -1.0
                    row[col[("wd", s, k, j)]] = 1.0
            add(eq_rows, eq_b, row, 0.0)
        # asset capacity
        for a in oil_assets:
            row = {col[("f", s, x, j)]: 1.0 for (s, x) in F if arc_of[x][2] == a}
            add(ub_rows, ub_b, row, cap_a[a][j])
        # route capacity, where an event cuts the route itself in this period
        for r in routes:
            row = {col[("x", s, r2, j)]: 1.0 for (s, r2) in K if r2 == r}
            i0, n = periods[j][0], periods[j][1]
            if row and r in rho and (rho[r][i0 : i0 + n] < 1).any():
                add(ub_rows, ub_b, row, cap_r[r][j])
        # planned schedules, and extra volume above them
        for r, S in sched.items():
            if np.isfinite(S[j]):
                row = {col[("x", s, r2, j)]: 1.0 for (s, r2) in K if r2 == r}
                if ("e", r, j) in col:
                    row[col[("e", r, j)]] = -1.0
                add(ub_rows, ub_b, row, S[j])
        for _, covered, allow, _ in acceptors:
            row = {col[("e", r, j)]: 1.0 for r in covered}
            if row:
                add(ub_rows, ub_b, row, allow[j])
        # stores
        for s, k in holdings:
            row = {col[("level", s, k, j)]: 1.0, col[("inj", s, k, j)]: -1.0, col[("wd", s, k, j)]: 1.0}
            if year_first[j]:
                add(eq_rows, eq_b, row, opening[(s, k, int(p_year[j]))])
            else:
                row[col[("level", s, k, j - 1)]] = -1.0
                add(eq_rows, eq_b, row, 0.0)
            if year_last[j]:
                add(eq_rows, eq_b, {col[("level", s, k, j)]: 1.0}, opening[(s, k, int(p_year[j]))])
            elif settled[j] and sum(k2 == k for _, k2 in holdings) > 1:
                # a shared store in a settled period: each source's crude at its own opening level (the model
                # writes this as a share of the store's total, store_share; here it is the level itself)
                add(eq_rows, eq_b, {col[("level", s, k, j)]: 1.0}, opening[(s, k, int(p_year[j]))])
        for k in stores:
            mine = [s for s, k2 in holdings if k2 == k.store]
            if not mine:
                continue  # a tank no source's crude can reach takes no part (docs/model.md)
            # non-anticipation: in a settled period (no disrupted day in the 30 days up to its end, within
            # its year) the store is at its opening level; otherwise anywhere in [min_level, capacity]
            lo_, hi_ = (float(k.opening_kt),) * 2 if settled[j] else (float(k.min_level_kt), float(k.capacity_kt))
            add(ub_rows, ub_b, {col[("level", s, k.store, j)]: 1.0 for s in mine}, hi_)
            add(ub_rows, ub_b, {col[("level", s, k.store, j)]: -1.0 for s in mine}, -lo_)
            add(ub_rows, ub_b, {col[("inj", s, k.store, j)]: 1.0 for s in mine}, float(k.max_in_kt_per_day) * plen[j])
            add(ub_rows, ub_b, {col[("wd", s, k.store, j)]: 1.0 for s in mine}, float(k.max_out_kt_per_day) * plen[j])
        # ramp-up of production, within a year
        if "ramp_up_per_day" in frames["sources"]:
            for row_ in frames["sources"].itertuples():
                frac = row_.ramp_up_per_day
                if pd.isna(frac) or year_first[j]:
                    continue
                s = row_.source
                yy = int(p_year[j])
                R = float(frac) * 1000.0 * Q[(s, yy)] / D[yy]
                row = {col[("z", s, j)]: -1.0 / plen[j], col[("z", s, j - 1)]: 1.0 / plen[j - 1]}
                add(ub_rows, ub_b, row, R * (plen[j - 1] + plen[j]) / 2 - supply[s][j] / plen[j] + supply[s][j - 1] / plen[j - 1])
        # decision horizon: a source with cut_hold_days L does not raise its daily output from the period before
        # while the period's first day is within L days of the first day of a run of disrupted days
        if "cut_hold_days" in frames["sources"] and not year_first[j]:
            i0 = periods[j][0]
            for row_ in frames["sources"].itertuples():
                L = row_.cut_hold_days
                if pd.isna(L) or last_run[i0] is None or not (i0 - last_run[i0] < int(L)):
                    continue
                s = row_.source
                row = {col[("z", s, j)]: -1.0 / plen[j], col[("z", s, j - 1)]: 1.0 / plen[j - 1]}
                add(ub_rows, ub_b, row, -supply[s][j] / plen[j] + supply[s][j - 1] / plen[j - 1])

    # displaced crude: d[r,j] ≤ P[r,j] − (Σ_s x[s,r,j] − e[r,j]) and d[r,j] ≤ max(0, P[r,j] − cap[r,j]), where cap is the
    # route's reported capacity (what its rows let it carry); per window Σ e ≤ Σ d
    for j in in_window:
        for r in served:
            row = {col[("d", r, j)]: 1.0}
            for s, r2 in K:
                if r2 == r:
                    row[col[("x", s, r, j)]] = 1.0
            if ("e", r, j) in col:
                row[col[("e", r, j)]] = -1.0
            add(ub_rows, ub_b, row, plan[(r, j)])
            add(ub_rows, ub_b, {col[("d", r, j)]: 1.0}, max(0.0, plan[(r, j)] - reported(r)[j]))
    for w in windows:
        row = {}
        for j in w:
            for r in served:
                row[col[("d", r, j)]] = -1.0
            for r in sched:
                if ("e", r, j) in col:
                    row[col[("e", r, j)]] = 1.0
        add(ub_rows, ub_b, row, 0.0)

    # route_limit: one row per limit entry and year that holds
    def x_year(r_pred, yy):
        return [col[("x", s, r, j)] for (s, r) in K if r_pred(s, r) for j in range(P) if p_year[j] == yy]

    for lim, yy in _holding(st.get("route_limits") or [], years):
        idx = x_year(lambda s, r: r == lim["route"], yy)
        # a cap on a route an acceptor covers binds its planned volume only, through the monthly schedules
        # (its quota, spread over the year, is part of them); extra accepted above them is on top
        if lim.get("max_mt") is not None and not any(("e", lim["route"], j) in col for j in range(P)):
            add(ub_rows, ub_b, {j: 1.0 for j in idx}, 1000.0 * h[yy] * float(lim["max_mt"]))
        if lim.get("min_mt") is not None:
            add(ub_rows, ub_b, {j: -1.0 for j in idx}, -1000.0 * h[yy] * float(lim["min_mt"]))
    # route_share
    for sh, yy in _holding(st.get("route_shares") or [], years):
        sigma = float(sh["max_share"])
        row = {}
        for j in x_year(lambda s, r: True, yy):
            row[j] = row.get(j, 0.0) - sigma
        for j in x_year(lambda s, r: r == sh["route"], yy):
            row[j] = row.get(j, 0.0) + 1.0
        add(ub_rows, ub_b, row, 0.0)
    # source_route_limit: the shipper's allocation, one row per period: x[s,r,t] ≤ 1000 M n_t / D_y
    for row_ in frames["source_routes"].itertuples():
        if pd.isna(row_.max_mt):
            continue
        for j in range(P):
            if ("x", row_.source, row_.route, j) in col:
                add(ub_rows, ub_b, {col[("x", row_.source, row_.route, j)]: 1.0}, 1000.0 * float(row_.max_mt) * plen[j] / D[int(p_year[j])])

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
        bounds=[(None, None) if c[0] == "d" else (0, None) for c in cols],
        method="highs",
    )
    asset_m = {(a, mo): v for a in oil_assets for mo, v in month_of(cap_a[a]).items()}
    route_m = {(r, mo): v for r in routes for mo, v in month_of(reported(r)).items()}
    supply_m = {(s, mo): v for s in sources for mo, v in month_of(supply[s]).items()}
    if res.status != 0:
        return IndependentResult(res.status, None, {}, {}, asset_m, route_m, supply_m, netback, {}, labels)
    xs = {(c[1], c[2], labels[c[3]]): float(res.x[j]) for c, j in col.items() if c[0] == "x"}
    zs = {(c[1], labels[c[2]]): float(res.x[j]) for c, j in col.items() if c[0] == "z"}
    lev: dict = {}
    for c, j in col.items():
        if c[0] == "level":
            lev[(c[2], labels[c[3]])] = lev.get((c[2], labels[c[3]]), 0.0) + float(res.x[j])
    return IndependentResult(0, -float(res.fun) / 1000.0, xs, zs, asset_m, route_m, supply_m, netback, lev, labels)


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
