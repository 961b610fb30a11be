"""Binding constraints in words: what binds, the input row it comes from, what one more tonne is worth.

Everything that is particular to a constraint family lives in :data:`FAMILIES`, as
plain data: which kind of id the row is indexed by, the words for what binds and
for "one more tonne" (format strings), and where its bound comes from (an input
table and the columns that key it, or a scenario setting). One generic renderer,
:func:`sentence`, turns a row of :func:`explain` into a sentence; the terminal
summary, the workbook and the report all print that sentence, so the words and
the signs are the same everywhere.

Signs are those of ``shadow_prices.csv``: the change in optimal export netback
($/t) for one more tonne of the bound. Positive for a capacity or a cap (one more
tonne of it adds that much); negative for a minimum commitment (one more tonne of
obligation costs that much).

Reads, from a resolved :class:`~energy_routes.scenario.Scenario` (at run time):
the input tables named in :data:`FAMILIES` with their line numbers, the
scenario's route limits and shares with their provenance (file, line, piece),
its ``set`` edits and events. Reads from a run: ``shadow_prices`` (period,
constraint, asset_or_route, usd_per_t). Writes nothing; the run writes the
result as ``binding_constraints.csv``.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd

from .model.registry import CONSTRAINTS

#: Per constraint family (declared with the family in energy_routes.model.registry, ``words``): the id
#: kind of ``asset_or_route``; whether it binds per period or per year; the words (format strings;
#: ``{name}`` is the display name of the id, ``{source_name}`` of a source, ``{bound}`` the bound that
#: holds); where the bound comes from: an input ``table`` and the columns that key it (``{id}``,
#: ``{year}``, ``{source}``, ``{route}``), with ``show`` naming the values, or a scenario ``setting``
#: (route_limits, route_shares); ``events``: disruption events on the id lower the bound.
FAMILIES: dict[str, dict] = {c.name: c.words for c in CONSTRAINTS if c.words}

#: the sentence every binding constraint gets; ``{cost}`` is said only for a negative value
SENTENCE = "{when}: {what}; {tonne} is worth {usd_per_t:+,.2f} $/t{cost}. From {input}."
COST = " (it costs {abs_usd:,.2f} $/t of netback)"
UNKNOWN = "the family's input (no row recorded for this run)"

#: short route labels for tables and sentences (the routes.csv names are long); other ids use routes.csv
SHORT_ROUTE_NAMES = {
    "cpc": "CPC",
    "btc": "Caspian+BTC",
    "baku_supsa": "Caspian+Supsa",
    "atyrau_samara": "Atyrau-Samara",
    "druzhba_germany": "Druzhba-Germany",
    "kazakhstan_china": "KZ-China",
    "makhachkala": "Makhachkala",
    "rail": "Rail",
}

#: columns of binding_constraints.csv
COLUMNS = ["year", "constraint", "asset_or_route", "periods_binding", "first", "last", "mean_usd_per_t", "max_abs_usd_per_t", "bound", "input", "what", "sentence"]


# ------------------------------------------------------------------ display names


def display_names(tables: dict[str, pd.DataFrame], short_routes: dict[str, str] | None = None) -> dict[str, dict[str, str]]:
    """kind -> id -> display name, from routes.csv, assets.csv and sources.csv ('X (Y)' -> 'X').

    ``short_routes`` (the terminal's short route labels) win over routes.csv names.
    """
    out: dict[str, dict[str, str]] = {}
    for kind, table in (("route", "routes"), ("asset", "assets"), ("source", "sources"), ("store", "stores"), ("acceptor", "acceptance")):
        df = tables.get(table)
        if df is None:
            continue
        out[kind] = {str(i): re.sub(r"\s*\(.*\)\s*$", "", str(n)) for i, n in zip(df[kind], df["name"])}
    if short_routes:
        out.setdefault("route", {}).update({k: v for k, v in short_routes.items() if k in out.get("route", short_routes)})
    return out


def _name(names: dict[str, dict[str, str]], kind: str, ident: str) -> str:
    return names.get(kind, {}).get(ident) or ident.replace("_", " ")


# ------------------------------------------------------------------ where each bound comes from


def _span_days(start: dt.date, end: dt.date) -> str:
    return f"{start:%d %b %Y}" if start == end else f"{start:%d %b} to {end:%d %b %Y}"


def _events_on(scenario, target: str, year: int) -> list[str]:
    prov = scenario.provenance
    out = []
    for i, ev in enumerate(scenario.settings.events):
        if (ev.target != target and not ev.target.startswith(target + "/")) or not (ev.start.year <= year <= ev.end.year):
            continue
        o = prov.item("events", i) if prov else None
        where = f", {o.where()}" if o else ""
        out.append(f"event '{ev.id}' ({ev.remaining:.0%} left, {_span_days(ev.start, ev.end)}{where})")
    return out


def _edits_on(scenario, table: str, row: dict, year: int | None) -> list[str]:
    """The ``set`` edits that changed this row of ``table`` (matched the same way as the edit itself)."""
    from .scenario.settings import expand_years

    prov = scenario.provenance
    out = []
    for i, edit in enumerate(scenario.settings.set):
        if edit.table != table or any(str(row.get(k)) != str(v) for k, v in edit.where.items()):
            continue
        if edit.years is not None and year is not None:
            try:
                if year not in expand_years(edit.years, scenario.years):
                    continue
            except ValueError:
                continue
        o = prov.item("set", i) if prov else None
        values = ", ".join(f"{k} {v:g}" if isinstance(v, (int, float)) else f"{k} {v}" for k, v in edit.values.items())
        out.append(f"set to {values} by {o.piece if o else 'the scenario'}" + (f" ({o.where()})" if o else ""))
    return out


def _records(scenario, table: str, cache: dict) -> list[tuple[int, dict]]:
    """(line, row as dict) of every row of an input table, converted once per lookup."""
    if table not in cache:
        df = scenario.inputs[table]
        lines = scenario.inputs.lines[table]
        cache[table] = [(int(lines.get(i, 0)), row) for i, row in zip(df.index, df.to_dict("records"))]
    return cache[table]


def _table_source(scenario, spec: dict, fields: dict, cache: dict) -> tuple[str, float | None]:
    table = spec["table"]
    want = {col: template.format(**fields) for col, template in spec["key"].items()}
    hits = [(line, row) for line, row in _records(scenario, table, cache) if all(str(row[c]) == v for c, v in want.items())]
    if not hits:
        return f"{table}.csv (no matching row)", None
    parts = []
    for line, row in hits:
        shown = spec["show"].format(**{k: (float("nan") if v is None or (isinstance(v, float) and v != v) else v) for k, v in row.items()})
        parts.append(f"{table}.csv, line {line} ({shown})")
    text = "; ".join(parts)
    first = hits[0][1]
    edits = _edits_on(scenario, table, first, fields.get("year"))
    if edits:
        text += ", " + ", ".join(edits)
    bound = None
    if table == "source_routes" and first.get("max_mt") is not None and not pd.isna(first.get("max_mt")):
        bound = float(first["max_mt"])
    return text, bound


def _setting_source(scenario, key: str, route: str, year: int, side: str) -> tuple[str, float] | None:
    """The entry of a list setting that holds ``side`` of the bound on ``route`` in ``year``, or None."""
    held = (scenario.limits if key == "route_limits" else scenario.shares).get((route, year))
    if held is None:
        return None
    index, bound = (held.low_from, held.low) if side == "-" else (held.high_from, held.high)
    if index is None or bound is None:
        return None
    o = scenario.provenance.item(key, index) if scenario.provenance else None
    entry = getattr(scenario.settings, key)[index]
    note = f": {entry.note}" if getattr(entry, "note", None) else ""
    where = f" from {o.piece}, {o.where()}" if o else ""
    return f"{key}[{index}]{where}{note}", bound


def sources(scenario, wanted=None) -> pd.DataFrame:
    """constraint, asset_or_route, year, side, bound, input: where each bound of the run comes from.

    One row per family, id, year and side ('+' for a capacity or a cap, '-' for a minimum);
    ``wanted`` (an iterable of such 4-tuples) limits the rows to those, else every id the
    scenario has is listed. ``bound`` is in the family's unit (Mt/yr, or a share), empty for
    capacities (they are monthly).
    """
    inp = scenario.inputs
    if wanted is None:
        stores = list(inp["stores"]["store"]) if "stores" in inp.tables else []
        ramps = [src for src, v in zip(inp["sources"]["source"], inp["sources"].get("ramp_up_per_day", pd.Series(dtype=float))) if pd.notna(v)]
        holds = [src for src, v in zip(inp["sources"]["source"], inp["sources"].get("cut_hold_days", pd.Series(dtype=float))) if pd.notna(v)]
        ids = {
            "asset_capacity": sorted({a for a in inp["arcs"]["asset"] if isinstance(a, str) and a}),
            "route_capacity": list(inp["routes"]["route"]),
            "store_level": stores,
            "store_hold": stores,
            "store_injection": stores,
            "store_withdrawal": stores,
            "ramp_up": ramps,
            "cut_hold": holds,
            "route_limit": sorted({r for (r, _y) in scenario.limits}),
            "route_share": sorted({r for (r, _y) in scenario.shares}),
            "route_schedule": sorted((set(inp["schedules"]["route"]) if "schedules" in inp.tables else set()) | {r for (r, _y) in scenario.limits}),
            "acceptance": list(inp["acceptance"]["acceptor"]) if "acceptance" in inp.tables else [],
            "source_route_limit": [f"{s}:{r}" for s, r, m in zip(inp["source_routes"]["source"], inp["source_routes"]["route"], inp["source_routes"]["max_mt"]) if pd.notna(m)],
        }
        wanted = [(f, i, y, side) for f, spec in FAMILIES.items() for i in ids[f] for y in scenario.years for side in spec["what"]]
    rows = []
    cache: dict = {}
    for family, ident, y, side in wanted:
        spec = FAMILIES.get(family)
        if spec is None:
            continue
        src = spec["source"]
        source, _, route = ident.partition(":")
        fields = {"id": ident, "year": y, "source": source, "route": route or ident}
        if "table" in src and src["table"] in inp.tables:
            text, bound = _table_source(scenario, src, fields, cache)
            if src.get("or_setting") and text.endswith("(no matching row)"):
                held = _setting_source(scenario, src["or_setting"], ident, y, side)
                text = held[0] if held else text
        elif "table" in src:  # an optional table not given: the bound comes from the setting named, if any
            held = _setting_source(scenario, src["or_setting"], ident, y, side) if src.get("or_setting") else None
            if held is None:
                continue
            text, bound = held[0], None
        else:
            held = _setting_source(scenario, src["setting"], ident, y, side)
            if held is None:
                continue
            text, bound = held
        if spec.get("events"):
            evs = _events_on(scenario, ident, y)
            if family == "route_capacity":
                from .network import build_network

                net = cache.setdefault("network", build_network(inp.tables))
                for a in net.route_assets.get(ident, []):
                    evs += _events_on(scenario, a, y)
            if evs:
                text += "; lowered by " + ", ".join(dict.fromkeys(evs))
        rows.append((family, ident, int(y), side, bound, text))
    return pd.DataFrame(rows, columns=["constraint", "asset_or_route", "year", "side", "bound", "input"])


# ------------------------------------------------------------------ the sentences


def _when(first: str, last: str, n: int, per: str) -> str:
    if per == "year":
        return f"In {first}"
    if len(first) > 7 or len(last) > 7:  # periods shorter than a month: name the days
        a, b = dt.date.fromisoformat(first if len(first) > 7 else first + "-01"), dt.date.fromisoformat(last if len(last) > 7 else last + "-01")
        return f"On {a:%d %b %Y}" if a == b else f"From {a:%d %b} to {b:%d %b %Y} ({n} periods binding)"
    if first == last:
        return f"In {dt.date(int(first[:4]), int(first[5:7]), 1):%b %Y}"
    a, b = dt.date(int(first[:4]), int(first[5:7]), 1), dt.date(int(last[:4]), int(last[5:7]), 1)
    span = f"{a:%b}-{b:%b %Y}" if a.year == b.year else f"{a:%b %Y}-{b:%b %Y}"
    return f"In {span} ({n} month{'s' if n != 1 else ''} binding)"


class _Unknown:
    """A bound the run did not record (an old run folder): printed as '?' whatever the format."""

    def __format__(self, spec: str) -> str:
        return "?"


def _parts(row: dict, names: dict[str, dict[str, str]]) -> tuple[dict | None, str, str]:
    """(the family's spec, the sign side, what binds in words) of one row."""
    spec = FAMILIES.get(row["constraint"])
    value = float(row["mean_usd_per_t"])
    side = "-" if value < 0 else "+"
    ident = str(row["asset_or_route"])
    if spec is None:
        return None, side, f"{row['constraint']} on {ident} binds"
    side = side if side in spec["what"] else "+"
    source, _, route = ident.partition(":")
    kind = spec["id_kind"]
    bound = row.get("bound")
    fields = {
        "name": _name(names, "route", route) if kind == "source_route" else _name(names, kind, ident),
        "source_name": _name(names, "source", source) if kind == "source_route" else "",
        "bound": _Unknown() if bound is None or pd.isna(bound) else float(bound),
    }
    return spec, side, spec["what"][side].format(**fields)


def what_binds(row: dict, names: dict[str, dict[str, str]]) -> str:
    """'the capacity of Aktau oil berths is used up', 'the cap of 2.2 Mt/yr on Caspian+BTC binds'."""
    return _parts(row, names)[2]


def sentence(row: dict, names: dict[str, dict[str, str]]) -> str:
    """The sentence of one row of :func:`explain` (the generic renderer of :data:`FAMILIES`)."""
    spec, side, what = _parts(row, names)
    value = float(row["mean_usd_per_t"])
    if spec is None:  # a family this module does not know yet: say what we can
        per = "year" if len(str(row["first"])) == 4 else "month"
        return f"{_when(str(row['first']), str(row['last']), int(row['periods_binding']), per)}: {what}; one more tonne is worth {value:+,.2f} $/t."
    return SENTENCE.format(
        when=_when(str(row["first"]), str(row["last"]), int(row["periods_binding"]), spec["per"]),
        what=what,
        tonne=spec["tonne"][side],
        usd_per_t=value,
        cost=COST.format(abs_usd=abs(value)) if value < 0 else "",
        input=row.get("input") or UNKNOWN,
    )


def _grouped(shadow: pd.DataFrame) -> pd.DataFrame:
    """year, constraint, asset_or_route, periods_binding, first, last, mean_usd_per_t, max_abs_usd_per_t, side
    (plain Python: the table is small and pandas' groupby costs more than the sums).

    One row per side: a row whose shadow price is positive in some periods and negative in others (a
    store held at its working level, full in one month and at its floor in the next) gets a row for
    each, so a mean never nets the two sides to nothing."""
    acc: dict[tuple, list] = {}
    for period, fam, ident, v in zip(shadow.period.astype(str), shadow.constraint, shadow.asset_or_route, shadow.usd_per_t):
        key = (int(period[:4]), fam, ident, "-" if v < 0 else "+")
        a = acc.get(key)
        if a is None:
            acc[key] = [1, period, period, float(v), abs(float(v))]
        else:
            a[0] += 1
            a[1], a[2] = min(a[1], period), max(a[2], period)
            a[3] += float(v)
            a[4] = max(a[4], abs(float(v)))
    rows = [(y, fam, ident, n, first, last, total / n, mx, side) for (y, fam, ident, side), (n, first, last, total, mx) in acc.items()]
    return pd.DataFrame(rows, columns=["year", "constraint", "asset_or_route", "periods_binding", "first", "last", "mean_usd_per_t", "max_abs_usd_per_t", "side"])


def explain(shadow: pd.DataFrame, names: dict[str, dict[str, str]], source_rows: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per binding constraint and year (:data:`COLUMNS`), most valuable first within each year.

    ``mean_usd_per_t`` is the mean shadow price over the periods it binds in that year;
    ``source_rows`` is :func:`sources` of the run's scenario (without it, ``input`` is empty).
    """
    if shadow.empty:
        return pd.DataFrame(columns=COLUMNS)
    g = _grouped(shadow)
    if source_rows is not None and len(source_rows):
        g = g.merge(source_rows, on=["constraint", "asset_or_route", "year", "side"], how="left")
    else:
        g["bound"], g["input"] = float("nan"), ""
    g["input"] = g["input"].fillna("")
    weight = g.mean_usd_per_t.abs() * g.periods_binding
    g = g.assign(_w=weight).sort_values(["year", "_w"], ascending=[True, False], kind="stable").drop(columns="_w")
    records = g.to_dict("records")
    g["what"] = [what_binds(r, names) for r in records]
    g["sentence"] = [sentence(r, names) for r in records]
    return g[COLUMNS].reset_index(drop=True)


def binding_constraints(shadow: pd.DataFrame, scenario, short_routes: dict[str, str] | None = None) -> pd.DataFrame:
    """:func:`explain` for a run of ``scenario``: display names and the input rows of the constraints that bind."""
    names = display_names(scenario.inputs.tables, short_routes)
    if shadow.empty:
        return explain(shadow, names)
    g = _grouped(shadow)
    wanted = list(zip(g.constraint, g.asset_or_route, g.year, g.side))
    return explain(shadow, names, sources(scenario, wanted))


# ------------------------------------------------------------------ which sentences to show

#: how many sentences to show when no year is in focus (all are in binding_constraints.csv)
MAX_SENTENCES = 10


def _years_text(years: list[int]) -> str:
    ys = sorted(set(years))
    return f"{ys[0]}-{ys[-1]}" if len(ys) > 2 and ys == list(range(ys[0], ys[-1] + 1)) else ", ".join(map(str, ys))


def selected(binding: pd.DataFrame, year: int | None, limit: int = MAX_SENTENCES) -> tuple[str, list[str], int]:
    """(heading, sentences, how many more) of the binding constraints.

    With a ``year``: every constraint that binds in it. Without: each constraint once, in the year
    it is worth most, saying in which other years it binds, most valuable first.
    """
    if binding is None or binding.empty:
        return "", [], 0
    if year is not None:
        rows = binding[binding.year == year]
        return f"Binding constraints in {year}: what one more tonne is worth", list(rows.sentence), 0
    b = binding.assign(_w=binding.mean_usd_per_t.abs() * binding.periods_binding)
    best = b.sort_values("_w", ascending=False, kind="stable").groupby(["constraint", "asset_or_route"], sort=False)
    out = []
    for (_c, _a), grp in best:
        top = grp.iloc[0]
        years = list(grp.year)
        out.append((top._w, top.sentence + (f" It binds in {len(years)} years: {_years_text(years)}." if len(years) > 1 else "")))
    out.sort(key=lambda t: -t[0])
    return "Binding constraints, each in the year it is worth most", [s for _, s in out[:limit]], max(0, len(out) - limit)
