"""Steering profiles: `profile: NAME` in a MultiClusterService sets the steering knobs to what
that system does out of the box, each its documented default (the table with its sources is in
docs/traffic.md): Submariner Lighthouse (local-first, TTL 5 s, gateway checks 1 s x 5), k8gb
(round-robin, TTL 30 s, remote clusters polled every 30 s), Route 53 with external-dns (latency
routing, TTL 300 s, checks 30 s x 3, fail open), Cilium ClusterMesh (no DNS, an unreachable
cluster's backends never revoked: cacheTTL 0) and Istio (locality first, no DNS, outlier sweep
10 s, at most 10 % of the hosts ejected)."""

from __future__ import annotations

from collections.abc import Mapping

from federation.core.steering import Steering

PROFILES: Mapping[str, Steering] = {
    "lighthouse": Steering(
        "local-first", ttl=5.0, health_check_interval=1.0, failure_threshold=5, profile="lighthouse"
    ),
    "k8gb": Steering(
        "round-robin", ttl=30.0, health_check_interval=30.0, failure_threshold=1, profile="k8gb"
    ),
    "route53": Steering(
        "nearest",
        ttl=300.0,
        health_check_interval=30.0,
        failure_threshold=3,
        fail_open=True,
        profile="route53",
    ),
    "cilium": Steering(
        "weighted", ttl=0.0, health_check_interval=0.0, failure_threshold=0, profile="cilium"
    ),
    "istio": Steering(
        "local-first",
        ttl=0.0,
        health_check_interval=10.0,
        failure_threshold=1,
        max_ejection_percent=10.0,
        profile="istio",
    ),
}
