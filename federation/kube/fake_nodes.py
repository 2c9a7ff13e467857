"""Fake nodes of a kwok member: made to the member's spec, checked usable, and handed over to a
restarted kwok-controller through their node leases."""

from __future__ import annotations

from typing import Any

from federation.kube.members import (
    NODE_LABEL_MEMBER,
    MemberHandle,
    MemberSpec,
    member_client,
    node_body,
    node_name,
    node_ready,
    wait_until,
)

NODE_LEASE_NAMESPACE = "kube-node-lease"


def ensure(handle: MemberHandle, spec: MemberSpec) -> list[str]:
    """Make the member's fake nodes exactly the spec's: create the missing ones, give existing
    ones the spec's capacity (a reused member may have been made with another), delete the ones
    beyond the spec's count. Returns the names created."""
    from kubernetes import client
    from kubernetes.client.exceptions import ApiException

    bodies: list[Any] = [node_body(handle.name, i, spec.nodes) for i in range(spec.nodes.count)]
    wanted = {b["metadata"]["name"]: b for b in bodies}
    created = []
    with member_client(handle, direct=True) as api_client:
        core = client.CoreV1Api(api_client)
        existing: list[Any] = core.list_node(label_selector=_member(handle)).items
        have = {node_name(n) for n in existing}
        for node in existing:
            body = wanted.get(node_name(node))
            if body is None:
                core.delete_node(node_name(node))
            elif _capacity(node) != body["status"]["capacity"]:
                core.patch_node_status(node_name(node), {"status": body["status"]})
        for name, body in wanted.items():
            if name in have:
                continue
            try:
                core.create_node(body)
                created.append(name)
            except ApiException as exc:
                if exc.status != 409:
                    raise
    return created


def wait_usable(handle: MemberHandle, spec: MemberSpec, timeout: float) -> None:
    """The spec's nodes Ready, the default ServiceAccount present and every node's lease held
    by the running kwok-controller: pods can start."""
    from kubernetes import client

    with member_client(handle, direct=True) as api_client:
        core = client.CoreV1Api(api_client)

        def nodes_ready() -> bool:
            nodes = core.list_node(label_selector=_member(handle))
            return sum(node_ready(n) for n in nodes.items) >= spec.nodes.count

        def default_sa() -> bool:
            sas = core.list_namespaced_service_account("default")
            return any(node_name(sa) == "default" for sa in sas.items)

        wait_until(nodes_ready, timeout, what=f"{handle.name} nodes Ready")
        wait_until(default_sa, timeout, what=f"{handle.name} default SA")
    wait_leases(handle, timeout)


def release_leases(handle: MemberHandle) -> None:
    """Delete the node leases a dead kwok-controller held. A new controller leaves a node whose
    lease another holder renewed alone until that lease expires (20 s), so without this a
    restarted member binds pods at once but starts none of them for up to 20 s, where a real
    cluster's kubelets, which outlive a control-plane restart, show no such gap."""
    from kubernetes import client

    with member_client(handle, direct=True) as api_client:
        leases = client.CoordinationV1Api(api_client)
        for lease in leases.list_namespaced_lease(NODE_LEASE_NAMESPACE).items:
            try:
                leases.delete_namespaced_lease(node_name(lease), NODE_LEASE_NAMESPACE)
            except Exception as exc:  # gone already is fine
                if getattr(exc, "status", None) != 404:
                    raise


def wait_leases(handle: MemberHandle, timeout: float) -> None:
    """Wait until the member's kwok-controller holds a lease for each of its nodes: from then
    on it starts the pods bound to them (about 3.5 s after a restart)."""
    from kubernetes import client

    with member_client(handle, direct=True) as api_client:
        core, leases = client.CoreV1Api(api_client), client.CoordinationV1Api(api_client)

        def held() -> bool:
            nodes = core.list_node(label_selector=_member(handle)).items
            have = {node_name(x) for x in leases.list_namespaced_lease(NODE_LEASE_NAMESPACE).items}
            return all(node_name(n) in have for n in nodes)

        wait_until(held, timeout, what=f"{handle.name} node leases")


def _member(handle: MemberHandle) -> str:
    return f"{NODE_LABEL_MEMBER}={handle.name}"


def _capacity(node: Any) -> dict[str, str]:
    cap = (node.status.capacity if node.status else None) or {}
    return {k: str(cap.get(k)) for k in ("cpu", "memory", "pods")}
