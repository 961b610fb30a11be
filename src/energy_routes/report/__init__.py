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

__all__ = ["REPORT", "WORKBOOK", "build_report", "report_files"]


def __getattr__(name: str):
    """``build``'s names, imported on first use: a module that needs one piece (``workbook`` for a sweep's
    tables.xlsx, ``exceedance`` for a risk sweep's charts) does not pay for plotly and matplotlib through
    ``build`` (about a second of a risk sweep's finish)."""
    if name in __all__:
        from . import build

        return getattr(build, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
