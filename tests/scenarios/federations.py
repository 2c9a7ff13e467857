"""Small federations written as a user would write them (YAML text), for the scenario tests:
clusters in regions, a policy, workloads, a timeline and expectations, run on the sim."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence
from typing import Any

from federation.api import load_text
from federation.api.scenario import Scenario
from federation.recorder import Row
from federation.report.figures import series, value_at
from federation.runner import Outcome, execute


def cluster(
    name: str,
    region: str,
    zone: str = "",
    cpu: float = 16,
    nodes: int = 2,
    labels: str = "{env: prod}",
    provider: str = "aws",
    extra: str = "",
) -> str:
    zone_part = f", zone: {zone}" if zone else ""
    return textwrap.dedent(
        f"""\
        apiVersion: kfed.io/v1alpha1
        kind: Cluster
        metadata: {{name: {name}, labels: {labels}}}
        spec:
          {{region: {region}{zone_part}, provider: {provider},
            capacity: {{cpu: {cpu}, memory: 64Gi}}, nodes: {nodes}{extra}}}
        """
    )


def deployment(name: str, replicas: int, cpu: str = "500m", namespace: str = "shop") -> str:
    return textwrap.dedent(
        f"""\
        apiVersion: apps/v1
        kind: Deployment
        metadata: {{name: {name}, namespace: {namespace}}}
        spec:
          replicas: {replicas}
          template:
            spec:
              containers:
                - {{name: c, image: app, resources: {{requests: {{cpu: "{cpu}", memory: 128Mi}}}}}}
        """
    )


NAMESPACE = "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n"


def scenario_text(spec: str, docs: Iterable[str], name: str = "t") -> str:
    head = textwrap.dedent(
        f"""\
        apiVersion: kfed.io/v1alpha1
        kind: Scenario
        metadata: {{name: {name}}}
        spec:
        """
    ) + textwrap.indent(textwrap.dedent(spec).strip() + "\n", "  ")
    return "---\n".join([head, NAMESPACE, *docs])


def load(spec: str, docs: Sequence[str], name: str = "t") -> Scenario:
    (scenario,) = load_text(scenario_text(spec, docs, name), f"{name}.yaml").scenarios
    return scenario


def run(spec: str, docs: Sequence[str], seed: int | None = None) -> Outcome:
    return execute(load(spec, docs), "sim", seed=seed, plots=False)


def ready_at(out: Outcome, workload: str, cluster: str, t: float) -> int:
    s = series(out.rows).get(workload)
    return 0 if s is None else value_at(s.ready.get(cluster, []), t)


def rows(out: Outcome, kind: str, **match: Any) -> list[Row]:
    return [
        r
        for r in out.rows
        if r.kind == kind and all(getattr(r, k, r.fields.get(k)) == v for k, v in match.items())
    ]


def max_ready(out: Outcome, workload: str, cluster: str, t0: float, t1: float) -> int:
    s = series(out.rows).get(workload)
    if s is None:
        return 0
    steps = s.ready.get(cluster, [])
    return max([value_at(steps, t0), *(v for t, v in steps if t0 <= t < t1)])
