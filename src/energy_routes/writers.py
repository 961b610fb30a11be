"""Write a run folder atomically: tables as CSV plus ``manifest.json``.

Everything is written into a hidden temporary folder next to the target and
renamed into place only when complete, so an interrupted run never leaves a
folder that looks finished. CSVs are written deterministically (fixed row
order, fixed float format) so the same inputs give byte-identical tables.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import pandas as pd

from . import __version__

FLOAT_FORMAT = "%.6f"
PACKAGES = ("pyomo", "highspy", "pandas", "numpy", "pandera", "pydantic", "pyyaml", "click", "rich")


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
    "power_links",
    "power_prices",
    "power_allocation",
    "power_assets",
    "power_sizing",
)


def versions() -> dict[str, str]:
    out = {"energy_routes": __version__, "python": platform.python_version()}
    for pkg in PACKAGES:
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            pass
    from .solve import new_highs

    h = new_highs()
    out["highs"] = f"{h.versionMajor()}.{h.versionMinor()}.{h.versionPatch()}"
    return out


def git_commit(folder: Path) -> str | None:
    try:
        res = subprocess.run(["git", "rev-parse", "HEAD"], cwd=folder, capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    return res.stdout.strip() or None if res.returncode == 0 else None


def default_out_dir(scenario_name: str, root: Path = Path("runs")) -> Path:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return root / f"{scenario_name}-{stamp}"


def write_csv(df: pd.DataFrame, path: Path) -> None:
    df.to_csv(path, index=False, float_format=FLOAT_FORMAT, lineterminator="\n")


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
    if out_dir.exists() and any(out_dir.iterdir()):
        raise FileExistsError(f"{out_dir} exists and is not empty; choose another --out")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.partial-", dir=out_dir.parent))
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
        if out_dir.exists():
            out_dir.rmdir()
        os.replace(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out_dir


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def command_line() -> list[str]:
    return [Path(sys.argv[0]).name, *sys.argv[1:]]


def manifest_for(result, inputs_dir: Path, scenario_arg: str) -> dict:
    """The manifest of a run: what was asked, what was read, what ran, what came out."""
    from .load import file_sha256
    from .scenario import SCENARIO_FILE

    sc = result.scenario
    hashes = dict(sc.inputs.hashes)
    lib = Path(inputs_dir) / SCENARIO_FILE
    if lib.exists():
        hashes[SCENARIO_FILE] = file_sha256(lib)
    arg = Path(scenario_arg)
    if arg.suffix in (".yaml", ".yml") and arg.exists():
        hashes[str(arg)] = file_sha256(arg)
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
                "objective_musd": result.oil.objective,
                "iterations": result.oil.iterations,
                **result.oil_size,
            },
            "power": result.power,
        },
        "timings_seconds": {k: round(v, 4) for k, v in result.timings.items()},
    }
