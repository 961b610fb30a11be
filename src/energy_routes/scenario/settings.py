"""What a scenario may say: the typed, range-checked settings (pydantic).

A scenario file, an override in ``scenarios.yaml`` and the merged result are
all :class:`Settings`; every field is optional so that overrides can be
partial. ``docs/data.md`` ("Scenarios") is the prose version.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

YearsSpec = int | list[int] | str | None

#: units of the numeric settings, for hints when a value looks like a unit slip
FIELD_UNITS = {"remaining": "fraction", "max_share": "fraction", "min_mt": "Mt/yr", "max_mt": "Mt/yr"}

#: the settings that are lists of items; merging appends them (docs/data.md)
LIST_SETTINGS = ("route_limits", "route_shares", "events", "set")


#: a scenario name is shown in tables and reports and, made safe by writers.safe_folder_name, names
#: the run folder; it may not look like a path (no '/', '\\', leading '.', control characters or NUL)
NAME_MAX = 100


def check_name(v: str) -> str:
    """A scenario name: printable text without path separators, not starting with '.', at most NAME_MAX characters."""
    bad = [c for c in v if c in "/\\" or ord(c) < 32 or ord(c) == 127]
    if not v.strip() or bad or v.startswith("."):
        shown = "".join(c if ord(c) >= 32 else f"\\x{ord(c):02x}" for c in v)[:NAME_MAX]
        raise ValueError(f"got '{shown}'; expected a scenario name: printable text without '/', '\\' or control characters, not starting with '.'")
    if len(v) > NAME_MAX:
        raise ValueError(f"got a name {len(v)} characters long; a scenario name has at most {NAME_MAX}")
    return v


def _scalar(v: Any) -> Any:
    """A value of a `set` edit or a `where` filter: a number, text or null (never a list, a mapping or true/false)."""
    if isinstance(v, bool) or not (v is None or isinstance(v, (str, int, float))):
        raise ValueError(f"expected a number, text or null, got {v!r}")
    return v


class _Strict(BaseModel):
    # NaN and infinity are refused in every numeric setting (a range check alone lets NaN through);
    # defer_build: a validator is built on first use, once for Settings and what it nests, not per class at import
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, defer_build=True)


class Horizon(_Strict):
    start: str = Field(description="first month, YYYY-MM")
    end: str = Field(description="last month, YYYY-MM")

    @field_validator("start", "end", mode="before")
    @classmethod
    def _month(cls, v: Any) -> str:
        if isinstance(v, (dt.date, dt.datetime)):
            v = v.strftime("%Y-%m")
        v = str(v)
        if not re.fullmatch(r"\d{4}-\d{2}", v) or not 1 <= int(v[5:]) <= 12:
            raise ValueError(f"expected a month as YYYY-MM, got '{v}'")
        return v


class PowerShare(_Strict):
    """A contractual cap on one country's use of a link: at most ``max_share`` of its capacity, every hour."""

    link: str
    country: str
    max_share: float = Field(ge=0, le=1)
    note: str | None = None


class PowerExtend(_Strict):
    """An asset whose capacity the planning mode chooses (MW; MWh for a store's energy)."""

    asset: str
    min_mw: float = Field(default=0, ge=0, le=50000)
    max_mw: float | None = Field(default=None, ge=0, le=50000)
    min_mwh: float = Field(default=0, ge=0, le=500000)
    max_mwh: float | None = Field(default=None, ge=0, le=500000)
    note: str | None = None


class PowerSizing(_Strict):
    """A sizing study: the dispatch LP re-solved with ``link`` at each capacity (MW)."""

    link: str
    capacities_mw: list[float] = Field(min_length=1)
    note: str | None = None

    @field_validator("capacities_mw")
    @classmethod
    def _positive(cls, v: list[float]) -> list[float]:
        if any(not 0 <= c <= 50000 for c in v):
            raise ValueError("capacities must be in [0, 50000] MW")
        return v


class PowerSettings(_Strict):
    """The power block (docs/model.md §2): which years and weather years, sharing, planning and sizing."""

    enabled: bool = True
    years: list[int] = Field(default_factory=list)
    weather_years: list[int] = Field(default_factory=list)  # [] = the first weather year of power_profiles.csv
    mode: Literal["dispatch", "planning"] = "dispatch"
    transit_only: list[str] = Field(default_factory=list)  # nodes whose offtake is switched off
    shares: list[PowerShare] = Field(default_factory=list)
    extendable: list[PowerExtend] = Field(default_factory=list)
    sizing: PowerSizing | None = None
    discount_rate: float = Field(default=0.08, ge=0, le=0.3)


class RouteLimit(_Strict):
    route: str
    years: YearsSpec = None
    min_mt: float | None = Field(default=None, ge=0, le=150)
    max_mt: float | None = Field(default=None, ge=0, le=150)
    note: str | None = None


class RouteShare(_Strict):
    route: str
    years: YearsSpec = None
    max_share: float = Field(ge=0, le=1)
    note: str | None = None


class Event(_Strict):
    """One disruption: ``target`` keeps ``remaining`` of its capacity from ``start`` for a window given
    by ``end`` (the last day, inclusive) or by its length, ``days:`` or ``weeks:`` (exactly one of the three).

    A length becomes an end date: ``weeks: 6`` from 1 March is 42 days, so ``end`` is 11 April.
    """

    id: str
    target: str
    start: dt.date
    end: dt.date | None = None
    days: int | None = Field(default=None, ge=1, le=3660)
    weeks: float | None = Field(default=None, gt=0, le=520)
    remaining: float = Field(ge=0, le=1)
    ramp_days: int = Field(default=0, ge=0, le=730)
    note: str | None = None

    @model_validator(mode="after")
    def _window(self) -> "Event":
        given = [k for k in ("end", "days", "weeks") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                f"give the window's end as exactly one of end (last day), days or weeks; got {', '.join(given) if given else 'none'}"
            )
        if self.end is None:
            n = self.days if self.days is not None else round(self.weeks * 7)
            if n < 1:
                raise ValueError(f"weeks: {self.weeks:g} is shorter than one day")
            self.end = self.start + dt.timedelta(days=n - 1)
        return self

    @property
    def length_days(self) -> int:
        return (self.end - self.start).days + 1


Resolution = Literal["month", "week", "day"]


class Window(_Strict):
    """A stretch of the horizon solved at its own resolution (e.g. daily around an outage)."""

    start: dt.date
    end: dt.date
    resolution: Resolution = "day"
    note: str | None = None


class SetEdit(_Strict):
    table: str
    where: dict[str, Any] = Field(default_factory=dict)
    years: YearsSpec = None
    values: dict[str, Any]  # checked against the column's kind by scenario.edits (finite, whole, blank only where allowed)
    note: str | None = None

    @field_validator("where", "values", mode="before")
    @classmethod
    def _scalars(cls, v: Any) -> Any:
        if isinstance(v, dict):
            for key, item in v.items():
                try:
                    _scalar(item)
                except ValueError as exc:
                    raise ValueError(f"'{key}': {exc}") from None
        return v


class Settings(_Strict):
    """The settings of one scenario (all optional so overrides can be partial)."""

    name: str | None = None
    description: str | None = None
    extends: str | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, v: str | None) -> str | None:
        return None if v is None else check_name(v)

    overrides: list[str] = Field(default_factory=list)
    horizon: Horizon | None = None
    resolution: Resolution | None = None  # of the oil block's periods; default month
    windows: list[Window] | None = None  # finer (or coarser) resolution inside the horizon; replaced, not appended, by later pieces
    shut_in_penalty_usd_per_t: float | None = Field(default=None, ge=0, le=10000)
    power: PowerSettings | None = None
    route_limits: list[RouteLimit] = Field(default_factory=list)
    route_shares: list[RouteShare] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    set: list[SetEdit] = Field(default_factory=list)


def expand_years(spec: YearsSpec, horizon_years: list[int]) -> list[int]:
    """The years a ``years:`` setting names: none = every horizon year; 2027; [2026, 2027]; '2027..2030'."""
    if spec is None:
        return list(horizon_years)
    if isinstance(spec, int):
        return [spec]
    if isinstance(spec, list):
        return [int(y) for y in spec]
    m = re.fullmatch(r"\s*(\d{4})\s*\.\.\s*(\d{4})\s*", str(spec))
    if m:
        a, b = int(m.group(1)), int(m.group(2))
        return list(range(a, b + 1))
    if re.fullmatch(r"\s*\d{4}\s*", str(spec)):
        return [int(spec)]
    raise ValueError(f"expected a year, a list of years or 'YYYY..YYYY', got '{spec}'")
