"""The host's side of controller mode: list-and-watch caches of the templates (the native kinds
kfed propagates), kfed's policies and Clusters, and members' credentials, turned into the core's
desired state whenever something changed. Each object is validated alone with the loader's
schema and converters (a bad one is reported and left out, never blocking the others)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from federation.api.objects import Converted, convert
from federation.controller.crds import GROUP, VERSION, plural
from federation.controller.credentials import (
    INSECURE_ANNOTATION,
    CredentialsError,
    MemberCredentials,
    from_secret,
)
from federation.controller.informer import Informer, object_key
from federation.controller.logs import REDACTOR
from federation.controller.templates import deleting, document, is_template
from federation.core.model import (
    Cluster,
    OverridePolicy,
    PropagationPolicy,
    Taint,
    Workload,
)

NATIVE_KINDS = ("Namespace", "ConfigMap", "Secret", "Service", "Deployment", "Job")
POLICY_KINDS = (
    "PropagationPolicy",
    "ClusterPropagationPolicy",
    "OverridePolicy",
    "ClusterOverridePolicy",
)
UNJOINING_TAINT = "kfed.io/unjoining"  # NoExecute on a Cluster being deleted: drain it

log = logging.getLogger("kfed.host")


@dataclass
class Snapshot:
    """The host as of one moment, as the core and the controller need it."""

    clusters: dict[str, Cluster] = field(default_factory=dict)  # usable members only
    credentials: dict[str, MemberCredentials] = field(default_factory=dict)
    unusable: dict[str, str] = field(default_factory=dict)  # cluster -> why it is left out
    cluster_objects: dict[str, dict[str, Any]] = field(default_factory=dict)
    policies: list[PropagationPolicy] = field(default_factory=list)
    overrides: list[OverridePolicy] = field(default_factory=list)
    workloads: dict[str, Workload] = field(default_factory=dict)
    templates: dict[str, dict[str, Any]] = field(default_factory=dict)  # key -> host object
    deleting: dict[str, dict[str, Any]] = field(default_factory=dict)  # templates going away
    invalid: dict[str, tuple[str, ...]] = field(default_factory=dict)  # object -> problems


class Host:
    """Informers on the host; `snapshot(now)` builds the desired state from their caches."""

    def __init__(self, api_client: Any, wake: Callable[[], None], stop: threading.Event) -> None:
        from kubernetes import client

        from federation.kube.resources import KINDS

        self.api_client = api_client
        self._wake = wake
        self._changed = threading.Event()
        self._changed.set()
        custom = client.CustomObjectsApi(api_client)
        self.informers: dict[str, Informer] = {}
        for kind in NATIVE_KINDS:
            self.informers[kind] = Informer(kind, KINDS[kind].list_fn(api_client), self._on, stop)
        for kind in ("Cluster", *POLICY_KINDS):
            fn = partial(custom.list_cluster_custom_object, GROUP, VERSION, plural(kind))
            self.informers[kind] = Informer(kind, fn, self._on, stop)
        self._memo: dict[tuple[str, str, str], Converted] = {}
        self._reported: set[tuple[str, str]] = set()
        self.unjoining_since: dict[str, float] = {}

    def _on(self, kind: str) -> None:
        self._changed.set()
        self._wake()

    def start(self) -> None:
        for inf in self.informers.values():
            inf.start()

    def synced(self) -> bool:
        return all(inf.synced.is_set() for inf in self.informers.values())

    def changed(self) -> bool:
        return self._changed.is_set()

    def _convert(self, obj: Mapping[str, Any], doc: Mapping[str, Any]) -> Converted:
        meta = obj["metadata"]
        k = (obj["kind"], str(meta.get("uid", "")), str(meta.get("resourceVersion", "")))
        hit = self._memo.get(k)
        if hit is None:
            where = f"host:{obj['kind']}/{object_key(obj)}"
            hit = self._memo[k] = convert(doc, where)
            if len(self._memo) > 50_000:  # old versions: forget them all now and then
                self._memo = {k: hit}
        return hit

    def _report(self, obj: Mapping[str, Any], problems: tuple[str, ...]) -> None:
        rv = str(obj["metadata"].get("resourceVersion", ""))
        mark = (f"{obj['kind']}/{object_key(obj)}", rv)
        if mark not in self._reported:
            self._reported.add(mark)
            log.warning("invalid object left out", extra={"object": mark[0], "problems": problems})

    def snapshot(self, now: float) -> Snapshot:
        self._changed.clear()
        snap = Snapshot()
        for kind in NATIVE_KINDS:
            for obj in self.informers[kind].items():
                obj = {"apiVersion": _api_version(kind), "kind": kind, **obj}
                if not is_template(obj):
                    continue
                got = self._convert(obj, document(obj))
                if got.record is None:
                    snap.invalid[f"{kind}/{object_key(obj)}"] = got.problems
                    self._report(obj, got.problems)
                    continue
                assert isinstance(got.record, Workload)
                w = replace(got.record, uid=str(obj["metadata"].get("uid", "")))
                if deleting(obj):
                    snap.deleting[w.key] = obj
                else:
                    snap.workloads[w.key] = w
                    snap.templates[w.key] = obj
        for kind in POLICY_KINDS:
            for obj in self.informers[kind].items():
                obj = {"apiVersion": f"{GROUP}/{VERSION}", "kind": kind, **obj}
                got = self._convert(obj, document(obj))
                if got.record is None:
                    snap.invalid[f"{kind}/{object_key(obj)}"] = got.problems
                    self._report(obj, got.problems)
                elif isinstance(got.record, PropagationPolicy):
                    snap.policies.append(got.record)
                elif isinstance(got.record, OverridePolicy):
                    snap.overrides.append(got.record)
        secrets = self.informers["Secret"]
        for obj in self.informers["Cluster"].items():
            obj = {"apiVersion": f"{GROUP}/{VERSION}", "kind": "Cluster", **obj}
            name = obj["metadata"]["name"]
            snap.cluster_objects[name] = obj
            got = self._convert(obj, document(obj))
            if got.record is None:
                snap.unusable[name] = "; ".join(got.problems)
                self._report(obj, got.problems)
                continue
            assert isinstance(got.record, Cluster)
            cluster = got.record
            ref = (obj.get("spec") or {}).get("secretRef") or {}
            insecure = (obj["metadata"].get("annotations") or {}).get(INSECURE_ANNOTATION) == "true"
            try:
                if not ref:
                    raise CredentialsError("spec.secretRef is not set")
                secret = secrets.get(f"{ref['namespace']}/{ref['name']}")
                creds = from_secret(name, secret, insecure_allowed=insecure)
            except CredentialsError as e:
                snap.unusable[name] = str(e)
                continue
            for user in creds.kubeconfig.get("users") or []:
                u = user.get("user") or {}
                REDACTOR.register(u.get("token", ""), u.get("client-key-data", ""))
            if deleting(obj):
                since = self.unjoining_since.setdefault(name, now)
                cluster = replace(
                    cluster,
                    taints=(*cluster.taints, Taint(UNJOINING_TAINT, "", "NoExecute", since)),
                )
            snap.clusters[name] = cluster
            snap.credentials[name] = creds
        return snap


def _api_version(kind: str) -> str:
    from federation.api.kinds import KINDS

    return KINDS[kind]
