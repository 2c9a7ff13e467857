"""Links and random streams: latency and loss statistics, partitions, FIFO streams, samples."""

from __future__ import annotations

import random
import statistics

import pytest

from federation.api.scenario import Distribution
from federation.api.scenario import Link as LinkSpec
from sim.network import Link, Stream
from sim.world import World, sample


def delays(link: Link, n: int) -> list[float | None]:
    return [link.delay() for _ in range(n)]


def test_latency_jitter_and_loss_statistics() -> None:
    link = Link(LinkSpec(latency=0.05, jitter=0.01, loss=0.1), random.Random("t/link"))
    ds = delays(link, 20_000)
    got = [d for d in ds if d is not None]
    assert len(got) / len(ds) == pytest.approx(0.9, abs=0.01)
    assert statistics.fmean(got) == pytest.approx(0.05, abs=0.0005)
    assert statistics.stdev(got) == pytest.approx(0.01, rel=0.05)
    assert link.dropped == len(ds) - len(got)


def test_delay_is_clipped_at_zero() -> None:
    link = Link(LinkSpec(latency=0.001, jitter=0.01), random.Random("t/clip"))
    ds = [d for d in delays(link, 2000) if d is not None]
    assert min(ds) == 0.0 and sum(d == 0.0 for d in ds) > 500


def test_partition_drops_everything_and_heals() -> None:
    link = Link(LinkSpec(), random.Random("t/p"))
    link.partitioned += 1
    assert delays(link, 100) == [None] * 100
    link.partitioned -= 1
    assert all(d is not None for d in delays(link, 100))


def test_latency_fault_adds_latency_and_jitter() -> None:
    link = Link(LinkSpec(latency=0.01, jitter=0.0), random.Random("t/lat"))
    token = link.add_latency(0.2, 0.02)
    got = [d for d in delays(link, 5000) if d is not None]
    assert statistics.fmean(got) == pytest.approx(0.21, abs=0.002)
    assert statistics.stdev(got) == pytest.approx(0.02, rel=0.05)
    link.remove_latency(token)
    assert set(delays(link, 10)) == {0.01}


def test_fault_does_not_shift_later_draws() -> None:
    a = Link(LinkSpec(latency=0.05, jitter=0.01, loss=0.2), random.Random("t/s"))
    b = Link(LinkSpec(latency=0.05, jitter=0.01, loss=0.2), random.Random("t/s"))
    delays(a, 50)
    b.partitioned += 1
    delays(b, 50)
    b.partitioned -= 1
    assert delays(a, 50) == delays(b, 50)


def test_stream_keeps_messages_in_order() -> None:
    s = Stream()
    assert s.arrival(0.0, 0.5) == 0.5
    assert s.arrival(0.1, 0.1) == 0.5  # would overtake: waits for the one before
    assert s.arrival(1.0, 0.1) == 1.1


def test_named_streams_are_independent_and_seeded() -> None:
    w1, w2 = World(7), World(7)
    w1.stream("link/x").random()  # drawing from one stream ...
    assert w1.stream("link/y").random() == w2.stream("link/y").random()  # ... moves no other
    assert World(8).stream("link/y").random() != w2.stream("link/y").random()


@pytest.mark.parametrize(
    ("dist", "mean"),
    [
        (Distribution("constant", value=2.0), 2.0),
        (Distribution("uniform", low=1.0, high=3.0), 2.0),
        (Distribution("exponential", mean=2.0), 2.0),
        (Distribution("normal", mean=2.0, sigma=0.1), 2.0),
        (Distribution("lognormal", median=2.0, sigma=0.3), 2.0 * 2.718281828 ** (0.3**2 / 2)),
    ],
)
def test_distribution_samples(dist: Distribution, mean: float) -> None:
    rng = random.Random("t/dist")
    xs = [sample(dist, rng) for _ in range(20_000)]
    assert statistics.fmean(xs) == pytest.approx(mean, rel=0.03)
    assert min(xs) >= 0.0


def test_distribution_clips_to_bounds() -> None:
    rng = random.Random("t/clip")
    d = Distribution("lognormal", median=2.0, sigma=1.0, low=1.0, high=3.0)
    xs = [sample(d, rng) for _ in range(2000)]
    assert min(xs) == 1.0 and max(xs) == 3.0
