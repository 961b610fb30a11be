"""The map: every drawn leg carries its routes' volume, the disrupted asset is marked, the PNG is written,
and (in headless Chromium) the map and the risk exceedance page draw every named element without console errors.

The run is the shipped base-2024 with two of the three CPC moorings out in March 2024.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest
from reportkit import browser_paths, headless_chrome, invoke

from energy_routes.report.map import disrupted_marks, fields, segments
from energy_routes.report.mapdata import load_map
from energy_routes.report.rundata import load_run


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory, shipped_inputs):
    out = tmp_path_factory.mktemp("map") / "two-spms"
    res = invoke("run", "base-2024", "--inputs", shipped_inputs, "--override", "cpc-two-spms-out-mar-2024", "--no-power", "--out", out, "--quiet")
    assert res.exit_code == 0, res.output
    return out


def test_the_shipped_map_files_hold_together(shipped_inputs):
    m = load_map(shipped_inputs)
    assert m is not None and len(m.outline) >= 20
    from energy_routes.load import load_inputs
    from energy_routes.network import build_network

    net = build_network(load_inputs(shipped_inputs).tables)
    # every drawn leg is an asset on an arc into that route's outlet (arcs.csv), and every place it names has
    # coordinates inside the box
    on_route = {(r, a) for r, assets in net.route_assets.items() for a in assets}
    drawn = set(zip(m.paths.route, m.paths.asset))
    assert drawn <= on_route, drawn - on_route
    assert {r for r in net.routes if r != "rail"} == set(m.paths.route)  # rail has no single path
    places = set(m.places.place)
    x0, y0, x1, y1 = m.box
    for path in m.paths.path:
        assert set(path.split()) <= places, path
    assert m.places.lon.between(x0, x1).all() and m.places.lat.between(y0, y1).all()


def test_legs_carry_their_routes_volume_and_the_disrupted_asset_is_marked(run_dir):
    data = load_run(run_dir)
    seg = segments(data, data.map)
    ann = data.tables["allocation_annual"].set_index("route")
    cpc = seg[seg.asset == "cpc_pipeline"]
    assert np.allclose(cpc.volume_mt, ann.at["cpc", "volume_mt"]) and np.allclose(cpc.volume_kbd, ann.at["cpc", "volume_kbd"])
    # the Caspian tanker leg to Sangachal carries BTC and Baku-Supsa; the one to Makhachkala only Makhachkala
    to_baku = seg[(seg.asset == "trans_caspian_tankers") & (seg.b == "sangachal")].volume_mt.iloc[0]
    assert to_baku == pytest.approx(ann.at["btc", "volume_mt"] + ann.at["baku_supsa", "volume_mt"])
    to_mkh = seg[(seg.asset == "trans_caspian_tankers") & (seg.b == "makhachkala")].volume_mt.iloc[0]
    assert to_mkh == pytest.approx(ann.at["makhachkala", "volume_mt"])
    assert set(seg[seg.disrupted].asset) == {"cpc_terminal"}
    marks = disrupted_marks(seg, data)
    assert marks.note.tolist() == ["CPC marine terminal: 33% left, 01 Mar - 31 Mar 2024"]
    f = fields(data, data.map).set_index("source")
    sh = data.tables["shut_in_monthly"].groupby("source").supply_kt.sum() / 1000
    assert f.supply_mt.to_dict() == pytest.approx(sh.to_dict())
    assert (run_dir / "chart-map.png").read_bytes()[:4] == b"\x89PNG"


BROWSER, DRIVER = browser_paths()
needs_browser = pytest.mark.skipif(BROWSER is None or DRIVER is None, reason="no headless Chromium or chromedriver (apt-get install chromium chromium-driver; `make test` tries this)")


@pytest.fixture(scope="module")
def driver():
    yield from headless_chrome(BROWSER, DRIVER)


def _open(driver, path):
    driver.get_log("browser")
    driver.get(path.resolve().as_uri())
    deadline = time.time() + 30
    while time.time() < deadline and driver.execute_script("return document.readyState") != "complete":
        time.sleep(0.1)


def _drawn(driver, cid: str) -> dict:
    return driver.execute_script(
        """
        const el = document.getElementById(arguments[0]);
        if (!el) return {found: false};
        const names = (el.data || []).filter(t => t.visible !== false).map(t => t.name || '');
        return {found: true, plotted: !!el._fullLayout, svgs: el.querySelectorAll('.main-svg').length,
                lines: el.querySelectorAll('.scatterlayer .trace').length, names: names,
                height: el.getBoundingClientRect().height};
        """,
        cid,
    )


@needs_browser
def test_map_draws_every_named_element_offline(driver, run_dir, tmp_path):
    _open(driver, run_dir / "report.html")
    r = _drawn(driver, "map")
    assert r["found"] and r["plotted"] and r["svgs"] >= 1 and r["height"] > 300, r
    names = r["names"]
    assert "countries" in names and "places" in names and "sources 2024" in names and "disrupted 2024" in names
    for asset in ("cpc_pipeline", "cpc_terminal", "atyrau_samara_pipeline", "kazakhstan_china_pipeline", "btc_pipeline", "trans_caspian_tankers"):
        assert f"{asset} 2024" in names, asset
    assert r["lines"] >= len(names)  # every visible trace has its drawing
    logs = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
    assert not logs, logs
    assert driver.save_screenshot(str(tmp_path / "map.png"))


@needs_browser
def test_exceedance_page_draws_both_curves(driver, tmp_path):
    from energy_routes.report.exceedance import write_exceedance

    rng = np.random.default_rng(1)
    years = pd.DataFrame({"lever": ["none"] * 50 + ["lever-x"] * 50, "draw": list(range(50)) * 2, "year": 2027,
                          "extra_shut_in_mt": np.r_[rng.exponential(0.5, 50), rng.exponential(0.2, 50)],
                          "lost_netback_musd": np.r_[rng.exponential(200, 50), rng.exponential(80, 50)]})
    page, png = write_exceedance(years, tmp_path, "test risk")
    assert png.read_bytes()[:4] == b"\x89PNG"
    _open(driver, page)
    for cid in ("exceedance-shut-in", "exceedance-netback"):
        r = _drawn(driver, cid)
        assert r["found"] and r["plotted"] and r["svgs"] >= 1, r
        assert {"none", "lever-x", "P90 none", "P90 lever-x"} <= set(r["names"]), r["names"]
    logs = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
    assert not logs, logs
