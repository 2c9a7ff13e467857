"""Property: whatever happens to a member (writes, node loss, outages, hangs, time passing), its
replica bookkeeping stays consistent and its scheduler never leaves room unused."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from federation.core.model import Resources
from sim.member import Member
from tests.sim.harness import Bench, apply, delete, deploy

KEYS = ("Deployment/d/a", "Deployment/d/b", "Deployment/d/c")
REQUESTS = {
    KEYS[0]: Resources(1.0, 0.0, 1),
    KEYS[1]: Resources(0.5, 0.0, 1),
    KEYS[2]: Resources(1.0, 0.0, 1),
}

ops = st.lists(
    st.one_of(
        st.tuples(st.just("apply"), st.sampled_from(KEYS), st.integers(0, 8)),
        # a Deployment with a pod template: a changed image rolls its pods over
        st.tuples(
            st.just("deploy"), st.sampled_from(KEYS), st.integers(0, 8), st.sampled_from("12")
        ),
        st.tuples(st.just("delete"), st.sampled_from(KEYS)),
        st.tuples(st.just("run"), st.sampled_from([0.0, 0.5, 1.0, 2.5])),
        st.tuples(st.just("lose"), st.integers(1, 2)),
        st.tuples(st.just("restore")),
        st.tuples(st.just("outage")),
        st.tuples(st.just("hang")),
    ),
    max_size=40,
)


def fits_somewhere(m: Member, request: Resources) -> bool:
    pool = m.pool
    for i, up in enumerate(pool.up):
        if up and pool.pods[i] >= 1 and pool.cpu[i] + 1e-9 >= request.cpu:
            return True
    return False


def check(m: Member, settled: bool) -> None:
    w = m.workloads
    pool = m.pool
    used = [0.0] * len(pool.up)
    pods = [0] * len(pool.up)
    for obj in w.objects.values():
        assert (obj.sets and obj.sets[-1].want == (obj.desired or 0)) or len(obj.sets) > 1
        for rs in obj.sets:
            assert rs.scheduled == sum(rs.placed.values())
            assert 0 <= rs.scheduled <= rs.want
            starting = maturing = 0
            for b in rs.batches:
                assert b.alive and b.n == sum(b.nodes.values()) > 0
                if b.ready:
                    maturing += b.n
                else:
                    starting += b.n
            if w.stopped:
                assert rs.ready == rs.available == 0 and not rs.batches
            else:
                assert rs.ready + starting == rs.scheduled
                assert rs.available == rs.ready - maturing
            for i, n in rs.placed.items():
                assert pool.up[i] and n > 0
                used[i] += n * rs.request.cpu
                pods[i] += n
            if rs.want > rs.scheduled:
                assert rs.key in w.pending.get(rs.request, {})  # nobody is forgotten
                if settled and not w.frozen:
                    assert not fits_somewhere(m, rs.request)  # ... nor left waiting for room
        assert obj.ready == sum(rs.ready for rs in obj.sets)
    for i, up in enumerate(pool.up):
        if up:
            cpu, _, pod_cap = pool.allocatable[i]
            assert pool.cpu[i] == pytest.approx(cpu - used[i], abs=1e-6)
            assert pool.pods[i] == pod_cap - pods[i]


@settings(max_examples=300, deadline=None)
@given(ops)
# scaled down twice by one: the first emptied a node of the newest start-up batch
@example(seq=[("apply", KEYS[0], 2), ("apply", KEYS[0], 1), ("apply", KEYS[0], 0)])
def test_member_bookkeeping_holds_under_any_sequence(seq: list[tuple[Any, ...]]) -> None:
    b = Bench("a", capacity=Resources(4.0, 0.0, 24), nodes=4, requests=REQUESTS)
    m = b.member()
    lost: list[list[int]] = []
    down = hung = False
    for op in seq:
        kind = op[0]
        if kind == "apply" and not (down or hung):
            m.apply(apply("a", op[1], op[2]))
        elif kind == "deploy" and not (down or hung):
            # the second template asks twice what the first does: a rollout changes the request
            cpu = 0.5 * int(op[3])
            m.apply(deploy("a", op[1], op[2], image=f"web:{op[3]}", min_ready=0.5, cpu=cpu))
        elif kind == "delete" and not (down or hung):
            m.delete(delete("a", op[1]))
        elif kind == "run":
            b.run(b.env.now + op[1] + 0.001)
            check(m, settled=True)
            continue
        elif kind == "lose" and sum(m.pool.up) > op[1]:
            lost.append(m.lose_nodes(op[1]))
        elif kind == "restore" and lost:
            m.restore_nodes(lost.pop())
        elif kind == "outage":
            down = not down
            m.outage_start() if down else m.outage_end()
        elif kind == "hang":
            hung = not hung
            m.hang_start() if hung else m.hang_end()
        check(m, settled=False)
    b.run(b.env.now + 0.001)  # let same-instant scheduler passes run
    check(m, settled=True)
    truth = {r.workload: r.fields["ready"] for r in b.recorder.rows if r.kind == "ready"}
    for key, obj in m.workloads.objects.items():
        assert truth.get(key, 0) == obj.ready  # the rows tell the truth
