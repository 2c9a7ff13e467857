"""Throttling and server errors from a real member: a write answered 429 or 5xx is retried with
backoff until it lands (each retry counted), one that keeps failing is recorded once after
RETRIES attempts, and a denial (403) is terminal. The codes come from the member's own
kube-apiserver, passing on what a scripted admission webhook answered."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from kubernetes import client

from federation.core.actions import Apply
from federation.kube.gateway import RETRIES, KubeGateway

from .admission import LABEL, Script, scripted_webhook
from .conftest import KubeMembers
from .test_gateway_errors import config_map

pytestmark = pytest.mark.kube


@pytest.fixture
def member_webhook(kube_members: KubeMembers, tmp_path: Path) -> Iterator[Script]:
    with (
        kube_members.client("m1", direct=True) as api,
        scripted_webhook(api, tmp_path, "kfed-test-member") as script,
    ):
        yield script


def _labelled(name: str) -> dict:
    cm = config_map(name, {"k": "v"})
    cm["metadata"]["labels"][LABEL] = "yes"
    return cm


def _cleanup(kube_members: KubeMembers, name: str) -> None:
    with kube_members.client("m1", direct=True) as api:
        try:
            client.CoreV1Api(api).delete_namespaced_config_map(name, "default")
        except client.exceptions.ApiException as e:
            if e.status != 404:
                raise


def _gateway(kube_members: KubeMembers) -> KubeGateway:
    t0 = time.monotonic()
    return KubeGateway(kube_members.handles, lambda: time.monotonic() - t0, capacity=False)


@pytest.mark.parametrize("codes", [(429,), (503,), (429, 500)], ids=str)
def test_member_throttling_and_server_errors_are_retried(
    kube_members: KubeMembers, member_webhook: Script, codes: tuple[int, ...]
) -> None:
    member_webhook.queue(*codes)
    gw = _gateway(kube_members)
    try:
        action = Apply(
            "m1",
            "ConfigMap/default/kfed-throttled",
            _labelled("kfed-throttled"),
            "h",
            "create",
            None,
        )
        assert gw._run_action("m1", action) is True, gw.stats.errors
        # the API server answered each queued code once, then admitted the object
        assert [c for _, _, c in member_webhook.seen] == [*codes, 200]
        assert (gw.stats.retries, gw.stats.failed) == (len(codes), 0)
        with kube_members.client("m1", direct=True) as api:
            cm = client.CoreV1Api(api).read_namespaced_config_map("kfed-throttled", "default")
        assert cm.data == {"k": "v"}
    finally:
        gw.close()
        _cleanup(kube_members, "kfed-throttled")


def test_member_that_keeps_failing_is_recorded_once_after_its_attempts(
    kube_members: KubeMembers, member_webhook: Script
) -> None:
    member_webhook.queue(*[500] * RETRIES)
    gw = _gateway(kube_members)
    try:
        action = Apply(
            "m1", "ConfigMap/default/kfed-failing", _labelled("kfed-failing"), "h", "create", None
        )
        assert gw._run_action("m1", action) is False
        assert len(member_webhook.seen) == RETRIES
        assert (gw.stats.retries, gw.stats.failed) == (RETRIES - 1, 1)
        assert f"{RETRIES} attempts" in gw.stats.errors[0] and "500" in gw.stats.errors[0]
    finally:
        gw.close()
        _cleanup(kube_members, "kfed-failing")


def test_member_denial_is_terminal(kube_members: KubeMembers, member_webhook: Script) -> None:
    member_webhook.queue(403)
    gw = _gateway(kube_members)
    try:
        action = Apply(
            "m1", "ConfigMap/default/kfed-denied", _labelled("kfed-denied"), "h", "create", None
        )
        assert gw._run_action("m1", action) is False
        assert len(member_webhook.seen) == 1  # asked once, never again
        assert (gw.stats.retries, gw.stats.failed) == (0, 1)
        assert "403" in gw.stats.errors[0]
    finally:
        gw.close()
        _cleanup(kube_members, "kfed-denied")
