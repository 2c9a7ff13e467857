"""A Karmada Cluster -> a kfed Cluster: region, zone, provider and taints as they are, and its
status as capacity: allocatable - allocated - allocating, the room Karmada's general estimator
counts, over `nodeSummary.totalNum` nodes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from federation.api.compat import Job
from federation.api.errors import Path, show
from federation.api.kinds import API_VERSION
from federation.api.quantity import QuantityError, parse_quantity


def _meta(d: Any) -> dict[str, Any]:
    meta = d["metadata"]
    out: dict[str, Any] = {"name": meta.get("name")}
    for key in ("labels", "annotations"):
        if meta.get(key):
            out[key] = dict(meta[key])
    return out


def _left(job: Job, path: Path, text: Any) -> Decimal | None:
    try:
        return parse_quantity(text)
    except QuantityError:
        job.report.set(path, "not simulated", f"not a quantity: {show(text)}")
        return None


def _capacity(job: Job) -> dict[str, Any] | None:
    """allocatable - allocated - allocating, as Karmada's general estimator counts room."""
    summary = (job.data.get("status") or {}).get("resourceSummary") or {}
    alloc = summary.get("allocatable") or {}
    if "cpu" not in alloc or "memory" not in alloc:
        if summary:
            job.report.set(
                ("status", "resourceSummary"),
                "approximated",
                "no allocatable cpu and memory: capacity unknown (unlimited)",
            )
        return None
    out: dict[str, Any] = {}
    for res in ("cpu", "memory", "pods"):
        if res not in alloc:
            continue
        total = _left(job, ("status", "resourceSummary", "allocatable", res), alloc[res])
        if total is None:
            return None
        for used in ("allocated", "allocating"):
            taken = (summary.get(used) or {}).get(res)
            if taken is not None:
                amount = _left(job, ("status", "resourceSummary", used, res), taken)
                total -= amount or 0
        total = max(total, Decimal(0))
        out[res] = int(total) if res == "pods" else f"{total.normalize():f}"
    return out


def cluster(job: Job) -> None:
    """A Karmada Cluster -> a kfed Cluster."""
    d = job.data
    spec = d.get("spec") or {}
    out: dict[str, Any] = {}
    for key in ("provider", "region", "zone"):
        if spec.get(key):
            out[key] = spec[key]
    zones = spec.get("zones") or []
    if zones and "zone" not in out:
        out["zone"] = zones[0]
        if len(zones) > 1:
            job.report.set(
                ("spec", "zones"),
                "approximated",
                f"kfed's clusters have one zone: {zones[0]!r} of {show(zones)}",
            )
    if spec.get("syncMode") == "Pull":
        job.report.set(
            ("spec", "syncMode"),
            "approximated",
            "kfed probes the member's API server; Karmada watches a Pull cluster's agent lease "
            "(NotReady about 40 s after the agent stops)",
        )
    taints = [
        {k: t[k] for k in ("key", "value", "effect") if k in t} for t in spec.get("taints", ())
    ]
    if taints:
        out["taints"] = taints
    capacity = _capacity(job)
    if capacity is not None:
        out["capacity"] = capacity
        nodes = ((d.get("status") or {}).get("nodeSummary") or {}).get("totalNum")
        if isinstance(nodes, int) and nodes >= 1:
            out["nodes"] = nodes
    meta = _meta(d)
    job.emit({"apiVersion": API_VERSION, "kind": "Cluster", "metadata": meta, "spec": out})
