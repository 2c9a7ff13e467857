"""Operations on the timeline, carried out: each one changes the federation's desired documents
at its time, through the control loop both backends share, so the sim and real clusters see
the same change at the same time. The core then decides what moves (`federation.core`).

Each operation writes an `operation` row (`op` = its kind, its name and parameters; one row per
cluster for cluster operations); an unjoin writes a second one with `phase` "removed" once
nothing of kfed's is left on the member and it is forgotten.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from federation.api.operations import initial_members
from federation.api.scenario import Operation
from federation.core.desired import DesiredState
from federation.core.model import Cluster, OverridePolicy, PropagationPolicy, Taint, Workload
from federation.recorder import Recorder

if TYPE_CHECKING:
    from federation.runtime import ControlLoop

# what a drained (cordoned) or unjoining member carries, as `kubectl drain` taints a node
MAINTENANCE_TAINT = Taint("kfed.io/maintenance", "", "NoSchedule")


class Operator:
    """Carries out a scenario's operations on one control loop, in time order."""

    def __init__(
        self, operations: Sequence[Operation], declared: DesiredState, recorder: Recorder
    ) -> None:
        self.declared = declared  # every cluster the scenario declares, joined or not
        self.recorder = recorder
        queue = list(operations)
        for op in operations:  # a drain with a duration is a maintenance window
            if op.kind == "drain" and op.duration is not None:
                queue.append(replace(op, kind="uncordon", at=op.end, duration=None))
        self.queue = sorted(enumerate(queue), key=lambda x: (x[1].at, x[0]))
        self.unjoining: set[str] = set()

    def initial(self) -> DesiredState:
        """The desired documents at the start: without the clusters that join later."""
        names = [c.name for c in self.declared.clusters]
        members = initial_members([op for _, op in self.queue], names)
        if len(members) == len(self.declared.clusters):
            return self.declared
        return self.declared.changed(
            clusters=[c for c in self.declared.clusters if c.name in members]
        )

    @property
    def next_at(self) -> float | None:
        return self.queue[0][1].at if self.queue else None

    def due(self, loop: ControlLoop, now: float) -> None:
        """Carry out every operation due by `now`."""
        while self.queue and self.queue[0][1].at <= now:
            _, op = self.queue.pop(0)
            self._carry_out(loop, op, now)

    def settle(self, loop: ControlLoop, now: float) -> None:
        """Forget the unjoining members that hold nothing of kfed's any more."""
        for c in sorted(self.unjoining):
            if loop.state.holds(c):
                continue
            left = loop.view.held(c)
            if left:  # its namespaces, kept while something drained in them: now they go
                loop.touch(left)
                continue
            self.unjoining.discard(c)
            desired = loop.desired.changed(
                clusters=[x for x in loop.desired.clusters if x.name != c]
            )
            loop.update_desired(desired, sorted(desired.workloads), now)
            self.recorder.row(now, "operation", c, "", op="unjoin", phase="removed")

    def _row(self, now: float, op: Operation, cluster: str = "", **fields: Any) -> None:
        if op.name:
            fields["name"] = op.name
        self.recorder.row(now, "operation", cluster, op.workload, op=op.kind, **fields)

    def _carry_out(self, loop: ControlLoop, op: Operation, now: float) -> None:
        d = loop.desired
        everything = sorted(d.workloads)
        if op.kind == "scale":
            w = d.workloads.get(op.workload)
            if w is None:
                return
            self._row(now, op, replicas=op.replicas)
            loop.update_desired(d.with_workloads([replace(w, replicas=op.replicas)]), [w.key], now)
        elif op.kind == "delete":
            self._row(now, op)
            self._delete(loop, op.workload, now)
        elif op.kind == "apply":
            self._apply(loop, op, now)
        elif op.kind == "migrate" and op.migration is not None:
            ws = loop.state.workloads.get(op.workload)
            on = set(ws.assignment) if ws is not None else set()
            m = replace(
                op.migration,
                at=now,
                allowed=frozenset(
                    (on - set(op.migration.sources)) | set(op.migration.destinations)
                ),
            )
            moves: dict[str, Any] = {
                "from": list(m.sources),
                "to": list(m.destinations),
                "preserve": m.preserve,
            }
            self._row(now, op, **moves)
            loop.update_desired(
                d.changed(migrations={**d.migrations, op.workload: m}), [op.workload], now
            )
        elif op.kind == "join":
            have = {c.name for c in d.clusters}
            new = [
                c for c in self.declared.clusters if c.name in op.clusters and c.name not in have
            ]
            for c in op.clusters:
                self._row(now, op, c)
            loop.update_desired(d.changed(clusters=[*d.clusters, *new]), everything, now)
        elif op.kind in ("drain", "unjoin", "uncordon"):
            for c in op.clusters:
                self._row(now, op, c, **({"duration": op.duration} if op.duration else {}))
            mark = {"drain": "drain", "unjoin": "unjoin", "uncordon": ""}[op.kind]
            clusters = [
                _marked(c, mark) if c.name in op.clusters and c.draining != "unjoin" else c
                for c in d.clusters
            ]
            if op.kind == "unjoin":
                self.unjoining.update(op.clusters)
            loop.update_desired(d.changed(clusters=clusters), everything, now)

    def _delete(self, loop: ControlLoop, key: str, now: float) -> None:
        d = loop.desired
        if key not in d.workloads:
            return
        followers = d.dependencies(key)  # what it took along (propagateDeps) may go with it
        keep = [w for k, w in d.workloads.items() if k != key]
        migrations = {k: m for k, m in d.migrations.items() if k != key}
        loop.update_desired(d.changed(workloads=keep, migrations=migrations), [key, *followers])
        # from now on it is meant to run nothing: the time after its deletion counts neither
        # as served nor as missing (docs/semantics.md)
        if d.workloads[key].divisible:
            self.recorder.row(now, "desired", "", key, replicas=0, clusters={}, deleted=True)

    def _apply(self, loop: ControlLoop, op: Operation, now: float) -> None:
        d = loop.desired
        rec = op.document
        if isinstance(rec, Workload):
            self._row(now, replace(op, workload=rec.key), document=f"{rec.kind}/{rec.name}")
            loop.update_desired(d.with_workloads([rec]), [rec.key], now)
            return
        if isinstance(rec, Cluster):
            self._row(now, op, rec.name, document=f"Cluster/{rec.name}")
            old = d.cluster(rec.name)
            mark = old.draining if old is not None else ""
            new = _marked(rec, mark)
            clusters = [new if c.name == rec.name else c for c in d.clusters]
            self.declared = self.declared.changed(
                clusters=[rec if c.name == rec.name else c for c in self.declared.clusters]
            )
            changed = d.changed(clusters=clusters)
        elif isinstance(rec, PropagationPolicy):
            self._row(now, op, document=f"{_policy_kind(rec)}/{rec.name}")
            same = [p for p in d.policies if (p.namespace, p.name) != (rec.namespace, rec.name)]
            changed = d.changed(policies=[*same, rec])
        elif isinstance(rec, OverridePolicy):
            self._row(now, op, document=f"OverridePolicy/{rec.name}")
            kept = [o for o in d.overrides if (o.namespace, o.name) != (rec.namespace, rec.name)]
            changed = d.changed(overrides=[*kept, rec])
        else:
            return
        loop.update_desired(changed, sorted(changed.workloads), now)


def _marked(c: Cluster, mark: str) -> Cluster:
    """`c` drained ("drain"), unjoining ("unjoin") or schedulable again ("")."""
    taints = tuple(t for t in c.taints if t.key != MAINTENANCE_TAINT.key)
    if mark:
        taints = (*taints, MAINTENANCE_TAINT)
    return replace(c, draining=mark, taints=taints)


def _policy_kind(p: PropagationPolicy) -> str:
    return "PropagationPolicy" if p.namespace else "ClusterPropagationPolicy"
