"""Self-contained HTML pages: plotly.js inlined once, charts as divs, tables as plain HTML (opens offline).

Reads nothing from disk: takes charts (:class:`~energy_routes.report.charts.Chart`)
and tables (:class:`~energy_routes.report.tables.Sheet`) and returns the page text.
"""

from __future__ import annotations

import html
import math
from functools import lru_cache

import plotly.io as pio
from plotly.offline import get_plotlyjs

from .tables import Sheet

PLOTLY_CONFIG = {"displaylogo": False, "responsive": True, "toImageButtonOptions": {"format": "png", "scale": 2}}

CSS = """
body { font-family: "Segoe UI", Helvetica, Arial, sans-serif; margin: 0 auto; max-width: 1280px; padding: 16px 28px; color: #222; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; margin-top: 1.8em; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
p.caption { color: #555; margin: 4px 0 8px; font-size: 0.92em; }
.meta { color: #555; font-size: 0.92em; }
.kpis { display: flex; flex-wrap: wrap; gap: 12px; margin: 14px 0; }
.kpi { background: #F3F6F9; border-radius: 6px; padding: 8px 14px; min-width: 140px; }
.kpi .v { font-size: 1.35em; font-weight: 600; }
.kpi .l { font-size: 0.82em; color: #555; }
.note { background: #FFF8E5; border-left: 4px solid #E69F00; padding: 6px 10px; font-size: 0.9em; }
nav a { margin-right: 12px; font-size: 0.92em; }
table.data { border-collapse: collapse; font-size: 0.85em; margin: 6px 0 14px; }
table.data th { background: #E8EEF4; text-align: left; padding: 4px 8px; position: sticky; top: 0; }
table.data td { padding: 3px 8px; border-bottom: 1px solid #eee; }
table.data td.num { text-align: right; font-variant-numeric: tabular-nums; }
.scroll { max-height: 460px; overflow: auto; }
details summary { cursor: pointer; font-weight: 600; margin: 8px 0; }
"""

_FMT = {
    "int": "{:.0f}",
    "kt": "{:,.1f}",
    "mt": "{:,.2f}",
    "kbd": "{:,.0f}",
    "pct": None,
    "musd": "{:,.1f}",
    "usdt": "{:,.2f}",
    "gwh": "{:,.1f}",
    "mwh": "{:,.1f}",
    "mw": "{:,.0f}",
    "num": "{:,.2f}",
}


@lru_cache(maxsize=1)
def plotly_js() -> str:
    """The plotly.js bundle shipped inside the plotly package (no network)."""
    return get_plotlyjs()


def fmt_cell(v, kind: str) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if kind == "text" or not isinstance(v, (int, float)):
        return html.escape(str(v))
    if kind == "pct":
        return f"{v * 100:.1f}%"
    return _FMT.get(kind, "{:,.4g}").format(v)


def table_html(sheet: Sheet, max_rows: int | None = None) -> str:
    df = sheet.frame if max_rows is None else sheet.frame.head(max_rows)
    kinds = sheet.kinds
    head = "".join(f"<th>{html.escape(h)}</th>" for h in sheet.headers)
    body = []
    columns = [df[c].tolist() for c in df.columns]
    for i in range(len(df)):
        cells = []
        for j, kind in enumerate(kinds):
            cls = ' class="num"' if kind != "text" else ""
            cells.append(f"<td{cls}>{fmt_cell(columns[j][i], kind)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    more = ""
    if max_rows is not None and len(sheet.frame) > max_rows:
        more = f'<p class="caption">First {max_rows:,} of {len(sheet.frame):,} rows; all rows are in tables.xlsx and {html.escape(sheet.csv or "")}.</p>'
    return f'<div class="scroll"><table class="data"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div>{more}'


def figure_html(fig, div_id: str) -> str:
    return pio.to_html(fig, include_plotlyjs=False, full_html=False, div_id=div_id, config=PLOTLY_CONFIG, validate=False)


def page(title: str, body: str) -> str:
    """A complete HTML document with plotly.js inlined in the head."""
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{html.escape(title)}</title>\n"
        f"<style>{CSS}</style>\n<script type=\"text/javascript\">{plotly_js()}</script>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def kpi_html(items: list[tuple[str, str]]) -> str:
    return '<div class="kpis">' + "".join(
        f'<div class="kpi"><div class="v">{html.escape(v)}</div><div class="l">{html.escape(label)}</div></div>' for label, v in items
    ) + "</div>"
