"""Disruption grids: severity × duration × start month × target, on top of any scenario.

A case puts one event on each of its targets (``cpc_pipeline+cpc_terminal``
hits both at once): the target keeps ``remaining`` of its capacity for
``weeks`` × 7 days from ``start``. The event is added to the scenario's own
events (losses add, as in a run). Windows running past the horizon are cut
at its end (``days_in_horizon``).

Outputs: the ``cases`` table (see :mod:`.cases`), ``route_volumes`` and
``years`` per case, and pivots (remaining × weeks) of extra shut-in and lost
netback, as the mean and the worst over start months.
"""

from __future__ import annotations

import math
import re

import pandas as pd

from ..errors import InputError, Problem
from .cases import case_metrics, cases_frame, events_from_json, events_to_json, route_arrays, route_rows, year_arrays, year_rows
from .engine import Job
from .kernel import CaseEvent, make_kernel


def parse_floats(text: str, option: str, lo: float | None = None, hi: float | None = None) -> list[float]:
    """Comma-separated finite numbers in [lo, hi] (NaN and infinity are refused: a range check alone lets NaN through)."""
    out = []
    for part in str(text).split(","):
        part = part.strip()
        try:
            v = float(part)
        except ValueError:
            raise InputError([Problem(option, f"'{part}' is not a number; expected a comma-separated list such as 0,0.33,0.5")]) from None
        if not math.isfinite(v):
            raise InputError([Problem(option, f"'{part}' is not a finite number; expected numbers in [{lo:g}, {hi:g}]")])
        if (lo is not None and v < lo) or (hi is not None and v > hi):
            raise InputError([Problem(option, f"{v:g} is outside [{lo:g}, {hi:g}]")])
        out.append(v)
    return out


def parse_starts(text: str, option: str = "--start") -> list[pd.Timestamp]:
    """``2027-01..2027-12`` (months), ``2027-03,2027-09`` or dates ``2027-03-15``."""
    out: list[pd.Timestamp] = []
    for part in str(text).split(","):
        part = part.strip()
        m = re.fullmatch(r"(\d{4}-\d{2})\.\.(\d{4}-\d{2})", part)
        try:
            if m:
                a, b = pd.Period(m.group(1), "M"), pd.Period(m.group(2), "M")
                if b < a:
                    raise ValueError
                out += [p.start_time for p in pd.period_range(a, b, freq="M")]
            elif re.fullmatch(r"\d{4}-\d{2}", part):
                out.append(pd.Period(part, "M").start_time)
            elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", part):
                out.append(pd.Timestamp(part))
            else:
                raise ValueError
        except ValueError:
            raise InputError([Problem(option, f"'{part}' is not a month (2027-03), a date (2027-03-15) or a range (2027-01..2027-12)")]) from None
    return out


def build_plan(targets: list[str], remaining: list[float], weeks: list[float], starts: list[pd.Timestamp], horizon_end: pd.Timestamp, progress=None) -> pd.DataFrame:
    """One row per (target, remaining, weeks, start), numbered in that order; ``progress``, if given, gets the count so far.

    Dates are worked out once per (weeks, start) and the table is built by
    column, so a grid of a million cases is set up in seconds, not minutes.
    """
    windows = []
    for wk in weeks:
        for st in starts:
            end = st + pd.Timedelta(days=int(round(7 * wk)) - 1)
            windows.append((float(wk), st.strftime("%Y-%m-%d"), end.strftime("%Y-%m-%d"), max(0, (min(end, horizon_end) - st).days + 1)))
    cols: dict[str, list] = {k: [] for k in ("case_id", "target", "remaining", "weeks", "start", "end", "days_in_horizon", "events")}
    n = 0
    for tgt in targets:
        parts = tgt.split("+")
        for rem in remaining:
            rem = float(rem)
            for wk, start, end, days_in in windows:
                n += 1
                cols["case_id"].append(f"d{n:05d}")
                cols["target"].append(tgt)
                cols["remaining"].append(rem)
                cols["weeks"].append(wk)
                cols["start"].append(start)
                cols["end"].append(end)
                cols["days_in_horizon"].append(days_in)
                cols["events"].append(events_to_json([CaseEvent(t, start, end, rem, 0) for t in parts]))
                if progress is not None and n % 1000 == 0:
                    progress(n)
    if progress is not None:
        progress(n)
    return pd.DataFrame(cols)


def make_worker(job: Job):
    """Per-process state: one kernel for the scenario with every target of the grid."""
    kernel = make_kernel(job.payload["scenario"], targets=job.payload["targets"])

    def solve(chunk: list[dict]) -> dict[str, pd.DataFrame]:
        cases, routes, years = [], route_rows(kernel), year_rows(kernel)
        all_events = [events_from_json(rec["events"]) for rec in chunk]
        for rec, events, out in zip(chunk, all_events, kernel.solve_many(all_events)):
            row = {"case_id": rec["case_id"], **case_metrics(kernel, out, {e.target for e in events})}
            row["iterations"] = out.iterations
            cases.append(row)
            if out.optimal:
                routes.add({"case_id": rec["case_id"]}, route_arrays(kernel, out))
                years.add({"case_id": rec["case_id"]}, year_arrays(kernel, out))
        return {"route_volumes": routes.frame(), "years": years.frame(), "cases": cases_frame(cases)}

    return solve


def pivots(cases: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Remaining × weeks pivots per target: mean and worst over start months."""
    out: dict[str, pd.DataFrame] = {}
    ok = cases[cases["status"] == "Optimal"]
    for tgt, df in ok.groupby("target", sort=False):
        for col, label in (("extra_shut_in_mt", "shut_in_mt"), ("lost_netback_musd", "lost_netback_musd")):
            for how in ("mean", "max"):
                pv = df.pivot_table(index="remaining", columns="weeks", values=col, aggfunc=how).sort_index(ascending=False)
                pv.index.name = "remaining capacity (fraction)"
                pv.columns.name = "outage length (weeks)"
                out[f"pivot_{label}_{how}_{tgt.replace('+', '_and_').replace('/', '_unit_')}"] = pv  # a file name: no '/' 
    return out


def pivot_title(name: str) -> str:
    """'pivot_shut_in_mt_mean_cpc_terminal' -> 'Extra shut-in (Mt), mean over start dates: cpc_terminal'."""
    rest = name.removeprefix("pivot_")
    for stem, label in (("shut_in_mt_", "Extra shut-in (Mt)"), ("lost_netback_musd_", "Lost netback (M$)")):
        if rest.startswith(stem):
            how, _, target = rest.removeprefix(stem).partition("_")
            word = "mean" if how == "mean" else "worst"
            return f"{label}, {word} over start dates: {target.replace('_and_', '+').replace('_unit_', '/')}"
    return name


def horizon_end(scenario) -> pd.Timestamp:
    return scenario.months[-1].end_time.normalize()


def unique_targets(targets: list[str]) -> list[str]:
    return list(dict.fromkeys(t for tgt in targets for t in tgt.split("+")))

