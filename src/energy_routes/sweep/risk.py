"""Monte Carlo disruption risk, and what an expansion lever buys as insurance.

Each draw samples the hazard model (:mod:`.hazards`) over the scenario's
horizon and solves the oil LP with those events. Every lever (a named
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

from .cases import case_metrics, year_arrays, year_rows
from .engine import Job
from .hazards import draw_events
from .kernel import make_kernel

NO_LEVER = "none"


def build_plan(levers: list[str], draws: int) -> pd.DataFrame:
    names = [NO_LEVER, *levers]
    return pd.DataFrame(
        {
            "case_id": [f"{lv}/{d:06d}" for lv in names for d in range(draws)],
            "lever": [lv for lv in names for _ in range(draws)],
            "draw": np.array([d for _ in names for d in range(draws)], dtype=np.int64),
        }
    )


def make_worker(job: Job):
    """Per-process state: one kernel per lever, built when first needed."""
    pl = job.payload
    kernels: dict = {}
    start, end = pd.Timestamp(pl["start"]), pd.Timestamp(pl["end"])
    targets = sorted({h.target for h in pl["hazards"]})

    def kernel(lever: str):
        if lever not in kernels:
            sc = pl["scenarios"][lever]
            per_draw = sum(h.rate for h in pl["hazards"]) * len(sc.months) / 12
            kernels[lever] = make_kernel(sc, targets=targets, events_per_case=per_draw)
        return kernels[lever]

    def solve(chunk: list[dict]) -> dict[str, pd.DataFrame]:
        cases, years = [], None
        for rec in chunk:
            k = kernel(rec["lever"])
            years = years or year_rows(k)
            events = draw_events(pl["hazards"], pl["seed"], int(rec["draw"]), start, end)
            out = k.solve_events(events) if events else k.baseline
            row = {"case_id": rec["case_id"], "lever": rec["lever"], "draw": int(rec["draw"]), "n_events": len(events), **case_metrics(k, out, {e.target for e in events})}
            cases.append(row)
            if out.optimal:
                years.add({"case_id": rec["case_id"], "lever": rec["lever"], "draw": int(rec["draw"])}, year_arrays(k, out))
        return {"years": years.frame() if years else pd.DataFrame(), "cases": pd.DataFrame(cases)}

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
        row: dict = {"lever": lever, "samples": len(df), "netback_no_disruption_musd": base_netback.get(lever, np.nan)}
        for col, unit in (("extra_shut_in_mt", "mt"), ("lost_netback_musd", "musd")):
            stem = col.rsplit("_", 1)[0]
            for k, v in tail_stats(df[col].to_numpy(), es_level).items():
                row[f"{stem}_{es_name if k == 'es' else k}_{unit}_per_yr"] = v
        rows.append(row)
    out = pd.DataFrame(rows)
    if NO_LEVER in set(out["lever"]):
        ref = out[out["lever"] == NO_LEVER].iloc[0]
        for col in [c for c in out.columns if c.endswith("_per_yr") and c.startswith("lost_netback")]:
            out[f"{col}_vs_none"] = out[col] - ref[col]
        out["netback_gain_vs_none_musd"] = out["netback_no_disruption_musd"] - ref["netback_no_disruption_musd"]
    return out
