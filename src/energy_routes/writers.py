"""Write a run folder atomically: tables as CSV plus ``manifest.json``.

Everything is written into a hidden temporary folder next to the target and
renamed into place only when complete, so an interrupted run never leaves a
folder that looks finished. CSVs are written deterministically (fixed row
order, fixed float format) so the same inputs give byte-identical tables.
"""

from __future__ import annotations

import csv
import errno
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

from . import __version__

FLOAT_FORMAT = "%.6f"
PACKAGES = ("pyomo", "highspy", "pandas", "numpy", "pydantic", "pyyaml", "click", "rich")


#: the tables every run writes, in this order
TABLE_NAMES = (
    "allocation_monthly",
    "allocation_annual",
    "balance_monthly",
    "shadow_prices",
    "power_annual",
    "flows_monthly",
    "shut_in_monthly",
    "asset_use_monthly",
    "availability_monthly",
    "power_hourly",
    "allocation_period",
    "flows_period",
    "balance_period",
    "asset_use_period",
    "stores_period",
    "arc_flows_monthly",
    "power_links",
    "power_prices",
    "power_allocation",
    "power_assets",
    "power_sizing",
)


#: tables a run writes besides those: its binding constraints in words and the inputs it used (runs made
#: before these existed lack them; readers treat them as optional)
EXPLAINED_TABLES = ("binding_constraints", "inputs_capacity", "inputs_netback", "inputs_commitments", "inputs_events")


def versions() -> dict[str, str]:
    out = {"energy_routes": __version__, "python": platform.python_version()}
    for pkg in PACKAGES:
        try:
            out[pkg] = _dist_version(pkg)
        except metadata.PackageNotFoundError:
            pass
    from .solve import new_highs

    h = new_highs()
    out["highs"] = f"{h.versionMajor()}.{h.versionMinor()}.{h.versionPatch()}"
    return out


def _dist_version(pkg: str) -> str:
    """``metadata.version(pkg)`` read from the metadata's header lines only: the full parse (the email
    parser over a long description) was most of the time a run spent writing its manifest."""
    dist = metadata.distribution(pkg)
    for line in (dist.read_text("METADATA") or dist.read_text("PKG-INFO") or "").splitlines():
        if not line:
            break
        if line.startswith("Version:"):
            return line[len("Version:"):].strip()
    return dist.version


def git_commit(folder: Path) -> str | None:
    try:
        res = subprocess.run(["git", "rev-parse", "HEAD"], cwd=folder, capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    return res.stdout.strip() or None if res.returncode == 0 else None


#: longest folder name we create for a default --out (file systems allow 255 bytes; the
#: temporary ``.<name>.partial-XXXXXXXX`` and ``.<name>.plan`` names need room too)
FOLDER_NAME_MAX = 120


def safe_folder_name(text: str, max_len: int = 80) -> str:
    """A single, harmless folder-name component made from any text (a scenario name, a file stem).

    Keeps letters, digits, '.', '_' and '-'; everything else (path separators,
    '..', spaces, control characters, NUL) becomes '-'; no leading dot or dash;
    at most ``max_len`` characters; never empty.
    """
    out = re.sub(r"[^A-Za-z0-9._-]+", "-", str(text))
    out = re.sub(r"\.{2,}", ".", out).strip(".-")
    return out[:max_len].rstrip(".-") or "run"


def current_umask() -> int:
    """The process umask (read by setting it and putting it back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def readable_as_umask_allows(path: Path, directory: bool) -> None:
    """Give a temporary file or folder the mode a plain ``open``/``mkdir`` would have: mkdtemp and mkstemp
    make them private (0700/0600), which would leave finished run folders unreadable by the group."""
    os.chmod(path, (0o777 if directory else 0o666) & ~current_umask())


def default_out_dir(scenario_name: str, root: Path = Path("runs")) -> Path:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return root / f"{safe_folder_name(scenario_name)}-{stamp}"


def check_out(out_dir: Path, option: str = "--out", *, resume: bool = False, hint: str = "") -> None:
    """Refuse an output folder we could not create, before any work is done (exit code 2).

    The folder must not exist, or be an empty folder; its nearest existing
    parent must be a folder we may write in; every name on the way must fit
    the file system (with room for the temporary ``.<name>.partial-…`` name).
    ``resume`` skips the "not empty" rule (the folder of a sweep being resumed).
    """
    from .errors import InputError, Problem

    out_dir = Path(out_dir)
    where = str(out_dir)

    def refuse(why: str) -> None:
        raise InputError([Problem(option, f"{where} {why}")])

    if "\x00" in where:
        where = where.replace("\x00", "\\0")
        refuse("contains a NUL byte; a folder name cannot")
    if out_dir.is_symlink() and not out_dir.exists():
        refuse("is a symbolic link to nothing; choose another folder")
    if out_dir.exists():
        if not out_dir.is_dir():
            refuse("exists and is not a folder (a file or a device); choose another folder")
        if not resume:
            try:
                busy = any(out_dir.iterdir())
            except OSError as exc:
                refuse(f"cannot be read ({exc.strerror}); choose another folder")
            if busy:
                refuse(f"already exists and is not empty; choose another --out{hint} (a folder is never overwritten)")
        if not os.access(out_dir, os.W_OK | os.X_OK):
            refuse("is not writable; choose another folder")
    missing: list[str] = []
    parent = out_dir if not out_dir.exists() else out_dir.parent
    while not parent.exists():
        if parent.is_symlink():
            refuse(f"cannot be created: {parent} is a symbolic link to nothing")
        missing.append(parent.name)
        if parent.parent == parent:
            break
        parent = parent.parent
    if parent.exists():
        if not parent.is_dir():
            refuse(f"cannot be created: {parent} is a file, not a folder")
        if not os.access(parent, os.W_OK | os.X_OK):
            refuse(f"cannot be created: {parent} is not writable")
        try:
            name_max = os.pathconf(parent, "PC_NAME_MAX")
        except (OSError, ValueError, AttributeError):
            name_max = 255
        for name in [out_dir.name, *missing]:
            if len(name.encode()) + 30 > name_max:
                refuse(f"has a name {len(name.encode())} bytes long; this file system allows {name_max}, less 30 for the temporary name")


def reserve_name(tmp: Path, target: Path) -> Path:
    """Rename the finished temporary folder ``tmp`` to ``target`` in one step; never over a non-empty folder.

    ``os.replace`` of a folder onto an empty folder succeeds and onto a
    non-empty one fails, atomically, so of two runs racing for one ``--out``
    exactly one wins and the other gets :class:`FileExistsError` (nothing of
    either is mixed).
    """
    try:
        os.replace(tmp, target)
    except OSError as exc:
        if exc.errno in (errno.ENOTEMPTY, errno.EEXIST, errno.ENOTDIR, errno.EISDIR):
            raise FileExistsError(f"{target} exists and is not empty (another run wrote it first?); choose another --out") from None
        raise
    return target


def write_csv(df: pd.DataFrame, path: Path) -> None:
    """``df.to_csv(path, index=False, float_format=FLOAT_FORMAT, lineterminator="\\n")``, byte for byte.

    Columns of numbers, booleans and text are formatted here and written with the csv module (the
    writer pandas uses, same quoting): pandas' own path costs several milliseconds per table, which
    was a tenth of a one-year run. Anything else (dates, categories, mixed objects) goes to pandas.
    ``tests/test_writers_csv.py`` holds the two to the same bytes.
    """
    cells = _csv_cells(df)
    if cells is None:
        df.to_csv(path, index=False, float_format=FLOAT_FORMAT, lineterminator="\n")
        return
    with open(path, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(list(df.columns))
        out.writerows(zip(*cells))


def _csv_cells(df: pd.DataFrame) -> list[list[str]] | None:
    """Each column's cells as pandas writes them, or None when a column is of a kind left to pandas."""
    if not len(df.columns) or not all(isinstance(c, str) for c in df.columns) or not df.columns.is_unique:
        return None
    cols: list[list[str]] = []
    for name in df.columns:
        s = df[name]
        kind = s.dtype.kind
        if s.dtype == "float64":
            cols.append(["" if v != v else FLOAT_FORMAT % v for v in s.to_numpy().tolist()])
        elif kind in "iub" and isinstance(s.dtype, np.dtype):
            cols.append([str(v) for v in s.to_numpy().tolist()])
        elif kind == "O" or isinstance(s.dtype, pd.StringDtype):
            values = s.to_numpy(dtype=object).tolist()
            if not all(isinstance(v, str) or v is None or (isinstance(v, float) and v != v) for v in values):
                return None
            cols.append([v if isinstance(v, str) else "" for v in values])
        else:
            return None
    return cols


def write_run(
    out_dir: Path,
    tables: dict[str, pd.DataFrame],
    manifest: dict,
    extra_json: dict[str, dict] | None = None,
    finalize: Callable[[Path], object] | None = None,
) -> Path:
    """Write tables and manifest into ``out_dir`` atomically; returns the folder.

    Refuses to overwrite a folder that exists and is not empty. ``finalize``,
    if given, is called with the temporary folder once the tables and the
    manifest are in it and before it is renamed into place, so files derived
    from them (the report) are part of every finished folder; if it raises,
    nothing is written.
    """
    out_dir = Path(out_dir)
    if out_dir.is_dir() and any(out_dir.iterdir()):
        raise FileExistsError(f"{out_dir} exists and is not empty; choose another --out")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.partial-", dir=out_dir.parent))
    readable_as_umask_allows(tmp, directory=True)
    try:
        files = {}
        for name, df in tables.items():
            path = tmp / f"{name}.csv"
            write_csv(df, path)
            files[path.name] = len(df)
        for name, payload in (extra_json or {}).items():
            (tmp / name).write_text(json.dumps(payload, indent=2, default=str) + "\n")
        manifest = {**manifest, "files": files}
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str) + "\n")
        if finalize is not None:
            finalize(tmp)
        reserve_name(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out_dir


def request_key(payload: dict) -> str:
    """A short stable key of a request (16 hex digits of the SHA-256 of its sorted JSON): names a job or the
    staging folder of the pieces it has finished, so only the same request finds them again."""
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[:16]


def scenario_hashes(table_hashes: dict[str, str], inputs_dir: Path, scenario_arg: str | Path) -> dict[str, str]:
    """SHA-256 of everything a resolved scenario depends on: the tables, scenarios.yaml and the user's scenario file.

    The scenario file is keyed by its absolute path, so the record holds wherever the command was run from.
    """
    from .load import file_sha256
    from .scenario import SCENARIO_FILE

    hashes = dict(table_hashes)
    lib = Path(inputs_dir) / SCENARIO_FILE
    if lib.exists():
        hashes[SCENARIO_FILE] = file_sha256(lib)
    path = scenario_file(scenario_arg)
    if path is not None:
        hashes[str(path)] = file_sha256(path)
    return hashes


def scenario_file(scenario_arg: str | Path | None) -> Path | None:
    """The absolute path of a scenario given as a .yaml file, or None for a shipped scenario name."""
    if scenario_arg is None:
        return None
    arg = Path(str(scenario_arg))
    if arg.suffix in (".yaml", ".yml") and arg.exists():
        return arg.resolve()
    return None


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def command_line() -> list[str]:
    return [Path(sys.argv[0]).name, *sys.argv[1:]]


def manifest_for(result, inputs_dir: Path, scenario_arg: str) -> dict:
    """The manifest of a run: what was asked, what was read, what ran, what came out."""
    sc = result.scenario
    hashes = scenario_hashes(sc.inputs.hashes, inputs_dir, scenario_arg)
    return {
        "energy_routes_manifest": 1,
        "created_utc": now_iso(),
        "command": command_line(),
        "scenario": sc.resolved,
        "scenario_notes": list(sc.notes),
        "inputs_dir": str(Path(inputs_dir).resolve()),
        "input_sha256": hashes,
        "git_commit": git_commit(Path(__file__).parent),
        "versions": versions(),
        "solver": {
            "name": "HiGHS (highspy)",
            "oil": {
                "status": result.oil.status,
                "objective_musd": result.objective_musd,
                "economics_musd": {k: round(x, 6) for k, x in result.economics.items()},
                "iterations": result.oil.iterations,
                **result.oil_size,
            },
            "power": result.power,
        },
        "timings_seconds": {k: round(v, 4) for k, v in result.timings.items()},
    }
