"""Backtest against reported history (issue 6).

The shipped backtest must stay inside the reported ranges wherever
``inputs/history/claims.csv`` says the model's assumptions claim to
reproduce them. The numbers it is checked against are reported volumes, not
model inputs (see docs/backtest.md for which outlets are inputs and why they
are not claimed); the mechanism checks below use hand arithmetic on the
input tables, not the program's own output.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner
from conftest import REPO

from energy_routes.backtest import parse_years, range_error, run_backtest, verdict
from energy_routes.cli import main

DAYS = 365


@pytest.fixture(scope="module")
def bt():
    """The shipped backtest, 2022-2025 (solved once for the module)."""
    if not (REPO / "inputs" / "history").is_dir():
        pytest.skip("no inputs/history")
    return run_backtest(REPO / "inputs")


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


# ---------------------------------------------------------------- the claims


#: claims the model misses today, each with its reason and its own strict xfail below (so a fix is noticed); the March
#: 2022 storm's shut-in holds since extra acceptance takes only crude an outage displaced (docs/model.md "displaced crude")
KNOWN_MISSES: set[tuple[str, str]] = set()


def test_every_claimed_comparison_holds(bt):
    """Inside the reported range, or within the claim's stated tolerance (% of the nearer bound)."""
    claimed = bt.claimed
    assert not claimed.empty
    known = [(e, m) in KNOWN_MISSES for e, m in zip(claimed.event_id, claimed.metric)]
    claimed = claimed[~pd.Series(known, index=claimed.index)]
    bad = claimed[~claimed.holds.astype(bool)]
    assert bad.empty, "\n" + bad[["year", "outlet", "event_id", "metric", "verdict"]].to_string()
    for row in claimed.itertuples():
        slack = row.tolerance_pct / 100 * max(row.reported_low_mt, row.reported_high_mt) + 0.005
        assert row.reported_low_mt - slack <= row.model_mt <= row.reported_high_mt + slack


def test_the_march_2022_storm_shut_in_is_inside_the_reported_range(bt):
    """B1, 23 Mar - 22 Apr 2022 (reported shut-in 0-1.5 Mt). At monthly resolution the storm takes no CPC volume:
    the CPC tank farm and the other months' terminal room carry April's 50 kt shortfall (cpc_lost 0), so it
    displaces no crude, and the acceptors' extra, open on its disrupted days, may take none (docs/model.md
    "displaced crude"). Its own shut-in is therefore 0 (LP tolerance), the lower end of the reported range; before
    the rule the other fields' 8.5 kt/month surplus took Transneft's extra and the storm 'saved' 0.025 Mt."""
    row = bt.claimed[(bt.claimed.event_id == "b1_storm_2022") & (bt.claimed.metric == "shut_in")]
    assert len(row) == 1 and bool(row.holds.iloc[0]), row.verdict.tolist()
    assert row.model_mt.iloc[0] == pytest.approx(0.0, abs=1e-6)
    ev = bt.events.set_index(["event_id", "metric"]).model_mt
    assert ev[("b1_storm_2022", "cpc_lost")] == pytest.approx(0.0, abs=1e-6)
    assert ev[("b1_storm_2022", "rerouted")] == pytest.approx(0.0, abs=1e-6)


def test_the_claims_are_not_quietly_dropped(bt):
    """What docs/backtest.md says the model claims: CPC 2023-2024 inside, CPC 2022 and 2025 within 5 %, no false
    shut-in in two events. Totals are identities (not claims) and Kropotkinskaya's shut-in was dropped in issue 12
    (docs/backtest.md "What changed in issue 12")."""
    out = bt.outlets[bt.outlets.claimed]
    assert set(zip(out.year, out.outlet)) >= {(2022, "cpc"), (2023, "cpc"), (2024, "cpc"), (2025, "cpc")}
    ev = bt.events[bt.events.claimed]
    assert set(zip(ev.event_id, ev.metric)) >= {("b1_storm_2022", "shut_in"), ("b2_mines_2022", "shut_in")}


def test_pinned_outlets_are_never_claimed(bt):
    """An outlet held at a reported volume is an input; agreeing with it proves nothing."""
    pinned = {"atyrau_samara", "kazakhstan_china", "aktau_btc", "makhachkala", "rail", "aktau_total", "baku_supsa"}
    rows = bt.outlets[bt.outlets.outlet.isin(pinned)]
    assert not rows.claimed.any()
    assert rows.reason.str.contains("input").all()


def test_every_reported_volume_has_a_declared_claim(bt):
    """claims.csv decides each outlet row deliberately; none falls back to the default."""
    from energy_routes.history import NO_CLAIM

    assert not (bt.outlets.reason == NO_CLAIM).any()
    assert not (bt.events.reason == NO_CLAIM).any()


def test_every_row_has_a_verdict_and_every_unclaimed_row_a_reason(bt):
    for df in (bt.outlets, bt.events):
        assert df.verdict.str.len().gt(0).all()
        assert df[~df.claimed].reason.str.len().gt(10).all()
    inside = bt.outlets[bt.outlets.error_mt == 0]
    assert inside.verdict.str.startswith("inside [").all()
    miss = bt.outlets[bt.outlets.error_mt != 0]
    assert miss.verdict.str.match(r"misses by \d+\.\d\d Mt \(\d+\.\d %\) (above|below) \[").all()


# ---------------------------------------------------------------- hand-checked mechanisms


def test_cpc_2024_is_the_reported_total_less_the_scheduled_outlets(bt):
    """hist-2024: no shut-in and CPC nets most, so CPC = 68.6 - (1.5 + 1.9 + 1.1 + 8.6 + 0.05) = 55.45."""
    row = bt.outlets.set_index(["year", "outlet"]).loc[(2024, "cpc")]
    assert row.model_mt == pytest.approx(68.6 - (1.5 + 1.9 + 1.1 + 8.6 + 0.05), abs=1e-6)


def test_cpc_2023_is_the_big_three_plus_the_other_fields_allocation(bt):
    """hist-2023: Tengiz 28.5 + Kashagan 17.9 + Karachaganak 9.6, less the Tengiz part of BTC's 1.39
    (other fields fill their 0.5 Mt BTC allocation first: 5 $/t feeder vs 25), plus the other fields' 1.0 CPC cap."""
    row = bt.outlets.set_index(["year", "outlet"]).loc[(2023, "cpc")]
    assert row.model_mt == pytest.approx(28.5 + 17.9 + 9.6 - (1.39 - 0.5) + 1.0, abs=1e-6)


def test_june_2022_mine_sweep_is_partly_ridden_out_by_the_tank_farm(bt):
    """b2: SPM-3 alone 15-25 Jun. Without tanks June's loadings would be capped at the smallest leg day
    by day: 19 days at the pipeline rate and 11 at the one-SPM rate. The CPC tank farm takes the
    pipeline's crude while the moorings are short and loads it after, so June loads more than that,
    but never more than the terminal itself can load in June.

    Pipeline, Kazakh: (60.2 - 6.5) Mt/yr; terminal, two SPMs: 84 - 6.5; SPM-3 alone, shared pro rata
    (asset_sharing.csv) at one mooring's 46 Mt/yr (asset_units.csv): phi = min(0.3333 x 3 x 46, 84)/84,
    phi x (84 - 6.5).
    """
    pipe = (60.2 - 6.5) * 1000 / DAYS
    two_spm = (84 - 6.5) * 1000 / DAYS
    one_spm = min(0.3333 * 3 * 46, 84) / 84 * (84 - 6.5) * 1000 / DAYS
    monthly = bt.results["hist-2022"].tables["allocation_monthly"]
    june = monthly[(monthly.period == "2022-06") & (monthly.route == "cpc")].volume_kt.iloc[0]
    assert june > 19 * pipe + 11 * one_spm + 1.0
    assert june <= 19 * two_spm + 11 * one_spm + 1e-6


def test_december_2025_cpc_is_the_spm1_alone_rate(bt):
    """b10: SPM-1 alone all December, the derated terminal shared pro rata with the Russian shippers
    (inputs/asset_sharing.csv): phi (C - Theta) x 31/365 with phi = min(0.3333 x 3 x 46, C)/C (the event's remaining
    fraction times the three moorings' 46 Mt/yr each, asset_units.csv), C = 84, Theta = 5.7 Mt/yr:
    0.54756 x 78.3 x 31/365 = 3.6413 Mt (Russian-first would give (0.54756 x 84 - 5.7) x 31/365 = 3.4224)."""
    monthly = bt.results["hist-2025"].tables["allocation_monthly"]
    dec = monthly[(monthly.period == "2025-12") & (monthly.route == "cpc")].volume_kt.iloc[0]
    assert dec == pytest.approx(min(0.3333 * 3 * 46, 84) / 84 * (84 - 5.7) * 31 / DAYS * 1000, rel=1e-6)


def test_event_effects_add_up(bt):
    """Supply is the same with and without an event, so CPC lost = rerouted + shut in."""
    ev = bt.events.pivot(index="event_id", columns="metric", values="model_mt").dropna()
    assert len(ev) >= 5
    for name, row in ev.iterrows():
        assert row.cpc_lost == pytest.approx(row.rerouted + row.shut_in, abs=1e-6), name


def test_outlet_values_are_sums_of_the_mapped_routes(bt):
    res = bt.results["hist-2024"].tables["allocation_annual"]
    vol = dict(zip(res.route, res.volume_mt))
    got = bt.outlets[bt.outlets.year == 2024].set_index("outlet").model_mt
    assert got["aktau_total"] == pytest.approx(vol["btc"] + vol["baku_supsa"] + vol["makhachkala"])
    assert got["total"] == pytest.approx(sum(vol.values()))


# ---------------------------------------------------------------- verdict arithmetic


@pytest.mark.parametrize(
    "value, low, high, text",
    [
        (1.3, 1.2, 1.5, "inside [1.2, 1.5]"),
        (1.0, 1.2, 1.5, "misses by 0.20 Mt (16.7 %) below [1.2, 1.5]"),
        (1.8, 1.2, 1.5, "misses by 0.30 Mt (20.0 %) above [1.2, 1.5]"),
        (0.36, 0.0, 0.0, "misses by 0.36 Mt (n/a %) above [0, 0]"),
        (0.7, float("nan"), float("nan"), "no reported figure (model 0.70 Mt)"),
    ],
)
def test_verdict(value, low, high, text):
    assert verdict(value, low, high) == text


def test_range_error_sign_and_percent():
    assert range_error(47.67, 52.0, 52.2) == pytest.approx((47.67 - 52.0, (47.67 - 52.0) / 52.0 * 100))
    assert range_error(52.1, 52.0, 52.2) == (0.0, 0.0)


def test_parse_years():
    assert parse_years("2022..2025") == [2022, 2023, 2024, 2025]
    assert parse_years("2024") == [2024]
    assert parse_years("2025, 2022") == [2022, 2025]
    for bad in ("2025..2022", "22..25", "last"):
        with pytest.raises(ValueError):
            parse_years(bad)


# ---------------------------------------------------------------- the data and its sources


def test_every_history_source_id_is_listed_in_sources_md():
    text = (REPO / "inputs" / "SOURCES.md").read_text()
    section = text[text.index("## Reported history (inputs/history/)"):]
    listed = set(re.findall(r"^\| (H\d\d) \|", section, flags=re.M))
    used = set()
    for name in ("volumes.csv", "events.csv", "monthly.csv"):
        df = pd.read_csv(REPO / "inputs" / "history" / name)
        for ids in df.source_ids:
            used |= set(ids.split())
    assert used and used <= listed, sorted(used - listed)


# ---------------------------------------------------------------- command line


def test_cli_writes_the_run_folder(tmp_path):
    out = tmp_path / "bt"
    res = invoke("backtest", "--years", "2024", "--out", out)
    assert res.exit_code == 0, res.output
    assert "Backtest 2024" in res.output and "claims that hold" in res.output and "identities of the inputs (not claims): 1" in res.output
    assert sorted(p.name for p in out.iterdir()) == ["backtest.html", "backtest.png", "backtest_daily.csv", "backtest_events.csv", "backtest_monthly.csv", "backtest_outlets.csv", "manifest.json"]
    assert (out / "backtest.png").read_bytes()[:4] == b"\x89PNG" and 'id="backtest-chart"' in (out / "backtest.html").read_text()
    man = json.loads((out / "manifest.json").read_text())
    assert man["kind"] == "backtest" and man["years"] == [2024]
    assert "history/volumes.csv" in man["input_sha256"]
    assert man["files"]["backtest_outlets.csv"] == 10  # 2024 rows of volumes.csv (Germany added in issue 12)
    assert man["files"]["backtest_daily.csv"] == 0  # daily.csv has rows for 2023 only
    table = pd.read_csv(out / "backtest_outlets.csv")
    assert list(table.columns[:8]) == ["year", "outlet", "outlet_name", "routes", "reported_low_mt", "reported_high_mt", "model_mt", "error_mt"]
    again = invoke("backtest", "--years", "2024", "--out", out, "--quiet")
    assert again.exit_code == 2 and "choose another --out" in again.output


def test_cli_help_and_bad_years():
    res = invoke("backtest", "--help")
    assert res.exit_code == 0
    for opt in ("--years", "--inputs", "--out", "--quiet", "--check"):
        assert opt in res.output
    res = invoke("backtest", "--years", "2019..2020", "--out", "/nonexistent/never")
    assert res.exit_code == 2 and "hist-2019" in res.output


@pytest.fixture()
def inputs_copy(tmp_path):
    dst = tmp_path / "inputs"
    shutil.copytree(REPO / "inputs", dst)
    return dst


def _edit(path: Path, old: str, new: str) -> int:
    """Replace ``old`` with ``new`` in a file; return the 1-based line it was on."""
    lines = path.read_text().split("\n")
    for i, line in enumerate(lines):
        if old in line:
            lines[i] = line.replace(old, new, 1)
            path.write_text("\n".join(lines))
            return i + 1
    raise AssertionError(f"{old!r} not in {path}")


@pytest.mark.parametrize(
    "file, old, new, column, expect",
    [
        ("volumes.csv", "2024,cpc,54.9,55.56", "2024,cpc,56.9,55.56", "low_mt", "exceeds high_mt"),
        ("volumes.csv", "2024,rail,0.05,0.05", "2024,rail,lots,0.05", "low_mt", "got 'lots'; expected a number"),
        ("volumes.csv", "2023,total", "2023,everything", "outlet", "an outlet listed in outlets.csv"),
        ("events.csv", "2023-11-24,2023-11-29", "2023-11-24,2023-11-31", "end", "expected a date YYYY-MM-DD"),
        ("events.csv", "cpc-storm-nov-2023", "cpc-storm-nov-2032", "override", "unknown override 'cpc-storm-nov-2032'"),
        ("outlets.csv", "btc+baku_supsa+makhachkala", "btc+supsa+makhachkala", "routes", "unknown route(s) supsa"),
        ("claims.csv", "2024,cpc,volume,yes", "2024,cpc,volume,maybe", "claimed", "one of yes, no"),
        ("daily.csv", "2023-12-31,2023-11-27,2023-12-03", "2023-11-30,2023-11-27,2023-12-03", "from_day", "not inside the daily window"),
        ("daily.csv", "b7_storm_nov_2023,2023-11-01,2023-12-31,2023-11-24", "b7_storm_nov_2033,2023-11-01,2023-12-31,2023-11-24", "event_id", "b7_storm_nov_2033"),
        ("daily.csv", "2023-11-24,2023-11-26,shut_in,0.039,0.041", "2023-11-24,2023-11-26,shut_in,0.049,0.041", "low_mt", "is above high_mt"),
        ("daily.csv", "2023-11-01,2023-12-31,2023-11-27", "2023-11-01,2024-01-31,2023-11-27", "window_end", "spans two years"),
        ("daily.csv", "2023-12-03,shut_in", "2023-12-03,rerouted", "metric", "one of shut_in"),
    ],
)
def test_bad_history_input_is_reported_with_file_line_and_column(inputs_copy, tmp_path, file, old, new, column, expect):
    line = _edit(inputs_copy / "history" / file, old, new)
    out = tmp_path / "never"
    res = invoke("backtest", "--inputs", inputs_copy, "--years", "2024", "--out", out)
    assert res.exit_code == 2, res.output
    assert f"history/{file}, line {line}, column '{column}'" in res.output
    assert expect in res.output
    assert "Traceback" not in res.output
    assert not out.exists() and not list(tmp_path.glob(".never*"))


def test_missing_history_folder(inputs_copy, tmp_path):
    shutil.rmtree(inputs_copy / "history")
    res = invoke("backtest", "--inputs", inputs_copy, "--years", "2024", "--out", tmp_path / "x")
    assert res.exit_code == 2 and "history" in res.output


def test_check_fails_when_a_claim_misses(inputs_copy, tmp_path):
    """Claiming the 2025 CPC volume without its 5 % tolerance (the model misses by 3.1 Mt, 4.8 %) makes --check
    exit 1 and names the row."""
    _edit(inputs_copy / "history" / "claims.csv", "replayed in full\",5", "replayed in full\",")
    res = invoke("backtest", "--inputs", inputs_copy, "--years", "2025", "--out", tmp_path / "bt", "--check")
    assert res.exit_code == 1, res.output
    assert "claimed miss" in res.output
    assert re.search(r"2025 cpc: misses by \d+\.\d\d Mt \(\d+\.\d %\) below \[63\.8, 64\.8\]", res.output), res.output
    man = json.loads((tmp_path / "bt" / "manifest.json").read_text())
    assert man["summary"]["claimed_misses"][0]["item"] == "2025 cpc"


# ---------------------------------------------------------------- issue 12: identities, tolerances, months


def _supply_total(year: int) -> float:
    s = pd.read_csv(REPO / "inputs" / "supply.csv")
    return float(s[s.year == year].export_supply_mt.sum())


def test_totals_are_identities_of_the_inputs_not_claims(bt):
    """Total exports = supply − shut-in, and supply.csv is the reported total (64.3, 70.5, 68.6, 78.7 Mt),
    so agreement is an identity: labelled as such, never counted as a claim."""
    tot = bt.outlets[bt.outlets.outlet == "total"]
    assert len(tot) == 4
    assert (tot.comparison == "identity").all() and not tot.claimed.any()
    for row in tot.itertuples():
        assert row.reason.startswith("identity of the inputs")
        assert row.reported_low_mt - 0.005 <= _supply_total(row.year) <= row.reported_high_mt + 0.005, row.year
    assert not (bt.claimed.get("comparison") == "identity").any()


def test_pinned_outlets_are_labelled_inputs(bt):
    rows = bt.outlets[bt.outlets.outlet.isin({"atyrau_samara", "kazakhstan_china", "aktau_btc", "makhachkala", "rail", "germany"})]
    assert (rows.comparison == "input").all()


@pytest.mark.parametrize("year", [2022, 2025])
def test_kazakh_cpc_within_5_percent_of_the_reported_range(bt, year):
    """Issue 12: CPC (Kazakh shippers) within 5 % of the nearer reported bound (2022: 52.0-52.2; 2025: 63.8-64.8)."""
    row = bt.outlets[(bt.outlets.year == year) & (bt.outlets.outlet == "cpc")].iloc[0]
    low = {2022: 52.0, 2025: 63.8}[year]
    high = {2022: 52.2, 2025: 64.8}[year]
    assert row.claimed and row.tolerance_pct == 5
    assert low * 0.95 <= row.model_mt <= high * 1.05


def test_monthly_table_compares_the_months_of_monthly_csv(bt):
    m = bt.monthly.set_index(["month", "outlet"])
    assert {("2025-05", "cpc"), ("2025-12", "cpc"), ("2023-04", "aktau_btc")} <= set(m.index)
    # a month's model volume is the month's sum over the outlet's routes (allocation_monthly, kt -> Mt)
    alloc = bt.results["hist-2025"].tables["allocation_monthly"]
    may = alloc[(alloc.period == "2025-05") & (alloc.route == "cpc")].volume_kt.sum() / 1000
    assert m.loc[("2025-05", "cpc"), "model_mt"] == pytest.approx(may, abs=1e-9)


def test_december_2025_single_mooring_month_inside_the_reported_range(bt):
    """SPM-1 alone all December (H42-H44) at one mooring's 46 Mt/yr (asset_units.csv, sourced from 2022 and April
    2025, not from this month), shared pro rata: 3.641 Mt (the arithmetic is in
    test_december_2025_cpc_is_the_spm1_alone_rate), inside the reported 3.60-3.88 (Reuters: 3.98 Mt all shippers,
    Kazakh 1.082 mb/d to 28 Dec). At CPC's own 'up to 3.5 Mt/month' (42 Mt/yr) it would be 3.32: outside."""
    row = bt.monthly[(bt.monthly.month == "2025-12") & (bt.monthly.outlet == "cpc")].iloc[0]
    assert bool(row.claimed)
    assert row.reported_low_mt - 0.005 <= row.model_mt <= row.reported_high_mt + 0.005


def _day_row(bt, from_day: str, to_day: str):
    d = bt.daily
    hit = d[(d.event_id == "b7_storm_nov_2023") & (d.from_day == from_day) & (d.to_day == to_day) & (d.metric == "shut_in")]
    assert len(hit) == 1, bt.daily
    return hit.iloc[0]


def test_november_2023_storm_lost_output_at_daily_resolution(bt):
    """B7, history/daily.csv. On 29 Nov the Energy Ministry expected the storm to cut output by 631.7 kt "this
    week" (H29), the week of Monday 27 Nov to Sunday 3 Dec, the end of its plan (H45): so the model's lost output
    (shut-in with the storm less without it, 2023 solved with daily periods from 1 Nov to 31 Dec) is summed over
    those 7 days and claimed within 5 %: 0.632 x 0.95 = 0.600 to 0.632 x 1.05 = 0.664 Mt. Measured 2026-12-01:
    0.604 (-4.5 %), the big three cut 69 kt/d (45 % of their 153 kt/d) from the stop's first day (24 Nov, H47)
    and hold it to 3 Dec (cut_hold_days 10); before the start was corrected from 27 to 24 Nov (H46-H48) it was
    0.296 in the week."""
    row = _day_row(bt, "2023-11-27", "2023-12-03")
    assert row.claimed and row.tolerance_pct == 5.0 and row.holds
    assert 0.632 * 0.95 <= row.model_mt <= 0.632 * 1.05


@pytest.mark.xfail(strict=True, reason=(
    "the model cuts from the stop's first day: the LP knows the stop lasts 6 days, and since a cut may not be "
    "lifted within the decision horizon, the earliest cut loses least; the fields used the tank farm first and cut "
    "when it was full (output unchanged on 24-25 Nov, -38.6 kt on 26 Nov, H46). Measured 2026-12-01: 0.327 Mt "
    "lost on 24-26 Nov against 0.039-0.041 reported; the whole event loses 1.052 Mt (0.604 in the ministry's week, "
    "0.12 ramping back after it) against about 0.67 reported (0.04 + the week's 0.632). Deciding one day at a time "
    "without knowing the stop's length (measured, not built: scripts/nov2023_information_rule.py) gets the timing, "
    "nothing cut on 24-25 Nov, but then cuts 74 % of the big three's supply against 38-56 % reported, since the "
    "model's tank farm has no room left at lower rates. CPC's 'lower flowrates' (H48) measured as a top band of the "
    "tank farm whose intake falls linearly with the level (same script, --band): under the shipped rule any band "
    "only makes the first-day cut shallower (71 kt: 0.537 in the week, below its claim; 0.298 before it); with "
    "the day-by-day rule the bands the tanks can have (71-142 kt) still miss both (before 0.100-0.137, week "
    "0.847-0.895); both hold only for a fitted band of about 356-361 kt (358: 0.661 and 0.037, that 0.037 all the "
    "other fields' Atyrau-Samara slots, not the big three), 2.5 times the tanks' room to the brim, with a rule "
    "that is one solve per day (docs/backtest.md, 'The November 2023 storm'); history/daily.csv says so and does "
    "not claim the row"))
def test_november_2023_storm_no_cut_before_the_tank_farm_is_full(bt):
    """B7, 24-26 Nov 2023, before the ministry's week: the official daily series (H46) has Kazakh output at 254.4 kt
    on 24 Nov, 253.1 on 25 Nov and 214.5 on 26 Nov, so the storm cost 253.1 - 214.5 = 38.6 kt against 25 Nov's
    level, or 1.3 + 39.9 = 41.2 kt against 24 Nov's: 0.039-0.041 Mt (history/daily.csv). Within 5 % of that."""
    row = _day_row(bt, "2023-11-24", "2023-11-26")
    assert not row.claimed  # said as a known miss, not claimed
    assert 0.039 * 0.95 <= row.model_mt <= 0.041 * 1.05


# The rerouted volume of the spring-2022 storm is not assertable: no rerouted figure or range for it was found in
# the research notes or by searching the stored pages (docs/backtest.md "Not assertable"), so there is no test.
