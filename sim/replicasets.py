"""What a member holds for one object: its pods, grouped by pod template as a Deployment groups
them in ReplicaSets (`ReplicaSet`: the pods of one template, bound to nodes or Pending, starting,
Ready, available), and the object's totals the member reports (`ObjectState`).

An object without a rollout (any kind but a Deployment, or a Deployment whose pod template never
changed) has one ReplicaSet. A Deployment whose template changed has the new one last and the
old ones before it, oldest first, until `federation.core.rollout` has scaled them to zero.
"""

from __future__ import annotations

from federation.core.model import ObservedObject, Resources
from federation.core.rollout import Strategy


class Batch:
    """Pods of one ReplicaSet bound together and starting together; once Ready, a batch of a
    Deployment with `minReadySeconds` waits here (`ready`) until its pods are available."""

    __slots__ = ("alive", "n", "nodes", "ready", "rs")

    def __init__(self, rs: ReplicaSet, nodes: dict[int, int], n: int) -> None:
        self.rs = rs
        self.nodes = nodes
        self.n = n
        self.alive = True
        self.ready = False


class ReplicaSet:
    """The pods of one template: `want` of them (spec replicas), `scheduled` bound to nodes
    (`placed`), the rest Pending; of the bound ones, those in a not-ready batch are starting,
    the others Ready (`ready`), and Ready ones not in a batch are available (`available`)."""

    __slots__ = (
        "available",
        "batches",
        "key",
        "obj",
        "placed",
        "ready",
        "request",
        "scheduled",
        "template",
        "want",
    )

    def __init__(
        self, obj: ObjectState, key: str, template: str | None, request: Resources
    ) -> None:
        self.obj = obj
        self.key = key  # unique among the member's ReplicaSets (the Pending queue's key)
        self.template = template  # fingerprint of the pod template (None: not known)
        self.request = request  # what each of its pods asks (the request of its template)
        self.want = 0
        self.scheduled = 0  # == sum(placed.values())
        self.placed: dict[int, int] = {}  # node -> pods bound there (starting or Ready)
        self.batches: list[Batch] = []
        self.ready = 0
        self.available = 0

    @property
    def unplaced(self) -> int:
        return max(0, self.want - self.scheduled)


class ObjectState:
    """One object on the member: its ReplicaSets (oldest first) and the totals it reports."""

    __slots__ = (
        "desired",
        "hash",
        "key",
        "pending",
        "pending_reason",
        "ready",
        "revisions",
        "sets",
        "strategy",
    )

    def __init__(self, key: str) -> None:
        self.key = key
        self.hash = ""
        self.desired: int | None = None  # None: an object without pods
        self.ready = 0  # Ready pods of every ReplicaSet, as last recorded
        self.sets: list[ReplicaSet] = []
        self.revisions = 0
        self.strategy: Strategy | None = None  # None: not a Deployment (never rolled)
        self.pending = 0  # pods that found no node (as last recorded)
        self.pending_reason = ""

    def new_set(self, template: str | None, request: Resources) -> ReplicaSet:
        key = self.key if not self.revisions else f"{self.key}#{self.revisions}"
        self.revisions += 1
        rs = ReplicaSet(self, key, template, request)
        self.sets.append(rs)
        return rs

    def use_template(self, template: str, request: Resources) -> None:
        """A Deployment's pod template changed: its pods roll over to the ReplicaSet of the new
        template, made last, whose pods ask `request` (what the new template asks; the old
        ReplicaSets keep theirs). An old one of the same template becomes the new one again,
        as on a rollback."""
        same = next((rs for rs in self.sets if rs.template == template), None)
        if same is not None:
            self.sets.remove(same)
            self.sets.append(same)
        else:
            self.new_set(template, request)

    @property
    def scheduled(self) -> int:
        return sum(s.scheduled for s in self.sets)

    @property
    def unplaced(self) -> int:
        return sum(s.unplaced for s in self.sets)

    @property
    def placed(self) -> dict[int, int]:
        """Pods per node, every ReplicaSet together."""
        out: dict[int, int] = {}
        for s in self.sets:
            for i, n in s.placed.items():
                out[i] = out.get(i, 0) + n
        return out

    @property
    def pending_request(self) -> Resources | None:
        """What a Pending pod asks: the newest ReplicaSet with pods that found no node."""
        return next((rs.request for rs in reversed(self.sets) if rs.unplaced), None)

    @property
    def rolling(self) -> bool:
        return len(self.sets) > 1

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
