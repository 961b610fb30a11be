"""The life of a sweep folder: start (or resume), run, consolidate, manifest.

``start`` writes ``sweep.json`` (the request and the hashes of everything
the resolved scenario depends on) and ``plan.parquet`` into a hidden staging
folder and renames it into place in one step, holding the folder's lock
(:class:`~.store.FolderLock`) from then until the process ends; of two
sweeps started on one ``--out`` exactly one gets the folder. ``resume``
takes the lock (or refuses: another process is writing), checks that the
folder is a sweep of the right kind and undamaged, and re-reads the request
and the plan; the caller then refuses if anything the scenario depends on
has changed since (:func:`check_hashes`, :func:`check_resolved`). ``finish``
writes the consolidated CSVs, ``results.duckdb``, heat maps where a report
module provides them, and ``manifest.json`` last; ``tables.xlsx`` is written
by a forked child process meanwhile (xlsxwriter spends about 10 µs a cell, so
a 10,000-draw risk run's workbook is its longest write), and the manifest
waits for it.
"""

from __future__ import annotations

import json
import multiprocessing
import shutil
import tempfile
import time
from pathlib import Path

import pandas as pd

from ..errors import InputError, Problem
from ..safeio import MAX_JSON_BYTES, read_input
from ..writers import check_out, command_line, git_commit, now_iso, reserve_name, safe_folder_name, versions, write_csv
from .engine import note
from .store import FolderBusy, FolderLock, Store, atomic_write, build_duckdb, write_json, write_parquet

REQUEST = "sweep.json"
PLAN = "plan.parquet"
MANIFEST = "manifest.json"
#: what every sweep.json holds, whatever its kind
REQUEST_KEYS = ("kind", "scenario", "inputs", "overrides", "input_hashes")


def default_sweep_dir(kind: str, name: str, root: Path = Path("runs")) -> Path:
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    return root / f"{kind}-{safe_folder_name(Path(name).stem)}-{stamp}"


def check_free(folder: Path) -> None:
    """A new sweep never writes into a folder that already holds something, nor where no folder can be made."""
    check_out(folder, hint=", or continue an interrupted sweep with --resume")


def staging_for(folder: Path) -> Path:
    """A new hidden folder next to ``folder`` in which a sweep is set up before it is renamed into place."""
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{folder.name}.partial-", dir=folder.parent))


def start(folder: Path, request: dict, plan: pd.DataFrame, staging: Path | None = None) -> Store:
    """Create the sweep folder with its request and plan, atomically, and hold its lock.

    ``staging``, if given, is a folder from :func:`staging_for` that already
    holds files of the sweep (a parameter sweep's ``cases/``).
    """
    folder = Path(folder)
    check_free(folder)
    staging = staging or staging_for(folder)
    lock = None
    try:
        lock = FolderLock(staging)
        write_json({**request, "started": now_iso(), "command": command_line()}, staging / REQUEST)
        write_parquet(plan, staging / PLAN)
        try:
            reserve_name(staging, folder)
        except FileExistsError as exc:
            raise InputError([Problem("--out", str(exc))]) from None
    except BaseException:
        if lock is not None:
            lock.release()
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Store(folder, lock)


def _damaged(what: Path, why: str) -> InputError:
    return InputError([Problem(str(what), f"is damaged ({why}); this sweep cannot be resumed: start a new one with the same options")])


def resume(folder: Path, kind: str) -> tuple[dict, pd.DataFrame, Store]:
    """Take the folder's lock and re-read a sweep of ``kind``; every reason it cannot continue is an :class:`InputError`."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError([Problem("--resume", f"{folder} is not a folder")])
    req_path = folder / REQUEST
    if not req_path.exists():
        what = "is a run folder (written by run or backtest), not a sweep folder" if (folder / MANIFEST).exists() else f"is not a sweep folder (no {REQUEST})"
        raise InputError([Problem("--resume", f"{folder} {what}")])
    try:
        lock = FolderLock(folder)
    except FolderBusy as busy:
        holder = f" ({busy})" if str(busy) else ""
        raise InputError([Problem("--resume", f"{folder} is being written by another energy-routes process{holder}; wait for it to end (or stop it), then resume")]) from None
    except OSError as exc:
        raise InputError([Problem("--resume", f"{folder} cannot be locked for writing ({exc.strerror})")]) from None
    try:
        if (folder / MANIFEST).exists():
            raise InputError([Problem("--resume", f"{folder} is already complete (manifest.json exists); nothing to resume")])
        try:
            request = json.loads(read_input(req_path, str(req_path), MAX_JSON_BYTES).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise _damaged(req_path, f"not JSON: {exc}") from None
        if not isinstance(request, dict) or any(k not in request for k in REQUEST_KEYS):
            missing = [k for k in REQUEST_KEYS if not isinstance(request, dict) or k not in request]
            raise _damaged(req_path, f"missing {', '.join(missing)}")
        if request["kind"] != kind:
            raise InputError([Problem("--resume", f"{folder} is a '{request['kind']}' sweep; continue it with: energy-routes {request['kind']} --resume {folder}")])
        try:
            plan = pd.read_parquet(folder / PLAN)
        except Exception as exc:  # noqa: BLE001 - missing, truncated or not Parquet: all the same to the user
            raise _damaged(folder / PLAN, f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}") from None
        if "case_id" not in plan or not plan["case_id"].is_unique or plan.empty:
            raise _damaged(folder / PLAN, "no case_id column, repeated case ids or no cases")
        store = Store(folder, lock)
        damaged = store.quarantine_damaged()
        if damaged:
            note(f"{len(damaged)} damaged result part(s) moved to {folder / 'parts' / 'damaged'} ({', '.join(damaged[:3])}{', …' if len(damaged) > 3 else ''}); their cases run again")
    except BaseException:
        lock.release()
        raise
    return request, plan, store


def check_hashes(request: dict, hashes: dict[str, str]) -> None:
    """Resuming on changed inputs would mix two data sets in one table: refuse.

    ``hashes`` covers everything the resolved scenario depends on (the
    tables, scenarios.yaml, the user's scenario file, the hazard tables, the
    case files); a file recorded and now changed or gone, or read now and not
    recorded, is a change.
    """
    recorded = request.get("input_hashes", {})
    problems = [Problem(f, "changed since the sweep started; results would mix two data sets. Start a new sweep instead") for f, h in recorded.items() if f in hashes and hashes[f] != h]
    problems += [Problem(f, "was read when the sweep started and is gone now; results would mix two data sets. Start a new sweep instead") for f in recorded if f not in hashes]
    problems += [Problem(f, "is read now but was not when the sweep started; results would mix two data sets. Start a new sweep instead") for f in hashes if f not in recorded]
    if problems:
        raise InputError(problems)


def check_resolved(request: dict, resolved: dict, what: str = "the scenario") -> None:
    """The scenario resolved now must be the one the sweep started with (a second guard beyond the file hashes)."""
    then = request.get("scenario_resolved")
    if then is not None and json.loads(json.dumps(resolved, default=str)) != then:
        keys = sorted(k for k in set(then) | set(resolved) if json.loads(json.dumps(resolved.get(k), default=str)) != then.get(k))
        raise InputError([Problem("--resume", f"{what} resolves differently now than when the sweep started (settings {', '.join(keys) or '?'} differ); start a new sweep instead")])


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


class Beside:
    """``fn()`` run in a forked child while the caller goes on (inline where the platform cannot fork);
    :meth:`wait` returns its result or raises what it raised. The child shares the parent's memory pages
    (nothing is pickled but the result) and only writes its own file."""

    def __init__(self, fn):
        self._fn, self._proc, self._conn = fn, None, None
        try:
            ctx = multiprocessing.get_context("fork")
        except ValueError:  # no fork (Windows, or macOS's default policy): run inline in wait()
            return
        self._conn, child_end = ctx.Pipe(duplex=False)
        self._proc = ctx.Process(target=self._child, args=(fn, child_end), daemon=True)
        self._proc.start()
        child_end.close()

    @staticmethod
    def _child(fn, conn) -> None:
        try:
            conn.send((True, fn()))
        except BaseException as exc:  # noqa: BLE001 - handed to the parent, which raises it
            conn.send((False, f"{type(exc).__name__}: {exc}"))
        finally:
            conn.close()

    def wait(self):
        if self._proc is None:
            return self._fn()
        try:
            ok, value = self._conn.recv()
        except EOFError:  # the child died without a word (killed)
            ok, value = False, f"the process writing it ended with code {self._proc.exitcode}"
        finally:
            self._proc.join()
            self._conn.close()
        if not ok:
            raise RuntimeError(value)
        return value

    def cancel(self) -> None:
        if self._proc is not None and self._proc.is_alive():
            self._proc.terminate()
            self._proc.join()


def finish(folder: Path, request: dict, plan: pd.DataFrame, tables: dict[str, pd.DataFrame], timings: dict, heatmaps: dict[str, pd.DataFrame] | None = None,
           charts_hook=None) -> Path:
    """Write the consolidated tables, the DuckDB file, heat maps, ``charts_hook(folder)``'s charts and, last, the manifest
    (the workbook is written beside them by a child process, :class:`Beside`)."""
    folder = Path(folder)
    t0 = time.perf_counter()
    book = Beside(lambda: write_workbook_for(folder, tables, request.get("title", "Sweep")))
    try:
        charts = _write_rest(folder, tables, request, heatmaps, charts_hook)
        workbook = book.wait()
    except BaseException:
        book.cancel()
        raise
    timings = {**timings, "finish": time.perf_counter() - t0}
    return _manifest(folder, request, plan, tables, timings, charts, workbook)


def _write_rest(folder: Path, tables: dict[str, pd.DataFrame], request: dict, heatmaps, charts_hook) -> list[str]:
    """The CSVs, the DuckDB file and the charts (everything of ``finish`` but the workbook and the manifest)."""
    for name, df in tables.items():
        atomic_write(folder / f"{name}.csv", lambda p, df=df: write_csv(df, p))
    build_duckdb(folder, tables)
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
    return charts


def _manifest(folder: Path, request: dict, plan: pd.DataFrame, tables: dict[str, pd.DataFrame], timings: dict, charts: list[str], workbook: str | None) -> Path:
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
