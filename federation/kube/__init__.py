"""The real-cluster driver: local member clusters (kwok, kind), their clients and fault injection.

Submodules are imported lazily so that ``python -m federation.kube.binaries`` runs on a bare
Python with no third-party packages, and importing ``federation.kube`` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "NodePool": "federation.kube.members",
    "MemberSpec": "federation.kube.members",
    "MemberHandle": "federation.kube.members",
    "member_client": "federation.kube.members",
    "Provider": "federation.kube.members",
    "Fault": "federation.kube.faults",
    "FaultInjector": "federation.kube.faults",
    "KwokProvider": "federation.kube.kwok",
    "KindProvider": "federation.kube.kind",
    "Toxiproxy": "federation.kube.toxiproxy",
    "clusters_command": "federation.kube.provision",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'federation.kube' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
