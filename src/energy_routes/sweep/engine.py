"""Run a list of cases on local worker processes or a Dask cluster, streaming results to a store.

A :class:`Job` says how to turn one case (a row of the plan) into result rows;
it is sent once to each worker, which builds and compiles its LPs once and
keeps them for every chunk it is given (``_WORKER_STATE``). The driver writes
each finished chunk to the :class:`~.store.Store` straight away, so an
interrupted sweep keeps every finished case, and shows a progress bar with
rate and ETA.
"""

from __future__ import annotations

import math
import multiprocessing as mp
import os
import signal
import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field

import pandas as pd
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from .store import Store


class Interrupted(Exception):
    """The sweep was stopped (Ctrl-C or SIGTERM); finished cases are on disk."""

    def __init__(self, done: int, total: int):
        super().__init__(f"interrupted after {done} of {total} cases")
        self.done, self.total = done, total


@dataclass
class Job:
    """Everything a worker needs, picklable. ``worker`` builds the per-process state."""

    job_id: str
    make_worker: Callable[["Job"], Callable[[list[dict]], dict[str, pd.DataFrame]]]
    payload: dict = field(default_factory=dict)


_WORKER_STATE: dict[str, Callable] = {}


def run_chunk(job: Job, chunk: list[dict]) -> dict[str, pd.DataFrame]:
    """Solve a chunk of cases in this process, building the job's state on first use."""
    solve = _WORKER_STATE.get(job.job_id)
    if solve is None:
        _WORKER_STATE.clear()
        solve = _WORKER_STATE[job.job_id] = job.make_worker(job)
    return solve(chunk)


def chunks_of(records: list[dict], workers: int, size: int | None = None) -> list[list[dict]]:
    """Chunks small enough for a smooth progress bar and a small loss on a kill, big enough to amortise overhead."""
    if size is None:
        size = max(1, min(256, math.ceil(len(records) / max(1, workers * 8))))
    return [records[i : i + size] for i in range(0, len(records), size)]


def _progress(console: Console, quiet: bool) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
        disable=quiet,
        transient=False,
    )


_DRIVER_PID = os.getpid()


def _interrupt_driver_only(signum, frame):  # pragma: no cover - exercised by the interrupt tests in a subprocess
    """Ctrl-C / SIGTERM stop the driver; forked workers (which inherit this handler) just end quietly."""
    if os.getpid() == _DRIVER_PID:
        raise KeyboardInterrupt
    if signum == signal.SIGTERM:
        os._exit(1)


def run_cases(
    job: Job,
    plan: pd.DataFrame,
    store: Store,
    *,
    workers: int = 1,
    dask: str | None = None,
    quiet: bool = False,
    description: str = "cases",
    chunk_size: int | None = None,
) -> int:
    """Run every case of ``plan`` not yet in ``store``; returns how many were run now."""
    done = store.done_ids()
    todo = plan[~plan["case_id"].isin(done)]
    total, already = len(plan), len(plan) - len(todo)
    records = todo.to_dict("records")
    if not records:
        return 0
    chunks = chunks_of(records, workers if not dask else max(workers, 4), chunk_size)
    console = Console(stderr=True)
    global _DRIVER_PID
    _DRIVER_PID = os.getpid()
    old_term = signal.signal(signal.SIGTERM, _interrupt_driver_only)
    old_int = signal.signal(signal.SIGINT, _interrupt_driver_only)
    finished = already
    try:
        with _progress(console, quiet) as bar:
            task = bar.add_task(description, total=total, completed=already, rate="")
            t0, n_now = time.perf_counter(), 0

            def collect(result: dict[str, pd.DataFrame]) -> None:
                nonlocal finished, n_now
                store.write_chunk(result)
                n = len(result["cases"])
                finished += n
                n_now += n
                rate = n_now / max(time.perf_counter() - t0, 1e-9)
                bar.update(task, advance=n, rate=f"{rate:,.0f} cases/s")

            try:
                if dask:
                    _run_dask(job, chunks, dask, workers, collect)
                elif workers > 1:
                    _run_pool(job, chunks, workers, collect)
                else:
                    for chunk in chunks:
                        collect(run_chunk(job, chunk))
            except KeyboardInterrupt:
                raise Interrupted(finished, total) from None
    finally:
        signal.signal(signal.SIGTERM, old_term)
        signal.signal(signal.SIGINT, old_int)
    return finished - already


def _init_worker() -> None:  # pragma: no cover - runs in the worker processes
    # the driver handles Ctrl-C and shuts the pool down; workers just stop
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run_pool(job: Job, chunks: list[list[dict]], workers: int, collect) -> None:
    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
    ex = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker)
    try:
        pending = set()
        it = iter(chunks)
        # keep a bounded number of chunks in flight so Ctrl-C stops quickly
        for chunk in _take(it, workers * 3):
            pending.add(ex.submit(run_chunk, job, chunk))
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in finished:
                collect(fut.result())
                for chunk in _take(it, 1):
                    pending.add(ex.submit(run_chunk, job, chunk))
    except BaseException:
        procs = list((getattr(ex, "_processes", None) or {}).values())
        ex.shutdown(wait=False, cancel_futures=True)
        for p in procs:  # chunks in flight are lost; their cases run again on --resume
            p.terminate()
        raise
    ex.shutdown(wait=True)


def _take(it: Iterable, n: int) -> list:
    out = []
    for _ in range(n):
        try:
            out.append(next(it))
        except StopIteration:
            break
    return out


def dask_client(address: str, workers: int):
    """A Dask client: ``local`` starts a LocalCluster of worker processes, anything else is a scheduler address."""
    from distributed import Client, LocalCluster

    if address == "local":
        cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=50)
        return Client(cluster), cluster
    return Client(address), None


def _run_dask(job: Job, chunks: list[list[dict]], address: str, workers: int, collect) -> None:
    from distributed import as_completed

    client, cluster = dask_client(address, workers)
    try:
        [job_f] = client.scatter([job], broadcast=True)
        futures = [client.submit(run_chunk, job_f, chunk, pure=False) for chunk in chunks]
        try:
            for fut in as_completed(futures):
                collect(fut.result())
        except BaseException:
            client.cancel(futures)
            raise
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
