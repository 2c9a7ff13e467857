"""The README's path, command for command: a local federation from nothing (`kfed controlplane
up`), the controller, `kubectl apply` of a Deployment and a policy, `kubectl get` showing the
replicas on three members; then a member stopped and `kubectl get` showing the failover; then
`kfed controlplane down` leaving nothing running."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from federation.kube.binaries import find_kubectl

from ..conftest import eventually
from .conftest import ROOT

pytestmark = pytest.mark.kube


def test_four_commands_then_a_failover_seen_with_kubectl(tmp_path: Path) -> None:
    kfed = [sys.executable, "-m", "federation.cli"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    workdir = tmp_path / "fed"
    kubectl = str(find_kubectl())

    def sh(*args: str, timeout: float = 300) -> str:
        out = subprocess.run(
            args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
        )
        assert out.returncode == 0, f"{args}: {out.stderr}"
        return out.stdout

    controller = None
    try:
        # 1. eval "$(kfed controlplane up)"
        up = sh(*kfed, "controlplane", "up", "--workdir", str(workdir))
        env["KUBECONFIG"] = re.search(r"^export KUBECONFIG=(\S+)$", up, re.M).group(1)  # type: ignore[union-attr]
        # 2. kfed controller run --kubeconfig $KUBECONFIG &
        log = (tmp_path / "controller.log").open("wb")
        controller = subprocess.Popen(
            [*kfed, "controller", "run", "--kubeconfig", env["KUBECONFIG"],
             "--metrics-addr", "127.0.0.1:0"],
            cwd=ROOT, env=env, stdout=log, stderr=log,
        )  # fmt: skip
        # 3. kubectl apply -f scenarios/controller/web.yaml
        t0 = time.monotonic()
        sh(kubectl, "apply", "-f", "scenarios/controller/web.yaml")
        # 4. kubectl get deploy,rb -n demo; kubectl get clusters
        eventually(lambda: "6/6" in sh(kubectl, "get", "deploy", "-n", "demo"), 120)
        took = time.monotonic() - t0
        print(f"\ndemo: kubectl apply -> 6/6 ready on the host's Deployment: {took:.2f} s")
        rb = sh(kubectl, "get", "rb", "-n", "demo")
        assert re.search(
            r"web-deployment\s+Deployment\s+web\s+6\s+6\s+m1=2 m2=2 m3=2\s+True\s+True", rb
        ), rb
        clusters = sh(kubectl, "get", "clusters")
        assert len(re.findall(r"^m\d\s+True\s+Ready\s+2\s+2\s+2", clusters, re.M)) == 3, clusters

        # kill a member, watch kubectl get show the failover
        sh(*kfed, "controlplane", "stop", "m2", "--workdir", str(workdir))
        stopped = time.monotonic()
        eventually(
            lambda: re.search(r"^m2\s+False\s+Offline", sh(kubectl, "get", "clusters"), re.M), 60
        )
        eventually(
            lambda: re.search(
                r"web-deployment.*\s6\s+6\s+m1=3 m3=3\s", sh(kubectl, "get", "rb", "-n", "demo")
            ),
            60,
        )
        print(f"demo: m2 stopped -> 6 ready on m1 and m3: {time.monotonic() - stopped:.2f} s")
        assert "6/6" in sh(kubectl, "get", "deploy", "-n", "demo")
        events = sh(kubectl, "get", "events", "-n", "demo")
        assert "Evicted" in events
    finally:
        if controller is not None:
            controller.send_signal(signal.SIGTERM)
            assert controller.wait(20) == 0
        down = subprocess.run(
            [*kfed, "controlplane", "down", "--workdir", str(workdir)],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert down.returncode == 0, down.stderr
    assert not (workdir / "members" / "clusters").exists() or not any(
        (workdir / "members" / "clusters").iterdir()
    )
