"""The kubelets of one member cluster: bound pods start, become Ready and available, stop.

Pods bound together start together (a `Batch`: one start-up timer, one `pod_startup` draw from
the stream "pods/<cluster>"); once Ready, the pods of a Deployment with `minReadySeconds` are
available that long after, the others at once. Pods removed on a scale-down go newest starting
first, then the newest Ready ones not yet available, then the rest. Pods on a lost node are
gone; in an outage (`stopped`) no pod runs, bindings persist.
"""

from __future__ import annotations

from collections.abc import Callable

from federation.api.scenario import SimSettings
from sim.nodes import NodePool
from sim.replicasets import Batch, ObjectState, ReplicaSet
from sim.world import World, sample


class Kubelet:
    """The pods of one member on its nodes. `ready(obj, available)` is called when pods of obj
    became Ready (`available`: and available at once), `available(obj)` when Ready pods became
    available after `minReadySeconds`."""

    def __init__(
        self,
        world: World,
        cluster: str,
        settings: SimSettings,
        pool: NodePool,
        ready: Callable[[ObjectState, bool], None],
        available: Callable[[ObjectState], None],
    ) -> None:
        self.world = world
        self.settings = settings
        self.pool = pool
        self.on_ready = ready
        self.on_available = available
        self.stopped = False  # an outage: nothing runs
        self._pods_rng = world.stream(f"pods/{cluster}")

    def start(self, rs: ReplicaSet, nodes: dict[int, int], n: int) -> None:
        """n pods of rs on `nodes` (node -> pods) start, as one batch."""
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
        self.on_ready(obj, wait <= 0)

    def _available(self, b: Batch) -> None:
        """Pods Ready for `minReadySeconds` are available: a rollout may go on."""
        if not b.alive:
            return
        b.alive = False
        rs = b.rs
        rs.batches.remove(b)
        rs.available += b.n
        self.on_available(rs.obj)

    def stop(self, rs: ReplicaSet) -> None:
        """No pod of rs runs any more (an outage); its bindings persist."""
        for b in rs.batches:
            b.alive = False
        rs.batches = []
        rs.ready = rs.available = 0

    def remove(self, rs: ReplicaSet, k: int) -> None:
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

    def lose(self, rs: ReplicaSet, gone: list[int]) -> bool:
        """Nodes `gone` vanished with the pods of rs there; True when rs had pods there."""
        lost = 0
        for i in gone:
            lost += rs.placed.pop(i, 0)
        if not lost:
            return False
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
        return True

    @staticmethod
    def _keep(b: Batch) -> bool:
        if b.n > 0:
            return True
        b.alive = False
        return False
