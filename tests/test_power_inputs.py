"""Bad power inputs: exit 2, file, line and field named, nothing written (docs/validation.md).

Each case breaks one thing in a builder folder that has a cable in service and
the power block on (so ``run`` reaches the power tables, the hourly profiles
included, which are read on first use), and checks both ``validate`` and ``run``.
Rows follow tests/builders.py: power_generators.csv wind 2; power_links.csv the
cable 2; power_stores.csv battery 2; power_offtake.csv az 2; power_profiles.csv
weather year 1, hour h on line h + 2.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from builders import power_tables, write_inputs, write_profiles
from energy_routes.cli import main

POWER = {"power": {"enabled": True, "years": [2023]}}


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def replace_line(path: Path, lineno: int, text: str) -> None:
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[lineno - 1] = text
    path.write_text("\n".join(lines), encoding="utf-8")


def edit_power(settings: dict):
    def breaks(folder: Path) -> None:
        path = folder / "scenarios.yaml"
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        doc["base"]["power"].update(settings)
        path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")

    return breaks


def line(table: str, lineno: int, text: str):
    return lambda folder: replace_line(folder / f"{table}.csv", lineno, text)


def cut_profiles(folder: Path) -> None:
    path = folder / "power_profiles.csv"
    path.write_text("\n".join(path.read_text(encoding="utf-8").splitlines()[:5001]) + "\n", encoding="utf-8")


GEN = "wind,{node},wind,mangystau_wind,{cap},2023,0,"
LINK = "trans_caspian_cable,{a},{b},hvdc_submarine,{cap},2023,400,0.0,{conv},0"
STORE = "battery,kz,0,0,{rte},0,0,2023,"
OFF = "2023,az,,,{value},,,,,"

CASES = {
    # file, line, column, what the message says
    "unknown node": (line("power_generators", 2, GEN.format(node="xx", cap=1000)), "power_generators.csv", 2, "node", "got 'xx'; expected a node listed in power_nodes.csv"),
    "link to an unknown node": (line("power_links", 2, LINK.format(a="kz", b="eu", cap=300, conv=0)), "power_links.csv", 2, "to_node", "got 'eu'; expected a node listed in power_nodes.csv"),
    "negative capacity": (line("power_links", 2, LINK.format(a="kz", b="az", cap=-5, conv=0)), "power_links.csv", 2, "capacity_mw", "got '-5'; expected a number in [0, 20000] (MW)"),
    "capacity in kW (unit slip)": (line("power_generators", 2, GEN.format(node="kz", cap=1000000)), "power_generators.csv", 2, "capacity_mw", "1e+06 looks like kW (1000 MW)"),
    "link from a node to itself": (line("power_links", 2, LINK.format(a="kz", b="kz", cap=300, conv=0)), "power_links.csv", 2, "to_node", "starts and ends at node 'kz'"),
    "round-trip efficiency above 1": (line("power_stores", 2, STORE.format(rte=1.2)), "power_stores.csv", 2, "round_trip_efficiency", "got '1.2'; expected a number in [0.05, 1] (fraction)"),
    "round-trip efficiency in %": (line("power_stores", 2, STORE.format(rte=85)), "power_stores.csv", 2, "round_trip_efficiency", "if 85 is a percentage, write 0.85"),
    "converter loss in %": (line("power_links", 2, LINK.format(a="kz", b="az", cap=300, conv=1)), "power_links.csv", 2, "converter_loss", "if 1 is a percentage, write 0.01"),
    "price in $/kWh": (line("power_offtake", 2, OFF.format(value=0.05)), "power_offtake.csv", 2, "value_usd_per_mwh", "0.05 looks like $/kWh (50 $/MWh)"),
    "price in $/GWh": (line("power_offtake", 2, OFF.format(value=50000)), "power_offtake.csv", 2, "value_usd_per_mwh", "got '50000'; expected a number in [0, 1000] ($/MWh)"),
    "offtake valued twice": (line("power_offtake", 2, "2023,az,,,50,,300,280,,"), "power_offtake.csv", 2, "value_usd_per_mwh", "value the offtake one way"),
    "profile not 8,760 hours": (cut_profiles, "power_profiles.csv", 5001, "hour", "weather_year 1 has 5000 data rows, the last on line 5001; expected 8760"),
    "price profile in $/MWh": (lambda f: write_profiles(f, 0.5, 0.0, romania_price=[87.0] * 8760), "power_profiles.csv", None, "romania_price", "expected a number in [0, 5] (ratio to the annual mean)"),
    "price shape not a ratio": (lambda f: write_profiles(f, 0.5, 0.0, romania_price=[2.0] * 8760), "power_profiles.csv", 8761, "romania_price", "romania_price of weather_year 1 has mean 2; expected a ratio to the weather year's mean"),
    "wind plant on a solar profile": (line("power_generators", 2, "wind,kz,wind,mangystau_solar,1000,2023,0,"), "power_generators.csv", 2, "profile", "a wind plant reads profile 'mangystau_solar'"),
}
SETTINGS = {
    "unknown weather year": (edit_power({"weather_years": [7]}), "power.weather_years", "weather year 7 is not in power_profiles.csv (it has 1)"),
    "share of an unknown country": (edit_power({"shares": [{"link": "trans_caspian_cable", "country": "tm", "max_share": 0.5}]}), "power.shares[0].country", "unknown country 'tm'"),
    "share above 1": (edit_power({"shares": [{"link": "trans_caspian_cable", "country": "kz", "max_share": 1.5}]}), "power.shares.0.max_share", "less than or equal to 1"),
    "unknown transit node": (edit_power({"transit_only": ["tbilisi"]}), "power.transit_only", "unknown node 'tbilisi'"),
    "extendable without planning": (edit_power({"extendable": [{"asset": "trans_caspian_cable", "max_mw": 1000}]}), "power.mode", "only sized in planning mode"),
    "sizing an unknown link": (edit_power({"sizing": {"link": "caspian_tunnel", "capacities_mw": [1000]}}), "power.sizing.link", "unknown link 'caspian_tunnel'"),
}


def folder_with_power(tmp_path: Path) -> Path:
    return write_inputs(tmp_path / "in", power_tables(1000, 300), POWER)


def assert_reported(stderr: str, file: str, lineno: int | None, column: str, expect: str) -> None:
    for p in stderr.split("\n  - "):
        if file in p and (lineno is None or re.search(rf"\bline {lineno}\b", p)) and column in p and " ".join(expect.split()) in " ".join(p.split()):
            return
    raise AssertionError(f"no problem names {file}, line {lineno}, {column!r} and says {expect!r}:\n{stderr}")


@pytest.mark.parametrize("case", list(CASES))
def test_bad_power_table(tmp_path, case, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")
    breaks, file, lineno, column, expect = CASES[case]
    folder = folder_with_power(tmp_path)
    breaks(folder)
    res = invoke("validate", folder)
    assert res.exit_code == 2, res.output
    assert_reported(res.stderr, file, lineno, column, expect)
    out = tmp_path / "runs" / "out"
    res = invoke("run", "case", "--inputs", folder, "--out", out)
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    assert_reported(res.stderr, file, lineno, column, expect)
    assert not out.exists() and not (tmp_path / "runs").exists()


@pytest.mark.parametrize("case", list(SETTINGS))
def test_bad_power_setting(tmp_path, case, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")
    breaks, column, expect = SETTINGS[case]
    folder = folder_with_power(tmp_path)
    breaks(folder)
    out = tmp_path / "out"
    res = invoke("run", "case", "--inputs", folder, "--out", out)
    assert res.exit_code == 2, res.output
    assert_reported(res.stderr, "scenarios.yaml", None, column, expect)
    assert not out.exists()


def test_oil_only_runs_do_not_read_the_profiles(tmp_path):
    # the profiles are broken, but a run without the power block never reads them
    folder = folder_with_power(tmp_path)
    cut_profiles(folder)
    res = invoke("run", "case", "--inputs", folder, "--out", tmp_path / "out", "--no-power", "--no-report", "-q")
    assert res.exit_code == 0, res.output
