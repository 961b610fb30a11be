"""The results store of a sweep folder: Parquet parts as cases finish, DuckDB at the end.

Layout of a sweep folder::

    sweep.json            what was asked (kind, scenario, options) and the input hashes
    plan.parquet          every case to run (written first; resume reads it)
    parts/<table>-*.parquet   results, one file per finished chunk and table
    <table>.csv           consolidated tables (written when every case is done)
    results.duckdb        the same tables, queryable with SQL
    manifest.json         written last, atomically: its presence means complete

Every part file is written to a temporary name and renamed, and a chunk's
``cases`` part is written after its other parts, so a case counts as done
only when all of its rows are on disk. A killed sweep loses at most the
chunks in flight; ``--resume`` recomputes exactly those.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

CASES = "cases"


def _atomic_write_bytes(path: Path, write) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{uuid.uuid4().hex[:8]}")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_parquet(df: pd.DataFrame, path: Path) -> None:
    table = pa.Table.from_pandas(df, preserve_index=False)
    _atomic_write_bytes(path, lambda p: pq.write_table(table, p))


def write_json(obj: dict, path: Path) -> None:
    text = json.dumps(obj, indent=2, sort_keys=False, default=str) + "\n"
    _atomic_write_bytes(path, lambda p: p.write_text(text, encoding="utf-8"))


class Store:
    """Parquet parts under ``folder/parts``."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.parts = self.folder / "parts"
        self.parts.mkdir(parents=True, exist_ok=True)
        self._seq = len(list(self.parts.glob(f"{CASES}-*.parquet")))

    def write_chunk(self, tables: dict[str, pd.DataFrame]) -> None:
        """Write one finished chunk: detail tables first, the ``cases`` part last."""
        self._seq += 1
        tag = f"{self._seq:06d}-{uuid.uuid4().hex[:6]}"
        for name, df in tables.items():
            if name != CASES and len(df):
                write_parquet(df, self.parts / f"{name}-{tag}.parquet")
        write_parquet(tables[CASES], self.parts / f"{CASES}-{tag}.parquet")

    def _files(self, name: str) -> list[Path]:
        return sorted(self.parts.glob(f"{name}-*.parquet"))

    def done_ids(self) -> set[str]:
        done: set[str] = set()
        for f in self._files(CASES):
            done.update(pq.read_table(f, columns=["case_id"]).column("case_id").to_pylist())
        return done

    @staticmethod
    def _tag(path: Path) -> str:
        return "-".join(path.stem.rsplit("-", 2)[1:])

    def table(self, name: str) -> pd.DataFrame:
        """All rows of one table from complete chunks (a chunk is complete once its ``cases`` part exists)."""
        complete = {self._tag(f) for f in self._files(CASES)}
        files = [f for f in self._files(name) if self._tag(f) in complete]
        if not files:
            return pd.DataFrame()
        df = pd.concat([pq.read_table(f).to_pandas() for f in files], ignore_index=True)
        return df.drop_duplicates("case_id", keep="last") if name == CASES else df

    def table_names(self) -> list[str]:
        return sorted({f.name.rsplit("-", 2)[0] for f in self.parts.glob("*.parquet")})


def build_duckdb(folder: Path, tables: dict[str, pd.DataFrame]) -> Path:
    """Write ``results.duckdb`` with one table per result table (atomically)."""
    import duckdb

    path = folder / "results.duckdb"

    def write(tmp: Path) -> None:
        con = duckdb.connect(str(tmp))
        try:
            for name, df in tables.items():
                con.register("_df", df)
                con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM _df')
                con.unregister("_df")
        finally:
            con.close()

    _atomic_write_bytes(path, write)
    return path
