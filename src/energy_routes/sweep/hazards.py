"""The disruption hazard model used by ``energy-routes risk``.

Reads ``inputs/hazards.csv`` (hazard, target, events_per_year,
duration_median_days, duration_p90_days, duration_max_days, description) and
``inputs/hazard_severity.csv`` (hazard, remaining, probability). Each hazard
strikes its target as a Poisson process; an event's length is log-normal
(median and 90th percentile as given, cut at the maximum); its severity (the
fraction of the target's capacity that remains) is drawn from the listed
values with their probabilities. Calibration and reasoning: inputs/SOURCES.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError, Problem
from ..load import read_table
from ..schema import Col, Table
from .kernel import CaseEvent

Z90 = 1.2815515655446004  # standard normal 90th percentile

HAZARDS = Table(
    "hazards",
    (
        Col("hazard", "id"),
        Col("target", "id"),
        Col("events_per_year", "float", "1/yr", min=0, max=50),
        Col("duration_median_days", "float", "days", min=0.5, max=730),
        Col("duration_p90_days", "float", "days", min=0.5, max=730),
        Col("duration_max_days", "float", "days", min=1, max=1461),
        Col("description", "text", optional=True),
    ),
    ("hazard",),
    "Disruption hazards, one row per hazard",
)
SEVERITY = Table(
    "hazard_severity",
    (
        Col("hazard", "id", ref="hazards.hazard"),
        Col("remaining", "float", "fraction", min=0, max=1),
        Col("probability", "float", "fraction", min=0, max=1),
    ),
    ("hazard", "remaining"),
    "Severity distribution of each hazard",
)


@dataclass
class Hazard:
    name: str
    target: str
    rate: float  # events per year
    mu: float  # log-normal location (ln days)
    sigma: float
    max_days: float
    remaining: np.ndarray
    probability: np.ndarray
    cdf: np.ndarray = field(init=False, repr=False)  # of the severities, exactly as Generator.choice builds it

    def __post_init__(self) -> None:
        cdf = np.asarray(self.probability, dtype=float).cumsum()
        self.cdf = cdf / cdf[-1]


def _read(folder: Path, table: Table, problems: list[Problem], known: dict, hashes: dict[str, str]) -> tuple[pd.DataFrame | None, pd.Series | None]:
    rel = f"{table.name}.csv"
    path = folder / rel
    if not path.exists() and not path.is_symlink():
        problems.append(Problem(rel, f"is missing from {folder}; expected {table.description.lower()}"))
        return None, None
    read = read_table(path, rel, table, known, problems, hashes)
    return read if read is not None else (None, None)


def load_hazards(folder: Path, targets: set[str]) -> tuple[list[Hazard], dict[str, str]]:
    """Read and check the hazard model; returns the hazards and the files' hashes."""
    folder = Path(folder)
    problems: list[Problem] = []
    hashes: dict[str, str] = {}
    hz, hz_lines = _read(folder, HAZARDS, problems, {}, hashes)
    known = {"hazards.hazard": hz["hazard"].tolist()} if hz is not None else {}
    sv, sv_lines = _read(folder, SEVERITY, problems, known, hashes)
    if hz is not None:
        for i, row in hz.iterrows():
            line = int(hz_lines[i])
            if row["target"] not in targets:
                problems.append(Problem("hazards.csv", f"unknown target '{row['target']}'; expected an oil asset, route or source: {', '.join(sorted(targets))}", line=line, column="target"))
            if row["duration_p90_days"] < row["duration_median_days"]:
                problems.append(Problem("hazards.csv", f"duration_p90_days {row['duration_p90_days']:g} is below duration_median_days {row['duration_median_days']:g}; expected p90 >= median", line=line, column="duration_p90_days"))
            if row["duration_max_days"] < row["duration_median_days"]:
                problems.append(Problem("hazards.csv", f"duration_max_days {row['duration_max_days']:g} is below the median; expected max >= median", line=line, column="duration_max_days"))
    if hz is not None and sv is not None:
        for name in hz["hazard"]:
            rows = sv[sv["hazard"] == name]
            total = float(rows["probability"].sum())
            if rows.empty:
                problems.append(Problem("hazard_severity.csv", f"hazard '{name}' has no severity rows; expected at least one (remaining, probability)"))
            elif abs(total - 1.0) > 1e-6:
                line = int(sv_lines[rows.index[-1]])
                problems.append(Problem("hazard_severity.csv", f"probabilities of hazard '{name}' add up to {total:g}; expected 1", line=line, column="probability"))
    if problems:
        raise InputError(problems)
    hazards = []
    for _, row in hz.iterrows():
        rows = sv[sv["hazard"] == row["hazard"]]
        med, p90 = float(row["duration_median_days"]), float(row["duration_p90_days"])
        hazards.append(
            Hazard(
                row["hazard"],
                row["target"],
                float(row["events_per_year"]),
                math.log(med),
                math.log(p90 / med) / Z90,
                float(row["duration_max_days"]),
                rows["remaining"].to_numpy(float),
                rows["probability"].to_numpy(float),
            )
        )
    return hazards, hashes


#: ISO labels of consecutive days from a first day (draw_events names an event's days from it instead of
#: converting each date: the labels are those of ``numpy.datetime64(day, "D")``)
_DAY_LABELS: dict[tuple[np.datetime64, int], list[str]] = {}


def _day_labels(first: np.datetime64, n: int) -> list[str]:
    key = (first, n)
    labels = _DAY_LABELS.get(key)
    if labels is None:
        if len(_DAY_LABELS) > 64:
            _DAY_LABELS.clear()
        labels = _DAY_LABELS[key] = (first + np.arange(n)).astype(str).tolist()
    return labels


def draw_window(start: pd.Timestamp, end: pd.Timestamp) -> tuple[np.datetime64, int]:
    first = np.datetime64(start.date(), "D")
    return first, int((np.datetime64(end.date(), "D") - first).astype(int)) + 1


def draw_events(hazards: list[Hazard], seed: int, draw: int, start: pd.Timestamp, end: pd.Timestamp, window: tuple | None = None) -> list[CaseEvent]:
    """The events starting in [start, end] in one Monte Carlo draw; reproducible from (seed, draw) alone.

    ``window``: ``draw_window(start, end)`` when the caller has it already (many draws share one)."""
    rng = np.random.default_rng([seed, draw])
    first, n_days = window or draw_window(start, end)
    years = n_days / 365.25
    events: list[CaseEvent] = []
    labels = None
    for hz in hazards:
        n = rng.poisson(hz.rate * years)
        if n == 0:
            continue
        offsets = rng.integers(0, n_days, size=n)
        lengths = np.minimum(np.exp(hz.mu + hz.sigma * rng.standard_normal(n)), hz.max_days)
        lengths = np.maximum(1, np.rint(lengths)).astype(int)
        # = rng.choice(hz.remaining, size=n, p=hz.probability), the same draws without its checks
        sev = hz.remaining[hz.cdf.searchsorted(rng.random(n), side="right")]
        if labels is None:  # an event ends at most max_days - 1 days after the window's last day
            labels = _day_labels(first, n_days + int(max(h.max_days for h in hazards)) + 1)
        ends = offsets + (lengths - 1)
        for s, e, r in zip(offsets.tolist(), ends.tolist(), sev.tolist()):
            events.append(CaseEvent(hz.target, labels[s], labels[e], r, 0))
    return events
