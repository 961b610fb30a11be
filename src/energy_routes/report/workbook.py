"""Write ``tables.xlsx``: one formatted sheet per deliverable table (xlsxwriter).

Reads the :class:`~energy_routes.report.tables.Sheet` list built from a run
folder. Each sheet has its header in row 1 (units in the header), frozen, with
an autofilter, a number format per column kind and column widths that fit the
contents. A first "Contents" sheet lists the sheets with what they hold and the
CSV file each mirrors. Values are written exactly as in the CSVs; empty CSV
cells stay empty.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import xlsxwriter

from .tables import Sheet

NUMBER_FORMATS = {
    "int": "0",
    "kt": "#,##0.0",
    "mt": "#,##0.00",
    "kbd": "#,##0",
    "pct": "0.0%",
    "musd": "#,##0.0",
    "usdt": "#,##0.00",
    "gwh": "#,##0.0",
    "mwh": "#,##0.0",
    "mw": "#,##0",
    "num": "#,##0.00",
}
MAX_TEXT_WIDTH = 60
HEADER_WIDTH_CAP = 28


def _cells(series: pd.Series) -> list:
    """Python values for xlsxwriter: NaN/None/NA (a nullable column's missing value) -> None (left empty)."""
    out = []
    for v in series.tolist():
        if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
            out.append(None)
        else:
            out.append(v)
    return out


def _width(header: str, values: list, kind: str) -> float:
    """Characters needed: the header (wrapped beyond a cap) or the widest formatted value."""
    if kind == "text":
        longest = max((len(str(v)) for v in values if v is not None), default=0)
        body = min(longest, MAX_TEXT_WIDTH)
    else:
        nums = [abs(v) for v in values if isinstance(v, (int, float))]
        big = max(nums, default=0.0)
        digits = len(f"{big:,.0f}")
        body = digits + {"pct": 4, "int": 0, "kbd": 0, "mw": 0, "num": 3}.get(kind, 3) + 1
    return max(min(len(header), HEADER_WIDTH_CAP), body, 6) + 2


def _write_sheet(wb: xlsxwriter.Workbook, sheet: Sheet, fmts: dict) -> None:
    ws = wb.add_worksheet(sheet.name)
    df = sheet.frame
    headers, kinds = sheet.headers, sheet.kinds
    ws.set_row(0, 32 if any(len(h) > HEADER_WIDTH_CAP for h in headers) else None)
    for j, (col, header, kind) in enumerate(zip(df.columns, headers, kinds)):
        values = _cells(df[col])
        ws.write_string(0, j, header, fmts["header"])
        if kind != "text":
            fmt = fmts.get(kind)
            bold_fmt = fmts.get(f"bold:{kind}")
        else:  # long text (notes, sources) wraps within the capped width instead of spilling over
            fmt = fmts["wrap"] if max((len(str(v)) for v in values if v is not None), default=0) > MAX_TEXT_WIDTH else fmts["top"]
            bold_fmt = fmts["bold:text"]
        bold = set(sheet.bold_rows)
        for i, v in enumerate(values, start=1):
            if v is None:
                continue
            if i - 1 in bold:  # a totals row
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    ws.write_number(i, j, v, bold_fmt)
                else:
                    ws.write_string(i, j, str(v), bold_fmt)
                continue
            if isinstance(v, bool):
                ws.write_boolean(i, j, v)
            elif isinstance(v, (int, float)):
                ws.write_number(i, j, v, fmt)
            else:
                ws.write_string(i, j, str(v), fmt)
        ws.set_column(j, j, _width(header, values, kind))
    ws.freeze_panes(1, 0)
    if len(df.columns):
        ws.autofilter(0, 0, max(len(df), 1), len(df.columns) - 1)


def write_workbook(sheets: list[Sheet], path: Path, title: str) -> Path:
    """Write the sheets to ``path`` (xlsx) after a Contents sheet; returns the path."""
    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"title": title, "comments": "written by energy-routes"})
    fmts = {
        "header": wb.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#E8EEF4", "bottom": 1}),
        "wrap": wb.add_format({"valign": "top", "text_wrap": True}),
        "top": wb.add_format({"valign": "top"}),
        "title": wb.add_format({"bold": True, "font_size": 14}),
        "link": wb.add_format({"font_color": "blue", "underline": 1}),
    }
    for kind, num in NUMBER_FORMATS.items():
        fmts[kind] = wb.add_format({"num_format": num})
        fmts[f"bold:{kind}"] = wb.add_format({"num_format": num, "bold": True, "top": 1})
    fmts["bold:text"] = wb.add_format({"bold": True, "top": 1, "valign": "top"})
    contents = wb.add_worksheet("Contents")
    contents.write_string(0, 0, title, fmts["title"])
    for j, h in enumerate(("sheet", "what it holds", "rows", "CSV in the run folder")):
        contents.write_string(2, j, h, fmts["header"])
    for i, sheet in enumerate(sheets, start=3):
        contents.write_url(i, 0, f"internal:'{sheet.name}'!A1", fmts["link"], string=sheet.name)
        contents.write_string(i, 1, sheet.title)
        contents.write_number(i, 2, len(sheet.frame))
        contents.write_string(i, 3, sheet.csv or "(derived)")
    contents.set_column(0, 0, max(len(s.name) for s in sheets) + 2)
    contents.set_column(1, 1, min(max(len(s.title) for s in sheets), 100) + 2)
    contents.set_column(2, 2, 8)
    contents.set_column(3, 3, 26)
    contents.freeze_panes(3, 0)
    for sheet in sheets:
        _write_sheet(wb, sheet, fmts)
    wb.close()
    return path
