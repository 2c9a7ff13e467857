"""The controller's host writer against a real federation host that throttles and fails: 429
and 5xx answers are retried with backoff until the write lands, a denial (403) is dropped
without a retry. The codes come from the host's kube-apiserver, passing on what a scripted
admission webhook answered."""

from __future__ import annotations

from pathlib import Path

import pytest
from kubernetes import client

from federation.controller.writer import HostWriter

from ..admission import LABEL, scripted_webhook
from ..conftest import eventually
from ..test_gateway_errors import config_map
from .conftest import FedHost

pytestmark = pytest.mark.kube


def _labelled(name: str) -> dict:
    cm = config_map(name, {"k": "v"})
    cm["metadata"]["labels"][LABEL] = "yes"
    return cm


def test_host_writer_retries_429_and_5xx_and_drops_a_denial(
    fed_host: FedHost, tmp_path: Path
) -> None:
    results: list[str] = []
    with fed_host.client() as api, scripted_webhook(api, tmp_path, "kfed-test-host") as script:
        core = client.CoreV1Api(api)

        def create(name: str):
            return lambda host: client.CoreV1Api(host).create_namespaced_config_map(
                "default", _labelled(name)
            )

        writer = HostWriter(api, may_write=lambda: True, on_result=results.append)
        writer.start()
        try:
            script.queue(429, 503)
            writer.put("ConfigMap/default/kfed-status", create("kfed-status"))
            eventually(lambda: writer.written == 1 and writer.idle(), timeout=30)
            assert results == ["retry", "retry", "ok"]
            assert [c for _, _, c in script.seen] == [429, 503, 200]
            assert core.read_namespaced_config_map("kfed-status", "default").data == {"k": "v"}

            results.clear()
            script.queue(403)
            writer.put("ConfigMap/default/kfed-denied", create("kfed-denied"))
            eventually(lambda: results == ["dropped"] and writer.idle(), timeout=30)
            assert writer.retries == 2 and len(script.seen) == 1
        finally:
            writer.close()
            for name in ("kfed-status", "kfed-denied"):
                try:
                    core.delete_namespaced_config_map(name, "default")
                except client.exceptions.ApiException as e:
                    if e.status != 404:
                        raise
