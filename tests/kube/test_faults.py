"""Each fault mechanism changes what a client of a real API server observes, and reverts."""

from __future__ import annotations

import statistics
import uuid

import pytest
from kubernetes import client
from kubernetes.utils import parse_quantity

from federation.kube import procs
from federation.kube.faults import Fault, FaultInjector
from federation.kube.members import NODE_LABEL_MEMBER, node_ready

from .conftest import KubeMembers, eventually

pytestmark = pytest.mark.kube


def test_outage_refuses_connections_then_comes_back_with_its_data(
    kube_members: KubeMembers, kube_faults: FaultInjector
) -> None:
    name = f"keep-{uuid.uuid4().hex[:6]}"
    with kube_members.client("m2") as api:
        client.CoreV1Api(api).create_namespaced_config_map(
            "default", client.V1ConfigMap(metadata=client.V1ObjectMeta(name=name), data={"k": "v"})
        )
    pids = procs.read_pid_files(kube_members.provider.pid_dir("m2"))

    fault = kube_faults.outage("m2")
    assert not any(procs.alive(p) for p in pids.values())
    assert kube_members.observe("m2", direct=True)[0] == "refused"
    assert kube_members.provider.status()["m2"] is False
    assert kube_members.observe("m1")[0] == "ok"  # other members are untouched

    kube_faults.revert(fault)
    assert kube_members.observe("m2", direct=True)[0] == "ok"
    assert kube_members.observe("m2")[0] == "ok"
    with kube_members.client("m2") as api:
        core = client.CoreV1Api(api)
        assert core.read_namespaced_config_map(name, "default").data == {"k": "v"}
        core.delete_namespaced_config_map(name, "default")


def test_hang_times_out_then_resumes(kube_members: KubeMembers, kube_faults: FaultInjector) -> None:
    apiserver = procs.read_pid_files(kube_members.provider.pid_dir("m1"))["kube-apiserver"]
    fault = kube_faults.hang("m1")
    assert procs.state(apiserver) == "T"
    outcome, elapsed = kube_members.observe("m1", direct=True, timeout=2)
    assert outcome == "timeout"
    assert elapsed >= 1.5
    assert kube_members.observe("m1", timeout=2)[0] == "timeout"
    assert kube_members.observe("m2")[0] == "ok"

    kube_faults.revert(fault)
    assert procs.state(apiserver) in ("R", "S")
    eventually(lambda: kube_members.observe("m1")[0] == "ok", timeout=30)


def test_partition_refuses_through_the_proxy_while_the_direct_server_answers(
    kube_members: KubeMembers, kube_faults: FaultInjector
) -> None:
    fault = kube_faults.partition("m3", mode="refuse")
    assert kube_members.observe("m3")[0] == "refused"
    assert kube_members.observe("m3", direct=True)[0] == "ok"
    kube_faults.revert(fault)
    assert kube_members.observe("m3")[0] == "ok"


def test_blackhole_partition_times_out_through_the_proxy(
    kube_members: KubeMembers, kube_faults: FaultInjector
) -> None:
    fault = kube_faults.partition("m3", mode="blackhole")
    assert kube_members.observe("m3", timeout=2)[0] == "timeout"
    assert kube_members.observe("m3", direct=True)[0] == "ok"
    kube_faults.revert(fault)
    assert kube_members.observe("m3")[0] == "ok"


def test_latency_slows_requests_through_the_proxy(
    kube_members: KubeMembers, kube_faults: FaultInjector
) -> None:
    def median_seconds(direct: bool = False) -> float:
        samples = []
        for _ in range(5):
            outcome, elapsed = kube_members.observe("m1", direct=direct, timeout=10)
            assert outcome == "ok"
            samples.append(elapsed)
        return statistics.median(samples)

    before = median_seconds()
    kube_faults.latency("m1", ms=300, jitter_ms=30)
    slowed = median_seconds()
    direct = median_seconds(direct=True)
    # Each request opens a connection: the TLS handshake and the response each wait >= 270 ms.
    assert slowed >= before + 0.25, (before, slowed)
    assert slowed > direct + 0.25, (direct, slowed)


def _member_nodes(kube_members: KubeMembers, name: str) -> list[client.V1Node]:
    with kube_members.client(name, direct=True) as api:
        return list(
            client.CoreV1Api(api).list_node(label_selector=f"{NODE_LABEL_MEMBER}={name}").items
        )


def test_node_loss_removes_nodes_and_capacity(
    kube_members: KubeMembers, kube_faults: FaultInjector
) -> None:
    cpu = parse_quantity(kube_members.specs["m2"].nodes.cpu)

    def ready_cpu() -> tuple[int, object]:
        nodes = [n for n in _member_nodes(kube_members, "m2") if node_ready(n)]
        return len(nodes), sum(parse_quantity(n.status.allocatable["cpu"]) for n in nodes)

    assert ready_cpu() == (3, 3 * cpu)
    fault = kube_faults.lose_nodes("m2", 2)
    assert ready_cpu() == (1, cpu)
    kube_faults.revert(fault)
    eventually(lambda: ready_cpu() == (3, 3 * cpu), timeout=60)


def test_stopping_the_node_agent_makes_nodes_not_ready(
    kube_members: KubeMembers, kube_faults: FaultInjector
) -> None:
    kube_faults.inject(Fault("node-agent", "m1"))
    assert not kube_members.provider.running("m1")["kwok-controller"]
    # node-monitor-grace-period is 40 s x heartbeat factor 0.5 = 20 s
    eventually(
        lambda: not any(node_ready(n) for n in _member_nodes(kube_members, "m1")),
        timeout=120,
        interval=1,
    )
    assert kube_members.observe("m1")[0] == "ok"  # the API itself still answers
    kube_faults.restore()
    assert all(node_ready(n) for n in _member_nodes(kube_members, "m1"))


def test_restore_repairs_everything_at_once(
    kube_members: KubeMembers, kube_faults: FaultInjector
) -> None:
    kube_faults.partition("m1")
    kube_faults.latency("m2", ms=50)
    kube_faults.hang("m3")
    kube_faults.restore()
    assert kube_faults.active == []
    for name in ("m1", "m2", "m3"):
        assert kube_members.observe(name)[0] == "ok"
    assert kube_members.provider.toxiproxy().toxics("m2") == []


def test_unknown_fault_kind_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown fault kind"):
        Fault("meteor", "m1")
