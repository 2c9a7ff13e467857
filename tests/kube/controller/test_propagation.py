"""A controller on a real host propagates to three real members: replicas Ready, status
written back (binding, Cluster, template), ownership on every member object, /metrics with
controller-runtime's names, /healthz and /readyz, least-privilege member credentials, and no
secret value in any log line, event or metric."""

from __future__ import annotations

import base64
import time
from typing import Any

import pytest
import yaml

from federation.controller import rbac, requests
from federation.controller.credentials import KUBECONFIG_KEY
from federation.controller.templates import SYSTEM_NAMESPACE
from federation.core.propagation import MANAGED_BY, MANAGER, WORKLOAD_ANNOTATION
from federation.telemetry import METRICS

from ..conftest import eventually
from .conftest import FedHost, apply_all, start

pytestmark = pytest.mark.kube

NS = "t-shop"
SECRET_VALUE = "s3cr3t-value-that-must-never-show"


def shop(replicas: int = 6) -> list[dict[str, Any]]:
    return [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}},
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "web", "namespace": NS},
            "spec": {
                "replicas": replicas,
                "selector": {"matchLabels": {"app": "web"}},
                "template": {
                    "metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]},
                },
            },
        },
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": "db", "namespace": NS},
            "data": {"password": base64.b64encode(SECRET_VALUE.encode()).decode()},
        },
        {
            "apiVersion": "kfed.io/v1alpha1",
            "kind": "ClusterPropagationPolicy",
            "metadata": {"name": "t-spread"},
            "spec": {
                "resourceSelectors": [
                    {"apiVersion": "v1", "kind": "Namespace", "name": NS},
                    {"apiVersion": "apps/v1", "kind": "Deployment", "namespace": NS},
                    {"apiVersion": "v1", "kind": "Secret", "namespace": NS},
                ],
                "placement": {"replicaScheduling": {"replicaSchedulingType": "Divided"}},
            },
        },
    ]


def ready_everywhere(fed: FedHost, want: dict[str, int]) -> bool:
    from kubernetes import client

    for name, n in want.items():
        with fed.members.client(name, direct=True) as api:
            try:
                d = client.AppsV1Api(api).read_namespaced_deployment("web", NS)
            except Exception:
                return False
            if d.spec.replicas != n or (d.status.ready_replicas or 0) != n:
                return False
    return True


def test_propagates_and_writes_status_back(fed_host: FedHost, controllers: list) -> None:
    ctl = start(controllers, fed_host, "ctl")
    with fed_host.client() as host:
        eventually(lambda: ctl.get("/readyz")[0] == 200, 60)
        t0 = time.monotonic()
        apply_all(host, shop())
        eventually(lambda: ready_everywhere(fed_host, {"m1": 2, "m2": 2, "m3": 2}), 90, 0.2)
        took = time.monotonic() - t0
        print(f"\nkubectl apply -> 6 Ready replicas on 3 members: {took:.2f} s")

        def bound() -> Any:
            rb = requests.get(host, "ResourceBinding", NS, "web-deployment") or {}
            st = rb.get("status") or {}
            conds = {c["type"]: c["status"] for c in st.get("conditions", [])}
            ok = conds.get("Scheduled") == "True" and conds.get("FullyApplied") == "True"
            return rb if ok and st.get("readyReplicas") == 6 else None

        rb = eventually(bound, 30)
        assert rb["spec"]["clusters"] == [{"name": m, "replicas": 2} for m in ("m1", "m2", "m3")]
        rows = {r["clusterName"]: r for r in rb["status"]["aggregatedStatus"]}
        assert {r["readyReplicas"] for r in rows.values()} == {2}
        assert all(r["applied"] and r["health"] == "Healthy" for r in rows.values())
        assert rb["status"]["placement"] == "m1=2 m2=2 m3=2"
        tpl = eventually(
            lambda: (
                (d := requests.get(host, "Deployment", NS, "web"))
                and (d.get("status") or {}).get("readyReplicas") == 6
                and d
            ),
            30,
        )
        assert "kfed.io/cleanup" in tpl["metadata"]["finalizers"]
        cl = eventually(
            lambda: (
                (c := requests.get(host, "Cluster", "", "m1"))
                and (c.get("status") or {}).get("readyReplicas") == 2
                and c
            ),
            30,
        )
        assert cl["status"]["health"] == "Ready"
        assert cl["status"]["nodeSummary"]["readyNum"] == 2
        assert cl["status"]["resourceSummary"]["free"]["pods"] > 0
        ready = {c["type"]: c for c in cl["status"]["conditions"]}["Ready"]
        assert ready["status"] == "True" and ready["lastProbeTime"]

        # ownership on every member object
        for name in ("m1", "m2", "m3"):
            with fed_host.members.client(name, direct=True) as api:
                from kubernetes import client

                d = client.AppsV1Api(api).read_namespaced_deployment("web", NS)
                assert d.metadata.labels[MANAGED_BY] == MANAGER
                assert d.metadata.annotations[WORKLOAD_ANNOTATION] == f"Deployment/{NS}/web"
                managers = {m.manager for m in d.metadata.managed_fields}
                assert "kfed" in managers

        # metrics and probes
        code, text = ctl.get("/metrics")
        assert code == 200
        for name in METRICS:
            assert f"# TYPE {name} " in text, name
        assert (
            'controller_runtime_reconcile_total{controller="federation",result="success"}' in text
        )
        assert 'kfed_cluster_replicas{cluster="m1"} 2.0' in text
        assert ctl.get("/healthz") == (200, "ok\n")
        assert ctl.get("/readyz")[0] == 200

        # credentials: a ServiceAccount token bound to exactly the documented role
        tokens = []
        for name in ("m1", "m2", "m3"):
            sec = requests.get(host, "Secret", SYSTEM_NAMESPACE, f"{name}-kubeconfig")
            kc = yaml.safe_load(base64.b64decode(sec["data"][KUBECONFIG_KEY]))
            user = kc["users"][0]["user"]
            assert set(user) == {"token"}, "the stored credential is the ServiceAccount token"
            assert "insecure-skip-tls-verify" not in kc["clusters"][0]["cluster"]
            assert kc["clusters"][0]["cluster"]["certificate-authority-data"]
            tokens.append(user["token"])
            with fed_host.members.client(name, direct=True) as api:
                role = requests.get(api, "ClusterRole", "", rbac.ROLE)
                assert role["rules"] == rbac.RULES
                crb = requests.get(api, "ClusterRoleBinding", "", rbac.ROLE)
                assert crb["subjects"] == [
                    {
                        "kind": "ServiceAccount",
                        "name": rbac.SERVICE_ACCOUNT,
                        "namespace": SYSTEM_NAMESPACE,
                    }
                ]
                # nothing beyond the role: the token may not read pod logs nor touch RBAC
                from federation.controller.credentials import MemberCredentials

                with MemberCredentials(name, kc, "").client() as sa:
                    for attrs in (
                        {
                            "verb": "create",
                            "group": "rbac.authorization.k8s.io",
                            "resource": "clusterroles",
                        },
                        {"verb": "get", "resource": "pods", "subresource": "log", "namespace": NS},
                        {
                            "verb": "update",
                            "group": "apps",
                            "resource": "deployments",
                            "namespace": NS,
                        },
                        {
                            "verb": "patch",
                            "group": "apps",
                            "resource": "deployments",
                            "namespace": NS,
                        },
                    ):
                        review = requests.create(
                            sa,
                            {
                                "apiVersion": "authorization.k8s.io/v1",
                                "kind": "SelfSubjectAccessReview",
                                "metadata": {},
                                "spec": {"resourceAttributes": attrs},
                            },
                        )
                        allowed = review["status"]["allowed"]
                        assert allowed == (attrs["verb"] == "patch"), attrs

        # no secret value anywhere a user or a scraper looks
        events = requests.items(host, "Event", NS) + requests.items(host, "Event", "default")
        seen = ctl.text() + yaml.safe_dump(events) + text
        b64 = base64.b64encode(SECRET_VALUE.encode()).decode()
        for value in (SECRET_VALUE, b64, *tokens):
            assert value not in seen
