"""Writes the control loop sent that the members have not answered yet, so each is sent once.

A level-triggered core asks for the same write again whenever it looks at a workload before the
member has answered; the loop sends it once and waits for the answer (or a failure, or
`inflight_timeout`) before sending it again.
"""

from __future__ import annotations

from collections.abc import Sequence

from federation.core.actions import Action, Apply
from federation.observed import Delta


class InflightWrites:
    """Writes on their way per (cluster, workload key), and how many repeats were held back."""

    def __init__(self, timeout: float = 10.0) -> None:
        # how long a write may go unanswered before the same write is sent again
        self.timeout = timeout
        # writes sent but not yet seen on the member: (cluster, key) -> (hash or "", sent at)
        self._inflight: dict[tuple[str, str], tuple[str, float]] = {}
        self.suppressed = 0  # actions not re-sent because the same write was still on its way

    def unsent(self, actions: Sequence[Action], now: float) -> list[Action]:
        """The actions to send now: all but repeats of a write still on its way."""
        out = []
        for a in actions:
            sig = a.hash if isinstance(a, Apply) else ""
            k = (a.cluster, a.key)
            prev = self._inflight.get(k)
            if prev is not None and prev[0] == sig and now - prev[1] < self.timeout:
                self.suppressed += 1
                continue
            self._inflight[k] = (sig, now)
            out.append(a)
        return out

    def settle(self, deltas: Sequence[Delta]) -> set[str]:
        """Forget writes the members have answered: applied, deleted, or failed. Return the
        keys of writes a member's relist showed it never got (reconnected after a fault): they
        are reconciled again at once, not after their retry back-off."""
        orphaned: set[str] = set()
        if not self._inflight:
            return orphaned
        for d in deltas:
            for key, obj in d.upserts.items():
                prev = self._inflight.get((d.cluster, key))
                if prev is not None and prev[0] == obj.hash:
                    del self._inflight[(d.cluster, key)]
            for key in (*d.removals, *d.touched):
                self._inflight.pop((d.cluster, key), None)
            if d.full:
                for k in [k for k in self._inflight if k[0] == d.cluster]:
                    del self._inflight[k]
                    orphaned.add(k[1])
        return orphaned

    def forget(self, cluster: str, key: str) -> None:
        """Another writer (a member's own HPA) wrote this object: nothing of ours is on its way."""
        self._inflight.pop((cluster, key), None)

    def forget_cluster(self, cluster: str) -> None:
        """The member left the federation: forget every write to it."""
        self._inflight = {k: v for k, v in self._inflight.items() if k[0] != cluster}
