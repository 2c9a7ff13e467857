"""`kfed import`: Karmada and KubeFed documents rewritten as kfed's validate and plan exactly
as the originals do; the report lists every field; --check fails on anything approximated or
not simulated."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from federation.cli import main

KARMADA = {
    "members.yaml": """\
        apiVersion: cluster.karmada.io/v1alpha1
        kind: Cluster
        metadata: {name: member1}
        spec: {syncMode: Push, region: us-east, taints: [{key: gpu, effect: NoSchedule}]}
        status:
          resourceSummary:
            allocatable: {cpu: "8", memory: 32Gi, pods: "110"}
        ---
        apiVersion: cluster.karmada.io/v1alpha1
        kind: Cluster
        metadata: {name: member2}
        spec: {syncMode: Push, region: eu-west}
        status:
          resourceSummary:
            allocatable: {cpu: "4", memory: 16Gi, pods: "110"}
        ---
        apiVersion: cluster.karmada.io/v1alpha1
        kind: Cluster
        metadata: {name: member3}
        spec: {syncMode: Push, region: eu-west}
        """,
    "policies/web.yaml": """\
        apiVersion: policy.karmada.io/v1alpha1
        kind: PropagationPolicy
        metadata: {name: web, namespace: shop}
        spec:
          resourceSelectors: [{apiVersion: apps/v1, kind: Deployment, name: web}]
          propagateDeps: true
          placement:
            clusterTolerations: [{key: gpu, operator: Exists, effect: NoSchedule}]
            replicaScheduling:
              replicaSchedulingType: Divided
              replicaDivisionPreference: Weighted
              weightPreference: {dynamicWeight: AvailableReplicas}
          failover: {cluster: {purgeMode: Directly}}
        ---
        apiVersion: policy.karmada.io/v1alpha1
        kind: OverridePolicy
        metadata: {name: eu, namespace: shop}
        spec:
          resourceSelectors: [{apiVersion: apps/v1, kind: Deployment, name: web}]
          overrideRules:
            - targetCluster:
                fieldSelector:
                  matchExpressions: [{key: region, operator: In, values: [eu-west]}]
              overriders:
                imageOverrider: [{component: Registry, operator: replace, value: eu.example}]
                labelsOverrider: [{operator: add, value: {region: eu}}]
        """,
    "policies/batch.yaml": """\
        apiVersion: policy.karmada.io/v1alpha1
        kind: ClusterPropagationPolicy
        metadata: {name: batch}
        spec:
          resourceSelectors:
            - {apiVersion: apps/v1, kind: Deployment, labelSelector: {matchLabels: {tier: batch}}}
          schedulerName: default-scheduler
          placement:
            clusterAffinity: {exclude: [member1]}
            spreadConstraints: [{spreadByField: cluster, maxGroups: 1}]
        """,
    "apps.yaml": """\
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: web-config, namespace: shop}
        data: {mode: prod}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: shop}
        spec:
          replicas: 6
          template:
            spec:
              containers:
                - name: web
                  image: registry.example/web:1.0
                  envFrom: [{configMapRef: {name: web-config}}]
                  resources: {requests: {cpu: "1"}}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: report, namespace: jobs, labels: {tier: batch}}
        spec: {replicas: 2}
        """,
}

KUBEFED = {
    "clusters.yaml": """\
        apiVersion: core.kubefed.io/v1beta1
        kind: KubeFedCluster
        metadata: {name: cluster1, namespace: kube-federation-system}
        spec: {apiEndpoint: https://c1.example:6443, secretRef: {name: c1}}
        ---
        apiVersion: core.kubefed.io/v1beta1
        kind: KubeFedCluster
        metadata: {name: cluster2, namespace: kube-federation-system}
        spec: {apiEndpoint: https://c2.example:6443, secretRef: {name: c2}}
        """,
    "app.yaml": """\
        apiVersion: types.kubefed.io/v1beta1
        kind: FederatedDeployment
        metadata: {name: web, namespace: shop}
        spec:
          template:
            spec: {replicas: 3, template: {spec: {containers: [{name: web, image: web}]}}}
          placement: {clusters: [{name: cluster1}, {name: cluster2}]}
          overrides:
            - clusterName: cluster2
              clusterOverrides: [{path: /spec/template/spec/containers/0/image, value: web:2}]
        ---
        apiVersion: scheduling.kubefed.io/v1alpha1
        kind: ReplicaSchedulingPreference
        metadata: {name: web, namespace: shop}
        spec:
          targetKind: FederatedDeployment
          totalReplicas: 7
          clusters: {cluster1: {weight: 2}, cluster2: {weight: 1, maxReplicas: 2}}
        ---
        apiVersion: types.kubefed.io/v1beta1
        kind: FederatedConfigMap
        metadata: {name: settings, namespace: shop}
        spec:
          template: {data: {a: b}}
          placement: {clusterSelector: {}}
        """,
}


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text))


def plan_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    assert main(["plan", "-o", "json", *args]) == 0
    out = json.loads(capsys.readouterr().out)
    for f in out["federations"]:
        f.pop("source")
    return out  # type: ignore[no-any-return]


@pytest.mark.parametrize("project", [KARMADA, KUBEFED], ids=["karmada", "kubefed"])
def test_imported_documents_plan_as_the_originals(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], project: dict[str, str]
) -> None:
    src, out = tmp_path / "src", tmp_path / "out"
    write(src, project)
    inputs = [str(src / n) for n in project if "/" not in n]
    if any("/" in n for n in project):
        inputs.append(str(src / "policies"))  # a directory argument
    original = plan_json(capsys, *inputs)
    assert main(["import", "--out", str(out), *inputs]) == 0
    capsys.readouterr()
    imported = [str(out / n) for n in project]
    assert main(["validate", *imported]) == 0
    err = capsys.readouterr().err
    assert "not simulated" not in err  # what is left is kfed's own
    assert plan_json(capsys, *imported) == original
    text = (out / "kfed-import-report.md").read_text()
    assert "mapped exactly" in text
    for name in project:
        head = (out / name).read_text().splitlines()[0]
        assert head.startswith("# kfed documents imported from")


def test_the_karmada_plan_is_karmadas(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    write(tmp_path, KARMADA)
    plan = plan_json(
        capsys,
        *(str(tmp_path / n) for n in ("members.yaml", "apps.yaml")),
        str(tmp_path / "policies"),
    )
    (fed,) = plan["federations"]  # type: ignore[index]
    by = {w["workload"]: w for w in fed["workloads"]}
    # dynamic weight over the room 8 : 4 (member3 declares none: unknown, counted as 6)
    assert by["Deployment/shop/web"]["assignment"] == {"member1": 3, "member2": 1, "member3": 2}
    # the ConfigMap follows the Deployment (propagateDeps) without a policy of its own
    assert set(by["ConfigMap/shop/web-config"]["assignment"]) == {"member1", "member2", "member3"}
    # Duplicated (no replicaScheduling), one cluster, member1 excluded
    assert len(by["Deployment/jobs/report"]["assignment"]) == 1


def test_check_fails_on_anything_approximated_or_not_simulated(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, KUBEFED)
    files = [str(tmp_path / n) for n in KUBEFED]
    assert main(["import", "--check", *files]) == 1  # apiEndpoint, secretRef: not simulated
    out, err = capsys.readouterr()
    assert "kind: FederatedDeployment" not in out and "kind: Deployment" in out
    assert "spec.apiEndpoint: not simulated" in err
    clean = {
        "p.yaml": """\
            apiVersion: policy.karmada.io/v1alpha1
            kind: PropagationPolicy
            metadata: {name: web}
            spec:
              resourceSelectors: [{apiVersion: apps/v1, kind: Deployment, name: web}]
              placement: {clusterAffinity: {clusterNames: [a]}}
            """
    }
    write(tmp_path, clean)
    assert main(["import", "--check", str(tmp_path / "p.yaml")]) == 0
    assert "0 approximated, 0 not simulated" in capsys.readouterr().err
    assert main(["import", "-o", "json", str(tmp_path / "p.yaml")]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["totals"] == {"exact": 5, "approximated": 0, "not simulated": 0}
    (doc,) = report["documents"]
    assert doc["becomes"] == ["PropagationPolicy default/web"]
    assert {f["path"]: f["status"] for f in doc["fields"]}["spec.resourceSelectors[0].kind"] == (
        "exact"
    )


def test_import_refuses_invalid_documents_and_never_overwrites_its_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "apiVersion: policy.karmada.io/v1alpha1\nkind: PropagationPolicy\n"
        "metadata: {name: x}\nspec: {placment: {}}\n"
    )
    assert main(["import", str(bad)]) == 2
    assert "unknown field 'placment'" in capsys.readouterr().err
    write(tmp_path, KUBEFED)
    assert main(["import", "--out", str(tmp_path), str(tmp_path / "app.yaml")]) == 2
    assert "would overwrite" in capsys.readouterr().err
