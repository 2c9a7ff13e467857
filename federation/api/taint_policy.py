"""ClusterTaintPolicy documents (Karmada's shape): taints a cluster carries while it is not
Ready. kfed's clusters have one condition, Ready, which is not True while the cluster is
Offline or Recovering; a policy that adds its taints on Ready False or Unknown and removes them
on Ready True becomes `Cluster.not_ready_taints` of the clusters it targets."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from federation.api.errors import Path, show
from federation.api.records import Ctx, TaintPolicy, affinity
from federation.core.model import Cluster, Taint

_NOT_TRUE = frozenset({"False", "Unknown"})


def _on_not_ready(conds: Sequence[Mapping[str, Any]]) -> str | None:
    """Why these conditions are not 'Ready is not True' (None when they are)."""
    if len(conds) != 1:
        return "kfed's clusters have one condition, Ready: give exactly one condition on it"
    c = conds[0]
    if c["conditionType"] != "Ready":
        return f"kfed's clusters have no condition {c['conditionType']!r}, only Ready"
    values = set(c["statusValues"])
    if c["operator"] == "NotIn" and values == {"True"}:
        return None
    if c["operator"] == "In" and values and values <= _NOT_TRUE:
        return None
    return "kfed can only add taints while Ready is not True (NotIn [True], or In [False, Unknown])"


def taint_policy(ctx: Ctx, d: Mapping[str, Any]) -> TaintPolicy:
    spec = d["spec"]
    path: Path = ("spec",)
    adds = spec.get("addOnConditions", ())
    why = _on_not_ready(adds) if adds else "no addOnConditions: Karmada never adds these taints"
    taints: tuple[Taint, ...] = ()
    if why is not None:
        ctx.warn((*path, "addOnConditions"), f"not simulated: {why}; this policy adds no taint")
    else:
        taints = tuple(Taint(t["key"], t.get("value", ""), t["effect"]) for t in spec["taints"])
        if [(c["conditionType"], c["operator"], c["statusValues"]) for c in adds] == [
            ("Ready", "In", ["Unknown"])
        ]:
            ctx.warn(
                (*path, "addOnConditions", 0, "statusValues"),
                "approximated: kfed does not tell Ready False from Unknown; the taints are "
                "added whenever the cluster is not Ready",
            )
        removes = spec.get("removeOnConditions", ())
        ready = [
            c
            for c in removes
            if c["conditionType"] == "Ready"
            and c["operator"] == "In"
            and c["statusValues"] == ["True"]
        ]
        if len(removes) != 1 or not ready:
            ctx.warn(
                (*path, "removeOnConditions"),
                "approximated: kfed removes the taints when the cluster is Ready again; "
                f"Karmada removes them only when {show(removes) if removes else 'never'}",
            )
    seen: dict[tuple[str, str], int] = {}
    for i, t in enumerate(spec["taints"]):
        k = (t["key"], t["effect"])
        if k in seen:
            ctx.error((*path, "taints", i), f"duplicate taint {t['key']}:{t['effect']}")
        seen[k] = i
    target = affinity(ctx, (*path, "targetClusters"), spec.get("targetClusters"))
    return TaintPolicy(d["metadata"]["name"], target, taints)


def apply(clusters: Iterable[Cluster], policies: Sequence[TaintPolicy]) -> list[Cluster]:
    """The clusters with the not-Ready taints of every policy targeting them (by policy name;
    a key+effect already there is kept once)."""
    out = []
    for c in clusters:
        extra: dict[tuple[str, str], Taint] = {(t.key, t.effect): t for t in c.not_ready_taints}
        for p in sorted(policies, key=lambda p: p.name):
            if p.target.matches(c):
                for t in p.taints:
                    extra.setdefault((t.key, t.effect), t)
        out.append(replace(c, not_ready_taints=tuple(extra.values())) if extra else c)
    return out
