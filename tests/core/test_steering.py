"""Steering answers: one table of cases named by what they show, and properties of every
answer (shares sum to 1, only eligible clusters, deterministic, order-invariant)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from federation.core.steering import POLICIES, Candidate, Steering, answer

A = Candidate("a", "eu", 4, True, 1.5)
B = Candidate("b", "eu", 2, True, 1.5)
C = Candidate("c", "us", 6, True, 80.0)
D = Candidate("d", "ap", 3, True, 160.0)


def s(policy: str, **kw: object) -> Steering:
    return replace(Steering(), policy=policy, **kw)  # type: ignore[arg-type]


CASES = [
    ("local-first: both local clusters, evenly", "eu", [A, B, C], s("local-first"),
     (("a", 0.5), ("b", 0.5))),
    ("local-first: the local one without endpoints is skipped", "eu",
     [replace(A, endpoints=0), B, C], s("local-first"), (("b", 1.0),)),
    ("local-first: no local one healthy -> nearest region", "eu",
     [replace(A, healthy=False), replace(B, healthy=False), C, D], s("local-first"),
     (("c", 1.0),)),
    ("round-robin: every eligible cluster evenly", "eu", [A, B, C], s("round-robin"),
     (("a", 1 / 3), ("b", 1 / 3), ("c", 1 / 3))),
    ("weighted: 4:2:6 endpoints -> 1/3, 1/6, 1/2", "eu", [A, B, C], s("weighted"),
     (("a", 4 / 12), ("b", 2 / 12), ("c", 6 / 12))),
    ("nearest: the lowest RTT (a tie splits)", "us", [
        replace(A, rtt_ms=80.0), replace(B, rtt_ms=80.0), replace(C, rtt_ms=1.5)],
     s("nearest"), (("c", 1.0),)),
    ("failover: first listed region with an eligible cluster", "ap", [A, B, C, D],
     s("failover", failover_order=("us", "eu")), (("c", 1.0),)),
    ("failover: primary unhealthy -> secondary", "ap", [A, B, replace(C, healthy=False), D],
     s("failover", failover_order=("us", "eu")), (("a", 0.5), ("b", 0.5))),
    ("failover: by cluster name", "eu", [A, B, C], s("failover", failover_order=("b", "a")),
     (("b", 1.0),)),
    ("failover: nothing listed eligible -> every eligible (k8gb)", "eu", [A, C],
     s("failover", failover_order=("d",)), (("a", 0.5), ("c", 0.5))),
    ("no cluster healthy -> no answer", "eu", [replace(A, healthy=False)], s("round-robin"), ()),
    ("no cluster healthy, fail open -> all with endpoints (Route 53)", "eu",
     [replace(A, healthy=False), replace(C, healthy=False)], s("round-robin", fail_open=True),
     (("a", 0.5), ("c", 0.5))),
    ("ejection cap 10 %: a third of the endpoints stays in (Istio)", "eu",
     [replace(A, endpoints=4, healthy=False), replace(B, endpoints=4), replace(C, endpoints=4)],
     s("round-robin", max_ejection_percent=10.0), (("a", 1 / 3), ("b", 1 / 3), ("c", 1 / 3))),
    ("ejection cap 40 %: 4 of 12 endpoints may go", "eu",
     [replace(A, endpoints=4, healthy=False), replace(B, endpoints=4), replace(C, endpoints=4)],
     s("round-robin", max_ejection_percent=40.0), (("b", 0.5), ("c", 0.5))),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "region", "cands", "steer", "want"), CASES, ids=[c[0] for c in CASES]
)
def test_answer(
    name: str, region: str, cands: list[Candidate], steer: Steering, want: tuple
) -> None:
    got = answer(region, cands, steer)
    assert [c for c, _ in got] == [c for c, _ in want]
    assert [x for _, x in got] == pytest.approx([x for _, x in want])


candidates = st.lists(
    st.builds(
        Candidate,
        cluster=st.sampled_from(["a", "b", "c", "d", "e"]),
        region=st.sampled_from(["eu", "us", "ap"]),
        endpoints=st.integers(0, 8),
        healthy=st.booleans(),
        rtt_ms=st.sampled_from([1.5, 20.0, 80.0, 160.0]),
    ),
    max_size=5,
    unique_by=lambda c: c.cluster,
)
steerings = st.builds(
    Steering,
    policy=st.sampled_from(POLICIES),
    failover_order=st.lists(st.sampled_from(["a", "b", "eu", "us", "zz"]), max_size=3).map(tuple),
    fail_open=st.booleans(),
    max_ejection_percent=st.sampled_from([0.0, 10.0, 50.0, 100.0]),
)


@given(cands=candidates, steer=steerings, region=st.sampled_from(["eu", "us", "ap", "xx"]))
def test_every_answer_is_a_distribution_over_clusters_with_endpoints(
    cands: list[Candidate], steer: Steering, region: str
) -> None:
    got = answer(region, cands, steer)
    if got:
        assert sum(x for _, x in got) == pytest.approx(1.0)
        assert all(x > 0 for _, x in got)
    with_eps = {c.cluster for c in cands if c.endpoints > 0}
    assert {c for c, _ in got} <= with_eps
    healthy = {c.cluster for c in cands if c.endpoints > 0 and c.healthy}
    if healthy and steer.max_ejection_percent >= 100.0:
        assert {c for c, _ in got} <= healthy  # only fail-open or the cap keep sick ones
    assert answer(region, list(reversed(cands)), steer) == got  # order of listing is irrelevant
