"""A list-and-watch cache of one resource on one API server: list, then watch from the list's
resource version (and then from the last event's); a watch the server ends with 410 Gone (its
resource version expired) or any failure is followed by a fresh list, with backoff."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any

from federation.kube.watching import WatchExpired, WatchStream

WATCH_SECONDS = 60
REQUEST_TIMEOUT = 10.0

log = logging.getLogger("kfed.informer")


def object_key(obj: Mapping[str, Any]) -> str:
    meta = obj["metadata"]
    ns = meta.get("namespace")
    return f"{ns}/{meta['name']}" if ns else str(meta["name"])


class Informer:
    """Keeps `cache` (namespace/name -> the object as JSON) in step with the server; calls
    `on_change(kind)` after every change it takes in."""

    def __init__(
        self,
        kind: str,
        list_fn: Callable[..., Any],
        on_change: Callable[[str], None],
        stop: threading.Event,
        *,
        label_selector: str | None = None,
    ) -> None:
        self.kind = kind
        self.list_fn = list_fn
        self.on_change = on_change
        self.stop = stop
        self.selector = label_selector
        self.cache: dict[str, dict[str, Any]] = {}
        self.lock = threading.Lock()
        self.synced = threading.Event()
        self.lists = 0  # lists done (1 + relists)
        self.expired = 0  # watches the server ended with 410 Gone
        self.errors = 0
        self.resume_from: str | None = None  # test hook: resume the next watch from here
        self._thread = threading.Thread(target=self._run, name=f"informer-{kind}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def join(self, timeout: float = 5.0) -> None:
        self._thread.join(timeout)

    def items(self) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.cache.values())

    def get(self, key: str) -> dict[str, Any] | None:
        with self.lock:
            return self.cache.get(key)

    def _run(self) -> None:
        from kubernetes.client.exceptions import ApiException

        sel = {"label_selector": self.selector} if self.selector else {}
        backoff = 0.2
        while not self.stop.is_set():
            try:
                listing = _read(
                    self.list_fn(_preload_content=False, _request_timeout=REQUEST_TIMEOUT, **sel)
                )
                self.lists += 1
                with self.lock:
                    self.cache = {object_key(o): o for o in listing["items"]}
                stream = WatchStream(self.list_fn, listing["metadata"]["resourceVersion"], sel)
                self.synced.set()
                self.on_change(self.kind)
                backoff = 0.2
                while not self.stop.is_set():
                    if self.resume_from is not None:
                        stream.rv, self.resume_from = self.resume_from, None
                    for etype, obj in stream.events(self.stop, WATCH_SECONDS, REQUEST_TIMEOUT):
                        with self.lock:
                            if etype == "DELETED":
                                self.cache.pop(object_key(obj), None)
                            else:
                                self.cache[object_key(obj)] = obj
                        self.on_change(self.kind)
            except (WatchExpired, ApiException) as e:
                if isinstance(e, WatchExpired) or e.status == 410:
                    self.expired += 1
                    log.info("watch expired: relisting", extra={"resource": self.kind})
                    continue  # relist at once
                self._failed(e)
                self.stop.wait(backoff)
                backoff = min(backoff * 2, 5.0)
            except Exception as e:  # connection trouble: back off, relist
                self._failed(e)
                self.stop.wait(backoff)
                backoff = min(backoff * 2, 5.0)

    def _failed(self, e: BaseException) -> None:
        self.errors += 1
        log.warning("watch failed", extra={"resource": self.kind, "error": type(e).__name__})


def _read(resp: Any) -> Any:
    try:
        return json.loads(resp.data)
    finally:
        resp.release_conn()
