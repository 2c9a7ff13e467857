"""Leader election for controller replicas: the kubernetes client's `LeaderElection` over a
coordination.k8s.io Lease (15 s / 10 s / 2 s by default, as client-go, controller-runtime and
Karmada), plus a write fence: the leader writes only while its last renewal is younger than the
renew deadline, so a replica that was paused or cut off stops writing before any other can
take over (which needs a whole lease duration without renewals)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from federation.controller.templates import SYSTEM_NAMESPACE

LEASE_NAME = "kfed-controller"
log = logging.getLogger("kfed.election")


@dataclass(frozen=True)
class Timings:
    lease_duration: int = 15
    renew_deadline: int = 10
    retry_period: int = 2

    def problems(self) -> list[str]:
        """What the client's validation would `sys.exit` on, as messages (none = valid)."""
        out = []
        if min(self.lease_duration, self.renew_deadline, self.retry_period) < 1:
            out.append("every leader-election period must be at least 1 second")
        if self.lease_duration <= self.renew_deadline:
            out.append("--lease-duration must be greater than --renew-deadline")
        if self.renew_deadline <= 1.2 * self.retry_period:
            out.append("--renew-deadline must be greater than 1.2 x --retry-period")
        return out


class Election:
    """Runs `lead` while this replica holds the lease; `may_write` is the fence."""

    def __init__(
        self,
        host_client: Any,
        identity: str,
        timings: Timings = Timings(),
        *,
        namespace: str = SYSTEM_NAMESPACE,
        name: str = LEASE_NAME,
        on_status: Callable[[bool], None] = lambda leading: None,
    ) -> None:
        from kubernetes import client
        from kubernetes.leaderelection.resourcelock.leaselock import LeaseLock

        problems = timings.problems()
        if problems:
            raise ValueError("; ".join(problems))
        self.identity = identity
        self.timings = timings
        self.on_status = on_status
        self.lock = LeaseLock(name, namespace, identity)  # type: ignore[no-untyped-call]
        self.lock.api_instance = client.CoordinationV1Api(host_client)  # never the global client
        self._renewed: float | None = None  # monotonic time of the last successful renewal
        self.leading = threading.Event()
        self.lost = threading.Event()
        self.acquired_at: float | None = None
        for verb in ("create", "update"):
            self._wrap(verb)

    def _wrap(self, verb: str) -> None:
        original = getattr(self.lock, verb)

        def recorded(*args: Any, **kwargs: Any) -> Any:
            started = time.monotonic()
            ok = original(*args, **kwargs)
            if ok:
                # the renewal counts from when it was sent: the lease says the same instant
                self._renewed = started
            return ok

        setattr(self.lock, verb, recorded)

    def may_write(self) -> bool:
        """True while this replica leads and its lease is surely still its own."""
        r = self._renewed
        return (
            self.leading.is_set()
            and not self.lost.is_set()
            and r is not None
            and time.monotonic() - r < self.timings.renew_deadline
        )

    def run(self, lead: Callable[[], None]) -> None:
        """Block: wait for the lease, run `lead` in a thread while it is held; return when it is
        lost (`lost` is set: stop writing, stop leading)."""
        from kubernetes.leaderelection import electionconfig, leaderelection

        def started() -> None:
            self.acquired_at = time.monotonic()
            self.leading.set()
            self.on_status(True)
            log.info("became leader", extra={"identity": self.identity})
            lead()

        def stopped() -> None:
            self.lost.set()
            self.leading.clear()
            self.on_status(False)
            log.warning("leader election lost", extra={"identity": self.identity})

        config = electionconfig.Config(  # type: ignore[no-untyped-call]
            self.lock,
            self.timings.lease_duration,
            self.timings.renew_deadline,
            self.timings.retry_period,
            started,
            stopped,
        )
        log.info(
            "waiting for the lease",
            extra={"identity": self.identity, "lease": f"{self.lock.namespace}/{self.lock.name}"},
        )
        leaderelection.LeaderElection(config).run()  # type: ignore[no-untyped-call]
