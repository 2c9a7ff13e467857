"""The scheduler of one member cluster: Pending pods wait in a queue and are bound to nodes.

Pods are bound first-fit (`sim.nodes`) as soon as a ReplicaSet asks for them; those that fit
nowhere are Pending and wait in a queue, by ReplicaSet, bucketed by request. Freed capacity
wakes the queue (`request_pass`: one pass per instant). While the member's API server does not
serve (`frozen`) nothing is bound. The pods of an object that found no node go to a `pending`
timeline row with the scheduler's reason (for the request of the newest ReplicaSet with Pending
pods). Each ReplicaSet's pods ask the request of its own template.
"""

from __future__ import annotations

from collections.abc import Callable

from federation.core.model import Resources
from federation.recorder import Recorder
from sim.nodes import NodePool
from sim.replicasets import ObjectState, ReplicaSet
from sim.world import World

# called with (rs, nodes, n) once n pods of rs were bound to `nodes` (node -> pods)
Bound = Callable[[ReplicaSet, dict[int, int], int], None]


class Scheduler:
    """The Pending queue of one member and the binding of its pods to nodes."""

    def __init__(
        self, world: World, cluster: str, pool: NodePool, recorder: Recorder, bound: Bound
    ) -> None:
        self.world = world
        self.cluster = cluster
        self.pool = pool
        self.recorder = recorder
        self.bound = bound
        # Pending ReplicaSets, bucketed by request: when the head of a bucket fits nowhere,
        # nothing else in it does, so a pass costs one try per bucket plus one per set bound
        self.pending: dict[Resources, dict[str, ReplicaSet]] = {}
        self.frozen = False  # the API does not serve: nothing is bound
        self._pass_at = -1.0

    def enqueue(self, rs: ReplicaSet) -> None:
        """rs asks for more pods than it has bound: bind them now, or queue rs."""
        if rs.want <= rs.scheduled:
            return
        bucket = self.pending.get(rs.request)
        if bucket:  # others asking the same are waiting: queue behind them
            bucket[rs.key] = rs
            return
        if self.frozen or not self.bind(rs):
            self.pending.setdefault(rs.request, {})[rs.key] = rs

    def dequeue(self, rs: ReplicaSet) -> None:
        bucket = self.pending.get(rs.request)
        if bucket is not None and bucket.pop(rs.key, None) is not None and not bucket:
            del self.pending[rs.request]

    def bind(self, rs: ReplicaSet) -> bool:
        """Bind as many Pending pods of rs as fit; True when none is left Pending."""
        want = rs.want - rs.scheduled
        nodes = self.pool.bind(rs.request, want)
        if nodes:
            n = sum(nodes.values())
            for i, x in nodes.items():
                rs.placed[i] = rs.placed.get(i, 0) + x
            rs.scheduled += n
            self.bound(rs, nodes, n)
            want -= n
        return want <= 0

    def request_pass(self) -> None:
        """Capacity may have been freed: one pass over the queue at this instant."""
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
                if not self.bind(bucket[key]):
                    break
                del bucket[key]
            if not bucket:
                del self.pending[req]

    def note_pending(self, obj: ObjectState) -> None:
        """Record a `pending` row when the pods of obj that have no node change (with the
        scheduler's reason while any are left), and keep them for the observation."""
        n = obj.unplaced
        reason = ""
        request = obj.pending_request
        if request is not None:
            if self.frozen:
                reason = "the member's API server is not serving; nothing is scheduled"
            else:
                reason = self.pool.why_unschedulable(request)
        if n == obj.pending and (reason == obj.pending_reason or not n):
            return
        obj.pending, obj.pending_reason = n, reason
        self.recorder.row(
            self.world.env.now, "pending", self.cluster, obj.key, pending=n, reason=reason
        )
