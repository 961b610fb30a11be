"""The hedge folder's deliverables and resume: the Hedge sheets and page show the CSVs' numbers; an interrupted
``--frontier`` run resumes without recomputing its finished points.

The numbers are read back from the written files (openpyxl for the workbook,
the standard library's HTML parser for the page) and compared with
``hedge_summary.csv``, ``hedge_levers.csv`` and ``hedge_frontier.csv`` as
written, so a mislabelled, shifted or rounded cell fails.
"""

from __future__ import annotations

import json
import math
import re
from html.parser import HTMLParser

import numpy as np
import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from pytest import approx
from test_hedge import write_hazard_inputs

from energy_routes.cli import main
from energy_routes.hedge import checkpoint
from energy_routes.hedge.api import Request, run
from energy_routes.sweep.engine import Interrupted


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("hedge_out")
    inputs = write_hazard_inputs(root / "in")
    out = root / "h"
    r = CliRunner().invoke(main, ["hedge", "case", "--inputs", str(inputs), "--draws", "6", "--cvar", "0.5:0.2", "--frontier", "--frontier-alpha", "0.8", "--oos-draws", "3", "--out", str(out)])
    assert r.exit_code == 0, r.output
    return out


def _same(cell, value) -> bool:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return cell is None
    if isinstance(value, str):
        return cell == value
    return cell == approx(float(value), rel=1e-9, abs=1e-12)


def _rows(ws) -> list[tuple]:
    return list(ws.iter_rows(values_only=True))


def test_hedge_sheet_holds_every_summary_number(folder):
    s = pd.read_csv(folder / "hedge_summary.csv").iloc[0]
    wb = openpyxl.load_workbook(folder / "tables.xlsx", read_only=True)
    assert wb.sheetnames[:2] == ["Contents", "Hedge"]
    rows = _rows(wb["Hedge"])
    assert [c.lower() for c in rows[0][:4]] == ["column of hedge_summary.csv", "quantity", "unit", "value"]
    got = {r[0]: r for r in rows[1:]}
    assert set(got) == set(s.index)  # every column of the CSV, once
    for col, v in s.items():
        assert _same(got[col][3], v), (col, got[col], v)
    # the headline quantities carry words and units
    assert got["evpi_musd_per_yr"][1].startswith("EVPI") and got["evpi_musd_per_yr"][2] == "M$/yr"
    assert got["p90_shut_in_mt_per_yr"][1:3] == ("P90 shut in", "Mt/yr")
    assert got["no_levers_p90_shut_in_mt_per_yr"][1] == "without levers: P90 shut in"
    assert got["draws"][1] == "in-sample draws" and got["ws_musd_per_yr"][1].startswith("WS")
    assert got["cvar50_lost_netback_musd_per_yr"][1] == "CVaR50 of lost netback"
    assert got["oos_gain_ci95_low_musd_per_yr"][1] == "out of sample: gain against no levers, 95% CI low"


@pytest.mark.parametrize("csv, sheet", [("hedge_levers.csv", "Hedge levers"), ("hedge_frontier.csv", "Hedge frontier"), ("hedge_draws.csv", "Hedge draws")])
def test_table_sheets_equal_their_csv(folder, csv, sheet):
    df = pd.read_csv(folder / csv)
    rows = _rows(openpyxl.load_workbook(folder / "tables.xlsx", read_only=True)[sheet])
    assert len(rows) == len(df) + 1 and len(rows[0]) == df.shape[1]
    for i, rec in enumerate(df.itertuples(index=False)):
        for j, v in enumerate(rec):
            assert _same(rows[i + 1][j], v), (csv, i, df.columns[j], rows[i + 1][j], v)


class _Page(HTMLParser):
    """Tables of the page by the id of the heading before them (cell text), the headline, and tags with a source."""

    def __init__(self):
        super().__init__()
        self.tables, self.headline, self.sources = {}, "", []
        self._id, self._cell, self._row, self._in_headline, self._in_script = None, None, None, False, False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for k in ("src", "href"):
            if a.get(k):
                self.sources.append((tag, a[k]))
        if tag in ("link", "iframe", "object", "embed"):
            self.sources.append((tag, a.get("href") or a.get("src") or ""))
        if tag == "h3" and a.get("id"):
            self._id = a["id"]
            self.tables[self._id] = []
        elif tag == "tr" and self._id:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = ""
        elif tag == "p" and a.get("id") == "headline":
            self._in_headline = True

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append(self._cell)
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[self._id].append(self._row)
            self._row = None
        elif tag == "p":
            self._in_headline = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data
        if self._in_headline:
            self.headline += data


def _num(text: str) -> float:
    return float(text.replace(",", "").replace("%", ""))


def test_page_shows_the_numbers_and_opens_offline(folder):
    text = (folder / "report.html").read_text(encoding="utf-8")
    page = _Page()
    page.feed(text)
    s = pd.read_csv(folder / "hedge_summary.csv").iloc[0]
    lv = pd.read_csv(folder / "hedge_levers.csv")
    # the headline in words: the chosen levers, their cost, the gain and P90 shut-in, as in the CSVs
    h = page.headline
    assert h.startswith("Over 6 disruption draws of case, the best portfolio")
    for r in lv.itertuples():
        if abs(r.level) > 1e-9:
            assert f"{r.lever} at {r.level:,.3g} {r.unit}" in h
    if (lv["level"].abs() > 1e-9).any():
        assert f"for {s['lever_cost_musd_per_yr']:,.1f} M$/yr" in h
    gain = s["expected_result_musd_per_yr"] - s["no_levers_expected_result_musd_per_yr"]
    assert f"raises the expected result by {gain:,.1f} M$/yr" in h
    assert f"from {s['no_levers_p90_shut_in_mt_per_yr']:,.2f} to {s['p90_shut_in_mt_per_yr']:,.2f} Mt/yr" in h
    assert f"{s['oos_gain_ci95_low_musd_per_yr']:,.1f} to {s['oos_gain_ci95_high_musd_per_yr']:,.1f}" in h
    # the Hedge table: every summary value, shown to two decimals (draws as whole numbers)
    rows = {r[0]: r for r in page.tables["table-hedge"][1:]}
    assert set(rows) == set(s.index)
    for col, v in s.items():
        if isinstance(v, float) and math.isnan(v):
            assert rows[col][3] == ""
        else:
            assert _num(rows[col][3]) == approx(float(v), abs=0.0051 + 5e-15 * abs(v)), col
    # the levers table: level and cost of each lever
    lrows = page.tables["table-hedge-levers"]
    head = lrows[0]
    for r, cells in zip(lv.itertuples(), lrows[1:]):
        assert cells[0] == r.lever
        assert _num(cells[head.index("chosen level")]) == approx(r.level, abs=0.0051)
        assert _num(cells[head.index("annual cost (M$/yr)")]) == approx(r.cost_musd_per_yr, abs=0.051)
    # the frontier chart: its points are the frontier CSV's (CVaR, expected result)
    fr = pd.read_csv(folder / "hedge_frontier.csv")
    at = text.index('"hedge-frontier",', text.index("Plotly.newPlot")) + len('"hedge-frontier",')
    data, _ = json.JSONDecoder().raw_decode(text[at:].lstrip())
    cv = next(c for c in fr.columns if c.startswith("cvar8"))
    assert data[0]["x"] == approx(fr[cv].tolist(), rel=1e-9)
    assert data[0]["y"] == approx(fr["expected_result_musd_per_yr"].tolist(), rel=1e-9)
    # offline: nothing fetched from anywhere (no linked script, stylesheet, image or frame); plotly.js is inline
    assert page.sources == [], page.sources
    assert len(re.findall(r"<script\b[^>]*>", text)) >= 2
    assert not re.search(r"<script\b[^>]*\bsrc=", text)
    assert (folder / "hedge_frontier.png").stat().st_size > 1000


# ----------------------------------------------------------------------------- resume


def test_interrupted_frontier_resumes_and_recomputes_only_the_missing_point(tmp_path, monkeypatch):
    inputs = write_hazard_inputs(tmp_path / "in")
    req = dict(inputs_dir=inputs, draws=6, seed=3, frontier=(0.0, 0.5), frontier_alpha=0.8, oos_draws=3, evpi=False)
    events: list[tuple[str, str]] = []

    def stop_after_first_point(event, name):
        events.append((event, name))
        if event == "saved" and name.startswith("frontier-"):
            raise KeyboardInterrupt

    monkeypatch.setattr(checkpoint, "HOOK", stop_after_first_point)
    out = tmp_path / "h"
    with pytest.raises(Interrupted, match="run the same command again"):
        run(Request("case", **req, out=out))
    assert not out.exists()
    staging = list(tmp_path.glob(".hedge-staging-*"))
    assert len(staging) == 1
    assert sorted(p.name for p in staging[0].glob("*.npz")) == sorted([n + ".npz" for e, n in events if e == "saved"])
    assert ("saved", "frontier-0.0") in events and ("saved", "oos-none") in events

    events.clear()
    monkeypatch.setattr(checkpoint, "HOOK", lambda e, n: events.append((e, n)))
    run(Request("case", **req, out=out))
    loaded = sorted(n for e, n in events if e == "loaded")
    saved = [n for e, n in events if e == "saved"]
    assert saved == ["frontier-0.5"]  # only the missing point was computed
    assert "frontier-0.0" in loaded and "oos-none" in loaded and len(loaded) == 3
    assert not staging[0].exists()  # removed once the folder is written

    # the resumed folder equals a run that was never interrupted (which recomputes everything)
    events.clear()
    fresh = run(Request("case", **req, out=tmp_path / "fresh"))
    assert not [n for e, n in events if e == "loaded"]
    for name in ("hedge_frontier.csv", "hedge_summary.csv", "hedge_levers.csv"):
        a, b = pd.read_csv(out / name), pd.read_csv(fresh / name)
        drop = [c for c in a.columns if c == "ef_seconds"]
        pd.testing.assert_frame_equal(a.drop(columns=drop), b.drop(columns=drop), rtol=1e-9)

    # another request (more out-of-sample draws) never reads these pieces
    events.clear()
    run(Request("case", **{**req, "oos_draws": 4}, out=tmp_path / "other"))
    assert not [n for e, n in events if e == "loaded"]
    assert np.isfinite(pd.read_csv(tmp_path / "other" / "hedge_summary.csv")["oos_ci95_low_musd_per_yr"]).all()
