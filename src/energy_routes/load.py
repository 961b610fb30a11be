"""Read the CSV input tables and check them against :mod:`energy_routes.schema`.

Reads every file named in ``schema.TABLES`` from the inputs folder
(``sources.csv``, ``grades.csv``, ``assets.csv``, ``routes.csv``,
``supply.csv``, ``prices.csv``, ``asset_capacity.csv``, ``nodes.csv``,
``arcs.csv``, ``stores.csv`` (optional), ``source_routes.csv`` and the power tables
``power_*.csv``). Every problem found is collected, with file, line and
column, and raised together as one :class:`~energy_routes.errors.InputError`.

Accepted as written by spreadsheet programs: a UTF-8 byte-order mark, Windows
line endings, blank lines (ignored), surrounding spaces in cells.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import InputError, Problem
from .network import check_network
from .outlets import check_outlets
from .safeio import MAX_TABLE_BYTES, read_input, sha256_of
from .power.checks import table_problems as power_table_problems
from .schema import ID_PATTERN, TABLES, TABLES_BY_NAME, Table


@dataclass
class Inputs:
    """The validated input tables, typed, plus where each row came from."""

    folder: Path
    tables: dict[str, pd.DataFrame]
    lines: dict[str, pd.Series]  # table -> line number of each row (same index)
    hashes: dict[str, str] = field(default_factory=dict)  # file name -> sha256
    lazy: dict[str, Path] = field(default_factory=dict)  # tables read on first use (schema ``Table.lazy``)

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self.tables and name in self.lazy:
            self.tables[name], self.lines[name] = _read_lazy(self.lazy[name], TABLES_BY_NAME[name], known_ids(self.tables))
        return self.tables[name]

    def ids(self, table: str, column: str) -> list[str]:
        return self.tables[table][column].tolist()

    def copy(self) -> "Inputs":
        return Inputs(
            self.folder,
            {k: v.copy() for k, v in self.tables.items()},
            dict(self.lines),
            dict(self.hashes),
            dict(self.lazy),
        )


def read_csv_text(path: Path, rel: str, problems: list[Problem], hashes: dict[str, str] | None = None) -> tuple[pd.DataFrame, pd.Series] | None:
    """Read a CSV file into a frame of stripped strings and the line number of each row.

    Returns ``None`` (after recording a problem) when the file cannot be read
    as CSV at all: not an ordinary file, too big (:mod:`energy_routes.safeio`),
    not UTF-8, not CSV. ``hashes``, if given, receives the SHA-256 of the bytes read.
    """
    try:
        raw = read_input(path, rel, MAX_TABLE_BYTES)
    except InputError as exc:
        problems.extend(exc.problems)
        return None
    if hashes is not None:
        hashes[rel] = hashlib.sha256(raw).hexdigest()
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        problems.append(Problem(rel, "is UTF-16 text (Excel's 'Unicode text'); save it as CSV UTF-8", line=1))
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problems.append(
            Problem(rel, f"is not UTF-8 text (byte 0x{raw[exc.start]:02x}); save it as CSV UTF-8", line=line)
        )
        return None
    if "\x00" in text:
        problems.append(Problem(rel, "contains NUL bytes; it is not a text CSV file"))
        return None
    # strict: an unclosed quote (a file cut inside a quoted cell) is an error, not a silent row
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    rows: list[list[str]] = []
    lines: list[int] = []
    try:
        for record in reader:
            if not record or all(not cell.strip() for cell in record):
                continue
            cells = [cell.strip() for cell in record]
            if header is None:
                header = cells
                header_line = reader.line_num
                continue
            if len(cells) != len(header):
                if len(cells) < len(header):
                    missing = header[len(cells):]
                    what = f"no value for {', '.join(missing)}"
                    column = missing[0]
                else:
                    what = f"{len(cells) - len(header)} value(s) beyond the last column '{header[-1]}'"
                    column = header[-1]
                problems.append(
                    Problem(
                        rel,
                        f"has {len(cells)} fields, the header has {len(header)}: {what} "
                        "(a missing or extra comma, or a truncated line?)",
                        line=reader.line_num,
                        column=column,
                    )
                )
                continue
            rows.append(cells)
            lines.append(reader.line_num)
    except csv.Error as exc:
        why = "; a quoted cell is never closed: is the file cut short?" if "end of data" in str(exc) else ""
        problems.append(Problem(rel, f"is not valid CSV ({exc}){why}", line=reader.line_num))
        return None
    if header is None:
        problems.append(Problem(rel, "is empty; expected a header row and data rows", line=1))
        return None
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        problems.append(Problem(rel, f"repeats column(s) {', '.join(dupes)}", line=header_line))
        return None
    frame = pd.DataFrame(rows, columns=header, dtype=object)
    return frame, pd.Series(lines, index=frame.index, dtype="int64")


NA_TOKENS = frozenset({"", "nan", "na", "n/a", "null", "none"})


def _parse_floats(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Floats of non-blank string cells, and a mask of the cells that are not numbers."""
    try:  # fast path: every cell is a number
        return np.asarray(cells, dtype=float), np.zeros(len(cells), dtype=bool)
    except ValueError:
        values = np.full(len(cells), np.nan)
        bad = np.zeros(len(cells), dtype=bool)
        for i, cell in enumerate(cells):
            try:
                values[i] = float(cell)
            except ValueError:
                bad[i] = True
        return values, bad


def _coerce(frame: pd.DataFrame, lines: pd.Series, table: Table, rel: str, problems: list[Problem]) -> pd.DataFrame:
    """Turn string cells into typed columns; unparsable or missing cells become problems.

    Works on plain numpy object arrays and builds each typed column as one pandas array: a per-column
    pandas string pipeline cost more than everything else in loading a folder.
    """
    out: dict[str, object] = {}
    line_no = lines.to_numpy()

    def report(mask: np.ndarray, cells: np.ndarray, col, what: str | None = None) -> None:
        what = what or col.expected()
        for i in np.flatnonzero(mask):
            msg = f"got '{cells[i]}'; expected {what}"
            problems.append(Problem(rel, msg, line=int(line_no[i]), column=col.name))

    grid = frame.to_numpy(dtype=object)  # one array for the whole file: a column lookup per column cost more
    where = {name: j for j, name in enumerate(frame.columns)}
    for col in table.columns:
        if col.name not in where:
            continue
        cells = grid[:, where[col.name]]
        blank = np.fromiter((len(c) < 5 and c.lower() in NA_TOKENS for c in cells), dtype=bool, count=len(cells))
        if col.kind in ("int", "float"):
            values = np.full(len(cells), np.nan)
            bad = np.zeros(len(cells), dtype=bool)
            filled = ~blank
            values[filled], bad[filled] = _parse_floats(cells[filled])
            report(bad, cells, col)
            infinite = np.isinf(values)
            report(infinite, cells, col, "a finite number")
            values[infinite] = np.nan
            if col.kind == "int":
                fractional = ~np.isnan(values) & (values != np.round(values))
                report(fractional, cells, col)
                values[fractional] = np.nan
                missing = np.isnan(values)
                out[col.name] = pd.arrays.IntegerArray(np.where(missing, 0, values).astype("int64"), missing)
            else:
                out[col.name] = values
        else:
            text = cells.copy()
            text[blank] = None
            out[col.name] = pd.array(text, dtype="str")
        if not col.nullable:
            expected = col.expected()
            for i in np.flatnonzero(blank):
                problems.append(Problem(rel, f"is empty; expected {expected}", line=int(line_no[i]), column=col.name))
    return pd.DataFrame(out, index=frame.index)


def _a(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


_ID = re.compile(ID_PATTERN)


def _value_checks(col, known: dict[str, list[str]]) -> list[tuple[str, object]]:
    """``(expected, test)`` pairs for one column, in the order they are reported: the id pattern, the
    choices, the referenced table's ids, the minimum, the maximum. ``test`` maps the column's non-blank
    cells (a numpy array) to a mask of the cells that pass."""
    checks: list[tuple[str, object]] = []
    if col.kind == "id":
        checks.append((col.expected(), lambda v: np.fromiter((_ID.match(x) is not None for x in v), dtype=bool, count=len(v))))
    if col.kind == "enum":
        checks.append((col.expected(), lambda v, ok=frozenset(col.choices): np.fromiter((x in ok for x in v), dtype=bool, count=len(v))))
    if col.ref and col.ref in known:  # an unreadable referenced table is reported on its own
        ref_table, ref_col = col.ref.split(".")
        allowed = frozenset(known[col.ref])
        checks.append((f"{_a(ref_col)} {ref_col} listed in {ref_table}.csv", lambda v, ok=allowed: np.fromiter((x in ok for x in v), dtype=bool, count=len(v))))
    if col.min is not None:
        checks.append((col.expected(), lambda v, lo=col.min: v.astype(float) >= lo))
    if col.max is not None:
        checks.append((col.expected(), lambda v, hi=col.max: v.astype(float) <= hi))
    return checks


def check_values(
    typed: pd.DataFrame, lines: pd.Series, table: Table, rel: str, known: dict[str, list[str]], problems: list[Problem]
) -> None:
    """The checks a typed table's values must pass, declared by :mod:`energy_routes.schema`: unique key,
    id pattern, choices, references to another table's ids, ranges; blank cells are left to :func:`_coerce`.

    Appends one problem per failing cell (per duplicated row for the key), with its line and column.
    Vectorised: a file of a million rows is checked in seconds. (These checks were a pandera schema;
    ``tests/test_value_checks.py`` holds them to pandera's verdicts on generated tables.)
    """
    line_no = lines.to_numpy() if lines.index.equals(typed.index) else lines.reindex(typed.index).to_numpy()
    key = [k for k in table.key if k in typed.columns]
    if key and len(typed) > 1:
        # blanks as None, so that two blank cells compare equal (as pandas' duplicated has them)
        shown_as = [typed[k].to_numpy(dtype=object) for k in key]
        cols = [np.where(pd.isna(v), None, v) for v in shown_as]
        seen: dict[tuple, int] = {}
        rows = list(zip(*cols))
        for r in rows:
            seen[r] = seen.get(r, 0) + 1
        if len(seen) < len(rows):
            for pos, r in enumerate(rows):
                # a row whose key cells are all blank is not a duplicate: its blanks are reported by _coerce
                if seen[r] < 2 or all(v is None for v in r) or pd.isna(line_no[pos]):
                    continue
                shown = ", ".join(f"{k}={v[pos]}" for k, v in zip(key, shown_as))
                problems.append(Problem(rel, f"duplicate key ({shown}); each ({', '.join(table.key)}) may appear once", line=int(line_no[pos])))
    for col in table.columns:
        if col.name not in typed.columns:
            continue
        checks = _value_checks(col, known)
        if not checks:
            continue
        cells = typed[col.name].to_numpy(dtype=object)
        filled = ~pd.isna(cells)
        where = np.flatnonzero(filled)
        if not len(where):
            continue
        values = cells[where]
        for expected, test in checks:
            for pos in where[~test(values)]:
                hint = unit_slip_hint(col, cells[pos])
                line = None if pd.isna(line_no[pos]) else int(line_no[pos])
                problems.append(Problem(rel, f"got '{_fmt(cells[pos])}'; expected {expected}{hint}", line=line, column=col.name))


def unit_slip_hint(col, value: object) -> str:
    """A hint when a value out of range looks like the right quantity in a common wrong unit."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return ""
    if col.max is None or not v > col.max:
        return ""
    return slip_hint(col.unit, v)


def slip_hint(unit: str, v: float) -> str:
    """``"; ... looks like ..."`` for a value ``v`` above the range of a column in ``unit``."""
    if unit == "Mt/yr":
        # 1 kb/d = 365,000 bbl/yr; at ~7.5 bbl/t (Kazakh grades 7.3-7.6) that is 0.0487 Mt/yr
        return f"; {v:g} looks like kb/d ({v:g} kb/d is about {v * 0.365 / 7.5:.1f} Mt/yr at 7.5 bbl/t) or kt/yr ({v / 1000:g} Mt/yr)"
    if unit == "$/bbl":
        return f"; {v:g} looks like $/t ({v:g} $/t is about {v / 7.5:.1f} $/bbl at 7.5 bbl/t)"
    if unit == "fraction" and v <= 100:
        return f"; if {v:g} is a percentage, write {v / 100:g}"
    if unit == "MW":
        return f"; {v:g} looks like kW ({v / 1000:g} MW)"
    return ""


def _fmt(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _check_columns(frame: pd.DataFrame, table: Table, rel: str, problems: list[Problem]) -> bool:
    names = [c.name for c in table.columns]
    missing = [c.name for c in table.columns if c.name not in frame.columns and not c.optional]
    extra = [c for c in frame.columns if c not in names]
    for name in missing:
        col = table.col(name)
        problems.append(Problem(rel, f"column '{name}' is missing; expected {col.expected()}", line=1))
    for name in extra:
        problems.append(
            Problem(rel, f"unknown column '{name}'; expected only: {', '.join(names)}", line=1, column=name)
        )
    return not missing


def _check_structure(tables: dict[str, pd.DataFrame], lines: dict[str, pd.Series], problems: list[Problem]) -> None:
    """Checks that span rows or tables (year series, unit counts, block use)."""
    for table in TABLES:
        df = tables.get(table.name)
        if df is None or table.years_consecutive_by is None or df.empty:
            continue
        by = list(table.years_consecutive_by)
        year = df["year"].to_numpy(dtype=object)
        groups: dict[tuple, list[int]] = {}  # group key -> positions of its rows with a year (plain Python: a pandas groupby cost more)
        for pos, key in enumerate(zip(*(df[c].to_numpy(dtype=object) for c in by)) if by else ((),) * len(df)):
            if not any(pd.isna(v) for v in key) and not pd.isna(year[pos]):
                groups.setdefault(key, []).append(pos)
        for key in sorted(groups):
            years = sorted({int(year[p]) for p in groups[key]})
            gaps = sorted(set(range(years[0], years[-1] + 1)) - set(years))
            if gaps:
                label = f" for {', '.join(by)}={key[0]}" if by else ""
                after = min((int(year[p]), p) for p in groups[key] if int(year[p]) > gaps[0])[1]  # the first row after the gap
                problems.append(
                    Problem(
                        table.filename,
                        f"years must be consecutive{label}; missing {', '.join(map(str, gaps))} (the row after the gap is here)",
                        line=int(lines[table.name][df.index[after]]),
                        column="year",
                    )
                )
    assets = tables.get("assets")
    if assets is not None:
        bad = assets["max_active_units"] > assets["units"]
        for idx in assets.index[bad.fillna(False)]:
            problems.append(
                Problem(
                    "assets.csv",
                    f"max_active_units {assets.at[idx, 'max_active_units']} exceeds units {assets.at[idx, 'units']}",
                    line=int(lines["assets"][idx]),
                    column="max_active_units",
                )
            )
        block = dict(zip(assets["asset"], assets["block"]))
        for name, col, want in (("asset_capacity", "asset", "oil"), ("power_links", "asset", "power")):
            df = tables.get(name)
            if df is None:
                continue
            for idx, asset in df[col].items():
                if block.get(asset) in ("oil", "power") and block[asset] != want:  # an unknown block is reported on its own
                    problems.append(
                        Problem(f"{name}.csv", f"asset '{asset}' is {_a(block[asset])} {block[asset]} asset; expected {_a(want)} {want} asset", line=int(lines[name][idx]), column=col)
                    )
    cap = tables.get("asset_capacity")
    if cap is not None:
        over = (cap["third_party_mt"] > cap["capacity_mt"]) & (cap["capacity_mt"] >= 0)
        for idx in cap.index[over.fillna(False)]:
            problems.append(
                Problem("asset_capacity.csv", f"third_party_mt {cap.at[idx, 'third_party_mt']:g} exceeds capacity_mt {cap.at[idx, 'capacity_mt']:g}", line=int(lines["asset_capacity"][idx]), column="third_party_mt")
            )
    check_network(tables, lines, problems)
    check_outlets(tables, lines, problems)
    problems.extend(power_table_problems(tables, lines))


def known_ids(tables: dict[str, pd.DataFrame]) -> dict[str, list[str]]:
    """``{"table.column": ids}`` for every single-column id key, for reference checks."""
    out = {}
    for table in TABLES:
        if table.name in tables and len(table.key) == 1 and table.col(table.key[0]).kind == "id":
            out[f"{table.name}.{table.key[0]}"] = tables[table.name][table.key[0]].dropna().tolist()
    return out


def file_sha256(path: Path) -> str:
    """SHA-256 of an input file (an ordinary file within the size limit, else an :class:`InputError`)."""
    return sha256_of(path)


def read_table(
    path: Path, rel: str, table: Table, known: dict[str, list[str]], problems: list[Problem], hashes: dict[str, str] | None = None
) -> tuple[pd.DataFrame, pd.Series] | None:
    """Read one CSV file against its declared :class:`Table`: columns, types, ranges, ids, unique keys.

    Returns the typed table and the file line of each row, or ``None`` when the
    file cannot be used at all; every problem is appended to ``problems``.
    Used for the model inputs and for the tables only some commands read
    (the hazard model, the reported history).
    """
    read = read_csv_text(path, rel, problems, hashes)
    if read is None:
        return None
    frame, line_nos = read
    if not _check_columns(frame, table, rel, problems):
        return None
    if frame.empty:
        problems.append(Problem(rel, "has a header but no data rows; expected at least one row after it", line=1))
        return None
    typed = _coerce(frame, line_nos, table, rel, problems)
    check_values(typed, line_nos, table, rel, known, problems)
    return typed, line_nos


def _read_numeric_fast(path: Path, table: Table) -> tuple[pd.DataFrame, pd.Series] | None:
    """A table of numbers read with pandas' C parser, when every check passes at once; None sends it to the
    line-by-line reader, which finds and locates the problems (large numeric tables: the hourly profiles)."""
    if any(c.kind not in ("int", "float") or c.nullable or c.optional for c in table.columns):
        return None
    try:
        df = pd.read_csv(io.BytesIO(read_input(path, table.filename, MAX_TABLE_BYTES)), encoding="utf-8-sig", skip_blank_lines=False, dtype=float)
    except Exception:  # noqa: BLE001 - anything odd: the careful reader reports it
        return None
    if list(df.columns) != [c.name for c in table.columns] or df.empty or df.isna().any().any():
        return None
    for c in table.columns:
        v = df[c.name].to_numpy()
        if not np.isfinite(v).all() or (c.min is not None and (v < c.min).any()) or (c.max is not None and (v > c.max).any()):
            return None
        if c.kind == "int":
            if (v != np.round(v)).any():
                return None
            df[c.name] = v.astype("int64")
    if df.duplicated(list(table.key)).any():
        return None
    lines = pd.Series(np.arange(2, len(df) + 2), index=df.index, dtype="int64")
    if power_table_problems({table.name: df}, {table.name: lines}):
        return None
    return df, lines


def _read_lazy(path: Path, table: Table, known: dict[str, list[str]]) -> tuple[pd.DataFrame, pd.Series]:
    """Read and check a lazy table on first use; raises InputError like :func:`load_inputs`."""
    fast = _read_numeric_fast(path, table)
    if fast is not None:
        return fast
    problems: list[Problem] = []
    read = read_table(path, table.filename, table, known, problems)
    if read is not None:
        problems.extend(power_table_problems({table.name: read[0]}, {table.name: read[1]}))
    if problems:
        raise InputError(sorted(problems, key=lambda p: p.line or 0))
    df, lines = read
    for col in table.columns:
        if col.kind == "int" and not col.nullable:
            df[col.name] = df[col.name].astype("int64")
    return df, lines


def load_inputs(folder: str | Path, *, lazy: bool = True) -> Inputs:
    """Read and validate every input table in ``folder`` (with ``lazy``, tables marked lazy only when first used).

    Raises
    ------
    InputError
        listing every problem found, each with file, line and column.
    """
    folder = Path(folder)
    problems: list[Problem] = []
    if not folder.is_dir():
        raise InputError([Problem(str(folder), "is not a folder of input tables")])
    tables: dict[str, pd.DataFrame] = {}
    lines: dict[str, pd.Series] = {}
    hashes: dict[str, str] = {}
    lazy_paths: dict[str, Path] = {}
    known: dict[str, list[str]] = {}
    for table in TABLES:
        path = folder / table.filename
        rel = table.filename
        if not path.exists() and not path.is_symlink():
            if table.required:
                problems.append(Problem(rel, f"is missing from {folder}; expected {table.description.lower()}"))
            continue
        if lazy and table.lazy:  # read on first use (Inputs.__getitem__); hashed now, for the manifest
            try:
                hashes[rel] = sha256_of(path, rel)
            except InputError as exc:
                problems.extend(exc.problems)
                continue
            lazy_paths[table.name] = path
            continue
        read = read_table(path, rel, table, known, problems, hashes)
        if read is None:
            continue
        tables[table.name], lines[table.name] = read
        known.update(known_ids({table.name: read[0]}))
    _check_structure(tables, lines, problems)
    if problems:
        order = {t.filename: i for i, t in enumerate(TABLES)}
        problems.sort(key=lambda p: (order.get(p.file, len(order)), p.line or 0))
        raise InputError(problems)
    for name, df in tables.items():
        for col in TABLES_BY_NAME[name].columns:
            if col.kind == "int" and col.name in df and not col.nullable:
                df[col.name] = df[col.name].astype("int64")
    return Inputs(folder, tables, lines, hashes, lazy_paths)

