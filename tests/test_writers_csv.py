"""``writers.write_csv`` writes the same bytes as pandas' ``to_csv`` (its own fast path is an optimisation).

The oracle is pandas itself, called as the writer used to call it: every table of a shipped run, and
generated frames with the awkward values (NaN, -0.0, infinities, huge and tiny floats, text with commas,
quotes, newlines and blanks, booleans, empty frames, columns left to pandas).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from energy_routes.writers import FLOAT_FORMAT, write_csv


def pandas_bytes(df: pd.DataFrame, tmp_path) -> bytes:
    path = tmp_path / "pandas.csv"
    df.to_csv(path, index=False, float_format=FLOAT_FORMAT, lineterminator="\n")
    return path.read_bytes()


def ours(df: pd.DataFrame, tmp_path) -> bytes:
    path = tmp_path / "ours.csv"
    write_csv(df, path)
    return path.read_bytes()


def test_every_table_of_a_run_is_written_as_pandas_writes_it(shipped_inputs, tmp_path):
    from energy_routes.api import run_scenario

    result = run_scenario(shipped_inputs, "cpc-pump-station-2025", power=False)  # with events: every table has rows
    for name, df in result.tables.items():
        assert ours(df, tmp_path) == pandas_bytes(df, tmp_path), name


FLOATS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, 0.5e-6, -0.5e-6, 1e20, 123456.0000005, math.nan]),
)
TEXT = st.one_of(st.none(), st.text(alphabet='ab ,"\n\r\té', max_size=5))


@st.composite
def frames(draw):
    n = draw(st.integers(0, 6))
    cols = {}
    for i, kind in enumerate(draw(st.lists(st.sampled_from(["float", "int", "bool", "str", "object", "date"]), min_size=1, max_size=5))):
        name = f"c{i}" if draw(st.booleans()) else f'c {i},"x"'
        if kind == "float":
            cols[name] = pd.Series(draw(st.lists(FLOATS, min_size=n, max_size=n)), dtype="float64")
        elif kind == "int":
            cols[name] = pd.Series(draw(st.lists(st.integers(-(2**62), 2**62), min_size=n, max_size=n)), dtype="int64")
        elif kind == "bool":
            cols[name] = pd.Series(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)
        elif kind == "str":
            cols[name] = pd.Series(draw(st.lists(TEXT, min_size=n, max_size=n)), dtype=str)
        elif kind == "object":  # text, or (left to pandas) numbers among it
            cols[name] = pd.Series(draw(st.lists(st.one_of(TEXT, st.floats(allow_nan=False)), min_size=n, max_size=n)), dtype=object)
        else:
            cols[name] = pd.Series(pd.to_datetime(["2024-03-01"] * n))
    return pd.DataFrame(cols)


@settings(max_examples=150)
@given(frames())
def test_generated_frames_are_written_as_pandas_writes_them(tmp_path_factory, df):
    tmp = tmp_path_factory.mktemp("csv")
    assert ours(df, tmp) == pandas_bytes(df, tmp)


def test_a_hand_written_table(tmp_path):
    """The bytes written out by hand: %.6f floats, blank NaN, quoted commas and quotes, minimal quoting."""
    df = pd.DataFrame({"route": ["cpc", 'a,"b"', None], "mt": [1.5, np.nan, -0.0], "year": [2024, 2025, 2026]})
    assert ours(df, tmp_path) == b'route,mt,year\ncpc,1.500000,2024\n"a,""b""",,2025\n,-0.000000,2026\n'
