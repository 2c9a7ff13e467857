"""Templates of any kind: StatefulSets divided by spec.replicas (as Karmada's interpreter does),
a custom kind divided through its kfed.io/replicas-path annotation, anything else copied whole,
and a typo in one of Kubernetes' own groups an error. The sim runs their pods."""

from __future__ import annotations

import pytest

from federation.api import LoadError, load_text
from federation.runner import execute
from tests.scenarios.federations import ready_at

DOCS = """\
apiVersion: kfed.io/v1alpha1
kind: Scenario
metadata: {name: kinds}
spec:
  duration: 90s
---
apiVersion: kfed.io/v1alpha1
kind: Cluster
metadata: {name: a}
---
apiVersion: kfed.io/v1alpha1
kind: Cluster
metadata: {name: b}
---
apiVersion: kfed.io/v1alpha1
kind: ClusterPropagationPolicy
metadata: {name: all}
spec:
  resourceSelectors: [{kind: StatefulSet}, {kind: Widget}, {kind: DaemonSet}]
  placement: {replicaScheduling: {replicaSchedulingType: Divided}}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec: {replicas: 4, template: {spec: {containers: [{name: db, image: db}]}}}
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: widgets, annotations: {kfed.io/replicas-path: /spec/size}}
spec: {size: 3}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec: {template: {spec: {containers: [{name: agent, image: agent}]}}}
"""


def test_templates_of_any_kind() -> None:
    (s,) = load_text(DOCS, "k.yaml").scenarios
    w = s.desired.workloads
    assert (w["StatefulSet/default/db"].replicas, w["StatefulSet/default/db"].divisible) == (
        4,
        True,
    )
    widgets = w["Widget/default/widgets"]
    assert (widgets.replicas, widgets.replica_path, widgets.divisible) == (3, "/spec/size", True)
    assert not w["DaemonSet/default/agent"].divisible
    out = execute(s, "sim", plots=False)
    assert ready_at(out, "StatefulSet/default/db", "a", 80) == 2
    assert (
        ready_at(out, "Widget/default/widgets", "a", 80)
        + ready_at(out, "Widget/default/widgets", "b", 80)
        == 3
    )


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (
            "kind: DaemonSet\nmetadata: {name: agent}\n",
            "kind: DaemonSett\nmetadata: {name: agent}\n",
        ),
        ("kfed.io/replicas-path: /spec/size", "kfed.io/replicas-path: /spec/count"),
    ],
)
def test_mistakes_are_errors(bad: str, message: str) -> None:
    with pytest.raises(LoadError) as info:
        load_text(DOCS.replace(bad, message), "k.yaml")
    (e,) = info.value.errors
    assert ("must be one of" in e and "DaemonSet" in e) or "must point at a replica count" in e


DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 4
  strategy: STRATEGY
  template: {spec: {containers: [{name: web, image: nginx}]}}
"""


@pytest.mark.parametrize(
    ("strategy", "error"),
    [
        (
            "{rollingUpdate: {maxSurge: 0, maxUnavailable: 0%}}",
            "t.yaml: spec.strategy.rollingUpdate: maxSurge and maxUnavailable must not both be 0"
            ' (the rollout could never start), got {"maxSurge": 0, "maxUnavailable": "0%"}'
            " (line 6, Deployment shop/web)",
        ),
        (
            "{rollingUpdate: {maxUnavailable: 120%}}",
            "t.yaml: spec.strategy.rollingUpdate.maxUnavailable: must not be more than 100%,"
            " got '120%' (line 6, Deployment shop/web)",
        ),
        (
            "{type: Recreate, rollingUpdate: {maxSurge: 1}}",
            "t.yaml: spec.strategy.rollingUpdate: must not be set with type Recreate,"
            ' got {"maxSurge": 1} (line 6, Deployment shop/web)',
        ),
    ],
)
def test_a_strategy_the_api_server_refuses_is_an_error(strategy: str, error: str) -> None:
    with pytest.raises(LoadError) as info:
        load_text(DEPLOYMENT.replace("STRATEGY", strategy), "t.yaml")
    assert info.value.errors == [error]


def test_a_strategy_kubernetes_accepts_loads() -> None:
    for strategy in ("{type: Recreate}", "{rollingUpdate: {maxSurge: 0, maxUnavailable: 1}}"):
        load_text(DEPLOYMENT.replace("STRATEGY", strategy), "t.yaml")
