"""Cluster health: a probe-driven state machine, Ready -> Suspect -> Offline -> Recovering -> Ready.

The whole machine is the table below. Each row says where a cluster in `state` goes on a probe
`outcome`: to `target` when the guard holds, otherwise to `fallback`. Guards count consecutive
probes with the same outcome *and* how long that run has lasted, so one lost probe (a blip) never
takes a cluster Offline, and one good probe never declares a flapping cluster healthy.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from federation.core.model import Health, ProbeResult, Taint

Outcome = Literal["ok", "fail"]
Guard = Literal["always", "failures", "successes"]

READY, SUSPECT, OFFLINE, RECOVERING = (
    Health.READY,
    Health.SUSPECT,
    Health.OFFLINE,
    Health.RECOVERING,
)

#            (state,      outcome): (target,     guard,       fallback)
TRANSITIONS: dict[tuple[Health, Outcome], tuple[Health, Guard, Health]] = {
    (READY, "ok"): (READY, "always", READY),
    (READY, "fail"): (OFFLINE, "failures", SUSPECT),
    (SUSPECT, "ok"): (READY, "always", READY),
    (SUSPECT, "fail"): (OFFLINE, "failures", SUSPECT),
    (OFFLINE, "ok"): (READY, "successes", RECOVERING),
    (OFFLINE, "fail"): (OFFLINE, "always", OFFLINE),
    (RECOVERING, "ok"): (READY, "successes", RECOVERING),
    (RECOVERING, "fail"): (OFFLINE, "always", OFFLINE),
}

UNREACHABLE_TAINT = "kfed.io/unreachable"
RECOVERING_TAINT = "kfed.io/recovering"


@dataclass(frozen=True)
class HealthThresholds:
    """How probes turn into health. Defaults: see README "Health and failover defaults"."""

    probe_period: float = 2.0  # seconds between probes of one cluster
    probe_timeout: float = 1.0  # a probe with no answer by then counts as failed
    failure_count: int = 3  # consecutive failed probes before Offline ...
    failure_seconds: float = 3.5  # ... spanning at least this long
    success_count: int = 3  # consecutive good probes before Recovering -> Ready ...
    success_seconds: float = 3.5  # ... spanning at least this long
    # The spans sit a quarter period below (count - 1) x period on purpose. Probe results are
    # stamped when they come back, so three probes sent exactly 2 s apart span 4 s plus or
    # minus two round trips' jitter; a 4.0 s guard would hold half the time and otherwise wait
    # for a fourth probe, making detection a coin flip between 4 s and 6 s after the first
    # failure. At 3.5 s the third probe always decides, on the sim and on real clusters alike.


@dataclass(frozen=True)
class ClusterHealth:
    state: Health = READY
    since: float = 0.0  # when `state` was entered
    run_ok: bool = True  # outcome of the current run of equal probes
    run: int = 0  # length of that run
    run_start: float = 0.0  # time of its first probe
    last_probe: float | None = None
    transitions: int = 0
    # when it last went Offline from Ready or Suspect; kept while Recovering (it is not Ready
    # again until then), None once Ready
    down_since: float | None = None


def observe_probe(h: ClusterHealth, probe: ProbeResult, th: HealthThresholds) -> ClusterHealth:
    """The health after one more probe result. Results older than the last one are ignored."""
    if h.last_probe is not None and probe.t < h.last_probe:
        return h
    if probe.ok == h.run_ok and h.run > 0:
        run, run_start = h.run + 1, h.run_start
    else:
        run, run_start = 1, probe.t
    outcome: Outcome = "ok" if probe.ok else "fail"
    target, guard, fallback = TRANSITIONS[(h.state, outcome)]
    held = probe.t - run_start
    if guard == "failures":
        met = run >= th.failure_count and held >= th.failure_seconds
    elif guard == "successes":
        met = run >= th.success_count and held >= th.success_seconds
    else:
        met = True
    nxt = target if met else fallback
    changed = nxt != h.state
    down = h.down_since
    if nxt is OFFLINE and h.state in (READY, SUSPECT):
        down = probe.t
    elif nxt in (READY, SUSPECT):
        down = None
    return ClusterHealth(  # every field given: `replace` costs more than the whole step
        state=nxt,
        since=probe.t if changed else h.since,
        run_ok=probe.ok,
        run=run,
        run_start=run_start,
        last_probe=probe.t,
        transitions=h.transitions + (1 if changed else 0),
        down_since=down,
    )


def health_taints(h: ClusterHealth, not_ready: tuple[Taint, ...] = ()) -> tuple[Taint, ...]:
    """Taints the federation puts on a cluster because of its health.

    Offline clusters get a NoExecute taint (eviction after the policy's toleration); recovering
    clusters a NoSchedule one, so nothing new lands until they are Ready again. Suspect clusters
    get none: a single lost probe must not move anything. The cluster's own `not_ready`
    taints (a Karmada ClusterTaintPolicy) are added while it is Offline or Recovering, stamped
    with the time it went down.
    """
    if h.state is OFFLINE:
        own: tuple[Taint, ...] = (Taint(UNREACHABLE_TAINT, "", "NoExecute", time_added=h.since),)
    elif h.state is RECOVERING:
        own = (Taint(RECOVERING_TAINT, "", "NoSchedule", time_added=h.since),)
    else:
        return ()
    if not not_ready:
        return own
    down = h.down_since if h.down_since is not None else h.since
    return own + tuple(replace(t, time_added=down) for t in not_ready)
