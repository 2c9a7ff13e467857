"""Queueing at one cluster for one service, and the latency of served requests.

Each Ready replica is one server of rate mu (the service's requests per second per replica).
Between two events the arrival rate lambda is constant and the cluster is taken to be in the
steady state of an M/M/c queue with c = Ready replicas (a quasi-stationary approximation: the
queue is assumed to settle faster than the rates change):

* rho = lambda / (c mu) < 1: every request is served; it waits with probability C (Erlang C) an
  exponential time of rate c mu - lambda;
* rho >= 1: the cluster serves c mu requests per second, the rest (1 - 1/rho) fail (they
  would time out in an ever-growing queue); the served ones waited a full timeout;
* no Ready replica: every request that reaches the cluster fails.

A served request's latency is RTT + service time + min(wait, timeout), so the latency is
continuous as rho goes to 1 (the wait grows to the timeout). Percentiles of many such pieces
(one per cluster and stretch of time, weighted by the requests served) are found by bisection on
their mixed distribution function.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Queue:
    """The steady state of one cluster's queue for one service."""

    served: float  # the fraction of arriving requests served (1 below saturation)
    wait_p: float  # the probability a served request waits at all
    wait_rate: float  # its wait is exponential with this rate (0: waits the full timeout)


def erlang_c(c: int, a: float) -> float:
    """The probability an arrival waits in M/M/c with offered load `a` = lambda / mu < c."""
    if a <= 0:
        return 0.0
    b = 1.0  # Erlang B, built up server by server (stable for large c)
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    rho = a / c
    return b / (1.0 - rho + rho * b)


def queue(replicas: int, mu: float, arrival: float) -> Queue:
    if arrival <= 0:
        return Queue(1.0, 0.0, 0.0)
    if replicas <= 0 or mu <= 0:
        return Queue(0.0, 0.0, 0.0)
    capacity = replicas * mu
    if arrival >= capacity:
        return Queue(capacity / arrival, 1.0, 0.0)
    return Queue(1.0, erlang_c(replicas, arrival / mu), capacity - arrival)


@dataclass(frozen=True)
class Piece:
    """Served requests whose latency is shift + min(W, cap), W = 0 w.p. 1 - p, else
    exponential(rate) (rate 0: W = cap)."""

    weight: float  # requests
    shift: float  # seconds: RTT + service time
    p: float
    rate: float
    cap: float

    def cdf(self, x: float) -> float:
        y = x - self.shift
        if y < 0:
            return 0.0
        if y >= self.cap:
            return 1.0
        if self.p <= 0:
            return 1.0
        if self.rate <= 0:
            return 1.0 - self.p
        return 1.0 - self.p * math.exp(-self.rate * y)


def merge(pieces: Iterable[Piece]) -> list[Piece]:
    """Pieces with the same shape added up (a steady run repeats one shape many times)."""
    by: dict[tuple[float, float, float, float], float] = {}
    for p in pieces:
        if p.weight > 0:
            k = (round(p.shift, 9), round(p.p, 12), round(p.rate, 9), round(p.cap, 9))
            by[k] = by.get(k, 0.0) + p.weight
    return [Piece(w, s, pp, r, c) for (s, pp, r, c), w in sorted(by.items())]


def quantile(pieces: Sequence[Piece], q: float) -> float | None:
    """The q-quantile (0 < q < 1) of the mixed latency, seconds (None: nothing served)."""
    total = sum(p.weight for p in pieces)
    if total <= 0:
        return None

    def below(x: float) -> float:
        return sum(p.weight * p.cdf(x) for p in pieces) / total

    lo = min(p.shift for p in pieces)
    hi = max(p.shift + p.cap for p in pieces)
    if below(lo) >= q:
        return lo
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if below(mid) >= q:
            hi = mid
        else:
            lo = mid
        if hi - lo < 1e-7:
            break
    return hi
