"""Steering profiles: `profile: NAME` in a MultiClusterService sets the steering knobs to what
that system does out of the box. Each number is the system's documented default (sources in
docs/traffic.md, collected in the project's anchors):

| profile | policy | TTL | checks | threshold | notes |
| --- | --- | --- | --- | --- | --- |
| lighthouse | local-first | 5 s (CoreDNS plugin defaultTTL) | 1 s gateway health check | 5 lost | Submariner Lighthouse: local cluster first, else another connected one |
| k8gb | round-robin | 30 s (DefaultTTLSeconds) | 30 s (reconcileRequeueSeconds: remote clusters are polled) | 1 | health is binary: any ready endpoint |
| route53 | nearest | 300 s (external-dns AWS default) | 30 s (RequestInterval) | 3 (FailureThreshold) | latency routing; all unhealthy: all answered (fail open) |
| cilium | weighted | 0 (no DNS: eBPF service LB) | none | 0 | clustermesh.cacheTTL 0 = an unreachable cluster's backends are never revoked |
| istio | local-first | 0 (no DNS: the sidecar) | 10 s outlier sweep | 1 | consecutive5xxErrors (5) are reached within ms under load; maxEjectionPercent 10 % |
"""

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
