"""`kfed controller install`: kfed's CRDs and its system namespace on a host, applied
server-side (so re-running it upgrades them) and waited for until the API serves them."""

from __future__ import annotations

import time
from typing import Any

from federation.controller import requests
from federation.controller.crds import crds
from federation.controller.join import ensure_namespace

MANAGER = "kfed-install"


def manifests() -> list[dict[str, Any]]:
    ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "kfed-system"}}
    return [*crds(), ns]


def install(host: Any, timeout: float = 60.0) -> list[str]:
    """Apply the CRDs and the namespace; wait until every CRD is Established."""
    names = []
    for crd in crds():
        requests.apply(host, crd, MANAGER)
        names.append(crd["metadata"]["name"])
    ensure_namespace(host)
    deadline = time.monotonic() + timeout
    for name in names:
        while True:
            obj = requests.get(host, "CustomResourceDefinition", "", name) or {}
            conds = (obj.get("status") or {}).get("conditions") or []
            if any(c["type"] == "Established" and c["status"] == "True" for c in conds):
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"CRD {name} not Established after {timeout:.0f}s")
            time.sleep(0.1)
    return names
