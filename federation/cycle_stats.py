"""What one control-loop cycle took in and did: the figures the loop's metrics are made of."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CycleStats:
    """What one cycle took in and did (for metrics: `federation.telemetry`)."""

    now: float
    queued: int  # workload keys waiting for this cycle (changed, woken, or all on a resync)
    reconciled: int
    sent: int
    probes: int
    deltas: int
    full: bool  # a full resync
    events: int = 0  # events of the plan (health changes among them)

    @property
    def idle(self) -> bool:
        """The cycle took in no news from the members, decided no event and sent no write: at
        most probe results that changed no health came in and probes went out (so the same as
        if those probes had been left out). Told by what came in and out, not by how much was
        reconciled, so a loop that reconciles everything every cycle agrees."""
        return not (self.sent or self.deltas or self.events)
