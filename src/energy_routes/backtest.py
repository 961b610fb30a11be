"""Backtest: run the calibrated historical scenarios and compare with reported history.

Reads the model inputs and ``scenarios.yaml`` (scenarios ``hist-YYYY``) from
the inputs folder and the reported history from ``<inputs>/history/`` (see
:mod:`energy_routes.history`). For each year it solves ``hist-YYYY`` (oil
block only) and, for each replayed disruption event, the same scenario
without that event's override; the event's effect is the difference.

Produces two tidy tables:

``backtest_outlets``
    year, outlet, outlet_name, routes, reported_low_mt, reported_high_mt,
    model_mt, error_mt, error_pct, claimed, comparison, tolerance_pct, holds,
    verdict, reason, source_ids.
``backtest_events``
    event_id, year, start, end, target, override, metric (cpc_lost,
    rerouted, shut_in), reported_low_mt, reported_high_mt, model_mt,
    error_mt, error_pct, claimed, comparison, tolerance_pct, holds, verdict,
    reason, source_ids.
``backtest_monthly``
    month, outlet, outlet_name, routes, reported_low_mt, reported_high_mt,
    model_mt, error_mt, error_pct, claimed, comparison, tolerance_pct, holds,
    verdict, reason, source_ids: the months of ``history/monthly.csv``.
``backtest_daily``
    event_id, year, window, from_day, to_day, metric, reported_low_mt,
    reported_high_mt, model_mt, error_mt, error_pct, claimed, comparison,
    tolerance_pct, holds, verdict, reason, source_ids: the rows of
    ``history/daily.csv``. The event's year is solved again with daily periods
    in the row's window (monthly elsewhere), with and without the event's
    override; ``shut_in`` is the difference in shut-in summed over
    from_day..to_day (the days the reported figure covers), in Mt.

``comparison`` says what a row is: ``claim`` (claimed: the model's
assumptions should reproduce it), ``identity`` (the model's figure equals an
input by construction: total exports are supply less shut-in, and supply is
the reported total, so agreement shows only that nothing was shut in; never a
claim), ``input`` (an outlet held at the reported volume by a ``flows-YYYY``
override) or ``not claimed``. A claim ``holds`` when its error is within
``tolerance_pct`` of the nearer reported bound (0: inside the range).

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

    monthly: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=MONTHLY_COLUMNS))
    daily: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=DAILY_COLUMNS))

    @property
    def claimed(self) -> pd.DataFrame:
        parts = [self.outlets.assign(kind="outlet"), self.events.assign(kind="event")]
        if not self.monthly.empty:
            parts.append(self.monthly.assign(kind="month"))
        if not self.daily.empty:
            parts.append(self.daily.assign(kind="day"))
        rows = pd.concat(parts, ignore_index=True)
        return rows[rows.claimed.astype(bool)]

    @property
    def claimed_misses(self) -> pd.DataFrame:
        c = self.claimed
        return c[~c.holds.astype(bool)]


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


def comparison(claimed: bool, reason: str, identity: bool) -> str:
    """claim, identity, input or not claimed (see the module docstring)."""
    if identity:
        return "identity"
    if claimed:
        return "claim"
    if reason.startswith(("input", "sum of inputs")):
        return "input"
    return "not claimed"


def holds(err_mt: float, err_pct: float, tolerance_pct: float) -> bool:
    """A comparison holds when it is inside the range, or within ``tolerance_pct`` % of the nearer bound."""
    if pd.isna(err_mt):
        return False
    return err_mt == 0 or (not pd.isna(err_pct) and abs(err_pct) <= tolerance_pct + 1e-9)


def _row(base: dict, model: float, low: float, high: float, claimed: bool, reason: str, identity: bool, tol: float) -> dict:
    """The comparison columns shared by the outlet, event and monthly tables."""
    err, pct = (float("nan"), float("nan")) if pd.isna(model) or pd.isna(low) else range_error(model, low, high)
    claimed = bool(claimed and not identity and not pd.isna(low))
    return {
        **base,
        "reported_low_mt": low,
        "reported_high_mt": high,
        "model_mt": model,
        "error_mt": err,
        "error_pct": pct,
        "claimed": claimed,
        "comparison": comparison(claimed, reason, identity),
        "tolerance_pct": tol if claimed else float("nan"),
        "holds": holds(err, pct, tol),
        "verdict": verdict(model, low, high),
        "reason": reason,
    }


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


def _monthly(result: RunResult) -> dict[tuple[str, str], float]:
    """(YYYY-MM, route) -> kt exported in that month."""
    m = result.tables["allocation_monthly"]
    return {(p, r): float(v) for p, r, v in zip(m.period, m.route, m.volume_kt)}


def _run_info(result: RunResult) -> dict:
    return {
        "status": result.oil.status,
        "objective_musd": result.objective_musd,
        "overrides": result.scenario.overrides,
        **result.oil_size,
        "timings_seconds": {k: round(v, 4) for k, v in result.timings.items()},
    }


def _solve_chain(inputs_dir: Path, title: str, overrides: list[str], tmp: Path, window: tuple[str, str] | None = None) -> RunResult:
    """Solve the overrides ``overrides`` as scenario ``title``; with ``window``, with daily periods from its first
    to its last day (monthly elsewhere)."""
    doc: dict = {"name": title, "overrides": overrides}
    if window is not None:
        doc["windows"] = [{"start": window[0], "end": window[1], "resolution": "day"}]
    path = tmp / (re.sub(r"[^A-Za-z0-9_.-]+", "-", title) + ".yaml")
    path.write_text(yaml.safe_dump(doc))
    return run_scenario(inputs_dir, path, power=False)


def _without(inputs_dir: Path, scenario: str, chain: list[str], override: str, tmp: Path) -> RunResult:
    """Solve ``scenario`` with ``override`` left out of its chain (the counterfactual of one event)."""
    return _solve_chain(inputs_dir, f"{scenario} without {override}", [o for o in chain if o != override], tmp)


def _not_replayed(event, chain: list[str], scenario: str) -> str:
    """Why ``event`` is not replayed in ``scenario`` (whose overrides are ``chain``), or '' when it is."""
    if not isinstance(event.override, str):
        return "not replayed: no override given"
    return "" if event.override in chain else f"not replayed: {event.override} is not in {scenario}"


def _daily_shut_in(result: RunResult) -> pd.Series:
    """Shut-in by period label (days inside a daily window), kt."""
    b = result.tables["balance_period"]
    return pd.Series(b.shut_in_kt.to_numpy(float), index=b.period.astype(str))


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
    out_rows, event_rows, month_rows, day_rows, runs, results = [], [], [], [], {}, {}
    all_routes = set(inputs.ids("routes", "route"))
    monthly = history.monthly
    with tempfile.TemporaryDirectory(prefix="energy-routes-backtest-") as tmpdir:
        for y in years:
            name = f"{SCENARIO_PREFIX}{y}"
            chain = list(library.scenarios[name].get("overrides") or [])
            res = run_scenario(inputs_dir, name, power=False)
            runs[name] = _run_info(res)
            results[name] = res
            base = _annual(res, y)
            supply_y = float(inputs["supply"].loc[inputs["supply"].year == y, "export_supply_mt"].sum())
            for row in vol[vol.year == y].itertuples():
                model = sum(base.get(r, 0.0) for r in outlet_routes[row.outlet])
                claimed, reason = history.claim(y, row.outlet, "volume")
                identity = set(outlet_routes[row.outlet]) >= all_routes
                if identity:
                    reason = (
                        f"identity of the inputs: all routes together export supply.csv's {supply_y:g} Mt less shut-in, and that "
                        "supply is the reported total; agreement shows only that nothing was shut in. " + reason
                    )
                base_cols = {"year": y, "outlet": row.outlet, "outlet_name": names[row.outlet], "routes": "+".join(outlet_routes[row.outlet])}
                r = _row(base_cols, model, row.low_mt, row.high_mt, claimed, reason, identity, history.tolerance(y, row.outlet, "volume"))
                out_rows.append({**r, "source_ids": row.source_ids})
            month_vol = _monthly(res)
            for row in monthly[monthly.month.str.startswith(f"{y}-")].itertuples():
                model = sum(month_vol.get((row.month, r), 0.0) for r in outlet_routes[row.outlet]) / 1000.0
                base_cols = {"month": row.month, "outlet": row.outlet, "outlet_name": names[row.outlet], "routes": "+".join(outlet_routes[row.outlet])}
                r = _row(base_cols, model, row.low_mt, row.high_mt, row.claimed == "yes", str(row.reason), False, 0.0)
                month_rows.append({**r, "source_ids": row.source_ids})
            for e in ev[ev.year == y].itertuples():
                effect: dict[str, float] = {m: float("nan") for m in EVENT_METRICS}
                not_replayed = _not_replayed(e, chain, name)
                if not not_replayed:
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
                    if not_replayed:
                        claimed, reason = False, not_replayed
                    if claimed and pd.isna(low):
                        reason = "claimed, but nothing was reported to compare with"
                    base_cols = {"event_id": e.event_id, "year": y, "start": e.start, "end": e.end, "target": e.target, "override": e.override, "metric": m}
                    r = _row(base_cols, model, low, high, claimed, reason, False, history.tolerance(y, e.event_id, m))
                    event_rows.append({**r, "source_ids": e.source_ids})
            day_rows += _daily_rows(inputs_dir, name, chain, ev[ev.year == y], history.daily, Path(tmpdir), runs, results)
    outlets = pd.DataFrame(out_rows, columns=OUTLET_COLUMNS)
    events = pd.DataFrame(event_rows, columns=EVENT_COLUMNS)
    months = pd.DataFrame(month_rows, columns=MONTHLY_COLUMNS)
    days = pd.DataFrame(day_rows, columns=DAILY_COLUMNS)
    return Backtest(years, outlets, events, history, runs, results, months, days)


def _daily_rows(inputs_dir: Path, name: str, chain: list[str], events: pd.DataFrame, daily: pd.DataFrame, tmp: Path, runs: dict, results: dict) -> list[dict]:
    """The ``backtest_daily`` rows of this year's events: each window solved once with and once without the
    event's override (history.py has checked that the window lies in the event's year and the days in it)."""
    rows, solved = [], {}
    for e in events.itertuples():
        mine = daily[daily.event_id == e.event_id]
        if mine.empty:
            continue
        not_replayed = _not_replayed(e, chain, name)
        for d in mine.itertuples():
            window = (str(d.window_start), str(d.window_end))
            model = float("nan")
            if not not_replayed:
                if (e.override, window) not in solved:
                    title = f"{name} daily {window[0]}..{window[1]}"
                    with_ev = _solve_chain(inputs_dir, title, chain, tmp, window)
                    without = _solve_chain(inputs_dir, f"{title} without {e.override}", [o for o in chain if o != e.override], tmp, window)
                    for res in (with_ev, without):
                        runs[res.scenario.name], results[res.scenario.name] = _run_info(res), res
                    solved[e.override, window] = _daily_shut_in(with_ev) - _daily_shut_in(without)
                lost = solved[e.override, window]
                model = float(lost[(lost.index >= str(d.from_day)) & (lost.index <= str(d.to_day))].sum()) / 1000
            claimed = d.claimed == "yes" and not not_replayed
            reason = not_replayed or str(d.reason)
            tol = 0.0 if pd.isna(getattr(d, "tolerance_pct", float("nan"))) else float(d.tolerance_pct)
            base_cols = {"event_id": e.event_id, "year": e.year, "window": f"{window[0]}..{window[1]}", "from_day": d.from_day, "to_day": d.to_day, "metric": d.metric}
            r = _row(base_cols, model, d.low_mt, d.high_mt, claimed, reason, False, tol)
            rows.append({**r, "source_ids": d.source_ids})
    return rows


COMPARISON_COLUMNS = ["reported_low_mt", "reported_high_mt", "model_mt", "error_mt", "error_pct", "claimed", "comparison", "tolerance_pct", "holds", "verdict", "reason", "source_ids"]
OUTLET_COLUMNS = ["year", "outlet", "outlet_name", "routes", *COMPARISON_COLUMNS]
EVENT_COLUMNS = ["event_id", "year", "start", "end", "target", "override", "metric", *COMPARISON_COLUMNS]
MONTHLY_COLUMNS = ["month", "outlet", "outlet_name", "routes", *COMPARISON_COLUMNS]
DAILY_COLUMNS = ["event_id", "year", "window", "from_day", "to_day", "metric", *COMPARISON_COLUMNS]
