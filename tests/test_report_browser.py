"""The HTML pages in a real browser: headless Chromium opens them offline, no console errors, every chart drawn.

Skipped (with the reason) only where no Chromium or chromedriver is
installed; ``make test`` installs both from the system packages when it can.
Screenshots are saved in the test's tmp_path.
"""

from __future__ import annotations

import time

import pytest

from reportkit import EVENT, browser_paths, case_inputs, headless_chrome, invoke, run_case

CHART_IDS = ["sankey", "volume-by-route", "route-capacity", "monthly", "utilisation", "shadow-prices", "power-duration", "power-curtailment", "power-week", "power-allocation"]

BROWSER, DRIVER = browser_paths()
pytestmark = pytest.mark.skipif(
    BROWSER is None or DRIVER is None,
    reason=f"no headless browser: chromium {'found' if BROWSER else 'not found'}, chromedriver {'found' if DRIVER else 'not found'} "
    "(apt-get install chromium chromium-driver; `make test` tries this)",
)


@pytest.fixture(scope="module")
def driver():
    yield from headless_chrome(BROWSER, DRIVER)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("browser")
    base = run_case(case_inputs(root / "in_a"), root / "a", "--no-report")  # compare needs only its tables
    disrupted = run_case(case_inputs(root / "in_b", {"events": [EVENT]}), root / "b")
    return base, disrupted


def open_page(driver, path):
    driver.get_log("browser")  # drop anything logged before
    driver.get(path.resolve().as_uri())
    deadline = time.time() + 30
    while time.time() < deadline and driver.execute_script("return document.readyState") != "complete":
        time.sleep(0.1)
    return driver


def rendered(driver, chart_id: str) -> dict:
    return driver.execute_script(
        """
        const el = document.getElementById(arguments[0]);
        if (!el) return {found: false};
        return {found: true, svgs: el.querySelectorAll('.main-svg').length,
                plotted: !!(el._fullLayout), traces: (el.data || []).length,
                nodes: el.querySelectorAll('.sankey-node').length,
                height: el.getBoundingClientRect().height};
        """,
        chart_id,
    )


def severe(logs: list[dict]) -> list[dict]:
    return [e for e in logs if e.get("level") == "SEVERE"]


def test_report_renders_every_chart_without_console_errors(driver, runs, tmp_path):
    page = runs[1] / "report.html"
    open_page(driver, page)
    for cid in CHART_IDS:
        r = rendered(driver, cid)
        assert r["found"], f"{cid}: no element"
        assert r["plotted"] and r["svgs"] >= 1, f"{cid}: not drawn ({r})"
        assert r["height"] > 100, f"{cid}: collapsed ({r})"
    # the Sankey drew its nodes: source a, assets pipe/ship/link, outlets cheap/dear, shut in
    assert rendered(driver, "sankey")["nodes"] == 7
    # the disruption window is drawn on the monthly chart
    shapes = driver.execute_script("return document.getElementById('monthly').layout.shapes.length")
    assert shapes >= 1
    logs = driver.get_log("browser")
    assert not severe(logs), severe(logs)
    driver.set_window_size(1400, min(20000, driver.execute_script("return document.body.scrollHeight")))
    shot = tmp_path / "report.png"
    assert driver.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000


def test_compare_page_renders(driver, runs, tmp_path):
    out = tmp_path / "cmp"
    res = invoke("compare", runs[0], runs[1], "--out", out, "--quiet")
    assert res.exit_code == 0, res.output
    open_page(driver, out / "compare.html")
    r = rendered(driver, "compare-chart")
    assert r["found"] and r["plotted"] and r["svgs"] >= 1, r
    assert not severe(driver.get_log("browser"))
    assert driver.save_screenshot(str(tmp_path / "compare.png"))


def test_heatmaps_page_renders(driver, tmp_path):
    import pandas as pd

    from energy_routes.report.heatmaps import write_heatmaps

    piv = pd.DataFrame([[0.0, 1.5], [2.0, 3.0]], index=pd.Index(["30 d", "60 d"], name="outage"), columns=pd.Index([0.0, 0.5], name="remaining"))
    (page, *_pngs) = write_heatmaps({"shut-in, Mt": piv}, tmp_path, "sweep")
    open_page(driver, page)
    r = rendered(driver, "heatmap-shut-in-mt")
    assert r["found"] and r["plotted"] and r["svgs"] >= 1, r
    assert not severe(driver.get_log("browser"))
