"""The controller's writes, as functions the host writer runs on its thread: a binding and
its status, a status subresource, a template's aggregated status, an event, a finalizer added or
removed at the object's current version, and the removal of everything kfed put on a member."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from federation.controller import requests
from federation.controller.templates import finalizers
from federation.kube.resources import KINDS, MANAGED_SELECTOR

STATUS_MANAGER = "kfed-controller"


def apply_binding(doc: Mapping[str, Any], st: Mapping[str, Any]) -> Any:
    def write(host: Any) -> None:
        requests.apply(host, doc, STATUS_MANAGER)
        requests.apply(host, st, STATUS_MANAGER, subresource="status")

    return write


def apply_status(doc: Mapping[str, Any]) -> Any:
    return lambda host: requests.apply(host, doc, STATUS_MANAGER, subresource="status")


def apply_template_status(tpl: Mapping[str, Any], status: Any, ready: int) -> Any:
    meta = tpl["metadata"]
    desired = status.desired or 0
    replicas = max(sum((cs.desired or 0) for cs in status.clusters.values()), ready)
    doc = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": meta["name"], "namespace": meta["namespace"]},
        "status": {
            "observedGeneration": int(meta.get("generation") or 0),
            "replicas": replicas,
            "readyReplicas": ready,
            "availableReplicas": ready,
            "updatedReplicas": min(ready, desired),
        },
    }
    return lambda host: requests.apply(host, doc, STATUS_MANAGER, subresource="status")


def create(ev: Mapping[str, Any]) -> Any:
    return lambda host: requests.create(host, ev)


def set_finalizer(obj: Mapping[str, Any], name: str, add: bool) -> Any:
    kind = obj["kind"]
    meta = obj["metadata"]

    def write(host: Any) -> None:
        cur = requests.get(host, kind, meta.get("namespace", ""), meta["name"])
        if cur is None or cur["metadata"].get("uid") != meta.get("uid"):
            return
        fins = finalizers(cur)
        if add == (name in fins):
            return
        fins = [*fins, name] if add else [f for f in fins if f != name]
        requests.patch_finalizers(host, {**cur, "kind": kind}, fins)

    return write


def delete_managed(creds: Any) -> Any:
    order = ("Deployment", "Job", "Service", "ConfigMap", "Secret", "Namespace")

    def write(host: Any) -> None:
        client = creds.client()
        try:
            for kind in order:
                items = KINDS[kind].list_fn(client)(
                    label_selector=MANAGED_SELECTOR, _request_timeout=10
                )
                for o in items.items:
                    try:
                        KINDS[kind].delete(
                            client, o.metadata.name, o.metadata.namespace or "", 10.0
                        )
                    except Exception as e:
                        if getattr(e, "status", None) not in (404, 409):
                            raise
        finally:
            client.close()

    return write


def chain(steps: list[Any]) -> Any:
    def write(host: Any) -> None:
        for step in steps:
            step(host)

    return write
