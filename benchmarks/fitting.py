"""Fitting calibration samples: summary quantiles, and the sim settings (link, API latency,
pod start-up as lognormal `Distribution`s) that measured figures call for."""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from typing import Any

from federation.api.scenario import Distribution, Link


def quantiles(samples: Sequence[float]) -> dict[str, float]:
    """count, min, p50, p90, p99, max and mean of `samples` (seconds)."""
    xs = sorted(samples)
    if not xs:
        return {"count": 0}

    def q(p: float) -> float:
        return xs[min(len(xs) - 1, max(0, math.ceil(p * len(xs)) - 1))]

    return {
        "count": len(xs),
        "min": xs[0],
        "p50": q(0.5),
        "p90": q(0.9),
        "p99": q(0.99),
        "max": xs[-1],
        "mean": statistics.fmean(xs),
    }


def lognormal(samples: Sequence[float], high: float | None = None) -> Distribution:
    """The lognormal with the samples' median and the spread of their logs (sigma), clipped."""
    xs = [x for x in samples if x > 0]
    if not xs:
        raise ValueError("no positive samples")
    median = statistics.median(xs)
    logs = [math.log(x) for x in xs]
    sigma = statistics.pstdev(logs) if len(logs) > 1 else 0.0
    return Distribution("lognormal", median=round(median, 4), sigma=round(sigma, 3), high=high)


def fit(figures: Mapping[str, Any]) -> dict[str, Any]:
    """The sim settings the measured figures call for (see docs/calibration.md).

    * link: one-way delay = the median watch delivery (apply returned -> event arrived through
      the proxy: one loopback leg plus the proxy), jitter = its p90 - p50;
    * api_latency: each apply round trip minus the two link legs (a `/readyz` probe opens a new
      TLS connection and costs a few ms more; the sim uses one API latency for both, which
      moves a detection by milliseconds against a 2 s probe period);
    * pod_startup: each scale-up (apply returned -> new count ready), the sim's start-up of a
      batch bound by a write; failover and surges are scale-ups of running Deployments.
      Creates in a warm namespace are faster (see `startup.create`).
    """
    watch = figures["watch"]["delay"]
    one_way = max(1e-5, watch["p50"])
    link = Link(latency=round(one_way, 6), jitter=round(max(0.0, watch["p90"] - watch["p50"]), 6))
    api_samples = [max(1e-4, x - 2 * one_way) for x in figures["api"]["apply_samples"]]
    start_samples = figures["startup"].get("scale_samples") or figures["startup"]["samples"]
    return {
        "link": link,
        "api_latency": lognormal(api_samples, high=1.0),
        "pod_startup": lognormal(start_samples, high=30.0),
    }
