"""Controller mode against real servers: a federation host (etcd, kube-apiserver and a trimmed
controller-manager) started once per session, with kfed's CRDs installed and the session's three
kwok members (``kube_members``) joined with least-privilege ServiceAccount tokens; controllers
run as real `kfed controller run` processes the tests start, kill and restart."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from federation.controller import install, join, requests
from federation.kube import procs
from federation.kube.cleanup import managed_objects
from federation.kube.kwok import KwokProvider
from federation.kube.members import MemberHandle, MemberSpec, NodePool, member_client

from ..conftest import KubeMembers, eventually

ROOT = Path(__file__).resolve().parents[3]


@dataclass
class FedHost:
    provider: KwokProvider
    handle: MemberHandle
    members: KubeMembers

    @property
    def kubeconfig(self) -> str:
        return self.handle.kubeconfig

    def client(self) -> Any:
        return member_client(self.handle, retries=1)


@pytest.fixture(scope="session")
def fed_host(
    kube_members: KubeMembers, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FedHost]:
    provider = KwokProvider(tmp_path_factory.mktemp("fedhost"), proxy=False, host=True)
    try:
        handle = provider.up([MemberSpec("host", NodePool(count=0))])[0]
        with member_client(handle) as host:
            install.install(host)
            for name, h in kube_members.handles.items():
                join.join(host, name, h.kubeconfig, h.context)
        yield FedHost(provider, handle, kube_members)
    finally:
        provider.down()
        left = procs.wait_gone(provider.leftover_pids(), timeout=10)
        assert not left, f"host processes left running: {left}"


class ControllerProc:
    """One `kfed controller run` process; its JSON log lines in `log_path`."""

    def __init__(self, kubeconfig: str, log_path: Path, *extra: str) -> None:
        self.log_path = log_path
        self.args = [
            sys.executable, "-m", "federation.cli", "controller", "run",
            "--kubeconfig", kubeconfig, "--metrics-addr", "127.0.0.1:0",
            "--log-level", "debug", *extra,
        ]  # fmt: skip
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> ControllerProc:
        out = self.log_path.open("ab")
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.proc = subprocess.Popen(self.args, stdout=out, stderr=out, cwd=ROOT, env=env)
        out.close()
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def lines(self) -> list[dict[str, Any]]:
        out = []
        for line in self.log_path.read_text().splitlines():
            if line.startswith("{"):
                with contextlib.suppress(ValueError):
                    out.append(json.loads(line))
        return out

    def text(self) -> str:
        return self.log_path.read_text()

    def address(self) -> str:
        found = eventually(
            lambda: next(
                (
                    x["address"]
                    for x in self.lines()
                    if x.get("msg") == "serving metrics and probes"
                ),
                None,
            ),
            30,
        )
        return str(found)

    def get(self, path: str) -> tuple[int, str]:
        import urllib.error
        import urllib.request

        try:
            with urllib.request.urlopen(f"http://{self.address()}{path}", timeout=5) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def signal(self, sig: int) -> None:
        assert self.proc is not None
        self.proc.send_signal(sig)

    def stop(self, timeout: float = 15.0) -> int | None:
        if self.proc is None or self.proc.poll() is not None:
            return None if self.proc is None else self.proc.returncode
        self.proc.send_signal(signal.SIGCONT)
        self.proc.terminate()
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait(5)


@pytest.fixture
def controllers(fed_host: FedHost, tmp_path: Path) -> Iterator[list[ControllerProc]]:
    """Start controllers with `start(*args)`; every one is stopped afterwards, and whatever the
    test left on the host (namespaces named t-*, policies) and on the members is deleted."""
    started: list[ControllerProc] = []
    try:
        yield started
    finally:
        for c in started:
            c.stop()
        cleanup(fed_host)


def start(
    started: list[ControllerProc], fed_host: FedHost, name: str, *extra: str
) -> ControllerProc:
    c = ControllerProc(
        fed_host.kubeconfig, fed_host.provider.workdir / f"{name}-{time.time_ns()}.log", *extra
    )
    started.append(c.start())
    return c


def cleanup(fed_host: FedHost) -> None:
    """Delete the tests' objects from the host (finalizers removed: no controller runs now) and
    every kfed-managed object from the members."""
    from federation.kube.cleanup import delete_managed

    with fed_host.client() as host:
        for kind in ("ClusterPropagationPolicy", "ClusterOverridePolicy"):
            for o in requests.items(host, kind):
                requests.delete(host, kind, "", o["metadata"]["name"])
        for ns in requests.items(host, "Namespace"):
            name = ns["metadata"]["name"]
            if not name.startswith("t-"):
                continue
            for kind in (
                "Deployment",
                "ConfigMap",
                "Secret",
                "Service",
                "Job",
                "PropagationPolicy",
                "OverridePolicy",
            ):
                for o in requests.items(host, kind, name):
                    o["kind"] = kind
                    if o["metadata"].get("finalizers"):
                        requests.patch_finalizers(host, o, [])
                    requests.delete(host, kind, name, o["metadata"]["name"])
            ns["kind"] = "Namespace"
            if ns["metadata"].get("finalizers"):
                requests.patch_finalizers(host, ns, [])
            requests.delete(host, "Namespace", "", name)
        for kind in ("ResourceBinding", "ClusterResourceBinding"):
            for o in requests.items(host, kind):
                requests.delete(
                    host, kind, o["metadata"].get("namespace", ""), o["metadata"]["name"]
                )
    delete_managed(fed_host.members.handles.values())


def member_objects(fed_host: FedHost) -> dict[str, set[tuple[str, str, str]]]:
    return {n: set(managed_objects(h)) for n, h in fed_host.members.handles.items()}


def apply_all(host: Any, docs: list[dict[str, Any]]) -> None:
    for d in docs:
        requests.apply(host, d, "test")
