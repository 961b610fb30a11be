"""Submarine-cable faults in ``energy-routes risk --power-draws N`` (docs/model.md §2, "Cable faults").

Reads ``inputs/power_hazards.csv`` (asset, faults_per_100km_yr,
repair_median_days, repair_p90_days, repair_max_days, description): each
listed link fails as a Poisson process whose rate is the fault rate × its
length / 100 km, and stays out (remaining 0) for a log-normal repair time.
Draw k simulates power year ``years[k mod n]`` under weather year 1, with its
own random stream (so the oil draws are unchanged), sampled by the same code
as the oil hazards (:func:`energy_routes.sweep.hazards.draw_events`). Each
draw with a fault re-solves that year's compiled power LP warm with the
faulted hours' link bounds; a draw without one is the undisturbed year.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError, Problem
from ..load import file_sha256, read_table
from ..schema import Col, Table

Z90 = 1.2815515655446004
#: offset of the power draws' random stream from the oil draws' (same seed argument)
STREAM = 0x5EA_CAB1E

POWER_HAZARDS = Table(
    "power_hazards",
    (
        Col("asset", "id"),
        Col("faults_per_100km_yr", "float", "1/(100 km·yr)", 0, 10),
        Col("repair_median_days", "float", "days", 0.5, 730),
        Col("repair_p90_days", "float", "days", 0.5, 730),
        Col("repair_max_days", "float", "days", 1, 1461),
        Col("description", "text", optional=True, nullable=True),
    ),
    ("asset",),
    "Fault rates and repair times of power links (submarine cables)",
)


def load_power_hazards(folder: Path, links: pd.DataFrame):
    """Cable-fault hazards as :class:`energy_routes.sweep.hazards.Hazard` (full outages), and the file's hash."""
    from ..sweep.hazards import Hazard

    folder = Path(folder)
    rel = POWER_HAZARDS.filename
    path = folder / rel
    problems: list[Problem] = []
    if not path.exists():
        raise InputError([Problem(rel, f"is missing from {folder}; expected {POWER_HAZARDS.description.lower()}")])
    read = read_table(path, rel, POWER_HAZARDS, {"power_links.asset": links["asset"].tolist()}, problems)
    if read is None:
        raise InputError(problems)
    df, lines = read
    length = dict(zip(links["asset"], links["length_km"]))
    for i, row in df.iterrows():
        if row["asset"] not in length:
            problems.append(Problem(rel, f"unknown link '{row['asset']}'; expected one of power_links.csv: {', '.join(sorted(length))}", line=int(lines[i]), column="asset"))
        if row["repair_p90_days"] < row["repair_median_days"]:
            problems.append(Problem(rel, f"repair_p90_days {row['repair_p90_days']:g} is below repair_median_days {row['repair_median_days']:g}", line=int(lines[i]), column="repair_p90_days"))
        if row["repair_max_days"] < row["repair_median_days"]:
            problems.append(Problem(rel, f"repair_max_days {row['repair_max_days']:g} is below the median", line=int(lines[i]), column="repair_max_days"))
    if problems:
        raise InputError(problems)
    hazards = []
    for _, row in df.iterrows():
        med, p90 = float(row["repair_median_days"]), float(row["repair_p90_days"])
        rate = float(row["faults_per_100km_yr"]) * float(length[row["asset"]]) / 100.0
        hazards.append(Hazard(f"{row['asset']}_fault", row["asset"], rate, math.log(med), math.log(p90 / med) / Z90, float(row["repair_max_days"]), np.array([0.0]), np.array([1.0])))
    return hazards, {rel: file_sha256(path)}


def fault_events(hazards, seed: int, draw: int, year: int) -> list:
    """The cable faults of one draw overlapping ``year``, clipped to it."""
    from ..sweep.hazards import draw_events

    reach = int(max((h.max_days for h in hazards), default=0))
    first, last = pd.Timestamp(year=year, month=1, day=1), pd.Timestamp(year=year, month=12, day=31)
    a, b = str(first.date()), str(last.date())
    out = []
    for e in draw_events(hazards, seed + STREAM, draw, first - pd.Timedelta(days=reach), last):
        if e.end >= a and e.start <= b:
            out.append(e._replace(start=max(e.start, a), end=min(e.end, b)))
    return out


def power_risk(scenario, inputs_dir: Path, draws: int, seed: int, es_level: float, progress=None) -> tuple[dict[str, pd.DataFrame], dict[str, str]]:
    """Tables ``power_risk`` (one row per draw) and ``power_risk_summary`` (per power year and in all), and the hazard file's hash."""
    from .params import hourly_remaining, links_in_service, power_net
    from .run import PowerLP
    from ..errors import SolveError

    years = scenario.power_years
    if not years:
        raise InputError([Problem("--power-draws", f"scenario '{scenario.name}' has no power year (power.enabled is false)")])
    hazards, hashes = load_power_hazards(inputs_dir, scenario.inputs["power_links"])
    base: dict[int, tuple] = {}
    rows = []
    for k in range(draws):
        y = years[k % len(years)]
        if y not in base:
            if not links_in_service(scenario, y):
                base[y] = None
            else:
                net = power_net(scenario, y, 1)
                plp = PowerLP(net)
                sol = plp.solve()
                if not sol.optimal:
                    raise SolveError(f"the power model of {y} is {sol.status.lower()}", sol.status)
                base[y] = (net, plp, sol.objective, plp.dispatch(sol).q.sum())
        in_service = set(base[y][0].link) if base[y] is not None else set()
        events = [e for e in fault_events(hazards, seed, k, y) if e.target in in_service]  # faults on cables in service that year
        row = {"draw": k, "year": y, "faults": len(events), "outage_days": sum((pd.Timestamp(e.end) - pd.Timestamp(e.start)).days + 1 for e in events),
               "faulted": ";".join(sorted({e.target for e in events}))}
        if base[y] is None:
            rows.append({**row, "status": "no link in service", "offtake_gwh": 0.0, "value_musd": 0.0, "lost_offtake_gwh": 0.0, "lost_value_musd": 0.0})
            continue
        net, plp, v0, q0 = base[y]
        hit = sorted({e.target for e in events})
        if not hit:
            rows.append({**row, "status": "Optimal", "offtake_gwh": q0 / 1e3, "value_musd": v0 / 1e6, "lost_offtake_gwh": 0.0, "lost_value_musd": 0.0})
        else:
            all_events = list(scenario.settings.events) + events
            for name in hit:
                plp.set_link(net.link.index(name), rho=hourly_remaining(all_events, y, name))
            sol = plp.solve()
            if not sol.optimal:
                raise SolveError(f"power risk draw {k} ({y}) is {sol.status.lower()}", sol.status)
            q = plp.dispatch(sol).q.sum()
            rows.append({**row, "status": sol.status, "offtake_gwh": q / 1e3, "value_musd": sol.objective / 1e6,
                         "lost_offtake_gwh": (q0 - q) / 1e3, "lost_value_musd": (v0 - sol.objective) / 1e6})
            for name in hit:  # back to the undisturbed year for the next draw
                l = net.link.index(name)
                plp.set_link(l, rho=net.link_rho[l])
        if progress is not None:
            progress(k + 1, draws)
    cases = pd.DataFrame(rows)
    return {"power_risk": cases, "power_risk_summary": summarise(cases, es_level)}, hashes


def _es(v: np.ndarray, level: float) -> float:
    """Expected shortfall: the mean of the worst ⌈n(1 − level)⌉ samples (the largest losses)."""
    n = max(1, math.ceil(len(v) * (1 - level)))
    return float(np.sort(v)[-n:].mean())


def summarise(cases: pd.DataFrame, es_level: float) -> pd.DataFrame:
    """Mean, P50, P90, P99 and expected shortfall of lost offtake and lost value, per power year and over all draws."""
    es = f"es{round(es_level * 100):d}"
    out = []
    for year, grp in [("all", cases), *cases.groupby("year")]:
        rec = {"year": year, "draws": len(grp), "draws_with_fault": int((grp.faults > 0).sum()), "mean_offtake_gwh": grp.offtake_gwh.mean(), "mean_value_musd": grp.value_musd.mean()}
        for col in ("lost_offtake_gwh", "lost_value_musd"):
            v = grp[col].to_numpy(float)
            rec |= {f"{col}_mean": v.mean(), f"{col}_p50": np.quantile(v, 0.5), f"{col}_p90": np.quantile(v, 0.9), f"{col}_p99": np.quantile(v, 0.99), f"{col}_{es}": _es(v, es_level)}
        out.append(rec)
    return pd.DataFrame(out)
