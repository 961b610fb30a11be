"""Which route limits hold when scenario pieces disagree (docs/data.md, "Limits from several pieces").

Hand case (tests/builders.py): 100 kt/day of supply from source a; routes
``cheap`` 590 $/t (pipe, 20 Mt/yr), ``dear`` 560 $/t and ``spare`` 530 $/t,
both over the shared ``ship`` (10 Mt/yr). Unconstrained: cheap 20, dear 10,
spare 0. A cap of M Mt/yr on ``dear`` moves 10 − M to ``spare``.
"""

from __future__ import annotations

import yaml
from pytest import approx

from builders import BASE_SCENARIO, write_inputs


def _folder(tmp_path, overrides: dict, chain: list[str]):
    folder = write_inputs(tmp_path / "in")
    doc = {"base": BASE_SCENARIO["base"], "overrides": overrides, "scenarios": {"case": {"description": "case", "overrides": chain}}}
    (folder / "scenarios.yaml").write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return folder


def _dear_mt(folder, extra=()):
    from energy_routes.api import run_scenario

    res = run_scenario(folder, "case", extra, power=False)
    a = res.tables["allocation_annual"].set_index("route")["volume_mt"]
    return float(a["dear"]), float(a["spare"]), res.scenario.notes


def test_a_later_override_replaces_an_earlier_cap(tmp_path):
    folder = _folder(
        tmp_path,
        {"cap1": {"route_limits": [{"route": "dear", "max_mt": 1}]}, "cap5": {"route_limits": [{"route": "dear", "max_mt": 5}]}},
        ["cap1"],
    )
    dear, spare, notes = _dear_mt(folder)
    assert (dear, spare) == (approx(1.0), approx(9.0))  # cap 1: 10 - 1 = 9 Mt move to spare
    dear, spare, notes = _dear_mt(folder, ("cap5",))
    # the later piece wins: cap 5, so dear 5 and spare 10 - 5 = 5 (intersection would have kept 1)
    assert (dear, spare) == (approx(5.0), approx(5.0))
    assert len(notes) == 1 and "route_limits[0]" in notes[0] and "has no effect in 2023" in notes[0] and "--override 'cap5'" in notes[0]


def test_entries_of_one_piece_intersect_and_the_masked_one_is_named(tmp_path):
    folder = _folder(
        tmp_path,
        {"both": {"route_limits": [{"route": "dear", "max_mt": 5}, {"route": "dear", "max_mt": 2}]}},
        ["both"],
    )
    dear, spare, notes = _dear_mt(folder)
    assert (dear, spare) == (approx(2.0), approx(8.0))  # the smaller maximum of one piece holds
    assert len(notes) == 1 and "maximum 5 is masked in 2023 by the smaller maximum 2" in notes[0]


def test_a_later_minimum_drops_an_earlier_maximum_of_the_same_year(tmp_path):
    # cap1 (max 1) then a later commitment of at least 7: the later piece replaces the whole entry
    folder = _folder(
        tmp_path,
        {"cap1": {"route_limits": [{"route": "dear", "max_mt": 1}]}, "commit7": {"route_limits": [{"route": "dear", "min_mt": 7}]}},
        ["cap1", "commit7"],
    )
    dear, spare, _ = _dear_mt(folder)
    assert (dear, spare) == (approx(10.0), approx(0.0))  # no cap left: dear takes the whole ship


def test_the_btc_lever_lifts_the_outlooks_cap(shipped_inputs, tmp_path):
    """`--override outlook-btc-7mt-2027` on the outlook: BTC above the 2.2 Mt/yr cap in a 2027 CPC outage."""
    from energy_routes.api import run_scenario

    case = tmp_path / "outage.yaml"
    case.write_text(
        yaml.safe_dump(
            {
                "name": "outage-2027",
                "extends": "outlook-2023-2030",
                "events": [{"id": "two_spms", "target": "cpc_terminal", "start": "2027-03-01", "end": "2027-05-31", "remaining": 0.3333}],
            }
        ),
        encoding="utf-8",
    )
    without = run_scenario(shipped_inputs, case, power=False)
    lever = run_scenario(shipped_inputs, case, ("outlook-btc-7mt-2027",), power=False)

    def btc(res, year):
        a = res.tables["allocation_annual"]
        return float(a.loc[(a.route == "btc") & (a.year == year), "volume_mt"].iloc[0])

    assert btc(without, 2027) <= 2.2 + 1e-6
    # the lever moves real volume onto BTC in the outage year; since issue 12 its 7 Mt/yr cap is also a
    # monthly schedule (7000 × days/365 kt a month), so the year's quota cannot all move into the three outage
    # months, and since shipper allocations are monthly the other fields can no longer front-load their 0.5 Mt/yr
    # on BTC into quiet months (2027 BTC 2.45 -> 2.36 Mt). In the outage months crude is in surplus, so BTC is
    # at least at its schedule: March 7000 × 31/365 = 594.5 kt, April × 30/365 = 575.3, May 594.5 (against the
    # 2.2 cap's 186.8, 180.8, 186.8 without the lever)
    assert btc(lever, 2027) > 2.2
    f = lever.tables["flows_monthly"]
    for month, days in (("2027-03", 31), ("2027-04", 30), ("2027-05", 31)):
        assert f.loc[(f.route == "btc") & (f.period == month), "volume_kt"].sum() >= 7000 * days / 365 - 1e-6
    assert btc(lever, 2024) == approx(btc(without, 2024), abs=1e-6)  # and leaves 2024's cap alone
    assert any("replaces it there" in n for n in lever.scenario.notes)
