"""Traffic steering: which member clusters a federated service's DNS (or proxy) answers a client
region with, and in what shares. A pure function of what the answerer knows: each cluster's
known ready endpoints, whether its health checks pass, and the client's round-trip time to it.

Policies (docs/traffic.md):

* `local-first`: the clusters in the client's region that have endpoints and pass their health
  checks, split evenly; none there: the nearest region (lowest RTT) that has some (Lighthouse).
* `round-robin`: every eligible cluster, split evenly (k8gb's default strategy).
* `weighted`: every eligible cluster, in proportion to its known ready endpoints.
* `failover`: the first entry of `failover_order` (a cluster or a region) with an eligible
  cluster takes everything (k8gb failover, Route 53 PRIMARY/SECONDARY); when no listed entry
  is eligible, every eligible cluster does (k8gb: an unhealthy primary returns all targets).
* `nearest`: the eligible cluster(s) with the lowest RTT from the client (latency routing).

Eligible = known ready endpoints > 0 and health checks passing. Two exceptions reproduce real
systems: `fail_open` answers with every cluster that has endpoints when none is healthy (Route 53,
Azure Traffic Manager), and `max_ejection_percent` caps how many endpoints health checking may
take out (Istio/Envoy outlier detection, default 10 %): unhealthy clusters stay in the answer when
removing them would eject more than that share of the service's endpoints.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Policy = Literal["local-first", "round-robin", "weighted", "failover", "nearest"]
POLICIES: tuple[Policy, ...] = ("local-first", "round-robin", "weighted", "failover", "nearest")

Answer = tuple[tuple[str, float], ...]  # (cluster, share), by cluster name; shares sum to 1
NO_ANSWER: Answer = ()


@dataclass(frozen=True)
class Steering:
    """How one federated service is steered and how fast it notices a dead cluster.

    A health check of a cluster runs every `health_check_interval` seconds; `failure_threshold`
    consecutive failures take it out of the answer and as many consecutive passes put it back
    (0: health checks never remove anything). Clients keep an answer for `ttl` + `client_cache`
    seconds."""

    policy: Policy = "local-first"
    ttl: float = 5.0
    health_check_interval: float = 1.0
    failure_threshold: int = 5
    client_cache: float = 0.0
    failover_order: tuple[str, ...] = ()  # cluster or region names, most preferred first
    fail_open: bool = False
    max_ejection_percent: float = 100.0
    profile: str = ""  # the profile the defaults came from ("" = kfed's)

    @property
    def cache_period(self) -> float:
        """How long a client uses one answer before resolving again: TTL plus client cache."""
        return self.ttl + self.client_cache


@dataclass(frozen=True)
class Candidate:
    """One member cluster as the answerer sees it for one service and one client region."""

    cluster: str
    region: str
    endpoints: int  # known ready endpoints (the published EndpointSlices)
    healthy: bool  # health checks passing
    rtt_ms: float  # from the client region


def _even(names: Sequence[str]) -> Answer:
    if not names:
        return NO_ANSWER
    share = 1.0 / len(names)
    return tuple((n, share) for n in sorted(names))


def _admitted(cands: Sequence[Candidate], s: Steering) -> list[Candidate]:
    """The clusters that may appear in an answer: endpoints known, and healthy (or kept by the
    ejection cap, or by fail-open when nothing is healthy)."""
    with_eps = [c for c in cands if c.endpoints > 0]
    healthy = [c for c in with_eps if c.healthy]
    sick = sorted((c for c in with_eps if not c.healthy), key=lambda c: (c.endpoints, c.cluster))
    if sick and s.max_ejection_percent < 100.0:
        total = sum(c.endpoints for c in with_eps)
        room = total * s.max_ejection_percent / 100.0
        kept = []
        for c in sick:  # eject the smallest first while the cap allows
            if c.endpoints <= room + 1e-9:
                room -= c.endpoints
            else:
                kept.append(c)
        healthy = healthy + kept
    if not healthy and s.fail_open:
        return with_eps
    return healthy


def answer(client_region: str, candidates: Sequence[Candidate], s: Steering) -> Answer:
    """The shares of a client region's new requests per cluster (empty: no answer, every
    request fails). Deterministic: ties break by cluster name."""
    ok = _admitted(candidates, s)
    if not ok:
        return NO_ANSWER
    policy = s.policy
    if policy == "round-robin":
        return _even([c.cluster for c in ok])
    if policy == "weighted":
        total = sum(c.endpoints for c in ok)
        return tuple((c.cluster, c.endpoints / total) for c in sorted(ok, key=lambda c: c.cluster))
    if policy == "nearest":
        best = min(c.rtt_ms for c in ok)
        return _even([c.cluster for c in ok if c.rtt_ms <= best + 1e-9])
    if policy == "failover":
        for entry in s.failover_order:
            hit = [c.cluster for c in ok if entry in (c.cluster, c.region)]
            if hit:
                return _even(hit)
        return _even([c.cluster for c in ok])  # nothing listed is eligible: all (k8gb)
    # local-first
    local = [c.cluster for c in ok if c.region == client_region]
    if local:
        return _even(local)
    by_region: dict[str, float] = {}
    for c in ok:
        by_region[c.region] = min(by_region.get(c.region, c.rtt_ms), c.rtt_ms)
    region = min(by_region, key=lambda r: (by_region[r], r))
    return _even([c.cluster for c in ok if c.region == region])
