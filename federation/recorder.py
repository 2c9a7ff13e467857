"""The timeline both backends record, one row per change, and its CSV form.

Row kinds: `fault` (start/end of an injected fault), `health` (a cluster's health state changed),
`schedule` / `evict` / `purge` / `failback` / `unschedulable` (decisions of the core), `apply` /
`delete` (actions sent to a member), `ready` (ground truth: ready replicas of a workload on a
cluster changed), `desired` (a workload's desired replicas changed), `capacity` (a cluster's
capacity changed); with client traffic (`federation.traffic.engine`): `traffic` (a client
region's rates for one service), `serving` (a cluster's queue for one service), `dns` (a health
check flipped), `answer` (a region's steering answer changed). Derived figures live in
`federation.report`.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from federation.core.actions import Action, Apply, Plan

COLUMNS = ("t", "kind", "cluster", "workload", "fields")


@dataclass(frozen=True)
class Row:
    t: float
    kind: str
    cluster: str = ""
    workload: str = ""
    fields: Mapping[str, Any] = field(default_factory=dict)

    def csv(self) -> list[str]:
        return [
            f"{self.t:.3f}",
            self.kind,
            self.cluster,
            self.workload,
            json.dumps(self.fields, sort_keys=True, separators=(",", ":"), default=str),
        ]


class Recorder:
    """Collects rows in the order they happen."""

    def __init__(self, actions: bool = True) -> None:
        self.rows: list[Row] = []
        self.record_actions = actions

    def row(
        self, t: float, kind: str, cluster: str = "", workload: str = "", **fields: Any
    ) -> None:
        self.rows.append(Row(t, kind, cluster, workload, fields))

    def plan(self, t: float, plan: Plan, sent: Sequence[Action] | None = None) -> None:
        """The plan's events, and the actions actually sent (default: all of them)."""
        for e in plan.events:
            self.rows.append(Row(e.t, e.kind, e.cluster, e.workload, dict(e.fields)))
        if self.record_actions:
            for a in plan.actions if sent is None else sent:
                if isinstance(a, Apply):
                    self.rows.append(
                        Row(
                            t,
                            "apply",
                            a.cluster,
                            a.key,
                            {"replicas": a.replicas, "reason": a.reason},
                        )
                    )
                else:
                    self.rows.append(Row(t, "delete", a.cluster, a.key, {"reason": a.reason}))

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows)

    def write_csv(self, path: Path) -> None:
        with path.open("w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(COLUMNS)
            for r in sorted(self.rows, key=lambda r: r.t):  # stable: keeps same-t order
                w.writerow(r.csv())


def read_csv(path: Path) -> list[Row]:
    with path.open(newline="") as f:
        return [
            Row(float(r["t"]), r["kind"], r["cluster"], r["workload"], json.loads(r["fields"]))
            for r in csv.DictReader(f)
        ]
