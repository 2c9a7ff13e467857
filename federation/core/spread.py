"""Spread constraints: choose target clusters across groups (cluster, region, zone or provider)
with minimum and maximum group counts, from clusters already ranked best-first."""

from __future__ import annotations

from federation.core.model import Cluster, Placement

_HIERARCHY = {"provider": 0, "region": 1, "zone": 2, "cluster": 3}


def select_spread(
    ranked: list[Cluster], placement: Placement, tolerate_short: bool
) -> tuple[list[Cluster], dict[str, str], str]:
    """Apply spread constraints to clusters ranked best-first. With `tolerate_short`, an unmet
    minGroups keeps what is feasible and says so instead of selecting nothing."""
    out: dict[str, str] = {}
    degraded = ""
    order_index = {c.name: i for i, c in enumerate(ranked)}
    chosen = ranked
    cluster_rule = None
    # the order constraints are listed in means nothing: groups nest as Karmada builds them,
    # provider > region > zone > cluster
    for sc in sorted(placement.spread, key=lambda sc: _HIERARCHY[sc.spread_by]):
        if sc.spread_by == "cluster":
            cluster_rule = sc
            continue
        by_group: dict[str, list[Cluster]] = {}
        for c in chosen:
            value = c.fields()[sc.spread_by]
            if not value:
                out[c.name] = f"spread by {sc.spread_by}: cluster has no {sc.spread_by}"
                continue
            by_group.setdefault(value, []).append(c)
        # groups in order of their best cluster (ranked order is preserved inside a group)
        order = sorted(by_group, key=lambda g: order_index[by_group[g][0].name])
        if len(order) < sc.min_groups:
            why = (
                f"spread by {sc.spread_by}: {len(order)} group(s) feasible, "
                f"minGroups is {sc.min_groups}"
            )
            if not tolerate_short:
                for c in chosen:
                    out.setdefault(c.name, why)
                return [], out, ""
            degraded = why
        keep = order[: sc.max_groups] if sc.max_groups is not None else order
        for g in order[len(keep) :]:
            for c in by_group[g]:
                out[c.name] = (
                    f"spread by {sc.spread_by}: {sc.spread_by} {g} not among the best {len(keep)}"
                )
        # round-robin across kept groups so a cluster cap keeps the groups represented
        queues = [list(by_group[g]) for g in keep]
        chosen = []
        while any(queues):
            for q in queues:
                if q:
                    chosen.append(q.pop(0))
    if cluster_rule is not None:
        if len(chosen) < cluster_rule.min_groups:
            why = (
                f"spread by cluster: {len(chosen)} feasible, minGroups is {cluster_rule.min_groups}"
            )
            if not tolerate_short:
                for c in chosen:
                    out.setdefault(c.name, why)
                return [], out, ""
            degraded = degraded or why
        if cluster_rule.max_groups is not None:
            for c in chosen[cluster_rule.max_groups :]:
                out[c.name] = f"spread by cluster: beyond maxGroups {cluster_rule.max_groups}"
            chosen = chosen[: cluster_rule.max_groups]
    chosen.sort(key=lambda c: order_index[c.name])
    return chosen, out, degraded
