"""Bad inputs: exit code 2, a message naming file, line and field, no traceback, nothing written.
Accepted inputs: UTF-8 BOM, CRLF line endings, trailing blank lines, spaces around cells.

Line numbers are those of the files the builder writes: the header is line 1
and rows follow in the order of tests/builders.py (e.g. asset_capacity.csv:
pipe 2, ship 3, link 4, spur 5; assets.csv: pipe 2 … cable 6; supply.csv: a 2, b 3).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from builders import base_tables, power_tables, set_rows, two_year_tables, write_table
from energy_routes.cli import main


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def replace_line(path: Path, lineno: int, text: str) -> None:
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[lineno - 1] = text
    path.write_text("\n".join(lines), encoding="utf-8")


def yaml_line(path: Path, needle: str) -> int:
    """1-based line of the first line of ``path`` containing ``needle``."""
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return i
    raise AssertionError(f"{needle!r} not in {path}")


# --------------------------------------------------------------------------- the corpus
#
# Each case breaks one thing in a fresh builder folder and says where the problem is and what
# the message must say: (file, line, column, expectation). ``line`` / ``column`` None means the
# problem has no row or field (a whole file). Cases with ``run_only`` concern a user scenario
# file, which only ``run`` reads.


@dataclass
class Case:
    breaks: Callable[[Path], str | None]  # edits the folder; returns the scenario argument for `run` (default "case")
    file: str
    line: int | str | None  # a str is a needle: the line of the scenario file that contains it
    column: str | None
    expect: str
    run_only: bool = False
    run_args: tuple[str, ...] = ()


def _edit_base(f: Path, extra: dict) -> None:
    path = f / "scenarios.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["base"].update(extra)
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")


def _edit_doc(f: Path, change: Callable[[dict], None]) -> None:
    path = f / "scenarios.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")


def _line(f: Path, lineno: int, text: str, table: str):
    def breaks(folder: Path) -> None:
        replace_line(folder / f"{table}.csv", lineno, text)

    return breaks


def _table(name: str, change: Callable[[dict], list[dict]]):
    def breaks(folder: Path) -> None:
        write_table(folder, name, change(base_tables()))

    return breaks


def _base(extra: dict):
    return lambda folder: _edit_base(folder, extra)


def _user(doc: dict | str, *extra_args: str):
    """A user scenario file next to the inputs folder."""

    def breaks(folder: Path) -> str:
        path = folder.parent / "mine.yaml"
        text = doc if isinstance(doc, str) else yaml.safe_dump(doc, sort_keys=False)
        path.write_text(text, encoding="utf-8")
        return str(path)

    return breaks


EV = {"id": "x", "target": "pipe", "start": "2023-02-01", "end": "2023-02-03", "remaining": 0.5}


def _no_column(table: str, column: str):
    return _table(table, lambda t: [{k: v for k, v in r.items() if k != column} for r in t[table]])


def _extra_column(folder: Path) -> None:
    write_table(folder, "supply", [{**r, "comment": "from the 2024 outlook"} for r in base_tables()["supply"]])


def _dup_single_key(folder: Path) -> None:
    t = base_tables()
    write_table(folder, "sources", t["sources"] + [dict(t["sources"][0], name="Again")])


def _dup_asset_year(folder: Path) -> None:
    t = base_tables()
    write_table(folder, "asset_capacity", t["asset_capacity"] + [dict(t["asset_capacity"][1])])


def _years_gap(folder: Path) -> None:
    t = base_tables()
    write_table(folder, "supply", t["supply"] + [{"year": 2025, "source": "a", "export_supply_mt": 1}, {"year": 2025, "source": "b", "export_supply_mt": 1}])


def _units(folder: Path) -> None:
    t = base_tables()
    set_rows(t["assets"], {"asset": "ship"}, units=2, max_active_units=3)
    write_table(folder, "assets", t["assets"])


def _header_only(folder: Path) -> None:
    (folder / "grades.csv").write_text("grade,name,bbl_per_t,diff_usd_per_bbl,description\n", encoding="utf-8")


def _latin1(folder: Path) -> None:
    text = (folder / "sources.csv").read_text(encoding="utf-8").replace("Source B", "Société B")
    (folder / "sources.csv").write_bytes(text.encode("latin-1"))


def _utf16(folder: Path) -> None:
    (folder / "supply.csv").write_bytes((folder / "supply.csv").read_text(encoding="utf-8").encode("utf-16"))


def _cut_last_row(folder: Path) -> None:
    path = folder / "asset_capacity.csv"
    path.write_bytes(path.read_bytes().rstrip(b"\n")[:-3])  # "2023,spur,50,0" -> "2023,spur,5"


def _cut_in_quote(folder: Path) -> None:
    path = folder / "sources.csv"
    path.write_text('source,name,description\na,Source A,"the first, big one"\nb,Source B,"the second, cut', encoding="utf-8")


def _power_on(folder: Path) -> None:
    """A cable in service and the power block on, so that `run` reads the hourly profiles (they are read on first use)."""
    for name, rows in power_tables(1000, 300).items():
        if name.startswith("power_"):
            write_table(folder, name, rows)
    _edit_base(folder, {"power": {"enabled": True, "years": [2023]}})


def _cut_profiles(folder: Path) -> None:
    path = folder / "power_profiles.csv"
    path.write_text("\n".join(path.read_text(encoding="utf-8").splitlines()[:5001]) + "\n", encoding="utf-8")
    _power_on(folder)


def _cf_above_one(folder: Path) -> None:
    _line(None, 2, "1,0,1.2,0.0,0.5,0.0,1.0,1.0,1.0", "power_profiles")(folder)
    _power_on(folder)


def _repeated_header(folder: Path) -> None:
    (folder / "prices.csv").write_text("year,year\n2023,80\n", encoding="utf-8")


def _lonely_route(folder: Path) -> None:
    t = base_tables()
    write_table(folder, "routes", t["routes"] + [{"route": "lonely", "name": "Lonely", "grade": "g", "description": ""}])


def _missing_file(folder: Path) -> None:
    (folder / "prices.csv").unlink()


def _supply_short_of_horizon(folder: Path) -> None:
    t = two_year_tables()
    t["supply"] = [r for r in t["supply"] if not (r["source"] == "b" and r["year"] == 2024)]
    for name, rows in t.items():
        write_table(folder, name, rows)
    _edit_base(folder, {"horizon": {"start": "2023-01", "end": "2024-12"}})


def _power_asset_on_route(folder: Path) -> None:
    replace_line(folder / "arcs.csv", 10, "spare_leg2,spare_1,spare,trans_caspian_cable,40,")


def _yaml_text(text: str):
    return lambda folder: (folder / "scenarios.yaml").write_text(text, encoding="utf-8")


GOOD_BASE = "base:\n  description: x\n  horizon: {start: 2023-01, end: 2023-12}\n  shut_in_penalty_usd_per_t: 50\n  power: {enabled: false}\n"


def _dup_yaml_key(folder: Path) -> None:
    (folder / "scenarios.yaml").write_text(
        GOOD_BASE + "  events: []\n  route_limits: []\n  events:\n    - {id: x, target: pipe, start: 2023-02-01, end: 2023-02-03, remaining: 0.5}\n"
        "scenarios:\n  case: {description: c}\n",
        encoding="utf-8",
    )


def _yaml_latin1(folder: Path) -> None:
    (folder / "scenarios.yaml").write_bytes((GOOD_BASE + "  note: café\nscenarios:\n  case: {description: c}\n").encode("latin-1"))


def _two_same_events(folder: Path) -> None:
    _edit_base(folder, {"events": [dict(EV, id="spm-out", remaining=0.3333), dict(EV, id="spm-out-again", remaining=0.6667)]})


def _override_twice(folder: Path) -> None:
    def change(doc):
        doc["overrides"] = {"cut": {"route_limits": [{"route": "cheap", "max_mt": 5}]}}
        doc["scenarios"]["case"]["overrides"] = ["cut", "cut"]

    _edit_doc(folder, change)


def _unknown_override(folder: Path) -> None:
    _edit_doc(folder, lambda doc: doc["scenarios"]["case"].update(overrides=["no-such-override"]))


def _scenario_extends(folder: Path) -> None:
    _edit_doc(folder, lambda doc: doc["scenarios"]["case"].update(extends="case"))


def _unknown_top_key(folder: Path) -> None:
    _edit_doc(folder, lambda doc: doc.update(scenarioz={}))


def _set_out_of_range(folder: Path) -> None:
    _edit_base(folder, {"set": [{"table": "asset_capacity", "where": {"asset": "pipe"}, "values": {"capacity_mt": 1500}}]})


def _user_with_override_twice(folder: Path) -> str:
    _edit_doc(folder, lambda doc: doc.update(overrides={"cut": {"route_limits": [{"route": "cheap", "max_mt": 5}]}}))
    return _user({"name": "mine", "extends": "case", "overrides": ["cut"]})(folder)


def where(c: Case, folder: Path) -> int | None:
    if not isinstance(c.line, str):
        return c.line
    if c.line == "- cut" or c.line.endswith(" #2"):  # the second of two
        needle = c.line.removesuffix(" #2")
        return [i for i, ln in enumerate((folder / "scenarios.yaml").read_text().splitlines(), 1) if needle in ln][1]
    if c.line.startswith("start: '2023-05-01'"):  # the second event starts two lines above its start
        return yaml_line(folder / "scenarios.yaml", c.line) - 2
    return yaml_line(folder / "scenarios.yaml", c.line)


CASES: dict[str, Case] = {
    # ---------------- CSV: columns
    "missing column": Case(_no_column("asset_capacity", "capacity_mt"), "asset_capacity.csv", 1, "capacity_mt", "column 'capacity_mt' is missing; expected a number in [0, 200] (Mt/yr)"),
    "missing optional-looking column": Case(_no_column("source_routes", "max_mt"), "source_routes.csv", 1, "max_mt", "column 'max_mt' is missing"),
    "extra column": Case(_extra_column, "supply.csv", 1, "comment", "unknown column 'comment'; expected only: year, source, export_supply_mt"),
    "repeated header column": Case(_repeated_header, "prices.csv", 1, None, "repeats column(s) year"),
    # ---------------- CSV: types and empty cells
    "text in a number column": Case(_line(None, 3, "2023,b,lots", "supply"), "supply.csv", 3, "export_supply_mt", "got 'lots'; expected a number in [0, 150] (Mt/yr)"),
    "decimal comma": Case(_line(None, 2, '2023,a,"36,5"', "supply"), "supply.csv", 2, "export_supply_mt", "got '36,5'; expected a number"),
    "fraction in an integer column": Case(_line(None, 2, "pipe,oil,Pipe,1.5,1,", "assets"), "assets.csv", 2, "units", "got '1.5'; expected a whole number in [1, 100] (count)"),
    "NaN cell": Case(_line(None, 2, "2023,a,NaN", "supply"), "supply.csv", 2, "export_supply_mt", "is empty; expected a number in [0, 150] (Mt/yr)"),
    "empty cell": Case(_line(None, 3, "2023,ship,,0", "asset_capacity"), "asset_capacity.csv", 3, "capacity_mt", "is empty; expected a number in [0, 200] (Mt/yr)"),
    "empty id": Case(_line(None, 3, ",Source B,7.5,", "sources"), "sources.csv", 3, "source", "is empty; expected an id"),
    "infinite value": Case(_line(None, 2, "2023,inf", "prices"), "prices.csv", 2, "brent_usd_per_bbl", "got 'inf'; expected a finite number"),
    # ---------------- CSV: ranges and unit slips
    "negative capacity": Case(_line(None, 2, "2023,pipe,-5,0", "asset_capacity"), "asset_capacity.csv", 2, "capacity_mt", "got '-5'; expected a number in [0, 200] (Mt/yr)"),
    "capacity in kb/d (unit slip)": Case(_line(None, 2, "2023,pipe,1500,0", "asset_capacity"), "asset_capacity.csv", 2, "capacity_mt", "1500 looks like kb/d (1500 kb/d is about 73.0 Mt/yr at 7.5 bbl/t)"),
    "supply in kt (unit slip)": Case(_line(None, 2, "2023,a,36500", "supply"), "supply.csv", 2, "export_supply_mt", "or kt/yr (36.5 Mt/yr)"),
    "Brent in $/t (unit slip)": Case(_line(None, 2, "2023,600", "prices"), "prices.csv", 2, "brent_usd_per_bbl", "600 looks like $/t (600 $/t is about 80.0 $/bbl"),
    "loss as a percentage (unit slip)": Case(_line(None, 2, "trans_caspian_cable,kz,az,hvdc_submarine,0,2023,400,0.0,2,0", "power_links"), "power_links.csv", 2, "converter_loss", "if 2 is a percentage, write 0.02"),
    "capacity factor above 1": Case(_cf_above_one, "power_profiles.csv", 2, "mangystau_wind", "got '1.2'; expected a number in [0, 1] (fraction)"),
    "absurd barrels per tonne": Case(_line(None, 2, "g,Grade,12,0,", "grades"), "grades.csv", 2, "bbl_per_t", "got '12'; expected a number in [6.5, 8.5] (bbl/t)"),
    "absurd year": Case(_line(None, 2, "1899,80", "prices"), "prices.csv", 2, "year", "got '1899'; expected a whole number in [2000, 2100]"),
    # ---------------- CSV: ids and references
    "unknown asset in arcs": Case(_line(None, 7, "dear_leg2,dear_1,dear,tube,10,", "arcs"), "arcs.csv", 7, "asset", "got 'tube'; expected an asset listed in assets.csv"),
    "arc from an outlet": Case(_line(None, 7, "dear_leg2,cheap,dear,link,10,", "arcs"), "arcs.csv", 7, "from_node", "from_node 'cheap' is a route (outlet): crude is sold there and goes no further"),
    "arc into a field": Case(_line(None, 7, "dear_leg2,dear_1,b,link,10,", "arcs"), "arcs.csv", 7, "to_node", "to_node 'b' is a source (field): arcs cannot flow into a field"),
    "arcs in a cycle": Case(_line(None, 7, "dear_leg2,dear_1,dear_in,link,10,", "arcs"), "arcs.csv", None, "to_node", "the arcs form a cycle"),
    "node id clashes with a route": Case(_line(None, 2, "cheap,hub,Cheap hub,", "nodes"), "nodes.csv", 2, "node", "node 'cheap' is already a route id"),
    "unknown route in source_routes": Case(_line(None, 5, "b,nowhere,0,", "source_routes"), "source_routes.csv", 5, "route", "got 'nowhere'; expected a route listed in routes.csv"),
    "unknown source in supply": Case(_line(None, 3, "2023,c,0", "supply"), "supply.csv", 3, "source", "got 'c'; expected a source listed in sources.csv"),
    "unknown grade in routes": Case(_line(None, 3, "dear,Dear,brent,", "routes"), "routes.csv", 3, "grade", "got 'brent'; expected a grade listed in grades.csv"),
    "id not snake_case": Case(_line(None, 2, "Tengiz Field,Tengiz,7.5,", "sources"), "sources.csv", 2, "source", "got 'Tengiz Field'; expected an id (lower-case letters, digits, _)"),
    "unknown block": Case(_line(None, 2, "pipe,gas,Pipe,1,1,", "assets"), "assets.csv", 2, "block", "got 'gas'; expected one of oil, power"),
    "power asset on an oil arc": Case(_power_asset_on_route, "arcs.csv", 10, "asset", "asset 'trans_caspian_cable' is a power asset; expected an oil asset or blank"),
    "route without arcs": Case(_lonely_route, "routes.csv", 5, "route", "route 'lonely' has no arc into it in arcs.csv"),
    # ---------------- CSV: keys and series
    "duplicated key (asset, year)": Case(_dup_asset_year, "asset_capacity.csv", 6, None, "duplicate key (asset=ship, year=2023); each (asset, year) may appear once"),
    "duplicated id": Case(_dup_single_key, "sources.csv", 4, None, "duplicate key (source=a)"),
    "years not consecutive": Case(_years_gap, "supply.csv", 4, "year", "years must be consecutive for source=a; missing 2024"),
    "max_active_units > units": Case(_units, "assets.csv", 3, "max_active_units", "max_active_units 3 exceeds units 2"),
    "third_party > capacity": Case(_line(None, 5, "2023,spur,50,60", "asset_capacity"), "asset_capacity.csv", 5, "third_party_mt", "third_party_mt 60 exceeds capacity_mt 50"),
    "supply short of the horizon": Case(_supply_short_of_horizon, "supply.csv", 3, "year", "source 'b' has no row for year(s) 2024"),
    # ---------------- CSV: whole files
    "missing file": Case(_missing_file, "prices.csv", None, None, "is missing from"),
    "empty file": Case(lambda f: (f / "sources.csv").write_bytes(b""), "sources.csv", 1, None, "is empty; expected a header row and data rows"),
    "header only": Case(_header_only, "grades.csv", 1, None, "has a header but no data rows"),
    "latin-1 encoding": Case(_latin1, "sources.csv", 3, None, "is not UTF-8 text (byte 0xe9); save it as CSV UTF-8"),
    "UTF-16 encoding": Case(_utf16, "supply.csv", 1, None, "is UTF-16 text"),
    "truncated last row": Case(_cut_last_row, "asset_capacity.csv", 5, "third_party_mt", "has 3 fields, the header has 4: no value for third_party_mt"),
    "truncated inside a quoted cell": Case(_cut_in_quote, "sources.csv", 3, None, "a quoted cell is never closed: is the file cut short?"),
    "truncated hourly profile": Case(_cut_profiles, "power_profiles.csv", 5001, "hour", "weather_year 1 has 5000 data rows, the last on line 5001; expected 8760"),
    # ---------------- scenarios.yaml
    "YAML syntax error": Case(_yaml_text(GOOD_BASE + "   power: 3\nscenarios:\n  case: {}\n"), "scenarios.yaml", 6, None, "is not valid YAML: expected <block end>, but found '<block mapping start>' (check the indentation"),
    "YAML tab indentation": Case(_yaml_text(GOOD_BASE + "scenarios:\n\tcase: {}\n"), "scenarios.yaml", 7, None, "(YAML indents with spaces, not tabs)"),
    "YAML repeated key": Case(_dup_yaml_key, "scenarios.yaml", 8, "base.events", "key 'events' repeats the one on line 6"),
    "YAML not UTF-8": Case(_yaml_latin1, "scenarios.yaml", 6, None, "is not UTF-8 text (byte 0xe9)"),
    "YAML empty": Case(_yaml_text(""), "scenarios.yaml", 1, None, "must be a mapping with keys base, overrides, scenarios"),
    "YAML unknown top-level key": Case(_unknown_top_key, "scenarios.yaml", 'scenarioz:', "scenarioz", "unknown top-level key; expected base, overrides, scenarios"),
    "YAML unknown setting": Case(_base({"horizn": {"start": "2023-01", "end": "2023-12"}}), "scenarios.yaml", 'horizn:', "base.horizn", "unknown setting"),
    "YAML wrong type": Case(_base({"shut_in_penalty_usd_per_t": "fifty"}), "scenarios.yaml", 'shut_in_penalty_usd_per_t:', "base.shut_in_penalty_usd_per_t", "Input should be a valid number"),
    "YAML list expected": Case(_base({"events": {"id": "x"}}), "scenarios.yaml", 'events:', "base.events", "Input should be a valid list"),
    "bad horizon month": Case(_base({"horizon": {"start": "2023-13", "end": "2023-12"}}), "scenarios.yaml", 'start: 2023-13', "base.horizon.start", "expected a month as YYYY-MM, got '2023-13'"),
    "horizon beyond 2030": Case(_base({"horizon": {"start": "2023-01", "end": "2031-12"}}), "scenarios.yaml", 'horizon:', "horizon", "must lie inside 2022-01..2030-12"),
    "remaining above 1": Case(_base({"events": [dict(EV, remaining=1.5)]}), "scenarios.yaml", 'remaining: 1.5', "base.events.0.remaining", "Input should be less than or equal to 1 (got 1.5)"),
    "remaining as a percentage": Case(_base({"events": [dict(EV, remaining=50)]}), "scenarios.yaml", 'remaining: 50', "remaining", "if 50 is a percentage, write 0.5"),
    "share above 1": Case(_base({"route_shares": [{"route": "cheap", "max_share": 1.5}]}), "scenarios.yaml", 'max_share: 1.5', "base.route_shares.0.max_share", "less than or equal to 1"),
    "negative commitment": Case(_base({"route_limits": [{"route": "cheap", "min_mt": -2}]}), "scenarios.yaml", 'min_mt: -2', "base.route_limits.0.min_mt", "greater than or equal to 0"),
    "commitment in kb/d (unit slip)": Case(_base({"route_limits": [{"route": "cheap", "min_mt": 300}]}), "scenarios.yaml", 'min_mt: 300', "min_mt", "300 looks like kb/d"),
    "min above max": Case(_base({"route_limits": [{"route": "cheap", "min_mt": 5, "max_mt": 3}]}), "scenarios.yaml", '- route: cheap', "route_limits[0]", "min_mt 5 exceeds max_mt 3"),
    "limits contradict across entries": Case(_base({"route_limits": [{"route": "cheap", "max_mt": 3}, {"route": "cheap", "min_mt": 5}]}), "scenarios.yaml", "- route: cheap #2", "route_limits[1]", "requires at least 5 Mt/yr on route 'cheap' in 2023, but route_limits[0] (scenarios.yaml, line 12) allows at most 3 Mt/yr there"),
    "route_limits on unknown route": Case(_base({"route_limits": [{"route": "nowhere", "min_mt": 1}]}), "scenarios.yaml", '- route: nowhere', "route_limits[0].route", "unknown route 'nowhere'; known: cheap, dear, spare"),
    "route_limits year outside horizon": Case(_base({"route_limits": [{"route": "cheap", "years": 2027, "max_mt": 3}]}), "scenarios.yaml", '- route: cheap', "route_limits[0].years", "year(s) 2027 outside the horizon"),
    "event outside the horizon": Case(_base({"events": [dict(EV, id="late", start="2024-01-05", end="2024-01-09")]}), "scenarios.yaml", '- id: late', "events[0] (late)", "window 2024-01-05..2024-01-09 is outside the horizon 2023-01-01..2023-12-31"),
    "event ends before it starts": Case(_base({"events": [dict(EV, start="2023-03-10", end="2023-03-01")]}), "scenarios.yaml", '- id: x', "events[0] (x)", "starts (2023-03-10) after it ends (2023-03-01)"),
    "event on unknown target": Case(_base({"events": [dict(EV, target="volcano")]}), "scenarios.yaml", '- id: x', "events[0] (x).target", "unknown target 'volcano'; expected an asset, route or source id"),
    "duplicated event id": Case(_base({"events": [EV, dict(EV, start="2023-05-01", end="2023-05-02")]}), "scenarios.yaml", "start: '2023-05-01'", "events[1] (x)", "event id 'x' is used twice"),
    "one outage entered twice, contradicting": Case(_two_same_events, "scenarios.yaml", '- id: spm-out-again', "events[1] (spm-out-again)", "cuts 'pipe' over the same window 2023-02-01..2023-02-03 as events[0] (spm-out), with remaining 0.6667 here and 0.3333 there"),
    "set edit out of range": Case(_set_out_of_range, "asset_capacity.csv as edited by scenarios.yaml set[0]", 2, "capacity_mt", "1500 looks like kb/d"),
    "set edit on unknown table": Case(_base({"set": [{"table": "pipelines", "values": {"capacity_mt": 1}}]}), "scenarios.yaml", '- table: pipelines', "set[0].table", "unknown table 'pipelines'"),
    "unknown override in a scenario": Case(_unknown_override, "scenarios.yaml", '- no-such-override', "scenarios.case.overrides", "unknown override 'no-such-override'"),
    "override listed twice": Case(_override_twice, "scenarios.yaml", '- cut', "scenarios.case.overrides", "override 'cut' is listed twice"),
    "shipped scenario cannot extend (no cycles)": Case(_scenario_extends, "scenarios.yaml", 'extends: case', "scenarios.case.extends", "unknown key; a scenario has description and overrides"),
    # ---------------- a user scenario file (run only)
    "unknown scenario name": Case(lambda f: "no_such_case", "no_such_case", None, None, "is neither a shipped scenario (case) nor an existing .yaml file", run_only=True),
    "user file: YAML syntax error": Case(_user("name: mine\nextends: case\nevents:\n  - {id: x, target: pipe\n"), "mine.yaml", 5, None, "is not valid YAML", run_only=True),
    "user file: cut inside a mapping": Case(_user("name: mine\nevents:\n  - {id: x, target: pipe, start: 2023-02-01, end: 2023-02-03, remai"), "mine.yaml", 3, None, "is it cut short, or a bracket not closed?", run_only=True),
    "user file: unknown key": Case(_user({"name": "mine", "extends": "case", "event": []}), "mine.yaml", 3, "event", "unknown setting", run_only=True),
    "user file: wrong type": Case(_user({"name": "mine", "events": [dict(EV, ramp_days="a week")]}), "mine.yaml", 8, "events.0.ramp_days", "Input should be a valid integer", run_only=True),
    "user file: extends itself (cycle)": Case(_user({"name": "mine", "extends": "mine"}), "mine.yaml", 2, "extends", "extends unknown scenario 'mine'; known: case", run_only=True),
    "user file: unknown override": Case(_user({"name": "mine", "overrides": ["nope"]}), "mine.yaml", 3, "overrides", "unknown override 'nope'", run_only=True),
    "override applied twice via --override": Case(_user_with_override_twice, "mine.yaml", 3, "overrides", "override 'cut' is applied 2 times", run_only=True, run_args=("--override", "cut")),
}


def check_message(text: str, file: str, line: int | None, field: str | None, expect: str) -> None:
    """One problem line names the file, the line, the field and says what was expected."""
    assert "Traceback" not in text
    flat = text.replace("\n", " ")  # rich may wrap a long problem over lines
    problems = [p for p in flat.split("  - ")[1:] if p.startswith(file)] or [flat]
    for p in problems:
        if (
            (line is None or re.search(rf"\bline {line}\b", p))
            and (field is None or f"'{field}'" in p or f"column '{field}" in p or field in p)
            and " ".join(expect.split()) in " ".join(p.split())
        ):
            return
    raise AssertionError(f"no problem names {file}, line {line}, {field!r} and says {expect!r}:\n{text}")


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_reported_and_nothing_is_written(make_inputs, tmp_path, case, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")
    c = CASES[case]
    folder = make_inputs(name="in")
    scenario = c.breaks(folder) or "case"
    line = where(c, folder)
    if not c.run_only:
        res = invoke("validate", folder)
        assert res.exit_code == 2, res.output
        assert res.stdout == ""
        check_message(res.stderr, c.file, line, c.column, c.expect)

    out = tmp_path / "runs" / "out"
    res = invoke("run", scenario, "--inputs", folder, "--out", out, *c.run_args)
    assert res.exit_code == 2, res.output
    check_message(res.stderr, c.file, line, c.column, c.expect)
    assert not out.exists()
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


def test_the_corpus_has_forty_distinct_cases():
    assert len(CASES) >= 40
    # distinct: no two cases expect the same message about the same place
    assert len({(c.file, c.line, c.column, c.expect) for c in CASES.values()}) == len(CASES)


def test_every_problem_in_every_file_is_reported_at_once(make_inputs):
    folder = make_inputs()
    replace_line(folder / "asset_capacity.csv", 2, "2023,pipe,-5,0")
    replace_line(folder / "supply.csv", 3, "2023,b,lots")
    _units(folder)
    _edit_base(folder, {"horizn": {"start": "2023-01", "end": "2023-12"}})
    res = invoke("validate", folder)
    assert res.exit_code == 2
    assert "4 problems in the inputs" in res.stderr
    check_message(res.stderr, "asset_capacity.csv", 2, "capacity_mt", "got '-5'")
    check_message(res.stderr, "supply.csv", 3, "export_supply_mt", "got 'lots'")
    check_message(res.stderr, "assets.csv", 3, "max_active_units", "exceeds units 2")
    check_message(res.stderr, "scenarios.yaml", yaml_line(folder / "scenarios.yaml", "horizn:"), "base.horizn", "unknown setting")


def test_every_scenario_problem_is_reported_at_once(make_inputs):
    """Problems found against the tables (ids, windows, limits) across several settings, in one run."""
    folder = make_inputs()
    _edit_base(
        folder,
        {
            "route_limits": [{"route": "nowhere", "min_mt": 1}, {"route": "cheap", "min_mt": 5, "max_mt": 3}],
            "events": [dict(EV, target="volcano"), dict(EV, id="late", start="2024-01-05", end="2024-01-09")],
        },
    )
    res = invoke("validate", folder)
    assert res.exit_code == 2
    assert "4 problems in the inputs" in res.stderr
    for field, expect in [("route_limits[0].route", "unknown route"), ("route_limits[1]", "exceeds max_mt"), ("events[0] (x).target", "unknown target"), ("events[1] (late)", "outside the horizon")]:
        check_message(res.stderr, "scenarios.yaml", None, field, expect)


def test_bad_input_through_the_console_script_has_no_traceback(make_inputs, tmp_path):
    import subprocess

    from conftest import CLI

    folder = make_inputs()
    replace_line(folder / "arcs.csv", 7, "dear_leg2,dear_1,dear,tube,10,")
    out = tmp_path / "o"
    proc = subprocess.run([str(CLI), "run", "case", "--inputs", str(folder), "--out", str(out)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stdout + proc.stderr
    check_message(proc.stderr, "arcs.csv", 7, "asset", "got 'tube'")
    assert not out.exists()


# --------------------------------------------------------------------------- accepted variants


def _rewrite_all(folder: Path, transform) -> None:
    for path in folder.glob("*.csv"):
        path.write_bytes(transform(path.read_bytes()))


@pytest.mark.parametrize(
    "variant",
    [
        "bom",
        "crlf",
        "trailing blank lines",
        "spaces around cells",
        "rows of empty cells",
        "quoted cells",
        "no final newline",
        "all at once",
    ],
)
def test_spreadsheet_style_files_load(make_inputs, tmp_path, variant):
    from energy_routes.api import run_scenario

    folder = make_inputs()

    def bom(b: bytes) -> bytes:
        return b"\xef\xbb\xbf" + b

    def crlf(b: bytes) -> bytes:
        return b.replace(b"\n", b"\r\n")

    def blank(b: bytes) -> bytes:
        return b + b"\n\n\n"

    def spaces(b: bytes) -> bytes:
        return b"\n".join(b" , ".join(c.strip() for c in ln.split(b",")) if ln else ln for ln in b.split(b"\n"))

    def empty_rows(b: bytes) -> bytes:  # Excel keeps rows whose cells were cleared, as bare commas
        return b + b",,,\n,,,,,\n"

    def quoted(b: bytes) -> bytes:  # Excel quotes text cells that hold commas or quotes
        return b.replace(b"Source A", b'"Source A, the big one"').replace(b"Grade", b'"Grade ""G"""')

    def no_final_newline(b: bytes) -> bytes:
        return b.rstrip(b"\n")

    steps = {
        "bom": [bom],
        "crlf": [crlf],
        "trailing blank lines": [blank],
        "spaces around cells": [spaces],
        "rows of empty cells": [empty_rows],
        "quoted cells": [quoted],
        "no final newline": [no_final_newline],
        "all at once": [quoted, empty_rows, blank, crlf, bom],  # spaces around cells: tested alone (Excel writes none)
    }[variant]
    for step in steps:
        _rewrite_all(folder, step)
    if variant in ("bom", "crlf", "all at once"):
        y = folder / "scenarios.yaml"
        y.write_bytes((b"\xef\xbb\xbf" if variant != "crlf" else b"") + y.read_bytes().replace(b"\n", b"\r\n"))
    res = invoke("validate", folder)
    assert res.exit_code == 0, res.output
    if variant in ("quoted cells", "all at once"):
        from energy_routes.load import load_inputs

        inputs = load_inputs(folder)
        assert inputs["sources"].set_index("source").at["a", "name"] == "Source A, the big one"
        assert inputs["grades"].set_index("grade").at["g", "name"] == 'Grade "G"'
    # and the model is the same: the base case by hand, 17075 M$
    assert run_scenario(folder, "case", power=False).objective_musd == pytest.approx(17075, rel=1e-9)


def test_unreadable_table_does_not_cascade_into_false_reference_errors(make_inputs):
    """Regression: other tables' references to an unreadable sources.csv used to be reported as unknown ids."""
    folder = make_inputs()
    _latin1(folder)
    res = invoke("validate", folder)
    assert res.exit_code == 2
    assert "1 problem in the inputs" in res.stderr, res.stderr
