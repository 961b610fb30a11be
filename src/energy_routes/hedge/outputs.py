"""The tables of a hedge folder and its manifest (the workbook and page: :mod:`energy_routes.report.hedgepage`).

``hedge_levers.csv``   one row per lever: chosen level, annual cost, marginal value
``hedge_summary.csv``  one row: expected netback, lever cost, CVaR, shut-in, EVPI, VSS, out-of-sample check
``hedge_draws.csv``    one row per in-sample draw: with the portfolio and without levers
``hedge_states.csv``   one row per on/off state enumerated (only with on/off levers)
``hedge_frontier.csv`` one row per CVaR weight (only with --frontier)
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from ..writers import command_line, git_commit, now_iso, versions
from .evaluate import cvar, lever_cost

#: P90: the level exceeded in one year in ten
P90 = 0.9


def levers_table(pb, best, states) -> pd.DataFrame:
    rows = []
    for j, lv in enumerate(pb.levers):
        u = float(best.levels[j])
        if lv.onoff:  # value of the state: best objective with it as chosen minus the best with it flipped
            mine = [r.objective_musd for s, r in states if r.optimal and abs(s[j] - u) < 1e-12]
            other = [r.objective_musd for s, r in states if r.optimal and abs(s[j] - u) >= 1e-12]
            marg = (max(mine) - max(other)) if mine and other else math.nan
            gross = math.nan
        else:
            marg = float(best.marginal_musd[j])
            gross = marg + lv.cost
        rows.append(
            {
                "lever": lv.name,
                "kind": lv.kind,
                "target": lv.target,
                "unit": lv.unit,
                "min": lv.lo,
                "max": lv.hi,
                "onoff": "yes" if lv.onoff else "no",
                "level": u,
                "cost_musd_per_yr": lv.cost_of(u),
                "marginal_value_net_musd_per_yr_per_unit": marg if not lv.onoff else math.nan,
                "gross_value_musd_per_yr_per_unit": gross,
                "state_value_musd_per_yr": marg if lv.onoff else math.nan,
            }
        )
    return pd.DataFrame(rows)


def _stats(prefix: str, ev, v_ref: np.ndarray, alpha: float) -> dict:
    w = ev.weights / ev.weights.sum()
    lost = v_ref - ev.result_musd
    return {
        f"{prefix}expected_netback_musd_per_yr": float((w * ev.netback_musd).sum()),
        f"{prefix}expected_value_musd_per_yr": float((w * ev.value_musd).sum()),
        f"{prefix}expected_result_musd_per_yr": float((w * ev.result_musd).sum()),
        f"{prefix}expected_lost_netback_musd_per_yr": float((w * lost).sum()),
        f"{prefix}cvar{int(round(alpha * 100))}_lost_netback_musd_per_yr": cvar(lost, w, alpha),
        f"{prefix}expected_shut_in_mt_per_yr": float((w * ev.shut_in_mt).sum()),
        f"{prefix}p90_shut_in_mt_per_yr": float(np.quantile(ev.shut_in_mt, P90)),
    }


def summary_table(pb, best, chosen, none, rp: float, measures: dict, risk) -> pd.DataFrame:
    alpha = risk[0] if risk else 0.9
    oos = measures["oos"]
    row = {
        "draws": len(pb.blocks),
        "cvar_alpha": alpha,
        "cvar_weight": risk[1] if risk else 0.0,
        "objective_musd_per_yr": rp,
        "lever_cost_musd_per_yr": lever_cost(pb.levers, best.levels),
        **_stats("", chosen, pb.v_ref, alpha),
        **_stats("no_levers_", none, pb.v_ref, alpha),
        "vss_musd_per_yr": measures.get("vss_musd_per_yr", math.nan),
        "eev_musd_per_yr": measures.get("eev_musd_per_yr", math.nan),
        "evpi_musd_per_yr": measures.get("evpi_musd_per_yr", math.nan),
        "ws_musd_per_yr": measures.get("ws_musd_per_yr", math.nan),
        "oos_draws": oos["draws"],
        "oos_expected_result_musd_per_yr": oos["mean_ci"][0],
        "oos_ci95_low_musd_per_yr": oos["mean_ci"][1],
        "oos_ci95_high_musd_per_yr": oos["mean_ci"][2],
        "oos_gain_vs_no_levers_musd_per_yr": oos["gain_ci"][0],
        "oos_gain_ci95_low_musd_per_yr": oos["gain_ci"][1],
        "oos_gain_ci95_high_musd_per_yr": oos["gain_ci"][2],
        "ef_rows": best.rows,
        "ef_columns": best.cols,
        "ef_nonzeros": best.nonzeros,
        "ef_seconds": best.seconds,
    }
    return pd.DataFrame([row])


def draws_table(pb, chosen, none) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "draw": [b.draw for b in pb.blocks],
            "year": [b.year for b in pb.blocks],
            "n_events": [b.n_events for b in pb.blocks],
            "netback_musd": chosen.netback_musd,
            "result_musd": chosen.result_musd,
            "lost_netback_musd": pb.v_ref - chosen.result_musd,
            "shut_in_mt": chosen.shut_in_mt,
            "no_levers_result_musd": none.result_musd,
            "no_levers_shut_in_mt": none.shut_in_mt,
        }
    )


def states_table(pb, states) -> pd.DataFrame:
    rows = []
    for state, r in states:
        row = {pb.levers[j].name: v for j, v in state.items()}
        row.update({"status": r.status, "objective_musd_per_yr": r.objective_musd})
        row.update({f"level_{lv.name}": float(u) for lv, u in zip(pb.levers, r.levels)})
        rows.append(row)
    return pd.DataFrame(rows)


def frontier_table(rows, pb, alpha: float) -> pd.DataFrame:
    """``rows``: (CVaR weight, chosen lever levels, their :class:`~.evaluate.Evaluation`) per frontier point."""
    out = []
    for w, levels, ev in rows:
        st = _stats("", ev, pb.v_ref, alpha)
        out.append(
            {
                "cvar_weight": w,
                "cvar_alpha": alpha,
                "expected_result_musd_per_yr": st["expected_result_musd_per_yr"],
                f"cvar{int(round(alpha * 100))}_lost_netback_musd_per_yr": st[f"cvar{int(round(alpha * 100))}_lost_netback_musd_per_yr"],
                "lever_cost_musd_per_yr": lever_cost(pb.levers, levels),
                **{f"level_{lv.name}": float(u) for lv, u in zip(pb.levers, levels)},
            }
        )
    return pd.DataFrame(out)


def finalize_hook(title: str, scenario: str):
    """A finalize hook of :func:`~energy_routes.writers.write_run`: ``tables.xlsx``, ``report.html`` and the frontier PNG
    (:mod:`energy_routes.report.hedgepage`) written into the staging folder from the CSVs in it."""

    def write(tmp: Path) -> None:
        from ..report.hedgepage import write_hedge_files

        write_hedge_files(tmp, title, scenario)

    return write


def _plain(v):
    if isinstance(v, np.ndarray):
        return v.tolist()
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, tuple):
        return [_plain(x) for x in v]
    return v


def manifest(req, pb, best, measures: dict, timings: dict) -> dict:
    return {
        "energy_routes_manifest": 1,
        "kind": "hedge",
        "created_utc": now_iso(),
        "command": command_line(),
        "scenario": pb.scenario.resolved,
        "inputs_dir": str(Path(req.inputs_dir).resolve()),
        "input_sha256": pb.hashes,
        "request": {
            "draws": int(req.draws),
            "seed": int(req.seed),
            "levers": [lv.name for lv in pb.levers],
            "cvar": list(req.cvar) if req.cvar else None,
            "frontier": list(req.frontier) if req.frontier else None,
            "oos_draws": measures["oos"]["draws"],
            "mpi": bool(req.mpi),
            "method": "mpi-sppy PH" if req.mpi else req.method,
        },
        "mpi": _plain(req.extra.get("ph")) if req.mpi else None,
        "levels": {lv.name: float(u) for lv, u in zip(pb.levers, best.levels)},
        "measures": _plain({k: v for k, v in measures.items()}),
        "git_commit": git_commit(Path(__file__).parent),
        "versions": versions(),
        "solver": {"name": "HiGHS (highspy)", "status": best.status, "iterations": best.iterations, "rows": best.rows, "columns": best.cols, "nonzeros": best.nonzeros},
        "timings_seconds": {k: round(v, 4) for k, v in timings.items()},
    }
