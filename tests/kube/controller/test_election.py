"""Two controller replicas with --leader-elect on a real host (coordination.k8s.io Lease,
shortened timings): one leads; when it is frozen the other takes over after the lease runs out,
and the old leader, thawed, writes nothing more and exits; never do both write."""

from __future__ import annotations

import datetime as dt
import signal
import time
from typing import Any

import pytest

from federation.controller import requests
from federation.controller.templates import SYSTEM_NAMESPACE

from ..conftest import eventually
from .conftest import FedHost, apply_all, start
from .test_survival import deployment, policy, replicas_on_members

pytestmark = pytest.mark.kube

NS = "t-elect"
LEASE, RENEW, RETRY = 4, 3, 1
ELECT = (
    "--leader-elect",
    f"--lease-duration={LEASE}",
    f"--renew-deadline={RENEW}",
    f"--retry-period={RETRY}",
)


def when(line: dict[str, Any]) -> float:
    return dt.datetime.fromisoformat(line["ts"]).timestamp()


def write_times(lines: list[dict[str, Any]]) -> list[float]:
    return [when(x) for x in lines if x.get("msg") in ("write", "host write")]


def leader_line(lines: list[dict[str, Any]]) -> dict[str, Any] | None:
    return next((x for x in lines if x.get("msg") == "became leader"), None)


def test_leader_fails_over_and_never_both_write(fed_host: FedHost, controllers: list) -> None:
    a = start(controllers, fed_host, "a", *ELECT, "--identity=replica-a")
    b = start(controllers, fed_host, "b", *ELECT, "--identity=replica-b")
    lead = eventually(lambda: (leader_line(a.lines()) and a) or (leader_line(b.lines()) and b), 60)
    standby = b if lead is a else a
    with fed_host.client() as host:
        apply_all(host, [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}}])
        apply_all(host, [deployment("web", 6, NS), policy(NS, "t-elect")])
        eventually(lambda: sum(replicas_on_members(fed_host, NS).get("web", {}).values()) == 6, 60)
        assert (
            'leader_election_master_status{name="kfed-controller"} 1.0' in lead.get("/metrics")[1]
        )
        assert (
            'leader_election_master_status{name="kfed-controller"} 0.0'
            in standby.get("/metrics")[1]
        )
        assert standby.get("/readyz") == (200, "standby\n")
        assert leader_line(standby.lines()) is None and write_times(standby.lines()) == []

        lead.signal(signal.SIGSTOP)  # frozen: it can neither renew nor write
        frozen = time.time()
        took = eventually(lambda: leader_line(standby.lines()), LEASE * 6)
        takeover = when(took) - frozen
        print(f"\nleader frozen -> standby leads after {takeover:.2f} s (lease {LEASE} s)")
        lease = requests.get(host, "Lease", SYSTEM_NAMESPACE, "kfed-controller")
        assert lease["spec"]["holderIdentity"] == standby.args[-1].split("=", 1)[1]
        # the new leader serves: scale the template, it writes
        apply_all(host, [deployment("web", 9, NS)])
        eventually(lambda: sum(replicas_on_members(fed_host, NS).get("web", {}).values()) == 9, 60)

        lead.signal(signal.SIGCONT)  # thawed: it must notice it lost the lease, not write
        code = lead.proc.wait(30)  # type: ignore[union-attr]
        assert code == 1
        old = write_times(lead.lines())
        new = write_times(standby.lines())
        assert old and new
        # never both: the old leader's last write happened before it was frozen; the new
        # leader's first write after the old one's lease ran out
        assert max(old) <= frozen
        assert min(new) >= frozen
        assert takeover >= RENEW  # the fence: not before the old leader stopped writing
        assert any(x.get("msg") == "leader election lost" for x in lead.lines())
