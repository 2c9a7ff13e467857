"""A whole federation on this machine: a host API server (etcd, kube-apiserver and a trimmed
controller-manager; no workloads run there) and N kwok member clusters, all on 127.0.0.1, the
members joined to the host. `up` prints where the kubeconfigs are; `down` stops everything."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from federation.controller import install, join
from federation.kube.kwok import KwokProvider
from federation.kube.members import MemberSpec, NodePool, member_client

DEFAULT_WORKDIR = Path("~/.cache/kfed/controlplane")
HOST = "host"
MEMBER_NODES = NodePool(count=2, cpu="8", memory="32Gi", pods=110)


def providers(workdir: Path, log: Callable[[str], None]) -> tuple[KwokProvider, KwokProvider]:
    root = workdir.expanduser()
    host = KwokProvider(root / "host", proxy=False, host=True, log=log)
    members = KwokProvider(root / "members", proxy=False, log=log)
    return host, members


def up(workdir: Path, count: int, log: Callable[[str], None]) -> dict[str, Any]:
    """Start (or reuse) the host and `count` members, install the CRDs, join the members;
    returns the kubeconfig paths (host, and each member's)."""
    host_p, members_p = providers(workdir, log)
    started = time.monotonic()
    host = host_p.up([MemberSpec(HOST, NodePool(count=0))])[0]
    handles = members_p.up([MemberSpec(f"m{i}", MEMBER_NODES) for i in range(1, count + 1)])
    with member_client(host) as client:
        install.install(client)
        for h in handles:
            join.join(client, h.name, h.kubeconfig, h.context)
            log(f"{h.name}: joined")
    out = {
        "host": host.kubeconfig,
        "members": {h.name: h.kubeconfig for h in handles},
        "seconds": round(time.monotonic() - started, 1),
    }
    (workdir.expanduser() / "controlplane.json").write_text(json.dumps(out, indent=2))
    return out


def down(workdir: Path, log: Callable[[str], None]) -> list[int]:
    """Stop and delete everything `up` started; returns pids still running (none, normally)."""
    host_p, members_p = providers(workdir, log)
    left = []
    for p in (members_p, host_p):
        if p.workdir.exists():
            p.down()
            left += p.leftover_pids()
    (workdir.expanduser() / "controlplane.json").unlink(missing_ok=True)
    return left


def member(workdir: Path, name: str, action: str, log: Callable[[str], None]) -> None:
    """Stop (every process killed, data kept) or start one member: a real outage."""
    _, members_p = providers(workdir, log)
    if name not in members_p.names():
        raise KeyError(f"no member {name!r} (have: {', '.join(members_p.names()) or 'none'})")
    if action == "stop":
        members_p.stop(name)
    else:
        members_p.start(name)
        members_p.wait_usable(name)
