"""Reported history for the backtest: read and check ``inputs/history/``.

Reads four CSV files from ``<inputs>/history/`` (columns and units in
``docs/backtest.md``):

- ``outlets.csv``: outlet, name, routes, description. ``routes`` joins model
  route ids with ``+``; an outlet's model volume is the sum over its routes.
- ``volumes.csv``: year, outlet, low_mt, high_mt, source_ids, note. Reported
  export volume per outlet and year as a range (sources that disagree are kept
  as low/high, not resolved).
- ``events.csv``: event_id, year, start, end, target, capacity_lost_low/high,
  cpc_lost_low/high_mt, rerouted_low/high_mt, shut_in_low/high_mt, override,
  source_ids, reported. Reported figures for each historical CPC disruption;
  a blank pair means nothing was reported; ``override`` names the
  scenarios.yaml override that replays the event (blank: not replayed).
- ``claims.csv``: year, item, metric, claimed, reason, tolerance_pct
  (optional). Which comparisons the model's assumptions claim to reproduce,
  why the others are not claimed, and how far (% of the nearer reported
  bound) a claim may miss and still hold (blank: it must be inside).
- ``monthly.csv`` (optional): month (YYYY-MM), outlet, low_mt, high_mt,
  claimed, reason, source_ids, note. Reported volumes of the months where
  monthly figures are public, each with its own claim decision.
- ``daily.csv`` (optional): event_id, window_start, window_end, from_day,
  to_day, metric, low_mt, high_mt, claimed, tolerance_pct, reason,
  source_ids, note. Reported effects of an event over given days, compared
  with a replay at daily resolution in the window (the event's year solved
  with daily periods from window_start to window_end, with and without the
  event's override), each with its own claim decision.

The tables are declared with the same :class:`~energy_routes.schema.Table`
objects as the model inputs and read with the same CSV reader, so a bad file
gets the same file/line/column messages (exit code 2).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .errors import InputError, Problem
from .load import read_table
from .schema import Col, Table

HISTORY_DIR = "history"
METRICS = ("volume", "cpc_lost", "rerouted", "shut_in")
EVENT_METRICS = ("cpc_lost", "rerouted", "shut_in")
DAILY_METRICS = ("shut_in",)  # what a daily replay compares: lost output over the stated days
NO_CLAIM = "no claim declared in history/claims.csv"
MT = dict(unit="Mt/yr", min=0.0, max=200.0)
MT_EVENT = dict(unit="Mt", min=0.0, max=200.0, nullable=True)

TABLES: tuple[Table, ...] = (
    Table(
        "outlets",
        (
            Col("outlet", "id"),
            Col("name", "text"),
            Col("routes", "text"),
            Col("description", "text", nullable=True),
        ),
        key=("outlet",),
        description="Reported outlets and the model routes that make them up",
    ),
    Table(
        "volumes",
        (
            Col("year", "int", min=2000, max=2100),
            Col("outlet", "id", ref="outlets.outlet"),
            Col("low_mt", "float", **MT),
            Col("high_mt", "float", **MT),
            Col("source_ids", "text"),
            Col("note", "text", nullable=True),
        ),
        key=("year", "outlet"),
        description="Reported export volumes by outlet and year",
    ),
    Table(
        "events",
        (
            Col("event_id", "id"),
            Col("year", "int", min=2000, max=2100),
            Col("start", "text"),
            Col("end", "text", nullable=True),
            Col("target", "id"),
            Col("capacity_lost_low", "float", "fraction", 0, 1),
            Col("capacity_lost_high", "float", "fraction", 0, 1),
            *(Col(f"{m}_{b}_mt", "float", **MT_EVENT) for m in EVENT_METRICS for b in ("low", "high")),
            Col("override", "text", nullable=True),
            Col("source_ids", "text"),
            Col("reported", "text"),
        ),
        key=("event_id",),
        description="Reported figures of historical CPC disruptions",
    ),
    Table(
        "claims",
        (
            Col("year", "int", min=2000, max=2100),
            Col("item", "id"),
            Col("metric", "enum", choices=METRICS),
            Col("claimed", "enum", choices=("yes", "no")),
            Col("reason", "text"),
            Col("tolerance_pct", "float", "%", 0, 50, nullable=True, optional=True),
        ),
        key=("year", "item", "metric"),
        description="Which comparisons the model claims to reproduce",
    ),
    Table(
        "monthly",
        (
            Col("month", "text"),
            Col("outlet", "id", ref="outlets.outlet"),
            Col("low_mt", "float", unit="Mt", min=0.0, max=50.0),
            Col("high_mt", "float", unit="Mt", min=0.0, max=50.0),
            Col("claimed", "enum", choices=("yes", "no")),
            Col("reason", "text"),
            Col("source_ids", "text"),
            Col("note", "text", nullable=True),
        ),
        key=("month", "outlet"),
        description="Reported export volumes by outlet and month, where monthly figures are public, with whether each is claimed",
        required=False,
    ),
    Table(
        "daily",
        (
            Col("event_id", "id", ref="events.event_id"),
            Col("window_start", "text"),
            Col("window_end", "text"),
            Col("from_day", "text"),
            Col("to_day", "text"),
            Col("metric", "enum", choices=DAILY_METRICS),
            Col("low_mt", "float", unit="Mt", min=0.0, max=50.0),
            Col("high_mt", "float", unit="Mt", min=0.0, max=50.0),
            Col("claimed", "enum", choices=("yes", "no")),
            Col("tolerance_pct", "float", "%", 0, 50, nullable=True, optional=True),
            Col("reason", "text"),
            Col("source_ids", "text"),
            Col("note", "text", nullable=True),
        ),
        key=("event_id", "from_day", "to_day", "metric"),
        description="Reported effects of an event over given days, compared with a replay at daily resolution, with whether each is claimed",
        required=False,
    ),
)


@dataclass
class History:
    """The checked history tables, plus where each row came from."""

    folder: Path
    tables: dict[str, pd.DataFrame]
    lines: dict[str, pd.Series]
    hashes: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]

    def outlet_routes(self) -> dict[str, list[str]]:
        return {r.outlet: r.routes.split("+") for r in self.tables["outlets"].itertuples()}

    def claim(self, year: int, item: str, metric: str) -> tuple[bool, str]:
        c = self.tables["claims"]
        hit = c[(c.year == year) & (c["item"] == item) & (c.metric == metric)]
        if hit.empty:
            return False, NO_CLAIM
        row = hit.iloc[0]
        return row.claimed == "yes", str(row.reason)

    def tolerance(self, year: int, item: str, metric: str) -> float:
        """How far (% of the nearer reported bound) a claim may miss and still hold; 0 unless claims.csv says."""
        c = self.tables["claims"]
        if "tolerance_pct" not in c:
            return 0.0
        hit = c[(c.year == year) & (c["item"] == item) & (c.metric == metric)]
        v = hit["tolerance_pct"].iloc[0] if not hit.empty else None
        return 0.0 if v is None or pd.isna(v) else float(v)

    @property
    def monthly(self) -> pd.DataFrame:
        """``monthly.csv`` (empty if the file is absent)."""
        return self._optional("monthly")

    @property
    def daily(self) -> pd.DataFrame:
        """``daily.csv`` (empty if the file is absent)."""
        return self._optional("daily")

    def _optional(self, name: str) -> pd.DataFrame:
        cols = [c.name for t in TABLES if t.name == name for c in t.columns]
        return self.tables.get(name, pd.DataFrame(columns=cols))


def _date(text: str | None) -> dt.date | None:
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return None
    return dt.date.fromisoformat(str(text))


def _check_rows(h: dict[str, pd.DataFrame], lines: dict[str, pd.Series], routes: set[str], overrides: set[str], problems: list[Problem]) -> None:
    """Checks across columns and tables that a column schema cannot express."""

    def where(name: str, idx) -> int:
        return int(lines[name][idx])

    flagged = {(p.file, p.line, p.column) for p in problems}

    mo = h.get("monthly")
    if mo is not None:
        for idx, row in mo.iterrows():
            m = row["month"]
            if isinstance(m, str) and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", m):
                problems.append(Problem(f"{HISTORY_DIR}/monthly.csv", f"got '{m}'; expected a month YYYY-MM", line=where("monthly", idx), column="month"))

    for name in ("monthly", "daily"):  # columns that cannot be blank: only the order is left to check
        df = h.get(name)
        for idx, row in (df.iterrows() if df is not None else ()):
            if not pd.isna(row["low_mt"]) and not pd.isna(row["high_mt"]) and row["low_mt"] > row["high_mt"]:
                problems.append(Problem(f"{HISTORY_DIR}/{name}.csv", f"low_mt {row['low_mt']:g} is above high_mt {row['high_mt']:g}", line=where(name, idx), column="low_mt"))

    da, evs = h.get("daily"), h.get("events")
    if da is not None:
        rel = f"{HISTORY_DIR}/daily.csv"
        for idx, row in da.iterrows():
            days = {}
            for col in ("window_start", "window_end", "from_day", "to_day"):
                try:
                    days[col] = _date(row[col])
                except ValueError:
                    problems.append(Problem(rel, f"got '{row[col]}'; expected a date YYYY-MM-DD", line=where("daily", idx), column=col))
            ws, we, fd, td = (days.get(c) for c in ("window_start", "window_end", "from_day", "to_day"))
            if ws and we and ws > we:
                problems.append(Problem(rel, f"window_start {ws} is after window_end {we}", line=where("daily", idx), column="window_end"))
            elif ws and we and ws.year != we.year:
                problems.append(Problem(rel, f"the window {ws}..{we} spans two years; expected one year (years are solved apart)", line=where("daily", idx), column="window_end"))
            elif fd and td and fd > td:
                problems.append(Problem(rel, f"from_day {fd} is after to_day {td}", line=where("daily", idx), column="to_day"))
            elif ws and we and fd and td and not (ws <= fd and td <= we):
                problems.append(Problem(rel, f"the days {fd}..{td} are not inside the daily window {ws}..{we}", line=where("daily", idx), column="from_day"))
            if evs is not None and ws and row["event_id"] in set(evs.event_id):
                e = evs[evs.event_id == row["event_id"]].iloc[0]
                if e["year"] != ws.year:
                    problems.append(Problem(rel, f"the window {ws}..{we} is not in {row['event_id']}'s year {e['year']}", line=where("daily", idx), column="window_start"))
                elif not isinstance(e["override"], str):
                    problems.append(Problem(rel, f"event {row['event_id']} has no override in events.csv, so it cannot be replayed", line=where("daily", idx), column="event_id"))

    out = h.get("outlets")
    if out is not None:
        for idx, text in out["routes"].items():
            if text is None:
                continue
            unknown = [r for r in text.split("+") if r.strip() not in routes]
            if unknown:
                problems.append(
                    Problem(f"{HISTORY_DIR}/outlets.csv", f"unknown route(s) {', '.join(unknown)}; expected route ids from routes.csv joined by '+'", line=where("outlets", idx), column="routes")
                )
    pairs = [("volumes", "low_mt", "high_mt"), ("events", "capacity_lost_low", "capacity_lost_high")]
    pairs += [("events", f"{m}_low_mt", f"{m}_high_mt") for m in EVENT_METRICS]
    for name, lo, hi in pairs:
        df = h.get(name)
        if df is None:
            continue
        rel = f"{HISTORY_DIR}/{name}.csv"
        for idx in df.index:
            a, b = df.at[idx, lo], df.at[idx, hi]
            if (rel, where(name, idx), lo) in flagged or (rel, where(name, idx), hi) in flagged:
                continue  # a cell that could not be read is reported already, not again as a missing half of a pair
            if pd.isna(a) != pd.isna(b):
                problems.append(Problem(f"{HISTORY_DIR}/{name}.csv", f"{lo} and {hi} must both be given or both be blank", line=where(name, idx), column=hi if pd.isna(b) else lo))
            elif not pd.isna(a) and a > b:
                problems.append(Problem(f"{HISTORY_DIR}/{name}.csv", f"{lo} {a:g} exceeds {hi} {b:g}; expected low <= high", line=where(name, idx), column=lo))
    ev = h.get("events")
    if ev is not None:
        for idx in ev.index:
            dates = {}
            for col in ("start", "end"):
                try:
                    dates[col] = _date(ev.at[idx, col])
                except ValueError:
                    problems.append(Problem(f"{HISTORY_DIR}/events.csv", f"got '{ev.at[idx, col]}'; expected a date YYYY-MM-DD", line=where("events", idx), column=col))
            s, e = dates.get("start"), dates.get("end")
            if s and e and s > e:
                problems.append(Problem(f"{HISTORY_DIR}/events.csv", f"starts ({s}) after it ends ({e})", line=where("events", idx), column="end"))
            if s and not pd.isna(ev.at[idx, "year"]) and s.year != ev.at[idx, "year"]:
                problems.append(Problem(f"{HISTORY_DIR}/events.csv", f"start {s} is not in year {ev.at[idx, 'year']}", line=where("events", idx), column="start"))
            ov = ev.at[idx, "override"]
            if isinstance(ov, str) and ov not in overrides:
                problems.append(Problem(f"{HISTORY_DIR}/events.csv", f"unknown override '{ov}'; expected an override of scenarios.yaml (or blank: not replayed)", line=where("events", idx), column="override"))
    cl, vol = h.get("claims"), h.get("volumes")
    if cl is not None and vol is not None and ev is not None:
        # a row with a missing or unreadable year or id is already reported; it takes no part in these checks
        volume_keys = {(int(y), o) for y, o in zip(vol["year"], vol["outlet"]) if not pd.isna(y) and isinstance(o, str)}
        unreadable = {o for y, o in zip(vol["year"], vol["outlet"]) if pd.isna(y)} | {e for e, y in zip(ev["event_id"], ev["year"]) if pd.isna(y)}
        event_years = {e: int(y) for e, y in zip(ev["event_id"], ev["year"]) if not pd.isna(y) and isinstance(e, str)}
        for idx, row in cl.iterrows():
            if pd.isna(row.year) or not isinstance(row["item"], str) or row["item"] in unreadable:
                continue
            if row.metric == "volume":
                if (row.year, row["item"]) not in volume_keys:
                    problems.append(Problem(f"{HISTORY_DIR}/claims.csv", f"no reported volume for year {row.year}, outlet '{row['item']}' in volumes.csv", line=where("claims", idx), column="item"))
            elif row.metric in EVENT_METRICS:
                if row["item"] not in event_years:
                    problems.append(Problem(f"{HISTORY_DIR}/claims.csv", f"unknown event '{row['item']}'; expected an event_id of events.csv", line=where("claims", idx), column="item"))
                elif event_years[row["item"]] != row.year:
                    problems.append(Problem(f"{HISTORY_DIR}/claims.csv", f"event '{row['item']}' is in year {event_years[row['item']]}, not {row.year}", line=where("claims", idx), column="year"))


def load_history(inputs_dir: str | Path, routes: set[str], overrides: set[str]) -> History:
    """Read and check ``<inputs_dir>/history/*.csv``.

    ``routes`` are the model's route ids (for ``outlets.routes``) and
    ``overrides`` the override names of scenarios.yaml (for
    ``events.override``).

    Raises
    ------
    InputError
        listing every problem, each with file, line and column.
    """
    folder = Path(inputs_dir) / HISTORY_DIR
    problems: list[Problem] = []
    if not folder.is_dir():
        raise InputError([Problem(str(folder), "is not a folder; expected the reported history tables (outlets, volumes, events, claims)")])
    tables: dict[str, pd.DataFrame] = {}
    lines: dict[str, pd.Series] = {}
    hashes: dict[str, str] = {}
    known: dict[str, list[str]] = {}
    for table in TABLES:
        path = folder / table.filename
        rel = f"{HISTORY_DIR}/{table.filename}"
        if not path.exists() and not path.is_symlink():
            if table.required:
                problems.append(Problem(rel, f"is missing; expected {table.description.lower()}"))
            continue
        read = read_table(path, rel, table, known, problems, hashes)
        if read is None:
            continue
        typed, line_nos = read
        for col in table.columns:  # blank text cells are None, never NaN
            if col.kind not in ("int", "float") and col.name in typed:
                typed[col.name] = typed[col.name].astype(object).where(typed[col.name].notna(), None)
        tables[table.name] = typed
        lines[table.name] = line_nos
        if table.name == "outlets":
            known["outlets.outlet"] = typed["outlet"].dropna().tolist()
        if table.name == "events":
            known["events.event_id"] = typed["event_id"].dropna().tolist()
    _check_rows(tables, lines, routes, overrides, problems)
    if problems:
        order = {f"{HISTORY_DIR}/{t.filename}": i for i, t in enumerate(TABLES)}
        problems.sort(key=lambda p: (order.get(p.file, len(order)), p.line or 0))
        raise InputError(list(dict.fromkeys(problems)))
    for df in tables.values():
        if "year" in df:
            df["year"] = df["year"].astype("int64")
    return History(folder, tables, lines, hashes)
