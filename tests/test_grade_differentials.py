"""A grade's differential by year (``grade_differentials.csv``, issue 12 part 4).

The builder network (tests/builders.py): Brent 80 $/bbl, 7.5 bbl/t, every route
sells at 600 $/t; ``cheap`` nets 590 $/t (pipe 20 Mt/yr), ``dear`` 560 and
``spare`` 530 (both through ``ship``, 10 Mt/yr); 36.5 Mt/yr of supply. ``dear``
gets its own grade ``h`` here, so a differential for ``h`` in 2023 changes what
the 10 Mt/yr that ``dear`` carries are worth and nothing else.
"""

from __future__ import annotations

import pytest

from builders import BASE_TABLES
from energy_routes.errors import InputError
from energy_routes.load import load_inputs
from energy_routes.params import netback_table
from energy_routes.scenario import resolve

ROUTES = [dict(r, grade="h") if r["route"] == "dear" else dict(r) for r in BASE_TABLES["routes"]]
GRADES = BASE_TABLES["grades"] + [{"grade": "h", "name": "H", "bbl_per_t": 7.5, "diff_usd_per_bbl": 0, "description": ""}]


def _tables(diff_rows):
    t = {"routes": ROUTES, "grades": GRADES}
    if diff_rows:
        t["grade_differentials"] = diff_rows
    return t


def test_a_years_differential_replaces_the_grades_default(run):
    """dear: (80 + 5) x 7.5 − 40 = 597.5 $/t in 2023; the 10 Mt it carries are worth 10,000 kt x 37.5 $/t = 375 M$ more."""
    plain = run(_tables([]))
    with_diff = run(_tables([{"year": 2023, "grade": "h", "diff_usd_per_bbl": 5, "basis": "FOB test"}]))
    nb = with_diff.tables["inputs_netback"].query("source == 'a'").set_index("route")
    assert nb.loc["dear", "diff_usd_per_bbl"] == 5
    assert nb.loc["dear", "netback_usd_per_t"] == pytest.approx((80 + 5) * 7.5 - 40)
    assert nb.loc["cheap", "netback_usd_per_t"] == pytest.approx(80 * 7.5 - 10)  # grade g keeps its default
    dear = with_diff.tables["allocation_annual"].set_index("route").loc["dear", "volume_mt"]
    assert dear == pytest.approx(10.0)
    assert with_diff.objective_musd - plain.objective_musd == pytest.approx(10_000 * 5 * 7.5 / 1000, abs=0.01)


def test_a_year_outside_the_horizon_changes_nothing(make_inputs):
    folder = make_inputs(_tables([{"year": 2024, "grade": "h", "diff_usd_per_bbl": 5, "basis": "FOB test"}]))
    nb = netback_table(resolve(load_inputs(folder), "case")).query("source == 'a'").set_index("route")
    assert nb.loc["dear", "diff_usd_per_bbl"] == 0


def test_an_unknown_grade_is_reported_with_file_line_and_column(make_inputs):
    folder = make_inputs(_tables([{"year": 2023, "grade": "nope", "diff_usd_per_bbl": 5, "basis": "FOB"}]))
    with pytest.raises(InputError) as exc:
        load_inputs(folder)
    p = next(p for p in exc.value.problems if p.file == "grade_differentials.csv")
    assert p.line == 2 and p.column == "grade"


def test_the_shipped_cpc_blend_differential_is_fob_and_by_year(shipped_inputs):
    """CPC Blend's differential is stated FOB Novorossiysk for every year 2022-2030 (SOURCES.md, Grades)."""
    t = load_inputs(shipped_inputs)["grade_differentials"]
    cpc = t[t.grade == "cpc_blend"]
    assert sorted(cpc.year) == list(range(2022, 2031))
    assert cpc.basis.str.startswith("FOB Novorossiysk").all()
