"""Cleanup on real members: delete every object kfed manages (found by its ownership label),
so a run starts from a clean slate and leaves no orphans behind."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from federation.kube.members import MemberHandle, member_client
from federation.kube.resources import KINDS, MANAGED_SELECTOR

# delete what lives in namespaces before the namespaces themselves
ORDER = ("Deployment", "Job", "Service", "ConfigMap", "Secret", "Namespace")


def managed_objects(handle: MemberHandle) -> list[tuple[str, str, str]]:
    """(kind, namespace, name) of every kfed-managed object on a member (direct connection)."""
    client: Any = member_client(handle, direct=True, retries=1)
    try:
        found = []
        for kind in ORDER:
            items = (
                KINDS[kind]
                .list_fn(client)(label_selector=MANAGED_SELECTOR, _request_timeout=10)
                .items
            )
            for o in items:
                found.append((kind, o.metadata.namespace or "", o.metadata.name))
        return found
    finally:
        client.close()


class CleanupError(RuntimeError):
    """Managed objects were still there when the wait ran out."""


def delete_managed(handles: Iterable[MemberHandle], wait: float = 60.0) -> int:
    """Delete kfed's objects on every member; wait until they are gone (CleanupError naming
    what is left when they are not). Returns how many were deleted."""
    total = 0
    handles = list(handles)
    for h in handles:
        client: Any = member_client(h, direct=True, retries=1)
        try:
            for kind, ns, name in managed_objects(h):
                try:
                    KINDS[kind].delete(client, name, ns, 10.0)
                    total += 1
                except Exception as e:
                    if getattr(e, "status", None) not in (404, 409):  # gone, or going
                        raise
        finally:
            client.close()
    deadline = time.monotonic() + wait
    while True:
        # namespaces too: the next run may want the same name, and a terminating namespace
        # refuses new objects
        left = {h.name: objs for h in handles if (objs := managed_objects(h))}
        if not left:
            return total
        if time.monotonic() >= deadline:
            raise CleanupError(f"still there after {wait:.0f}s: {left}")
        time.sleep(0.3)
