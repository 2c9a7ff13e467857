"""What the traffic engine knows of one service on one member cluster: its Ready replicas (data
plane, ground truth), the endpoints the answerer knows of (published through the control plane,
so stale while the member is cut off from it), and the health-check state machine of
`federation.core.healthcheck` run against the data plane."""

from __future__ import annotations

from dataclasses import dataclass, field

from federation.core.healthcheck import CheckSchedule, EndpointHealth, advance, flip_index


@dataclass
class Endpoint:
    """One (service, cluster)."""

    checks: CheckSchedule | None  # None: the service runs no health checks
    threshold: int
    ready: dict[str, int] = field(default_factory=dict)  # backend key -> Ready replicas (truth)
    known: dict[str, int] = field(default_factory=dict)  # backend key -> published endpoints
    health: EndpointHealth = EndpointHealth()
    ok: bool = False  # the data-plane outcome a health check sees now
    begun: bool = False  # checks run from the first Ready replica on
    version: int = 0  # invalidates a scheduled flip
    # the federation steered clients away (a migration leaving the cluster): not answered with
    # while it has endpoints; cleared when they are gone
    withdrawn: bool = False

    @property
    def replicas(self) -> int:
        return sum(self.ready.values())

    @property
    def endpoints(self) -> int:
        return sum(self.known.values())

    def outcome(self, ok: bool, now: float) -> tuple[int, float] | None:
        """The data plane's outcome changed at `now`: account for the checks before it with the
        old outcome; return (check index, time) of the flip the new outcome leads to, if any.
        Checks begin with the first Ready replica (a new endpoint starts Healthy)."""
        self.version += 1
        if self.checks is None or (not self.begun and not ok):
            self.ok = ok
            return None
        first = self.checks.first_at_or_after(now)
        if not self.begun:
            self.begun = True
            self.health = EndpointHealth(True, 0, first - 1)
        self.health = advance(self.health, self.ok, first - 1, self.threshold)
        self.ok = ok
        k = flip_index(self.health, ok, first, self.threshold)
        return None if k is None else (k, self.checks.time(k))

    def check(self, k: int) -> bool:
        """Checks through index `k` ran with the current outcome; True when the state flipped."""
        assert self.checks is not None
        before = self.health.healthy
        self.health = advance(self.health, self.ok, k, self.threshold)
        return self.health.healthy != before
