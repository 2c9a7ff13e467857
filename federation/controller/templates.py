"""Host objects as kfed documents: a template or policy read from the host API server, stripped
of what the server added (identity, bookkeeping, status, allocated addresses), so the manifest
kfed propagates is what the user wrote plus the server's harmless defaults."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from federation.api.kinds import NATIVE

SYSTEM_NAMESPACE = "kfed-system"  # members' credentials and the leader-election lease
# never templates: the host's own namespaces and kfed's (a policy selecting every Secret must
# not send members' credentials to the members)
EXCLUDED_NAMESPACES = frozenset({SYSTEM_NAMESPACE, "kube-system", "kube-public", "kube-node-lease"})
_EXCLUDED_NAMESPACE_OBJECTS = EXCLUDED_NAMESPACES | {"default"}
CLEANUP_FINALIZER = "kfed.io/cleanup"  # a template's copies are deleted before it goes
_SERVER_META = (
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "managedFields",
    "finalizers",
    "ownerReferences",
    "selfLink",
)
_CLIENT_ANNOTATIONS = ("kubectl.kubernetes.io/last-applied-configuration",)
# labels the host's controllers derive from a Job's host identity (the member makes its own)
_JOB_LABELS = (
    "controller-uid",
    "batch.kubernetes.io/controller-uid",
    "job-name",
    "batch.kubernetes.io/job-name",
)


def is_template(obj: Mapping[str, Any]) -> bool:
    """Whether a host object of a native kind is a template kfed may propagate."""
    meta = obj.get("metadata") or {}
    if obj.get("kind") == "Namespace":
        return meta.get("name") not in _EXCLUDED_NAMESPACE_OBJECTS
    return meta.get("namespace") not in EXCLUDED_NAMESPACES


def document(obj: Mapping[str, Any]) -> dict[str, Any]:
    """The kfed document of a host object: metadata trimmed to what a user writes, no status;
    a template also loses what its server allocated (a Service's cluster IPs, a Job's
    selector)."""
    out = copy.deepcopy(dict(obj))
    meta = out.get("metadata") or {}
    for k in _SERVER_META:
        meta.pop(k, None)
    ann = meta.get("annotations")
    if ann:
        for k in _CLIENT_ANNOTATIONS:
            ann.pop(k, None)
        if not ann:
            del meta["annotations"]
    if not meta.get("labels"):
        meta.pop("labels", None)
    out.pop("status", None)
    kind = out.get("kind")
    if kind not in NATIVE:
        meta = {
            k: v for k, v in meta.items() if k in ("name", "namespace", "labels", "annotations")
        }
        out["metadata"] = meta
        return out
    spec = out.get("spec")
    if kind == "Namespace":
        out.pop("spec", None)
        labels = meta.get("labels") or {}
        labels.pop("kubernetes.io/metadata.name", None)
        if not labels:
            meta.pop("labels", None)
    elif kind == "Service" and isinstance(spec, dict):
        for k in ("clusterIP", "clusterIPs", "healthCheckNodePort"):
            spec.pop(k, None)
    elif kind == "Job" and isinstance(spec, dict):
        spec.pop("selector", None)
        spec.pop("manualSelector", None)
        labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
        for k in _JOB_LABELS:
            labels.pop(k, None)
    return out


def deleting(obj: Mapping[str, Any]) -> bool:
    return bool((obj.get("metadata") or {}).get("deletionTimestamp"))


def finalizers(obj: Mapping[str, Any]) -> list[str]:
    return list((obj.get("metadata") or {}).get("finalizers") or [])
