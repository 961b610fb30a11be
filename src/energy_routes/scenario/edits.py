"""Apply a scenario's ``set`` edits to a copy of the input tables, and re-validate what they touch.

The only step of resolving a scenario that changes data: each edit sets
``values`` in the rows of ``table`` that match ``where`` (and ``years``);
the edited table is checked with the same schema as the file it came from.
"""

from __future__ import annotations

import math

from ..load import NA_TOKENS, Inputs, _check_structure, check_values, known_ids
from ..schema import TABLES_BY_NAME
from .checks import Locator
from .settings import Settings, expand_years


def _typed(c, v, loc: Locator, where: str) -> tuple[bool, object]:
    """The value ``v`` as column ``c`` stores it, or (False, None) after reporting why it cannot be.

    Numbers must be finite (NaN and infinity are refused, as in the CSV files), whole numbers whole
    (``units: 2.7`` is an error, not 2), and null only where the column may be blank.
    """
    if v is None or (isinstance(v, str) and v.strip().lower() in NA_TOKENS):
        if not c.nullable:
            loc.report(f"{c.name} cannot be blank; expected {c.expected()}", where)
            return False, None
        return True, None
    if c.kind in ("int", "float"):
        try:
            x = float(v)
        except (TypeError, ValueError):
            loc.report(f"value for {c.name} must be {c.expected()}, got '{v}'", where)
            return False, None
        if not math.isfinite(x):
            loc.report(f"value for {c.name} must be a finite number, got '{v}'; expected {c.expected()}", where)
            return False, None
        if c.kind == "int":
            if x != round(x):
                loc.report(f"value for {c.name} must be a whole number, got '{v}'; expected {c.expected()}", where)
                return False, None
            return True, int(x)
        return True, x
    return True, str(v)


def _origin_file(loc: Locator, i: int, default: str) -> str:
    """The file the i-th merged `set` edit came from (scenarios.yaml or a scenario file)."""
    origin = loc.provenance.item("set", i)
    return origin.file if origin is not None else default


def apply_set_edits(inputs: Inputs, s: Settings, years: list[int], loc: Locator, rel: str) -> Inputs:
    """A copy of ``inputs`` with every edit applied; problems go to ``loc``."""
    import pandas as pd

    edited = inputs.copy()
    if not s.set:  # nothing edited: the tables were checked when they were read
        return edited
    for i, edit in enumerate(s.set):
        col = f"set[{i}]"
        table = TABLES_BY_NAME.get(edit.table)
        if table is None or edit.table not in edited.tables:
            loc.report(f"unknown table '{edit.table}'; known: {', '.join(edited.tables)}", col + ".table")
            continue
        df = edited.tables[edit.table]
        colnames = {c.name for c in table.columns}
        bad = [k for k in list(edit.where) + list(edit.values) if k not in colnames]
        if bad:
            loc.report(f"unknown column(s) {', '.join(bad)} in table {edit.table}; known: {', '.join(sorted(colnames))}", col)
            continue
        mask = pd.Series(True, index=df.index)
        for k, v in edit.where.items():
            mask &= df[k].astype(str) == str(v)
        if edit.years is not None:
            if "year" not in df:
                loc.report(f"table {edit.table} has no year column; drop 'years'", col + ".years")
                continue
            try:
                ys = expand_years(edit.years, years)
            except ValueError as exc:
                loc.report(str(exc), col + ".years")
                continue
            mask &= df["year"].isin(ys)
        if not mask.any():
            loc.report(f"matches no row of {edit.table}.csv", col + ".where")
            continue
        for k, v in edit.values.items():
            ok, v = _typed(table.col(k), v, loc, col + f".values.{k}")
            if ok:
                df.loc[mask, k] = v
        check_values(
            df, edited.lines[edit.table], table, f"{edit.table}.csv as edited by {_origin_file(loc, i, rel)} {col}", known_ids(edited.tables), loc.problems
        )
    _check_structure(edited.tables, edited.lines, loc.problems)
    return edited
