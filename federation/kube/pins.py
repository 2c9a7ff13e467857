"""The pinned local Kubernetes binaries: which version each must report, which Go module under
``tools/`` builds it, and how long that takes. Standard library only (see ``binaries``)."""

from __future__ import annotations

from dataclasses import dataclass

KUBE_VERSION = "v1.36.3"
ETCD_VERSION = "v3.6.14"
KWOK_VERSION = "v0.8.0"
TOXIPROXY_VERSION = "v2.12.0"
KIND_VERSION = "v0.33.0"

GO_ENV = {"GOTOOLCHAIN": "local", "GOWORK": "off", "GOFLAGS": "", "CGO_ENABLED": "0"}


def _kube_ldflags() -> tuple[str, ...]:
    major, minor = KUBE_VERSION.lstrip("v").split(".")[:2]
    flags: list[str] = []
    for pkg in ("k8s.io/component-base/version", "k8s.io/client-go/pkg/version"):
        flags += [
            f"-X {pkg}.gitVersion={KUBE_VERSION}",
            f"-X {pkg}.gitMajor={major}",
            f"-X {pkg}.gitMinor={minor}",
            f"-X {pkg}.gitTreeState=clean",
        ]
    return tuple(flags)


@dataclass(frozen=True)
class BinarySpec:
    """One binary: its cache file name, override variable, Go wrapper module and version probe."""

    name: str
    env: str
    module: str  # directory under tools/
    package: str
    version_args: tuple[str, ...]
    expect: str  # substring the version output must contain
    ldflags: tuple[str, ...] = ()


SPECS: tuple[BinarySpec, ...] = (
    BinarySpec(
        "kube-apiserver",
        "KFED_KUBE_APISERVER",
        "k8sbin",
        "k8s.io/kubernetes/cmd/kube-apiserver",
        ("--version",),
        f"Kubernetes {KUBE_VERSION}",
        _kube_ldflags(),
    ),
    BinarySpec(
        "kube-controller-manager",
        "KFED_KUBE_CONTROLLER_MANAGER",
        "k8sbin",
        "k8s.io/kubernetes/cmd/kube-controller-manager",
        ("--version",),
        f"Kubernetes {KUBE_VERSION}",
        _kube_ldflags(),
    ),
    BinarySpec(
        "kube-scheduler",
        "KFED_KUBE_SCHEDULER",
        "k8sbin",
        "k8s.io/kubernetes/cmd/kube-scheduler",
        ("--version",),
        f"Kubernetes {KUBE_VERSION}",
        _kube_ldflags(),
    ),
    BinarySpec(
        "etcd",
        "KFED_ETCD",
        "etcdbin",
        "go.etcd.io/etcd/server/v3",
        ("--version",),
        f"etcd Version: {ETCD_VERSION.lstrip('v')}",
    ),
    BinarySpec(
        "kwok",
        "KFED_KWOK",
        "kwokbin",
        "sigs.k8s.io/kwok/cmd/kwok",
        ("--version",),
        KWOK_VERSION.lstrip("v"),
    ),
    BinarySpec(
        "kwokctl",
        "KFED_KWOKCTL",
        "kwokbin",
        "sigs.k8s.io/kwok/cmd/kwokctl",
        ("--version",),
        KWOK_VERSION.lstrip("v"),
    ),
    BinarySpec(
        "toxiproxy-server",
        "KFED_TOXIPROXY_SERVER",
        "toxiproxybin",
        "github.com/Shopify/toxiproxy/v2/cmd/server",
        ("-version",),
        TOXIPROXY_VERSION,
        (f"-X github.com/Shopify/toxiproxy/v2.Version={TOXIPROXY_VERSION}",),
    ),
    BinarySpec(
        "toxiproxy-cli",
        "KFED_TOXIPROXY_CLI",
        "toxiproxybin",
        "github.com/Shopify/toxiproxy/v2/cmd/cli",
        ("--version",),
        TOXIPROXY_VERSION,
        (f"-X github.com/Shopify/toxiproxy/v2.Version={TOXIPROXY_VERSION}",),
    ),
    # kind needs Docker to run clusters; here it checks the cluster configs kfed writes
    BinarySpec(
        "kind",
        "KFED_KIND",
        "kindbin",
        "sigs.k8s.io/kind",
        ("version",),
        f"kind {KIND_VERSION}",
    ),
)
SPEC_BY_NAME: dict[str, BinarySpec] = {s.name: s for s in SPECS}
# minutes per tools/ module from an empty Go cache on 2 cores (2026-11-29: 7.5, 0.8, 1.9, 0.2,
# 0.1; the apiserver's module first, so the others reuse its downloads)
BUILD_MINUTES = {"k8sbin": 7.5, "etcdbin": 0.8, "kwokbin": 1.9, "toxiproxybin": 0.3, "kindbin": 0.2}
KUBECTL_ENV = "KFED_KUBECTL"
