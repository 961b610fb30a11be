"""Writing scenarios: event lengths in weeks or days, windows clipped at the horizon, narrowing a
multi-year scenario to one year, unknown targets listing the valid ids, scenarios as dicts.

The builder network (builders.py) has routes cheap/dear/spare, assets pipe/ship/link/spur and
sources a/b; ``two_year_tables`` repeats its 2023 numbers for 2024.
"""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from builders import two_year_tables, write_inputs
from energy_routes.errors import InputError
from energy_routes.load import load_inputs
from energy_routes.scenario import resolve
from energy_routes.scenario.settings import Event


def test_event_length_in_weeks_or_days_becomes_an_end_date():
    # 6 weeks = 42 days from 1 March 2027: the last day is 1 March + 41 days = 11 April
    assert Event(id="x", target="t", start="2027-03-01", weeks=6, remaining=0).end == dt.date(2027, 4, 11)
    # 10 days from 28 Feb 2027 (not a leap year): 28 Feb .. 9 Mar
    assert Event(id="x", target="t", start="2027-02-28", days=10, remaining=0).end == dt.date(2027, 3, 9)
    with pytest.raises(ValueError, match="exactly one of end"):
        Event(id="x", target="t", start="2027-03-01", end="2027-03-05", days=3, remaining=0)
    with pytest.raises(ValueError, match="exactly one of end"):
        Event(id="x", target="t", start="2027-03-01", remaining=0)


def _two_year_case(tmp_path, overrides: dict, scenarios: dict | None = None):
    folder = write_inputs(tmp_path / "in", two_year_tables(), {"horizon": {"start": "2023-01", "end": "2024-12"}})
    doc = yaml.safe_load((folder / "scenarios.yaml").read_text())
    doc["overrides"] = overrides
    doc["scenarios"].update(scenarios or {})
    (folder / "scenarios.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    return folder


def test_event_past_the_horizon_end_is_clipped_with_a_note(tmp_path):
    folder = write_inputs(tmp_path / "in")
    inputs = load_inputs(folder)
    sc = resolve(inputs, {"extends": "case", "events": [{"id": "late", "target": "pipe", "start": "2023-12-20", "weeks": 4, "remaining": 0}]})
    ev = sc.settings.events[0]
    assert (ev.start, ev.end) == (dt.date(2023, 12, 20), dt.date(2023, 12, 31))  # 20 Dec + 27 days = 16 Jan, clipped to 31 Dec
    assert any("late" in n and "clipped to the horizon, 2023-12-20..2023-12-31" in n for n in sc.notes), sc.notes


def test_narrowing_a_multi_year_scenario_clips_its_limits_and_events(tmp_path):
    folder = _two_year_case(
        tmp_path,
        {
            "two-years": {
                "route_limits": [{"route": "dear", "years": "2023..2024", "min_mt": 1.0}, {"route": "spare", "years": 2023, "max_mt": 2.0}],
                "events": [{"id": "old", "target": "pipe", "start": "2023-03-01", "end": "2023-03-05", "remaining": 0}],
            }
        },
        {"multi": {"description": "two years", "overrides": ["two-years"]}},
    )
    inputs = load_inputs(folder)
    sc = resolve(inputs, {"name": "narrow", "extends": "multi", "horizon": {"start": "2024-01", "end": "2024-12"}})
    assert sc.years == [2024]
    assert sc.limits[("dear", 2024)].low == 1.0  # the part inside the horizon still holds
    assert ("spare", 2024) not in sc.limits
    assert sc.settings.events == []  # the 2023 event is left out
    text = "\n".join(sc.notes)
    assert "route_limits[0] on 'dear' from override 'two-years' (scenarios.yaml, line" in text and "covers 2023, outside the horizon 2024-01..2024-12: it applies to 2024 only here" in text
    assert "route_limits[1] on 'spare'" in text and "has no effect here" in text
    assert "events[0] (old)" in text and "left out" in text


def test_years_outside_the_horizon_of_the_same_piece_are_still_an_error(tmp_path):
    folder = write_inputs(tmp_path / "in")
    inputs = load_inputs(folder)
    with pytest.raises(InputError) as exc:
        resolve(inputs, {"extends": "case", "route_limits": [{"route": "cheap", "years": 2027, "max_mt": 3}]})
    assert "year(s) 2027 outside the horizon" in str(exc.value)


def test_unknown_event_target_lists_the_valid_ids(tmp_path):
    folder = write_inputs(tmp_path / "in")
    inputs = load_inputs(folder)
    with pytest.raises(InputError) as exc:
        resolve(inputs, {"extends": "case", "events": [{"id": "x", "target": "volcano", "start": "2023-03-01", "days": 3, "remaining": 0}]})
    msg = str(exc.value)
    assert "unknown target 'volcano'" in msg
    assert "assets: pipe, ship, link, spur, trans_caspian_cable; routes: cheap, dear, spare; sources: a, b" in msg


def test_a_scenario_from_a_dict_names_its_added_pieces(tmp_path):
    folder = write_inputs(tmp_path / "in")
    inputs = load_inputs(folder)
    sc = resolve(inputs, "case", extra_pieces=[("event pipe-out", {"events": [{"id": "pipe-out", "target": "pipe", "start": "2023-03-01", "weeks": 2, "remaining": 0}]})])
    assert sc.label == "case + event pipe-out"
    assert sc.settings.events[0].end == dt.date(2023, 3, 14)
    assert sc.resolved["events"][0]["end"] == "2023-03-14" and "weeks" not in sc.resolved["events"][0]
