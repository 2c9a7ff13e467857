"""The host writer: one thread that performs the controller's writes on the host (status of
bindings, Clusters and templates, finalizers, events), the latest write per object only, each
behind the leader's fence. 409 conflicts, 429 and 5xx answers and lost connections are retried
with exponential backoff; a 404 means the object is gone (nothing to write); anything else is
logged once and dropped."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from federation.kube.gateway import TRANSIENT_STATUS

log = logging.getLogger("kfed.writer")
BACKOFF_BASE, BACKOFF_MAX = 0.2, 10.0

Write = Callable[[Any], object]


class HostWriter:
    def __init__(
        self,
        host_client: Any,
        may_write: Callable[[], bool],
        on_result: Callable[[str], None] = lambda result: None,
    ) -> None:
        self.host = host_client
        self.may_write = may_write
        self.on_result = on_result  # "ok" | "retry" | "dropped" | "fenced"
        self._pending: dict[str, tuple[Write, float, int]] = {}  # key -> (write, due, attempts)
        self._cv = threading.Condition()
        self._stop = False
        self._thread = threading.Thread(target=self._run, name="host-writer", daemon=True)
        self.written = 0
        self.retries = 0
        self.conflicts = 0

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        with self._cv:
            self._stop = True
            self._cv.notify_all()
        self._thread.join(5.0)

    def put(self, key: str, write: Write) -> None:
        """Write `key` soon (replacing a write of the same key not yet done)."""
        with self._cv:
            old = self._pending.get(key)
            self._pending[key] = (write, old[1] if old else 0.0, old[2] if old else 0)
            self._cv.notify()

    def depth(self) -> int:
        with self._cv:
            return len(self._pending)

    def idle(self) -> bool:
        return self.depth() == 0

    def _take(self) -> tuple[str, Write, int] | None:
        with self._cv:
            while not self._stop:
                now = time.monotonic()
                due = [(t, k) for k, (_, t, _) in self._pending.items() if t <= now]
                if due:
                    _, key = min(due)
                    write, _, attempts = self._pending.pop(key)
                    return key, write, attempts
                wait = min((t for _, t, _ in self._pending.values()), default=now + 1.0) - now
                self._cv.wait(max(0.01, min(wait, 1.0)))
            return None

    def _run(self) -> None:
        from kubernetes.client.exceptions import ApiException

        while (item := self._take()) is not None:
            key, write, attempts = item
            if not self.may_write():
                self.on_result("fenced")
                continue  # a replica that may not write forgets: the leader writes again
            log.debug("host write", extra={"object": key})
            try:
                write(self.host)
                self.written += 1
                self.on_result("ok")
                continue
            except ApiException as e:
                status = e.status or 0
                if status == 404:
                    self.on_result("dropped")
                    continue
                if status != 409 and status not in TRANSIENT_STATUS:
                    log.warning("host write refused", extra={"object": key, "status": status})
                    self.on_result("dropped")
                    continue
                self.conflicts += status == 409
            except (OSError, TimeoutError) as e:  # connection trouble: the host may come back
                log.info("host write failed", extra={"object": key, "error": type(e).__name__})
            except Exception:  # a bug: say so once, never retry it in a loop
                log.exception("host write failed", extra={"object": key})
                self.on_result("dropped")
                continue
            self.retries += 1
            self.on_result("retry")
            delay = min(BACKOFF_BASE * 2**attempts, BACKOFF_MAX)
            with self._cv:
                if key not in self._pending:  # a newer write of the key wins over the retry
                    self._pending[key] = (write, time.monotonic() + delay, attempts + 1)
