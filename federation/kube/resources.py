"""The Kubernetes kinds kfed propagates: how to server-side apply, delete and list each one
through the official client, and how to read an object back as an `ObservedObject`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from federation.core.model import ObservedObject
from federation.core.propagation import HASH_ANNOTATION, MANAGED_BY, MANAGER, WORKLOAD_ANNOTATION

FIELD_MANAGER = "kfed"
APPLY_CONTENT_TYPE = "application/apply-patch+yaml"
MANAGED_SELECTOR = f"{MANAGED_BY}={MANAGER}"


@dataclass(frozen=True)
class Kind:
    kind: str
    api: str  # kubernetes.client class name
    plural: str  # used in method names: patch_namespaced_<plural> / list_<plural>...
    namespaced: bool = True

    def client(self, api_client: Any) -> Any:
        from kubernetes import client

        return getattr(client, self.api)(api_client)

    def _method(self, verb: str) -> str:
        return f"{verb}_namespaced_{self.plural}" if self.namespaced else f"{verb}_{self.plural}"

    def apply(self, api_client: Any, manifest: Mapping[str, Any], timeout: float) -> None:
        meta = manifest["metadata"]
        args: list[Any] = [meta["name"]]
        if self.namespaced:
            args.append(meta.get("namespace") or "default")
        resp = getattr(self.client(api_client), self._method("patch"))(
            *args,
            dict(manifest),
            field_manager=FIELD_MANAGER,
            force=True,
            _content_type=APPLY_CONTENT_TYPE,
            _request_timeout=timeout,
            # the answer is not read into a typed model (the watch brings the object back):
            # a non-2xx still raises ApiException
            _preload_content=False,
        )
        try:
            resp.data  # noqa: B018 - read the body so the connection can be reused
        finally:
            resp.release_conn()

    def delete(self, api_client: Any, name: str, namespace: str, timeout: float) -> None:
        from kubernetes import client

        args: list[Any] = [name]
        if self.namespaced:
            args.append(namespace or "default")
        getattr(self.client(api_client), self._method("delete"))(
            *args,
            body=client.V1DeleteOptions(propagation_policy="Background"),
            _request_timeout=timeout,
        )

    def list_fn(self, api_client: Any) -> Callable[..., Any]:
        """The list call a watch streams from (all namespaces for namespaced kinds)."""
        c = self.client(api_client)
        if self.namespaced:
            return getattr(c, f"list_{self.plural}_for_all_namespaces")  # type: ignore[no-any-return]
        return getattr(c, f"list_{self.plural}")  # type: ignore[no-any-return]


class CustomKind(Kind):
    """A namespaced custom resource, through the CustomObjectsApi (ServiceExport)."""

    gvp: tuple[str, str, str]  # group, version, plural

    def __init__(self, kind: str, group: str, version: str, plural: str) -> None:
        super().__init__(kind, "CustomObjectsApi", plural)
        object.__setattr__(self, "gvp", (group, version, plural))

    def apply(self, api_client: Any, manifest: Mapping[str, Any], timeout: float) -> None:
        meta = manifest["metadata"]
        group, version, plural = self.gvp
        self.client(api_client).patch_namespaced_custom_object(
            group, version, meta.get("namespace") or "default", plural, meta["name"],
            dict(manifest), field_manager=FIELD_MANAGER, force=True,
            _content_type=APPLY_CONTENT_TYPE, _request_timeout=timeout,
        )  # fmt: skip

    def delete(self, api_client: Any, name: str, namespace: str, timeout: float) -> None:
        group, version, plural = self.gvp
        self.client(api_client).delete_namespaced_custom_object(
            group, version, namespace or "default", plural, name, _request_timeout=timeout
        )

    def list_fn(self, api_client: Any) -> Callable[..., Any]:
        group, version, plural = self.gvp
        return partial(self.client(api_client).list_cluster_custom_object, group, version, plural)


# the MCS ServiceExport (KEP-1645); its CRD is installed on members by `federation.kube.mcs`
GROUP, VERSION, PLURAL = "multicluster.x-k8s.io", "v1alpha1", "serviceexports"

KINDS: Mapping[str, Kind] = {
    k.kind: k
    for k in (
        Kind("Namespace", "CoreV1Api", "namespace", namespaced=False),
        Kind("ConfigMap", "CoreV1Api", "config_map"),
        Kind("Secret", "CoreV1Api", "secret"),
        Kind("Service", "CoreV1Api", "service"),
        Kind("Deployment", "AppsV1Api", "deployment"),
        Kind("Job", "BatchV1Api", "job"),
        CustomKind("ServiceExport", GROUP, VERSION, PLURAL),
    )
}
# the kinds every member serves (watched by default); custom ones need their CRD first
BUILTIN_KINDS = tuple(k for k, v in KINDS.items() if not isinstance(v, CustomKind))


def split_key(key: str) -> tuple[str, str, str]:
    """(kind, namespace, name) of a workload key."""
    parts = key.split("/")
    if len(parts) == 2:
        return parts[0], "", parts[1]
    return parts[0], parts[1], parts[2]


def observed(
    kind: str, obj: Mapping[str, Any], scheduled: int | None = None
) -> ObservedObject | None:
    """The ObservedObject for an object we manage (its JSON), or None when it is not ours."""
    meta = obj["metadata"]
    ann = meta.get("annotations") or {}
    key = ann.get(WORKLOAD_ANNOTATION)
    if not key:
        return None
    digest = ann.get(HASH_ANNOTATION, "")
    spec, st = obj.get("spec") or {}, obj.get("status") or {}
    if kind == "Deployment":
        return ObservedObject(
            key, digest, spec.get("replicas"), st.get("readyReplicas") or 0, scheduled
        )
    if kind == "Job":
        succeeded = st.get("succeeded") or 0
        done = succeeded + (st.get("ready") or 0)
        return ObservedObject(
            key, digest, spec.get("completions"), done, scheduled, succeeded=succeeded
        )
    return ObservedObject(key, digest)
