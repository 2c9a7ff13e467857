"""A simulated member cluster: API server state, its objects, a workload controller and scheduler.

What is modelled, per object (one per workload the federation applied here):

* `desired` replicas (from `Apply.replicas`; kinds other than Deployment/Job, or a None count,
  are objects without pods) and the `hash` of what was applied;
* replicas bound to nodes (`placed`, first-fit, see `sim.nodes`), some still starting (`batches`:
  one start-up timer per batch of replicas bound together, one `pod_startup` draw per batch),
  the rest Ready; replicas that fit nowhere are Pending and wait in a queue;
* scale-down and delete free capacity at once (Pending first, then the newest starting
  replicas, then Ready ones); freed capacity wakes the Pending queue (one pass per instant).

Ground truth is recorded here: a `ready` row whenever a workload's Ready replicas on this cluster
change, a `capacity` row when nodes go or come back. Status changes go to the control plane over
the `Watch`. Faults are state changes called by `sim.faults`; nothing here ticks periodically.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from federation.core.actions import Apply, Delete
from federation.core.model import REPLICATED_KINDS, Cluster, ObservedObject, Resources
from federation.metrics import Recorder
from federation.runtime import Delta
from federation.scenario import SimSettings
from sim.network import Link
from sim.nodes import NodePool
from sim.watch import Watch
from sim.world import World, sample

DEFAULT_REQUEST = Resources(pods=1)


class _Batch:
    """Replicas of one object bound together and starting together."""

    __slots__ = ("alive", "n", "nodes", "obj")

    def __init__(self, obj: _Object, nodes: dict[int, int], n: int) -> None:
        self.obj = obj
        self.nodes = nodes
        self.n = n
        self.alive = True


class _Object:
    __slots__ = ("batches", "desired", "hash", "key", "placed", "ready", "request", "scheduled")

    def __init__(self, key: str, request: Resources) -> None:
        self.key = key
        self.request = request
        self.hash = ""
        self.desired: int | None = None  # None: an object without pods
        self.ready = 0
        self.scheduled = 0  # == sum(placed.values())
        self.placed: dict[int, int] = {}  # node -> replicas bound there (starting or ready)
        self.batches: list[_Batch] = []

    def observed(self) -> ObservedObject:
        if self.desired is None:
            return ObservedObject(self.key, self.hash)
        return ObservedObject(self.key, self.hash, self.desired, self.ready, self.scheduled)


class Member:
    """One member cluster. The gateway calls `api_state`, `apply` and `delete`."""

    def __init__(
        self,
        world: World,
        cluster: Cluster,
        settings: SimSettings,
        link: Link,
        deliver: Callable[[Delta], None],
        recorder: Recorder,
        requests: Mapping[str, Resources],
    ) -> None:
        name = cluster.name
        self.world = world
        self.name = name
        self.settings = settings
        self.link = link
        self.recorder = recorder
        self.requests = requests
        self.pool = NodePool(cluster.capacity, cluster.nodes)
        self.objects: dict[str, _Object] = {}
        # Pending objects, bucketed by request: when the head of a bucket fits nowhere, nothing
        # else in it does, so a pass costs one try per bucket plus one per object bound
        self.pending: dict[Resources, dict[str, _Object]] = {}
        self.down = 0  # active outages (API and workloads down)
        self.hang = 0  # active API hangs
        self._pass_at = -1.0
        self._api_rng = world.stream(f"api/{name}")
        self._pods_rng = world.stream(f"pods/{name}")
        self._nodes_rng = world.stream(f"nodes/{name}")
        self.watch = Watch(world, name, link, deliver, self._snapshot)
        self.watch.relist()

    # ---------------------------------------------------------------- API server

    def api_state(self) -> str:
        return "down" if self.down else "hang" if self.hang else "up"

    def api_latency(self) -> float:
        return sample(self.settings.api_latency, self._api_rng)

    def apply(self, action: Apply) -> None:
        obj = self.objects.get(action.key)
        if obj is None:
            obj = self.objects[action.key] = _Object(
                action.key, self.requests.get(action.key, DEFAULT_REQUEST)
            )
        obj.hash = action.hash
        kind = action.key.split("/", 1)[0]
        if kind in REPLICATED_KINDS and action.replicas is not None:
            self._scale(obj, action.replicas)
        self.watch.upsert(obj.observed())

    def delete(self, action: Delete) -> None:
        obj = self.objects.get(action.key)
        if obj is None:
            return
        if obj.desired is not None:
            self._scale(obj, 0)
        del self.objects[action.key]
        self.watch.remove(action.key)

    # ---------------------------------------------------------------- workload controller

    def _scale(self, obj: _Object, n: int) -> None:
        old = obj.desired or 0
        obj.desired = n
        if n > old:
            self._enqueue(obj)
        elif n < old:
            excess = obj.scheduled - n
            if excess > 0:
                self._unbind(obj, excess)
                self._capacity_changed()
                self._request_pass()
            if obj.scheduled >= n:
                self._dequeue(obj)

    def _unbind(self, obj: _Object, k: int) -> None:
        """Remove k bound replicas: newest starting ones first, then Ready ones."""
        pool, req, placed = self.pool, obj.request, obj.placed
        for b in reversed(obj.batches):
            for i in sorted(b.nodes, reverse=True):
                x = min(k, b.nodes[i])
                b.nodes[i] -= x
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
            if not self.down:
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

    def _enqueue(self, obj: _Object) -> None:
        if (obj.desired or 0) <= obj.scheduled:
            return
        bucket = self.pending.get(obj.request)
        if bucket:  # others asking the same are waiting: queue behind them
            bucket[obj.key] = obj
            return
        if self.down or self.hang or not self._bind(obj):
            self.pending.setdefault(obj.request, {})[obj.key] = obj

    def _dequeue(self, obj: _Object) -> None:
        bucket = self.pending.get(obj.request)
        if bucket is not None and bucket.pop(obj.key, None) is not None and not bucket:
            del self.pending[obj.request]

    def _bind(self, obj: _Object) -> bool:
        """Bind as many Pending replicas of obj as fit; True when none is left Pending."""
        want = (obj.desired or 0) - obj.scheduled
        nodes = self.pool.bind(obj.request, want)
        if nodes:
            n = sum(nodes.values())
            for i, x in nodes.items():
                obj.placed[i] = obj.placed.get(i, 0) + x
            obj.scheduled += n
            self._start(obj, nodes, n)
            self._capacity_changed()
            self.watch.upsert(obj.observed())
            want -= n
        return want <= 0

    def _start(self, obj: _Object, nodes: dict[int, int], n: int) -> None:
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

    def _request_pass(self) -> None:
        now = self.world.env.now
        if self._pass_at != now and self.pending:
            self._pass_at = now
            self.world.later(0.0, self._pass)

    def _pass(self) -> None:
        """Try every Pending bucket once (the scheduler after capacity was freed)."""
        if self.down or self.hang:
            return
        for req in list(self.pending):
            bucket = self.pending[req]
            for key in list(bucket):
                if not self._bind(bucket[key]):
                    break
                del bucket[key]
            if not bucket:
                del self.pending[req]

    def _set_ready(self, obj: _Object, n: int) -> None:
        if n != obj.ready:
            obj.ready = n
            self.recorder.row(
                self.world.env.now, "ready", self.name, obj.key, ready=n, desired=obj.desired or 0
            )

    def _capacity_changed(self) -> None:
        self.watch.capacity(self.pool.free(), self.pool.nodes_ready())

    def _snapshot(self) -> tuple[dict[str, ObservedObject | None], Resources | None, int]:
        objs: dict[str, ObservedObject | None] = {k: o.observed() for k, o in self.objects.items()}
        return objs, self.pool.free(), self.pool.nodes_ready()

    # ---------------------------------------------------------------- faults (see sim.faults)

    def _refresh_watch(self) -> None:
        self.watch.set_blocked(bool(self.down or self.hang or self.link.partitioned))

    def outage_start(self) -> None:
        """API and workloads go down: every replica stops being Ready; objects persist."""
        self.down += 1
        if self.down == 1:
            for obj in self.objects.values():
                for b in obj.batches:
                    b.alive = False
                obj.batches = []
                self._set_ready(obj, 0)
            self._refresh_watch()

    def outage_end(self) -> None:
        """Back up: every bound replica restarts (one start-up batch per object)."""
        self.down -= 1
        if self.down == 0:
            for obj in self.objects.values():
                if obj.scheduled:
                    self._start(obj, dict(obj.placed), obj.scheduled)
            self._request_pass()
            self._refresh_watch()

    def hang_start(self) -> None:
        self.hang += 1
        self._refresh_watch()

    def hang_end(self) -> None:
        self.hang -= 1
        self._request_pass()
        self._refresh_watch()

    def partition_start(self) -> None:
        self.link.partitioned += 1
        self._refresh_watch()

    def partition_end(self) -> None:
        self.link.partitioned -= 1
        self._refresh_watch()

    def lose_nodes(self, count: int) -> list[int]:
        """`count` random nodes vanish with their replicas; those become Pending and are
        rebound where there is room (if the API is serving)."""
        gone = self.pool.lose(count, self._nodes_rng)
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
            if not self.down:
                self._set_ready(obj, obj.ready - (lost - starting))
            self.watch.upsert(obj.observed())
            self._enqueue(obj)
        self.record_capacity()
        return gone

    def restore_nodes(self, nodes: list[int]) -> None:
        self.pool.restore(nodes)
        self.record_capacity()
        self._request_pass()

    def record_capacity(self) -> None:
        """A `capacity` row (allocatable of the nodes that are up) and a capacity update."""
        a = self.pool.allocatable_total()
        n = self.pool.nodes_ready()
        now = self.world.env.now
        self.recorder.row(
            now, "capacity", self.name, "", nodes=n, cpu=a.cpu, memory=a.memory, pods=a.pods
        )
        self._capacity_changed()

    # ---------------------------------------------------------------- truth, for tests and runs

    def sample_rows(self) -> None:
        """A `ready` row for every object with pods (SimSettings.sample_period)."""
        now = self.world.env.now
        for obj in self.objects.values():
            if obj.desired is not None:
                self.recorder.row(
                    now, "ready", self.name, obj.key, ready=obj.ready, desired=obj.desired
                )

    def ready(self, key: str) -> int:
        obj = self.objects.get(key)
        return 0 if obj is None else obj.ready

    def pending_replicas(self, key: str) -> int:
        obj = self.objects.get(key)
        return 0 if obj is None else (obj.desired or 0) - obj.scheduled
