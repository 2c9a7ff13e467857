"""Property: any valid Cluster document, written as YAML, loads into the Cluster it describes."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from federation.api import load_text
from federation.core.model import Resources, Taint

NAME = st.from_regex(r"[a-z0-9]([-a-z0-9]{0,20}[a-z0-9])?", fullmatch=True)
TEXT = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=12)
LABEL_KEY = st.from_regex(r"[a-z]([a-z0-9.-]{0,10}/)?[a-zA-Z0-9_.-]{1,12}", fullmatch=True)
CPU = st.one_of(
    st.integers(0, 512).map(lambda n: (n, float(n))),
    st.integers(0, 64_000).map(lambda n: (f"{n}m", n / 1000)),
)
MEMORY = st.one_of(
    st.integers(0, 4096).map(lambda n: (f"{n}Mi", n * 1024.0**2)),
    st.integers(0, 512).map(lambda n: (f"{n}Gi", n * 1024.0**3)),
    st.integers(0, 10**12).map(lambda n: (n, float(n))),
)
EFFECT = st.sampled_from(["NoSchedule", "PreferNoSchedule", "NoExecute"])


@st.composite
def clusters(draw):
    doc = {"apiVersion": "kfed.io/v1alpha1", "kind": "Cluster", "metadata": {"name": draw(NAME)}}
    labels = draw(st.dictionaries(LABEL_KEY, TEXT, max_size=3))
    if labels:
        doc["metadata"]["labels"] = labels
    spec = {}
    for key in ("region", "zone", "provider"):
        if draw(st.booleans()):
            spec[key] = draw(TEXT)
    nodes = draw(st.one_of(st.none(), st.integers(1, 50)))
    if nodes is not None:
        spec["nodes"] = nodes
    capacity = Resources()
    if draw(st.booleans()):
        (cpu, cores), (mem, size) = draw(CPU), draw(MEMORY)
        pods = draw(st.one_of(st.none(), st.integers(0, 5000)))
        spec["capacity"] = {"cpu": cpu, "memory": mem} | ({} if pods is None else {"pods": pods})
        capacity = Resources(cores, size, 110 * (nodes or 1) if pods is None else pods)
    taints = draw(
        st.lists(st.tuples(LABEL_KEY, TEXT, EFFECT), max_size=3, unique_by=lambda t: (t[0], t[2]))
    )
    if taints:
        spec["taints"] = [{"key": k, "value": v, "effect": e} for k, v, e in taints]
    if draw(st.booleans()):
        spec["costPerCpuHour"] = draw(st.floats(0, 10, allow_nan=False))
    if draw(st.booleans()):
        spec["costPerGiBHour"] = draw(st.floats(0, 10, allow_nan=False))
    if spec or draw(st.booleans()):
        doc["spec"] = spec
    expected = {
        "name": doc["metadata"]["name"],
        "labels": labels,
        "region": spec.get("region", ""),
        "zone": spec.get("zone", ""),
        "provider": spec.get("provider", ""),
        "capacity": capacity,
        "nodes": nodes or 1,
        "taints": tuple(Taint(k, v, e) for k, v, e in taints),
        "cost_per_cpu_hour": float(spec.get("costPerCpuHour", 0.0)),
        "cost_per_gib_hour": float(spec.get("costPerGiBHour", 0.0)),
    }
    return doc, expected


@settings(max_examples=150, deadline=None)
@given(clusters())
def test_valid_cluster_documents_round_trip(case):
    doc, expected = case
    (c,) = load_text(yaml.safe_dump(doc, sort_keys=False)).clusters
    got = {k: getattr(c, k) for k in expected}
    got["labels"] = dict(c.labels)
    assert got["capacity"].cpu == pytest.approx(expected["capacity"].cpu)
    got["capacity"] = Resources(expected["capacity"].cpu, c.capacity.memory, c.capacity.pods)
    assert got == expected
