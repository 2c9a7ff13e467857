"""Kubeconfig documents kfed writes for its members: one per member, and one merged file."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from federation.kube.members import TLSFiles


def member(
    context: str, direct_context: str, server: str, direct_server: str, tls: TLSFiles
) -> dict[str, Any]:
    """Two contexts on one user: `context` through the proxy, `direct_context` around it (for
    probes of the member itself while a fault sits on its proxy)."""
    user = {"client-certificate": tls.cert, "client-key": tls.key}
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {"name": context, "cluster": {"server": server, "certificate-authority": tls.ca}},
            {
                "name": direct_context,
                "cluster": {"server": direct_server, "certificate-authority": tls.ca},
            },
        ],
        "users": [{"name": context, "user": user}],
        "contexts": [
            {"name": context, "context": {"cluster": context, "user": context}},
            {"name": direct_context, "context": {"cluster": direct_context, "user": context}},
        ],
        "current-context": context,
    }


def merged(docs: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Every member's clusters, users and contexts in one file; the first member is current."""
    out: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [],
        "users": [],
        "contexts": [],
    }
    for doc in docs:
        for key in ("clusters", "users", "contexts"):
            out[key].extend(doc[key])
        out.setdefault("current-context", doc["current-context"])
    return out
