"""Where a sweep's batches run: in this process (`workers=1`), on a local pool of worker
processes, or on a Dask cluster (`LocalCluster` or a running scheduler). Every engine takes the
variants once (`ship`), then runs batches and yields each batch's rows as it finishes."""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import signal
import sys
import warnings
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any

from federation.planning.batches import Run, Variants, run_batch

Rows = list[dict[str, Any]]


def cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


class InProcess:
    """Runs batches one after another in the calling process."""

    name = "in-process"
    workers = 1

    def __init__(self) -> None:
        self._variants: Variants | None = None

    def ship(self, variants: Variants) -> None:
        self._variants = variants

    def run(self, batches: Sequence[list[Run]]) -> Iterator[Rows]:
        assert self._variants is not None
        for b in batches:
            yield run_batch(self._variants, b)

    def close(self) -> None:
        self._variants = None


# ------------------------------------------------------------------ a local process pool

_SHIPPED: Variants | None = None  # in a pool worker: the variants it was started with


def _start_worker(variants: Variants) -> None:
    global _SHIPPED
    _SHIPPED = variants
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    # what the worker inherited (imports, the parent's heap) is never garbage: out of the
    # collector's sight, a collection neither walks it nor copies its pages (copy on write)
    gc.freeze()


def _pool_batch(runs: list[Run]) -> Rows:
    assert _SHIPPED is not None
    return run_batch(_SHIPPED, runs)


def _context() -> Any:
    """fork where the platform has it (Linux): workers start at once with the sim imported, and
    a script or notebook that calls a sweep needs no `if __name__ == "__main__"` guard; spawn
    elsewhere (macOS, Windows: there, guard the script's top level)."""
    if "fork" in multiprocessing.get_all_start_methods() and sys.platform == "linux":
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


class Pool:
    """Worker processes on this machine; each gets the variants once, when it starts."""

    name = "pool"

    def __init__(self, workers: int) -> None:
        self.workers = max(1, workers)
        self._pool: ProcessPoolExecutor | None = None
        self._pending: set[Future[Rows]] = set()

    def ship(self, variants: Variants) -> None:
        self.close()  # new variants: new workers (cheap: forked from a warm server)
        self._pool = ProcessPoolExecutor(
            self.workers, mp_context=_context(), initializer=_start_worker, initargs=(variants,)
        )

    def run(self, batches: Sequence[list[Run]]) -> Iterator[Rows]:
        assert self._pool is not None
        with warnings.catch_warnings():
            # Python >= 3.12 warns when a threaded process forks (a notebook kernel): the
            # workers run only the sim, which takes no lock another thread may hold
            warnings.filterwarnings("ignore", ".*fork.*", DeprecationWarning)
            self._pending = {self._pool.submit(_pool_batch, b) for b in batches}
        while self._pending:
            done, self._pending = wait(self._pending, return_when=FIRST_COMPLETED)
            for f in done:
                yield f.result()

    def close(self) -> None:
        if self._pool is not None:
            for f in self._pending:
                f.cancel()
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        self._pending = set()


# ------------------------------------------------------------------ Dask


@contextlib.contextmanager
def _sigint_ignored() -> Iterator[None]:
    """SIGINT ignored while child processes start (an ignored signal stays ignored in them);
    outside the main thread, where signals cannot be set, nothing changes."""
    try:
        before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, before)


class Dask:
    """A Dask cluster: `local` starts a `LocalCluster` (processes, one thread each: the sim
    holds the GIL), `tcp://HOST:PORT` uses a running scheduler. The variants are scattered to
    every worker once; tasks are batches with explicit seeds (`pure=False`), gathered as they
    finish."""

    name = "dask"

    def __init__(self, address: str, workers: int | None = None) -> None:
        try:
            import distributed
        except ImportError:  # pragma: no cover - the extra is part of dev
            raise RuntimeError("--dask needs dask.distributed: pip install 'kfed[dask]'") from None
        dist: Any = distributed  # untyped: its calls are not checked
        Client, LocalCluster = dist.Client, dist.LocalCluster
        self._cluster: Any = None
        if address == "local":
            import logging

            with _sigint_ignored():  # the workers inherit it: Ctrl-C is the parent's
                self._cluster = LocalCluster(
                    n_workers=workers or cpus(),
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                )
            self._client: Any = Client(self._cluster)
        else:
            self._client = Client(address)
        self.workers = len(self._client.scheduler_info().get("workers", {})) or 1
        self._variants: Any = None
        self._futures: list[Any] = []

    def ship(self, variants: Variants) -> None:
        self._variants = self._client.scatter(variants, broadcast=True)

    def run(self, batches: Sequence[list[Run]]) -> Iterator[Rows]:
        import distributed

        as_completed: Any = distributed.as_completed
        self._futures = [
            self._client.submit(run_batch, self._variants, b, pure=False) for b in batches
        ]
        for _, rows in as_completed(self._futures, with_results=True):
            yield rows
        self._futures = []

    def close(self) -> None:
        if self._futures:
            self._client.cancel(self._futures)
            self._futures = []
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


def engine(workers: int | None = None, dask: str | None = None) -> InProcess | Pool | Dask:
    """The engine for `--workers N` / `--dask local|tcp://...` (default: a pool as wide as the
    machine; `workers=1` runs in this process)."""
    if dask:
        return Dask(dask, workers)
    n = cpus() if workers is None else workers
    return InProcess() if n <= 1 else Pool(n)
