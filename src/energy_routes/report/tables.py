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
    "bound": ("bound (Mt/yr or share)", "num"),
    "input": ("where the bound comes from", "text"),
    "sentence": ("in words", "text"),
    "kazakh_mt": ("left for Kazakh crude (Mt/yr)", "mt"),
    "units": ("units", "int"),
    "max_active_units": ("units in use at once", "int"),
    "bbl_per_t": ("barrels per tonne", "num"),
    "brent_usd_per_bbl": ("Brent ($/bbl)", "usdt"),
    "diff_usd_per_bbl": ("grade differential ($/bbl)", "usdt"),
    "price_usd_per_t": ("price ($/t)", "usdt"),
    "tariff_usd_per_t": ("tariffs ($/t)", "usdt"),
    "feeder_cost_usd_per_t": ("feeder cost ($/t)", "usdt"),
    "min_mt": ("at least (Mt/yr)", "mt"),
    "max_mt": ("at most (Mt/yr)", "mt"),
    "max_share": ("at most (share of exports)", "pct"),
    "source_of_bound": ("from", "text"),
    "days": ("days", "int"),
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
    """One deliverable table: sheet name, a one-line description, the frame (tidy column names) and its CSV.

    ``labels`` gives (header, format kind) for columns that :func:`column_label` does not know
    (the columns of a pivot, named after routes); ``bold_rows`` are row positions written in bold
    (totals).
    """

    name: str
    title: str
    frame: pd.DataFrame
    csv: str | None = None  # the run CSV it mirrors, if any
    labels: dict[str, tuple[str, str]] | None = None
    bold_rows: tuple[int, ...] = ()

    def _label(self, col: str) -> tuple[str, str]:
        return (self.labels or {}).get(col) or column_label(col)

    @property
    def headers(self) -> list[str]:
        return [self._label(c)[0] for c in self.frame.columns]

    @property
    def kinds(self) -> list[str]:
        return [self._label(c)[1] for c in self.frame.columns]


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
        from . import power as report_power  # here, not at the top: a sweep's workbook needs no plotly nor matplotlib

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
    rows += [(f"scenario note {i + 1}", n) for i, n in enumerate(data.scenario_notes)]
    rows += [(f"report note {i + 1}", n) for i, n in enumerate(data.notes)]
    return pd.DataFrame(rows, columns=["item", "value"])


#: id columns shown with display names in the workbook (the CSVs keep the ids)
_NAMED = {"route": "route", "source": "source", "asset": "asset"}


def named(frame: pd.DataFrame, data: RunData) -> pd.DataFrame:
    """A copy of ``frame`` with route, source, asset, target and asset_or_route ids replaced by display names."""
    out = frame.copy()
    label = {"route": data.route_label, "source": data.source_label, "asset": data.asset_label}
    for col, kind in _NAMED.items():
        if col in out:
            out[col] = [label[kind](str(v)) if isinstance(v, str) and v else v for v in out[col]]
    empty = pd.DataFrame({"route": [], "asset": [], "source": []})
    known = set(data.tables.get("allocation_annual", empty).route.unique())
    if "target" in out or "asset_or_route" in out:
        assets = set(data.tables.get("asset_use_monthly", empty).asset.unique())
        sources = set(data.tables.get("shut_in_monthly", empty).source.unique())

        def any_label(v) -> str:
            if not isinstance(v, str):
                return v
            if ":" in v:  # a source-route pair
                s, _, r = v.partition(":")
                return f"{data.source_label(s)} via {data.route_label(r)}"
            if v in assets:
                return data.asset_label(v)
            if v in sources:
                return data.source_label(v)
            if v in known:
                return data.route_label(v)
            return data.asset_label(v)

        for col in ("target", "asset_or_route"):
            if col in out:
                out[col] = [any_label(v) for v in out[col]]
    return out


def summary_by_year(data: RunData) -> Sheet:
    """Routes by year with Mt and kb/d side by side, a total row and a shut-in row per year."""
    ann = data.tables["allocation_annual"]
    bal = data.tables["balance_monthly"]
    shut = bal.assign(year=bal.period.str[:4].astype(int)).groupby("year")["shut_in_kt"].sum() / 1000.0
    cols = ["year", "route", "volume_mt", "volume_kbd", "share", "capacity_mt", "utilisation", "netback_musd"]
    rows, bold = [], []
    for year, grp in ann.groupby("year", sort=True):
        for r in grp.itertuples():
            rows.append((year, data.route_label(r.route), r.volume_mt, r.volume_kbd, r.share, r.capacity_mt, r.utilisation, r.netback_musd))
        bold.append(len(rows))
        rows.append((year, "total exported", grp.volume_mt.sum(), grp.volume_kbd.sum(), grp.share.sum(), None, None, grp.netback_musd.sum()))
        bold.append(len(rows))
        rows.append((year, "shut in", float(shut.get(year, 0.0)), None, None, None, None, None))
    frame = pd.DataFrame(rows, columns=cols)
    return Sheet("Summary by year", "Exports by route and year in Mt and kb/d, with the year's total and shut-in (rows in bold)", frame, bold_rows=tuple(bold))


def route_month_pivot(data: RunData) -> Sheet:
    """Months down, routes across: kt per month and kb/d, with total exported, shut-in and supply, and a total row."""
    m = data.tables["allocation_monthly"]
    order = list(dict.fromkeys(m.route))
    kt = m.pivot(index="period", columns="route", values="volume_kt")[order]
    kbd = m.pivot(index="period", columns="route", values="volume_kbd")[order]
    bal = data.tables["balance_monthly"].set_index("period")
    frame = pd.DataFrame({"period": kt.index})
    labels: dict[str, tuple[str, str]] = {}
    for r in order:
        frame[f"kt:{r}"] = kt[r].to_numpy()
        labels[f"kt:{r}"] = (f"{data.route_label(r)} (kt)", "kt")
    frame["total_kt"] = kt.sum(axis=1).to_numpy()
    labels["total_kt"] = ("total exported (kt)", "kt")
    frame["shut_in_kt"] = bal.reindex(kt.index).shut_in_kt.to_numpy()
    frame["supply_kt"] = bal.reindex(kt.index).supply_kt.to_numpy()
    for r in order:
        frame[f"kbd:{r}"] = kbd[r].to_numpy()
        labels[f"kbd:{r}"] = (f"{data.route_label(r)} (kb/d)", "kbd")
    frame["total_kbd"] = kbd.sum(axis=1).to_numpy()
    labels["total_kbd"] = ("total exported (kb/d)", "kbd")
    total = {c: frame[c].sum() for c in frame.columns if c.startswith("kt:") or c in ("total_kt", "shut_in_kt", "supply_kt")}
    frame = pd.concat([frame, pd.DataFrame([{"period": "total", **total}])], ignore_index=True)
    return Sheet("Route x month", "Volume by route (across) and month (down), kt and kb/d, with total exported, shut-in and supply; last row: totals over the horizon",
                 frame, labels=labels, bold_rows=(len(frame) - 1,))


def deliverable_sheets(data: RunData) -> list[Sheet]:
    """Every table of the workbook, in order; the HTML report shows the same tables (ids shown as display names)."""
    from ..show import TABLES as INPUT_TABLES
    from . import power as report_power  # here, not at the top: a sweep's workbook needs no plotly nor matplotlib

    t = data.tables
    sheets = [
        summary_by_year(data),
        Sheet("Annual allocation", "Kazakh crude exports by route and year, with shares of the year's exports and capacity use", named(t["allocation_annual"], data), "allocation_annual.csv"),
        Sheet("Monthly allocation", "Exports by route and month; capacity after disruption events", named(t["allocation_monthly"], data), "allocation_monthly.csv"),
        route_month_pivot(data),
        Sheet("Balance", "Export supply, exported and shut-in volume by month", t["balance_monthly"], "balance_monthly.csv"),
        Sheet("Shut-in by source", "Export supply and shut-in volume by source and month", named(t["shut_in_monthly"], data), "shut_in_monthly.csv"),
        Sheet("Shadow prices", "Value of one more tonne of each binding capacity or limit (negative for a minimum commitment)", named(t["shadow_prices"], data), "shadow_prices.csv"),
        Sheet("Binding constraints", "Every binding constraint and year in words: what binds, where its bound comes from, what one more tonne is worth (negative: a commitment's cost)",
              named(data.binding(), data), "binding_constraints.csv" if "binding_constraints" in t else None),
        Sheet("Asset use", "Flow, capacity and utilisation of each asset by month", named(t["asset_use_monthly"], data), "asset_use_monthly.csv"),
        Sheet("Flows by source", "Volume by source, route and month, with the netback of each pair", named(t["flows_monthly"], data), "flows_monthly.csv"),
        Sheet("Availability", "Mean remaining capacity fraction after disruption events, by target and month", named(t["availability_monthly"], data), "availability_monthly.csv"),
        *report_power.power_sheets(data, Sheet),
        Sheet("Scenario", "The scenario as resolved for this run", settings_table(data)),
        Sheet("Events", "Disruption events: remaining capacity fraction over the window, with a linear recovery ramp", events_table(data)),
    ]
    for name, (sheet, title) in INPUT_TABLES.items():
        if name in t:
            sheets.append(Sheet(sheet, title, named(t[name], data), f"{name}.csv"))
    if data.sources_md is not None and len(data.sources_md):
        sheets.append(Sheet("Sources", "Where every input number comes from (inputs/SOURCES.md)", data.sources_md))
    sheets.append(Sheet("Run info", "Provenance of the run (manifest.json)", run_info_table(data)))
    return sheets


def manifest_json(data: RunData) -> str:
    return json.dumps(data.manifest, indent=2, default=str)
