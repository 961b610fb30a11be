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

The store is idempotent per case: if a case was saved by more than one
chunk (two writers before the folder lock existed, or a part copied in by
hand), every table keeps the rows of one chunk only, the last one written,
so no row is ever counted twice. A part that cannot be read (a truncated
copy, a full disk) is moved to ``parts/damaged/`` together with the rest of
its chunk when the folder is opened, and its cases run again.

One writer at a time: :class:`FolderLock` holds an exclusive ``flock`` on
``.lock`` in the folder for as long as a sweep runs; a second ``--resume``
(or a resume while the original still runs) is refused with exit code 2.
The kernel releases the lock when the process ends, however it ends.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

CASES = "cases"


def atomic_write(path: Path, write) -> None:
    """Call ``write(tmp)`` on a hidden temporary name next to ``path``, then rename it to ``path`` in one step."""
    tmp = path.with_name(f".{path.name}.tmp-{uuid.uuid4().hex[:8]}")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_parquet(df: pd.DataFrame, path: Path) -> None:
    table = pa.Table.from_pandas(df, preserve_index=False)
    atomic_write(path, lambda p: pq.write_table(table, p))


def write_json(obj: dict, path: Path) -> None:
    text = json.dumps(obj, indent=2, sort_keys=False, default=str) + "\n"
    atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))


LOCK = ".lock"


class FolderBusy(Exception):
    """Another process holds the folder's lock."""


class FolderLock:
    """An exclusive, non-blocking ``flock`` on ``<folder>/.lock``, held until :meth:`release` or the process ends.

    The file records the holder's pid and start time, for the message a second writer gets.
    """

    def __init__(self, folder: Path):
        self.path = Path(folder) / LOCK
        self.fd: int | None = None
        try:
            import fcntl
        except ImportError:  # no flock on this platform (Windows): no protection against a second writer
            return
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            try:
                holder = os.read(fd, 200).decode(errors="replace").strip()
            finally:
                os.close(fd)
            raise FolderBusy(holder) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()}, since {time.strftime('%Y-%m-%d %H:%M:%S')}\n".encode())
        self.fd = fd

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing the last descriptor releases the flock
            self.fd = None


class Store:
    """Parquet parts under ``folder/parts``."""

    def __init__(self, folder: Path, lock: FolderLock | None = None):
        self.folder = Path(folder)
        self.parts = self.folder / "parts"
        self.parts.mkdir(parents=True, exist_ok=True)
        self.lock = lock
        seqs = [f.name.removeprefix(f"{CASES}-").split("-")[0] for f in self.parts.glob(f"{CASES}-*.parquet")]
        self._seq = max((int(q) for q in seqs if q.isdigit()), default=0)

    def close(self) -> None:
        """Release the folder's lock (the parts stay)."""
        if self.lock is not None:
            self.lock.release()

    def quarantine_damaged(self) -> list[str]:
        """Move every chunk with an unreadable part to ``parts/damaged/``; returns the damaged files' names.

        Reads each part's footer (a truncated Parquet file has none): cheap even for thousands of parts.
        """
        bad_tags, bad_files = set(), []
        for f in sorted(self.parts.glob("*.parquet")):
            try:
                meta = pq.read_metadata(f)
                if f.name.startswith(f"{CASES}-") and "case_id" not in meta.schema.names:
                    raise ValueError("no case_id column")
            except Exception:  # noqa: BLE001 - any failure to read the footer means the file is unusable
                bad_tags.add(self._tag(f))
                bad_files.append(f.name)
        if bad_tags:
            damaged = self.parts / "damaged"
            damaged.mkdir(exist_ok=True)
            for f in self.parts.glob("*.parquet"):
                if self._tag(f) in bad_tags:
                    os.replace(f, damaged / f.name)
        return bad_files

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

    def owners(self) -> dict[str, str]:
        """``case_id -> tag`` of the one chunk whose rows count for that case (the last written, by file name)."""
        owner: dict[str, str] = {}
        for f in self._files(CASES):  # sorted: sequence number first, so later chunks win
            tag = self._tag(f)
            for cid in pq.read_table(f, columns=["case_id"]).column("case_id").to_pylist():
                owner[cid] = tag
        return owner

    def table(self, name: str, owners: dict[str, str] | None = None) -> pd.DataFrame:
        """All rows of one table, each case's rows from exactly one complete chunk (its owner).

        A chunk is complete once its ``cases`` part exists; a case saved by two
        chunks keeps the rows of one of them only, so no row is counted twice.
        """
        owners = self.owners() if owners is None else owners
        complete = set(owners.values())
        frames = []
        for f in self._files(name):
            tag = self._tag(f)
            if tag not in complete:
                continue
            df = pq.read_table(f).to_pandas()
            if "case_id" in df:
                df = df[df["case_id"].map(owners).eq(tag)]
            frames.append(df)
        frames = [df for df in frames if len(df)]
        if not frames:
            return pd.DataFrame()
        return pd.concat(frames, ignore_index=True)

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

    atomic_write(path, write)
    return path
