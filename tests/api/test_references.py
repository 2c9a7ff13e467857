"""References between documents: unknown clusters are errors; selectors matching nothing,
policies selecting nothing, unselected templates, contradicting faults and oversized surges are
warnings (Documents.warnings; strict makes them errors; the CLI prints them and --strict exits
2)."""

from __future__ import annotations

import pytest

from federation.api import LoadError, load_scenario, load_text
from federation.cli import main
from tests.api.helpers import errors_of

CLUSTERS = """\
apiVersion: kfed.io/v1alpha1
kind: Cluster
metadata: {name: east, labels: {env: prod}}
spec: {region: us, zone: us-a, provider: aws, capacity: {cpu: 4, memory: 8Gi, pods: 10}}
---
apiVersion: kfed.io/v1alpha1
kind: Cluster
metadata: {name: west, labels: {env: dev}}
spec: {region: eu, zone: eu-a, provider: gcp, capacity: {cpu: 4, memory: 8Gi, pods: 10}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec: {replicas: 4}
"""


def policy(placement: str, selectors: str = "[{kind: Deployment, name: web}]") -> str:
    return (
        "---\napiVersion: kfed.io/v1alpha1\nkind: PropagationPolicy\nmetadata: {name: p}\n"
        f"spec:\n  resourceSelectors: {selectors}\n  placement: {placement}\n"
    )


def warnings_of(text: str) -> list[str]:
    return list(load_text(text, "t.yaml").warnings)


@pytest.mark.parametrize(
    ("placement", "path"),
    [
        ("{clusterAffinity: {clusterNames: [esat]}}", "clusterAffinity.clusterNames[0]"),
        ("{clusterAffinity: {exclude: [east, nope]}}", "clusterAffinity.exclude[1]"),
        (
            "{clusterAffinities: [{clusterNames: [east]}, {clusterNames: [x]}]}",
            "clusterAffinities[1].clusterNames[0]",
        ),
        (
            "{replicaScheduling: {weights: [{targetCluster: {clusterNames: [x]}, weight: 1}]}}",
            "replicaScheduling.weights[0].targetCluster.clusterNames[0]",
        ),
        (
            "{replicaScheduling: {clusterReplicas: [{targetCluster: {clusterNames: [x]}}]}}",
            "replicaScheduling.clusterReplicas[0].targetCluster.clusterNames[0]",
        ),
    ],
)
def test_an_unknown_cluster_name_is_an_error(placement, path):
    (err,) = errors_of(CLUSTERS + policy(placement))
    assert err.startswith(f"t.yaml: spec.placement.{path}: unknown cluster ")
    assert err.endswith("(known: east, west) (line 21, PropagationPolicy default/p)")


def test_an_override_target_naming_no_cluster_is_an_error():
    text = CLUSTERS + (
        "---\napiVersion: kfed.io/v1alpha1\nkind: OverridePolicy\nmetadata: {name: o}\nspec:\n"
        "  resourceSelectors: [{kind: Deployment}]\n"
        "  overrideRules: [{targetCluster: {clusterNames: [mars]}, overriders: {replicas: 1}}]\n"
    )
    assert errors_of(text) == [
        "t.yaml: spec.overrideRules[0].targetCluster.clusterNames[0]: unknown cluster 'mars' "
        "(known: east, west) (line 21, OverridePolicy default/o)"
    ]


@pytest.mark.parametrize(
    ("placement", "warning"),
    [
        (
            "{clusterAffinity: {fieldSelector: {matchExpressions: [{key: region, operator: In, "
            "values: [us, mars]}]}}}",
            "spec.placement.clusterAffinity.fieldSelector.matchExpressions[0].values[1]: "
            "no cluster "
            "has region 'mars' (known: eu, us)",
        ),
        (
            "{clusterAffinity: {fieldSelector: {matchExpressions: [{key: provider, operator: NotIn,"
            " values: [azure]}]}}}",
            "spec.placement.clusterAffinity.fieldSelector.matchExpressions[0].values[0]: "
            "no cluster "
            "has provider 'azure' (known: aws, gcp)",
        ),
        (
            "{clusterAffinity: {labelSelector: {matchLabels: {env: staging}}}}",
            "spec.placement.clusterAffinity.labelSelector: matches no cluster",
        ),
        (
            "{clusterAffinity: {clusterNames: [east], labelSelector: {matchLabels: {env: dev}}}}",
            "spec.placement.clusterAffinity: matches no cluster (each part matches some, together "
            "they match none)",
        ),
    ],
)
def test_a_selector_matching_nothing_is_a_warning(placement, warning):
    assert warnings_of(CLUSTERS + policy(placement)) == [
        f"t.yaml: {warning} (line 21, PropagationPolicy default/p)"
    ]


def test_a_policy_selecting_no_template_and_an_unselected_template_are_warnings():
    text = CLUSTERS + policy("{}", "[{kind: Deployment, name: wbe}, {kind: Job}]")
    assert warnings_of(text) == [
        "t.yaml: metadata.name: no PropagationPolicy selects this template: it stays unplaced "
        "(line 13, Deployment default/web)",
        "t.yaml: spec.resourceSelectors[0]: selects no template (line 20, PropagationPolicy "
        "default/p)",
        "t.yaml: spec.resourceSelectors[1]: selects no template (line 20, PropagationPolicy "
        "default/p)",
    ]


def test_an_override_policy_selecting_nothing_or_targeting_no_cluster_is_a_warning():
    text = (
        CLUSTERS
        + policy("{}")
        + (
            "---\napiVersion: kfed.io/v1alpha1\nkind: OverridePolicy\nmetadata: {name: o}\nspec:\n"
            "  resourceSelectors: [{kind: Job}]\n"
            "  overrideRules: [{targetCluster: {labelSelector: {matchLabels: {env: qa}}}, "
            "overriders: {replicas: 1}}]\n"
        )
    )
    assert warnings_of(text) == [
        "t.yaml: spec.resourceSelectors[0]: selects no template (line 27, OverridePolicy "
        "default/o)",
        "t.yaml: spec.overrideRules[0].targetCluster.labelSelector: matches no cluster (line 28, "
        "OverridePolicy default/o)",
    ]


def test_files_without_clusters_get_one_warning_and_no_reference_check():
    text = CLUSTERS.split("---\n", 2)[2] + policy("{clusterAffinity: {clusterNames: [any]}}")
    assert warnings_of(text) == [
        "t.yaml: spec.placement.clusterAffinity: references not checked: these files declare no "
        "Cluster (line 11, PropagationPolicy default/p)"
    ]


def test_clusters_alone_get_no_warning():
    assert warnings_of(CLUSTERS.rsplit("---\n", 1)[0]) == []


def test_strict_makes_warnings_errors():
    text = CLUSTERS + policy("{clusterAffinity: {labelSelector: {matchLabels: {env: qa}}}}")
    assert load_text(text).warnings
    with pytest.raises(LoadError) as info:
        load_text(text, "t.yaml", strict=True)
    assert info.value.errors == [
        "t.yaml: spec.placement.clusterAffinity.labelSelector: matches no cluster (line 21, "
        "PropagationPolicy default/p)"
    ]


def test_errors_carry_the_warnings_too():
    text = CLUSTERS + policy(
        "{clusterAffinity: {clusterNames: [x], labelSelector: {matchLabels: {env: qa}}}}"
    )
    with pytest.raises(LoadError) as info:
        load_text(text, "t.yaml")
    assert len(info.value.errors) == 1 and len(info.value.warnings) == 1


# ------------------------------------------------------------------ the timeline

SCENARIO = (
    "apiVersion: kfed.io/v1alpha1\nkind: Scenario\nmetadata: {name: s}\n"
    "spec:\n  duration: 300\n  timeline:\n"
)


def timeline_warnings(*events: str) -> list[str]:
    text = SCENARIO + "".join(f"    - {e}\n" for e in events) + "---\n" + CLUSTERS + policy("{}")
    return [w.split(": ", 2)[2] for w in load_text(text, "t.yaml").warnings]


@pytest.mark.parametrize(
    ("first", "second", "why"),
    [
        ("outage", "outage", "they stack: the later one only moves when the cluster comes back"),
        ("outage", "partition", "the outage masks the partition"),
        ("partition", "outage", "the outage masks the partition"),
        ("api-hang", "partition", "either alone cuts the control plane off"),
        ("partition", "flapping, period: 10, down: 2", "it flaps while unreachable anyway"),
        ("api-hang", "latency, latency: 1s", "latency on a link nothing crosses"),
    ],
)
def test_contradicting_faults_on_one_cluster_warn(first, second, why):
    got = timeline_warnings(
        f"{{at: 10, fault: {first}, cluster: east, duration: 60}}",
        f"{{at: 30, fault: {second}, region: us, duration: 5}}",
    )
    kind = first.split(",")[0]
    assert got == [f"overlaps timeline[0] ({kind} of east, 10–70s): {why} (line 8, Scenario s)"]


@pytest.mark.parametrize(
    "events",
    [
        (
            "{at: 10, fault: outage, cluster: east, duration: 60}",
            "{at: 70, fault: outage, cluster: east, duration: 5}",
        ),  # touching, not overlapping
        (
            "{at: 10, fault: outage, cluster: east, duration: 60}",
            "{at: 30, fault: partition, cluster: west}",
        ),  # another cluster
        (
            "{at: 10, fault: latency, cluster: east, latency: 1s}",
            "{at: 30, fault: latency, cluster: east, latency: 1s}",
        ),  # latencies add up
        (
            "{at: 10, fault: node-loss, cluster: east, nodes: 1}",
            "{at: 30, fault: outage, cluster: east}",
        ),
    ],
)
def test_faults_that_do_not_contradict_do_not_warn(events):
    assert timeline_warnings(*events) == []


def test_a_fault_without_end_overlaps_everything_after_it():
    got = timeline_warnings(
        "{at: 200, fault: outage, cluster: west, duration: 5}",
        "{at: 10, fault: api-hang, cluster: west}",
    )
    assert got == [
        "overlaps timeline[1] (api-hang of west, 10–300s): the outage masks the "
        "api-hang (line 7, Scenario s)"
    ]


def test_overlapping_load_surges_of_one_workload_warn():
    got = timeline_warnings(
        "{at: 10, fault: load-surge, workload: web, replicas: 8, duration: 60}",
        "{at: 20, fault: load-surge, workload: default/web, replicas: 6, duration: 10}",
    )
    assert got == [
        "overlaps timeline[0] (load-surge of Deployment/default/web, 10–70s): each restores the "
        "count it found, so the workload ends wrong (line 8, Scenario s)"
    ]


def test_a_load_surge_beyond_the_federations_capacity_warns():
    got = timeline_warnings("{at: 10, fault: load-surge, workload: web, replicas: 21}")
    assert got == [
        "21 replicas of Deployment/default/web do not fit in the federation (its declared "
        "capacity holds 20) (line 7, Scenario s)"
    ]
    assert timeline_warnings("{at: 10, fault: load-surge, workload: web, replicas: 20}") == []


def test_the_cli_prints_warnings_and_strict_exits_2(tmp_path, capsys):
    path = tmp_path / "s.yaml"
    path.write_text(
        SCENARIO + "    - {at: 10, fault: outage, cluster: east, duration: 60}\n"
        "    - {at: 20, fault: outage, cluster: east}\n---\n" + CLUSTERS + policy("{}")
    )
    line = (
        f"{path}: spec.timeline[1]: overlaps timeline[0] (outage of east, 10–70s): they "
        "stack: the later one only moves when the cluster comes back (line 8, Scenario s)"
    )
    for verb in (["validate"], ["plan"]):
        assert main([*verb, str(path)]) == 0
        assert capsys.readouterr().err == f"warning: {line}\n"
        assert main([*verb, "--strict", str(path)]) == 2
        out = capsys.readouterr()
        assert out.err == f"{line}\n" and out.out == ""
    out_dir = tmp_path / "run"
    assert main(["run", "--strict", "--quiet", "--out", str(out_dir), str(path)]) == 2
    assert capsys.readouterr().err == f"{line}\n"
    assert not out_dir.exists()
    assert load_scenario(path).warnings == (line,)


NAMESPACED = """\
---
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec: {replicas: 2}
---
apiVersion: kfed.io/v1alpha1
kind: ClusterPropagationPolicy
metadata: {name: ns}
spec:
  resourceSelectors: [{kind: Namespace, name: shop}]
  placement: {clusterAffinity: {clusterNames: [NS]}}
---
apiVersion: kfed.io/v1alpha1
kind: PropagationPolicy
metadata: {name: api, namespace: shop}
spec:
  resourceSelectors: [{kind: Deployment, name: api}]
  placement: {clusterAffinity: {clusterNames: [east, west]}}
"""


@pytest.mark.parametrize(
    ("ns_clusters", "warned"),
    [("east, west", None), ("east", "west"), ("west", "east")],
)
def test_a_template_placed_where_its_namespace_never_goes_is_warned(
    ns_clusters: str, warned: str | None
) -> None:
    found = [
        w
        for w in warnings_of(CLUSTERS + NAMESPACED.replace("NS", ns_clusters))
        if "Namespace shop" in w
    ]
    if warned is None:
        assert found == []
    else:
        assert len(found) == 1 and f"may be placed on {warned}, where" in found[0]
        assert "metadata.namespace" in found[0]
