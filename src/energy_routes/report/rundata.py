"""Read a finished run folder back: the tables, the manifest and the context the report needs.

Reads from RUN_DIR: ``manifest.json`` (the resolved scenario with its events,
the inputs folder and the SHA-256 of every input file) and the CSV tables
``allocation_annual``, ``allocation_monthly``, ``balance_monthly``,
``shut_in_monthly``, ``shadow_prices``, ``flows_monthly``,
``asset_use_monthly``, ``availability_monthly``, ``power_annual`` and
``power_hourly``.

Reads from the inputs folder named in the manifest, only where the file is
still there *and* its SHA-256 equals the one recorded for the run:
``arcs.csv`` (the assets on the way into each outlet, for the Sankey diagram), ``routes.csv``,
``assets.csv``, ``sources.csv`` (display names). ``SOURCES.md`` is read if
present. Anything missing is replaced by a plainer fallback and a note saying
why, so a report can always be made from the run folder alone.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import InputError, Problem
from ..explain import (
    SHORT_ROUTE_NAMES as ROUTE_LABELS,  # short route labels, as in the terminal summary
)
from ..focus import Focus, focus, horizon_days
from ..writers import (
    EXPLAINED_TABLES as OPTIONAL_TABLES,  # written by runs since the constraints are explained
)
from ..writers import TABLE_NAMES as RUN_TABLES  # the tables every run writes

_STR_COLUMNS = {"period": str, "route": str, "source": str, "asset": str, "target": str, "constraint": str, "asset_or_route": str,
                "first": str, "last": str, "input": str, "sentence": str, "id": str, "start": str, "end": str, "from": str, "note": str,
                "grade": str, "kind": str, "source_of_bound": str}


@dataclass
class RunData:
    """A run folder read back: everything a report or a comparison is built from."""

    folder: Path
    manifest: dict
    tables: dict[str, pd.DataFrame]
    legs: pd.DataFrame | None = None  # route, seq, asset (None if the inputs are gone or changed)
    names: dict[str, dict[str, str]] = field(default_factory=dict)  # kind -> id -> display name
    sources_md: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)
    shown_as: Path | None = None  # the folder's final name, when the report is made inside a temporary folder
    map: object | None = None  # report.mapdata.MapData from the inputs folder's map/, when there is one

    @property
    def shown(self) -> Path:
        """The run folder as it is named for readers (the final name, not a temporary one)."""
        return self.shown_as if self.shown_as is not None else self.folder

    @property
    def scenario(self) -> dict:
        return self.manifest.get("scenario", {})

    @property
    def name(self) -> str:
        return str(self.scenario.get("name") or self.folder.name)

    @property
    def events(self) -> list[dict]:
        return list(self.scenario.get("events") or [])

    @property
    def years(self) -> list[int]:
        return sorted(int(y) for y in self.tables["allocation_annual"].year.unique())

    @property
    def added(self) -> list[str]:
        """What was added on top of the named scenario (--override, a story's event or lever)."""
        if "added" in self.scenario:
            return list(self.scenario.get("added") or [])
        cmd = list(self.manifest.get("command") or [])  # runs before 'added' was recorded: read the command line
        return [cmd[i + 1] for i, a in enumerate(cmd[:-1]) if a == "--override"]

    @property
    def label(self) -> str:
        """The scenario and its additions: ``base-2024 + aktau-berths-12_5``; names a run in titles."""
        return " + ".join([self.name, *self.added])

    @property
    def focus(self) -> Focus | None:
        """The disrupted window and year, if the scenario has events (energy_routes.focus)."""
        months = list(self.tables["balance_monthly"].period.astype(str))
        if not months:
            return None
        first, last = horizon_days([months[0], months[-1]])
        return focus(self.events, first, last)

    @property
    def scenario_notes(self) -> list[str]:
        """Warnings from resolving the scenario (masked or replaced limits, clipped events), from the manifest."""
        return list(self.manifest.get("scenario_notes") or [])

    def binding(self) -> pd.DataFrame:
        """binding_constraints.csv, or the same sentences made from shadow_prices.csv for an older run (no input rows)."""
        if "binding_constraints" in self.tables:
            return self.tables["binding_constraints"]
        from ..explain import explain

        names = {k: dict(v) for k, v in self.names.items()}
        names.setdefault("route", {}).update(ROUTE_LABELS)
        return explain(self.tables["shadow_prices"], names)

    def route_label(self, route: str) -> str:
        return ROUTE_LABELS.get(route) or self.names.get("route", {}).get(route) or route

    def asset_label(self, asset: str) -> str:
        return self.names.get("asset", {}).get(asset) or asset.replace("_", " ")

    def source_label(self, source: str) -> str:
        return self.names.get("source", {}).get(source) or source


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_table(path: Path) -> pd.DataFrame:
    """A run CSV with its id and period columns kept as text (so '2025' stays a period, not a number)."""
    head = pd.read_csv(path, nrows=0).columns
    return pd.read_csv(path, dtype={c: t for c, t in _STR_COLUMNS.items() if c in head}, keep_default_na=True)


def load_run(folder: str | Path, shown_as: str | Path | None = None) -> RunData:
    """Read a run folder written by ``energy-routes run``; raises InputError naming what is missing.

    ``shown_as`` is the name to show for the folder (``run`` builds the report
    in a temporary folder that is renamed afterwards).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError([Problem(str(folder), "no such run folder")])
    man_path = folder / "manifest.json"
    if not man_path.exists():
        raise InputError([Problem(str(folder), "not a run folder: there is no manifest.json")])
    try:
        manifest = json.loads(man_path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError([Problem(str(man_path), f"cannot read the manifest: {exc}")]) from None
    if (folder / "diagnosis.json").exists() and not (folder / "allocation_annual.csv").exists():
        raise InputError([Problem(str(folder), "this run was infeasible (see diagnosis.json): there are no tables to report")])
    missing = [f"{t}.csv" for t in RUN_TABLES if not (folder / f"{t}.csv").exists()]
    if missing:
        raise InputError([Problem(str(folder / m), "missing from the run folder") for m in missing])
    tables = {}
    for t in RUN_TABLES:
        try:
            tables[t] = read_table(folder / f"{t}.csv")
        except (OSError, ValueError, pd.errors.ParserError) as exc:
            raise InputError([Problem(str(folder / f"{t}.csv"), f"cannot read the table: {exc}")]) from None
    for t in OPTIONAL_TABLES:
        if (folder / f"{t}.csv").exists():
            try:
                tables[t] = read_table(folder / f"{t}.csv")
            except (OSError, ValueError, pd.errors.ParserError) as exc:
                raise InputError([Problem(str(folder / f"{t}.csv"), f"cannot read the table: {exc}")]) from None
    data = RunData(folder, manifest, tables, shown_as=Path(shown_as) if shown_as is not None else None)
    _read_inputs_context(data)
    return data


def _read_inputs_context(data: RunData) -> None:
    """Route legs and display names from the run's inputs folder, if unchanged since the run."""
    inputs_dir = data.manifest.get("inputs_dir")
    hashes = data.manifest.get("input_sha256") or {}
    folder = Path(inputs_dir) if inputs_dir else None

    def unchanged(name: str) -> Path | None:
        if folder is None:
            return None
        path = folder / name
        if not path.exists() or name not in hashes or _sha256(path) != hashes[name]:
            return None
        return path

    arcs_path = unchanged("arcs.csv")
    if arcs_path is not None:
        arcs = pd.read_csv(arcs_path, dtype=str, skipinitialspace=True, keep_default_na=False)
        data.legs = legs_from_arcs(arcs)
    else:
        data.notes.append(
            "The network (arcs.csv) of this run's inputs folder is not available unchanged, "
            "so the flow diagram goes from sources straight to routes."
        )
    for kind, file, id_col in (("route", "routes.csv", "route"), ("asset", "assets.csv", "asset"), ("source", "sources.csv", "source")):
        path = unchanged(file)
        if path is None:
            continue
        df = pd.read_csv(path, dtype=str, skipinitialspace=True)
        # "Baku-Supsa pipeline (Western Route Export Pipeline)" -> "Baku-Supsa pipeline"
        data.names[kind] = {r[id_col]: re.sub(r"\s*\(.*\)\s*$", "", str(r["name"])) for _, r in df.iterrows()}
    if folder is not None:
        from .mapdata import load_map

        data.map = load_map(folder)
    if data.map is None:
        data.notes.append("The inputs folder of this run has no map/ (outline.geojson, places.csv, route_paths.csv), so the report has no map.")
    md = folder / "SOURCES.md" if folder else None
    if md is not None and md.exists():
        data.sources_md = parse_sources_md(md.read_text(encoding="utf-8"))
    else:
        data.notes.append("inputs/SOURCES.md was not found next to this run's inputs, so the Sources sheet is left out.")


def legs_from_arcs(arcs: pd.DataFrame) -> pd.DataFrame:
    """route, seq, asset: the capacitated arcs on the way into each outlet, upstream first (for the Sankey).

    Walks back from each outlet (a node no arc leaves) along the arcs that reach it; where two
    arcs enter a node, the first listed in arcs.csv is followed.
    """
    into: dict[str, list[tuple[str, str]]] = {}
    leaves = set(arcs["from_node"])
    for f, t, a in zip(arcs["from_node"], arcs["to_node"], arcs["asset"]):
        into.setdefault(t, []).append((f, a))
    rows = []
    for outlet in [n for n in dict.fromkeys(arcs["to_node"]) if n not in leaves]:
        chain, node, seen = [], outlet, set()
        while node in into and node not in seen:
            seen.add(node)
            f, a = into[node][0]
            if a:
                chain.append(a)
            node = f
        rows += [(outlet, i + 1, a) for i, a in enumerate(reversed(chain))]
    return pd.DataFrame(rows, columns=["route", "seq", "asset"])


def _clean_cell(text: str) -> str:
    text = text.strip().replace("**", "").replace("`", "")
    return re.sub(r"\[([^\]]+)\]\(([^)]+)\)", r"\1 (\2)", text)


def _split_row(line: str) -> list[str]:
    cells = re.split(r"(?<!\\)\|", line.strip().strip("|"))
    return [_clean_cell(c.replace("\\|", "|")) for c in cells]


def parse_sources_md(text: str) -> pd.DataFrame:
    """Every Markdown table in SOURCES.md that has a 'value' column, one row per source row, with its section."""
    rows: list[dict[str, str]] = []
    section = ""
    header: list[str] | None = None
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("## "):
            section = _clean_cell(line[3:])
            header = None
            continue
        if not line.lstrip().startswith("|"):
            header = None
            continue
        cells = _split_row(line)
        if header is None:
            nxt = lines[i + 1] if i + 1 < len(lines) else ""
            if re.fullmatch(r"\s*\|?\s*:?-{3,}.*", nxt):
                header = cells
            continue
        if all(re.fullmatch(r":?-{3,}:?", c) for c in cells if c):
            continue
        if "value" not in header:
            continue
        rec = {"section": section}
        rec.update({h: (cells[j] if j < len(cells) else "") for j, h in enumerate(header)})
        rows.append(rec)
    return pd.DataFrame(rows).fillna("")
