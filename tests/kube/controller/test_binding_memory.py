"""The core's memory of a workload survives the real host: a binding written with every field
of it (graceful evictions, failback candidates, Pending clocks and caps, the affinity group) is
read back from the host's API server unpruned, and restores the same state. A field the CRD
schema lacked would be pruned in silence, and a restarted controller would start its clocks
again."""

from __future__ import annotations

import pytest
from kubernetes import client

from federation.controller.binding import Clock, binding, restore
from federation.controller.crds import GROUP, VERSION, plural
from federation.core.actions import Condition, EvictionTask, WorkloadState, WorkloadStatus
from federation.core.model import Workload
from federation.core.pending import Limit

from .conftest import FedHost

pytestmark = pytest.mark.kube


def test_binding_memory_round_trips_through_the_host(fed_host: FedHost) -> None:
    clock = Clock(1_800_000_000.0)
    w = Workload("apps/v1", "Deployment", "memory", "default", replicas=6)
    state = WorkloadState(
        assignment={"m1": 3, "m3": 3},
        evictions={"m2": EvictionTask("m2", 2, "taint", "Graceful", 12.5, 612.5)},
        evicted_from={"m2": 12.5},
        pending_since={"m3": 40.0},
        limits={"m1": Limit(3, 2, 1), "m3": Limit(0, None, 4)},
        group="primary",
    )
    status = WorkloadStatus(
        w.key, 6, {"m1": 3, "m3": 3}, 6, 0, {}, {}, (Condition("Scheduled", True, "Scheduled"),)
    )
    tpl = {"metadata": {"name": "memory", "namespace": "default", "uid": "u1", "generation": 1}}
    doc, _ = binding(w, tpl, status, state, clock, {}, {})
    del doc["metadata"]["ownerReferences"]  # no such template: the garbage collector would act
    kind = doc["kind"]
    with fed_host.client() as api:
        objects = client.CustomObjectsApi(api)
        objects.create_namespaced_custom_object(GROUP, VERSION, "default", plural(kind), doc)
        try:
            back = objects.get_namespaced_custom_object(
                GROUP, VERSION, "default", plural(kind), doc["metadata"]["name"]
            )
        finally:
            objects.delete_namespaced_custom_object(
                GROUP, VERSION, "default", plural(kind), doc["metadata"]["name"]
            )
    assert back["spec"] == doc["spec"]
    assert restore([back], clock)[w.key] == restore([doc], clock)[w.key]
    got = restore([back], clock)[w.key]
    assert got.pending_since["m3"] == pytest.approx(40.0, abs=1e-3)
    assert got.limits == state.limits and got.group == "primary"
