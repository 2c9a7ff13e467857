"""Ground truth on real members: ready replicas of every workload per member, read straight
from each API server (never through the fault-injecting proxy), recorded as `ready` rows — the
same rows the sim records, so availability is computed the same way on both backends."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

from federation.kube.members import MemberHandle, member_client
from federation.kube.observer import MemberObserver
from federation.observed import Delta
from federation.recorder import Recorder


class TruthRecorder:
    """Watches Deployments and Jobs on each member directly and records ready-count changes.

    A member in an outage has its workloads down with it: `cluster_down` records zero for all
    of them and ignores the member until `cluster_up`, which records what it serves again.
    """

    def __init__(
        self, handles: Mapping[str, MemberHandle], recorder: Recorder, clock: Callable[[], float]
    ) -> None:
        self.recorder = recorder
        self.clock = clock
        self.stop = threading.Event()
        self._lock = threading.Lock()
        self._ready: dict[tuple[str, str], int] = {}
        self._current: dict[tuple[str, str], tuple[int, int]] = {}  # (ready, desired)
        self._pending: dict[tuple[str, str], tuple[int, str]] = {}  # (Pending, why)
        self._down: set[str] = set()
        # called with (cluster, key, ready) whenever a recorded ready count changes (traffic)
        self.on_ready: Callable[[str, str, int], None] | None = None
        self._clients: dict[str, Any] = {
            n: member_client(h, direct=True, retries=0) for n, h in handles.items()
        }
        self.observers = [
            MemberObserver(
                n,
                self._clients[n],
                self._on_delta,
                self.stop,
                capacity=True,  # pods too: Pending (Unschedulable) replicas are truth
                kinds=("Deployment", "Job"),
            )
            for n in handles
        ]

    def start(self) -> None:
        for o in self.observers:
            o.start()

    def close(self) -> None:
        self.stop.set()
        for c in self._clients.values():
            c.close()

    def _record(self, cluster: str, key: str, ready: int, desired: int) -> None:
        if self._ready.get((cluster, key)) != ready:
            self._ready[(cluster, key)] = ready
            self.recorder.row(self.clock(), "ready", cluster, key, ready=ready, desired=desired)
            if self.on_ready is not None:
                self.on_ready(cluster, key, ready)

    def _record_pending(self, cluster: str, key: str, n: int, why: str) -> None:
        """A `pending` row when the Unschedulable replicas of key on cluster change."""
        old = self._pending.get((cluster, key), (0, ""))
        if old[0] == n and (old[1] == why or n == 0):
            return
        self._pending[(cluster, key)] = (n, why)
        self.recorder.row(self.clock(), "pending", cluster, key, pending=n, reason=why)

    def _on_delta(self, d: Delta) -> None:
        with self._lock:
            for key, o in d.upserts.items():
                value = (o.ready_replicas or 0, o.replicas or 0)
                self._current[(d.cluster, key)] = value
                if d.cluster not in self._down:
                    self._record(d.cluster, key, *value)
                self._record_pending(d.cluster, key, o.pending, o.pending_reason)
            for key in d.removals:
                self._current.pop((d.cluster, key), None)
                if d.cluster not in self._down:
                    self._record(d.cluster, key, 0, 0)
                self._record_pending(d.cluster, key, 0, "")

    def cluster_down(self, cluster: str) -> None:
        with self._lock:
            self._down.add(cluster)
            for c, key in list(self._ready):
                if c == cluster:
                    self._record(c, key, 0, self._current.get((c, key), (0, 0))[1])

    def cluster_up(self, cluster: str) -> None:
        with self._lock:
            self._down.discard(cluster)
            for (c, key), (ready, desired) in list(self._current.items()):
                if c == cluster:
                    self._record(c, key, ready, desired)
