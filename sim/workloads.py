"""The workloads of one member cluster: its objects, their pods on nodes, the scheduler, the
workload controllers (a Deployment's rollout included) and the ground-truth `ready` rows.

Per object (one per workload the federation applied here, `sim.replicasets`):

* `desired` replicas (from `Apply.replicas`; an object the core copies whole has a None count
  and no pods) and the `hash` of what was applied;
* its pods in ReplicaSets, one per pod template: a Deployment whose pod template changes (an
  image, say; not a replica count) rolls its pods over to a new ReplicaSet by its
  `spec.strategy` (`federation.core.rollout`: RollingUpdate within maxSurge / maxUnavailable,
  or Recreate), acting whenever pods become available (`minReadySeconds` after Ready). Other
  kinds keep their pods through a template change (only the hash changes);
* pods bound to nodes (`placed`, first-fit, see `sim.nodes`), some still starting (batches:
  one start-up timer per batch of pods bound together, one `pod_startup` draw per batch), the
  rest Ready; pods that fit nowhere are Pending and wait in a queue;
* scale-down and delete free capacity at once (Pending first, then the newest starting pods,
  then Ready ones not yet available, then the rest); freed capacity wakes the Pending queue
  (one pass per instant).

Every status change goes to the `Watch`; nothing here ticks periodically.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from federation.api.scenario import SimSettings
from federation.core.actions import Apply, Delete
from federation.core.model import ObservedObject, Resources
from federation.core.propagation import fingerprint
from federation.core.rollout import Sizes, Strategy, step, strategy_of
from federation.recorder import Recorder
from sim.nodes import NodePool
from sim.replicasets import Batch, ObjectState, ReplicaSet
from sim.watch import Watch
from sim.world import World, sample

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
        self.requests = requests
        self.objects: dict[str, ObjectState] = {}
        # Pending ReplicaSets, bucketed by request: when the head of a bucket fits nowhere,
        # nothing else in it does, so a pass costs one try per bucket plus one per set bound
        self.pending: dict[Resources, dict[str, ReplicaSet]] = {}
        self.stopped = False
        self.frozen = False
        self._pass_at = -1.0
        self._pods_rng = world.stream(f"pods/{cluster}")
        # called with (cluster, key, ready) on every change of an object's Ready replicas
        self.on_ready: Callable[[str, str, int], None] | None = None

    # ---------------------------------------------------------------- API writes

    def apply(self, action: Apply) -> None:
        obj = self.objects.get(action.key)
        if obj is None:
            obj = self.objects[action.key] = ObjectState(
                action.key, self.requests.get(action.key, DEFAULT_REQUEST)
            )
        obj.hash = action.hash
        # a count on the action means replicas, whatever the kind (a StatefulSet, a custom
        # kind with a replica path): the core sends none for what it copies whole
        if action.replicas is not None:
            template, obj.strategy = pod_template(action.manifest)
            if not obj.sets:
                obj.new_set(template)
            elif template is not None and template != obj.sets[-1].template:
                self._new_template(obj, template)
            obj.desired = action.replicas
            self._roll(obj)
            self._note_pending(obj)
        self.watch.upsert(obj.observed())

    def delete(self, action: Delete) -> None:
        obj = self.objects.get(action.key)
        if obj is None:
            return
        if obj.desired is not None:
            for rs in obj.sets:
                self._resize(rs, 0)
            obj.desired = 0
            self._sync(obj)
            self._note_pending(obj)
        del self.objects[action.key]
        self.watch.remove(action.key)

    # ---------------------------------------------------------------- faults

    def stop(self) -> None:
        """Every pod stops being Ready (outage); objects and bindings persist."""
        for obj in self.objects.values():
            for rs in obj.sets:
                for b in rs.batches:
                    b.alive = False
                rs.batches = []
                rs.ready = rs.available = 0
            self._sync(obj)

    def restart(self) -> None:
        """Every bound pod starts again (one start-up batch per ReplicaSet)."""
        for obj in self.objects.values():
            for rs in obj.sets:
                if rs.scheduled:
                    self._start(rs, dict(rs.placed), rs.scheduled)
        self.resume()

    def resume(self) -> None:
        """The API serves again: rollouts go on, the scheduler passes."""
        for obj in self.objects.values():
            if obj.rolling:
                self._roll(obj)
                self._note_pending(obj)
                self.watch.upsert(obj.observed())
        self.request_pass()

    def lose(self, gone: list[int]) -> None:
        """Nodes `gone` vanished with their pods: those become Pending and are rebound where
        there is room (if the API serves)."""
        for obj in self.objects.values():
            hit = False
            for rs in obj.sets:
                lost = 0
                for i in gone:
                    lost += rs.placed.pop(i, 0)
                if not lost:
                    continue
                hit = True
                starting = maturing = 0
                for b in rs.batches:
                    for i in gone:
                        x = b.nodes.pop(i, 0)
                        b.n -= x
                        if b.ready:
                            maturing += x
                        else:
                            starting += x
                rs.batches = [b for b in rs.batches if self._keep(b)]
                rs.scheduled -= lost
                if not self.stopped:
                    rs.ready -= lost - starting
                    rs.available -= lost - starting - maturing
                self._enqueue(rs)
            if hit:
                self._roll(obj)
                self._sync(obj)
                self._note_pending(obj)
                self.watch.upsert(obj.observed())

    # ---------------------------------------------------------------- controllers and scheduler

    def _new_template(self, obj: ObjectState, template: str) -> None:
        """A Deployment's pod template changed: its pods roll over to the ReplicaSet of the new
        template (an old one of the same template becomes the new one again, as on a
        rollback)."""
        same = next((rs for rs in obj.sets if rs.template == template), None)
        if same is not None:
            obj.sets.remove(same)
            obj.sets.append(same)
        else:
            obj.new_set(template)

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
        old = rs.want
        rs.want = n
        if n > old:
            self._enqueue(rs)
        elif n < old:
            excess = rs.scheduled - n
            if excess > 0:
                self._unbind(rs, excess)
                self.capacity_changed()
                self.request_pass()
            if rs.scheduled >= n:
                self._dequeue(rs)

    def _unbind(self, rs: ReplicaSet, k: int) -> None:
        """Remove k bound pods: the newest starting ones first, then the newest Ready ones not
        yet available, then available ones."""
        pool, req, placed = self.pool, rs.request, rs.placed
        for ready in (False, True):
            for b in reversed(rs.batches):
                if b.ready != ready:
                    continue
                for i in sorted(b.nodes, reverse=True):
                    x = min(k, b.nodes[i])
                    if x == 0:
                        continue
                    b.nodes[i] -= x
                    if not b.nodes[i]:  # an emptied node leaves the batch, as it leaves `placed`
                        del b.nodes[i]
                    b.n -= x
                    placed[i] -= x
                    pool.release(i, req, x)
                    if ready:
                        rs.ready -= x
                    k -= x
                    if k == 0:
                        break
                if k == 0:
                    break
        rs.batches = [b for b in rs.batches if self._keep(b)]
        if k > 0:
            held: dict[int, int] = {}
            for b in rs.batches:
                for i, x in b.nodes.items():
                    held[i] = held.get(i, 0) + x
            gone = 0
            for i in sorted(placed, reverse=True):
                x = min(k - gone, placed[i] - held.get(i, 0))
                if x > 0:
                    placed[i] -= x
                    pool.release(i, req, x)
                    gone += x
                if gone == k:
                    break
            if not self.stopped:
                rs.ready -= gone
                rs.available -= gone
        for i in [i for i, x in placed.items() if x == 0]:
            del placed[i]
        rs.scheduled = sum(placed.values())

    @staticmethod
    def _keep(b: Batch) -> bool:
        if b.n > 0:
            return True
        b.alive = False
        return False

    def _enqueue(self, rs: ReplicaSet) -> None:
        if rs.want <= rs.scheduled:
            return
        bucket = self.pending.get(rs.request)
        if bucket:  # others asking the same are waiting: queue behind them
            bucket[rs.key] = rs
            return
        if self.frozen or not self._bind(rs):
            self.pending.setdefault(rs.request, {})[rs.key] = rs

    def _dequeue(self, rs: ReplicaSet) -> None:
        bucket = self.pending.get(rs.request)
        if bucket is not None and bucket.pop(rs.key, None) is not None and not bucket:
            del self.pending[rs.request]

    def _bind(self, rs: ReplicaSet) -> bool:
        """Bind as many Pending pods of rs as fit; True when none is left Pending."""
        want = rs.want - rs.scheduled
        nodes = self.pool.bind(rs.request, want)
        if nodes:
            n = sum(nodes.values())
            for i, x in nodes.items():
                rs.placed[i] = rs.placed.get(i, 0) + x
            rs.scheduled += n
            self._start(rs, nodes, n)
            self.capacity_changed()
            want -= n
            self._note_pending(rs.obj)
            self.watch.upsert(rs.obj.observed())
        return want <= 0

    def _start(self, rs: ReplicaSet, nodes: dict[int, int], n: int) -> None:
        b = Batch(rs, nodes, n)
        rs.batches.append(b)
        self.world.later(sample(self.settings.pod_startup, self._pods_rng), self._started, b)

    def _started(self, b: Batch) -> None:
        if not b.alive:
            return
        rs = b.rs
        obj = rs.obj
        rs.ready += b.n
        wait = obj.strategy.min_ready_seconds if obj.strategy is not None else 0.0
        if wait > 0:
            b.ready = True
            self.world.later(wait, self._available, b)
        else:
            b.alive = False
            rs.batches.remove(b)
            rs.available += b.n
            if obj.rolling:
                self._roll(obj)
                self._note_pending(obj)
        self._sync(obj)
        self.watch.upsert(obj.observed())

    def _available(self, b: Batch) -> None:
        """Pods Ready for `minReadySeconds` are available: a rollout may go on."""
        if not b.alive:
            return
        b.alive = False
        rs = b.rs
        obj = rs.obj
        rs.batches.remove(b)
        rs.available += b.n
        if obj.rolling:
            self._roll(obj)
            self._note_pending(obj)
            self._sync(obj)
            self.watch.upsert(obj.observed())

    def request_pass(self) -> None:
        now = self.world.env.now
        if self._pass_at != now and self.pending:
            self._pass_at = now
            self.world.later(0.0, self._pass)

    def _pass(self) -> None:
        """Try every Pending bucket once (the scheduler after capacity was freed)."""
        if self.frozen:
            return
        for req in list(self.pending):
            bucket = self.pending[req]
            for key in list(bucket):
                if not self._bind(bucket[key]):
                    break
                del bucket[key]
            if not bucket:
                del self.pending[req]

    def _note_pending(self, obj: ObjectState) -> None:
        """Record a `pending` row when the pods of obj that have no node change (with the
        scheduler's reason while any are left), and keep them for the observation."""
        n = obj.unplaced
        reason = ""
        if n:
            if self.frozen:
                reason = "the member's API server is not serving; nothing is scheduled"
            else:
                reason = self.pool.why_unschedulable(obj.request)
        if n == obj.pending and (reason == obj.pending_reason or not n):
            return
        obj.pending, obj.pending_reason = n, reason
        self.recorder.row(
            self.world.env.now, "pending", self.cluster, obj.key, pending=n, reason=reason
        )

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
