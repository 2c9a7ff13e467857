"""Watching one real member: list then watch (from the resource version of the list, then of
the last event) the objects kfed manages, the pods (to count ours and the room they take) and the
nodes (allocatable), and turn every change into a `Delta` for the shared control loop. Objects
arrive as plain JSON (the client's typed models cost milliseconds apiece), pod accounting is
kept incrementally, and a watch that expires (410) or fails is followed by a relist."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from federation.api.quantity import parse_quantity
from federation.core.model import ObservedObject, Resources
from federation.core.propagation import WORKLOAD_ID_LABEL, workload_id
from federation.kube.resources import BUILTIN_KINDS, KINDS, MANAGED_SELECTOR, observed, split_key
from federation.kube.watching import WatchStream
from federation.observed import Delta

WATCH_SECONDS = 30  # server-side watch timeout; the loop re-watches from the last version
REQUEST_TIMEOUT = 5.0


@dataclass(frozen=True)
class PodInfo:
    workload: str  # workload id label ("" = not ours)
    bound: bool  # scheduled to a node and not finished: it holds resources
    millicpu: int = 0  # requests, exact
    memory: int = 0
    unschedulable: str = ""  # the scheduler's message while PodScheduled=False/Unschedulable


def pod_info(pod: Mapping[str, Any]) -> PodInfo:
    labels = pod["metadata"].get("labels") or {}
    status = pod.get("status") or {}
    phase = status.get("phase")
    spec = pod.get("spec") or {}
    bound = bool(spec.get("nodeName")) and phase not in ("Succeeded", "Failed")
    cpu = mem = 0
    for c in spec.get("containers") or []:
        req = (c.get("resources") or {}).get("requests") or {}
        cpu += int(parse_quantity(req["cpu"]) * 1000) if "cpu" in req else 0
        mem += int(parse_quantity(req["memory"])) if "memory" in req else 0
    why = ""
    if not bound and phase == "Pending":
        for cond in status.get("conditions") or []:
            if (
                cond.get("type") == "PodScheduled"
                and cond.get("status") == "False"
                and cond.get("reason") == "Unschedulable"
            ):
                why = str(cond.get("message") or "Unschedulable")
    return PodInfo(labels.get(WORKLOAD_ID_LABEL, ""), bound, cpu, mem, why)


def node_allocatable(node: Mapping[str, Any]) -> Resources | None:
    """Allocatable of a Ready node, None when it is not Ready."""
    status = node.get("status") or {}
    conds = status.get("conditions") or []
    if not any(c.get("type") == "Ready" and c.get("status") == "True" for c in conds):
        return None
    alloc = status.get("allocatable") or {}
    return Resources(
        float(parse_quantity(alloc.get("cpu", 0))),
        float(parse_quantity(alloc.get("memory", 0))),
        int(alloc.get("pods", 0)),
    )


def _name(obj: Mapping[str, Any]) -> str:
    meta = obj["metadata"]
    ns = meta.get("namespace")
    return f"{ns}/{meta['name']}" if ns else str(meta["name"])


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
        kinds: tuple[str, ...] = BUILTIN_KINDS,
    ) -> None:
        self.cluster = cluster
        self.api_client = api_client
        self.sink = sink
        self.stop = stop
        self.capacity = capacity
        self.kinds = kinds
        self._lock = threading.Lock()
        self._objects: dict[str, ObservedObject] = {}
        self._key_of: dict[str, str] = {}  # workload id -> key of the object we hold for it
        self._pods: dict[str, PodInfo] = {}
        self._bound: dict[str, int] = {}  # workload id -> bound pods
        self._stuck: dict[str, int] = {}  # workload id -> Unschedulable pods
        self._why: dict[str, str] = {}  # workload id -> the latest Unschedulable message
        self._used = (0, 0, 0)  # millicpu, memory, pods of bound pods
        self._nodes: dict[str, Resources | None] = {}
        self._free: Resources | None = None
        self._listed: set[str] = set()  # "Pod", "Node": free room is unknown until both are
        self._threads: list[threading.Thread] = []
        self._expected: set[str] = set()
        self._seen: set[str] = set()
        self.synced = threading.Event()  # every watched kind listed once
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
        self._expected = {kind for kind, _, _ in targets}
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
        sel = {"label_selector": selector} if selector else {}
        backoff = 0.2
        while not self.stop.is_set():
            try:
                listing = _read(fn(_preload_content=False, _request_timeout=REQUEST_TIMEOUT, **sel))
                self._relist(kind, listing["items"])
                self._seen.add(kind)
                if self._seen >= self._expected:
                    self.synced.set()
                stream = WatchStream(fn, listing["metadata"]["resourceVersion"], sel)
                backoff = 0.2
                while not self.stop.is_set():  # re-watch from the last version seen
                    for etype, obj in stream.events(self.stop, WATCH_SECONDS, REQUEST_TIMEOUT):
                        self._event(kind, etype, obj)
            except Exception:  # any failure means: back off, relist
                self.errors += 1
                self.stop.wait(backoff)
                backoff = min(backoff * 2, 2.0)

    def _relist(self, kind: str, items: list[Any]) -> None:
        if kind == "Pod":
            with self._lock:
                self._pods, self._bound, self._used = {}, {}, (0, 0, 0)
                self._stuck, self._why = {}, {}
                for p in items:
                    self._account(_name(p), pod_info(p))
                self._listed.add(kind)
            self._recount(None)
            return
        if kind == "Node":
            with self._lock:
                self._nodes = {_name(n): node_allocatable(n) for n in items}
                self._listed.add(kind)
            self._recount(None)
            return
        seen: dict[str, ObservedObject] = {}
        for obj in items:
            o = observed(kind, obj, self._scheduled(obj))
            if o is not None:
                seen[o.key] = self._with_pending(o)
        with self._lock:
            gone = tuple(k for k in self._objects if split_key(k)[0] == kind and k not in seen)
            for k in gone:
                self._forget(k)
            changed = {k: o for k, o in seen.items() if self._objects.get(k) != o}
            for k, o in changed.items():
                self._keep(k, o)
        if changed or gone:
            self.sink(Delta(self.cluster, upserts=changed, removals=gone))

    def _event(self, kind: str, etype: str, obj: Mapping[str, Any]) -> None:
        if kind == "Pod":
            new = None if etype == "DELETED" else pod_info(obj)
            with self._lock:
                old = self._account(_name(obj), new)
            touched = {p.workload for p in (old, new) if p is not None and p.workload}
            if old != new:
                self._recount(touched)
            return
        if kind == "Node":
            with self._lock:
                if etype == "DELETED":
                    self._nodes.pop(_name(obj), None)
                else:
                    self._nodes[_name(obj)] = node_allocatable(obj)
            self._recount(set())
            return
        o = observed(kind, obj, self._scheduled(obj))
        if o is None:
            return
        o = self._with_pending(o)
        with self._lock:
            if etype == "DELETED":
                if o.key not in self._objects:
                    return
                self._forget(o.key)
                delta = Delta(self.cluster, removals=(o.key,))
            else:
                if self._objects.get(o.key) == o:
                    return
                self._keep(o.key, o)
                delta = Delta(self.cluster, upserts={o.key: o})
        self.sink(delta)

    def _keep(self, key: str, o: ObservedObject) -> None:
        if key not in self._objects:
            self._key_of[workload_id(key)] = key
        self._objects[key] = o

    def _forget(self, key: str) -> None:
        del self._objects[key]
        self._key_of.pop(workload_id(key), None)

    def _account(self, name: str, new: PodInfo | None) -> PodInfo | None:
        """Replace one pod's entry and the running totals; returns the old entry (lock held)."""
        old = self._pods.pop(name, None) if new is None else self._pods.get(name)
        if new is not None:
            self._pods[name] = new
        cpu, mem, pods = self._used
        for p, sign in ((old, -1), (new, 1)):
            if p is not None and p.bound:
                cpu, mem, pods = cpu + sign * p.millicpu, mem + sign * p.memory, pods + sign
                if p.workload:
                    self._bound[p.workload] = self._bound.get(p.workload, 0) + sign
            if p is not None and p.unschedulable and p.workload:
                self._stuck[p.workload] = self._stuck.get(p.workload, 0) + sign
                if sign > 0:
                    self._why[p.workload] = p.unschedulable
        self._used = (cpu, mem, pods)
        return old

    # -- derived: scheduled replicas per workload, free capacity ------------------------

    def _scheduled(self, obj: Mapping[str, Any]) -> int | None:
        if not self.capacity:
            return None
        key = (obj["metadata"].get("annotations") or {}).get("kfed.io/workload", "")
        with self._lock:
            return self._bound.get(workload_id(key), 0)

    def _with_pending(self, o: ObservedObject) -> ObservedObject:
        """o with this member's count of its Unschedulable pods and their latest message."""
        if not self.capacity:
            return o
        wid = workload_id(o.key)
        with self._lock:
            stuck = max(0, self._stuck.get(wid, 0))
            why = self._why.get(wid, "") if stuck else ""
        return replace(o, pending=stuck, pending_reason=why) if stuck else o

    def _recount(self, workloads: set[str] | None) -> None:
        """After a pod or node change: new scheduled counts of `workloads` (None = all) and the
        free capacity."""
        with self._lock:
            alloc = Resources()
            for r in self._nodes.values():
                if r is not None:
                    alloc = alloc + r
            cpu, mem, pods = self._used
            # before both pods and nodes are listed the room is unknown, not zero
            free = None
            if {"Pod", "Node"} <= self._listed:
                free = Resources(alloc.cpu - cpu / 1000, alloc.memory - mem, alloc.pods - pods)
            if workloads is None:
                keys = [(k, workload_id(k)) for k in self._objects]
            else:
                keys = [(self._key_of[w], w) for w in workloads if w in self._key_of]
            upserts = {}
            for k, wid in keys:
                o = self._objects[k]
                if o.scheduled is None and o.replicas is None:
                    continue
                n = self._bound.get(wid, 0)
                stuck = max(0, self._stuck.get(wid, 0))
                why = self._why.get(wid, "") if stuck else ""
                if o.scheduled != n or o.pending != stuck or o.pending_reason != why:
                    upserts[k] = replace(o, scheduled=n, pending=stuck, pending_reason=why)
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


def _read(resp: Any) -> Any:
    """The JSON body of a raw (unparsed) response; the connection goes back to its pool."""
    try:
        return json.loads(resp.data)
    finally:
        resp.release_conn()
