"""Analyst deliverables of a run folder: ``tables.xlsx``, ``report.html`` and PNG charts for slides.

Modules, one job each:

- ``rundata``   read a run folder back (CSV tables, manifest, route legs and names from unchanged inputs, SOURCES.md)
- ``tables``    the deliverable tables with units in the headers
- ``chartdata`` the data behind each chart (shared by the interactive and the static charts)
- ``charts``    plotly figures;  ``html`` self-contained pages;  ``png`` matplotlib PNGs
- ``workbook``  the formatted Excel workbook (xlsxwriter)
- ``map``       the routes on a Caspian-Black Sea map (inputs/map/), interactive and PNG
- ``build``     all of it for one run folder;  ``heatmaps`` a reusable heat-map page for sweeps
- ``exceedance`` a risk sweep's exceedance curves;  ``backtestchart`` the backtest against reported ranges
- ``storypage`` the story folder's story.html and story.xlsx
"""

from __future__ import annotations

from .build import REPORT, WORKBOOK, build_report, report_files

__all__ = ["REPORT", "WORKBOOK", "build_report", "report_files"]
