"""Host objects as documents: what the server added is dropped; kfed's and the host's own
namespaces are never templates."""

from __future__ import annotations

from federation.api.objects import convert
from federation.controller.templates import document, is_template


def test_server_fields_and_allocations_are_dropped() -> None:
    svc = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {
            "name": "web",
            "namespace": "shop",
            "uid": "u",
            "resourceVersion": "7",
            "creationTimestamp": "t",
            "managedFields": [{}],
            "finalizers": ["kfed.io/cleanup"],
            "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}"},
        },
        "spec": {"clusterIP": "10.0.0.7", "clusterIPs": ["10.0.0.7"], "ports": [{"port": 80}]},
        "status": {"loadBalancer": {}},
    }
    assert document(svc) == {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": {"ports": [{"port": 80}]},
    }
    job = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "j", "namespace": "shop"},
        "spec": {
            "selector": {"matchLabels": {"batch.kubernetes.io/controller-uid": "x"}},
            "template": {"metadata": {"labels": {"job-name": "j", "app": "j"}}},
        },
    }
    out = document(job)
    assert "selector" not in out["spec"]
    assert out["spec"]["template"]["metadata"]["labels"] == {"app": "j"}
    ns = {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": "shop", "labels": {"kubernetes.io/metadata.name": "shop"}},
        "spec": {"finalizers": ["kubernetes"]},
        "status": {"phase": "Active"},
    }
    assert document(ns) == {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}


def test_system_namespaces_are_never_templates() -> None:
    def obj(kind: str, name: str, ns: str = "") -> dict:
        meta = {"name": name, **({"namespace": ns} if ns else {})}
        return {"kind": kind, "metadata": meta}

    assert not is_template(obj("Secret", "m1-kubeconfig", "kfed-system"))
    assert not is_template(obj("ConfigMap", "x", "kube-system"))
    assert not is_template(obj("Namespace", "default"))
    assert not is_template(obj("Namespace", "kfed-system"))
    assert is_template(obj("Deployment", "web", "default"))
    assert is_template(obj("Namespace", "shop"))


def test_objects_are_converted_one_at_a_time_with_loader_messages() -> None:
    good = {
        "apiVersion": "kfed.io/v1alpha1",
        "kind": "PropagationPolicy",
        "metadata": {"name": "p", "namespace": "shop"},
        "spec": {"resourceSelectors": [{"kind": "Deployment"}], "placement": {}},
    }
    assert convert(good, "host:PropagationPolicy/shop/p").record is not None
    bad = {**good, "spec": {"resourceSelectors": [{"kind": "Deployment"}], "priority": "high"}}
    got = convert(bad, "host:PropagationPolicy/shop/p")
    assert got.record is None
    assert got.problems and got.problems[0].startswith(
        "host:PropagationPolicy/shop/p: spec.priority"
    )
