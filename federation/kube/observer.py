"""Watching one real member: list then watch (with resource versions) the objects kfed manages,
the pods (to count ours and the room they take) and the nodes (allocatable), and turn every
change into a `Delta` for the shared control loop. Relists after errors and expired watches."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from federation.api.quantity import cpu_cores, memory_bytes
from federation.core.model import ObservedObject, Resources
from federation.core.propagation import WORKLOAD_ID_LABEL, workload_id
from federation.kube.resources import KINDS, MANAGED_SELECTOR, observed, split_key
from federation.runtime import Delta

WATCH_SECONDS = 30  # server-side watch timeout; the loop re-watches from the last version
REQUEST_TIMEOUT = 5.0


@dataclass(frozen=True)
class PodInfo:
    workload: str  # workload id label ("" = not ours)
    bound: bool  # scheduled to a node and not finished: it holds resources
    request: Resources


def pod_info(pod: Any) -> PodInfo:
    labels = pod.metadata.labels or {}
    phase = pod.status.phase if pod.status else None
    bound = bool(pod.spec.node_name) and phase not in ("Succeeded", "Failed")
    cpu = mem = 0.0
    for c in pod.spec.containers or []:
        req = (c.resources.requests if c.resources else None) or {}
        cpu += cpu_cores(req["cpu"]) if "cpu" in req else 0.0
        mem += memory_bytes(req["memory"]) if "memory" in req else 0.0
    return PodInfo(labels.get(WORKLOAD_ID_LABEL, ""), bound, Resources(cpu, mem, 1))


def node_allocatable(node: Any) -> Resources | None:
    """Allocatable of a Ready node, None when it is not Ready."""
    conds = (node.status.conditions if node.status else None) or []
    if not any(c.type == "Ready" and c.status == "True" for c in conds):
        return None
    alloc = (node.status.allocatable or {}) if node.status else {}
    return Resources(
        cpu_cores(alloc.get("cpu", 0)),
        memory_bytes(alloc.get("memory", 0)),
        int(alloc.get("pods", 0)),
    )


class MemberObserver:
    """Watch threads for one member; every change goes to `sink` as a Delta."""

    def __init__(
        self,
        cluster: str,
        api_client: Any,
        sink: Callable[[Delta], None],
        stop: threading.Event,
        *,
        capacity: bool = True,
        kinds: tuple[str, ...] = tuple(KINDS),
    ) -> None:
        self.cluster = cluster
        self.api_client = api_client
        self.sink = sink
        self.stop = stop
        self.capacity = capacity
        self.kinds = kinds
        self._lock = threading.Lock()
        self._objects: dict[str, ObservedObject] = {}
        self._pods: dict[str, PodInfo] = {}
        self._nodes: dict[str, Resources | None] = {}
        self._free: Resources | None = None
        self._listed: set[str] = set()  # "Pod", "Node": free room is unknown until both are
        self._threads: list[threading.Thread] = []
        self.errors = 0

    def start(self) -> None:
        targets: list[tuple[str, Any, str | None]] = [
            (k, KINDS[k].list_fn(self.api_client), MANAGED_SELECTOR) for k in self.kinds
        ]
        if self.capacity:
            from kubernetes import client

            core = client.CoreV1Api(self.api_client)
            targets.append(("Pod", core.list_pod_for_all_namespaces, None))
            targets.append(("Node", core.list_node, None))
        for kind, fn, selector in targets:
            t = threading.Thread(
                target=self._run,
                args=(kind, fn, selector),
                name=f"watch-{self.cluster}-{kind}",
                daemon=True,
            )
            t.start()
            self._threads.append(t)

    def join(self, timeout: float = 5.0) -> None:
        for t in self._threads:
            t.join(timeout)

    # -- one watch loop per resource type -------------------------------------------------

    def _run(self, kind: str, fn: Any, selector: str | None) -> None:
        from kubernetes import watch

        backoff = 0.2
        while not self.stop.is_set():
            try:
                kw: dict[str, Any] = {"_request_timeout": REQUEST_TIMEOUT}
                if selector:
                    kw["label_selector"] = selector
                resp = fn(**kw)
                self._relist(kind, resp.items)
                rv = resp.metadata.resource_version
                backoff = 0.2
                w: Any = watch.Watch()  # type: ignore[no-untyped-call]
                for ev in w.stream(
                    fn,
                    resource_version=rv,
                    timeout_seconds=WATCH_SECONDS,
                    _request_timeout=(REQUEST_TIMEOUT, WATCH_SECONDS + 5),
                    **({"label_selector": selector} if selector else {}),
                ):
                    if self.stop.is_set():
                        w.stop()
                        break
                    if ev["type"] == "ERROR":
                        break  # most often 410 Gone: relist
                    self._event(kind, ev["type"], ev["object"])
            except Exception:  # any failure means: back off, relist
                self.errors += 1
                self.stop.wait(backoff)
                backoff = min(backoff * 2, 2.0)

    def _relist(self, kind: str, items: list[Any]) -> None:
        if kind == "Pod":
            with self._lock:
                self._pods = {
                    f"{p.metadata.namespace}/{p.metadata.name}": pod_info(p) for p in items
                }
                self._listed.add(kind)
            self._recount()
            return
        if kind == "Node":
            with self._lock:
                self._nodes = {n.metadata.name: node_allocatable(n) for n in items}
                self._listed.add(kind)
            self._recount()
            return
        seen: dict[str, ObservedObject] = {}
        for obj in items:
            o = observed(kind, obj, self._scheduled(obj))
            if o is not None:
                seen[o.key] = o
        with self._lock:
            gone = tuple(k for k in self._objects if split_key(k)[0] == kind and k not in seen)
            for k in gone:
                del self._objects[k]
            changed = {k: o for k, o in seen.items() if self._objects.get(k) != o}
            self._objects.update(changed)
        if changed or gone:
            self.sink(Delta(self.cluster, upserts=changed, removals=gone))

    def _event(self, kind: str, etype: str, obj: Any) -> None:
        if kind == "Pod":
            key = f"{obj.metadata.namespace}/{obj.metadata.name}"
            with self._lock:
                if etype == "DELETED":
                    self._pods.pop(key, None)
                else:
                    self._pods[key] = pod_info(obj)
            self._recount()
            return
        if kind == "Node":
            with self._lock:
                if etype == "DELETED":
                    self._nodes.pop(obj.metadata.name, None)
                else:
                    self._nodes[obj.metadata.name] = node_allocatable(obj)
            self._recount()
            return
        o = observed(kind, obj, self._scheduled(obj))
        if o is None:
            return
        with self._lock:
            if etype == "DELETED":
                if self._objects.pop(o.key, None) is None:
                    return
                delta = Delta(self.cluster, removals=(o.key,))
            else:
                if self._objects.get(o.key) == o:
                    return
                self._objects[o.key] = o
                delta = Delta(self.cluster, upserts={o.key: o})
        self.sink(delta)

    # -- derived: scheduled replicas per workload, free capacity ------------------------

    def _scheduled(self, obj: Any) -> int | None:
        if not self.capacity:
            return None
        key = (obj.metadata.annotations or {}).get("kfed.io/workload", "")
        wid = workload_id(key)
        with self._lock:
            return sum(1 for p in self._pods.values() if p.workload == wid and p.bound)

    def _recount(self) -> None:
        """After a pod or node change: new scheduled counts and free capacity."""
        with self._lock:
            counts: dict[str, int] = {}
            used = Resources()
            for p in self._pods.values():
                if p.bound:
                    used = used + p.request
                    if p.workload:
                        counts[p.workload] = counts.get(p.workload, 0) + 1
            alloc = Resources()
            for r in self._nodes.values():
                if r is not None:
                    alloc = alloc + r
            # before both pods and nodes are listed the room is unknown, not zero
            free = alloc - used if {"Pod", "Node"} <= self._listed else None
            upserts = {}
            for k, o in self._objects.items():
                if o.scheduled is None and o.replicas is None:
                    continue
                n = counts.get(workload_id(k), 0)
                if o.scheduled != n:
                    upserts[k] = ObservedObject(
                        o.key, o.hash, o.replicas, o.ready_replicas, n, o.succeeded
                    )
            self._objects.update(upserts)
            free_changed = free != self._free
            self._free = free
            ready_nodes = sum(1 for r in self._nodes.values() if r is not None)
        if upserts or free_changed:
            self.sink(
                Delta(
                    self.cluster,
                    upserts=upserts,
                    free=free if free_changed else None,
                    nodes_ready=ready_nodes,
                )
            )
