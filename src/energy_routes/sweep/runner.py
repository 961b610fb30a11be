"""The life of a sweep folder: start (or resume), run, consolidate, manifest.

``start`` writes ``sweep.json`` (the request and the input hashes) and
``plan.parquet``; ``resume`` re-reads them and refuses if an input file has
changed since; ``finish`` writes the consolidated CSVs, ``results.duckdb``,
heat maps where a report module provides them, and ``manifest.json`` last.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pandas as pd

from ..errors import InputError, Problem
from ..writers import command_line, git_commit, now_iso, versions, write_csv
from .store import Store, build_duckdb, write_json, write_parquet

REQUEST = "sweep.json"
PLAN = "plan.parquet"
MANIFEST = "manifest.json"


def default_sweep_dir(kind: str, name: str, root: Path = Path("runs")) -> Path:
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    return root / f"{kind}-{Path(name).stem}-{stamp}"


def check_free(folder: Path) -> None:
    """A new sweep never writes into a folder that already holds something."""
    if folder.exists() and any(folder.iterdir()):
        raise InputError([Problem(str(folder), "already exists and is not empty; choose another --out, or continue it with --resume")])


def start(folder: Path, request: dict, plan: pd.DataFrame) -> Store:
    folder = Path(folder)
    check_free(folder)
    folder.mkdir(parents=True, exist_ok=True)
    write_json({**request, "started": now_iso(), "command": command_line()}, folder / REQUEST)
    write_parquet(plan, folder / PLAN)
    return Store(folder)


def resume(folder: Path) -> tuple[dict, pd.DataFrame, Store]:
    folder = Path(folder)
    req_path = folder / REQUEST
    if not req_path.exists():
        raise InputError([Problem(str(folder), f"is not a sweep folder (no {REQUEST})")])
    if (folder / MANIFEST).exists():
        raise InputError([Problem(str(folder), "is already complete (manifest.json exists); nothing to resume")])
    request = json.loads(req_path.read_text(encoding="utf-8"))
    plan = pd.read_parquet(folder / PLAN)
    return request, plan, Store(folder)


def check_hashes(request: dict, hashes: dict[str, str]) -> None:
    """Resuming on changed inputs would mix two data sets in one table: refuse."""
    changed = [f for f, h in request.get("input_hashes", {}).items() if hashes.get(f) != h]
    if changed:
        raise InputError([Problem(f, "changed since the sweep started; results would mix two data sets. Start a new sweep instead") for f in changed])


#: a table with more rows stays in its CSV and DuckDB only (Excel is for reading, not for 300,000 rows)
WORKBOOK_MAX_ROWS = 50_000
SHEET_NAMES = {"cases": "Cases", "years": "Years", "route_volumes": "Route volumes", "risk_summary": "Risk summary", "risk_by_year": "Risk by year"}


def write_workbook_for(folder: Path, tables: dict[str, pd.DataFrame], title: str) -> str | None:
    """``tables.xlsx`` with one formatted sheet per table (report module), or None when that is not installed."""
    try:
        from ..report.tables import Sheet
        from ..report.workbook import write_workbook
    except ImportError:
        return None
    from .disrupt import pivot_title

    sheets, left_out = [], []
    n_pivot = 0
    for name, df in tables.items():
        if len(df) > WORKBOOK_MAX_ROWS:
            left_out.append((name, len(df)))
            continue
        if name.startswith("pivot_"):
            n_pivot += 1
            sheets.append(Sheet(f"Pivot {n_pivot}", pivot_title(name), df, f"{name}.csv"))
        else:
            sheets.append(Sheet(SHEET_NAMES.get(name, name[:31]), name.replace("_", " "), df, f"{name}.csv"))
    if left_out:
        note = pd.DataFrame([(n, r, f"{n}.csv, results.duckdb table {n}") for n, r in left_out], columns=["table", "rows", "where"])
        sheets.append(Sheet("Not in this workbook", f"tables over {WORKBOOK_MAX_ROWS:,} rows: read them from the CSV or DuckDB", note))
    path = folder / "tables.xlsx"
    tmp = folder / ".tables.xlsx.tmp"
    write_workbook(sheets, tmp, title)
    tmp.replace(path)
    return path.name


def finish(folder: Path, request: dict, plan: pd.DataFrame, tables: dict[str, pd.DataFrame], timings: dict, heatmaps: dict[str, pd.DataFrame] | None = None,
           charts_hook=None) -> Path:
    """Write the consolidated tables, the DuckDB file, heat maps, ``charts_hook(folder)``'s charts and, last, the manifest."""
    folder = Path(folder)
    t0 = time.perf_counter()
    for name, df in tables.items():
        write_csv(df, folder / f"{name}.csv")
    build_duckdb(folder, tables)
    workbook = write_workbook_for(folder, tables, request.get("title", "Sweep"))
    charts: list[str] = []
    if heatmaps:
        try:
            from ..report.heatmaps import write_heatmaps  # provided by the report feature
        except ImportError:
            write_heatmaps = None
        if write_heatmaps is not None:
            charts = [str(p.relative_to(folder)) for p in write_heatmaps(heatmaps, folder, request.get("title", "Disruption sweep"))]
    if charts_hook is not None:
        charts += [str(p.relative_to(folder)) for p in charts_hook(folder)]
    timings = {**timings, "finish": time.perf_counter() - t0}
    status_counts = tables["cases"]["status"].value_counts().to_dict() if "status" in tables.get("cases", pd.DataFrame()) else {}
    manifest = {
        "kind": request["kind"],
        "request": request,
        "cases": int(len(plan)),
        "status_counts": {str(k): int(v) for k, v in status_counts.items()},
        "tables": {name: f"{name}.csv" for name in tables},
        "charts": charts,
        "results_duckdb": "results.duckdb",
        "workbook": workbook,
        "finished": now_iso(),
        "timings_seconds": {k: round(v, 4) for k, v in timings.items()},
        "versions": versions(),
        "git_commit": git_commit(Path(__file__).resolve().parent),
    }
    write_json(manifest, folder / MANIFEST)
    return folder
