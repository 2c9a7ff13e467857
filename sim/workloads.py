"""The workloads of one member cluster: its objects, their replicas on nodes, the scheduler and
the workload controller, and the ground-truth `ready` rows.

Per object (one per workload the federation applied here):

* `desired` replicas (from `Apply.replicas`; an object the core copies whole has a None count
  and no pods) and the `hash` of what was applied (a template change with the same
  count is not rolled out: only the hash changes);
* replicas bound to nodes (`placed`, first-fit, see `sim.nodes`), some still starting (`batches`:
  one start-up timer per batch of replicas bound together, one `pod_startup` draw per batch),
  the rest Ready; replicas that fit nowhere are Pending and wait in a queue;
* scale-down and delete free capacity at once (Pending first, then the newest starting
  replicas, then Ready ones); freed capacity wakes the Pending queue (one pass per instant).

Every status change goes to the `Watch`; nothing here ticks periodically.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from federation.api.scenario import SimSettings
from federation.core.actions import Apply, Delete
from federation.core.model import ObservedObject, Resources
from federation.recorder import Recorder
from sim.nodes import NodePool
from sim.watch import Watch
from sim.world import World, sample

DEFAULT_REQUEST = Resources(pods=1)


class _Batch:
    """Replicas of one object bound together and starting together."""

    __slots__ = ("alive", "n", "nodes", "obj")

    def __init__(self, obj: ObjectState, nodes: dict[int, int], n: int) -> None:
        self.obj = obj
        self.nodes = nodes
        self.n = n
        self.alive = True


class ObjectState:
    """One object on the member and its replicas."""

    __slots__ = (
        "batches",
        "desired",
        "hash",
        "key",
        "pending",
        "pending_reason",
        "placed",
        "ready",
        "request",
        "scheduled",
    )

    def __init__(self, key: str, request: Resources) -> None:
        self.key = key
        self.request = request
        self.hash = ""
        self.desired: int | None = None  # None: an object without pods
        self.ready = 0
        self.scheduled = 0  # == sum(placed.values())
        self.placed: dict[int, int] = {}  # node -> replicas bound there (starting or ready)
        self.batches: list[_Batch] = []
        self.pending = 0  # replicas that found no node (as last recorded)
        self.pending_reason = ""

    def observed(self) -> ObservedObject:
        if self.desired is None:
            return ObservedObject(self.key, self.hash)
        return ObservedObject(
            self.key,
            self.hash,
            self.desired,
            self.ready,
            self.scheduled,
            pending=self.pending,
            pending_reason=self.pending_reason,
        )


class Workloads:
    """The objects of one member and their replicas. The member sets `stopped` (an outage:
    nothing runs) and `frozen` (the API does not serve: nothing new is bound)."""

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
        # Pending objects, bucketed by request: when the head of a bucket fits nowhere, nothing
        # else in it does, so a pass costs one try per bucket plus one per object bound
        self.pending: dict[Resources, dict[str, ObjectState]] = {}
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
            self._scale(obj, action.replicas)
            self._note_pending(obj)
        self.watch.upsert(obj.observed())

    def delete(self, action: Delete) -> None:
        obj = self.objects.get(action.key)
        if obj is None:
            return
        if obj.desired is not None:
            self._scale(obj, 0)
            self._note_pending(obj)
        del self.objects[action.key]
        self.watch.remove(action.key)

    # ---------------------------------------------------------------- faults

    def stop(self) -> None:
        """Every replica stops being Ready (outage); objects and bindings persist."""
        for obj in self.objects.values():
            for b in obj.batches:
                b.alive = False
            obj.batches = []
            self._set_ready(obj, 0)

    def restart(self) -> None:
        """Every bound replica starts again (one start-up batch per object)."""
        for obj in self.objects.values():
            if obj.scheduled:
                self._start(obj, dict(obj.placed), obj.scheduled)
        self.request_pass()

    def lose(self, gone: list[int]) -> None:
        """Nodes `gone` vanished with their replicas: those become Pending and are rebound where
        there is room (if the API serves)."""
        for obj in self.objects.values():
            lost = 0
            for i in gone:
                lost += obj.placed.pop(i, 0)
            if not lost:
                continue
            starting = 0
            for b in obj.batches:
                for i in gone:
                    x = b.nodes.pop(i, 0)
                    b.n -= x
                    starting += x
            obj.batches = [b for b in obj.batches if self._keep(b)]
            obj.scheduled -= lost
            if not self.stopped:
                self._set_ready(obj, obj.ready - (lost - starting))
            self._enqueue(obj)
            self._note_pending(obj)
            self.watch.upsert(obj.observed())

    # ---------------------------------------------------------------- controller and scheduler

    def _scale(self, obj: ObjectState, n: int) -> None:
        old = obj.desired or 0
        obj.desired = n
        if n > old:
            self._enqueue(obj)
        elif n < old:
            excess = obj.scheduled - n
            if excess > 0:
                self._unbind(obj, excess)
                self.capacity_changed()
                self.request_pass()
            if obj.scheduled >= n:
                self._dequeue(obj)

    def _unbind(self, obj: ObjectState, k: int) -> None:
        """Remove k bound replicas: newest starting ones first, then Ready ones."""
        pool, req, placed = self.pool, obj.request, obj.placed
        for b in reversed(obj.batches):
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
                k -= x
                if k == 0:
                    break
            if k == 0:
                break
        obj.batches = [b for b in obj.batches if self._keep(b)]
        if k > 0:
            starting: dict[int, int] = {}
            for b in obj.batches:
                for i, x in b.nodes.items():
                    starting[i] = starting.get(i, 0) + x
            gone = 0
            for i in sorted(placed, reverse=True):
                x = min(k - gone, placed[i] - starting.get(i, 0))
                if x > 0:
                    placed[i] -= x
                    pool.release(i, req, x)
                    gone += x
                if gone == k:
                    break
            if not self.stopped:
                self._set_ready(obj, obj.ready - gone)
        for i in [i for i, x in placed.items() if x == 0]:
            del placed[i]
        obj.scheduled = sum(placed.values())

    @staticmethod
    def _keep(b: _Batch) -> bool:
        if b.n > 0:
            return True
        b.alive = False
        return False

    def _enqueue(self, obj: ObjectState) -> None:
        if (obj.desired or 0) <= obj.scheduled:
            return
        bucket = self.pending.get(obj.request)
        if bucket:  # others asking the same are waiting: queue behind them
            bucket[obj.key] = obj
            return
        if self.frozen or not self._bind(obj):
            self.pending.setdefault(obj.request, {})[obj.key] = obj

    def _dequeue(self, obj: ObjectState) -> None:
        bucket = self.pending.get(obj.request)
        if bucket is not None and bucket.pop(obj.key, None) is not None and not bucket:
            del self.pending[obj.request]

    def _bind(self, obj: ObjectState) -> bool:
        """Bind as many Pending replicas of obj as fit; True when none is left Pending."""
        want = (obj.desired or 0) - obj.scheduled
        nodes = self.pool.bind(obj.request, want)
        if nodes:
            n = sum(nodes.values())
            for i, x in nodes.items():
                obj.placed[i] = obj.placed.get(i, 0) + x
            obj.scheduled += n
            self._start(obj, nodes, n)
            self.capacity_changed()
            want -= n
            self._note_pending(obj)
            self.watch.upsert(obj.observed())
        return want <= 0

    def _start(self, obj: ObjectState, nodes: dict[int, int], n: int) -> None:
        b = _Batch(obj, nodes, n)
        obj.batches.append(b)
        self.world.later(sample(self.settings.pod_startup, self._pods_rng), self._started, b)

    def _started(self, b: _Batch) -> None:
        if not b.alive:
            return
        b.alive = False
        obj = b.obj
        obj.batches.remove(b)
        self._set_ready(obj, obj.ready + b.n)
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
        """Record a `pending` row when the replicas of obj that have no node change (with the
        scheduler's reason while any are left), and keep them for the observation."""
        n = max(0, (obj.desired or 0) - obj.scheduled)
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

    def _set_ready(self, obj: ObjectState, n: int) -> None:
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
