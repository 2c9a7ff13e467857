"""The traffic model's arithmetic, by hand: demand steps, M/M/c queues, latency quantiles,
egress prices and tiers, round-trip times."""

from __future__ import annotations

import math

import pytest

from federation.traffic.demand import rate_at, requests, schedule
from federation.traffic.latency import LOCATIONS, rtt_ms, table_rtt
from federation.traffic.prices import DEFAULT_PRICES, internet_cost, path
from federation.traffic.queueing import Piece, erlang_c, quantile, queue
from federation.traffic.spec import ClientTraffic, Network, Rate


def test_step_and_spike_schedules() -> None:
    assert schedule(Rate("step", steps=((60.0, 100.0), (120.0, 40.0))), 300.0) == [
        (0.0, 0.0), (60.0, 100.0), (120.0, 40.0)]  # fmt: skip
    assert schedule(Rate("spike", rps=10.0, peak=50.0, at=30.0, duration=5.0), 100.0) == [
        (0.0, 10.0), (30.0, 50.0), (35.0, 10.0)]  # fmt: skip
    steps = schedule(Rate("constant", rps=7.0), 100.0)
    assert rate_at(steps, 42.0) == 7.0 and requests(steps, 10.0, 20.0) == 70.0


def test_diurnal_steps_integrate_to_the_curve() -> None:
    # mean 100, amplitude 0.5, period 1 h, peak at 15 min: the hour's requests are exactly
    # 100 x 3600, and the first quarter's are 100 x 900 + 50 x (3600 / 2 pi) (sin from -pi/2 to 0)
    r = Rate("diurnal", mean=100.0, amplitude=0.5, period=3600.0, peak_at=900.0, resolution=300.0)
    steps = schedule(r, 3600.0)
    assert len(steps) <= 12  # 5-minute steps (equal neighbours merged)
    assert requests(steps, 0.0, 3600.0) == pytest.approx(360000.0)
    assert requests(steps, 0.0, 900.0) == pytest.approx(90000.0 + 50.0 * 3600.0 / (2 * math.pi))


def test_erlang_c_by_hand() -> None:
    assert erlang_c(1, 0.5) == pytest.approx(0.5)  # M/M/1: P(wait) = rho
    assert erlang_c(2, 1.0) == pytest.approx(1.0 / 3.0)  # a=1, c=2: (1/2 / (1/2 + 1 + 1)) ...
    q = queue(2, 100.0, 100.0)
    assert (q.served, q.wait_p, q.wait_rate) == (1.0, pytest.approx(1 / 3), 100.0)


def test_overload_serves_capacity_and_fails_the_rest() -> None:
    q = queue(4, 50.0, 500.0)  # capacity 200 of 500
    assert q.served == pytest.approx(0.4) and q.wait_p == 1.0 and q.wait_rate == 0.0
    assert queue(0, 50.0, 10.0).served == 0.0


def test_quantiles_of_atoms_and_an_exponential_tail() -> None:
    # 90 % served in 10 ms, 10 % in 110 ms: p50 = 10 ms, p99 = 110 ms
    pieces = [Piece(90.0, 0.010, 0.0, 0.0, 10.0), Piece(10.0, 0.110, 0.0, 0.0, 10.0)]
    assert quantile(pieces, 0.5) == pytest.approx(0.010, abs=1e-6)
    assert quantile(pieces, 0.99) == pytest.approx(0.110, abs=1e-6)
    # wait w.p. 0.5, Exp(rate 10): P(L > 0.02 + y) = 0.5 e^{-10 y} = 0.01 -> y = ln(50) / 10
    tail = [Piece(1.0, 0.02, 0.5, 10.0, 100.0)]
    assert quantile(tail, 0.99) == pytest.approx(0.02 + math.log(50) / 10, abs=1e-6)
    # a full queue waits the timeout
    assert quantile([Piece(1.0, 0.02, 1.0, 0.0, 10.0)], 0.5) == pytest.approx(10.02, abs=1e-6)


def test_aws_internet_tiers() -> None:
    # 20 TB in a 730 h month: 100 GB free, 10,140 GB at 0.09, 10,240 - ... next at 0.085
    aws = DEFAULT_PRICES["aws"]
    month = 20480.0
    want = (10240 - 100) * 0.09 + (20480 - 10240) * 0.085
    assert internet_cost(aws, month, 730.0) == pytest.approx(want)
    # one hour of the same rate pays 1/730 of that month
    assert internet_cost(aws, month / 730.0, 1.0) == pytest.approx(want / 730.0)
    assert internet_cost(aws, 50.0, 730.0) == 0.0  # inside the free 100 GB


def test_paths() -> None:
    net = Network()
    c = ClientTraffic("s/x", "eu-west", zone="eu-west-1a")
    assert path(c, "eu-west", "eu-west-1a", "aws", net) == "intra-zone"
    assert path(c, "eu-west", "eu-west-1b", "aws", net) == "inter-zone"
    assert (
        path(ClientTraffic("s/x", "eu-west"), "eu-west", "eu-west-1a", "aws", net) == "inter-zone"
    )
    assert path(c, "eu-north", "", "aws", net) == "inter-region"
    assert path(c, "us-east", "", "aws", net) == "inter-continent"
    assert (
        path(ClientTraffic("s/x", "eu-west", internet=True), "eu-west", "", "aws", net)
        == "internet"
    )
    assert (
        path(ClientTraffic("s/x", "eu-west", provider="gcp"), "eu-west", "", "aws", net)
        == "internet"
    )


def test_rtt_table_is_complete_and_symmetric() -> None:
    for a in LOCATIONS:
        for b in LOCATIONS:
            assert table_rtt(a, b) == table_rtt(b, a) is not None
    net = Network()
    assert rtt_ms("eu-west", "", "us-east", "", net) == 81.0  # West Europe - East US
    assert rtt_ms("us-east-1", "", "eu-west-1", "", net) == 76.0  # Virginia - Dublin
    assert rtt_ms("eu-west", "a", "eu-west", "a", net) == 0.5
    assert rtt_ms("eu-west", "a", "eu-west", "b", net) == 1.5
    assert rtt_ms("mars", "", "eu-west", "", net) == 100.0
    assert rtt_ms("mars", "", "eu-west", "", Network(rtt={("eu-west", "mars"): 900.0})) == 900.0
