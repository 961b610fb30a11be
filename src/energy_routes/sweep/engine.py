"""Run a list of cases on local worker processes or a Dask cluster, streaming results to a store.

A :class:`Job` says how to turn one case (a row of the plan) into result rows;
it is sent once to each worker, which builds and compiles its LPs once and
keeps them for every chunk it is given (``_WORKER_STATE``). The driver writes
each finished chunk to the :class:`~.store.Store` straight away, so an
interrupted sweep keeps every finished case, and shows a progress bar with
rate and ETA.

Workers never outlive the driver: each local worker asks the kernel to kill
it when its parent dies (``PR_SET_PDEATHSIG`` on Linux; elsewhere a thread
that watches the parent), so a SIGKILLed driver leaves no process holding
memory or the caller's stdout (``$(energy-routes disrupt …)`` returns).
A ``--dask`` address is checked (form, then a TCP connection with a short
timeout) before the sweep folder is created.
"""

from __future__ import annotations

import math
import multiprocessing as mp
import os
import re
import signal
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field

import pandas as pd
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from .store import Store


class Interrupted(Exception):
    """The sweep was stopped (Ctrl-C or SIGTERM); finished cases are on disk. The message says what was kept."""

    def __init__(self, done: int, total: int, message: str | None = None):
        super().__init__(message or f"interrupted after {done} of {total} cases")
        self.done, self.total = done, total


@dataclass
class Job:
    """Everything a worker needs, picklable. ``worker`` builds the per-process state."""

    job_id: str
    make_worker: Callable[["Job"], Callable[[list[dict]], dict[str, pd.DataFrame]]]
    payload: dict = field(default_factory=dict)
    #: plan columns naming the per-process state a case needs (risk: ``("lever", "year")``, one compiled year
    #: LP each): a chunk then holds cases of one such group only, and each worker keeps to its share of the
    #: groups (:class:`Dealer`), so it builds the state of those groups only
    group_by: tuple[str, ...] = ()


_WORKER_STATE: dict[str, Callable] = {}

#: the status of a case whose scenario turned out invalid when it was solved (its reason is in ``problem``)
INVALID = "invalid input"


@dataclass(frozen=True)
class isolate_invalid:  # noqa: N801 - used like a function: isolate_invalid(make_worker)
    """Wrap a job's ``make_worker`` so that a case with invalid input becomes a failed row instead of stopping the sweep.

    The wrapped solver runs the chunk as usual; if it raises
    :class:`~energy_routes.errors.InputError`, it runs the chunk's cases one
    by one and records each invalid one as ``status = 'invalid input'`` with
    the reason in ``problem``, so one bad combination deep in a grid neither
    stops the sweep nor makes every ``--resume`` stop at it again.
    """

    make_worker: Callable

    def __call__(self, job: "Job"):
        from ..errors import InputError

        solve = self.make_worker(job)

        def run(chunk: list[dict]) -> dict[str, pd.DataFrame]:
            try:
                return solve(chunk)
            except InputError:
                pass
            parts: list[dict[str, pd.DataFrame]] = []
            for rec in chunk:
                try:
                    parts.append(solve([rec]))
                except InputError as exc:
                    shown = "; ".join(str(p) for p in exc.problems[:3]) + (f"; and {len(exc.problems) - 3} more" if len(exc.problems) > 3 else "")
                    parts.append({"cases": pd.DataFrame([{"case_id": rec["case_id"], "status": INVALID, "problem": shown}])})
            names = dict.fromkeys(n for part in parts for n in part)
            return {n: pd.concat([p[n] for p in parts if n in p and len(p[n])] or [pd.DataFrame()], ignore_index=True) for n in names}

        return run


def run_chunk(job: Job, chunk: list[dict]) -> dict[str, pd.DataFrame]:
    """Solve a chunk of cases in this process, building the job's state on first use."""
    solve = _WORKER_STATE.get(job.job_id)
    if solve is None:
        _WORKER_STATE.clear()
        solve = _WORKER_STATE[job.job_id] = job.make_worker(job)
    return solve(chunk)


#: the job of a local pool's worker, handed over once when the worker starts (not pickled with every chunk)
_POOL_JOB: list[Job] = []


def _run_pool_chunk(chunk: list[dict]) -> dict[str, pd.DataFrame]:  # pragma: no cover - runs in the worker processes
    return run_chunk(_POOL_JOB[0], chunk)


#: chunk sizes of :func:`chunks_of` and :class:`Dealer` (cases): the first ones large (fewer results for the driver to write while
#: the workers compute), then shrinking so that the workers finish together (the last chunk is the one a
#: worker may wait for alone)
CHUNK_MAX, CHUNK_MIN = 512, 24


def guided_size(left: int, workers: int) -> int:
    """A quarter of each worker's share of the ``left`` cases not yet given out, between :data:`CHUNK_MIN` and
    :data:`CHUNK_MAX` (guided scheduling: large chunks first, small ones last, so no worker is left alone with a
    large one at the end)."""
    return max(CHUNK_MIN, min(CHUNK_MAX, math.ceil(left / max(1, workers * 4))))


def groups_of(records: list[dict], group_by: tuple[str, ...]) -> list[list[dict]]:
    """The records by their values of ``group_by`` (groups in order of first appearance, records in their
    order within a group); without ``group_by``, one group of all."""
    if not group_by:
        return [records] if records else []
    groups: dict[tuple, list[dict]] = {}
    for rec in records:
        groups.setdefault(tuple(rec[c] for c in group_by), []).append(rec)
    return list(groups.values())


def chunks_of(records: list[dict], workers: int, size: int | None = None, group_by: tuple[str, ...] = ()) -> list[list[dict]]:
    """Chunks small enough for a smooth progress bar and a small loss on a kill, big enough to amortise overhead.

    Without ``size`` and with several workers: :func:`guided_size` of what is not yet given out. With
    ``group_by``, the records go group after group (:func:`groups_of`) and no chunk spans two groups.
    Which chunk a case is in changes none of its numbers (every case starts from its scenario's basis)."""
    if size is None and workers <= 1:  # one process: nothing to balance
        size = max(1, min(256, math.ceil(len(records) / 8)))
    out, left = [], len(records)
    for group in groups_of(records, group_by):
        i = 0
        while i < len(group):
            step = size or guided_size(left, workers)
            out.append(group[i : i + step])
            i += step
            left -= len(out[-1])
    return out


class Dealer:
    """Deals chunks to the workers of a local pool, each worker from its own share of the cases.

    The groups (:func:`groups_of`), in order, are cut into ``workers`` contiguous shares of equal size
    (±1 case): worker ``w`` is dealt chunks from the front of share ``w``, never spanning two groups, so
    it needs the state of its share's groups only (risk: a quarter of the years each on 4 workers). A
    worker whose share is used up takes from the back of the largest share left, so the workers still
    finish together. Sizes are :func:`guided_size` of all that is left, or ``size``."""

    def __init__(self, records: list[dict], workers: int, group_by: tuple[str, ...] = (), size: int | None = None):
        self.workers = workers = max(1, workers)
        self.size = size
        self.left = n = len(records)
        cuts = [n * w // workers for w in range(workers + 1)]
        self.shares: list[list[list[dict]]] = [[] for _ in range(workers)]  # per worker: its runs, one group each
        self.sizes = [cuts[w + 1] - cuts[w] for w in range(workers)]
        at = 0
        for group in groups_of(records, group_by):
            for w in range(workers):
                lo, hi = max(at, cuts[w]), min(at + len(group), cuts[w + 1])
                if lo < hi:
                    self.shares[w].append(group[lo - at : hi - at])
            at += len(group)

    def next(self, w: int) -> list[dict]:
        """The next chunk for worker ``w`` (empty when every case has been dealt)."""
        own = bool(self.sizes[w])
        v = w if own else max(range(self.workers), key=lambda k: self.sizes[k])
        if not self.sizes[v]:
            return []
        runs, step = self.shares[v], self.size or guided_size(self.left, self.workers)
        if own:
            chunk, runs[0] = runs[0][:step], runs[0][step:]
        else:
            chunk, runs[-1] = runs[-1][-step:], runs[-1][:-step]
        while runs and not runs[0]:
            runs.pop(0)
        while runs and not runs[-1]:
            runs.pop()
        self.sizes[v] -= len(chunk)
        self.left -= len(chunk)
        return chunk


def note(text: str) -> None:
    """A warning on stderr (masked limits, de-duplicated options, damaged parts), even when quiet."""
    from rich.markup import escape

    Console(stderr=True).print(f"[yellow]note:[/yellow] {escape(text)}", highlight=False, soft_wrap=True)


class SetupProgress:
    """A progress bar on stderr for a set-up step (building a plan, checking cases); silent when quiet or short."""

    def __init__(self, description: str, total: int, quiet: bool = False, min_total: int = 200):
        self.enabled = not quiet and total >= min_total
        self.bar = _progress(Console(stderr=True), not self.enabled) if self.enabled else None
        self.total = total
        self.description = description
        self.task = None

    def __enter__(self) -> "SetupProgress":
        if self.bar is not None:
            self.bar.__enter__()
            self.task = self.bar.add_task(self.description, total=self.total, rate="")
        return self

    def __call__(self, done: int) -> None:
        if self.bar is not None and (done % 50 == 0 or done == self.total):
            self.bar.update(self.task, completed=done)

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)


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
    group_by = tuple(job.group_by)
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
                    _run_dask(job, chunks_of(records, max(workers, 4), chunk_size, group_by), dask, workers, collect)
                elif workers > 1:
                    _run_pool(job, Dealer(records, workers, group_by, chunk_size), collect)
                else:
                    for chunk in chunks_of(records, 1, chunk_size, group_by):
                        collect(run_chunk(job, chunk))
            except KeyboardInterrupt:
                raise Interrupted(finished, total) from None
    finally:
        signal.signal(signal.SIGTERM, old_term)
        signal.signal(signal.SIGINT, old_int)
    return finished - already


def _die_with_parent(parent: int) -> None:  # pragma: no cover - runs in the worker processes
    """Make this process end when ``parent`` ends, however it ends (SIGKILL included)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_PDEATHSIG = 1
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0:
            if os.getppid() != parent:  # the parent died before prctl took effect
                os._exit(1)
            return
    except (OSError, AttributeError):
        pass

    def watch() -> None:
        while True:
            if os.getppid() != parent:
                os._exit(1)
            time.sleep(0.5)

    threading.Thread(target=watch, name="watch-parent", daemon=True).start()


def _init_worker(parent: int, job: Job) -> None:  # pragma: no cover - runs in the worker processes
    # the driver handles Ctrl-C and shuts the pool down; workers just stop, and never outlive it
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent(parent)
    _POOL_JOB[:] = [job]  # a forked worker inherits it (nothing pickled); elsewhere it is pickled once per worker


#: chunks dealt to a local worker at a time: the one it solves and the next, so it never waits for the driver
IN_FLIGHT = 2


def _run_pool(job: Job, dealer: Dealer, collect) -> None:
    """One single-process pool per worker, so that each chunk goes to the worker it was dealt to (:class:`Dealer`)."""
    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
    pools = [ProcessPoolExecutor(max_workers=1, mp_context=ctx, initializer=_init_worker, initargs=(os.getpid(), job)) for _ in range(dealer.workers)]
    try:
        pending: dict = {}

        def deal(w: int) -> None:
            chunk = dealer.next(w)
            if chunk:
                pending[pools[w].submit(_run_pool_chunk, chunk)] = w

        # a bounded number of chunks in flight, so Ctrl-C stops quickly
        for _ in range(IN_FLIGHT):
            for w in range(dealer.workers):
                deal(w)
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in finished:
                w = pending.pop(fut)
                collect(fut.result())
                deal(w)
    except BaseException:
        procs = [p for ex in pools for p in (getattr(ex, "_processes", None) or {}).values()]
        for ex in pools:
            ex.shutdown(wait=False, cancel_futures=True)
        for p in procs:  # chunks in flight are lost; their cases run again on --resume
            p.terminate()
        raise
    for ex in pools:
        ex.shutdown(wait=True)


#: how long to wait for a Dask scheduler to answer before giving up (the Dask default is 30 s)
DASK_CONNECT_SECONDS = 5


def check_dask(address: str | None) -> None:
    """Refuse a ``--dask`` value that cannot work, before anything is written (exit code 2).

    ``local``, or ``tcp://HOST:PORT`` (also ``tls://``) of a scheduler that accepts a connection now.
    """
    from ..errors import InputError, Problem

    if not address:
        return
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise InputError([Problem("--dask", "needs the 'distributed' package, which is not installed (pip install distributed)")]) from None
    if address == "local":
        return
    m = re.fullmatch(r"(?:(tcp|tls)://)?(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})", address.strip())
    if not m or not 0 < int(m.group(3)) < 65536:
        raise InputError([Problem("--dask", f"'{address}' is not 'local' nor a scheduler address tcp://HOST:PORT")])
    host, port = m.group(2).strip("[]"), int(m.group(3))
    try:
        with socket.create_connection((host, port), timeout=DASK_CONNECT_SECONDS):
            pass
    except OSError as exc:
        why = exc.strerror or str(exc) or type(exc).__name__
        raise InputError([Problem("--dask", f"no Dask scheduler answers at {address} ({why}); start one (dask scheduler) or use --dask local")]) from None


def dask_client(address: str, workers: int):
    """A Dask client: ``local`` starts a LocalCluster of worker processes, anything else is a scheduler address."""
    from distributed import Client, LocalCluster

    if address == "local":
        cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=50)
        return Client(cluster), cluster
    try:
        return Client(address, timeout=f"{DASK_CONNECT_SECONDS}s"), None
    except (OSError, TimeoutError) as exc:
        from ..errors import InputError, Problem

        raise InputError([Problem("--dask", f"no Dask scheduler answers at {address} ({exc}); finished cases are kept: --resume when it is up")]) from None


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
