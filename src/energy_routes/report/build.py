"""Build the deliverables of a run folder: ``tables.xlsx``, ``report.html`` and the slide PNGs.

Reads the run folder (CSV tables and ``manifest.json``, see
:mod:`energy_routes.report.rundata`) and writes into the same folder (or
``out_dir``). Each file is written under a temporary name and renamed when
complete, so an interrupted report never leaves a half-written file.
"""

from __future__ import annotations

import html
import os
import tempfile
import time
from pathlib import Path

from ..writers import readable_as_umask_allows
from . import charts as ch
from . import power as report_power
from .html import figure_html, kpi_html, page, table_html
from .png import write_pngs
from .rundata import RunData, load_run
from .tables import Sheet, deliverable_sheets
from .workbook import write_workbook

WORKBOOK = "tables.xlsx"
REPORT = "report.html"
#: tables shown open in the HTML report; the others are folded away (all are in the workbook)
OPEN_TABLES = ("Summary by year", "Binding constraints", "Balance", "Power summary")
HTML_MAX_ROWS = 2000


def atomic_write(path: Path, write) -> Path:
    """Call ``write(tmp_path)`` then rename the temporary file to ``path``."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.partial-", dir=path.parent, suffix=path.suffix)
    os.close(fd)
    tmp = Path(tmp)
    try:
        write(tmp)
        readable_as_umask_allows(tmp, directory=False)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def kpis(data: RunData) -> list[tuple[str, str]]:
    """The headline cards: the disrupted year and window when the run has events, else the horizon."""
    ann = data.tables["allocation_annual"]
    bal = data.tables["balance_monthly"]
    fc = data.focus
    if fc is not None:
        year = fc.year
        a, b = ann[ann.year == year], bal[bal.period.str.startswith(str(year))]
        window = bal[bal.period.isin(fc.months)]
        items = [
            ("disruption " + ", ".join(fc.events), fc.window_text),
            (f"shut in, Mt, {fc.months_text}", f"{window.shut_in_kt.sum() / 1000:,.2f}"),
            (f"shut in, Mt, {year}", f"{b.shut_in_kt.sum() / 1000:,.2f}"),
            (f"exported, Mt, {year}", f"{b.exported_kt.sum() / 1000:,.1f}"),
            (f"export netback, M$, {year}", f"{a.netback_musd.sum():,.0f}"),
        ]
        top = a.groupby("route").volume_mt.sum().sort_values(ascending=False)
        if len(top) and top.iloc[0] > 0:
            items.append((f"largest route, share of exports, {year}", f"{data.route_label(top.index[0])} {top.iloc[0] / top.sum():.0%}"))
    else:
        years = data.years
        span = f"{years[0]}" if len(years) == 1 else f"{years[0]}-{years[-1]}"
        per = f" per year, {span}" if len(years) > 1 else f", {span}"
        n = max(len(years), 1)
        items = [
            (f"exported, Mt{per}", f"{bal.exported_kt.sum() / 1000 / n:,.1f}"),
            (f"shut in, Mt{per}", f"{bal.shut_in_kt.sum() / 1000 / n:,.2f}"),
            (f"export netback, M${per}", f"{ann.netback_musd.sum() / n:,.0f}"),
        ]
        top = ann.groupby("route").volume_mt.sum().sort_values(ascending=False)
        if len(top) and top.iloc[0] > 0:
            items.append(("largest route, share of exports", f"{data.route_label(top.index[0])} {top.iloc[0] / top.sum():.0%}"))
    items += report_power.power_kpis(data)
    return items


def binding_html(data: RunData) -> str:
    """The binding constraints in words, for the disrupted year (or the most valuable ones)."""
    from ..explain import selected

    fc = data.focus
    year = fc.year if fc is not None else (data.years[0] if len(data.years) == 1 else None)
    heading, lines, more = selected(data.binding(), year)
    if not lines:
        return "<p>No constraint binds: every capacity and limit has room to spare.</p>"
    items = "".join(f"<li>{html.escape(s)}</li>" for s in lines)
    tail = f'<p class="caption">{more} more in the Binding constraints table below, tables.xlsx and binding_constraints.csv.</p>' if more else ""
    return f'<h3>{html.escape(heading)}</h3><ul class="binding">{items}</ul>{tail}'


def report_html(data: RunData, charts: list[ch.Chart], sheets: list[Sheet]) -> str:
    sc = data.scenario
    hz = sc.get("horizon") or {}
    m = data.manifest
    title = f"{data.label}: Kazakh crude export routes"
    parts = [
        f"<h1>{html.escape(title)}</h1>",
        f"<p>{html.escape(str(sc.get('description') or ''))}</p>",
        '<p class="meta">'
        + " · ".join(
            html.escape(x)
            for x in (
                f"horizon {hz.get('start', '?')} to {hz.get('end', '?')}",
                f"run {m.get('created_utc', '')}",
                f"folder {data.shown.name}",
                f"git {str(m.get('git_commit') or '')[:10]}",
                f"oil LP {((m.get('solver') or {}).get('oil') or {}).get('status', '')}",
            )
        )
        + "</p>",
        kpi_html(kpis(data)),
    ]
    parts += [f'<p class="note">{html.escape(n)}</p>' for n in data.scenario_notes + data.notes]
    nav = [(c.id, c.title) for c in charts] + [("scenario", "Scenario and events"), ("tables", "Tables")]
    parts.append("<nav>" + "".join(f'<a href="#sec-{i}">{html.escape(t)}</a>' for i, t in nav) + "</nav>")
    for c in charts:
        parts.append(f'<section id="sec-{c.id}"><h2>{html.escape(c.title)}</h2><p class="caption">{html.escape(c.caption)}</p>')
        parts.append(c.html if c.html is not None else figure_html(c.figure, c.id))
        if c.id == "shadow-prices":
            parts.append(binding_html(data))
        parts.append("</section>")
    by_name = {s.name: s for s in sheets}
    parts.append('<section id="sec-scenario"><h2>Scenario and events</h2>')
    parts.append(table_html(by_name["Scenario"]))
    parts.append("<h3>Disruption events</h3>")
    parts.append(table_html(by_name["Events"]) if len(by_name["Events"].frame) else "<p>The scenario has no disruption events.</p>")
    parts.append("</section>")
    parts.append('<section id="sec-tables"><h2>Tables</h2><p class="caption">Every table is also in tables.xlsx (one sheet each) and as CSV in the run folder.</p>')
    for s in sheets:
        if s.name in ("Scenario", "Events"):
            continue
        body = f'<p class="caption">{html.escape(s.title)}</p>' + table_html(s, HTML_MAX_ROWS)
        if s.name in OPEN_TABLES:
            parts.append(f"<h3>{html.escape(s.name)}</h3>{body}")
        else:
            parts.append(f"<details><summary>{html.escape(s.name)} ({len(s.frame):,} rows)</summary>{body}</details>")
    parts.append(f'<p class="caption">The hourly power tables ({len(data.tables["power_hourly"]):,} and {len(data.tables["power_prices"]):,} rows) are in power_hourly.csv and power_prices.csv.</p>')
    parts.append("</section>")
    return page(title, "\n".join(parts))


def build_report(
    run_dir: str | Path, out_dir: str | Path | None = None, *, pngs: bool = True, shown_as: str | Path | None = None
) -> tuple[list[Path], dict[str, float]]:
    """Write tables.xlsx, report.html and the PNG charts for a run folder; returns (files, seconds per step).

    ``shown_as``: the run folder's final name when it is being written under a temporary one.
    """
    times: dict[str, float] = {}
    t0 = time.perf_counter()
    data = load_run(run_dir, shown_as=shown_as)
    out = Path(out_dir) if out_dir is not None else data.folder
    out.mkdir(parents=True, exist_ok=True)
    times["read"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    sheets = deliverable_sheets(data)
    written = [atomic_write(out / WORKBOOK, lambda p: write_workbook(sheets, p, f"{data.name}: energy_routes tables"))]
    times["workbook"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    charts = ch.all_charts(data)
    text = report_html(data, charts, sheets)
    written.append(atomic_write(out / REPORT, lambda p: p.write_text(text, encoding="utf-8")))
    times["html"] = time.perf_counter() - t0
    if pngs:
        t0 = time.perf_counter()
        with tempfile.TemporaryDirectory(dir=out, prefix=".png.partial-") as tmp:
            for p in write_pngs(data, Path(tmp)):
                os.replace(p, out / p.name)
                written.append(out / p.name)
        times["png"] = time.perf_counter() - t0
    return written, times


def report_files(folder: Path) -> list[Path]:
    """The deliverables present in a folder (for listing after a run)."""
    names = [WORKBOOK, REPORT]
    return [folder / n for n in names if (folder / n).exists()] + sorted(folder.glob("chart-*.png"))


__all__ = ["build_report", "report_files", "WORKBOOK", "REPORT"]
