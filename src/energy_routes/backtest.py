"""Backtest: run the calibrated historical scenarios and compare with reported history.

Reads the model inputs and ``scenarios.yaml`` (scenarios ``hist-YYYY``) from
the inputs folder and the reported history from ``<inputs>/history/`` (see
:mod:`energy_routes.history`). For each year it solves ``hist-YYYY`` (oil
block only) and, for each replayed disruption event, the same scenario
without that event's override; the event's effect is the difference.

Produces two tidy tables:

``backtest_outlets``
    year, outlet, outlet_name, routes, reported_low_mt, reported_high_mt,
    model_mt, error_mt, error_pct, claimed, verdict, reason, source_ids.
``backtest_events``
    event_id, year, start, end, target, override, metric (cpc_lost,
    rerouted, shut_in), reported_low_mt, reported_high_mt, model_mt,
    error_mt, error_pct, claimed, verdict, reason, source_ids.

``error_mt`` is the signed distance from the reported range (0 inside,
positive above, negative below); ``error_pct`` relates it to the nearer
bound. Event effects are annual differences in Mt: ``cpc_lost`` = CPC volume
without the event minus with it; ``shut_in`` = shut-in with minus without;
``rerouted`` = non-CPC exports with minus without (so cpc_lost = rerouted +
shut_in).
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from .api import RunResult, run_scenario
from .errors import InputError, Problem
from .history import EVENT_METRICS, NO_CLAIM, History, load_history
from .load import load_inputs
from .scenario import load_library

SCENARIO_PREFIX = "hist-"
TOLERANCE_MT = 0.005  # reported figures carry at most 3 decimals; LP values are exact to ~1e-9


@dataclass
class Backtest:
    """Everything the backtest produced, before anything is written."""

    years: list[int]
    outlets: pd.DataFrame
    events: pd.DataFrame
    history: History
    runs: dict[str, dict] = field(default_factory=dict)  # scenario -> status, objective, size, timings
    results: dict[str, RunResult] = field(default_factory=dict)  # scenario -> the solved run (tables in memory)

    @property
    def claimed(self) -> pd.DataFrame:
        rows = pd.concat([self.outlets.assign(kind="outlet"), self.events.assign(kind="event")], ignore_index=True)
        return rows[rows.claimed]

    @property
    def claimed_misses(self) -> pd.DataFrame:
        c = self.claimed
        return c[c.error_mt.abs() > 0]


def parse_years(spec: str) -> list[int]:
    """``2022..2025``, ``2023`` or ``2022,2024`` -> sorted list of years."""
    spec = spec.strip()
    m = re.fullmatch(r"(\d{4})\s*\.\.\s*(\d{4})", spec)
    if m:
        a, b = int(m.group(1)), int(m.group(2))
        if a > b:
            raise ValueError(f"'{spec}': the first year is after the last")
        return list(range(a, b + 1))
    parts = [p.strip() for p in spec.split(",")]
    if parts and all(re.fullmatch(r"\d{4}", p) for p in parts):
        return sorted({int(p) for p in parts})
    raise ValueError(f"expected YYYY..YYYY, YYYY or YYYY,YYYY,..., got '{spec}'")


def range_error(value: float, low: float, high: float, tol: float = TOLERANCE_MT) -> tuple[float, float]:
    """Signed distance of ``value`` from [low, high] in Mt and in % of the nearer bound."""
    if value > high + tol:
        err = value - high
        ref = high
    elif value < low - tol:
        err = value - low
        ref = low
    else:
        return 0.0, 0.0
    pct = err / ref * 100 if ref else float("nan")
    return err, pct


def verdict(value: float, low: float, high: float, tol: float = TOLERANCE_MT) -> str:
    """One line: ``inside [low, high]`` or ``misses by X Mt (Y %) above/below``."""
    if pd.isna(value):
        return "not replayed"
    if pd.isna(low):
        return f"no reported figure (model {value:.2f} Mt)"
    err, pct = range_error(value, low, high, tol)
    rng = f"[{low:g}, {high:g}]"
    if err == 0:
        return f"inside {rng}"
    side = "above" if err > 0 else "below"
    pct_txt = "n/a %" if pd.isna(pct) else f"{abs(pct):.1f} %"
    return f"misses by {abs(err):.2f} Mt ({pct_txt}) {side} {rng}"


def _annual(result: RunResult, year: int) -> dict[str, float]:
    """Annual Mt by route for ``year``, plus exported and shut_in."""
    ann = result.tables["allocation_annual"]
    sub = ann[ann.year == year]
    out = dict(zip(sub.route, sub.volume_mt.astype(float)))
    bal = result.tables["balance_monthly"]
    yb = bal[bal.period.str.startswith(str(year))]
    out["__exported"] = float(yb.exported_kt.sum()) / 1000
    out["__shut_in"] = float(yb.shut_in_kt.sum()) / 1000
    return out


def _run_info(result: RunResult) -> dict:
    return {
        "status": result.oil.status,
        "objective_musd": result.objective_musd,
        "overrides": result.scenario.overrides,
        **result.oil_size,
        "timings_seconds": {k: round(v, 4) for k, v in result.timings.items()},
    }


def _without(inputs_dir: Path, scenario: str, chain: list[str], override: str, tmp: Path) -> RunResult:
    """Solve ``scenario`` with ``override`` left out of its chain (the counterfactual of one event)."""
    rest = [o for o in chain if o != override]
    path = tmp / f"{scenario}-without-{override}.yaml"
    path.write_text(yaml.safe_dump({"name": f"{scenario} without {override}", "overrides": rest}))
    return run_scenario(inputs_dir, path, power=False)


def run_backtest(inputs_dir: str | Path, years: list[int] | None = None) -> Backtest:
    """Run ``hist-YYYY`` for each year (default: every year with reported volumes and a scenario).

    Raises
    ------
    InputError
        bad model inputs, bad history tables, or a year without a
        ``hist-YYYY`` scenario or reported volumes.
    SolveError
        a historical scenario is infeasible.
    """
    inputs_dir = Path(inputs_dir)
    inputs = load_inputs(inputs_dir)
    library = load_library(inputs_dir)
    history = load_history(inputs_dir, set(inputs.ids("routes", "route")), set(library.overrides))
    reported_years = sorted(set(history["volumes"].year))
    available = [y for y in reported_years if f"{SCENARIO_PREFIX}{y}" in library.scenarios]
    if years is None:
        years = available
    problems = []
    for y in years:
        if f"{SCENARIO_PREFIX}{y}" not in library.scenarios:
            problems.append(Problem("scenarios.yaml", f"no scenario '{SCENARIO_PREFIX}{y}' for backtest year {y}; available years: {', '.join(map(str, available)) or 'none'}"))
        elif y not in reported_years:
            problems.append(Problem("history/volumes.csv", f"no reported volumes for year {y}; available years: {', '.join(map(str, available)) or 'none'}"))
    if problems:
        raise InputError(problems)
    if not years:
        raise InputError([Problem("history/volumes.csv", "no year has both reported volumes and a hist-YYYY scenario")])

    outlet_routes = history.outlet_routes()
    names = dict(zip(history["outlets"].outlet, history["outlets"].name))
    vol = history["volumes"]
    ev = history["events"]
    out_rows, event_rows, runs, results = [], [], {}, {}
    with tempfile.TemporaryDirectory(prefix="energy-routes-backtest-") as tmpdir:
        for y in years:
            name = f"{SCENARIO_PREFIX}{y}"
            chain = list(library.scenarios[name].get("overrides") or [])
            res = run_scenario(inputs_dir, name, power=False)
            runs[name] = _run_info(res)
            results[name] = res
            base = _annual(res, y)
            for row in vol[vol.year == y].itertuples():
                model = sum(base.get(r, 0.0) for r in outlet_routes[row.outlet])
                err, pct = range_error(model, row.low_mt, row.high_mt)
                claimed, reason = history.claim(y, row.outlet, "volume")
                out_rows.append(
                    {
                        "year": y,
                        "outlet": row.outlet,
                        "outlet_name": names[row.outlet],
                        "routes": "+".join(outlet_routes[row.outlet]),
                        "reported_low_mt": row.low_mt,
                        "reported_high_mt": row.high_mt,
                        "model_mt": model,
                        "error_mt": err,
                        "error_pct": pct,
                        "claimed": claimed,
                        "verdict": verdict(model, row.low_mt, row.high_mt),
                        "reason": reason,
                        "source_ids": row.source_ids,
                    }
                )
            for e in ev[ev.year == y].itertuples():
                effect: dict[str, float] = {m: float("nan") for m in EVENT_METRICS}
                replayed = isinstance(e.override, str) and e.override in chain
                if replayed:
                    cf = _without(inputs_dir, name, chain, e.override, Path(tmpdir))
                    runs[f"{name} without {e.override}"] = _run_info(cf)
                    results[f"{name} without {e.override}"] = cf
                    without = _annual(cf, y)
                    effect["cpc_lost"] = without.get("cpc", 0.0) - base.get("cpc", 0.0)
                    effect["shut_in"] = base["__shut_in"] - without["__shut_in"]
                    effect["rerouted"] = (base["__exported"] - base.get("cpc", 0.0)) - (without["__exported"] - without.get("cpc", 0.0))
                for m in EVENT_METRICS:
                    low, high = getattr(e, f"{m}_low_mt"), getattr(e, f"{m}_high_mt")
                    model = effect[m]
                    claimed, reason = history.claim(y, e.event_id, m)
                    if pd.isna(low) and reason == NO_CLAIM:
                        reason = "nothing was reported for this metric; the model's figure is shown for information"
                    if not replayed:
                        claimed = False
                        reason = f"not replayed: {'no override given' if not isinstance(e.override, str) else f'{e.override} is not in {name}'}"
                    err, pct = (float("nan"), float("nan")) if pd.isna(model) or pd.isna(low) else range_error(model, low, high)
                    event_rows.append(
                        {
                            "event_id": e.event_id,
                            "year": y,
                            "start": e.start,
                            "end": e.end,
                            "target": e.target,
                            "override": e.override,
                            "metric": m,
                            "reported_low_mt": low,
                            "reported_high_mt": high,
                            "model_mt": model,
                            "error_mt": err,
                            "error_pct": pct,
                            "claimed": bool(claimed and not pd.isna(low)),
                            "verdict": verdict(model, low, high),
                            "reason": reason if not (claimed and pd.isna(low)) else "claimed, but nothing was reported to compare with",
                            "source_ids": e.source_ids,
                        }
                    )
    outlets = pd.DataFrame(out_rows, columns=OUTLET_COLUMNS)
    events = pd.DataFrame(event_rows, columns=EVENT_COLUMNS)
    return Backtest(years, outlets, events, history, runs, results)


OUTLET_COLUMNS = [
    "year", "outlet", "outlet_name", "routes", "reported_low_mt", "reported_high_mt", "model_mt",
    "error_mt", "error_pct", "claimed", "verdict", "reason", "source_ids",
]
EVENT_COLUMNS = [
    "event_id", "year", "start", "end", "target", "override", "metric", "reported_low_mt", "reported_high_mt",
    "model_mt", "error_mt", "error_pct", "claimed", "verdict", "reason", "source_ids",
]
