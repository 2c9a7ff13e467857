"""Real kwok members: ready, nodes with the given capacity, Deployments that get Ready pods."""

from __future__ import annotations

import uuid

import pytest
from kubernetes import client
from kubernetes.utils import parse_quantity

from federation.kube.members import NODE_LABEL_MEMBER, node_ready
from federation.kube.provision import clusters_command

from .conftest import KubeMembers, eventually

pytestmark = pytest.mark.kube


def test_every_member_is_ready_through_proxy_and_directly(kube_members: KubeMembers) -> None:
    assert kube_members.provider.status() == {"m1": True, "m2": True, "m3": True}
    for name, handle in kube_members.handles.items():
        assert handle.context == f"kwok-{name}"
        assert handle.server != handle.direct_server  # toxiproxy sits in between
        assert handle.server.startswith("https://127.0.0.1:")
        assert handle.direct_server.startswith("https://127.0.0.1:")
        assert kube_members.observe(name)[0] == "ok"
        assert kube_members.observe(name, direct=True)[0] == "ok"


def test_version_is_the_pinned_kubernetes(kube_members: KubeMembers) -> None:
    with kube_members.client("m1") as api:
        info = client.VersionApi(api).get_code()
    assert info.git_version == "v1.36.3"


@pytest.mark.parametrize("name", ["m1", "m2", "m3"])
def test_nodes_have_the_requested_capacity(kube_members: KubeMembers, name: str) -> None:
    pool = kube_members.specs[name].nodes
    with kube_members.client(name) as api:
        nodes = client.CoreV1Api(api).list_node(label_selector=f"{NODE_LABEL_MEMBER}={name}")
    assert len(nodes.items) == pool.count
    for node in nodes.items:
        assert node_ready(node), node.metadata.name
        for field in ("allocatable", "capacity"):
            res = getattr(node.status, field)
            assert parse_quantity(res["cpu"]) == parse_quantity(pool.cpu)
            assert parse_quantity(res["memory"]) == parse_quantity(pool.memory)
            assert int(res["pods"]) == pool.pods


def test_deployment_gets_ready_pods_on_kwok_nodes(kube_members: KubeMembers) -> None:
    name = f"web-{uuid.uuid4().hex[:6]}"
    labels = {"app": name}
    body = client.V1Deployment(
        metadata=client.V1ObjectMeta(name=name),
        spec=client.V1DeploymentSpec(
            replicas=3,
            selector=client.V1LabelSelector(match_labels=labels),
            template=client.V1PodTemplateSpec(
                metadata=client.V1ObjectMeta(labels=labels),
                spec=client.V1PodSpec(
                    containers=[
                        client.V1Container(
                            name="web",
                            image="registry.invalid/web:1",
                            resources=client.V1ResourceRequirements(
                                requests={"cpu": "500m", "memory": "256Mi"}
                            ),
                        )
                    ]
                ),
            ),
        ),
    )
    with kube_members.client("m2") as api:
        apps, core = client.AppsV1Api(api), client.CoreV1Api(api)
        apps.create_namespaced_deployment("default", body)
        try:
            eventually(
                lambda: (
                    (
                        apps.read_namespaced_deployment_status(
                            name, "default"
                        ).status.ready_replicas
                        or 0
                    )
                    == 3
                ),
                timeout=90,
            )
            pods = core.list_namespaced_pod("default", label_selector=f"app={name}").items
            assert len(pods) == 3
            assert all(p.status.phase == "Running" for p in pods)
            assert {p.spec.node_name for p in pods} <= {f"m2-node-{i}" for i in range(3)}
        finally:
            apps.delete_namespaced_deployment(name, "default")


def test_unschedulable_pods_stay_pending_when_capacity_is_short(kube_members: KubeMembers) -> None:
    # m3 has one node with 4 CPUs: a 5-CPU pod cannot fit anywhere.
    name = f"big-{uuid.uuid4().hex[:6]}"
    pod = client.V1Pod(
        metadata=client.V1ObjectMeta(name=name),
        spec=client.V1PodSpec(
            containers=[
                client.V1Container(
                    name="big",
                    image="registry.invalid/big:1",
                    resources=client.V1ResourceRequirements(requests={"cpu": "5"}),
                )
            ]
        ),
    )
    with kube_members.client("m3") as api:
        core = client.CoreV1Api(api)
        core.create_namespaced_pod("default", pod)
        try:

            def unschedulable() -> bool:
                conds = core.read_namespaced_pod(name, "default").status.conditions or []
                return any(c.type == "PodScheduled" and c.reason == "Unschedulable" for c in conds)

            eventually(unschedulable, timeout=60)
            assert core.read_namespaced_pod(name, "default").status.phase == "Pending"
        finally:
            core.delete_namespaced_pod(name, "default", grace_period_seconds=0)


def test_clusters_status_command_prints_the_members(
    kube_members: KubeMembers, capsys: pytest.CaptureFixture[str]
) -> None:
    rc = clusters_command(["status", "--workdir", str(kube_members.provider.workdir)])
    out = capsys.readouterr().out
    assert rc == 0
    lines = out.strip().splitlines()
    assert lines[0].split()[:4] == ["NAME", "CONTEXT", "SERVER", "READY"]
    for name, handle in kube_members.handles.items():
        row = next(line.split() for line in lines if line.startswith(name + " "))
        assert row == [name, handle.context, handle.server, "yes", handle.kubeconfig]


def test_rss_per_member_is_reported(kube_members: KubeMembers) -> None:
    for name in kube_members.handles:
        rss = kube_members.provider.rss_bytes(name)
        assert 50 * 2**20 < rss < 4 * 2**30, (name, rss)
