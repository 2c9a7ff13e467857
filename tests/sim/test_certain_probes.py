"""What lets the sim promise a probe's success: keyed draws that depend on nothing but their key,
hard upper bounds of every delay the sim samples, the fault windows that can touch probes, and
`SimGateway.quiet_until` put together."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from federation.api.scenario import Distribution, Fault, Link, SimSettings
from sim.faults import probe_windows
from sim.network import Link as SimLink
from sim.world import Z_HIGH, KeyedDraws, World, sample, upper
from tests.sim.harness import SETTINGS, Bench

TOP = 1.0 - 2.0**-53  # the largest uniform `random()` returns


class Fixed:
    """Uniform draws given by the test."""

    def __init__(self, *u: float) -> None:
        self.u = list(u)

    def random(self) -> float:
        return self.u.pop(0)


def test_keyed_draws_depend_only_on_seed_and_key() -> None:
    a = [World(7).keyed("probe/m1/2.5").random() for _ in range(3)]
    w = World(7)
    w.stream("link/m1").random()  # other streams moving changes nothing
    b = w.keyed("probe/m1/2.5")
    assert a[0] == b.random() and len(set(a)) == 1
    assert World(8).keyed("probe/m1/2.5").random() != a[0]
    assert World(7).keyed("probe/m1/4.5").random() != a[0]
    d = KeyedDraws("x")
    us = [d.random() for _ in range(5)]
    assert len(set(us)) == 5 and all(0.0 <= u < 1.0 for u in us)
    with pytest.raises(IndexError):
        d.random()  # a probe takes exactly five


@given(st.text(max_size=30))
def test_keyed_draws_are_53_bit_uniforms_below_one(key: str) -> None:
    d = KeyedDraws(key)
    for _ in range(5):
        u = d.random()
        assert 0.0 <= u <= TOP and (u * 2.0**53).is_integer()


DISTRIBUTIONS = st.one_of(
    st.builds(
        lambda v, hi: Distribution("constant", value=v, high=hi),
        st.floats(-1, 5),
        st.none() | st.floats(0, 5),
    ),
    st.builds(
        lambda lo, hi: Distribution("uniform", low=lo, high=hi), st.floats(0, 2), st.floats(0, 5)
    ),
    st.builds(
        lambda m, hi: Distribution("exponential", mean=m, high=hi),
        st.floats(0, 2),
        st.none() | st.floats(0, 5),
    ),
    st.builds(
        lambda m, s, hi: Distribution("lognormal", median=m, sigma=s, high=hi),
        st.floats(0, 2),
        st.floats(-2, 2),
        st.none() | st.floats(0, 5),
    ),
    st.builds(
        lambda m, s, lo, hi: Distribution("normal", mean=m, sigma=s, low=lo, high=hi),
        st.floats(-1, 2),
        st.floats(-1, 1),
        st.none() | st.floats(0, 1),
        st.none() | st.floats(0, 5),
    ),
)


@given(DISTRIBUTIONS, st.floats(0.0, TOP) | st.sampled_from([0.0, 1e-300, TOP, 0.5]))
def test_no_sample_exceeds_the_upper_bound(d: Distribution, u: float) -> None:
    assert sample(d, Fixed(u)) <= upper(d)


@pytest.mark.parametrize(
    "d",
    [
        Distribution("lognormal", median=0.01, sigma=0.5),
        Distribution("normal", mean=0.2, sigma=0.1),
        Distribution("exponential", mean=0.05),
        Distribution("uniform", low=0.1, high=0.4),
    ],
    ids=lambda d: d.kind,
)
def test_the_largest_draw_comes_within_a_hair_of_the_bound(d: Distribution) -> None:
    top = sample(d, Fixed(TOP))
    assert top <= upper(d) <= top * (1 + 1e-5)


def test_upper_bounds_by_hand() -> None:
    assert upper(Distribution("constant", value=0.97)) == 0.97
    assert upper(Distribution("uniform", low=0.0, high=0.9)) == 0.9
    # exponential: -log(2**-53) = 53 ln 2 = 36.74 means
    assert upper(Distribution("exponential", mean=0.05)) == pytest.approx(0.05 * 36.7368, rel=1e-4)
    # the default API latency: 10 ms x e^(0.5 x 8.2095) = 0.606 s, under its 1 s cap
    default = SimSettings().api_latency
    assert upper(default) == pytest.approx(0.010 * math.exp(0.5 * 8.2095), rel=1e-4)
    assert upper(Distribution("lognormal", median=0.5, sigma=1.0, high=1.0)) == 1.0


def test_a_links_worst_delay_bounds_every_sample() -> None:
    spec = Link(latency=0.005, jitter=0.001)
    link = SimLink(spec, random.Random("t"))
    worst = link.worst()
    assert worst == pytest.approx(0.005 + 0.001 * Z_HIGH)
    # the largest uniform gives the largest delay: one for loss, one for the normal draw
    assert link.sample(Fixed(0.5, TOP)) == pytest.approx(worst, abs=1e-8)
    link.add_latency(0.3, 0.04)
    assert link.worst() == pytest.approx(0.305 + math.sqrt(0.001**2 + 0.04**2) * Z_HIGH)
    assert SimLink(Link(loss=0.01), random.Random("t")).worst() is None


def test_probe_windows_are_the_faults_that_can_touch_a_probe() -> None:
    faults = (
        Fault("outage", 60.0, 120.0, ("m2",)),
        Fault("node-loss", 10.0, 50.0, ("m1",), {"nodes": 1}),  # probes do not see it
        Fault("latency", 30.0, None, ("m1", "m2"), {"latency": 0.1}),
        Fault("flapping", -5.0, 40.0, ("m3",), {"period": 10.0, "down": 2.0}),
        Fault("load-surge", 5.0, 10.0, (), {"workload": "w", "replicas": 3}),
    )
    assert probe_windows(faults) == {
        "m1": [(30.0, math.inf)],
        "m2": [(30.0, math.inf), (60.0, 180.0)],
        "m3": [(0.0, 35.0)],
    }


def quiet(settings: SimSettings = SETTINGS, link: Link | None = None) -> Bench:
    b = Bench("a", settings=settings, link=link)
    b.gateway.windows = {"a": [(60.0, 180.0), (300.0, 310.0)]}
    return b


def test_quiet_until_is_the_first_fault_less_the_probe_timeout() -> None:
    b = quiet()
    gw = b.gateway
    assert gw.quiet_until("a", 0.0, 1.0) == 59.0
    assert gw.quiet_until("a", 58.9, 1.0) == 59.0
    assert gw.quiet_until("a", 59.0, 1.0) == 59.0  # nothing certain from 59 s on
    assert gw.quiet_until("a", 100.0, 1.0) == 100.0  # during the outage
    assert gw.quiet_until("a", 180.0, 1.0) == 180.0  # the instant it ends: not yet
    assert gw.quiet_until("a", 180.5, 2.0) == 298.0
    assert gw.quiet_until("a", 311.0, 1.0) == math.inf
    assert gw.quiet_until("nowhere", 0.0, 1.0) == 0.0


def test_nothing_is_certain_on_a_lossy_link_or_when_the_worst_round_trip_is_too_long() -> None:
    assert (
        quiet(link=Link(latency=0.0, jitter=0.0, loss=0.001)).gateway.quiet_until("a", 0.0, 1.0)
        == 0.0
    )
    slow = SimSettings(
        api_latency=Distribution("exponential", mean=0.05), link=SETTINGS.link
    )  # worst 1.84 s
    assert quiet(slow).gateway.quiet_until("a", 0.0, 1.0) == 0.0
    assert quiet(slow).gateway.quiet_until("a", 0.0, 2.0) == 58.0
    # the link's worst both ways plus the API's: 2 x (0.2 + 0.05 x 8.21) + 0.01 = 1.23 s
    link = Link(latency=0.2, jitter=0.05)
    assert quiet(link=link).gateway.quiet_until("a", 0.0, 1.2) == 0.0
    assert quiet(link=link).gateway.quiet_until("a", 0.0, 1.3) == pytest.approx(58.7)


def test_a_member_in_trouble_is_never_quiet() -> None:
    for start in ("outage_start", "hang_start", "partition_start"):
        b = quiet()
        getattr(b.member(), start)()
        assert b.gateway.quiet_until("a", 0.0, 1.0) == 0.0, start


def test_a_probe_draws_nothing_from_the_link_or_the_member() -> None:
    b = Bench("a", link=Link(latency=0.01, jitter=0.005))
    link_state = b.links["a"]._rng.getstate()
    b.gateway.probe(["a"], 0.0, 1.0)
    b.run(2.0)
    assert b.links["a"]._rng.getstate() == link_state
    # the same probe at the same time in another world of the same seed: the same result
    c = Bench("a", link=Link(latency=0.01, jitter=0.005))
    c.links["a"].delay()  # a write went first there
    c.gateway.probe(["a"], 0.0, 1.0)
    c.run(2.0)
    (p,), _ = b.gateway.observe(2.0)
    (q,), _ = c.gateway.observe(2.0)
    assert p == q
