"""A Deployment's rollout on a sim member: a changed pod template rolls the pods over by the
strategy, within maxSurge and maxUnavailable, waiting for room and for `minReadySeconds`; a
replica count alone rolls nothing. Worked out by hand, then as a property."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from federation.api.scenario import Distribution, SimSettings
from federation.core.model import Resources
from federation.core.rollout import Strategy, fenceposts, problems
from sim.member import Member
from tests.sim.harness import SETTINGS, STARTUP, Bench, deploy

A = "Deployment/default/a"
CPU1 = Resources(1.0, 0.0, 1)


def bench(**kw: Any) -> Bench:
    return Bench("a", **kw)  # the pods ask what their template asks: 1 cpu (`deploy`)


def pods(m: Member) -> int:
    return sum(rs.scheduled + rs.unplaced for rs in m.objects[A].sets)


def settled(b: Bench, replicas: int, **kw: Any) -> Member:
    m = b.member()
    m.apply(deploy("a", A, replicas, **kw))
    b.run(STARTUP + 1.0)
    assert m.ready(A) == replicas
    return m


def test_four_replicas_at_25_percent_roll_in_two_waves() -> None:
    # maxSurge 1, maxUnavailable 1: one old pod goes and two new ones start at once; each
    # start-up wave (2 s) lets two more old ones go: 2 waves, 3 Ready throughout
    b = bench()
    m = settled(b, 4)
    t0 = b.env.now
    m.apply(deploy("a", A, 4, image="web:2"))
    assert m.ready(A) == 3 and pods(m) == 5
    b.run(t0 + STARTUP + 0.001)
    assert m.ready(A) == 3 and pods(m) == 5
    b.run(t0 + 2 * STARTUP + 0.001)
    assert m.ready(A) == 4 and pods(m) == 4
    (rs,) = m.objects[A].sets
    assert rs.ready == 4 and rs.template is not None
    rows = [r for r in b.ready_rows(key=A) if r[0] >= t0]
    assert rows == [(t0, 3), (t0 + 2 * STARTUP, 4)]  # 1 missing for 4 s: 4 replica-seconds


def test_a_replica_count_alone_rolls_nothing() -> None:
    b = bench()
    m = settled(b, 4)
    rows = len(b.ready_rows(key=A))
    m.apply(deploy("a", A, 5))  # same template, one more replica
    assert len(m.objects[A].sets) == 1 and m.ready(A) == 4
    b.run(b.env.now + STARTUP + 0.001)
    assert m.ready(A) == 5 and b.ready_rows(key=A)[rows:] == [(b.ready_rows(key=A)[-1][0], 5)]


def test_other_kinds_keep_their_pods_through_a_template_change() -> None:
    b = bench()
    m = b.member()
    sts = deploy("a", A, 3)
    m.apply(type(sts)("a", A, {**sts.manifest, "kind": "StatefulSet"}, "h1", "t", 3))
    b.run(STARTUP + 1)
    changed = {**sts.manifest, "kind": "StatefulSet", "spec": {**sts.manifest["spec"]}}
    changed["spec"]["template"] = {"spec": {"containers": [{"name": "c", "image": "web:2"}]}}
    m.apply(type(sts)("a", A, changed, "h2", "t", 3))
    assert m.ready(A) == 3 and len(m.objects[A].sets) == 1
    assert m.objects[A].hash == "h2"


def test_recreate_drops_everything_then_starts_the_new_pods() -> None:
    b = bench()
    m = settled(b, 4, strategy={"type": "Recreate"})
    t0 = b.env.now
    m.apply(deploy("a", A, 4, image="web:2", strategy={"type": "Recreate"}))
    assert m.ready(A) == 0 and pods(m) == 4
    b.run(t0 + STARTUP + 0.001)
    assert m.ready(A) == 4
    assert [r for r in b.ready_rows(key=A) if r[0] >= t0] == [(t0, 0), (t0 + STARTUP, 4)]


def test_min_ready_seconds_hold_each_wave() -> None:
    # 4 replicas, maxSurge 1, maxUnavailable 0: one new pod at a time, each waiting 2 s of
    # start-up and 3 s of minReadySeconds before the next old one may go: 4 waves of 5 s
    strategy = {"rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}
    b = bench()
    m = settled(b, 4, strategy=strategy, min_ready=3)
    b.run(b.env.now + 3.5)
    t0 = b.env.now
    m.apply(deploy("a", A, 4, image="web:2", strategy=strategy, min_ready=3))
    assert pods(m) == 5 and m.ready(A) == 4
    b.run(t0 + 4 * 5.0 - 0.01)
    assert len(m.objects[A].sets) == 2
    b.run(t0 + 4 * 5.0 + 0.01)
    assert len(m.objects[A].sets) == 1 and m.ready(A) == 4
    assert min(r for t, r in b.ready_rows(key=A) if t >= t0) >= 4  # never below 4 Ready


def test_no_room_for_the_surge_waits_like_the_real_controller() -> None:
    # 4 cpu on 4 nodes, 4 pods of 1 cpu: a surge pod fits nowhere; with maxUnavailable 0 the
    # rollout waits (the new pod Pending) and nothing old goes
    strategy = {"rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}
    b = bench(capacity=Resources(4.0, 0.0, 110))
    m = settled(b, 4, strategy=strategy)
    m.apply(deploy("a", A, 4, image="web:2", strategy=strategy))
    b.run(b.env.now + 30)
    assert m.ready(A) == 4 and m.pending_replicas(A) == 1 and len(m.objects[A].sets) == 2
    pend = [r for r in b.recorder.rows if r.kind == "pending" and r.workload == A]
    assert pend[-1].fields["pending"] == 1 and "Insufficient cpu" in pend[-1].fields["reason"]
    # with maxUnavailable 1 the Pending pod goes (unhealthy first) and an old one, so one new
    # pod fits; every wave frees one cpu for the next: 4 waves of start-up, 3 Ready throughout
    t0 = b.env.now
    m.apply(deploy("a", A, 4, image="web:3"))
    b.run(t0 + 4 * STARTUP - 0.01)
    assert m.ready(A) == 3  # the last old pod went at the third wave; its successor starts
    b.run(t0 + 4 * STARTUP + 0.01)
    assert m.ready(A) == 4 and m.pending_replicas(A) == 0 and len(m.objects[A].sets) == 1
    assert [r for r in b.ready_rows(key=A) if r[0] >= t0] == [(t0, 3), (t0 + 4 * STARTUP, 4)]


def test_a_rollout_waits_out_an_api_hang() -> None:
    b = bench()
    m = settled(b, 4)
    t0 = b.env.now
    m.apply(deploy("a", A, 4, image="web:2"))
    m.hang_start()
    b.run(t0 + 10)
    assert len(m.objects[A].sets) == 2 and m.ready(A) == 4 - 1 + 2 - 0  # wave 1 Ready, stuck
    m.hang_end()
    b.run(t0 + 10 + STARTUP + 0.01)
    assert len(m.objects[A].sets) == 1 and m.ready(A) == 4


percent = st.integers(0, 100).map(lambda p: f"{p}%")


@settings(max_examples=150, deadline=None)
@given(
    replicas=st.integers(1, 12),
    surge=st.one_of(st.integers(0, 4), percent),
    unavailable=st.one_of(st.integers(0, 4), percent),
    min_ready=st.sampled_from([0.0, 1.5]),
    seed=st.integers(1, 5),
)
def test_any_rolling_update_keeps_its_bounds_and_ends_on_the_new_template(
    replicas: int, surge: int | str, unavailable: int | str, min_ready: float, seed: int
) -> None:
    strategy = {"rollingUpdate": {"maxSurge": surge, "maxUnavailable": unavailable}}
    if problems({"strategy": strategy}):
        return
    max_surge, max_unavailable = fenceposts(Strategy("RollingUpdate", surge, unavailable), replicas)
    # start-up drawn per batch, so waves overlap; room for every surge
    varied = SimSettings(
        api_latency=SETTINGS.api_latency,
        pod_startup=Distribution("uniform", low=0.5, high=3.0),
        link=SETTINGS.link,
    )
    b = Bench("a", capacity=Resources(64.0, 0.0, 220), settings=varied, seed=seed)
    m = b.member()
    m.apply(deploy("a", A, replicas, strategy=strategy, min_ready=min_ready))
    b.run(10.0)
    assert m.ready(A) == replicas
    m.apply(deploy("a", A, replicas, image="web:2", strategy=strategy, min_ready=min_ready))
    while b.env.peek() < 200.0:
        b.env.step()
        obj = m.objects[A]
        assert pods(m) <= replicas + max_surge
        assert obj.ready >= replicas - max_unavailable
    (rs,) = m.objects[A].sets
    assert rs.ready == rs.want == replicas and m.ready(A) == replicas
    assert rs.template == m.objects[A].sets[-1].template


# ---------------------------------------------------------------- a template asking more


def big_pods(strategy: dict[str, Any]) -> tuple[Bench, Member, float]:
    """One node of 4 cpu running 3 pods of 1 cpu (1 cpu free), then the same Deployment with a
    template asking 2 cpu: its new ReplicaSet's pods ask 2 cpu, the old one's keep 1."""
    b = bench(capacity=Resources(4.0, 0.0, 110), nodes=1)
    m = settled(b, 3, strategy=strategy)
    assert m.pool.free() == Resources(1.0, 0.0, 107)
    t0 = b.env.now
    m.apply(deploy("a", A, 3, strategy=strategy, cpu=2.0))
    old, new = m.objects[A].sets
    assert old.request == CPU1 and new.request == Resources(2.0, 0.0, 1)
    return b, m, t0


def last_free(b: Bench) -> Resources | None:
    """The free room the member last reported to the federation."""
    return [d.free for _, d in b.deltas if d.free is not None][-1]


REASON = "0/1 nodes are available: 1 Insufficient cpu (no node with 2 CPU free; most free 1)"


def test_a_surge_pod_asking_more_than_is_free_stalls_the_rollout() -> None:
    # maxSurge 1, maxUnavailable 0: the controller adds one new pod (3 + 1 <= 3 + surge) and
    # may remove no old one until it is available; it asks 2 cpu, 1 is free: Pending for good
    strategy = {"rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}
    b, m, t0 = big_pods(strategy)
    b.run(t0 + 60)
    old, new = m.objects[A].sets
    assert (old.want, old.scheduled, new.want, new.scheduled) == (3, 3, 1, 0)
    assert m.ready(A) == 3 and m.pending_replicas(A) == 1
    assert [r for r in b.ready_rows(key=A) if r[0] >= t0] == []  # Ready stays 3
    pend = [r for r in b.recorder.rows if r.kind == "pending" and r.workload == A]
    assert [(r.t, r.fields["pending"], r.fields["reason"]) for r in pend] == [(t0, 1, REASON)]
    assert m.pool.free() == last_free(b) == Resources(1.0, 0.0, 107)  # the old pods' 3 cpu


def test_a_rollout_to_bigger_pods_with_max_unavailable_1_goes_as_far_as_the_room() -> None:
    # maxSurge 1, maxUnavailable 1 (at least 2 available):
    # t0: new 0 -> 1 (surge), one old pod goes (3 available - 2), new -> 2 (3 + 1 pods): the
    #     freed cpu makes 2 free, one new pod (2 cpu) binds, the other is Pending; Ready 2
    # t0 + start-up: that pod is available (3 available): one more old pod goes, new -> 3;
    #     1 cpu free, the 2 other new pods are Pending. Now 2 are available (1 old, 1 new) and
    #     2 must be: the last old pod stays, and the rollout stops there for want of room
    #     (the 3 new pods would need 6 of the 4 cpu)
    strategy = {"rollingUpdate": {"maxSurge": 1, "maxUnavailable": 1}}
    b, m, t0 = big_pods(strategy)
    old, new = m.objects[A].sets
    assert (old.want, old.scheduled, new.want, new.scheduled) == (2, 2, 2, 1)
    assert m.ready(A) == 2 and m.pool.free() == Resources(0.0, 0.0, 107)
    b.run(t0 + STARTUP + 0.01)
    assert (old.want, old.scheduled, new.want, new.scheduled) == (1, 1, 3, 1)
    assert m.ready(A) == 2 and m.pending_replicas(A) == 2
    b.run(t0 + 60)
    assert m.objects[A].sets == [old, new] and (old.ready, new.ready) == (1, 1)
    assert m.pool.free() == last_free(b) == Resources(1.0, 0.0, 108)  # 1 + 2 cpu used
    assert [r for r in b.ready_rows(key=A) if r[0] >= t0] == [(t0, 2)]
    pend = [r for r in b.recorder.rows if r.kind == "pending" and r.workload == A]
    assert [(r.t, r.fields["pending"], r.fields["reason"]) for r in pend] == [
        (t0, 1, REASON.replace("most free 1", "most free 0")),  # the node is full
        (t0 + STARTUP, 2, REASON),
    ]


def test_rolling_back_to_the_small_template_finishes_in_the_room() -> None:
    # from the stalled state above, back to the 1 cpu template (the old ReplicaSet is the new
    # one again, with its own 1 cpu request): the Pending 2 cpu pod goes, and the room is 1
    # cpu: 3 old pods Ready, nothing Pending, all 4 cpu back but the old pods' 3
    strategy = {"rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}
    b, m, t0 = big_pods(strategy)
    b.run(t0 + 10)
    m.apply(deploy("a", A, 3, strategy=strategy))
    b.run(t0 + 20)
    (rs,) = m.objects[A].sets
    assert rs.request == CPU1 and rs.ready == 3 and m.pending_replicas(A) == 0
    assert m.pool.free() == last_free(b) == Resources(1.0, 0.0, 107)


def test_an_object_first_created_asks_what_its_template_asks() -> None:
    # no request known beforehand (as for a workload a timeline `apply` adds): 3 pods of 2 cpu
    # on one node of 4 cpu: 2 fit, 1 Pending
    b = Bench("a", capacity=Resources(4.0, 0.0, 110), nodes=1)
    m = b.member()
    m.apply(deploy("a", A, 3, cpu=2.0))
    b.run(STARTUP + 1.0)
    (rs,) = m.objects[A].sets
    assert rs.request == Resources(2.0, 0.0, 1) and m.ready(A) == 2
    assert m.pending_replicas(A) == 1 and m.pool.free() == Resources(0.0, 0.0, 108)
