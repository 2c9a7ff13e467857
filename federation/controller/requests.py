"""Plain REST calls on any API server through an `ApiClient` (its TLS, token or client
certificate): server-side apply, get, list, delete and optimistic merge patches of the few
kinds controller mode touches, as JSON. Errors raise `ApiException` with the status and reason
only, never the body (which may hold a Secret's data)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from federation.controller.crds import GROUP, VERSION, namespaced, plural
from federation.controller.crds import KINDS as KFED_KINDS

TIMEOUT = 10.0
APPLY = "application/apply-patch+yaml"
MERGE = "application/merge-patch+json"

# kind -> (apiVersion, plural, namespaced)
RESOURCES: dict[str, tuple[str, str, bool]] = {
    "Namespace": ("v1", "namespaces", False),
    "ConfigMap": ("v1", "configmaps", True),
    "Secret": ("v1", "secrets", True),
    "Service": ("v1", "services", True),
    "ServiceAccount": ("v1", "serviceaccounts", True),
    "Event": ("v1", "events", True),
    "Deployment": ("apps/v1", "deployments", True),
    "Job": ("batch/v1", "jobs", True),
    "ClusterRole": ("rbac.authorization.k8s.io/v1", "clusterroles", False),
    "ClusterRoleBinding": ("rbac.authorization.k8s.io/v1", "clusterrolebindings", False),
    "Lease": ("coordination.k8s.io/v1", "leases", True),
    "CustomResourceDefinition": (
        "apiextensions.k8s.io/v1",
        "customresourcedefinitions",
        False,
    ),
    "SelfSubjectAccessReview": (
        "authorization.k8s.io/v1",
        "selfsubjectaccessreviews",
        False,
    ),
    **{k: (f"{GROUP}/{VERSION}", plural(k), namespaced(k)) for k in KFED_KINDS},
}


def path(kind: str, namespace: str = "", name: str = "", subresource: str = "") -> str:
    api, res, is_namespaced = RESOURCES[kind]
    out = f"/api/{api}" if "/" not in api else f"/apis/{api}"
    if is_namespaced and namespace:
        out += f"/namespaces/{namespace}"
    out += f"/{res}"
    if name:
        out += f"/{name}"
    if subresource:
        out += f"/{subresource}"
    return out


def call(
    api_client: Any,
    method: str,
    url_path: str,
    *,
    body: Any = None,
    query: Sequence[tuple[str, str]] = (),
    content_type: str = "application/json",
    timeout: float = TIMEOUT,
) -> Any:
    """One request; the parsed JSON answer (None when empty). Non-2xx raises ApiException."""
    from kubernetes.client.exceptions import ApiException

    method_, url, headers, body_, _ = api_client.param_serialize(
        method=method,
        resource_path=url_path,
        query_params=list(query),
        header_params={"Content-Type": content_type, "Accept": "application/json"},
        body=body,
        auth_settings=["BearerToken"],
    )
    resp = api_client.call_api(
        method_, url, header_params=headers, body=body_, _request_timeout=timeout
    )
    data = resp.read()
    if not 200 <= resp.status < 300:
        raise ApiException(status=resp.status, reason=resp.reason)
    return json.loads(data) if data else None


def _where(obj: Mapping[str, Any]) -> tuple[str, str, str]:
    meta = obj["metadata"]
    return obj["kind"], meta.get("namespace", ""), meta["name"]


def apply(api_client: Any, obj: Mapping[str, Any], manager: str, *, subresource: str = "") -> Any:
    """Server-side apply of `obj` (force: kfed owns the fields it writes)."""
    kind, ns, name = _where(obj)
    return call(
        api_client,
        "PATCH",
        path(kind, ns, name, subresource),
        body=dict(obj),
        query=[("fieldManager", manager), ("force", "true")],
        content_type=APPLY,
    )


def get(api_client: Any, kind: str, namespace: str, name: str) -> Any:
    """The object, or None when it does not exist."""
    from kubernetes.client.exceptions import ApiException

    try:
        return call(api_client, "GET", path(kind, namespace, name))
    except ApiException as e:
        if e.status == 404:
            return None
        raise


def items(api_client: Any, kind: str, namespace: str = "", selector: str = "") -> list[Any]:
    query = [("labelSelector", selector)] if selector else []
    return list(call(api_client, "GET", path(kind, namespace), query=query)["items"])


def delete(api_client: Any, kind: str, namespace: str, name: str) -> bool:
    """Delete (background propagation); False when it was not there."""
    from kubernetes.client.exceptions import ApiException

    try:
        call(
            api_client,
            "DELETE",
            path(kind, namespace, name),
            body={"propagationPolicy": "Background"},
        )
        return True
    except ApiException as e:
        if e.status == 404:
            return False
        raise


def create(api_client: Any, obj: Mapping[str, Any]) -> Any:
    """POST a new object (its name may be a generateName)."""
    ns = obj["metadata"].get("namespace", "")
    return call(api_client, "POST", path(obj["kind"], ns), body=dict(obj))


def patch_finalizers(api_client: Any, obj: Mapping[str, Any], finalizers: list[str]) -> Any:
    """Set `metadata.finalizers` if the object is still at the version read (409 otherwise)."""
    meta = obj["metadata"]
    kind = obj["kind"]
    body = {"metadata": {"resourceVersion": meta["resourceVersion"], "finalizers": finalizers}}
    return call(
        api_client,
        "PATCH",
        path(kind, meta.get("namespace", ""), meta["name"]),
        body=body,
        content_type=MERGE,
    )
