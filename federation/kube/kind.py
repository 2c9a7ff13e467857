"""Member clusters with kind (Kubernetes in Docker), for contributors who have a Docker engine.

Build and CI machines have no Docker engine, so this provider is tested by the exact commands it
would run: pass ``dry_run=True`` (commands are recorded in ``commands`` and nothing runs) or a
``runner``. Contexts are ``kind-<name>``; each member's kubeconfig is written to
``<workdir>/kind/<name>.kubeconfig`` by ``kind create cluster --kubeconfig``.

Node capacity cannot be faked on kind: real kubelets report the host's CPU and memory. The pool's
``count`` sets the number of nodes and ``pods`` the kubelet's ``maxPods``; ``cpu`` and
``memory`` are ignored (a warning is logged).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml

from federation.kube.faults import Fault
from federation.kube.members import MemberHandle, MemberSpec

Runner = Callable[[Sequence[str]], "subprocess.CompletedProcess[str]"]
KIND_NETWORK = "kind"  # kind's fixed Docker network name


def _run(cmd: Sequence[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(cmd), capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL
    )


def _log(msg: str) -> None:
    print(f"kfed kind: {msg}", file=sys.stderr, flush=True)


class KindError(RuntimeError):
    """kind, docker or kubectl failed."""


class KindProvider:
    """Same shape as ``KwokProvider``: ``up``, ``down``, ``status``, ``handle``, ``names``."""

    kind = "kind"

    def __init__(
        self,
        workdir: Path,
        bin_dir: Path | None = None,
        proxy: bool = False,
        *,
        kind_binary: str = "kind",
        docker_binary: str = "docker",
        kubectl_binary: str = "kubectl",
        wait: str = "5m",
        node_image: str | None = None,
        runner: Runner | None = None,
        dry_run: bool = False,
        log: Callable[[str], None] = _log,
    ) -> None:
        if proxy:
            raise ValueError("the kind provider has no proxy; kind faults use docker and tc")
        self.workdir = Path(workdir).expanduser().resolve()
        self.bin_dir = bin_dir
        self.proxy = False
        in_bin_dir = bin_dir / kind_binary if bin_dir else None
        self.kind_binary = str(in_bin_dir) if in_bin_dir and in_bin_dir.exists() else kind_binary
        self.docker = docker_binary
        self.kubectl = kubectl_binary
        self.wait = wait
        self.node_image = node_image
        self.dry_run = dry_run
        self.runner = runner or _run
        self.log = log
        self.commands: list[list[str]] = []

    # --- commands --------------------------------------------------------------------------
    def run(self, cmd: Sequence[str], check: bool = True) -> str:
        """Record ``cmd``; run it unless dry-run. Returns stdout."""
        self.commands.append(list(cmd))
        if self.dry_run:
            return ""
        out = self.runner(cmd)
        if check and out.returncode != 0:
            raise KindError(f"{' '.join(cmd)} failed ({out.returncode}): {out.stderr.strip()}")
        return out.stdout

    @property
    def kind_dir(self) -> Path:
        return self.workdir / "kind"

    def kubeconfig(self, name: str) -> Path:
        return self.kind_dir / f"{name}.kubeconfig"

    def config_path(self, name: str) -> Path:
        return self.kind_dir / f"{name}.cluster.yaml"

    @staticmethod
    def context(name: str) -> str:
        return f"kind-{name}"

    @staticmethod
    def node_names(name: str, workers: int) -> list[str]:
        """kind's container names: ``<name>-control-plane``, ``<name>-worker``, ``-worker2``."""
        return [f"{name}-control-plane"] + [
            f"{name}-worker{'' if i == 1 else i}" for i in range(1, workers + 1)
        ]

    @staticmethod
    def workers(spec: MemberSpec) -> int:
        """One node is a lone, schedulable control plane; more nodes are all workers."""
        return 0 if spec.nodes.count <= 1 else spec.nodes.count

    def cluster_config(self, spec: MemberSpec) -> dict[str, Any]:
        """The kind ``Cluster`` document: API server on 127.0.0.1, nodes, kubelet maxPods."""
        nodes: list[dict[str, Any]] = [{"role": "control-plane"}]
        nodes += [{"role": "worker"} for _ in range(self.workers(spec))]
        if self.node_image:
            for node in nodes:
                node["image"] = self.node_image
        return {
            "kind": "Cluster",
            "apiVersion": "kind.x-k8s.io/v1alpha4",
            "networking": {"apiServerAddress": "127.0.0.1"},
            "nodes": nodes,
            "kubeadmConfigPatches": [f"kind: KubeletConfiguration\nmaxPods: {spec.nodes.pods}\n"],
        }

    def create_command(self, spec: MemberSpec) -> list[str]:
        return [
            self.kind_binary,
            "create",
            "cluster",
            "--name",
            spec.name,
            "--kubeconfig",
            str(self.kubeconfig(spec.name)),
            "--config",
            str(self.config_path(spec.name)),
            "--wait",
            self.wait,
        ]

    def delete_command(self, name: str) -> list[str]:
        return [
            self.kind_binary,
            "delete",
            "cluster",
            "--name",
            name,
            "--kubeconfig",
            str(self.kubeconfig(name)),
        ]

    def readyz_command(self, name: str) -> list[str]:
        return [
            self.kubectl,
            "--kubeconfig",
            str(self.kubeconfig(name)),
            "--context",
            self.context(name),
            "get",
            "--raw",
            "/readyz",
            "--request-timeout",
            "5s",
        ]

    # --- lifecycle -------------------------------------------------------------------------
    def up(self, specs: Iterable[MemberSpec]) -> list[MemberHandle]:
        handles = []
        self.kind_dir.mkdir(parents=True, exist_ok=True)
        for spec in specs:
            self.log(
                f"{spec.name}: kind cannot fake node capacity; cpu={spec.nodes.cpu} "
                f"memory={spec.nodes.memory} are ignored (pods={spec.nodes.pods} is "
                "the kubelet's maxPods)"
            )
            self.config_path(spec.name).write_text(
                yaml.safe_dump(self.cluster_config(spec), sort_keys=False)
            )
            self.run(self.create_command(spec))
            handles.append(self.handle(spec.name))
        return handles

    def handle(self, name: str) -> MemberHandle:
        server = ""
        path = self.kubeconfig(name)
        if path.is_file():
            doc = yaml.safe_load(path.read_text()) or {}
            for cluster in doc.get("clusters", []):
                if cluster["name"] == self.context(name):
                    server = cluster["cluster"]["server"]
        return MemberHandle(
            name=name,
            kubeconfig=str(path),
            context=self.context(name),
            server=server,
            direct_server=server,
            workdir=str(self.kind_dir),
            direct_context=self.context(name),
            pid_dir="",
            provider=self.kind,
        )

    def names(self) -> list[str]:
        if self.dry_run:
            return sorted(
                p.name.removesuffix(".cluster.yaml") for p in self.kind_dir.glob("*.cluster.yaml")
            )
        out = self.run([self.kind_binary, "get", "clusters"], check=False)
        return sorted(line.strip() for line in out.splitlines() if line.strip())

    def down(self, names: Iterable[str] | None = None) -> None:
        for name in list(names) if names is not None else self.names():
            self.run(self.delete_command(name))
            for path in (self.kubeconfig(name), self.config_path(name)):
                path.unlink(missing_ok=True)

    def status(self) -> dict[str, bool]:
        result = {}
        for name in self.names():
            self.commands.append(self.readyz_command(name))
            if self.dry_run:
                result[name] = False
                continue
            out = self.runner(self.readyz_command(name))
            result[name] = out.returncode == 0 and out.stdout.strip() == "ok"
        return result

    # --- faults: the kind equivalents of federation.kube.faults ----------------------------
    def fault_commands(
        self, fault: Fault, workers: int = 0, revert: bool = False, iface: str = "eth0"
    ) -> list[list[str]]:
        """Commands that inject (or revert) ``fault`` on a kind member."""
        name, d = fault.member, self.docker
        cp = f"{name}-control-plane"
        if fault.kind == "outage":
            return [[d, "start" if revert else "stop", cp]]
        if fault.kind == "hang":
            return [[d, "unpause" if revert else "pause", cp]]
        if fault.kind == "partition":
            return [
                [d, "network", "connect" if revert else "disconnect", KIND_NETWORK, n]
                for n in self.node_names(name, workers)
            ]
        if fault.kind == "latency":
            if revert:
                return [[d, "exec", cp, "tc", "qdisc", "del", "dev", iface, "root"]]
            delay = [f"{int(fault.param('ms', 100))}ms"]
            if fault.param("jitter_ms"):
                delay.append(f"{int(fault.param('jitter_ms'))}ms")
            return [
                [
                    d,
                    "exec",
                    cp,
                    "tc",
                    "qdisc",
                    "add",
                    "dev",
                    iface,
                    "root",
                    "netem",
                    "delay",
                    *delay,
                ]
            ]
        if fault.kind == "node-loss":
            victims = self.node_names(name, workers)[1:][-int(fault.param("count", 1)) :]
            return [[d, "start" if revert else "stop", v] for v in victims]
        # node-agent: stop the kubelets, nodes go NotReady after the grace period
        return [
            [d, "exec", n, "systemctl", "start" if revert else "stop", "kubelet"]
            for n in self.node_names(name, workers)
        ]

    def inject(self, fault: Fault, workers: int = 0) -> None:
        for cmd in self.fault_commands(fault, workers):
            self.run(cmd)

    def revert(self, fault: Fault, workers: int = 0) -> None:
        for cmd in self.fault_commands(fault, workers, revert=True):
            self.run(cmd)
