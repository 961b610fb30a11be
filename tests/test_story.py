"""``energy-routes story``: base, a disruption and two levers on the builder network, worked out by hand.

Builder (builders.py): source a 36.5 Mt/yr; cheap (590 $/t) over pipe 20 Mt/yr, dear (560 $/t) over ship
10 Mt/yr; 6.5 Mt shut in; export netback 20 x 590 + 10 x 560 = 17,400 M$. Every grade is 7.5 bbl/t.

- Disruption: pipe shut for 2 weeks from 1 March 2023: 14 x 20/365 = 0.767123 Mt of pipe lost, and the ship is
  already full, so all of it is shut in: +0.767123 Mt (5.753 Mbbl), export netback -0.767123 x 590 = -452.60 M$.
- Lever more-ship (ship 12 Mt/yr): 2 Mt more via dear all year: shut-in 0.767123 - 2 = -1.232877 Mt against
  the base, netback -452.60 + 2 x 560 = +667.40 M$: it more than makes up for the loss.
- Lever wider-spur (spur 60 Mt/yr): spur was never full, so nothing changes; the ship (610 $/t) binds.
"""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
import yaml

from reportkit import case_inputs, invoke

EVENT = "target=pipe,start=2023-03-01,weeks=2,remaining=0"
LOST_MT = 14 * 20 / 365
LOST_MUSD = LOST_MT * 590


@pytest.fixture(scope="module")
def story_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("story")
    folder = case_inputs(root / "in", power=False)
    doc = yaml.safe_load((folder / "scenarios.yaml").read_text())
    doc["overrides"] = {
        "more-ship": {"set": [{"table": "asset_capacity", "where": {"asset": "ship"}, "values": {"capacity_mt": 12}}]},
        "wider-spur": {"set": [{"table": "asset_capacity", "where": {"asset": "spur"}, "values": {"capacity_mt": 60}}]},
    }
    (folder / "scenarios.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    out = root / "story"
    res = invoke("story", "case", "--inputs", folder, "--event", EVENT, "--lever", "more-ship", "--lever", "wider-spur", "--out", out)
    assert res.exit_code == 0, res.output + str(res.exception)
    return out, res.output


def test_headline_table_by_hand(story_dir):
    out, _ = story_dir
    h = pd.read_csv(out / "story_headline.csv").set_index("run")
    assert h.role.tolist() == ["base", "disrupted", "lever", "lever"]
    assert h.loc["A", "shut_in_mt"] == pytest.approx(6.5, abs=1e-6)
    assert h.loc["B", "extra_shut_in_mt"] == pytest.approx(LOST_MT, abs=1e-6)
    assert h.loc["B", "lost_netback_musd"] == pytest.approx(LOST_MUSD, abs=1e-3)
    assert h.loc["B", "bbl_per_t"] == pytest.approx(7.5, abs=1e-6)
    assert h.loc["B", "extra_shut_in_mbbl"] == pytest.approx(LOST_MT * 7.5, abs=1e-6)
    assert h.loc["C", "extra_shut_in_mt"] == pytest.approx(LOST_MT - 2, abs=1e-6)
    assert h.loc["C", "lost_netback_musd"] == pytest.approx(LOST_MUSD - 2 * 560, abs=1e-3)
    assert h.loc["D", "lost_netback_musd"] == pytest.approx(LOST_MUSD, abs=1e-3)
    assert h.loc["C", "lever"] == "more-ship" and h.loc["D", "lever"] == "wider-spur"


def test_headline_numbers_equal_the_tables(story_dir):
    out, printed = story_dir
    text = (out / "headline.txt").read_text().strip()
    h = pd.read_csv(out / "story_headline.csv").set_index("run")
    assert text.startswith("Shutting the Pipe for 2 weeks from 1 March 2023 shuts in ")
    m = re.search(r"shuts in ([\d.,]+) Mt in 2023 \(≈ ([\d.,]+) Mbbl at ([\d.]+) bbl/t\) and costs ([\d,]+) M\$", text)
    assert m, text
    assert m.groups() == (f"{h.loc['B', 'extra_shut_in_mt']:,.2f}", f"{h.loc['B', 'extra_shut_in_mbbl']:,.1f}", f"{h.loc['B', 'bbl_per_t']:.2f}", f"{h.loc['B', 'lost_netback_musd']:,.0f}")
    assert m.groups() == ("0.77", "5.8", "7.50", "453")  # by hand: 0.767 Mt, 5.75 Mbbl, 452.6 M$
    levers = re.findall(r"Lever ([\w-]+) ([^(]+)\(shut-in ([+-][\d.,]+) Mt and export netback ([+-][\d,]+) M\$ against the base\)", text)
    assert [(lv, words.strip()) for lv, words, _, _ in levers] == [("more-ship", "more than makes up for it"), ("wider-spur", "adds nothing")]
    for (lv, _w, shut, nb), run in zip(levers, ("C", "D")):
        assert shut == f"{h.loc[run, 'extra_shut_in_mt']:+,.2f}" and nb == f"{-h.loc[run, 'lost_netback_musd']:+,.0f}"
    assert text.endswith("the capacity of Ship is used up in 2023.")
    # the same numbers in the side-by-side tables: shut-in and netback by year, B - A
    s = pd.read_csv(out / "story_shut_in.csv").iloc[0]
    n = pd.read_csv(out / "story_netback.csv").iloc[0]
    assert s.diff_b_shut_in_mt == pytest.approx(h.loc["B", "extra_shut_in_mt"], abs=1e-9)
    assert -n.diff_b_netback_musd == pytest.approx(h.loc["B", "lost_netback_musd"], abs=1e-6)
    assert -n.diff_c_netback_musd == pytest.approx(h.loc["C", "lost_netback_musd"], abs=1e-6)
    # and what the terminal printed
    assert " ".join(text.split()) in " ".join(printed.split())


def test_story_folder_holds_each_case_and_the_deliverables(story_dir):
    out, _ = story_dir
    names = {p.name for p in out.iterdir()}
    assert {"story.html", "story.xlsx", "chart-story.png", "chart-monthly.png", "headline.txt", "manifest.json", "story_headline.csv", "story_volume.csv"} <= names
    cases = sorted(p.name for p in (out / "cases").iterdir())
    assert cases == ["1-base", "2-disrupted", "3-lever-more-ship", "4-lever-wider-spur"]
    man = json.loads((out / "manifest.json").read_text())
    assert [c["label"] for c in man["cases"]] == ["case", "case + event pipe-2023-03-01", "case + more-ship + event pipe-2023-03-01", "case + wider-spur + event pipe-2023-03-01"]
    assert man["headline"] == (out / "headline.txt").read_text().strip()
    ev = json.loads((out / "cases" / "2-disrupted" / "manifest.json").read_text())["scenario"]["events"]
    assert ev[0]["start"] == "2023-03-01" and ev[0]["end"] == "2023-03-14"
    wb = pd.ExcelFile(out / "story.xlsx")
    assert wb.sheet_names[:3] == ["Contents", "Headline", "Runs"] and "Bottlenecks in words" in wb.sheet_names
    page = (out / "story.html").read_text()
    for cid in ('id="headline"', 'id="story-chart"', 'id="monthly"', "case + more-ship + event pipe-2023-03-01"):
        assert cid in page


def test_a_story_file_gives_the_same_story(story_dir, tmp_path):
    out, _ = story_dir
    inputs = out.parent / "in"
    spec = tmp_path / "story.yaml"
    spec.write_text(yaml.safe_dump({"scenario": "case", "events": [{"target": "pipe", "start": "2023-03-01", "weeks": 2, "remaining": 0}],
                                    "levers": ["more-ship", "wider-spur"]}))
    res = invoke("story", spec, "--inputs", inputs, "--out", tmp_path / "s2", "--no-png", "--quiet")
    assert res.exit_code == 0, res.output
    assert (tmp_path / "s2" / "headline.txt").read_text() == (out / "headline.txt").read_text()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--lever", "more-ship"], "a story needs a disruption"),
        (["--event", "pipe"], "is neither a named override"),
        (["--event", EVENT, "--lever", "nope"], "unknown lever 'nope'"),
        (["--event", "target=volcano,start=2023-03-01,days=3,remaining=0"], "unknown target 'volcano'"),
    ],
)
def test_bad_story_requests_exit_2_and_write_nothing(story_dir, tmp_path, args, message):
    out, _ = story_dir
    res = invoke("story", "case", "--inputs", out.parent / "in", "--out", tmp_path / "s", *args)
    assert res.exit_code == 2, res.output
    assert message in res.stderr and "Traceback" not in res.stderr
    assert not (tmp_path / "s").exists()


def test_the_reason_is_what_the_disruption_makes_bind_not_a_limit_binding_all_year():
    """story.reason on two hand-made binding tables: a shipper limit binds 12 months at 70 $/t in the base and
    the lever case (weight 840 each, no rise); a schedule binds 1 month at 490 $/t in the lever case only
    (rise 490): the schedule is the reason. With nothing rising, the highest value is named."""
    from types import SimpleNamespace

    from energy_routes.story import reason

    def run(rows):
        df = pd.DataFrame(rows, columns=["year", "constraint", "asset_or_route", "mean_usd_per_t", "periods_binding", "what"])
        return SimpleNamespace(binding=lambda: df)

    chronic = (2027, "source_route_limit", "other:btc", 70.0, 12, "the shipper limit binds")
    spike = (2027, "route_schedule", "btc", 490.0, 1, "BTC is at its schedule")
    assert reason(run([chronic, spike]), run([chronic]), 2027, set()) == "BTC is at its schedule in 2027"
    assert reason(run([chronic]), run([chronic]), 2027, set()) == "the shipper limit binds in 2027"
    assert reason(run([chronic, spike]), run([chronic]), 2027, {"btc"}) == "the shipper limit binds in 2027"


def test_a_levers_path_is_the_routes_it_changes_and_what_they_pass_through(story_dir):
    """Builder (builders.py): route ``cheap`` over ``pipe``, route ``spare`` over ``ship`` then ``spur``.
    wider-spur changes only the spur's capacity, so its path is route spare, both its assets and the
    source's pair a:spare, and nothing of route cheap; a lever that changes nothing has an empty path."""
    from energy_routes.load import load_inputs
    from energy_routes.params import oil_params
    from energy_routes.scenario import resolve
    from energy_routes.story import lever_path

    out, _ = story_dir
    inp = load_inputs(out.parent / "in")
    plain = oil_params(resolve(inp, "case"))
    spur = oil_params(resolve(inp, "case", ["wider-spur"]))
    path = lever_path(plain, spur)
    assert {"spare", "ship", "spur"} <= path and "cheap" not in path and "pipe" not in path
    assert {p for p in path if ":" in p} == {f"{s}:spare" for s, r in spur.pairs if r == "spare"}
    assert lever_path(plain, plain) == set()


def test_a_levers_reason_is_what_stops_crude_on_its_own_path():
    """story.reason with a path, on hand-made binding tables like the demo's (lever: bigger Aktau berths and a
    Supsa restart while CPC is cut in March). In the lever case the CPC tank farm is full in March (+500.22 $/t,
    the largest rise) and held at its working level in February (-486 $/t, a rule: store_hold), not on the
    lever's path. On the path: the Aktau tanks full (+492, 1 month), the Aktau berths full (+447.8), the tanker
    fleet (+41.6). A capacity ahead of a full tank is named: the berths, though the tank's value is higher. With a
    schedule (+492.22) and an acceptance (+482.22) on the path as well, the schedule (value within 1 $/t of
    the top, and first in model.registry.EXPLAIN_FIRST, before the tank)."""
    from types import SimpleNamespace

    from energy_routes.story import reason

    def run(rows):
        df = pd.DataFrame(rows, columns=["year", "constraint", "asset_or_route", "mean_usd_per_t", "periods_binding", "what"])
        return SimpleNamespace(binding=lambda: df)

    chronic = (2027, "source_route_limit", "other:btc", 60.0, 12, "the limit on other fields via BTC binds")
    lever = [
        chronic,
        (2027, "store_level", "cpc_tank_farm", 500.22, 1, "the CPC tank farm is full"),
        (2027, "store_hold", "cpc_tank_farm", -486.1, 1, "the CPC tank farm is held at its working level"),
        (2027, "store_level", "aktau_tanks", 492.22, 1, "the Aktau tanks are full"),
        (2027, "asset_capacity", "aktau_berths", 447.8, 1, "Aktau oil berths is full"),
        (2027, "asset_capacity", "tanker_fleet", 41.6, 1, "the tanker fleet is full"),
    ]
    path = {"supsa", "aktau_berths", "tanker_fleet", "aktau_tanks", "kashagan:supsa"}
    assert reason(run(lever), run([chronic]), 2027, {"cpc_terminal"}) == "the CPC tank farm is full in 2027"  # no path: largest rise
    assert reason(run(lever), run([chronic]), 2027, {"cpc_terminal"}, path) == "Aktau oil berths is full in 2027"
    more = lever + [(2027, "route_schedule", "btc", 492.22, 1, "Caspian+BTC is at its planned schedule"),
                    (2027, "acceptance", "socar_btc", 482.22, 1, "SOCAR accepts no more")]
    assert reason(run(more), run([chronic]), 2027, {"cpc_terminal"}, path | {"btc", "socar_btc"}) == "Caspian+BTC is at its planned schedule in 2027"
    # only a full tank on the path: then the tank is the reason
    tank_only = [chronic, (2027, "store_level", "aktau_tanks", 492.22, 1, "the Aktau tanks are full")]
    assert reason(run(tank_only), run([chronic]), 2027, set(), path) == "the Aktau tanks are full in 2027"
    # a rule of behaviour (model.registry.RULES) is what foresight would be worth, not what stops the crude: a tank
    # held at its working level (-900 $/t, the largest rise) gives way to the berths (+447.8), with or without a
    # path; alone (only rules bind besides the chronic limit, whose value does not rise) it is named
    held = [chronic, (2027, "store_hold", "aktau_tanks", -900.0, 1, "the Aktau tanks are held at their working level"),
            (2027, "asset_capacity", "aktau_berths", 447.8, 1, "Aktau oil berths is full")]
    assert reason(run(held), run([chronic]), 2027, set()) == "Aktau oil berths is full in 2027"
    assert reason(run(held), run([chronic]), 2027, set(), path) == "Aktau oil berths is full in 2027"
    rules_only = [(2027, "store_hold", "aktau_tanks", -900.0, 1, "the Aktau tanks are held at their working level")]
    assert reason(run(rules_only), run([]), 2027, set()) == "the Aktau tanks are held at their working level in 2027"
