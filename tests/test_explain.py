"""Binding constraints in words: the sentence, the input row and the value of one more tonne, worked out by hand.

The builder network (builders.py): source ``a`` supplies 36.5 Mt/yr (100 kt/day); every route sells
at 600 $/t; ``cheap`` pays 10 $/t of tariffs over ``pipe`` (20 Mt/yr), ``dear`` 40 $/t over ``ship``
(10 Mt/yr) and ``link``, ``spare`` 70 $/t over ``ship`` and ``spur``; shut-in costs 50 $/t. So the
netbacks are 590, 560 and 530 $/t, pipe and ship are full, 6.5 Mt is shut in, and one more tonne of
pipe is worth 590 + 50 = 640 $/t, of ship 560 + 50 = 610 $/t, in every month.
"""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console

from builders import base_tables, set_rows, two_year_tables, write_inputs
from energy_routes.api import run_scenario
from energy_routes.explain import FAMILIES, SENTENCE, explain, sentence


def _binding(result):
    b = result.tables["binding_constraints"]
    return {(r.constraint, r.asset_or_route, r.year): r for r in b.itertuples()}


def test_capacities_get_a_sentence_with_the_input_line_and_the_hand_value(tmp_path):
    res = run_scenario(write_inputs(tmp_path / "in"), "case", power=False)
    b = _binding(res)
    pipe = b[("asset_capacity", "pipe", 2023)]
    assert pipe.mean_usd_per_t == pytest.approx(640.0, abs=1e-6)
    assert pipe.periods_binding == 12
    # asset_capacity.csv: header on line 1, pipe 2023 on line 2, ship on line 3
    assert pipe.sentence == (
        "In Jan-Dec 2023 (12 months binding): the capacity of Pipe is used up; one more tonne of its capacity for Kazakh crude is worth "
        "+640.00 $/t. From asset_capacity.csv, line 2 (20 Mt/yr, 0 of it third party)."
    )
    assert b[("asset_capacity", "ship", 2023)].mean_usd_per_t == pytest.approx(610.0, abs=1e-6)
    assert "asset_capacity.csv, line 3 (10 Mt/yr" in b[("asset_capacity", "ship", 2023)].sentence


def test_a_minimum_commitment_is_negative_and_costs_its_value(tmp_path):
    # at least 1 Mt/yr on spare takes a tonne of ship from dear (560) to spare (530): -30 $/t
    folder = write_inputs(tmp_path / "in", scenario={"route_limits": [{"route": "spare", "min_mt": 1.0, "note": "test commitment"}]})
    b = _binding(run_scenario(folder, "case", power=False))
    lim = b[("route_limit", "spare", 2023)]
    assert lim.mean_usd_per_t == pytest.approx(-30.0, abs=1e-6)
    assert lim.bound == 1.0
    assert lim.sentence.startswith("In 2023: the commitment of at least 1 Mt/yr on Spare binds; one more tonne of commitment is worth -30.00 $/t (it costs 30.00 $/t of netback).")
    assert re.search(r"From route_limits\[0\] from base, scenarios\.yaml, line \d+: test commitment\.$", lim.sentence), lim.sentence
    # the ship's value is unchanged: its next tonne still goes to dear and saves a shut-in tonne
    assert b[("asset_capacity", "ship", 2023)].mean_usd_per_t == pytest.approx(610.0, abs=1e-6)


def test_a_source_route_limit_names_source_routes_csv(tmp_path):
    # a may send at most 5 Mt/yr via dear: the other 5 Mt of ship go to spare; one more tonne of the
    # limit moves a tonne from spare (530) to dear (560): +30 $/t; a tonne of ship now earns 530 + 50 = 580
    t = base_tables()
    set_rows(t["source_routes"], {"source": "a", "route": "dear"}, max_mt=5)
    b = _binding(run_scenario(write_inputs(tmp_path / "in", t), "case", power=False))
    lim = b[("source_route_limit", "a:dear", 2023)]
    assert lim.mean_usd_per_t == pytest.approx(30.0, abs=1e-6)
    assert "the limit of 5 Mt/yr on Source A crude via Dear binds" in lim.sentence
    assert "From source_routes.csv, line 3 (max_mt 5)." in lim.sentence
    assert b[("asset_capacity", "ship", 2023)].mean_usd_per_t == pytest.approx(580.0, abs=1e-6)


def test_an_event_and_a_set_edit_are_named_with_their_lines(tmp_path):
    folder = write_inputs(
        tmp_path / "in",
        scenario={
            "events": [{"id": "pipe-out", "target": "pipe", "start": "2023-03-01", "days": 10, "remaining": 0.0}],
            "set": [{"table": "asset_capacity", "where": {"asset": "ship"}, "values": {"capacity_mt": 12}, "note": "more ship"}],
        },
    )
    b = _binding(run_scenario(folder, "case", power=False))
    pipe = b[("asset_capacity", "pipe", 2023)].sentence
    assert re.search(r"lowered by event 'pipe-out' \(0% left, 01 Mar to 10 Mar 2023, scenarios\.yaml, line \d+\)", pipe), pipe
    ship = b[("asset_capacity", "ship", 2023)].sentence
    assert re.search(r"asset_capacity\.csv, line 3 \(12 Mt/yr, 0 of it third party\), set to capacity_mt 12 by base \(scenarios\.yaml, line \d+\)", ship), ship


def test_every_family_renders_with_either_sign():
    names = {"route": {"r": "Route R"}, "asset": {"x": "Asset X"}, "source": {"s": "Source S"}, "store": {"t": "Tank T"}}
    for family, spec in FAMILIES.items():
        ident = {"asset": "x", "route": "r", "source_route": "s:r", "store": "t", "source": "s", "acceptor": "g"}[spec["id_kind"]]
        for value in (12.5, -7.25):
            row = {"constraint": family, "asset_or_route": ident, "first": "2027" if spec["per"] == "year" else "2027-03",
                   "last": "2027" if spec["per"] == "year" else "2027-04", "periods_binding": 1 if spec["per"] == "year" else 2,
                   "mean_usd_per_t": value, "bound": 0.4, "input": "somewhere.csv, line 9"}
            text = sentence(row, names)
            assert f"{value:+,.2f} $/t" in text and text.endswith("From somewhere.csv, line 9.")
            assert ("it costs 7.25 $/t" in text) == (value < 0)
            assert "{" not in text
    # the one sentence format is plain data the constraint registry can take over
    assert "{usd_per_t:+,.2f}" in SENTENCE


def test_an_old_run_without_input_rows_still_reads():
    import pandas as pd

    shadow = pd.DataFrame({"period": ["2024"], "constraint": ["route_limit"], "asset_or_route": ["btc"], "usd_per_t": [-9.5]})
    out = explain(shadow, {"route": {"btc": "Caspian+BTC"}})
    assert out.sentence[0] == "In 2024: the commitment of at least ? Mt/yr on Caspian+BTC binds; one more tonne of commitment is worth -9.50 $/t (it costs 9.50 $/t of netback). From the family's input (no row recorded for this run)."


def test_terminal_summary_fits_80_columns_without_cutting_numbers(tmp_path):
    from energy_routes.summary import print_summary

    years = tuple(range(2023, 2031))
    folder = write_inputs(tmp_path / "in", two_year_tables(years), {"horizon": {"start": "2023-01", "end": "2030-12"},
                                                                     "events": [{"id": "pipe-out", "target": "pipe", "start": "2027-03-01", "weeks": 6, "remaining": 0.0}]})
    res = run_scenario(folder, "case", power=False)
    buf = io.StringIO()
    print_summary(Console(file=buf, width=80, force_terminal=False, color_system=None), res, tmp_path / "out")
    text = buf.getvalue()
    assert max(len(line.rstrip()) for line in text.splitlines()) <= 80
    assert "…" not in text
    assert "centre on 2027" in text
    ann = res.tables["allocation_annual"]
    for v in ann[ann.year == 2027].volume_mt:  # the disrupted year's table shows every volume in full
        assert f"{v:.2f}" in text
    for v in ann.volume_mt:  # and the years table every volume
        assert f"{v:.1f}" in text
    assert "Binding constraints in 2027" in text and "+640.00 $/t" in text


def test_a_store_binding_on_both_sides_gets_a_row_per_side_not_a_mean_of_zero():
    """A store held at its working level is full in February (+492.22 $/t) and at its floor in March
    (-492.22 $/t): by hand the two months mean 0.00, which would say the tank is worth nothing. Each side
    gets its own row with its own words and its own value."""
    import pandas as pd

    shadow = pd.DataFrame({"period": ["2027-02", "2027-03"], "constraint": ["store_level"] * 2,
                           "asset_or_route": ["cpc_tank_farm"] * 2, "usd_per_t": [492.22, -492.22]})
    out = explain(shadow, {"store": {"cpc_tank_farm": "CPC tank farm"}}).set_index("first")
    assert list(out.periods_binding) == [1, 1]
    assert out.at["2027-02", "mean_usd_per_t"] == pytest.approx(492.22) and "no tank room is left" in out.at["2027-02", "what"]
    assert out.at["2027-03", "mean_usd_per_t"] == pytest.approx(-492.22) and "down to its minimum" in out.at["2027-03", "what"]
