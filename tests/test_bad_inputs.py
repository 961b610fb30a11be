"""Bad inputs: exit code 2, a message naming file, line and field, no traceback, nothing written.
Accepted inputs: UTF-8 BOM, CRLF line endings, trailing blank lines, spaces around cells.

Line numbers are those of the files the builder writes: the header is line 1
and rows follow in the order of tests/builders.py (e.g. asset_capacity.csv:
pipe 2, ship 3, link 4, spur 5; assets.csv: pipe 2 … cable 6; supply.csv: a 2, b 3).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from builders import base_tables, set_rows, write_table
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


# each case: (id, how to break the folder, file, line or None, field or None)
def _missing_column(f: Path):
    t = base_tables()
    write_table(f, "asset_capacity", [{k: v for k, v in r.items() if k != "capacity_mt"} for r in t["asset_capacity"]])
    return "asset_capacity.csv", 1, "capacity_mt"


def _negative_capacity(f: Path):
    replace_line(f / "asset_capacity.csv", 2, "2023,pipe,-5,0")
    return "asset_capacity.csv", 2, "capacity_mt"


def _non_numeric(f: Path):
    replace_line(f / "supply.csv", 3, "2023,b,lots")
    return "supply.csv", 3, "export_supply_mt"


def _duplicated_key(f: Path):
    t = base_tables()
    write_table(f, "asset_capacity", t["asset_capacity"] + [dict(t["asset_capacity"][1])])
    return "asset_capacity.csv", 6, "asset"  # the duplicate ship row is line 6 (the key names asset and year)


def _unknown_route_in_limits(f: Path):
    _edit_base(f, {"route_limits": [{"route": "nowhere", "min_mt": 1}]})
    return "scenarios.yaml", yaml_line(f / "scenarios.yaml", "route: nowhere"), "route_limits[0].route"


def _event_outside_horizon(f: Path):
    _edit_base(f, {"events": [{"id": "late", "target": "pipe", "start": "2024-01-05", "end": "2024-01-09", "remaining": 0.0}]})
    return "scenarios.yaml", yaml_line(f / "scenarios.yaml", "id: late"), "events[0]"


def _malformed_yaml(f: Path):
    (f / "scenarios.yaml").write_text(
        "base:\n  description: x\n  horizon: {start: 2023-01, end: 2023-12}\n  shut_in_penalty_usd_per_t: 50\n   power: 3\nscenarios:\n  case: {}\n",
        encoding="utf-8",
    )
    return "scenarios.yaml", 5, None


def _unknown_id_reference(f: Path):
    replace_line(f / "route_legs.csv", 4, "dear,2,tube,10")
    return "route_legs.csv", 4, "asset"


def _empty_file(f: Path):
    (f / "sources.csv").write_bytes(b"")
    return "sources.csv", None, None


def _wrong_encoding(f: Path):
    text = (f / "sources.csv").read_text(encoding="utf-8").replace("Source B", "Société B")
    (f / "sources.csv").write_bytes(text.encode("latin-1"))
    return "sources.csv", 3, None


def _truncated_row(f: Path):
    replace_line(f / "asset_capacity.csv", 4, "2023,link,50")
    return "asset_capacity.csv", 4, None


def _years_not_consecutive(f: Path):
    t = base_tables()
    write_table(f, "supply", t["supply"] + [{"year": 2025, "source": "a", "export_supply_mt": 1}, {"year": 2025, "source": "b", "export_supply_mt": 1}])
    return "supply.csv", None, "year"


def _max_active_above_units(f: Path):
    t = base_tables()
    set_rows(t["assets"], {"asset": "ship"}, units=2, max_active_units=3)
    write_table(f, "assets", t["assets"])
    return "assets.csv", 3, "max_active_units"


def _third_party_above_capacity(f: Path):
    replace_line(f / "asset_capacity.csv", 5, "2023,spur,50,60")
    return "asset_capacity.csv", 5, "third_party_mt"


def _unknown_event_target(f: Path):
    _edit_base(f, {"events": [{"id": "x", "target": "volcano", "start": "2023-02-01", "end": "2023-02-03", "remaining": 0.5}]})
    return "scenarios.yaml", yaml_line(f / "scenarios.yaml", "id: x"), "target"


def _remaining_above_one(f: Path):
    _edit_base(f, {"events": [{"id": "x", "target": "pipe", "start": "2023-02-01", "end": "2023-02-03", "remaining": 1.5}]})
    return "scenarios.yaml", yaml_line(f / "scenarios.yaml", "remaining: 1.5"), "remaining"


def _bad_grade_range(f: Path):
    replace_line(f / "grades.csv", 2, "g,Grade,12,0,")
    return "grades.csv", 2, "bbl_per_t"


def _edit_base(f: Path, extra: dict) -> None:
    path = f / "scenarios.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["base"].update(extra)
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")


CASES = {
    "missing column": _missing_column,
    "negative capacity": _negative_capacity,
    "non-numeric value": _non_numeric,
    "duplicated key": _duplicated_key,
    "unknown route in route_limits": _unknown_route_in_limits,
    "event outside the horizon": _event_outside_horizon,
    "malformed yaml": _malformed_yaml,
    "unknown id reference": _unknown_id_reference,
    "empty file": _empty_file,
    "wrong encoding": _wrong_encoding,
    "truncated row": _truncated_row,
    "years not consecutive": _years_not_consecutive,
    "max_active_units > units": _max_active_above_units,
    "third_party > capacity": _third_party_above_capacity,
    "unknown event target": _unknown_event_target,
    "remaining above 1": _remaining_above_one,
    "bbl_per_t out of range": _bad_grade_range,
}


def check_message(text: str, file: str, line: int | None, field: str | None) -> None:
    assert "Traceback" not in text
    assert file in text, text
    problems = [ln for ln in text.splitlines() if file in ln]
    if line is not None:
        assert any(re.search(rf"\bline {line}\b", ln) for ln in problems), text
    if field is not None:
        assert any(field in ln for ln in problems), text


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_reported_and_nothing_is_written(make_inputs, tmp_path, case):
    folder = make_inputs(name="in")
    file, line, field = CASES[case](folder)
    res = invoke("validate", folder)
    assert res.exit_code == 2, res.output
    check_message(res.stderr + res.stdout, file, line, field)

    out = tmp_path / "runs" / "out"
    res = invoke("run", "case", "--inputs", folder, "--out", out)
    assert res.exit_code == 2, res.output
    check_message(res.stderr + res.stdout, file, line, field)
    assert not out.exists()
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


def test_every_problem_is_reported_at_once(make_inputs):
    folder = make_inputs()
    _negative_capacity(folder)
    _non_numeric(folder)
    _max_active_above_units(folder)
    res = invoke("validate", folder)
    assert res.exit_code == 2
    assert "3 problems" in res.stderr
    check_message(res.stderr, "asset_capacity.csv", 2, "capacity_mt")
    check_message(res.stderr, "supply.csv", 3, "export_supply_mt")
    check_message(res.stderr, "assets.csv", 3, "max_active_units")


def test_bad_input_through_the_console_script_has_no_traceback(make_inputs, tmp_path):
    import subprocess

    from conftest import CLI

    folder = make_inputs()
    _unknown_id_reference(folder)
    out = tmp_path / "o"
    proc = subprocess.run([str(CLI), "run", "case", "--inputs", str(folder), "--out", str(out)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stdout + proc.stderr
    check_message(proc.stderr, "route_legs.csv", 4, "asset")
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

    steps = {"bom": [bom], "crlf": [crlf], "trailing blank lines": [blank], "spaces around cells": [spaces], "all at once": [spaces, blank, crlf, bom]}[variant]
    for step in steps:
        _rewrite_all(folder, step)
    if variant in ("bom", "crlf", "all at once"):
        y = folder / "scenarios.yaml"
        y.write_bytes((b"\xef\xbb\xbf" if variant != "crlf" else b"") + y.read_bytes().replace(b"\n", b"\r\n"))
    res = invoke("validate", folder)
    assert res.exit_code == 0, res.output
    # and the model is the same: the base case by hand, 17075 M$
    assert run_scenario(folder, "case", power=False).oil.objective == pytest.approx(17075, rel=1e-9)


def test_unreadable_table_does_not_cascade_into_false_reference_errors(make_inputs):
    """Regression: other tables' references to an unreadable sources.csv used to be reported as unknown ids."""
    folder = make_inputs()
    _wrong_encoding(folder)
    res = invoke("validate", folder)
    assert res.exit_code == 2
    assert "1 problem in the inputs" in res.stderr, res.stderr
