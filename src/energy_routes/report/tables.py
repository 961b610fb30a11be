"""The tables of the deliverables: the run's CSV tables with headers that carry units, plus a few derived ones.

Reads a :class:`~energy_routes.report.rundata.RunData` (the run folder's CSV
tables and manifest). Values are never rescaled: a sheet holds exactly the
numbers of its CSV, and only the header and the number format change (a share
of 0.25 is stored as 0.25 and shown as 25.0%).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd

from . import power as report_power
from .rundata import RunData

#: column -> (header with unit, format kind)
COLUMNS: dict[str, tuple[str, str]] = {
    "period": ("period", "text"),
    "year": ("year", "int"),
    "hour": ("hour of year", "int"),
    "route": ("route", "text"),
    "source": ("source", "text"),
    "asset": ("asset", "text"),
    "target": ("target", "text"),
    "constraint": ("constraint", "text"),
    "asset_or_route": ("asset or route", "text"),
    "volume_kt": ("volume (kt)", "kt"),
    "volume_kbd": ("volume (kb/d)", "kbd"),
    "capacity_kt": ("capacity (kt)", "kt"),
    "utilisation": ("utilisation (%)", "pct"),
    "netback_usd_per_t": ("netback ($/t)", "usdt"),
    "volume_mt": ("volume (Mt)", "mt"),
    "capacity_mt": ("capacity (Mt)", "mt"),
    "share": ("share of the year's exports (%)", "pct"),
    "netback_musd": ("netback (M$)", "musd"),
    "supply_kt": ("export supply (kt)", "kt"),
    "exported_kt": ("exported (kt)", "kt"),
    "shut_in_kt": ("shut in (kt)", "kt"),
    "usd_per_t": ("shadow price ($/t)", "usdt"),
    "flow_kt": ("flow (kt)", "kt"),
    "remaining": ("capacity remaining after events (%)", "pct"),
    "remaining_during_event": ("capacity remaining during the event (%)", "pct"),
    "generation_gwh": ("generation (GWh)", "gwh"),
    "exported_gwh": ("exported (GWh)", "gwh"),
    "delivered_gwh": ("delivered (GWh)", "gwh"),
    "losses_gwh": ("losses (GWh)", "gwh"),
    "curtailed_gwh": ("curtailed (GWh)", "gwh"),
    "cable_utilisation": ("cable utilisation (%)", "pct"),
    "generation_mwh": ("generation (MWh)", "mwh"),
    "exported_mwh": ("exported (MWh)", "mwh"),
    "delivered_mwh": ("delivered (MWh)", "mwh"),
    "curtailed_mwh": ("curtailed (MWh)", "mwh"),
    "cable_capacity_mw": ("cable capacity (MW)", "mw"),
    # derived tables
    "periods_binding": ("periods binding", "int"),
    "first": ("first period", "text"),
    "last": ("last period", "text"),
    "mean_usd_per_t": ("mean shadow price ($/t)", "usdt"),
    "max_abs_usd_per_t": ("largest |shadow price| ($/t)", "usdt"),
    # comparison summary
    "a": ("A", "num"),
    "b": ("B", "num"),
    "diff": ("B - A", "num"),
}

_SUFFIX_UNITS = (
    ("_usd_per_t", "$/t", "usdt"),
    ("_usd_per_mwh", "$/MWh", "usdt"),
    ("_mcm", "million m³", "num"),
    ("_musd", "M$", "musd"),
    ("_mt", "Mt", "mt"),
    ("_kt", "kt", "kt"),
    ("_kbd", "kb/d", "kbd"),
    ("_gwh", "GWh", "gwh"),
    ("_mwh", "MWh", "mwh"),
    ("_mw", "MW", "mw"),
)


_PREFIXES = (("a_", "A: "), ("b_", "B: "), ("diff_", "B - A: "))


def column_label(col: str) -> tuple[str, str]:
    """Header with unit and format kind of a tidy column name (known names first, then by unit suffix).

    The comparison's ``a_``, ``b_`` and ``diff_`` prefixes become "A: ", "B: " and "B - A: ".
    """
    for prefix, text in _PREFIXES:
        if col.startswith(prefix) and len(col) > len(prefix):
            label, kind = column_label(col[len(prefix):])
            return text + label, kind
    if col in COLUMNS:
        return COLUMNS[col]
    for suffix, unit, kind in _SUFFIX_UNITS:
        if col.endswith(suffix):
            return f"{col[: -len(suffix)].replace('_', ' ')} ({unit})", kind
    if col.endswith("_share") or col.endswith("_pct"):
        return f"{col.replace('_', ' ')} (%)", "pct"
    return col.replace("_", " "), "text"


@dataclass
class Sheet:
    """One deliverable table: sheet name, a one-line description, the frame (tidy column names) and its CSV."""

    name: str
    title: str
    frame: pd.DataFrame
    csv: str | None = None  # the run CSV it mirrors, if any

    @property
    def headers(self) -> list[str]:
        return [column_label(c)[0] for c in self.frame.columns]

    @property
    def kinds(self) -> list[str]:
        return [column_label(c)[1] for c in self.frame.columns]


def binding_summary(shadow: pd.DataFrame) -> pd.DataFrame:
    """constraint, asset_or_route, periods_binding, first, last, mean_usd_per_t, max_abs_usd_per_t,
    most valuable first (by |mean| × periods binding, i.e. the total value of the bottleneck)."""
    cols = ["constraint", "asset_or_route", "periods_binding", "first", "last", "mean_usd_per_t", "max_abs_usd_per_t"]
    if shadow.empty:
        return pd.DataFrame(columns=cols)
    g = shadow.assign(abs_usd=shadow.usd_per_t.abs()).groupby(["constraint", "asset_or_route"], sort=False)
    out = g.agg(
        periods_binding=("period", "size"),
        first=("period", "min"),
        last=("period", "max"),
        mean_usd_per_t=("usd_per_t", "mean"),
        max_abs_usd_per_t=("abs_usd", "max"),
    ).reset_index()
    weight = out.mean_usd_per_t.abs() * out.periods_binding
    return out.loc[weight.sort_values(ascending=False, kind="stable").index, cols].reset_index(drop=True)


def _limit_text(lim: dict) -> str:
    parts = []
    if lim.get("min_mt") is not None:
        parts.append(f"min {lim['min_mt']} Mt/yr")
    if lim.get("max_mt") is not None:
        parts.append(f"max {lim['max_mt']} Mt/yr")
    if lim.get("max_share") is not None:
        parts.append(f"max share {lim['max_share']:.0%}")
    years = lim.get("years")
    when = "every year" if years in (None, [], "") else f"years {years}"
    note = f" ({lim['note']})" if lim.get("note") else ""
    return f"{lim.get('route')}: {', '.join(parts)}, {when}{note}"


def settings_table(data: RunData) -> pd.DataFrame:
    """setting, value: the resolved scenario as readable rows (events have their own table)."""
    sc = data.scenario
    rows: list[tuple[str, str]] = [
        ("name", str(sc.get("name", ""))),
        ("description", str(sc.get("description", "") or "")),
        ("overrides", ", ".join(sc.get("overrides") or []) or "none"),
    ]
    hz = sc.get("horizon") or {}
    rows.append(("horizon", f"{hz.get('start', '?')} to {hz.get('end', '?')}"))
    if sc.get("shut_in_penalty_usd_per_t") is not None:
        rows.append(("shut-in penalty ($/t)", f"{sc['shut_in_penalty_usd_per_t']:g}"))
    pw = sc.get("power") or {}
    if pw:
        rows.append(("power block", report_power.power_setting_text(pw)))
    for i, lim in enumerate(sc.get("route_limits") or []):
        rows.append((f"route limit {i + 1}", _limit_text(lim)))
    for i, lim in enumerate(sc.get("route_shares") or []):
        rows.append((f"route share {i + 1}", _limit_text(lim)))
    for i, edit in enumerate(sc.get("set") or []):
        where = ", ".join(f"{k}={v}" for k, v in (edit.get("where") or {}).items()) or "all rows"
        values = ", ".join(f"{k}={v}" for k, v in (edit.get("values") or {}).items())
        years = f", years {edit['years']}" if edit.get("years") not in (None, [], "") else ""
        note = f" ({edit['note']})" if edit.get("note") else ""
        rows.append((f"table edit {i + 1}", f"{edit.get('table')} [{where}{years}]: {values}{note}"))
    rows.append(("events", f"{len(data.events)} (see the Events table)"))
    return pd.DataFrame(rows, columns=["setting", "value"])


def events_table(data: RunData) -> pd.DataFrame:
    """id, target, start, end, remaining_during_event, ramp_days, note: the scenario's disruption events."""
    cols = ["id", "target", "start", "end", "remaining", "ramp_days", "note"]
    df = pd.DataFrame([{c: ev.get(c) for c in cols} for ev in data.events], columns=cols)
    return df.rename(columns={"remaining": "remaining_during_event"})


def run_info_table(data: RunData) -> pd.DataFrame:
    """item, value: provenance from the manifest (when, command, versions, solver, input hashes)."""
    m = data.manifest
    oil = (m.get("solver") or {}).get("oil") or {}
    rows = [
        ("run folder", str(data.shown.resolve())),
        ("created (UTC)", str(m.get("created_utc", ""))),
        ("command", " ".join(m.get("command") or [])),
        ("git commit", str(m.get("git_commit") or "")),
        ("inputs folder", str(m.get("inputs_dir", ""))),
        ("oil LP status", str(oil.get("status", ""))),
        ("oil LP objective (M$)", f"{oil['objective_musd']:,.1f}" if oil.get("objective_musd") is not None else ""),
        ("oil LP size", f"{oil.get('variables', '?')} variables, {oil.get('constraints', '?')} constraints"),
    ]
    rows += [(f"version: {k}", str(v)) for k, v in (m.get("versions") or {}).items()]
    rows += [(f"sha256: {k}", str(v)) for k, v in (m.get("input_sha256") or {}).items()]
    rows += [(f"note {i + 1}", n) for i, n in enumerate(data.notes)]
    return pd.DataFrame(rows, columns=["item", "value"])


def deliverable_sheets(data: RunData) -> list[Sheet]:
    """Every table of the workbook, in order; the HTML report shows the same tables."""
    t = data.tables
    sheets = [
        Sheet("Annual allocation", "Kazakh crude exports by route and year, with shares of the year's exports and capacity use", t["allocation_annual"], "allocation_annual.csv"),
        Sheet("Monthly allocation", "Exports by route and month; capacity after disruption events", t["allocation_monthly"], "allocation_monthly.csv"),
        Sheet("Balance", "Export supply, exported and shut-in volume by month", t["balance_monthly"], "balance_monthly.csv"),
        Sheet("Shut-in by source", "Export supply and shut-in volume by source and month", t["shut_in_monthly"], "shut_in_monthly.csv"),
        Sheet("Shadow prices", "Value of one more tonne of each binding capacity or limit (negative for a minimum commitment)", t["shadow_prices"], "shadow_prices.csv"),
        Sheet("Binding constraints", "The binding constraints summarised over the periods they bind, most valuable first", binding_summary(t["shadow_prices"])),
        Sheet("Asset use", "Flow, capacity and utilisation of each asset by month", t["asset_use_monthly"], "asset_use_monthly.csv"),
        Sheet("Flows by source", "Volume by source, route and month, with the netback of each pair", t["flows_monthly"], "flows_monthly.csv"),
        Sheet("Availability", "Mean remaining capacity fraction after disruption events, by target and month", t["availability_monthly"], "availability_monthly.csv"),
        *report_power.power_sheets(data, Sheet),
        Sheet("Scenario", "The scenario as resolved for this run", settings_table(data)),
        Sheet("Events", "Disruption events: remaining capacity fraction over the window, with a linear recovery ramp", events_table(data)),
    ]
    if data.sources_md is not None and len(data.sources_md):
        sheets.append(Sheet("Sources", "Where every input number comes from (inputs/SOURCES.md)", data.sources_md))
    sheets.append(Sheet("Run info", "Provenance of the run (manifest.json)", run_info_table(data)))
    return sheets


def manifest_json(data: RunData) -> str:
    return json.dumps(data.manifest, indent=2, default=str)
