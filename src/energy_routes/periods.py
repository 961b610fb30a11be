"""The time axis of the oil block: periods of one or more days, each weighted by its length.

A scenario chooses a ``resolution`` (``month``, the default; ``week``; ``day``)
and optional ``windows`` with a finer (or coarser) resolution of their own,
e.g. daily from 2025-11-01 to 2026-02-28 and monthly elsewhere
(docs/model.md §1 "Time"). Periods never cross a month boundary, so monthly
tables are exact sums of periods, and never cross a year boundary, so
annual limits sum whole periods and years stay independent LPs.

``week`` means four blocks per month starting on the 1st, 8th, 15th and 22nd;
the last runs to the month's end (7 to 10 days). ``day`` is one period per day.
A period that is a whole calendar month is labelled ``YYYY-MM``; any other is
labelled by its first day, ``YYYY-MM-DD``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

RESOLUTIONS = ("month", "week", "day")
WEEK_STARTS = (1, 8, 15, 22)


@dataclass(frozen=True)
class Periods:
    """The periods of a horizon and their layout over its days."""

    days: pd.DatetimeIndex  # every day of the horizon, sorted
    start: np.ndarray  # index into ``days`` of each period's first day
    length: np.ndarray  # days in each period
    labels: tuple[str, ...]  # YYYY-MM for a whole month, else the first day YYYY-MM-DD
    year: np.ndarray  # calendar year of each period
    month: tuple[str, ...]  # YYYY-MM of each period
    first_day: tuple[str, ...]  # ISO date of each period's first day

    def __len__(self) -> int:
        return len(self.start)

    def reduce(self, daily: np.ndarray) -> np.ndarray:
        """Sum a daily array (last axis = days) into periods."""
        return np.add.reduceat(daily, self.start, axis=-1)

    @property
    def months(self) -> list[str]:
        """The calendar months of the horizon, in order."""
        return list(dict.fromkeys(self.month))

    @property
    def years(self) -> list[int]:
        return sorted(set(self.year.tolist()))

    def of_year(self, year: int) -> np.ndarray:
        """Positions of the periods of one year."""
        return np.flatnonzero(self.year == year)

    def year_end(self) -> np.ndarray:
        """Positions of each year's last period."""
        return np.array([self.of_year(y)[-1] for y in self.years], dtype=np.int64)

    def year_start(self) -> np.ndarray:
        """True for the first period of each year (read-only: computed once, a sweep asks for every batch)."""
        return self._year_start

    @cached_property
    def _year_start(self) -> np.ndarray:
        first = np.zeros(len(self), dtype=bool)
        first[[self.of_year(y)[0] for y in self.years]] = True
        first.flags.writeable = False
        return first

    @cached_property
    def day_of_year(self) -> np.ndarray:
        """(days,) day of the year of each day, 1 on 1 January (read-only: computed once, pandas takes ~0.1 ms)."""
        out = np.array(self.days.day_of_year)
        out.flags.writeable = False
        return out


def build_periods(first_month: pd.Period, last_month: pd.Period, resolution: str = "month", windows=()) -> Periods:
    """Periods from ``first_month`` to ``last_month`` at ``resolution``, with ``windows`` (objects with
    ``start``, ``end`` dates and a ``resolution``) at their own resolution."""
    days = pd.date_range(first_month.start_time, last_month.end_time.normalize(), freq="D")
    n = len(days)
    res = np.full(n, RESOLUTIONS.index(resolution), dtype=np.int8)
    cuts = np.zeros(n, dtype=bool)
    dvals = days.values.astype("datetime64[D]")
    for w in windows:
        a, b = np.datetime64(w.start, "D"), np.datetime64(w.end, "D")
        inside = (dvals >= a) & (dvals <= b)
        res[inside] = RESOLUTIONS.index(w.resolution)
        i = np.flatnonzero(inside)
        if len(i):
            cuts[i[0]] = True
            if i[-1] + 1 < n:
                cuts[i[-1] + 1] = True
    dom = days.day.to_numpy()
    cuts |= dom == 1  # every month starts a period
    cuts |= (res == RESOLUTIONS.index("week")) & np.isin(dom, WEEK_STARTS)
    cuts |= res == RESOLUTIONS.index("day")
    cuts[0] = True
    start = np.flatnonzero(cuts)
    length = np.diff(np.r_[start, n])
    first = days[start]
    month = first.strftime("%Y-%m")
    whole = (first.day == 1) & (length == first.days_in_month.to_numpy())
    labels = np.where(whole, month, first.strftime("%Y-%m-%d"))
    return Periods(
        days=days,
        start=start.astype(np.int64),
        length=length.astype(np.int64),
        labels=tuple(labels.tolist()),
        year=first.year.to_numpy().astype(np.int64),
        month=tuple(month.tolist()),
        first_day=tuple(first.strftime("%Y-%m-%d").tolist()),
    )


def days_in_year(year: int) -> int:
    return 366 if pd.Timestamp(year=year, month=1, day=1).is_leap_year else 365
