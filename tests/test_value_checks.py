"""The value checks of the input tables (``load.check_values``) against pandera, an independent checker.

``check_values`` is a hand-written, vectorised version of what was a pandera ``DataFrameSchema`` per
table (id pattern, choices, references, ranges, unique key); it replaced pandera because pandera's import
alone cost a one-year run more than the whole model build. Here pandera (test extras only) is given the
same declarations (``schema.TABLES``) and both verdicts are compared on generated tables: the same set of
(line, column, message) problems, for every table, with blanks, bad ids, unknown references,
out-of-range numbers and duplicated keys mixed in.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from energy_routes.errors import Problem
from energy_routes.load import _fmt, check_values, unit_slip_hint
from energy_routes.schema import ID_PATTERN, TABLES

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import pandera.pandas as pa

KNOWN_IDS = ["a", "b", "pipe", "ship"]


def _a(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def pandera_problems(typed: pd.DataFrame, lines: pd.Series, table, rel: str, known: dict[str, list[str]]) -> list[Problem]:
    """The problems pandera finds, worded as the loader words them (the pre-replacement code, kept as the oracle)."""
    columns = {}
    for col in table.columns:
        checks = []
        if col.kind == "id":
            checks.append(pa.Check.str_matches(ID_PATTERN, error=col.expected(), ignore_na=True))
        if col.kind == "enum":
            checks.append(pa.Check.isin(list(col.choices), error=col.expected(), ignore_na=True))
        if col.ref and col.ref in known:
            ref_table, ref_col = col.ref.split(".")
            checks.append(pa.Check.isin(known[col.ref], error=f"{_a(ref_col)} {ref_col} listed in {ref_table}.csv", ignore_na=True))
        if col.min is not None:
            checks.append(pa.Check.ge(col.min, error=col.expected(), ignore_na=True))
        if col.max is not None:
            checks.append(pa.Check.le(col.max, error=col.expected(), ignore_na=True))
        dtype = {"int": "Int64", "float": float}.get(col.kind)
        columns[col.name] = pa.Column(dtype, checks=checks, nullable=True, required=not col.optional)
    schema = pa.DataFrameSchema(columns, unique=list(table.key), report_duplicates="all")
    out: list[Problem] = []
    try:
        schema.validate(typed, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        dup_lines: set[int] = set()
        for row in cases.itertuples(index=False):
            line = int(lines[int(row.index)])
            if row.check == "multiple_fields_uniqueness":
                if line in dup_lines:
                    continue
                dup_lines.add(line)
                key = ", ".join(f"{k}={typed.at[int(row.index), k]}" for k in table.key)
                out.append(Problem(rel, f"duplicate key ({key}); each ({', '.join(table.key)}) may appear once", line=line))
                continue
            col = table.col(row.column)
            out.append(Problem(rel, f"got '{_fmt(row.failure_case)}'; expected {row.check}{unit_slip_hint(col, row.failure_case)}", line=line, column=row.column))
    return out


def _cell(col):
    """A strategy for one typed cell of ``col``: mostly valid, often not, sometimes blank."""
    blank = st.just(None)
    if col.kind in ("int", "float"):
        lo = -1e4 if col.min is None else col.min
        hi = 1e4 if col.max is None else col.max
        span = max(hi - lo, 1.0)
        near = st.floats(lo - span, hi + span, allow_nan=False)
        edge = st.sampled_from([v for v in (col.min, col.max) if v is not None] or [0.0])
        num = st.one_of(near, edge, st.floats(hi * 10 + 1, hi * 1000 + 2, allow_nan=False))
        if col.kind == "int":
            num = num.map(lambda x: float(round(x)))
        return st.one_of(num, blank)
    if col.kind == "enum":
        return st.one_of(st.sampled_from(col.choices), st.sampled_from(["", "Oil", "gas"]), blank)
    if col.kind == "id":
        return st.one_of(st.sampled_from(KNOWN_IDS), st.sampled_from(["c", "Tengiz Field", "1x", "ok_2", "b "]), blank)
    return st.one_of(st.text("ab ,Z", max_size=4), blank)


@st.composite
def typed_tables(draw):
    table = draw(st.sampled_from(TABLES))
    n = draw(st.integers(1, 8))
    cols = [c for c in table.columns if not (c.optional and draw(st.booleans()))]
    data = {c.name: [draw(_cell(c)) for _ in range(n)] for c in cols}
    if n > 1 and draw(st.booleans()):  # a duplicated key
        i, j = draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1))
        for k in table.key:
            if k in data:
                data[k][j] = data[k][i]
    out = {}
    for c in cols:
        if c.kind == "int":
            out[c.name] = pd.array([None if v is None else int(v) for v in data[c.name]], dtype="Int64")
        elif c.kind == "float":
            out[c.name] = np.array([np.nan if v is None else v for v in data[c.name]], dtype=float)
        else:
            out[c.name] = pd.Series(data[c.name], dtype=object).where(pd.notna(pd.Series(data[c.name], dtype=object)))
    index = pd.RangeIndex(n) * 3 + 5  # not 0..n-1, as after a `set` edit of a filtered frame
    frame = pd.DataFrame({k: pd.Series(v).set_axis(index) if not isinstance(v, pd.Series) else v.set_axis(index) for k, v in out.items()})
    lines = pd.Series(np.arange(n) * 2 + 2, index=index, dtype="int64")
    known = {ref: KNOWN_IDS for ref in {c.ref for c in table.columns if c.ref} if draw(st.booleans())}
    return table, frame, lines, known


def _key(p: Problem):
    return (p.line, p.column or "", p.message)


@settings(max_examples=60)
@given(typed_tables())
def test_value_checks_agree_with_pandera(case):
    table, frame, lines, known = case
    ours: list[Problem] = []
    check_values(frame, lines, table, table.filename, known, ours)
    theirs = pandera_problems(frame, lines, table, table.filename, known)
    assert sorted(map(_key, ours)) == sorted(map(_key, theirs))


def test_a_table_with_every_kind_of_bad_value():
    """Hand case: each check fires once, on its own line and column, worded as the loader's messages."""
    table = next(t for t in TABLES if t.name == "assets")  # asset id, block enum, name, units [1, 100], max_active_units [1, 100]
    frame = pd.DataFrame(
        {
            "asset": ["pipe", "Big Pipe", "pipe", "ship"],
            "block": ["oil", "oil", "oil", "gas"],
            "name": ["P", "B", "P2", "S"],
            "units": pd.array([1, 2, 1, 300], dtype="Int64"),
            "max_active_units": pd.array([1, 0, 1, 1], dtype="Int64"),
            "description": [None, None, None, None],
        }
    )
    lines = pd.Series([2, 3, 4, 5])
    got: list[Problem] = []
    check_values(frame, lines, table, "assets.csv", {}, got)
    assert sorted(map(_key, got)) == sorted(
        [
            (2, "", "duplicate key (asset=pipe); each (asset) may appear once"),
            (4, "", "duplicate key (asset=pipe); each (asset) may appear once"),
            (3, "asset", "got 'Big Pipe'; expected an id (lower-case letters, digits, _)"),
            (3, "max_active_units", "got '0'; expected a whole number in [1, 100] (count)"),
            (5, "block", "got 'gas'; expected one of oil, power"),
            (5, "units", "got '300'; expected a whole number in [1, 100] (count)"),
        ]
    )


@pytest.mark.parametrize("n", [0, 1])
def test_no_rows_or_all_valid_gives_no_problem(n):
    table = next(t for t in TABLES if t.name == "supply")
    frame = pd.DataFrame({"year": pd.array([2023] * n, dtype="Int64"), "source": ["a"] * n, "export_supply_mt": [10.0] * n})
    got: list[Problem] = []
    check_values(frame, pd.Series(range(2, 2 + n), dtype="int64"), table, "supply.csv", {"sources.source": ["a"]}, got)
    assert got == []
