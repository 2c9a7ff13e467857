"""Federations small enough to work out by hand, written as YAML files for the planning tests."""

from __future__ import annotations

import textwrap
from pathlib import Path

# three clusters of 1 node each: a and b in region r1, c in r2; web: 6 replicas of 1 CPU,
# divided by equal static weights (2 per cluster); every CPU costs 0.5 per hour
HAND = """\
apiVersion: kfed.io/v1alpha1
kind: Scenario
metadata: {name: hand}
spec:
  seed: 1
  duration: 300
  timeline:
    - {at: 60, fault: outage, cluster: a, duration: 90}
  expectations:
    - failoverWithin: {cluster: a, seconds: 30}
    - availability: {workload: shop/web, min: 0.9}
---
apiVersion: kfed.io/v1alpha1
kind: Cluster
metadata: {name: a, labels: {tier: gold}}
spec:
  {region: r1, zone: r1-a, capacity: {cpu: "%(a)s", memory: 64Gi}, nodes: 1, costPerCpuHour: 0.5}
---
apiVersion: kfed.io/v1alpha1
kind: Cluster
metadata: {name: b, labels: {tier: gold}}
spec:
  {region: r1, zone: r1-b, capacity: {cpu: "%(b)s", memory: 64Gi}, nodes: 1, costPerCpuHour: 0.5}
---
apiVersion: kfed.io/v1alpha1
kind: Cluster
metadata: {name: c, labels: {tier: silver}}
spec:
  {region: r2, zone: r2-a, capacity: {cpu: "%(c)s", memory: 64Gi}, nodes: 1, costPerCpuHour: 0.5}
---
apiVersion: kfed.io/v1alpha1
kind: ClusterPropagationPolicy
metadata: {name: shop}
spec:
  resourceSelectors: [{kind: Namespace, name: shop}, {namespace: shop}]
  placement:
    replicaScheduling: {replicaSchedulingType: Divided, replicaDivisionPreference: StaticWeight}
  failover: {purgeMode: Graceful, failback: {enabled: true, stabilizationWindowSeconds: 30}}
---
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 6
  template:
    spec:
      containers: [{name: web, image: nginx, resources: {requests: {cpu: "1", memory: 1Gi}}}]
"""


def write(folder: Path, a: float = 4, b: float = 4, c: float = 4, name: str = "hand.yaml") -> Path:
    """The hand federation with these CPUs per cluster, written into `folder`."""
    path = folder / name
    path.write_text(textwrap.dedent(HAND % {"a": a, "b": b, "c": c}))
    return path
