"""`kfed.plan` and `kfed.divide`: where a scenario's workloads would go before anything runs,
and the replica division every policy uses."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from federation.core.division import DEFAULT_METHOD, METHODS, Division
from kfed.scenario import Scenario, load

if TYPE_CHECKING:
    from federation.whatif import WhatIf

__all__ = ["DIVISION_METHODS", "Division", "Plan", "divide", "plan"]

DIVISION_METHODS: tuple[str, ...] = METHODS


@dataclass(frozen=True)
class Plan:
    """Where every workload of a scenario would go: what `kfed plan` prints, as data."""

    scenario: Scenario
    whatif: WhatIf

    @property
    def placements(self) -> Any:
        """One line per workload and cluster (pandas): `workload`, `cluster`, `replicas` (what
        it would run there: 0 where it does not go; None for a kind copied whole, such as a
        ConfigMap), `target` (whether it goes there at all), `fits` (replicas that still fit
        on the cluster when the workload's turn came; None: unknown or not counted) and
        `reason` (its weight and bounds, or why the cluster was left out)."""
        import pandas as pd

        from federation.whatif import cluster_rows

        out = []
        for w in self.whatif.workloads:
            for cluster, _, _, reason in cluster_rows(self.whatif, w):
                target = cluster in w.assignment
                n = w.assignment.get(cluster, 0)
                out.append(
                    {
                        "workload": w.key,
                        "cluster": cluster,
                        "replicas": None if w.replicas is None else n,
                        "target": target,
                        "fits": w.fits.get(cluster),
                        "reason": reason,
                    }
                )
        df = pd.DataFrame(
            out, columns=["workload", "cluster", "replicas", "target", "fits", "reason"]
        )
        return df.astype({"replicas": "Int64", "fits": "Int64"})

    @property
    def workloads(self) -> Any:
        """One line per workload (pandas): `workload`, `policy` (the policy that selects it, or
        None), `method` (division method; None for Duplicated and copied kinds), `replicas`
        (desired; None when copied whole), `unschedulable` (replicas that fit on no cluster),
        `order` (its turn in taking capacity, 0 first) and `division` (the method's account)."""
        import pandas as pd

        rows = [
            {
                "workload": w.key,
                "policy": w.policy,
                "method": w.method,
                "replicas": w.replicas,
                "unschedulable": w.unschedulable,
                "order": w.order,
                "division": w.division,
            }
            for w in self.whatif.workloads
        ]
        cols = ["workload", "policy", "method", "replicas", "unschedulable", "order", "division"]
        return pd.DataFrame(rows, columns=cols).astype({"replicas": "Int64"})

    @property
    def assignment(self) -> dict[str, dict[str, int]]:
        """Workload -> {target cluster: replicas} (a kind copied whole: 0 on each target)."""
        return {w.key: dict(w.assignment) for w in self.whatif.workloads}

    def text(self, width: int = 100) -> str:
        """The text `kfed plan` prints: one table per workload, then each cluster's use."""
        from federation.whatif import render_text

        return render_text([self.whatif], width=width)

    def as_dict(self) -> dict[str, Any]:
        """What `kfed plan -o json` prints for this scenario (its one federation)."""
        from federation.whatif import to_json

        doc: dict[str, Any] = to_json([self.whatif])["federations"][0]
        return doc

    def __str__(self) -> str:
        return self.text()


def plan(scenario: Scenario | str | os.PathLike[str], *, capacity: bool = True) -> Plan:
    """Where each workload of `scenario` would go on empty members (their declared capacity
    free), and why: the reconcile core run once, as `kfed plan`. `capacity=False` treats every
    member's capacity as unknown (`--ignore-capacity`)."""
    from federation.whatif import plan as what_if

    sc = scenario if isinstance(scenario, Scenario) else load(scenario)
    record = sc.record
    return Plan(sc, what_if(record.desired, name=record.name, source=sc.path, capacity=capacity))


def divide(
    total: int,
    clusters: Sequence[Mapping[str, Any]] | Mapping[str, Any],
    *,
    method: str = DEFAULT_METHOD,
    key: str = "",
    rebalance: bool = True,
) -> Division:
    """Divide `total` replicas over `clusters` with a division method (`DIVISION_METHODS`;
    docs/division.md), the pure function every Divided policy uses.

    `clusters`: a mapping name -> weight, or mappings with `name` and optionally `weight`
    (default 1), `min`, `max`, `capacity` (replicas the cluster can hold) and `current`
    (replicas it has now; with `rebalance=False`, `kfed` and `kubefed` keep them where they
    are). `key` breaks ties (the workload's UID). The `Division` has `replicas` (every
    cluster, by name), `unschedulable`, `overflow`, `over_capacity` and `reason`. Bad input
    raises ValueError saying what is wrong."""
    from federation.core.division import divide as core_divide

    rows: Sequence[Mapping[str, Any]]
    if isinstance(clusters, Mapping):
        rows = [{"name": n, "weight": w} for n, w in clusters.items()]
    else:
        rows = clusters
    return core_divide(total, rows, method=method, key=key, rebalance=rebalance)
