"""What controller mode survives on real servers: SIGKILL mid-propagation and a restart (state
rebuilt from the host and the members, no orphan, no duplicate, no needless rewrite); a
template's deletion cascading to every member; the policy-deletion rule; an expired watch; a
conflicting write; a member down while others keep being served."""

from __future__ import annotations

import signal
import time
from typing import Any

import pytest

from federation.controller import requests
from federation.controller.informer import Informer
from federation.controller.writer import HostWriter
from federation.kube.resources import KINDS

from ..conftest import eventually
from .conftest import FedHost, apply_all, member_objects, start

pytestmark = pytest.mark.kube

NS = "t-many"


def deployment(name: str, replicas: int, ns: str = NS) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": ns},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "c", "image": "busybox"}]},
            },
        },
    }


def policy(ns: str = NS, name: str = "t-all") -> dict[str, Any]:
    return {
        "apiVersion": "kfed.io/v1alpha1",
        "kind": "ClusterPropagationPolicy",
        "metadata": {"name": name},
        "spec": {
            "resourceSelectors": [
                {"apiVersion": "v1", "kind": "Namespace", "name": ns},
                {"apiVersion": "apps/v1", "kind": "Deployment", "namespace": ns},
            ],
            "placement": {"replicaScheduling": {"replicaSchedulingType": "Divided"}},
        },
    }


def replicas_on_members(fed: FedHost, ns: str = NS) -> dict[str, dict[str, int]]:
    """deployment -> member -> spec.replicas, for kfed's objects in `ns`."""
    from kubernetes import client

    out: dict[str, dict[str, int]] = {}
    for name in fed.members.handles:
        with fed.members.client(name, direct=True) as api:
            for d in client.AppsV1Api(api).list_namespaced_deployment(ns).items:
                out.setdefault(d.metadata.name, {})[name] = d.spec.replicas
    return out


def hashes(fed: FedHost, ns: str = NS, members: tuple[str, ...] = ()) -> dict[tuple[str, str], str]:
    from kubernetes import client

    out = {}
    for name in members or tuple(fed.members.handles):
        with fed.members.client(name, direct=True) as api:
            for d in client.AppsV1Api(api).list_namespaced_deployment(ns).items:
                out[(name, d.metadata.name)] = d.metadata.annotations["kfed.io/hash"]
    return out


def writes(lines: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(x["cluster"], x["key"]) for x in lines if x.get("msg") == "write"]


def test_sigkill_mid_propagation_then_restart(
    fed_host: FedHost, controllers: list, kube_faults: Any
) -> None:
    n = 20
    with fed_host.client() as host:
        ctl = start(controllers, fed_host, "first")
        eventually(lambda: ctl.get("/readyz")[0] == 200, 60)
        kube_faults.hang("m3")  # m3's API server frozen: what is sent there waits
        apply_all(host, [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}}])
        apply_all(host, [deployment(f"w{i:02d}", 1 + i % 3) for i in range(n)])
        apply_all(host, [policy()])
        # kill it once some (not all) of the writes have landed
        eventually(lambda: len(hashes(fed_host, members=("m1", "m2"))) >= 3, 60, 0.02)
        ctl.signal(signal.SIGKILL)  # within a probe or two: m3 is not even Offline yet
        ctl.proc.wait(10)  # type: ignore[union-attr]
        kube_faults.restore()  # m3 thaws and serves what reached it before the kill
        before = hashes(fed_host)
        total = sum(min(3, 1 + i % 3) for i in range(n))  # member objects once converged
        assert 0 < len(before) < total, f"killed mid-propagation: {len(before)} of {total}"
        t0 = time.monotonic()
        again = start(controllers, fed_host, "second")

        def converged() -> bool:
            placed = replicas_on_members(fed_host)
            return len(placed) == n and all(
                sum(per.values()) == 1 + int(name[1:]) % 3 for name, per in placed.items()
            )

        eventually(converged, 120, 0.2)
        recovery = time.monotonic() - t0
        marks = {
            x["msg"]: x["ts"]
            for x in again.lines()
            if x.get("msg") in ("serving metrics and probes", "controller started")
        }
        print(f"\nrestart after SIGKILL -> {n} workloads converged: {recovery:.2f} s {marks}")
        placed = replicas_on_members(fed_host)
        # 0 duplicates: each workload's replicas sum to its desired count, on distinct members
        assert all(sum(per.values()) == 1 + int(k[1:]) % 3 for k, per in placed.items()), placed
        # 0 orphans: every kfed object on a member belongs to a template on the host
        objs = member_objects(fed_host)
        for name, found in objs.items():
            assert {o for o in found if o[0] == "Deployment"} == {
                ("Deployment", NS, k) for k, per in placed.items() if name in per
            }
        # no needless rewrite: what was already applied (same hash) was not written again
        time.sleep(2)
        rewritten = [(c, k) for c, k in writes(again.lines()) if k.startswith("Deployment/")]
        after = hashes(fed_host)
        for c, key in rewritten:
            name = key.rsplit("/", 1)[1]
            assert before.get((c, name)) != after.get((c, name)), f"{key} on {c} rewritten"

        # a restart after convergence writes nothing at all
        again.signal(signal.SIGKILL)
        again.proc.wait(10)  # type: ignore[union-attr]
        third = start(controllers, fed_host, "third")
        eventually(lambda: third.get("/readyz")[0] == 200, 60)
        time.sleep(4)
        assert writes(third.lines()) == []
        assert hashes(fed_host) == after


def test_template_deletion_cascades_and_policy_deletion_withdraws(
    fed_host: FedHost, controllers: list
) -> None:
    ns = "t-life"
    with fed_host.client() as host:
        ctl = start(controllers, fed_host, "life")
        eventually(lambda: ctl.get("/readyz")[0] == 200, 60)
        apply_all(host, [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}])
        apply_all(host, [deployment("a", 3, ns), deployment("b", 3, ns), policy(ns, "t-life")])
        eventually(lambda: set(replicas_on_members(fed_host, ns)) == {"a", "b"}, 60)
        eventually(
            lambda: (
                "kfed.io/cleanup"
                in (requests.get(host, "Deployment", ns, "a") or {})
                .get("metadata", {})
                .get("finalizers", [])
            ),
            30,
        )
        # deleting a template deletes it on every member, then the template goes (finalizer)
        requests.delete(host, "Deployment", ns, "a")
        eventually(lambda: "a" not in replicas_on_members(fed_host, ns), 30)
        eventually(lambda: requests.get(host, "Deployment", ns, "a") is None, 30)
        assert set(replicas_on_members(fed_host, ns)) == {"b"}
        # deleting the only policy withdraws what it alone placed (docs/controller.md)
        requests.delete(host, "ClusterPropagationPolicy", "", "t-life")
        eventually(lambda: replicas_on_members(fed_host, ns) == {}, 30)
        rb = eventually(
            lambda: (
                next(
                    (
                        x
                        for x in [requests.get(host, "ResourceBinding", ns, "b-deployment")]
                        if x and any(c["reason"] == "NoPolicy" for c in x["status"]["conditions"])
                    ),
                    None,
                )
                or requests.get(host, "Deployment", ns, "b")
            ),
            30,
        )
        assert rb is not None
        # the template stays on the host, unplaced, and can be deleted at once
        requests.delete(host, "Deployment", ns, "b")
        eventually(lambda: requests.get(host, "Deployment", ns, "b") is None, 30)


def test_expired_watch_relists(fed_host: FedHost) -> None:
    import threading

    stop = threading.Event()
    changes: list[str] = []
    with fed_host.client() as host:
        inf = Informer("ConfigMap", KINDS["ConfigMap"].list_fn(host), changes.append, stop)
        try:
            inf.start()
            eventually(inf.synced.is_set, 30)
            apply_all(
                host, [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "t-watch"}}]
            )
            inf.resume_from = "1"  # the next watch resumes from a long-expired version: 410
            requests.apply(
                host,
                {
                    "apiVersion": "v1",
                    "kind": "ConfigMap",
                    "metadata": {"name": "x", "namespace": "t-watch"},
                    "data": {"a": "1"},
                },
                "test",
            )
            # the running watch ends within its timeout; force the resume by a short wait
            eventually(lambda: inf.expired >= 1 or inf.get("t-watch/x") is not None, 70)
            requests.apply(
                host,
                {
                    "apiVersion": "v1",
                    "kind": "ConfigMap",
                    "metadata": {"name": "y", "namespace": "t-watch"},
                    "data": {"a": "1"},
                },
                "test",
            )
            eventually(
                lambda: inf.get("t-watch/y") is not None and inf.get("t-watch/x") is not None, 70
            )
        finally:
            stop.set()
        assert inf.lists >= 1


def test_conflicting_write_is_retried(fed_host: FedHost) -> None:
    with fed_host.client() as host:
        apply_all(
            host, [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "t-conflict"}}]
        )
        cm = {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "c", "namespace": "t-conflict"},
        }
        requests.apply(host, cm, "test")
        attempts: list[int] = []

        def write(h: Any) -> None:
            cur = requests.get(h, "ConfigMap", "t-conflict", "c")
            cur["kind"] = "ConfigMap"
            if not attempts:  # someone else writes between our read and our write: 409
                requests.apply(h, {**cm, "data": {"other": "1"}}, "other")
            attempts.append(1)
            requests.patch_finalizers(h, cur, ["kfed.io/test"])

        writer = HostWriter(host, lambda: True)
        writer.start()
        try:
            writer.put("c", write)
            eventually(
                lambda: (
                    "kfed.io/test"
                    in (
                        requests.get(host, "ConfigMap", "t-conflict", "c")["metadata"].get(
                            "finalizers"
                        )
                        or []
                    )
                ),
                20,
            )
        finally:
            writer.close()
        assert writer.conflicts == 1 and len(attempts) == 2
        cur = requests.get(host, "ConfigMap", "t-conflict", "c")
        cur["kind"] = "ConfigMap"
        requests.patch_finalizers(host, cur, [])
