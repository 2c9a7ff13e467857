"""Dependencies of a workload (Karmada's propagateDeps): the ConfigMaps, Secrets,
ServiceAccounts and PersistentVolumeClaims its pod template references, which follow it to
every cluster it runs on."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

DEPENDENCY_KINDS = ("ConfigMap", "Secret", "ServiceAccount", "PersistentVolumeClaim")
_CONTAINER_FIELDS = ("containers", "initContainers", "ephemeralContainers")


def _pod_spec(manifest: Mapping[str, Any]) -> Mapping[str, Any]:
    spec = manifest.get("spec")
    if not isinstance(spec, Mapping):
        return {}
    if manifest.get("kind") == "Pod":
        return spec
    template = spec.get("template")
    pod = template.get("spec") if isinstance(template, Mapping) else None
    return pod if isinstance(pod, Mapping) else {}


def _items(value: Any) -> Iterator[Mapping[str, Any]]:
    if isinstance(value, list):
        yield from (v for v in value if isinstance(v, Mapping))


def _name(ref: Any, field: str = "name") -> str:
    if isinstance(ref, Mapping) and isinstance(ref.get(field), str):
        return str(ref[field])
    return ""


def references(manifest: Mapping[str, Any]) -> frozenset[tuple[str, str]]:
    """(kind, name) of every object of `DEPENDENCY_KINDS` the pod template of `manifest`
    references: volumes (configMap, secret, projected sources, persistentVolumeClaim), env and
    envFrom of every container, imagePullSecrets and serviceAccountName. Same namespace."""
    pod = _pod_spec(manifest)
    out: set[tuple[str, str]] = set()

    def add(kind: str, name: str) -> None:
        if name:
            out.add((kind, name))

    for v in _items(pod.get("volumes")):
        add("ConfigMap", _name(v.get("configMap")))
        add("Secret", _name(v.get("secret"), "secretName"))
        add("PersistentVolumeClaim", _name(v.get("persistentVolumeClaim"), "claimName"))
        projected = v.get("projected")
        if isinstance(projected, Mapping):
            for src in _items(projected.get("sources")):
                add("ConfigMap", _name(src.get("configMap")))
                add("Secret", _name(src.get("secret")))
    for field in _CONTAINER_FIELDS:
        for c in _items(pod.get(field)):
            for e in _items(c.get("envFrom")):
                add("ConfigMap", _name(e.get("configMapRef")))
                add("Secret", _name(e.get("secretRef")))
            for e in _items(c.get("env")):
                source = e.get("valueFrom")
                if isinstance(source, Mapping):
                    add("ConfigMap", _name(source.get("configMapKeyRef")))
                    add("Secret", _name(source.get("secretKeyRef")))
    for s in _items(pod.get("imagePullSecrets")):
        add("Secret", _name(s))
    account = pod.get("serviceAccountName")
    if isinstance(account, str) and account != "default":
        add("ServiceAccount", account)
    return frozenset(out)
