"""kwokctl, the tool that runs each kwok member's processes: its configuration and invocation."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from federation.kube.pins import KUBE_VERSION

# KwokctlConfiguration options that fix a component's port; kfed fills each one.
PORT_OPTIONS = (
    "kubeApiserverPort",
    "etcdPort",
    "etcdPeerPort",
    "kwokControllerPort",
    "kubeControllerManagerPort",
    "kubeSchedulerPort",
)
COMPONENTS = (
    "etcd",
    "kube-apiserver",
    "kube-controller-manager",
    "kube-scheduler",
    "kwok-controller",
)


# A federation host (controller mode) stores templates and policies and runs no workloads: no
# scheduler, no fake nodes, and of the controller-manager only what keeps the API itself working
# (namespace deletion, garbage collection of owned objects, service accounts and their tokens),
# as Karmada's host does.
HOST_COMPONENTS = ("etcd", "kube-apiserver", "kube-controller-manager")
HOST_CONTROLLERS = "namespace,garbagecollector,serviceaccount,serviceaccount-token"


class KwokError(RuntimeError):
    """kwokctl failed or a member did not become ready."""


def host_configuration(bins: Mapping[str, Path]) -> dict[str, Any]:
    """The KwokctlConfiguration of a federation host: etcd, kube-apiserver and a
    controller-manager running only `HOST_CONTROLLERS`."""
    config = configuration(bins, 1.0)
    config["componentsPatches"] = [
        {
            "name": "kube-controller-manager",
            "extraArgs": [
                {"key": "leader-elect", "value": "false"},
                {"key": "controllers", "value": HOST_CONTROLLERS},
            ],
        }
    ]
    return config


def configuration(bins: Mapping[str, Path], heartbeat_factor: float) -> dict[str, Any]:
    """The KwokctlConfiguration: local binaries only, loopback only, fast heartbeats.

    Leader election is off for the controller-manager and scheduler: with one replica it buys
    nothing, and an elected leader exits when a hung API server (SIGSTOP) lets its lease lapse,
    which would leave the member without controllers after the fault.
    """
    no_election = [{"key": "leader-elect", "value": "false"}]
    return {
        "apiVersion": "config.kwok.x-k8s.io/v1alpha1",
        "kind": "KwokctlConfiguration",
        "options": {
            "runtime": "binary",
            "bindAddress": "127.0.0.1",
            "kubeVersion": KUBE_VERSION,
            "kubeApiserverBinary": str(bins["kube-apiserver"]),
            "kubeControllerManagerBinary": str(bins["kube-controller-manager"]),
            "kubeSchedulerBinary": str(bins["kube-scheduler"]),
            "kwokControllerBinary": str(bins["kwok"]),
            "etcdBinary": str(bins["etcd"]),
            "kubectlBinary": str(bins["kubectl"]),
            "heartbeatFactor": heartbeat_factor,
        },
        "componentsPatches": [
            {"name": "kube-controller-manager", "extraArgs": no_election},
            {"name": "kube-scheduler", "extraArgs": no_election},
        ],
    }


def environment(bins: Mapping[str, Path], workdir: Path) -> dict[str, str]:
    """kwokctl's environment: its work directory, and kubectl on PATH (kwokctl calls it)."""
    env = dict(os.environ)
    env["KWOK_WORKDIR"] = str(workdir)
    env["PATH"] = f"{bins['kubectl'].parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def run(bins: Mapping[str, Path], workdir: Path, *args: str, timeout: float = 300.0) -> str:
    """Run kwokctl in `workdir`; raises KwokError with its output on failure."""
    cmd = [str(bins["kwokctl"]), *args]
    try:
        out = subprocess.run(
            cmd,
            env=environment(bins, workdir),
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise KwokError(f"{' '.join(cmd)} timed out after {timeout:.0f}s") from exc
    if out.returncode != 0:
        raise KwokError(f"{' '.join(cmd)} failed ({out.returncode}):\n{out.stdout}{out.stderr}")
    return out.stdout
