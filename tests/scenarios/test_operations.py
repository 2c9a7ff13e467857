"""Operations on the timeline, run on the sim: what each one does to the members, and how it
shows in the figures (hand-checked)."""

from __future__ import annotations

import pytest

from federation.api import LoadError, load_text
from federation.report.figures import series, value_at
from federation.report.table import render_summary
from sim.driver import run as sim_run
from tests.scenarios.federations import (
    cluster,
    deployment,
    load,
    ready_at,
    rows,
    run,
    scenario_text,
)

POLICY = """\
apiVersion: kfed.io/v1alpha1
kind: ClusterPropagationPolicy
metadata: {name: shop}
spec:
  resourceSelectors: [{kind: Namespace, name: shop}, {namespace: shop}]
  placement:
    clusterAffinities:
      - {affinityName: eu, clusterNames: [m1, m2]}
      - {affinityName: us, clusterNames: [m3, m4]}
    replicaScheduling: {replicaSchedulingType: Divided, replicaDivisionPreference: StaticWeight}
"""
DOCS = [
    cluster("m1", "eu"),
    cluster("m2", "eu"),
    cluster("m3", "us"),
    cluster("m4", "us"),
    POLICY,
    deployment("web", 4),
    deployment("api", 2),
]
WEB = "Deployment/shop/web"
API = "Deployment/shop/api"


def _spec(timeline: str, duration: int = 200) -> str:
    return f"seed: 1\nduration: {duration}\ntimeline:\n{timeline}"


def test_scale_sets_the_replicas_from_its_time_on() -> None:
    out = run(_spec("  - {at: 30, operation: scale, workload: web, replicas: 6}"), DOCS)
    s = series(out.rows)[WEB]
    assert s.desired_at(29) == 4 and s.desired_at(30) == 6
    assert s.total_at(199) == 6
    (op,) = rows(out, "operation")
    assert (op.t, op.fields["op"], op.fields["replicas"]) == (30.0, "scale", 6)


def test_delete_removes_every_copy_and_stops_counting() -> None:
    scenario = load(_spec("  - {at: 100, operation: delete, workload: api}"), DOCS)
    sim = sim_run(scenario)
    for m in sim.members.values():
        assert API not in m.workloads.snapshot() or m.workloads.snapshot()[API] is None
    out = run(_spec("  - {at: 100, operation: delete, workload: api}"), DOCS)
    fig = out.summary["workloads"][API]
    assert fig["deleted_at"] == 100.0
    assert fig["desired"] == 0
    # the time after the deletion counts neither as served nor as missing
    assert fig["availability"] == 1.0 and fig["unavailable_replica_seconds"] == 0
    assert [r.cluster for r in rows(out, "delete", workload=API)] == ["m1", "m2"]
    assert f"{API} (deleted at 100s)" in render_summary(out.summary)


def test_drain_moves_replicas_make_before_break_and_uncordon_readmits() -> None:
    out = run(_spec("  - {name: maint, at: 60, operation: drain, cluster: m1, duration: 60}"), DOCS)
    assert not rows(out, "evict")
    purges = rows(out, "purge", cluster="m1")
    assert {p.fields["reason"] for p in purges} == {"drain"}
    assert all(p.fields["why"] == "replacements ready" for p in purges)
    # nothing missing from the drain on: m2 took m1's share before m1 let go
    s = series(out.rows)[WEB]
    times = [t for t in s.change_times() if t >= 60]
    assert all(s.total_at(t) >= 4 for t in times)
    assert ready_at(out, WEB, "m1", 100) == 0 and ready_at(out, WEB, "m2", 100) == 4
    ops = [(r.t, r.cluster, r.fields["op"]) for r in rows(out, "operation")]
    assert ops == [(60.0, "m1", "drain"), (120.0, "m1", "uncordon")]


def test_join_and_unjoin() -> None:
    spec = _spec(
        "  - {at: 50, operation: join, cluster: m4}\n"
        "  - {at: 100, operation: unjoin, cluster: m2}\n"
        "  - {at: 100, operation: unjoin, cluster: m1}"
    )
    scenario = load(spec, DOCS)
    sim = sim_run(scenario)
    out = run(spec, DOCS)
    # m4 is no member before 50: nothing goes there
    assert not [r for r in rows(out, "apply", cluster="m4") if r.t < 50]
    # m1 and m2 left: eu is gone, everything moved to us (m3, m4) before they let go
    assert {r.cluster for r in rows(out, "operation", phase="removed")} == {"m1", "m2"}
    for c in ("m1", "m2"):
        assert not [o for o in sim.members[c].workloads.snapshot().values() if o is not None]
    s = series(out.rows)[WEB]
    assert all(s.total_at(t) >= 4 for t in s.change_times() if t >= 100)
    assert ready_at(out, WEB, "m3", 199) + ready_at(out, WEB, "m4", 199) == 4


def test_migrate_keeps_every_replica_and_surges_within_budget() -> None:
    out = run(
        _spec(
            "  - {name: move, at: 60, operation: migrate, workload: web,"
            " from: [m1, m2], to: [m3, m4], maxSurge: 1}"
        ),
        DOCS,
    )
    (op,) = [o for o in out.summary["operations"] if o["op"] == "migrate"]
    assert op["unavailable_replica_seconds"] == 0 and op["max_unavailable"] == 0
    assert op["surge_peak"] == 1
    assert op["finished_at"] is not None and op["move_seconds"] > 0
    # the first write of the move is one replica at a destination
    first = next(r for r in rows(out, "apply", workload=WEB) if r.t >= 60)
    assert (first.cluster, first.fields["replicas"]) == ("m3", 1)
    assert ready_at(out, WEB, "m1", 199) == 0 and ready_at(out, WEB, "m3", 199) == 2


def test_apply_a_changed_policy() -> None:
    new_policy = (
        "{apiVersion: kfed.io/v1alpha1, kind: ClusterPropagationPolicy, metadata: {name: shop},"
        " spec: {resourceSelectors: [{kind: Namespace, name: shop}, {namespace: shop}],"
        " placement: {clusterAffinity: {clusterNames: [m3]}, replicaScheduling:"
        " {replicaSchedulingType: Divided}}}}"
    )
    out = run(_spec(f"  - {{at: 80, operation: apply, document: {new_policy}}}"), DOCS)
    assert ready_at(out, WEB, "m3", 199) == 4
    s = series(out.rows)[WEB]
    assert all(s.total_at(t) >= 4 for t in s.change_times() if t >= 80)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("{at: 10, operation: scale, workload: nope, replicas: 2}", "unknown workload 'nope'"),
        ("{at: 10, operation: scale, workload: web, replicas: -1}", "must be >= 0, got -1"),
        ("{at: 10, operation: drain, cluster: m9}", "unknown cluster 'm9'"),
        (
            "{at: 10, operation: migrate, workload: web, from: [m1], to: [x9]}",
            "unknown cluster 'x9'",
        ),
        (
            "{at: 10, operation: migrate, workload: web, from: [m1], to: [m3], maxSurge: 0}",
            "must be > 0 with preserveAvailableReplicas",
        ),
        ("{at: 10, operation: delete, workload: web, replicas: 3}", "does not apply to operation"),
        ("{at: 10, operation: migrate, workload: web, from: [m1]}", "missing required field 'to'"),
        ("{at: 10}", "needs fault or operation"),
    ],
)
def test_bad_operations_are_named(entry: str, message: str) -> None:
    text = scenario_text(_spec(f"  - {entry}"), DOCS)
    with pytest.raises(LoadError) as e:
        load_text(text, "t.yaml")
    assert any(message in str(p) and "spec.timeline[0]" in str(p) for p in e.value.problems), str(
        e.value
    )


def test_migrate_outside_the_placement_is_refused() -> None:
    docs = [*DOCS, cluster("x1", "ap")]
    text = scenario_text(
        _spec("  - {at: 10, operation: migrate, workload: web, from: [m1], to: [x1]}"), docs
    )
    with pytest.raises(LoadError) as e:
        load_text(text, "t.yaml")
    assert "spec.timeline[0].to[0]: cluster x1 is outside the placement" in str(e.value)


def test_a_cluster_joins_once() -> None:
    text = scenario_text(
        _spec(
            "  - {at: 10, operation: join, cluster: m4}\n  - {at: 20, operation: join, cluster: m4}"
        ),
        DOCS,
    )
    with pytest.raises(LoadError, match="cluster m4 is already a member at 20s"):
        load_text(text, "t.yaml")


def test_a_deleted_workload_is_not_used_again() -> None:
    text = scenario_text(
        _spec(
            "  - {at: 10, operation: delete, workload: web}\n"
            "  - {at: 20, operation: scale, workload: web, replicas: 3}"
        ),
        DOCS,
    )
    with pytest.raises(LoadError, match="was deleted at 10s"):
        load_text(text, "t.yaml")


@pytest.mark.parametrize(
    ("surge", "ok"),
    [
        ("{at: 2, fault: load-surge, workload: web, replicas: 6, duration: 5}", True),
        (
            "{at: 2, fault: load-surge, workload: web, replicas: 6, duration: 8}",
            False,
        ),  # ends at 10
        ("{at: 12, fault: load-surge, workload: web, replicas: 6, duration: 5}", False),
    ],
)
def test_a_load_surge_neither_starts_nor_ends_after_its_workload_is_deleted(
    surge: str, ok: bool
) -> None:
    text = scenario_text(
        _spec(f"  - {{at: 10, operation: delete, workload: web}}\n  - {surge}"), DOCS
    )
    if ok:
        load_text(text, "t.yaml")
        return
    with pytest.raises(LoadError) as e:
        load_text(text, "t.yaml")
    assert "spec.timeline[1].workload: " in str(e.value) and "is deleted at 10s" in str(e.value)


def test_the_same_run_twice_is_identical() -> None:
    spec = _spec(
        "  - {at: 30, operation: drain, cluster: m1}\n"
        "  - {at: 60, operation: migrate, workload: api, from: [m2], to: [m3]}"
    )
    a, b = run(spec, DOCS), run(spec, DOCS)
    assert [r.csv() for r in a.rows] == [r.csv() for r in b.rows]
    assert value_at(series(a.rows)[API].desired, 199) == 2


def test_a_migration_waits_out_clients_even_with_a_zero_ttl() -> None:
    """With no DNS TTL and no client cache, clients still switch only when steered: the sources
    wait 1 s after the steer (TTL 0 + cache 0 + 1 s), and nothing fails."""
    from pathlib import Path

    from federation.api import load_scenario
    from federation.runner import execute

    path = Path(__file__).resolve().parents[2] / "scenarios" / "migration.yaml"
    zero = [
        f"MultiClusterService/shop/{s}.spec.steering.{f}=0"
        for s in ("web", "web-naive")
        for f in ("ttlSeconds", "clientCacheSeconds")
    ]
    summary = execute(load_scenario(path, settings=zero), "sim", plots=False).summary
    (move,) = [o for o in summary["operations"] if o.get("name") == "move"]
    assert move["failed_requests"] == 0 and move["unavailable_replica_seconds"] == 0
    steers = [r for r in execute(load_scenario(path, settings=zero), "sim", plots=False).rows
              if r.kind == "steer" and r.fields.get("name") == "move"]  # fmt: skip
    assert any(r.fields.get("wait") == 1.0 for r in steers)


def test_each_apply_carries_its_own_document() -> None:
    # inline documents are converted to records one after another from temporaries; a cache
    # keyed by a freed temporary's id once handed one `apply` the record of another
    names = [f"w{i}" for i in range(8)]
    timeline = "\n".join(
        f"  - {{name: new-{n}, at: {10 + i}, operation: apply, document: "
        f"{{apiVersion: apps/v1, kind: Deployment, metadata: {{name: {n}, namespace: shop}},"
        f" spec: {{replicas: {i + 1}, selector: {{matchLabels: {{app: {n}}}}}, template:"
        f" {{metadata: {{labels: {{app: {n}}}}}, spec: {{containers: [{{name: c, image: i}}]}}}}}}"
        "}}"
        for i, n in enumerate(names)
    )
    for _ in range(5):
        ops = load(_spec(timeline), DOCS).operations
        got = [(op.name, op.document.name, op.document.replicas) for op in ops]
        assert got == [(f"new-{n}", n, i + 1) for i, n in enumerate(names)]
