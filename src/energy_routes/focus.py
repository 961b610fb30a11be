"""The disrupted window and year of a run: what headlines, charts and the terminal centre on.

A run with disruption events is about them: its headline numbers are those of the
year the disruption hits, not averages over a long horizon, and its charts open on
that year. :func:`focus` finds that window from the scenario's events (as resolved
settings or as the plain dicts of a manifest). Reads nothing from disk.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Focus:
    """The window the events cover (first start to last day of recovery), clipped to the horizon."""

    start: dt.date
    end: dt.date  # inclusive, recovery ramp included
    year: int  # the year the window hits hardest (most event-days)
    events: tuple[str, ...]  # the ids of the events

    @property
    def months(self) -> list[str]:
        """Every month the window touches, YYYY-MM."""
        out, y, m = [], self.start.year, self.start.month
        while (y, m) <= (self.end.year, self.end.month):
            out.append(f"{y:04d}-{m:02d}")
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out

    @property
    def years(self) -> list[int]:
        return list(range(self.start.year, self.end.year + 1))

    @property
    def window_text(self) -> str:
        """'1 Mar - 11 Apr 2027' or '20 Dec 2027 - 9 Jan 2028'."""
        if self.start.year == self.end.year:
            return f"{self.start.day} {self.start:%b} - {self.end.day} {self.end:%b %Y}"
        return f"{self.start.day} {self.start:%b %Y} - {self.end.day} {self.end:%b %Y}"

    @property
    def months_text(self) -> str:
        ms = self.months
        a, b = dt.date.fromisoformat(ms[0] + "-01"), dt.date.fromisoformat(ms[-1] + "-01")
        if a == b:
            return f"{a:%b %Y}"
        return f"{a:%b}-{b:%b %Y}" if a.year == b.year else f"{a:%b %Y}-{b:%b %Y}"


def _get(ev, key: str, default=None):
    return ev.get(key, default) if isinstance(ev, dict) else getattr(ev, key, default)


def _date(v) -> dt.date:
    return v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v)[:10])


def focus(events, first_day: dt.date | None = None, last_day: dt.date | None = None) -> Focus | None:
    """The :class:`Focus` of ``events`` (Event objects or manifest dicts), or None without events.

    ``first_day``/``last_day`` clip the window to the horizon.
    """
    spans = []
    for ev in events or []:
        start, end = _date(_get(ev, "start")), _date(_get(ev, "end"))
        end = end + dt.timedelta(days=int(_get(ev, "ramp_days", 0) or 0))
        if first_day is not None:
            start = max(start, first_day)
        if last_day is not None:
            end = min(end, last_day)
        if start <= end:
            spans.append((start, end, str(_get(ev, "id", ""))))
    if not spans:
        return None
    days_in: dict[int, int] = {}
    for start, end, _ in spans:
        for y in range(start.year, end.year + 1):
            a, b = max(start, dt.date(y, 1, 1)), min(end, dt.date(y, 12, 31))
            days_in[y] = days_in.get(y, 0) + (b - a).days + 1
    year = max(sorted(days_in), key=lambda y: days_in[y])
    return Focus(min(s for s, _, _ in spans), max(e for _, e, _ in spans), year, tuple(i for _, _, i in spans))


def horizon_days(months: list[str]) -> tuple[dt.date, dt.date]:
    """First and last day of a list of YYYY-MM months."""
    a = dt.date.fromisoformat(months[0] + "-01")
    y, m = int(months[-1][:4]), int(months[-1][5:7])
    nxt = dt.date(y + 1, 1, 1) if m == 12 else dt.date(y, m + 1, 1)
    return a, nxt - dt.timedelta(days=1)
