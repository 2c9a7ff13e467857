"""What one pod of a workload asks: Kubernetes' effective pod request, read from a pod template.

One rule for the whole project: the loader computes a workload's request with it (reporting a
bad quantity at its YAML path), and the sim starts each ReplicaSet with the request of the
template it was made from (`template_request`, over a manifest that has already been checked).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from federation.api.errors import Path
from federation.api.quantity import QuantityError, parse_quantity
from federation.core.model import Resources

# reads the quantity at a path (relative to the document) as a float
Reader = Callable[[Path, Any], float]


def pod_request(spec: Mapping[str, Any], read: Reader, spec_path: Path = ("spec",)) -> Resources:
    """Kubernetes' effective pod request of `spec.template`: max(sum over containers, any one
    init container); a container with limits but no requests requests its limits."""
    template = spec.get("template", {})
    pod = template.get("spec", {}) if isinstance(template, Mapping) else {}
    if not isinstance(pod, Mapping):
        return Resources(pods=1)

    def one(path: Path, c: Any) -> tuple[float, float]:
        res = c.get("resources", {}) if isinstance(c, Mapping) else {}
        res = res if isinstance(res, Mapping) else {}
        req, lim = res.get("requests") or {}, res.get("limits") or {}
        out = []
        for r in ("cpu", "memory"):
            if r in req:
                out.append(read((*path, "resources", "requests", r), req[r]))
            elif r in lim:
                out.append(read((*path, "resources", "limits", r), lim[r]))
            else:
                out.append(0.0)
        return out[0], out[1]

    base = (*spec_path, "template", "spec")
    main = [one((*base, "containers", i), c) for i, c in enumerate(pod.get("containers", ()))]
    init = [
        one((*base, "initContainers", i), c) for i, c in enumerate(pod.get("initContainers", ()))
    ]
    cpu = max([sum(c for c, _ in main), *(c for c, _ in init)])
    memory = max([sum(m for _, m in main), *(m for _, m in init)])
    return Resources(cpu, memory, 1)


def _lenient(path: Path, value: Any) -> float:
    """A quantity of a checked manifest (an unreadable or negative one asks nothing)."""
    try:
        return max(0.0, float(parse_quantity(value)))
    except QuantityError:
        return 0.0


def template_request(manifest: Mapping[str, Any]) -> Resources | None:
    """The pod request of a manifest's `spec.template`; None when it has no pod template."""
    spec = manifest.get("spec")
    if not isinstance(spec, Mapping) or not isinstance(spec.get("template"), Mapping):
        return None
    return pod_request(spec, _lenient)
