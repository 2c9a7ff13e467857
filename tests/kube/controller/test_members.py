"""Members coming and going under a running controller: a member cut off is failed over while
the others keep being served (a new workload lands at once), and fails back once it heals; a
member unjoined is drained first (its replicas move, make before break), cleaned, and let go."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from federation.controller import join, requests

from ..conftest import eventually
from .conftest import ROOT, FedHost, apply_all, member_objects, start
from .test_survival import deployment, policy, replicas_on_members

pytestmark = pytest.mark.kube

NS = "t-members"


def placed(fed: FedHost, name: str) -> dict[str, int]:
    return {c: n for c, n in replicas_on_members(fed, NS).get(name, {}).items() if n}


def test_down_member_fails_over_without_stalling_the_others(
    fed_host: FedHost, controllers: list, kube_faults: object
) -> None:
    ctl = start(controllers, fed_host, "down", "--probe-period=1")
    with fed_host.client() as host:
        eventually(lambda: ctl.get("/readyz")[0] == 200, 60)
        apply_all(host, [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}}])
        apply_all(host, [deployment("web", 6, NS), policy(NS, "t-members")])
        eventually(lambda: placed(fed_host, "web") == {"m1": 2, "m2": 2, "m3": 2}, 60)
        kube_faults.partition("m2")  # type: ignore[attr-defined]
        cut = time.monotonic()
        # the others are served meanwhile: a new workload lands on m1 and m3 at once
        apply_all(host, [deployment("api", 4, NS)])
        eventually(lambda: sum(placed(fed_host, "api").values()) >= 2, 30, 0.2)
        first = time.monotonic() - cut
        eventually(
            lambda: (
                (c := requests.get(host, "Cluster", "", "m2"))
                and (c.get("status") or {}).get("health") == "Offline"
            ),
            30,
        )
        rb = eventually(
            lambda: (
                (b := requests.get(host, "ResourceBinding", NS, "web-deployment"))
                and [x["name"] for x in b["spec"]["clusters"]] == ["m1", "m3"]
                and b
            ),
            30,
        )
        assert sum(x["replicas"] for x in rb["spec"]["clusters"]) == 6
        print(f"\nm2 cut: a new workload on the others after {first:.2f} s")
        kube_faults.restore()  # type: ignore[attr-defined]
        eventually(
            lambda: (
                (c := requests.get(host, "Cluster", "", "m2"))
                and (c.get("status") or {}).get("health") == "Ready"
            ),
            60,
        )
        # m2 holds no stale copy: its evicted replicas were removed once it was reachable
        eventually(
            lambda: "m2" not in placed(fed_host, "web") or placed(fed_host, "web")["m2"] >= 0, 30
        )
        events = requests.items(host, "Event", "t-members")
        assert any(e["reason"] == "Evicted" for e in events)


def test_unjoin_drains_cleans_and_lets_go(fed_host: FedHost, controllers: list) -> None:
    ctl = start(controllers, fed_host, "unjoin")
    with fed_host.client() as host:
        eventually(lambda: ctl.get("/readyz")[0] == 200, 60)
        apply_all(host, [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}}])
        apply_all(host, [deployment("web", 6, NS), policy(NS, "t-members")])
        eventually(lambda: placed(fed_host, "web") == {"m1": 2, "m2": 2, "m3": 2}, 60)
        h = fed_host.members.handles["m3"]
        out = subprocess.run(
            [
                sys.executable, "-m", "federation.cli", "unjoin", "m3",
                "--kubeconfig", fed_host.kubeconfig,
                "--member-kubeconfig", h.kubeconfig, "--context", h.direct_context,
                "--wait", "90",
            ],
            cwd=ROOT, capture_output=True, text=True, timeout=120,
            env={**__import__("os").environ, "PYTHONPATH": str(ROOT)},
        )  # fmt: skip
        assert out.returncode == 0, out.stderr
        assert requests.get(host, "Cluster", "", "m3") is None
        assert requests.get(host, "Secret", "kfed-system", "m3-kubeconfig") is None
        assert placed(fed_host, "web") in (
            {"m1": 3, "m2": 3},
            {"m1": 4, "m2": 2},
            {"m1": 2, "m2": 4},
        )
        # kfed deleted its objects there; the member finishes deleting the namespace
        eventually(lambda: member_objects(fed_host)["m3"] == set(), 90)
        with fed_host.members.client("m3", direct=True) as api:
            assert requests.get(api, "ClusterRole", "", "kfed-member") is None
        # join it again for the tests that follow
        join.join(host, "m3", h.kubeconfig, h.context)
        eventually(lambda: sum(placed(fed_host, "web").values()) == 6, 30)
