"""The federation controller: the shared control loop and core on the wall clock, fed by the
host's templates, policies and Clusters and by watches on every member, writing to members
through the kube gateway (server-side apply) and status back to the host (bindings, Clusters,
templates), with finalizers so deleting a template or a Cluster cleans up first."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from federation.controller import requests, writes
from federation.controller.binding import (
    Clock,
    binding,
    cluster_status,
    restore,
    restore_health,
    stamp,
)
from federation.controller.events import ControllerEvents, event
from federation.controller.host import Host, Snapshot
from federation.controller.join import CLUSTER_FINALIZER
from federation.controller.templates import CLEANUP_FINALIZER, finalizers
from federation.controller.writer import HostWriter
from federation.core.actions import FederationState
from federation.core.desired import DesiredState
from federation.core.health import HealthThresholds
from federation.core.model import Health
from federation.kube.gateway import KubeGateway
from federation.runtime import ControlLoop
from federation.telemetry import LoopTelemetry, Sink

log = logging.getLogger("kfed.controller")


@dataclass(frozen=True)
class Settings:
    thresholds: HealthThresholds = HealthThresholds()
    resync_period: float = 300.0
    status_period: float = 1.0  # at most this long between status passes
    drain_timeout: float = 120.0  # an unjoining member is let go after this at the latest
    sync_timeout: float = 60.0  # waiting for the host's caches before the first cycle
    member_sync_timeout: float = 10.0  # waiting for the members' first lists


@dataclass
class _Published:
    status: Any = None
    state: Any = None


@dataclass
class Controller:
    host_client: Any
    sink: Sink
    settings: Settings = field(default_factory=Settings)
    may_write: Any = None  # () -> bool; None = always (no election)
    identity: str = "kfed"
    stop: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.may_write = self.may_write or (lambda: True)
        self.loop: ControlLoop | None = None
        self.gateway: KubeGateway | None = None
        self.host: Host | None = None
        self.writer = HostWriter(self.host_client, self.may_write, self._write_result)
        self.telemetry = LoopTelemetry(self.sink)
        self.heartbeat = time.monotonic()
        self.ready = threading.Event()
        self._snap = Snapshot()
        self._released: set[str] = set()
        self._versions: dict[str, str] = {}
        self._published: dict[str, _Published] = {}
        self._since: dict[str, dict[str, str]] = {}
        self._cluster_docs: dict[str, Any] = {}
        self._finalizing: dict[str, str] = {}

    # -- lifecycle -------------------------------------------------------------------------

    def run(self) -> None:
        """Run until `stop` is set."""
        t0 = time.monotonic()
        self.clock = Clock(time.time())

        def now() -> float:
            return time.monotonic() - t0

        self.now = now
        gateway = self.gateway = KubeGateway({}, now, may_write=self.may_write)
        host = self.host = Host(self.host_client, gateway.news.set, self.stop)
        host.start()
        deadline = time.monotonic() + self.settings.sync_timeout
        while not host.synced() and not self.stop.wait(0.05):
            if time.monotonic() > deadline:
                log.warning("host caches not synced yet; still waiting")
                deadline += self.settings.sync_timeout
        if self.stop.is_set():
            return
        snap = self._snap = host.snapshot(now())
        self._sync_members(snap)
        recorder = ControllerEvents(self._emit)
        loop = self.loop = ControlLoop(
            self._desired(snap),
            gateway,
            recorder,
            self.settings.thresholds,
            self.settings.resync_period,
        )
        loop.state = self._restore(snap)
        self.writer.start()
        gateway.start()
        # know what every member already holds before deciding anything (a restarted
        # controller must not rewrite what is in place); a member that does not answer is
        # waited for only so long
        until = time.monotonic() + self.settings.member_sync_timeout
        while not self.stop.wait(0.02) and time.monotonic() < until:
            if all(gateway.synced(n) for n in gateway.members()):
                break
        self.ready.set()
        log.info(
            "controller started",
            extra={
                "clusters": sorted(snap.clusters),
                "workloads": len(snap.workloads),
                "restored": len(loop.state.workloads),
            },
        )
        try:
            while not self.stop.is_set():
                t = now()
                self.heartbeat = time.monotonic()
                if host.changed():
                    self._refresh(t)
                started = time.perf_counter()
                wake = loop.cycle(t)
                self.telemetry.cycle(loop, time.perf_counter() - started)
                self._publish()
                self._finalize(t)
                self.sink.set(
                    "workqueue_depth", {"name": "host", "controller": "status"}, self.writer.depth()
                )
                gateway.wait(min(wake, t + self.settings.status_period) - now())
        finally:
            gateway.close()
            self.writer.close()
            log.info("controller stopped")

    # -- the host's documents -> the desired state ----------------------------------------

    def _desired(self, snap: Snapshot) -> DesiredState:
        clusters = [c for n, c in snap.clusters.items() if n not in self._released]
        return DesiredState.build(clusters, snap.policies, snap.overrides, snap.workloads.values())

    def _sync_members(self, snap: Snapshot) -> None:
        gw = self.gateway
        assert gw is not None
        wanted = {n for n in snap.credentials if n not in self._released}
        for name in gw.members():
            creds = snap.credentials.get(name)
            if name not in wanted or creds is None or creds.version != self._versions.get(name):
                gw.remove_member(name)
                self._versions.pop(name, None)
                log.info("member removed from service", extra={"cluster": name})
        for name in sorted(wanted - set(gw.members())):
            creds = snap.credentials[name]
            try:
                gw.add_member(name, creds.client())
            except Exception as e:  # a kubeconfig the client cannot use
                snap.unusable[name] = f"its kubeconfig cannot be used: {type(e).__name__}"
                snap.clusters.pop(name, None)
                continue
            self._versions[name] = creds.version
            log.info("member served", extra={"cluster": name})

    def _refresh(self, now: float) -> None:
        assert self.host is not None and self.loop is not None
        old = self._snap
        snap = self._snap = self.host.snapshot(now)
        self._released &= set(snap.cluster_objects)
        self._sync_members(snap)
        for name in list(snap.clusters):
            if self.gateway is not None and name not in self.gateway.members():
                snap.clusters.pop(name)
        desired = self._desired(snap)
        before = self.loop.desired
        structure = (
            before.clusters != desired.clusters
            or before.policies != desired.policies
            or before.overrides != desired.overrides
        )
        if structure:
            changed = set(before.workloads) | set(desired.workloads)
        else:
            changed = {
                k
                for k in set(before.workloads) | set(desired.workloads)
                if before.workloads.get(k) != desired.workloads.get(k)
            }
        if changed or structure or old.deleting != snap.deleting:
            self.loop.update_desired(desired, changed, now)

    def _restore(self, snap: Snapshot) -> FederationState:
        """The core's memory as the last controller left it on the host: bindings' spec and
        the clusters' health."""
        bindings = []
        for kind in ("ResourceBinding", "ClusterResourceBinding"):
            try:
                bindings += requests.items(self.host_client, kind)
            except Exception as e:
                log.warning("bindings not read", extra={"kind": kind, "error": type(e).__name__})
        states = {k: v for k, v in restore(bindings, self.clock).items() if k in snap.workloads}
        health = {}
        for name, obj in snap.cluster_objects.items():
            h = restore_health(obj, self.clock)
            if h is not None and name in snap.clusters:
                health[name] = h
        return FederationState(health, states)

    # -- status back to the host -----------------------------------------------------------

    def _publish(self) -> None:
        loop, snap = self.loop, self._snap
        assert loop is not None
        health = {n: h.state for n, h in loop.state.health.items()}
        for key, status in loop.statuses.items():
            w = loop.desired.workloads.get(key)
            tpl = snap.templates.get(key)
            if w is None or tpl is None or loop.desired.policy_for(w) is None:
                continue
            ws = loop.state.workloads.get(key)
            pub = self._published.setdefault(key, _Published())
            if pub.status is status and pub.state is ws:
                continue
            pub.status, pub.state = status, ws
            since = self._since.setdefault(key, {})
            for c in status.conditions:
                since.setdefault(f"{c.type}/{c.status}", stamp(time.time()))
                since.pop(f"{c.type}/{not c.status}", None)
            from federation.core.actions import WorkloadState

            doc, st = binding(
                w, tpl, status, ws or WorkloadState(), self.clock, health, dict(since)
            )
            self.writer.put(f"binding/{key}", writes.apply_binding(doc, st))
            if w.kind == "Deployment":
                ready = st["status"]["readyReplicas"]
                self.writer.put(f"template/{key}", writes.apply_template_status(tpl, status, ready))
        for key in [k for k in self._published if k not in loop.statuses]:
            del self._published[key]
        self._publish_clusters(health)

    def _publish_clusters(self, health: Mapping[str, Health]) -> None:
        loop, snap = self.loop, self._snap
        assert loop is not None
        plan = loop.last_plan
        replicas: dict[str, int] = {}
        ready: dict[str, int] = {}
        workloads: dict[str, int] = {}
        for st in loop.statuses.values():
            for c, n in st.assignment.items():
                replicas[c] = replicas.get(c, 0) + n
                workloads[c] = workloads.get(c, 0) + 1
            for c, cs in st.clusters.items():
                if health.get(c, Health.READY) is Health.READY:
                    ready[c] = ready.get(c, 0) + (cs.ready or 0)
        obs = loop.view.observation(())
        for name in snap.cluster_objects:
            extra = []
            if name in snap.unusable:
                conds: Any = ()
                extra.append(
                    {
                        "type": "Ready",
                        "status": "False",
                        "reason": "CredentialsInvalid",
                        "message": snap.unusable[name],
                    }
                )
            else:
                conds = plan.cluster_conditions.get(name, ()) if plan else ()
            meta = obs.clusters.get(name)
            doc = cluster_status(
                name,
                conds,
                loop.state.health.get(name),
                self.clock,
                replicas=replicas.get(name, 0),
                ready=ready.get(name, 0),
                workloads=workloads.get(name, 0),
                nodes_ready=meta.nodes_ready if meta else None,
                free=meta.free if meta else None,
                extra=extra,
            )
            if self._cluster_docs.get(name) != doc:
                self._cluster_docs[name] = doc
                self.writer.put(f"cluster/{name}", writes.apply_status(doc))

    def _emit(self, kind: str, cluster: str, workload: str, fields: Mapping[str, Any]) -> None:
        snap = self._snap
        involved = snap.templates.get(workload) if workload else snap.cluster_objects.get(cluster)
        if involved is None:
            return
        # an event about a cluster-scoped object lives in "default", as client-go puts it
        ns = involved["metadata"].get("namespace") or "default"
        # times the core keeps are seconds since this controller started: say them as times
        fields = {
            k: stamp(self.clock.wall(v)) if k.endswith("_at") and isinstance(v, float) else v
            for k, v in fields.items()
        }
        ev = event(
            kind, {**fields, "cluster": cluster}, involved, ns, stamp(time.time()), self.identity
        )
        self.writer.put(f"event/{kind}/{cluster}/{workload}/{time.monotonic()}", writes.create(ev))

    def _write_result(self, result: str) -> None:
        if result == "retry":
            self.sink.inc("workqueue_retries_total", {"name": "host", "controller": "status"})

    # -- finalizers: templates and Clusters ------------------------------------------------

    def _finalize(self, now: float) -> None:
        loop, snap = self.loop, self._snap
        assert loop is not None
        for key, obj in snap.templates.items():
            w = snap.workloads[key]
            if CLEANUP_FINALIZER not in finalizers(obj) and loop.desired.policy_for(w):
                self._finalizer(f"template/{key}", obj, CLEANUP_FINALIZER, add=True)
        for key, obj in snap.deleting.items():
            if CLEANUP_FINALIZER in finalizers(obj) and not loop.view.holders(key):
                self._finalizer(f"template/{key}", obj, CLEANUP_FINALIZER, add=False)
        for name, obj in snap.cluster_objects.items():
            if not obj["metadata"].get("deletionTimestamp"):
                if CLUSTER_FINALIZER not in finalizers(obj):
                    self._finalizer(f"cluster/{name}", obj, CLUSTER_FINALIZER, add=True)
                continue
            if CLUSTER_FINALIZER not in finalizers(obj) or name in self._released:
                continue
            h = loop.state.health.get(name)
            since = self.host.unjoining_since.get(name, now) if self.host else now
            drained = not loop.state.holds(name)
            offline = h is not None and h.state is Health.OFFLINE
            if (
                drained
                or offline
                or name not in snap.clusters
                or now - since > self.settings.drain_timeout
            ):
                self._release(name, obj, reachable=not offline and name in snap.credentials)

    def _finalizer(self, key: str, obj: Mapping[str, Any], name: str, *, add: bool) -> None:
        mark = f"{key}@{obj['metadata'].get('resourceVersion')}/{add}"
        if self._finalizing.get(key) == mark:
            return  # already asked for at this version
        self._finalizing[key] = mark
        self.writer.put(f"finalizer/{key}", writes.set_finalizer(obj, name, add))

    def _release(self, name: str, obj: Mapping[str, Any], *, reachable: bool) -> None:
        """An unjoining member is drained: stop serving it, delete what kfed left there (when
        it can be reached), then let its Cluster go."""
        assert self.loop is not None and self.gateway is not None
        creds = self._snap.credentials.get(name)
        self._released.add(name)
        if self.host is not None:  # a later unjoin of a member of that name starts afresh
            self.host.unjoining_since.pop(name, None)
        self._sync_members(self._snap)
        self._snap.clusters.pop(name, None)
        self.loop.update_desired(
            self._desired(self._snap), set(self.loop.desired.workloads), self.now()
        )
        log.info("member released", extra={"cluster": name, "cleanup": reachable})
        steps = []
        if reachable and creds is not None:
            steps.append(writes.delete_managed(creds))
        steps.append(writes.set_finalizer(obj, CLUSTER_FINALIZER, False))
        self.writer.put(f"release/{name}", writes.chain(steps))
