"""API errors on real members: a refused write (422) is terminal, recorded once and never
retried; a member that refuses connections is transient, retried with backoff, and handed back
to the control loop as a touched key; what kfed applies is owned by its field manager."""

from __future__ import annotations

import time
from typing import Any

import pytest
from kubernetes import client
from kubernetes.client.exceptions import ApiException

from federation.core.actions import Apply, Delete
from federation.kube.faults import FaultInjector
from federation.kube.gateway import RETRIES, KubeGateway, classify, waves
from federation.kube.resources import FIELD_MANAGER
from federation.observed import Delta

from .conftest import KubeMembers, eventually

pytestmark = pytest.mark.kube


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (ApiException(status=429), "transient"),
        (ApiException(status=500), "transient"),
        (ApiException(status=503), "transient"),
        (ApiException(status=0), "transient"),  # no answer at all
        (ApiException(status=400), "terminal"),
        (ApiException(status=403), "terminal"),
        (ApiException(status=404), "terminal"),
        (ApiException(status=422), "terminal"),
        (ConnectionRefusedError(), "transient"),
        (TimeoutError(), "transient"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_classify(error: BaseException, kind: str) -> None:
    assert classify(error) == kind


def test_waves_keep_namespaces_first_and_write_the_rest_together() -> None:
    def apply(key: str) -> Apply:
        return Apply("m1", key, {}, "h", "create", None)

    batch = [
        apply("Namespace/shop"),
        apply("ConfigMap/shop/a"),
        apply("Secret/shop/b"),
        apply("Deployment/shop/w1"),
        apply("Deployment/shop/w2"),
        apply("Job/shop/j"),
        Delete("m1", "Deployment/shop/old", "not a target"),
        Delete("m1", "Namespace/gone", "workload removed"),
    ]
    assert [[a.key for a in w] for w in waves(batch)] == [
        ["Namespace/shop"],
        ["ConfigMap/shop/a", "Secret/shop/b"],
        ["Deployment/shop/w1", "Deployment/shop/w2", "Job/shop/j"],
        ["Deployment/shop/old"],
        ["Namespace/gone"],
    ]
    assert waves([]) == []


def config_map(name: str, data: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": name,
            "namespace": "default",
            "labels": {"kfed.io/managed-by": "kfed"},
        },
        "data": data,
    }


def gateway(kube_members: KubeMembers) -> KubeGateway:
    t0 = time.monotonic()
    return KubeGateway(kube_members.handles, lambda: time.monotonic() - t0, capacity=False)


def test_terminal_error_is_recorded_once_and_not_retried(kube_members: KubeMembers) -> None:
    gw = gateway(kube_members)
    try:
        bad = config_map("kfed-bad", {"key": "value"})
        bad["metadata"]["labels"]["bad"] = "not a label value!"  # the API server says 422
        action = Apply("m1", "ConfigMap/default/kfed-bad", bad, "h1", "create", None)
        assert gw._run_action("m1", action) is False
        assert (gw.stats.failed, gw.stats.retries) == (1, 0), gw.stats.errors
        assert "422" in gw.stats.errors[0]
        good = config_map("kfed-good", {"key": "value"})
        assert gw._run_action(
            "m1", Apply("m1", "ConfigMap/default/kfed-good", good, "h2", "create", None)
        )
        with kube_members.client("m1", direct=True) as api:
            cm = client.CoreV1Api(api).read_namespaced_config_map("kfed-good", "default")
            client.CoreV1Api(api).delete_namespaced_config_map("kfed-good", "default")
        managers = {(m.manager, m.operation) for m in cm.metadata.managed_fields}
        assert (FIELD_MANAGER, "Apply") in managers  # server-side apply, under kfed's name
    finally:
        gw.close()


def test_refused_member_is_retried_then_handed_back_to_the_loop(
    kube_members: KubeMembers, kube_faults: FaultInjector
) -> None:
    gw = gateway(kube_members)
    try:
        kube_faults.partition("m2", mode="refuse")  # the proxy refuses every connection
        action = Apply(
            "m2", "ConfigMap/default/kfed-x", config_map("kfed-x", {"a": "b"}), "h", "create", None
        )
        gw.start()
        gw.apply([action], 0.0)

        # after RETRIES attempts the applier gives up and, after a backoff, asks the loop to
        # look at the key again (a touched delta), instead of spinning
        def touched() -> bool:
            _, deltas = gw.observe(0.0)
            return any(
                isinstance(d, Delta) and "ConfigMap/default/kfed-x" in d.touched for d in deltas
            )

        eventually(touched, timeout=30)
        assert gw.stats.retries == RETRIES - 1 and gw.stats.failed == 1
        assert "ConfigMap/default/kfed-x" in gw.stats.errors[0]
    finally:
        gw.close()
