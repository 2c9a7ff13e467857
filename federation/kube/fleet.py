"""The member clusters of one kube run: provisioned with kwok or kind, or bound by kubeconfig
context, and the fault injector that goes with them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from federation.api.scenario import Scenario
from federation.core.model import Cluster
from federation.kube.members import MemberHandle, MemberSpec, NodePool

DEFAULT_WORKDIR = Path("~/.cache/kfed/clusters")


def member_spec(c: Cluster, nodes: int | None = None) -> MemberSpec:
    """A kwok member with the cluster's capacity split evenly over its nodes."""
    n = max(1, nodes or c.nodes)
    cap = c.capacity
    cpu = f"{int(cap.cpu * 1000 / n)}m" if cap.cpu else "32"
    mem = f"{int(cap.memory / n / 2**20)}Mi" if cap.memory else "256Gi"
    pods = max(1, cap.pods // n) if cap.pods else 110
    return MemberSpec(c.name, NodePool(n, cpu, mem, pods))


@dataclass
class Members:
    handles: dict[str, MemberHandle]
    provider: Any = None  # KwokProvider / KindProvider, or None for bound contexts
    injector: Any = None  # FaultInjector for kwok members
    created: bool = False


def obtain(scenario: Scenario, workdir: Path | None, log: Callable[[str], None]) -> Members:
    binding = scenario.kube
    clusters = scenario.desired.clusters
    if binding.provider == "contexts" or all(c.context for c in clusters):
        handles = {}
        for c in clusters:
            ctx = binding.contexts.get(c.name) or c.context
            cfg = c.kubeconfig or binding.kubeconfig or str(Path("~/.kube/config").expanduser())
            if not ctx:
                raise ValueError(f"{scenario.source}: cluster {c.name} has no kube context")
            from federation.kube.members import kubeconfig_tls

            server, _ = kubeconfig_tls(cfg, ctx)
            handles[c.name] = MemberHandle(
                c.name, cfg, ctx, server, server, "", direct_context=ctx, provider="contexts"
            )
        return Members(handles)
    specs = [
        member_spec(c, binding.nodes_per_cluster if binding.nodes_per_cluster > 1 else None)
        for c in clusters
    ]
    root = (workdir or DEFAULT_WORKDIR).expanduser()
    if binding.provider == "kind":
        from federation.kube.binaries import default_bin_dir
        from federation.kube.kind import KindProvider

        kind = KindProvider(root, bin_dir=default_bin_dir(), log=log)
        return Members({h.name: h for h in kind.up(specs)}, kind, kind, True)
    from federation.kube.faults import FaultInjector
    from federation.kube.kwok import KwokProvider

    kwok = KwokProvider(root, log=log)
    handles = {h.name: h for h in kwok.up(specs)}
    return Members(handles, kwok, FaultInjector(kwok), True)
