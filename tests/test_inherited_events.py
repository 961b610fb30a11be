"""Inherited events are visible (issue 12, part 5).

``run`` lists every event a scenario carries, including those inherited
through ``extends``/``overrides``, with the file, line and piece each is
written in, and warns when stacked events take an asset below what the
user's own file asked for. Expected lines are found by reading
``scenarios.yaml`` as text (not through the program's line tracking), and
expected remaining fractions by hand: events add their losses, so two
"one mooring out" events (remaining 2/3 each) leave 1 − (1/3 + 1/3) = 1/3,
one of the CPC terminal's three units.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from conftest import REPO
from energy_routes.cli import main
from energy_routes.load import load_inputs
from energy_routes.scenario import resolve

SHIPPED_EVENT = "cpc_one_spm_out_2024_03"  # in override cpc-one-spm-out-mar-2024, used by scenario cpc-spm-loss


@pytest.fixture(scope="module")
def inputs():
    return load_inputs(REPO / "inputs")


def _line_of(text: str, needle: str) -> int:
    """1-based line of the first line of ``text`` containing ``needle`` (read independently of the program)."""
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


def _write(tmp_path: Path, doc: dict, name: str = "mine.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def _own_event(start: str, end: str, remaining: float = 0.6667, target: str = "cpc_terminal") -> dict:
    return {"id": "my_spm_out", "target": target, "start": start, "end": end, "remaining": remaining}


def test_stacked_events_below_the_users_own_request_are_warned(inputs, tmp_path):
    path = _write(tmp_path, {"name": "mine", "extends": "cpc-spm-loss", "events": [_own_event("2024-03-10", "2024-03-20")]})
    sc = resolve(inputs, path)
    stack = [n for n in sc.notes if n.startswith("events stack on 'cpc_terminal'")]
    assert len(stack) == 1, sc.notes
    note = stack[0]
    yaml_line = _line_of((REPO / "inputs" / "scenarios.yaml").read_text(encoding="utf-8"), f"id: {SHIPPED_EVENT}")
    own_line = _line_of(path.read_text(encoding="utf-8"), "my_spm_out")
    # 1 - (1 - 0.6667) - (1 - 0.6667) = 0.3334: one of three units
    assert "keeps 33% (1 of 3 units)" in note
    assert "asked for 67% (2 of 3 units)" in note
    assert f"'{SHIPPED_EVENT}' (override 'cpc-one-spm-out-mar-2024', scenarios.yaml, line {yaml_line})" in note
    assert f"'my_spm_out' (mine.yaml, line {own_line})" in note
    assert "on 2024-03-10" in note  # the first day of the user's window, where the stacking starts


@pytest.mark.parametrize(
    "event, why",
    [
        (_own_event("2024-04-01", "2024-04-10"), "windows do not overlap (the inherited event ends 31 March)"),
        (_own_event("2024-03-10", "2024-03-20", target="btc_pipeline"), "another target"),
    ],
)
def test_no_warning_without_stacking(inputs, tmp_path, event, why):
    path = _write(tmp_path, {"name": "mine", "extends": "cpc-spm-loss", "events": [event]})
    sc = resolve(inputs, path)
    assert not [n for n in sc.notes if n.startswith("events stack")], why


def test_shipped_scenarios_alone_are_not_warned(inputs):
    """Only the user's own pieces are compared: the library's events are what the library asked for."""
    for name in ("cpc-outage-2022", "cpc-spm-loss", "hist-2025"):
        assert not [n for n in resolve(inputs, name).notes if n.startswith("events stack")], name


def test_a_ramp_of_an_inherited_event_counts(inputs, tmp_path):
    """cpc-spm-cracks-2022 ends 25 Oct with a 14-day ramp from 1/3 back to 1: on 26 Oct its loss is
    (1 − 1/3) × (1 − 1/15) = 0.6222; with an own 1/3 loss that day the terminal keeps 1 − 0.6222 − 0.3333 = 0.0444."""
    path = _write(tmp_path, {"name": "mine", "extends": "cpc-outage-2022", "events": [_own_event("2022-10-26", "2022-10-26")]})
    note = next(n for n in resolve(inputs, path).notes if n.startswith("events stack"))
    assert "keeps 4% (0.133 of 3 units)" in note
    assert "cpc_spm_cracks_2022" in note


def test_run_lists_every_event_with_its_origin(tmp_path):
    """The terminal output of ``run`` names the inherited event and the own one, each with file and line."""
    path = _write(tmp_path, {"name": "mine", "extends": "cpc-spm-loss", "events": [_own_event("2024-03-10", "2024-03-20")]})
    res = CliRunner().invoke(main, ["run", str(path), "--inputs", str(REPO / "inputs"), "--no-power", "--no-report", "--out", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    out = " ".join(res.output.split())  # rich wraps at 80 columns
    yaml_line = _line_of((REPO / "inputs" / "scenarios.yaml").read_text(encoding="utf-8"), f"id: {SHIPPED_EVENT}")
    assert "disruption events (2), inherited ones included:" in out
    assert f"{SHIPPED_EVENT}: cpc_terminal keeps 67% 2024-03-01..2024-03-31; from override 'cpc-one-spm-out-mar-2024' (scenarios.yaml, line {yaml_line})" in out
    assert "my_spm_out: cpc_terminal keeps 67% 2024-03-10..2024-03-20; from mine.yaml" in out
    assert "events stack on 'cpc_terminal'" in out
