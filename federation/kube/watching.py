"""Watch streams: one watch request of a list call, read line by line from the last version seen
(the member observer, the MCS importer and the controller's informers all re-watch this way)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Mapping
from typing import Any


class WatchExpired(Exception):
    """The server ended a watch with an ERROR event (410 Gone, mostly): relist."""


class WatchStream:
    """Watches of one list call (`fn`, e.g. `CoreV1Api.list_pod_for_all_namespaces`), each
    resuming from the resource version the previous one ended at."""

    def __init__(self, fn: Any, rv: str, selector: Mapping[str, str] | None = None) -> None:
        self.fn = fn
        self.rv = rv
        self.selector = dict(selector or {})

    def events(
        self, stop: threading.Event, seconds: int, request_timeout: float
    ) -> Iterator[tuple[str, Any]]:
        """One watch request of at most `seconds`: its ADDED/MODIFIED/DELETED events as
        (type, object), bookmarks only moving the version on. Ends early once `stop` is set;
        raises WatchExpired on an ERROR event."""
        from kubernetes.watch.watch import iter_resp_lines

        resp = self.fn(
            watch=True,
            resource_version=self.rv,
            allow_watch_bookmarks=True,
            timeout_seconds=seconds,
            _preload_content=False,
            _request_timeout=(request_timeout, seconds + 5),
            **self.selector,
        )
        try:
            for line in iter_resp_lines(resp):  # type: ignore[no-untyped-call]
                if stop.is_set():
                    return
                ev = json.loads(line)
                etype, obj = ev["type"], ev["object"]
                if etype == "ERROR":
                    raise WatchExpired(obj.get("message", "watch error"))
                self.rv = obj["metadata"]["resourceVersion"]
                if etype != "BOOKMARK":
                    yield etype, obj
        finally:
            resp.release_conn()
