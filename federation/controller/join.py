"""Joining and unjoining members: `kfed join` records a Cluster and a Secret with the member's
credentials on the host (by default a ServiceAccount token bound to the least-privilege role of
`federation.controller.rbac`, created on the member with the kubeconfig given); `kfed unjoin`
deletes the Cluster, whose finalizer lets the controller drain the member first."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable, Mapping
from typing import Any

import yaml

from federation.controller import rbac, requests
from federation.controller.crds import GROUP, VERSION
from federation.controller.credentials import (
    INSECURE_ANNOTATION,
    KUBECONFIG_KEY,
    MemberCredentials,
    flatten,
    kubeconfig,
)
from federation.controller.templates import SYSTEM_NAMESPACE

MANAGER = "kfed-join"
CLUSTER_FINALIZER = "kfed.io/cluster"


def secret_name(cluster: str) -> str:
    return f"{cluster}-kubeconfig"


def ensure_namespace(api_client: Any, name: str = SYSTEM_NAMESPACE) -> None:
    requests.apply(
        api_client, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}, MANAGER
    )


def service_account_kubeconfig(
    name: str, admin: Any, server: str, ca_data: str, timeout: float = 60.0
) -> dict[str, Any]:
    """Create the ServiceAccount, role and token Secret on the member (with its admin client)
    and return a kubeconfig that authenticates with that token."""
    deadline = time.monotonic() + timeout
    # a namespace an earlier unjoin deleted refuses new objects until it is gone
    while (ns := requests.get(admin, "Namespace", "", SYSTEM_NAMESPACE)) and ns["metadata"].get(
        "deletionTimestamp"
    ):
        if time.monotonic() > deadline:
            raise TimeoutError(f"member {name}: namespace {SYSTEM_NAMESPACE} is still terminating")
        time.sleep(0.3)
    for obj in rbac.member_objects():
        requests.apply(admin, obj, MANAGER)
    while True:
        sec = requests.get(admin, "Secret", SYSTEM_NAMESPACE, rbac.TOKEN_SECRET) or {}
        data = sec.get("data") or {}
        if data.get("token"):
            token = base64.b64decode(data["token"]).decode()
            return kubeconfig(name, server, ca_data=ca_data or data.get("ca.crt", ""), token=token)
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"member {name}: the token controller filled no token into "
                f"{SYSTEM_NAMESPACE}/{rbac.TOKEN_SECRET} within {timeout:.0f}s"
            )
        time.sleep(0.3)


def join(
    host: Any,
    name: str,
    member_kubeconfig: str,
    context: str | None = None,
    *,
    service_account: bool = True,
    insecure: bool = False,
    spec: Mapping[str, Any] | None = None,
    labels: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Register a member on the host; returns the Cluster object written."""
    given, server = flatten(member_kubeconfig, context)
    if given["clusters"][0]["cluster"].get("insecure-skip-tls-verify") and not insecure:
        raise ValueError(
            f"the kubeconfig of {name} turns TLS verification off; pass "
            "--insecure-skip-tls-verify to join it anyway"
        )
    stored = given
    if service_account:
        admin = MemberCredentials(name, given, "").client()
        try:
            ca = given["clusters"][0]["cluster"].get("certificate-authority-data", "")
            stored = service_account_kubeconfig(name, admin, server, ca)
        finally:
            admin.close()
        if insecure:
            stored["clusters"][0]["cluster"]["insecure-skip-tls-verify"] = True
    ensure_namespace(host)
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "type": "Opaque",
        "metadata": {
            "name": secret_name(name),
            "namespace": SYSTEM_NAMESPACE,
            "labels": {"kfed.io/cluster": name},
        },
        "data": {
            KUBECONFIG_KEY: base64.b64encode(yaml.safe_dump(stored).encode()).decode(),
        },
    }
    requests.apply(host, secret, MANAGER)
    meta: dict[str, Any] = {"name": name}
    if labels:
        meta["labels"] = dict(labels)
    if insecure:
        meta["annotations"] = {INSECURE_ANNOTATION: "true"}
    cluster = {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "Cluster",
        "metadata": meta,
        "spec": {
            **(spec or {}),
            "apiEndpoint": server,
            "secretRef": {"namespace": SYSTEM_NAMESPACE, "name": secret_name(name)},
        },
    }
    return dict(requests.apply(host, cluster, MANAGER))


def unjoin(
    host: Any,
    name: str,
    *,
    member_kubeconfig: str | None = None,
    context: str | None = None,
    wait: float = 120.0,
    force: bool = False,
    log: Callable[[str], None] = lambda m: None,
) -> bool:
    """Delete the Cluster and wait until the controller has drained the member and let it go
    (True), or `wait` ran out (False; with `force` the finalizer is then removed). Then delete
    the Secret, and with the member's own kubeconfig the ServiceAccount and role on it."""
    existed = requests.delete(host, "Cluster", "", name)
    if existed:
        log(f"cluster {name}: deleting; the controller drains it first")
    deadline = time.monotonic() + wait
    gone = True
    while (obj := requests.get(host, "Cluster", "", name)) is not None:
        if time.monotonic() > deadline:
            if not force:
                gone = False
                break
            rest = [f for f in obj["metadata"].get("finalizers") or [] if f != CLUSTER_FINALIZER]
            requests.patch_finalizers(host, obj, rest)
            log(f"cluster {name}: finalizer removed by --force (the member was not drained)")
        time.sleep(0.5)
    if not gone:
        return False
    requests.delete(host, "Secret", SYSTEM_NAMESPACE, secret_name(name))
    if member_kubeconfig:
        given, _ = flatten(member_kubeconfig, context)
        admin = MemberCredentials(name, given, "").client()
        try:
            for obj in reversed(rbac.member_objects()):
                meta = obj["metadata"]
                requests.delete(admin, obj["kind"], meta.get("namespace", ""), meta["name"])
        finally:
            admin.close()
    return True
