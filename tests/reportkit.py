"""Shared set-up for the report and compare tests: hand-solvable builder runs written through the CLI.

The builder network (see builders.py): supply 36.5 Mt/yr from source ``a``;
routes ``cheap`` (netback 590 $/t, asset ``pipe`` 20 Mt/yr), ``dear`` (560 $/t,
``ship`` then ``link``) and ``spare`` (530 $/t, ``ship`` then ``spur``), with
``ship`` 10 Mt/yr shared by dear and spare; shut-in costs 50 $/t. By hand:
cheap 20 Mt, dear 10 Mt, spare 0, shut in 6.5 Mt; one more tonne of pipe is
worth 590 + 50 = 640 $/t and of ship 560 + 50 = 610 $/t in every month.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from builders import power_tables, write_inputs
from energy_routes.cli import main

#: a wind fleet of 1,000 MW at a constant capacity factor of 0.5 (500 MW every hour) and a 300 MW cable
WIND_MW, CABLE_MW, WIND_CF = 1000, 300, 0.5
POWER = {"power": {"enabled": True, "years": [2023]}}
EVENT = {"id": "pipe_out", "target": "pipe", "start": "2023-03-01", "end": "2023-03-10", "remaining": 0.0, "ramp_days": 5}

SOURCES_MD = """# Sources

## Supply (`supply.csv`)

| file | field | value | unit | year | source / publication | link or document | status |
|---|---|---|---|---|---|---|---|
| supply.csv | a | 36.5 | Mt/yr | 2023 | **Test** figure | [doc](https://example.org/doc) | Assumption |
| supply.csv | b | 0 | Mt/yr | 2023 | Test figure | none | Assumption |

## Index

| file | what it holds |
|---|---|
| supply.csv | supply |
"""


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def case_inputs(folder: Path, scenario: dict | None = None, *, power: bool = True, sources_md: bool = True) -> Path:
    tables = power_tables(WIND_MW, CABLE_MW, converter_loss=0.01) if power else None
    sc = {**(POWER if power else {}), **(scenario or {})}
    write_inputs(folder, tables, sc, wind=WIND_CF)
    if sources_md:
        (folder / "SOURCES.md").write_text(SOURCES_MD, encoding="utf-8")
    return folder


def run_case(inputs: Path, out: Path, *extra: str) -> Path:
    res = invoke("run", "case", "--inputs", inputs, "--out", out, *extra)
    assert res.exit_code == 0, res.output + str(res.exception)
    return out


def browser_paths() -> tuple[str | None, str | None]:
    """(chromium binary, chromedriver binary) if installed."""
    browser = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)
    driver = shutil.which("chromedriver") or (Path("/usr/lib/chromium/chromedriver").exists() and "/usr/lib/chromium/chromedriver") or None
    return browser, driver


def headless_chrome(browser: str, driver: str):
    """A headless Chromium session on the system chromedriver (named explicitly, so selenium-manager never tries
    to download one), with the browser console logged; a generator for a module-scoped ``driver`` fixture."""
    import pytest

    pytest.importorskip("selenium", reason="selenium is not installed (pip install -e '.[test]')")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = browser
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--window-size=1400,1000"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    drv = webdriver.Chrome(service=Service(executable_path=driver), options=opts)
    drv.set_page_load_timeout(60)
    yield drv
    drv.quit()
