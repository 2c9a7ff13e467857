"""The least privilege a member's credentials need: the documented ClusterRole `kfed join`
binds to the ServiceAccount whose token the controller uses. Reads of pods and nodes count
replicas and free room; writes are server-side apply (patch) and delete of the kinds kfed
propagates; the probes read /readyz."""

from __future__ import annotations

from typing import Any

from federation.controller.templates import SYSTEM_NAMESPACE

SERVICE_ACCOUNT = "kfed-controller"
ROLE = "kfed-member"
TOKEN_SECRET = "kfed-controller-token"
_WRITE = ["get", "list", "watch", "create", "patch", "delete"]  # apply creates

RULES: list[dict[str, Any]] = [
    {
        "apiGroups": [""],
        "resources": ["namespaces", "configmaps", "secrets", "services"],
        "verbs": _WRITE,
    },
    {"apiGroups": ["apps"], "resources": ["deployments"], "verbs": _WRITE},
    {"apiGroups": ["batch"], "resources": ["jobs"], "verbs": _WRITE},
    {"apiGroups": [""], "resources": ["pods", "nodes"], "verbs": ["list", "watch"]},
    {"nonResourceURLs": ["/readyz", "/version"], "verbs": ["get"]},
]


def member_objects() -> list[dict[str, Any]]:
    """What `kfed join` creates on a member: a namespace, the ServiceAccount, the ClusterRole,
    its binding, and the Secret the token controller fills with the account's token."""
    labels = {"app.kubernetes.io/part-of": "kfed"}
    return [
        {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": SYSTEM_NAMESPACE, "labels": labels},
        },
        {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": {"name": SERVICE_ACCOUNT, "namespace": SYSTEM_NAMESPACE, "labels": labels},
        },
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRole",
            "metadata": {"name": ROLE, "labels": labels},
            "rules": RULES,
        },
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRoleBinding",
            "metadata": {"name": ROLE, "labels": labels},
            "roleRef": {
                "apiGroup": "rbac.authorization.k8s.io",
                "kind": "ClusterRole",
                "name": ROLE,
            },
            "subjects": [
                {"kind": "ServiceAccount", "name": SERVICE_ACCOUNT, "namespace": SYSTEM_NAMESPACE}
            ],
        },
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "type": "kubernetes.io/service-account-token",
            "metadata": {
                "name": TOKEN_SECRET,
                "namespace": SYSTEM_NAMESPACE,
                "labels": labels,
                "annotations": {"kubernetes.io/service-account.name": SERVICE_ACCOUNT},
            },
        },
    ]
