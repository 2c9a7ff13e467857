"""P4 propagation on real local clusters: 100 workloads changed at once across 3 members.

A kube `ControlLoop` (the backend's `KubeGateway`: server-side apply through each member's
proxy, watches, probes) runs on its own thread with 100 Deployments divided over the three
members of scenarios/cluster-outage.yaml. Once everything is applied and Ready, the desired
state changes for every workload at once (a new image: a new template hash) and is fed to the
running loop; independent watches, straight to each member's API server, timestamp when every
member object shows the new `kfed.io/hash`. Latency per object = seen - fed, over 3 rounds.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from benchmarks.report import Context

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "cluster-outage.yaml"
NAMESPACE = "kfed-p4"


def percentile(xs: list[float], p: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, math.ceil(p * len(s)) - 1))]


def federation(workloads: int) -> Any:
    """cluster-outage's members and policy shape, with `workloads` Deployments of 3 replicas
    (one per member) in their own namespace."""
    from federation.api import load_scenario
    from federation.core.desired import DesiredState
    from federation.core.model import (
        ClusterAffinity,
        Placement,
        PropagationPolicy,
        ReplicaScheduling,
        Resources,
        ResourceSelector,
        Workload,
    )

    base = load_scenario(SCENARIO)
    policy = PropagationPolicy(
        "p4",
        selectors=(
            ResourceSelector(kind="Namespace", name=NAMESPACE),
            ResourceSelector(namespace=NAMESPACE),
        ),
        placement=Placement(
            affinity=ClusterAffinity(), replicas=ReplicaScheduling("Divided", "StaticWeight")
        ),
    )
    ns = Workload("v1", "Namespace", NAMESPACE, manifest=_namespace())
    wl = [ns] + [_deployment(i) for i in range(workloads)]
    _ = Resources
    return base, DesiredState.build(base.desired.clusters, [policy], (), wl)


def _namespace() -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}}


CHANGES = ("image", "replicas", "annotation")


def _deployment(i: int, tag: str = "1.27", replicas: int = 3, note: str = "0") -> Any:
    from federation.core.model import Resources, Workload

    name = f"w{i:03d}"
    manifest = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": name,
            "namespace": NAMESPACE,
            "labels": {"app": name},
            "annotations": {"example.com/note": note},
        },
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {
                    "containers": [
                        {
                            "name": "web",
                            "image": f"nginx:{tag}",
                            "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}},
                        }
                    ]
                },
            },
        },
    }
    return Workload(
        "apps/v1",
        "Deployment",
        name,
        NAMESPACE,
        labels={"app": name},
        manifest=manifest,
        replicas=replicas,
        request=Resources(0.01, 16 * 2**20, 1),
    )


class HashWatch:
    """Direct watches of the Deployments on each member: the time each (member, name) was first
    seen with a hash other than its `before` hash."""

    def __init__(self, handles: dict[str, Any]) -> None:
        from federation.kube.members import member_client

        self.clients = {n: member_client(h, direct=True, retries=0) for n, h in handles.items()}
        self.lock = threading.Condition()
        self.hashes: dict[tuple[str, str], str] = {}
        self.changed: dict[tuple[str, str], float] = {}
        self.before: dict[tuple[str, str], str] = {}
        self.stop = threading.Event()
        self.threads = [
            threading.Thread(target=self._run, args=(n,), daemon=True) for n in self.clients
        ]
        for t in self.threads:
            t.start()

    def _run(self, cluster: str) -> None:
        from kubernetes import client, watch

        apps = client.AppsV1Api(self.clients[cluster])
        while not self.stop.is_set():
            try:
                w: Any = watch.Watch()  # type: ignore[no-untyped-call]
                # plain JSON, not client models: the measurement should cost little CPU
                for ev in w.stream(
                    apps.list_namespaced_deployment,
                    NAMESPACE,
                    timeout_seconds=20,
                    deserialize=False,
                ):
                    t = time.perf_counter()
                    meta = ev["object"].get("metadata", {})
                    digest = (meta.get("annotations") or {}).get("kfed.io/hash", "")
                    k = (cluster, meta.get("name", ""))
                    with self.lock:
                        self.hashes[k] = digest
                        old = self.before.get(k)
                        if old is not None and digest != old and k not in self.changed:
                            self.changed[k] = t
                        self.lock.notify_all()
                    if self.stop.is_set():
                        w.stop()
                        break
            except Exception:
                self.stop.wait(0.1)

    def arm(self) -> None:
        """Remember the current hashes; changes from now on are timed."""
        with self.lock:
            self.before = dict(self.hashes)
            self.changed = {}

    def wait_all(self, n: int, timeout: float) -> bool:
        with self.lock:
            return self.lock.wait_for(lambda: len(self.changed) >= n, timeout)

    def wait_count(self, n: int, timeout: float) -> bool:
        with self.lock:
            return self.lock.wait_for(lambda: len(self.hashes) >= n, timeout)

    def close(self) -> None:
        self.stop.set()
        for c in self.clients.values():
            c.close()  # type: ignore[no-untyped-call]


class LoopThread:
    """The shared control loop over real members, driven on a thread like the kube driver."""

    def __init__(self, desired: Any, handles: dict[str, Any], base: Any) -> None:
        from federation.kube.gateway import KubeGateway
        from federation.recorder import Recorder
        from federation.runtime import ControlLoop

        self.t0 = time.perf_counter()
        self.gateway = KubeGateway(handles, self.clock)
        self.loop = ControlLoop(
            desired, self.gateway, Recorder(), base.health, base.sim.resync_period
        )
        self.pending: list[tuple[Any, list[str]]] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def clock(self) -> float:
        return time.perf_counter() - self.t0

    def start(self) -> None:
        self.gateway.start()
        self.thread.start()

    def feed(self, desired: Any, changed: list[str]) -> float:
        """Hand the loop a new desired state; returns the perf_counter time it was fed."""
        with self.lock:
            self.pending.append((desired, changed))
            t = time.perf_counter()
        self.gateway.news.set()
        return t

    def _run(self) -> None:
        while not self.stop.is_set():
            with self.lock:
                todo, self.pending = self.pending, []
            for desired, changed in todo:
                self.loop.update_desired(desired, changed)
            now = self.clock()
            deadline = self.loop.cycle(now)
            self.gateway.wait(min(deadline, now + 1.0) - self.clock())

    def idle(self) -> bool:
        p = self.loop.last_plan
        return (
            p is not None
            and not p.actions
            and all(st.ready >= (st.desired or 0) for st in self.loop.statuses.values())
        )

    def close(self) -> None:
        self.stop.set()
        self.gateway.news.set()
        self.thread.join(5.0)
        self.gateway.close()


def wait_for(check: Callable[[], bool], timeout: float, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(interval)
    return False


def _changed(i: int, change: str, r: int) -> Any:
    """Workload i after round r of `change` (each round differs from the one before)."""
    if change == "image":
        return _deployment(i, tag=f"1.{28 + r}")
    if change == "replicas":
        return _deployment(i, replicas=6 if r % 2 == 0 else 3)
    return _deployment(i, note=str(r + 1))


def measure(
    ctx: Context, workloads: int = 100, rounds: int = 3, change: str = "image", singles: int = 10
) -> dict[str, Any]:
    from federation.kube.cleanup import delete_managed

    base, desired = federation(workloads)
    members = ctx.shared["clusters"].members(base)
    handles = dict(members.handles)
    delete_managed(handles.values())
    watch = HashWatch(handles)
    loop = LoopThread(desired, handles, base)
    objects = workloads * len(handles)
    latencies: list[float] = []
    single: list[float] = []
    per_round = []
    try:
        loop.start()
        ctx.log(f"p4: applying {workloads} Deployments to {len(handles)} members")
        if not watch.wait_count(objects, 120.0):
            raise RuntimeError(f"only {len(watch.hashes)} of {objects} objects appeared")
        wait_for(loop.idle, 120.0)
        time.sleep(1.0)
        for r in range(rounds):
            new = [_changed(i, change, r) for i in range(workloads)]
            changed = [w.key for w in new]
            watch.arm()
            fed = loop.feed(loop.loop.desired.with_workloads(new), changed)
            ok = watch.wait_all(objects, 60.0)
            lat = [t - fed for t in watch.changed.values()]
            latencies.extend(lat)
            per_round.append(
                {
                    "round": r + 1,
                    "objects": len(lat),
                    "complete": ok,
                    "p50_ms": round(1000 * percentile(lat, 0.5), 1) if lat else None,
                    "p99_ms": round(1000 * percentile(lat, 0.99), 1) if lat else None,
                    "max_ms": round(1000 * max(lat), 1) if lat else None,
                }
            )
            ctx.log(f"p4: round {r + 1}: {per_round[-1]}")
            wait_for(loop.idle, 60.0)
            time.sleep(1.0)
        # one workload at a time: the latency of one change without a queue in front of it
        for r in range(singles):
            w = _changed(r % workloads, change, rounds + r)
            watch.arm()
            fed = loop.feed(loop.loop.desired.with_workloads([w]), [w.key])
            watch.wait_all(len(handles), 10.0)
            single.extend(t - fed for t in watch.changed.values())
            wait_for(loop.idle, 10.0)
            time.sleep(0.3)
    finally:
        loop.close()
        watch.close()
        delete_managed(handles.values())
    return {
        "change": change,
        "workloads": workloads,
        "members": len(handles),
        "single": {
            "samples": len(single),
            "p50_ms": round(1000 * percentile(single, 0.5), 1) if single else None,
            "p99_ms": round(1000 * percentile(single, 0.99), 1) if single else None,
        },
        "rounds": per_round,
        "samples": len(latencies),
        "p4_p50_ms": round(1000 * percentile(latencies, 0.5), 1) if latencies else None,
        "p4_p99_ms": round(1000 * percentile(latencies, 0.99), 1) if latencies else None,
        "p4_max_ms": round(1000 * max(latencies), 1) if latencies else None,
        "applied": loop.gateway.stats.applied,
    }


def run(ctx: Context) -> dict[str, Any]:
    if not ctx.kube:
        return {
            "p4_p50_ms": None,
            "p4_p99_ms": None,
            "notes": ["real clusters skipped (--no-kube)"],
        }
    res = measure(ctx, 100, 2 if ctx.quick else 5)
    res["notes"] = []
    _ = replace
    return res
