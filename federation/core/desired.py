"""The desired state of a federation: member clusters, policies and workload templates, indexed.

Built once per change of the user's documents. Lookups that every reconcile repeats (which
policy claims a workload, which override rules apply) are memoised here: the answers depend
only on the documents, so caching them keeps the core pure and the reconcile cheap.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from federation.core.dependencies import references
from federation.core.migration import Migration
from federation.core.model import (
    Cluster,
    OverridePolicy,
    PropagationPolicy,
    ResourceSelector,
    Workload,
    workload_key,
)
from federation.core.propagation import render, replicas_of


@dataclass(frozen=True)
class DesiredState:
    clusters: tuple[Cluster, ...] = ()
    policies: tuple[PropagationPolicy, ...] = ()
    overrides: tuple[OverridePolicy, ...] = ()
    workloads: Mapping[str, Workload] = field(default_factory=dict)
    # workload key -> the migration asked for it (federation.core.migration), kept once done:
    # its sources stay barred
    migrations: Mapping[str, Migration] = field(default_factory=dict)
    _memo: dict[str, PropagationPolicy | None] = field(
        default_factory=dict, compare=False, repr=False
    )
    _renders: dict[tuple[str, str, int | None], tuple[dict[str, Any], str, int | None]] = field(
        default_factory=dict, compare=False, repr=False
    )
    _by_name: dict[str, Cluster] = field(default_factory=dict, compare=False, repr=False)
    _near: dict[str, frozenset[str]] = field(default_factory=dict, compare=False, repr=False)
    _deps: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False, repr=False)
    _drained: dict[str, dict[str, str]] = field(default_factory=dict, compare=False, repr=False)
    _claims: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    _overrides: dict[str, tuple[OverridePolicy, ...]] = field(
        default_factory=dict, compare=False, repr=False
    )

    @staticmethod
    def build(
        clusters: Iterable[Cluster] = (),
        policies: Iterable[PropagationPolicy] = (),
        overrides: Iterable[OverridePolicy] = (),
        workloads: Iterable[Workload] = (),
    ) -> DesiredState:
        return DesiredState(
            clusters=tuple(sorted(clusters, key=lambda c: c.name)),
            policies=tuple(policies),
            overrides=tuple(overrides),
            workloads={w.key: w for w in workloads},
        )

    def cluster(self, name: str) -> Cluster | None:
        if not self._by_name:
            self._by_name.update((c.name, c) for c in self.clusters)
        return self._by_name.get(name)

    def rendered(
        self, w: Workload, cluster: Cluster, replicas: int | None
    ) -> tuple[dict[str, Any], str, int | None]:
        """The manifest `cluster` should hold for `w` when given `replicas` of it, its
        fingerprint, and the replicas it really asks for (an override may change the count:
        the rendered object is the one truth of what a member runs). Treat as read-only: a
        workload no override selects renders the same for every cluster, and shares it."""
        overrides = self.overrides_for(w)
        k = (w.key, cluster.name if overrides else "", replicas)
        hit = self._renders.get(k)
        if hit is None:
            manifest, digest = render(w, cluster, replicas, overrides)
            effective = (
                replicas_of(manifest, w.kind, w.replica_path) if replicas is not None else None
            )
            hit = self._renders[k] = (manifest, digest, effective)
        return hit

    def policy_for(self, w: Workload) -> PropagationPolicy | None:
        """The claiming policy: highest priority, then namespaced over cluster-scoped, then the
        most precise selector (name > labels > kind), then policy name (Karmada's order). A
        ServiceExport has its Service's policy."""
        if w.key in self._memo:
            return self._memo[w.key]
        if w.kind == "ServiceExport":
            # MCS: an export is name-mapped to its Service and goes wherever the Service goes
            svc = self.workloads.get(workload_key("Service", w.namespace, w.name))
            chosen_svc = self.policy_for(svc) if svc is not None else None
            self._memo[w.key] = chosen_svc
            return chosen_svc
        best: tuple[int, int, int, str] | None = None
        chosen: PropagationPolicy | None = None
        for p in self._candidates(w):
            if not p.matches(w):
                continue
            precision = max(s.precision() for s in p.selectors if s.matches(w))
            rank = (-p.priority, 0 if p.namespace else 1, -precision, p.name)
            if best is None or rank < best:
                best, chosen = rank, p
        self._memo[w.key] = chosen
        return chosen

    def _candidates(self, w: Workload) -> list[PropagationPolicy]:
        """The policies that may select `w`, in document order: a policy each of whose
        selectors requires a label value `w` does not carry cannot, so policies are indexed by
        one such (label, value) per selector and only those `w`'s labels name are matched (a
        federation of many label-selected policies costs a few matches per workload, not one
        per policy)."""
        index = self._claims
        if index.get("policies") is not self.policies:
            index.clear()
            always: list[int] = []
            by_label: dict[tuple[str, str], list[int]] = {}
            for i, p in enumerate(self.policies):
                guards = [_guard(s) for s in p.selectors]
                if any(g is None for g in guards):
                    always.append(i)
                    continue
                for g in dict.fromkeys(guards):
                    assert g is not None
                    by_label.setdefault(g, []).append(i)
            index.update(policies=self.policies, always=always, by_label=by_label)
        by_label = index["by_label"]
        picks = list(index["always"])
        for item in w.labels.items():
            picks.extend(by_label.get(item, ()))
        if len(picks) > 1:
            picks = sorted(set(picks))
        return [self.policies[i] for i in picks]

    def workloads_near(self, cluster: str) -> frozenset[str]:
        """Keys of the workloads whose policy's cluster affinity admits `cluster` (taints, health
        and capacity aside): the only workloads, besides those with state or objects there, that
        a change of the cluster's health can move."""
        hit = self._near.get(cluster)
        if hit is not None:
            return hit
        c = self.cluster(cluster)
        admits: dict[tuple[str, str], bool] = {}  # per policy: few policies, many workloads
        keys = []
        for key, w in self.workloads.items():
            p = self.policy_for(w)
            if p is None or c is None:
                continue
            ok = admits.get((p.namespace, p.name))
            if ok is None:
                ok = admits[(p.namespace, p.name)] = p.placement.admits(c)
            if ok:
                keys.append(key)
        hit = self._near[cluster] = frozenset(keys)
        return hit

    def _dependency_index(self) -> dict[str, tuple[str, ...]]:
        """ "<": workload -> its dependencies; ">": dependency -> the workloads requiring it."""
        if "<" in self._deps:
            return self._deps
        needs: dict[str, list[str]] = {}
        required: dict[str, list[str]] = {}
        for key, w in sorted(self.workloads.items()):
            p = self.policy_for(w)
            if p is None or not p.propagate_deps:
                continue
            for kind, name in sorted(references(w.manifest)):
                dep = workload_key(kind, w.namespace, name)
                if dep in self.workloads and dep != key:
                    needs.setdefault(key, []).append(dep)
                    required.setdefault(dep, []).append(key)
        self._deps["<"] = ()
        self._deps.update({f"<{k}": tuple(v) for k, v in needs.items()})
        self._deps.update({f">{k}": tuple(v) for k, v in required.items()})
        return self._deps

    def dependencies(self, key: str) -> tuple[str, ...]:
        """The templates that follow workload `key` (its policy has propagateDeps)."""
        return self._dependency_index().get(f"<{key}", ())

    def required_by(self, key: str) -> tuple[str, ...]:
        """The workloads `key` follows as a dependency (Karmada's requiredBy)."""
        return self._dependency_index().get(f">{key}", ())

    def overrides_for(self, w: Workload) -> tuple[OverridePolicy, ...]:
        hit = self._overrides.get(w.key)
        if hit is None or self.workloads.get(w.key) is not w:
            hit = tuple(o for o in sorted(self.overrides, key=lambda o: o.name) if o.matches(w))
            if self.workloads.get(w.key) is w:
                self._overrides[w.key] = hit
        return hit

    def with_workloads(self, workloads: Iterable[Workload]) -> DesiredState:
        """A copy with these workloads added or replaced (load changes in a scenario)."""
        merged = dict(self.workloads)
        changed = set()
        for w in workloads:
            merged[w.key] = w
            changed.add(w.key)
        memo = {k: v for k, v in self._memo.items() if k not in changed}
        renders = {k: v for k, v in self._renders.items() if k[0] not in changed}
        return DesiredState(
            self.clusters, self.policies, self.overrides, merged, self.migrations, memo, renders
        )

    def changed(
        self,
        *,
        clusters: Iterable[Cluster] | None = None,
        policies: Iterable[PropagationPolicy] | None = None,
        overrides: Iterable[OverridePolicy] | None = None,
        workloads: Iterable[Workload] | None = None,
        migrations: Mapping[str, Migration] | None = None,
    ) -> DesiredState:
        """A copy with some documents replaced (operations on the timeline), nothing memoised."""
        return DesiredState(
            tuple(sorted(clusters, key=lambda c: c.name))
            if clusters is not None
            else self.clusters,
            tuple(policies) if policies is not None else self.policies,
            tuple(overrides) if overrides is not None else self.overrides,
            {w.key: w for w in workloads} if workloads is not None else self.workloads,
            dict(migrations) if migrations is not None else self.migrations,
        )

    def barred_for(self, w: Workload) -> dict[str, str]:
        """Clusters `w` may not be placed on for operational reasons (cluster -> why): clusters
        drained for maintenance or unjoining, and those a migration of `w` moved it away from
        or that are not its destinations."""
        drained = self._drained.get("")
        if drained is None:
            drained = self._drained[""] = {
                c.name: "cluster drained for maintenance"
                if c.draining == "drain"
                else "cluster unjoining"
                for c in self.clusters
                if c.draining
            }
        m = self.migrations.get(w.key)
        if m is None:
            return drained
        out = dict(drained)
        for c in self.clusters:
            if c.name not in out and (why := m.outside(c.name)) is not None:
                out[c.name] = why
        return out


def _guard(selector: ResourceSelector) -> tuple[str, str] | None:
    """A (label, value) the selector requires of every workload it selects, if any."""
    ls = selector.label_selector
    if ls is None or not ls.match_labels:
        return None
    return min(ls.match_labels.items())
