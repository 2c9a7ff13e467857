"""The traffic engine and the report's arithmetic on a case worked out by hand, and the
conservation of requests (offered = served + failed) under random histories."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from federation.core.model import Cluster
from federation.core.steering import Steering
from federation.recorder import Recorder
from federation.report.drains import drains
from federation.report.traffic import Pricing, Tally, by_service, figures, integrate
from federation.traffic.engine import TrafficEngine
from federation.traffic.spec import (
    Capacity,
    ClientTraffic,
    MultiClusterService,
    Network,
    Rate,
    Traffic,
)

KEY = "Deployment/shop/web"
MIB = 2**20
CLUSTERS = (
    Cluster("a", region="eu-west", zone="eu-west-1a", provider="gcp"),
    Cluster("b", region="us-east", zone="us-east-1a", provider="gcp"),
)


def traffic(steering: Steering, rps: float = 100.0, cohorts: int = 4) -> Traffic:
    svc = MultiClusterService("web", "shop", steering, Capacity(100.0, 0.010, 10.0), (KEY,))
    client = ClientTraffic(
        "shop/web", "eu-west", Rate("constant", rps=rps), 1 * MIB, 3 * MIB, provider="gcp"
    )
    return Traffic((svc,), (client,), Network(), cohorts)


def run(engine: TrafficEngine, events: list[tuple[float, str, tuple]], end: float) -> None:
    """Feed events in time order, waking the engine at its deadlines in between."""
    pending = sorted(events, key=lambda e: e[0])
    while True:
        nxt = engine.deadline()
        t_ev = pending[0][0] if pending else math.inf
        if (nxt is None or nxt > end) and t_ev > end:
            return
        if nxt is not None and nxt <= t_ev:
            engine.advance(nxt)
            continue
        t, what, args = pending.pop(0)
        getattr(engine, what)(*args, t)
        engine.advance(t)


def test_a_dead_local_cluster_by_hand() -> None:
    """100 req/s from eu-west, local-first, checks every 2 s (phase 0), 3 misses, TTL 10 s,
    4 client slices expiring at 0, 2.5, 5, 7.5 (+10 k). eu-west's cluster `a` dies at 61:
    checks at 62, 64, 66 fail, the answer moves to `b` at 66, the slices follow at 67.5, 70,
    72.5 and 75. Failed: 100 x 5 (61-66) + 100 x 1.5 + 75 x 2.5 + 50 x 2.5 + 25 x 2.5 = 1025.
    Drain: 75 - 61 = 14 s. Served: 6,100 by a (inter-zone, gcp $0.01/GB) and 62.5 + 125 +
    187.5 + 2,500 = 2,875 by b (Europe -> America, $0.08/GB); 4 MiB each."""
    rec = Recorder()
    steering = Steering("local-first", ttl=10.0, health_check_interval=2.0, failure_threshold=3)
    tr = traffic(steering)
    engine = TrafficEngine(tr, CLUSTERS, rec, 1, 100.0, {KEY: 4}, phase=lambda name: 0.0)
    run(
        engine,
        [
            (0.0, "ready", ("a", KEY, 2)),
            (0.0, "observed", ("a", KEY, 2)),
            (0.0, "ready", ("b", KEY, 2)),
            (0.0, "observed", ("b", KEY, 2)),
            (61.0, "ready", ("a", KEY, 0)),  # dead; the control plane still lists 2 endpoints
        ],
        100.0,
    )
    rec.row(61.0, "fault", "a", "", phase="start", fault="outage")
    rec.row(90.0, "fault", "a", "", phase="end", fault="outage")
    services = by_service(rec.rows)
    pricing = Pricing(tr, {c.name: c for c in CLUSTERS})
    (tally,) = integrate(services["shop/web"], 0.0, 100.0, pricing, "shop/web").values()
    assert tally.requests == pytest.approx(10000.0)
    assert tally.failed == pytest.approx(1025.0)
    assert tally.served == pytest.approx(6100.0 + 2875.0)
    assert tally.requests == pytest.approx(tally.served + tally.failed)
    gb = 4 / 1024
    assert tally.cost == pytest.approx(6100 * gb * 0.01 + 2875 * gb * 0.08)
    f = figures(tally)
    assert f["success_rate"] == pytest.approx(8975 / 10000, abs=1e-6)
    assert f["egress_gb"] == pytest.approx(8975 * gb, abs=1e-6)
    # p50: 6,100 at a, 11.5 ms (1.5 ms RTT + 10 ms), waiting w.p. 1/3 (M/M/2 at rho 1/2)
    # ~ Exp(100/s); the rest at b is >= 91 ms: solve 6100/8975 x (1 - e^{-100 y}/3) = 0.5
    share = 6100 / 8975
    y = -math.log(3 * (1 - 0.5 / share)) / 100
    assert f["latency_p50_ms"] == pytest.approx(11.5 + 1000 * y, abs=0.01)
    (d,) = drains(services, rec.rows, 100.0)
    assert d["drain_seconds"] == pytest.approx(14.0)
    assert d["failed"] == pytest.approx(1025.0) and d["failed_elsewhere"] == 0.0


def test_without_a_cache_clients_follow_the_answer_at_once() -> None:
    rec = Recorder()
    steering = Steering("local-first", ttl=0.0, health_check_interval=2.0, failure_threshold=3)
    engine = TrafficEngine(
        traffic(steering), CLUSTERS, rec, 1, 100.0, {KEY: 4}, phase=lambda n: 0.0
    )
    run(
        engine,
        [(0.0, "ready", ("a", KEY, 2)), (0.0, "observed", ("a", KEY, 2)),
         (0.0, "ready", ("b", KEY, 2)), (0.0, "observed", ("b", KEY, 2)),
         (61.0, "ready", ("a", KEY, 0))],
        100.0,
    )  # fmt: skip
    (tally,) = integrate(by_service(rec.rows)["shop/web"], 0.0, 100.0).values()
    assert tally.failed == pytest.approx(500.0)  # 61 to 66 only


EVENTS = st.lists(
    st.tuples(
        st.floats(0.0, 99.0),
        st.sampled_from(["ready", "observed", "cut", "cut_dns", "cut_health_checks"]),
        st.sampled_from(["a", "b"]),
        st.integers(0, 3),
    ),
    max_size=15,
)


@settings(max_examples=60, deadline=None)
@given(
    events=EVENTS,
    policy=st.sampled_from(["local-first", "round-robin", "weighted", "nearest"]),
    ttl=st.sampled_from([0.0, 3.0, 30.0]),
    rps=st.sampled_from([50.0, 400.0]),
)
def test_offered_requests_are_served_or_failed(
    events: list[tuple[float, str, str, int]], policy: str, ttl: float, rps: float
) -> None:
    rec = Recorder()
    steering = Steering(policy, ttl=ttl, health_check_interval=1.0, failure_threshold=2)  # type: ignore[arg-type]
    engine = TrafficEngine(traffic(steering, rps, 5), CLUSTERS, rec, 7, 100.0, {KEY: 2})
    feed: list[tuple[float, str, tuple]] = [
        (0.0, "ready", ("a", KEY, 1)), (0.0, "observed", ("a", KEY, 1)),
        (0.0, "ready", ("b", KEY, 1)), (0.0, "observed", ("b", KEY, 1)),
    ]  # fmt: skip
    active: dict[tuple[str, str], bool] = {}
    for t, what, c, n in events:
        if what in ("ready", "observed"):
            feed.append((t, what, (c, KEY, n)))
            continue
        k = (what, c)
        on = not active.get(k, False)
        active[k] = on
        if what == "cut":
            feed.append((t, what, ("eu-west", [c], on)))
        elif what == "cut_dns":
            feed.append((t, what, ("eu-west", on)))
        else:
            feed.append((t, what, ([c], on)))
    run(engine, feed, 100.0)
    s = by_service(rec.rows)["shop/web"]
    total = Tally()
    for part in (integrate(s, 0.0, 40.0), integrate(s, 40.0, 100.0)):
        for t in part.values():
            total.add(t)
    assert total.requests == pytest.approx(rps * 100.0)
    assert -1e-6 <= total.failed <= total.requests + 1e-6
    assert total.served + total.failed == pytest.approx(total.requests, rel=1e-9, abs=1e-6)
