"""The sim gateway: probe outcomes, write failures and retries, the watch and its relists."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest
import simpy

from federation.api.scenario import Link
from federation.core.model import Resources
from sim.gateway import APPLY_TIMEOUT, RETRY_BASE
from sim.member import Member
from sim.watch import RELIST_BACKOFF
from tests.sim.harness import API, STARTUP, Bench, apply

A = "Deployment/default/a"
LAT = 0.05
RTT = 2 * LAT


def bench() -> Bench:
    return Bench("a", "b", link=Link(latency=LAT, jitter=0.0), requests={A: Resources(pods=1)})


def probes_after(b: Bench, until: float, timeout: float = 1.0) -> list[Any]:
    b.gateway.probe(["a"], b.env.now, timeout)
    b.run(until)
    probes, _ = b.gateway.observe(b.env.now)
    return list(probes)


def test_probe_ok_takes_a_round_trip_plus_api_latency() -> None:
    b = bench()
    b.run(1.0)
    (p,) = probes_after(b, 3.0)
    assert p.ok and p.cluster == "a"
    assert p.t == pytest.approx(1.0 + RTT + API) and p.latency == pytest.approx(RTT + API)


def test_probe_times_out_when_the_api_hangs() -> None:
    b = bench()
    b.member().hang_start()
    (p,) = probes_after(b, 3.0, timeout=1.0)
    assert (p.ok, p.reason, p.t) == (False, "timeout", 1.0)


def test_probe_is_refused_during_an_outage() -> None:
    b = bench()
    b.member().outage_start()
    (p,) = probes_after(b, 3.0)
    assert (p.ok, p.reason) == (False, "refused")
    assert p.t == pytest.approx(RTT)


def test_probe_is_lost_in_a_partition() -> None:
    b = bench()
    b.member().partition_start()
    (p,) = probes_after(b, 3.0)
    assert (p.ok, p.reason, p.t) == (False, "lost", 1.0)


def test_probe_slower_than_its_timeout_fails_at_the_timeout() -> None:
    b = bench()
    token = b.member().link.add_latency(0.6, 0.0)
    (p,) = probes_after(b, 3.0, timeout=1.0)
    assert (p.ok, p.reason, p.t) == (False, "timeout", 1.0)
    b.member().link.remove_latency(token)


@pytest.mark.parametrize(
    ("fault", "at", "want"),
    [
        ("outage", LAT / 2, (False, "refused", RTT)),  # before the probe arrives
        ("hang", LAT / 2, (False, "timeout", 1.0)),
        ("partition", LAT / 2, (False, "lost", 1.0)),
        ("outage", LAT + API / 2, (True, "", RTT + API)),  # after: the API had answered
    ],
)
def test_a_state_change_while_a_probe_is_on_its_way_decides_its_answer(
    fault: str, at: float, want: tuple[bool, str, float]
) -> None:
    """Probes to a healthy member are answered as they are sent (one event); a fault that
    starts before one arrives still decides what it finds."""
    b = bench()
    start = {"outage": Member.outage_start, "hang": Member.hang_start}.get(
        fault, Member.partition_start
    )
    b.world.later(at, start, b.member())
    (p,) = probes_after(b, 3.0)
    assert (p.ok, p.reason) == want[:2]
    assert p.t == pytest.approx(want[2])


def test_apply_lands_after_link_and_api_latency_and_is_watched() -> None:
    b = bench()
    b.run(1.0)
    b.deltas.clear()
    b.gateway.apply([apply("a", A, 2)], 1.0)
    b.run(1.0 + LAT + API - 1e-6)
    assert A not in b.member().objects
    b.run(1.0 + LAT + API + 1e-6)
    assert b.member().objects[A].desired == 2
    b.run(1.0 + STARTUP + 1.0)
    seen = [
        (round(t, 6), d.upserts[A].ready_replicas, d.free is not None)
        for t, d in b.deltas
        if A in d.upserts
    ]
    assert seen == [
        (round(1.0 + 2 * LAT + API, 6), 0, True),  # bound: capacity changed
        (round(1.0 + LAT + API + STARTUP + LAT, 6), 2, False),  # ready: capacity did not
    ]


def touched(b: Bench) -> list[str]:
    _, deltas = b.gateway.observe(b.env.now)
    return [k for d in deltas for k in d.touched]


def test_refused_apply_is_not_applied_and_the_key_comes_back_with_backoff() -> None:
    b = bench()
    b.member().outage_start()
    b.gateway.apply([apply("a", A, 2)], 0.0)
    noticed = LAT + API + LAT
    b.run(noticed + RETRY_BASE - 0.001)
    assert touched(b) == []
    b.run(noticed + RETRY_BASE + 0.001)
    assert touched(b) == [A]
    assert A not in b.member().objects
    t = b.env.now
    b.gateway.apply([apply("a", A, 2)], t)  # fails again: twice the backoff
    b.run(t + noticed + 2 * RETRY_BASE - 0.001)
    assert touched(b) == []
    b.run(t + noticed + 2 * RETRY_BASE + 0.001)
    assert touched(b) == [A]


def test_write_during_a_hang_is_lost_and_retried_after_the_client_timeout() -> None:
    b = bench()
    b.member().hang_start()
    b.gateway.apply([apply("a", A, 2)], 0.0)
    b.run(APPLY_TIMEOUT + RETRY_BASE - 0.001)
    assert touched(b) == []
    b.run(APPLY_TIMEOUT + RETRY_BASE + 0.001)
    assert touched(b) == [A]
    assert A not in b.member().objects
    assert b.gateway.actions_failed == 1


def test_partition_breaks_the_watch_and_healing_relists() -> None:
    b = bench()
    m = b.member()
    m.apply(apply("a", A, 2))
    b.run(1.0)
    m.partition_start()
    b.deltas.clear()
    b.run(10.0)  # replicas became Ready during the partition: nobody heard
    assert m.ready(A) == 2 and b.deltas == []
    m.partition_end()
    b.run(11.0)
    ((t, d),) = b.deltas
    assert d.full and d.upserts[A].ready_replicas == 2 and t == pytest.approx(10.0 + LAT)


def test_a_lost_watch_message_is_repaired_by_a_relist() -> None:
    b = Bench("a", link=Link(latency=LAT, jitter=0.0, loss=0.0))
    m = b.member()
    b.run(1.0)
    m.link.loss = 1.0  # the next message is dropped
    m.apply(apply("a", A, 2))
    m.link.loss = 0.0
    b.deltas.clear()
    b.run(1.0 + RELIST_BACKOFF + LAT + 0.001)
    ((_, d),) = b.deltas
    assert d.full and A in d.upserts


def test_wait_fires_when_something_arrives() -> None:
    b = bench()
    woke: list[float] = []

    def sleeper(env: simpy.Environment) -> Generator[simpy.Event, Any, None]:
        yield b.gateway.wait()
        b.gateway.observe(env.now)
        woke.append(env.now)
        b.gateway.probe(["a"], env.now, 1.0)
        yield b.gateway.wait()
        woke.append(env.now)

    b.env.process(sleeper(b.env))
    b.run(5.0)
    assert woke == pytest.approx([LAT, LAT + RTT + API])  # initial relist, then the probe
    assert b.gateway.synced.triggered
