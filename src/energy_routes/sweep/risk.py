"""Monte Carlo disruption risk, and what an expansion lever buys as insurance.

Each draw simulates one year of the horizon (draw k: year years[k mod n]):
it samples the hazard model (:mod:`.hazards`) from the longest possible
event before that year to its end, keeps what overlaps the year, and
re-solves that year's LP (the oil LP is separable by year, docs/model.md
§4.2, so this is exactly the year of a horizon-long simulation). Every lever (a named
override, e.g. ``btc-7mt-2027``) is solved on the same draws (common random
numbers), so differences between levers are differences in exposure, not
sampling noise. Annual figures are per (draw, year); losses are measured
against the same variant without disruption.

Tables: ``cases`` (one row per lever and draw), ``years`` (per lever, draw
and year), ``risk_summary`` (per lever: mean, P50, P90, P99 and expected
shortfall of annual extra shut-in and lost netback, and the change against
no lever).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .cases import case_metrics, cases_frame, year_arrays
from .engine import Job
from .hazards import draw_events, draw_window
from .kernel import OilKernel, year_kernel

NO_LEVER = "none"
#: what a draw needs compiled in a worker: its lever's LP of its year (the engine keeps such draws together)
GROUP_BY = ("lever", "year")


def build_plan(levers: list[str], draws: int, years: list[int]) -> pd.DataFrame:
    """Draw k simulates year years[k mod n]: every year gets the same number of draws (±1)."""
    names = [NO_LEVER, *levers]
    yr = np.array([years[d % len(years)] for d in range(draws)], dtype=np.int64)
    return pd.DataFrame(
        {
            "case_id": [f"{lv}/{d:06d}" for lv in names for d in range(draws)],
            "lever": [lv for lv in names for _ in range(draws)],
            "draw": np.array([d for _ in names for d in range(draws)], dtype=np.int64),
            "year": np.tile(yr, len(names)),
        }
    )


def year_window(hazards, year: int, horizon_start: pd.Timestamp, horizon_end: pd.Timestamp) -> tuple[pd.Timestamp, pd.Timestamp, pd.Timestamp, pd.Timestamp]:
    """Where a draw for ``year`` samples events (from the longest possible event before the year), and the year's days in the horizon."""
    first = max(pd.Timestamp(year=year, month=1, day=1), horizon_start)
    last = min(pd.Timestamp(year=year, month=12, day=31), horizon_end)
    reach = int(max((h.max_days for h in hazards), default=0))
    return first - pd.Timedelta(days=reach), last, first, last


def events_for_draw(hazards, seed: int, draw: int, year: int, horizon_start: pd.Timestamp, horizon_end: pd.Timestamp, cache: dict | None = None) -> list:
    """The events of one draw, clipped to its year (the LP is separable by year, so nothing outside it matters)."""
    if cache is not None and year in cache:
        w0, w1, a, b, window = cache[year]
    else:
        w0, w1, first, last = year_window(hazards, year, horizon_start, horizon_end)
        a, b, window = str(first.date()), str(last.date()), draw_window(w0, w1)
        if cache is not None:
            cache[year] = (w0, w1, a, b, window)
    out = []
    for e in draw_events(hazards, seed, draw, w0, w1, window):
        if e.end >= a and e.start <= b:
            out.append(e._replace(start=max(e.start, a), end=min(e.end, b)))
    return out


def make_worker(job: Job):
    """Per-process state: one compiled LP per lever and year, built when first needed (a worker is dealt
    the draws of a share of the levers' years, :data:`GROUP_BY`, so it builds those only)."""
    pl = job.payload
    kernels: dict[tuple[str, int], OilKernel] = {}
    start, end = pd.Timestamp(pl["start"]), pd.Timestamp(pl["end"])
    targets = sorted({h.target for h in pl["hazards"]})
    windows: dict[int, tuple] = {}

    def kernel(lever: str, year: int) -> OilKernel:
        k = kernels.get((lever, year))
        if k is None:
            k = kernels[(lever, year)] = year_kernel(pl["scenarios"][lever], year, targets)
        return k

    def solve(chunk: list[dict]) -> dict[str, pd.DataFrame]:
        cases, years = [], {}
        draws = [events_for_draw(pl["hazards"], pl["seed"], int(rec["draw"]), int(rec["year"]), start, end, windows) for rec in chunk]
        # only the draw's own year is re-solved (the others are untouched); cases of one lever and year go as a batch
        groups: dict[tuple, list[int]] = {}
        for i, (rec, ev) in enumerate(zip(chunk, draws)):
            if ev:
                groups.setdefault((rec["lever"], int(rec["year"])), []).append(i)
        outs: dict[int, object] = {}
        for (lever, year), idx in groups.items():
            outs.update(zip(idx, kernel(lever, year).solve_many([draws[i] for i in idx])))
        metrics: dict[tuple, dict] = {}  # a draw without events, or a repeat, has an outcome (object) seen in this chunk
        for i, rec in enumerate(chunk):
            year = int(rec["year"])
            k = kernel(rec["lever"], year)
            events = draws[i]
            out = outs.get(i, k.baseline)
            hit = frozenset(e.target for e in events)
            key = (id(k), id(out), hit)  # both objects live until the chunk is done
            m = metrics.get(key)
            if m is None:
                m = metrics[key] = case_metrics(k, out, hit)
            row = {"case_id": rec["case_id"], "lever": rec["lever"], "draw": int(rec["draw"]), "year": year, "n_events": len(events), **m}
            cases.append(row)
            if out.optimal:
                arr = year_arrays(k, out)
                for col, v in (("case_id", rec["case_id"]), ("lever", rec["lever"]), ("draw", int(rec["draw"])), ("year", year)):
                    years.setdefault(col, []).append(v)
                for col, v in arr.items():
                    years.setdefault(col, []).append(float(v[0]))
        return {"years": pd.DataFrame(years), "cases": cases_frame(cases)}

    return solve


def tail_stats(values: np.ndarray, es_level: float) -> dict[str, float]:
    """Mean, P50, P90, P99 and the expected shortfall (mean of the worst 1 − level share)."""
    v = np.sort(np.asarray(values, dtype=float))
    if not len(v):
        return {k: np.nan for k in ("mean", "p50", "p90", "p99", "es")}
    k = max(1, int(np.ceil(len(v) * (1 - es_level) - 1e-9)))  # 100 × (1 − 0.95) is 5.000000000000004 in floats
    return {
        "mean": float(v.mean()),
        "p50": float(np.quantile(v, 0.5)),
        "p90": float(np.quantile(v, 0.9)),
        "p99": float(np.quantile(v, 0.99)),
        "es": float(v[-k:].mean()),
    }


def summarise(years: pd.DataFrame, base_netback: dict[str, float], es_level: float) -> pd.DataFrame:
    """One row per lever: distribution of annual losses, and the change against no lever."""
    rows = []
    es_name = f"es{int(round(es_level * 100))}"
    for lever, df in years.groupby("lever", sort=False):
        row: dict = {"lever": lever, "samples": len(df), "netback_no_disruption_horizon_musd": base_netback.get(lever, np.nan)}
        for col, unit in (("extra_shut_in_mt", "mt"), ("lost_netback_musd", "musd")):
            stem = col.rsplit("_", 1)[0]
            for k, v in tail_stats(df[col].to_numpy(), es_level).items():
                row[f"{stem}_{es_name if k == 'es' else k}_{unit}_per_yr"] = v
        rows.append(row)
    out = pd.DataFrame(rows)
    order = [NO_LEVER] + [lv for lv in dict.fromkeys(years["lever"]) if lv != NO_LEVER]
    out = out.set_index("lever").reindex([lv for lv in order if lv in set(out["lever"])]).reset_index()
    if NO_LEVER in set(out["lever"]):
        ref = out[out["lever"] == NO_LEVER].iloc[0]
        for col in [c for c in out.columns if c.endswith("_per_yr") and c.startswith("lost_netback")]:
            out[f"{col}_vs_none"] = out[col] - ref[col]
        out["netback_gain_vs_none_horizon_musd"] = out["netback_no_disruption_horizon_musd"] - ref["netback_no_disruption_horizon_musd"]
    return out
