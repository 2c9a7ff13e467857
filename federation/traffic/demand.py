"""Client demand as a step function: every rate pattern becomes (from, requests/s) steps, so the
engine changes rates only at those instants and integrates exactly between them. A diurnal curve
is held constant over each step at the curve's exact mean over that step, so the requests a run
counts equal the integral of the smooth curve."""

from __future__ import annotations

import math

from federation.core.step_function import integral, value_at
from federation.traffic.spec import Rate

Steps = list[tuple[float, float]]  # (from, requests per second), increasing times, first at 0


def _diurnal_mean(r: Rate, a: float, b: float) -> float:
    """Mean of mean x (1 + A cos(2 pi (t - peak_at) / period)) over [a, b]."""
    w = 2.0 * math.pi / r.period
    if b <= a:
        return r.mean * (1.0 + r.amplitude * math.cos(w * (a - r.peak_at)))
    integral = (math.sin(w * (b - r.peak_at)) - math.sin(w * (a - r.peak_at))) / w
    return r.mean * (1.0 + r.amplitude * integral / (b - a))


def schedule(r: Rate, end: float) -> Steps:
    """The steps of `r` over [0, end] (a step that would start at or after `end` is left out;
    consecutive equal rates are merged)."""
    out: Steps = []

    def put(t: float, rps: float) -> None:
        if t >= end and out:
            return
        rps = max(0.0, rps)
        if out and abs(out[-1][1] - rps) < 1e-12:
            return
        if out and abs(out[-1][0] - t) < 1e-12:
            out[-1] = (t, rps)
            return
        out.append((t, rps))

    if r.kind == "constant":
        put(0.0, r.rps)
    elif r.kind == "step":
        put(0.0, 0.0)
        for t, rps in sorted(r.steps):
            put(max(0.0, t), rps)
    elif r.kind == "spike":
        put(0.0, r.rps)
        put(r.at, r.peak)
        put(r.at + r.duration, r.rps)
    else:  # diurnal
        step = r.resolution or r.period / 24.0
        k = 0
        while True:
            a = k * step
            if a >= end:
                break
            put(a, _diurnal_mean(r, a, min(a + step, end)))
            k += 1
    if not out:
        out.append((0.0, 0.0))
    return out


def rate_at(steps: Steps, t: float) -> float:
    """The requests per second in force at `t`."""
    return value_at(steps, t)


def requests(steps: Steps, a: float, b: float) -> float:
    """The requests the steps offer over [a, b]."""
    return integral(steps, a, b)
