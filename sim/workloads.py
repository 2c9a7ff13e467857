"""The workloads of one member cluster: its objects, their workload controllers and the
ground-truth `ready` rows.

Per object (one per workload the federation applied here, `sim.replicasets`):

* `desired` replicas (from `Apply.replicas`; an object the core copies whole has a None count
  and no pods) and the `hash` of what was applied;
* its pods in ReplicaSets, one per pod template, each asking what its own template asks
  (`federation.api.pods`; a manifest without a pod template asks the workload's request as
  the federation computed it): a Deployment whose pod template changes (an image or a
  request, say; not a replica count) rolls its pods over to a new ReplicaSet by its
  `spec.strategy` (`federation.core.rollout`: RollingUpdate within maxSurge / maxUnavailable,
  or Recreate), acting whenever pods become available (`minReadySeconds` after Ready). Other
  kinds keep their pods through a template change (only the hash changes);
* pods bound to nodes by the member's scheduler (`sim.scheduler`: first-fit, the rest Pending
  in a queue), started by its kubelets (`sim.kubelet`: start-up batches, Ready, available);
* scale-down and delete free capacity at once (Pending first, then the newest starting pods,
  then Ready ones not yet available, then the rest); freed capacity wakes the Pending queue
  (one pass per instant).

Every status change goes to the `Watch`; nothing here ticks periodically.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from federation.api.pods import template_request
from federation.api.scenario import SimSettings
from federation.core.actions import Apply, Delete
from federation.core.model import ObservedObject, Resources
from federation.core.propagation import fingerprint
from federation.core.rollout import Sizes, Strategy, step, strategy_of
from federation.recorder import Recorder
from sim.kubelet import Kubelet
from sim.nodes import NodePool
from sim.replicasets import ObjectState, ReplicaSet
from sim.scheduler import Scheduler
from sim.watch import Watch
from sim.world import World

DEFAULT_REQUEST = Resources(pods=1)

__all__ = ["DEFAULT_REQUEST", "ObjectState", "Workloads"]


def pod_template(manifest: Mapping[str, Any]) -> tuple[str | None, Strategy | None]:
    """The fingerprint of a Deployment's pod template and its strategy; (None, None) for other
    kinds (never rolled)."""
    if manifest.get("kind") != "Deployment":
        return None, None
    spec = manifest.get("spec")
    template = spec.get("template") if isinstance(spec, Mapping) else None
    if not isinstance(template, Mapping):
        return None, None
    return fingerprint(template), strategy_of(manifest)


class Workloads:
    """The objects of one member and their pods. The member sets `stopped` (an outage:
    nothing runs) and `frozen` (the API does not serve: nothing new is bound, no controller
    acts)."""

    def __init__(
        self,
        world: World,
        cluster: str,
        settings: SimSettings,
        pool: NodePool,
        watch: Watch,
        recorder: Recorder,
        requests: Mapping[str, Resources],
    ) -> None:
        self.world = world
        self.cluster = cluster
        self.settings = settings
        self.pool = pool
        self.watch = watch
        self.recorder = recorder
        # workload key -> request the federation computed (for a manifest without pod template)
        self.requests = requests
        self.objects: dict[str, ObjectState] = {}
        self.scheduler = Scheduler(world, cluster, pool, recorder, self._bound)
        self.kubelet = Kubelet(
            world, cluster, settings, pool, self._pods_ready, self._pods_available
        )
        # called with (cluster, key, ready) on every change of an object's Ready replicas
        self.on_ready: Callable[[str, str, int], None] | None = None

    @property
    def stopped(self) -> bool:
        """An outage: nothing runs."""
        return self.kubelet.stopped

    @stopped.setter
    def stopped(self, value: bool) -> None:
        self.kubelet.stopped = value

    @property
    def frozen(self) -> bool:
        """The API does not serve: nothing new is bound, no controller acts."""
        return self.scheduler.frozen

    @frozen.setter
    def frozen(self, value: bool) -> None:
        self.scheduler.frozen = value

    @property
    def pending(self) -> dict[Resources, dict[str, ReplicaSet]]:
        """The scheduler's queue of Pending ReplicaSets, by request."""
        return self.scheduler.pending

    # ---------------------------------------------------------------- API writes

    def apply(self, action: Apply) -> None:
        obj = self.objects.get(action.key)
        if obj is None:
            obj = self.objects[action.key] = ObjectState(action.key)
        obj.hash = action.hash
        # a count on the action means replicas, whatever the kind (a StatefulSet, a custom
        # kind with a replica path): the core sends none for what it copies whole
        if action.replicas is not None:
            template, obj.strategy = pod_template(action.manifest)
            if not obj.sets:
                obj.new_set(template, self._request(action))
            elif template is not None and template != obj.sets[-1].template:
                obj.use_template(template, self._request(action))
            obj.desired = action.replicas
            self._roll(obj)
            self.scheduler.note_pending(obj)
        self.watch.upsert(obj.observed())

    def _request(self, action: Apply) -> Resources:
        """What each pod of the applied manifest asks: its pod template's request; a manifest
        without a pod template asks what the federation computed for the workload."""
        request = template_request(action.manifest)
        if request is None:
            request = self.requests.get(action.key, DEFAULT_REQUEST)
        return request

    def delete(self, action: Delete) -> None:
        obj = self.objects.get(action.key)
        if obj is None:
            return
        if obj.desired is not None:
            for rs in obj.sets:
                self._resize(rs, 0)
            obj.desired = 0
            self._sync(obj)
            self.scheduler.note_pending(obj)
        del self.objects[action.key]
        self.watch.remove(action.key)

    # ---------------------------------------------------------------- faults

    def stop(self) -> None:
        """Every pod stops being Ready (outage); objects and bindings persist."""
        for obj in self.objects.values():
            for rs in obj.sets:
                self.kubelet.stop(rs)
            self._sync(obj)

    def restart(self) -> None:
        """Every bound pod starts again (one start-up batch per ReplicaSet)."""
        for obj in self.objects.values():
            for rs in obj.sets:
                if rs.scheduled:
                    self.kubelet.start(rs, dict(rs.placed), rs.scheduled)
        self.resume()

    def resume(self) -> None:
        """The API serves again: rollouts go on, the scheduler passes."""
        for obj in self.objects.values():
            if obj.rolling:
                self._roll(obj)
                self.scheduler.note_pending(obj)
                self.watch.upsert(obj.observed())
        self.scheduler.request_pass()

    def lose(self, gone: list[int]) -> None:
        """Nodes `gone` vanished with their pods: those become Pending and are rebound where
        there is room (if the API serves)."""
        for obj in self.objects.values():
            hit = False
            for rs in obj.sets:
                if self.kubelet.lose(rs, gone):
                    hit = True
                    self.scheduler.enqueue(rs)
            if hit:
                self._roll(obj)
                self._sync(obj)
                self.scheduler.note_pending(obj)
                self.watch.upsert(obj.observed())

    # ---------------------------------------------------------------- workload controllers

    def _roll(self, obj: ObjectState) -> None:
        """The workload controller: size the ReplicaSets for `obj.desired` (a rollout by the
        Deployment's strategy, else the one ReplicaSet at the count)."""
        n = obj.desired or 0
        if not obj.rolling:
            self._resize(obj.sets[0], n)
            self._sync(obj)
            return
        if self.frozen:  # the controller cannot write; `resume` goes on
            return
        *old, new = obj.sets
        size, sizes = step(
            obj.strategy or Strategy(),
            n,
            Sizes(new.want, new.available),
            [Sizes(rs.want, rs.available) for rs in old],
        )
        for rs, s in zip(old, sizes, strict=True):
            if s.replicas < rs.want:
                self._resize(rs, s.replicas)
        self._resize(new, size.replicas)
        obj.sets = [rs for rs in old if rs.want or rs.scheduled] + [new]
        self._sync(obj)

    def _resize(self, rs: ReplicaSet, n: int) -> None:
        """The ReplicaSet controller: rs wants n pods (more are queued for the scheduler, fewer
        are removed at once)."""
        old = rs.want
        rs.want = n
        if n > old:
            self.scheduler.enqueue(rs)
        elif n < old:
            excess = rs.scheduled - n
            if excess > 0:
                self.kubelet.remove(rs, excess)
                self.capacity_changed()
                self.scheduler.request_pass()
            if rs.scheduled >= n:
                self.scheduler.dequeue(rs)

    # ---------------------------------------------------------------- scheduler and kubelet news

    def _bound(self, rs: ReplicaSet, nodes: dict[int, int], n: int) -> None:
        """The scheduler bound n pods of rs: they start."""
        self.kubelet.start(rs, nodes, n)
        self.capacity_changed()
        self.scheduler.note_pending(rs.obj)
        self.watch.upsert(rs.obj.observed())

    def _pods_ready(self, obj: ObjectState, available: bool) -> None:
        """Pods of obj became Ready (`available`: and available, so a rollout may go on)."""
        if available and obj.rolling:
            self._roll(obj)
            self.scheduler.note_pending(obj)
        self._sync(obj)
        self.watch.upsert(obj.observed())

    def _pods_available(self, obj: ObjectState) -> None:
        """Pods of obj Ready for `minReadySeconds` became available: a rollout may go on."""
        if obj.rolling:
            self._roll(obj)
            self.scheduler.note_pending(obj)
            self._sync(obj)
            self.watch.upsert(obj.observed())

    # ---------------------------------------------------------------- ground truth

    def _sync(self, obj: ObjectState) -> None:
        """Record a `ready` row when the Ready pods of obj (every ReplicaSet) changed."""
        n = sum(rs.ready for rs in obj.sets)
        if n != obj.ready:
            obj.ready = n
            self.recorder.row(
                self.world.env.now,
                "ready",
                self.cluster,
                obj.key,
                ready=n,
                desired=obj.desired or 0,
            )
            if self.on_ready is not None:
                self.on_ready(self.cluster, obj.key, n)

    def request_pass(self) -> None:
        """Capacity may have been freed: the scheduler passes over its queue."""
        self.scheduler.request_pass()

    def capacity_changed(self) -> None:
        self.watch.capacity(self.pool.free(), self.pool.nodes_ready())

    def snapshot(self) -> dict[str, ObservedObject | None]:
        return {k: o.observed() for k, o in self.objects.items()}

    def sample_rows(self) -> None:
        """A `ready` row for every object with pods (SimSettings.sample_period)."""
        now = self.world.env.now
        for obj in self.objects.values():
            if obj.desired is not None:
                self.recorder.row(
                    now, "ready", self.cluster, obj.key, ready=obj.ready, desired=obj.desired
                )
