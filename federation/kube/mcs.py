"""Multi-cluster services on real members (KEP-1645 shapes): the ServiceExport custom resource
(its CRD installed on each member, the objects propagated by the core like any template), and
the EndpointSlices kfed collects as the MCS controller.

`EndpointCollector` watches, through the federation's own (fault-injected) connection, the
EndpointSlices each member's EndpointSlice controller keeps for an exported Service, and writes a
copy of them into every member, labelled `multicluster.kubernetes.io/service-name` and
`multicluster.kubernetes.io/source-cluster`, as an MCS implementation imports them. It also
watches those imported slices on every member: the ready endpoints it finds there, per source
cluster, are the endpoints the traffic model's answerer knows. A member the control plane cannot
reach keeps its last copies (Karmada's choice, karmada-io/karmada#6258): nothing is deleted.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from federation.kube.members import MemberHandle, member_client
from federation.kube.resources import APPLY_CONTENT_TYPE, FIELD_MANAGER, GROUP, PLURAL, VERSION
from federation.kube.watching import WatchStream

SERVICE_LABEL = "kubernetes.io/service-name"
MCS_SERVICE_LABEL = "multicluster.kubernetes.io/service-name"
MCS_SOURCE_LABEL = "multicluster.kubernetes.io/source-cluster"
MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by"
MANAGED_BY = "kfed.io"  # not the EndpointSlice controller: it leaves these slices alone
WATCH_SECONDS = 30

CRD: dict[str, Any] = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": f"{PLURAL}.{GROUP}"},
    "spec": {
        "group": GROUP,
        "scope": "Namespaced",
        "names": {"plural": PLURAL, "singular": "serviceexport", "kind": "ServiceExport"},
        "versions": [
            {
                "name": VERSION,
                "served": True,
                "storage": True,
                "subresources": {"status": {}},
                "schema": {
                    "openAPIV3Schema": {
                        "type": "object",
                        "x-kubernetes-preserve-unknown-fields": True,
                    }
                },
            }
        ],
    },
}


def install_crds(handles: Iterable[MemberHandle], timeout: float = 30.0) -> None:
    """The ServiceExport CRD on every member (direct connections), waiting until it serves."""
    from kubernetes import client

    for h in handles:
        api: Any = member_client(h, direct=True, retries=1)
        try:
            ext: Any = client.ApiextensionsV1Api(api)
            try:
                ext.create_custom_resource_definition(CRD, _request_timeout=10)
            except Exception as e:
                if getattr(e, "status", None) != 409:  # already there
                    raise
            deadline = time.monotonic() + timeout
            while True:
                crd = ext.read_custom_resource_definition(CRD["metadata"]["name"])
                conds = {c.type: c.status for c in (crd.status.conditions or [])}
                if conds.get("Established") == "True":
                    break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{h.name}: the ServiceExport CRD is not Established")
                time.sleep(0.2)
        finally:
            api.close()


def ready_endpoints(slice_: Mapping[str, Any]) -> int:
    """Endpoints of a slice that serve: conditions.ready true (or unset, which means ready)."""
    n = 0
    for ep in slice_.get("endpoints") or []:
        ready = (ep.get("conditions") or {}).get("ready")
        if ready is None or ready:
            n += 1
    return n


def imported(service: str, namespace: str, source: str, slices: list[Any]) -> dict[str, Any]:
    """The MCS copy of one source cluster's slices of a service, as one EndpointSlice."""
    endpoints: list[dict[str, Any]] = []
    ports = None
    for sl in slices:
        endpoints.extend(
            {"addresses": ep.get("addresses") or [], "conditions": ep.get("conditions") or {}}
            for ep in sl.get("endpoints") or []
        )
        ports = ports or sl.get("ports")
    return {
        "apiVersion": "discovery.k8s.io/v1",
        "kind": "EndpointSlice",
        "metadata": {
            "name": f"{service}-{source}"[:253],
            "namespace": namespace,
            "labels": {
                MCS_SERVICE_LABEL: service,
                MCS_SOURCE_LABEL: source,
                MANAGED_BY_LABEL: MANAGED_BY,
            },
        },
        "addressType": "IPv4",
        "endpoints": endpoints,
        "ports": ports or [],
    }


class EndpointCollector:
    """Collects the exported services' EndpointSlices from every member and imports them into
    every member; reports the ready endpoints it sees imported, per (source cluster, service
    "namespace/name"), to `sink(cluster, service, n)` (from its own threads)."""

    def __init__(
        self,
        handles: Mapping[str, MemberHandle],
        services: Iterable[str],
        sink: Callable[[str, str, int], None],
    ) -> None:
        self.handles = dict(handles)
        self.services = set(services)
        self.sink = sink
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.local: dict[tuple[str, str], dict[str, Any]] = {}  # (member, svc) -> name -> slice
        self.known: dict[tuple[str, str], int] = {}  # (source, svc) -> ready endpoints
        self.clients: dict[str, Any] = {
            n: member_client(h, retries=0) for n, h in self.handles.items()
        }
        self.threads: list[threading.Thread] = []
        self.errors = 0

    def start(self) -> None:
        for name in self.handles:
            for target, selector in (
                (self._local_event, SERVICE_LABEL),
                (self._import_event, MCS_SERVICE_LABEL),
            ):
                t = threading.Thread(target=self._watch, args=(name, selector, target), daemon=True)
                t.start()
                self.threads.append(t)

    def close(self) -> None:
        self.stop.set()
        for c in self.clients.values():
            c.close()

    def _watch(self, member: str, selector: str, on: Callable[[str, str, Any], None]) -> None:
        from kubernetes import client

        api = client.DiscoveryV1Api(self.clients[member])
        fn: Any = api.list_endpoint_slice_for_all_namespaces
        backoff = 0.2
        while not self.stop.is_set():
            try:
                sel = {"label_selector": selector}
                resp = fn(_preload_content=False, _request_timeout=5, **sel)
                listing = json.loads(resp.data)
                for item in listing["items"]:
                    on(member, "ADDED", item)
                stream = WatchStream(fn, listing["metadata"]["resourceVersion"], sel)
                backoff = 0.2
                while not self.stop.is_set():
                    for etype, obj in stream.events(self.stop, WATCH_SECONDS, 5):
                        on(member, etype, obj)
            except Exception:  # the member is down or cut off: back off, relist
                self.errors += 1
                self.stop.wait(backoff)
                backoff = min(2.0, backoff * 2)

    def _local_event(self, member: str, etype: str, obj: Any) -> None:
        meta = obj["metadata"]
        labels = meta.get("labels") or {}
        svc = f"{meta.get('namespace', '')}/{labels.get(SERVICE_LABEL, '')}"
        if svc not in self.services or labels.get(MANAGED_BY_LABEL) == MANAGED_BY:
            return
        with self.lock:
            slices = self.local.setdefault((member, svc), {})
            if etype == "DELETED":
                slices.pop(meta["name"], None)
            else:
                slices[meta["name"]] = obj
            body = imported(svc.split("/")[1], svc.split("/")[0], member, list(slices.values()))
        for target in self.handles:  # every member imports it (the exporting one too)
            self._write(target, body)

    def _write(self, member: str, body: Mapping[str, Any]) -> None:
        from kubernetes import client

        meta = body["metadata"]
        try:
            client.DiscoveryV1Api(self.clients[member]).patch_namespaced_endpoint_slice(
                meta["name"], meta["namespace"], dict(body), field_manager=FIELD_MANAGER,
                force=True, _content_type=APPLY_CONTENT_TYPE, _request_timeout=5,
            )  # fmt: skip
        except Exception:  # unreachable now: its copy stays as it was
            self.errors += 1

    def _import_event(self, member: str, etype: str, obj: Any) -> None:
        labels = obj["metadata"].get("labels") or {}
        svc = f"{obj['metadata'].get('namespace', '')}/{labels.get(MCS_SERVICE_LABEL, '')}"
        source = labels.get(MCS_SOURCE_LABEL, "")
        if svc not in self.services or not source:
            return
        n = 0 if etype == "DELETED" else ready_endpoints(obj)
        with self.lock:
            if self.known.get((source, svc)) == n:
                return
            self.known[(source, svc)] = n
        self.sink(source, svc, n)
