"""The nodes of one member cluster: per-node free capacity and first-fit binding of replicas.

A cluster's declared capacity is split evenly over its nodes (pods: the remainder goes to the
first nodes). A replica asks for its ReplicaSet's request (cpu, memory, one pod) on ONE node;
binding is first-fit in node order, a batch at a time (the cost is per node visited, not per
replica). Two conventions for under-specified clusters:

* all-zero capacity (the model's default) means "not modelled": every replica fits and the
  cluster reports no free capacity (`None`, unknown), so capacity-aware division ignores it;
* zero pods with some cpu or memory means the kubelet default of 110 pods per node.
"""

from __future__ import annotations

import random

from federation.core.model import Resources

DEFAULT_PODS_PER_NODE = 110
_EPS = 1e-9  # float slack when dividing free cpu/memory by a request


class NodePool:
    __slots__ = ("allocatable", "cpu", "mem", "pods", "unlimited", "up")

    def __init__(self, capacity: Resources, nodes: int) -> None:
        n = max(1, nodes)
        self.unlimited = capacity == Resources()
        pods_total = capacity.pods
        if pods_total <= 0:
            pods_total = DEFAULT_PODS_PER_NODE * n
        base, extra = divmod(pods_total, n)
        self.allocatable = [
            (capacity.cpu / n, capacity.memory / n, base + (1 if i < extra else 0))
            for i in range(n)
        ]
        self.cpu = [a[0] for a in self.allocatable]
        self.mem = [a[1] for a in self.allocatable]
        self.pods = [a[2] for a in self.allocatable]
        self.up = [True] * n

    def nodes_ready(self) -> int:
        return sum(self.up)

    def free(self) -> Resources | None:
        """Allocatable minus requested over the nodes that are up (None when not modelled)."""
        if self.unlimited:
            return None
        cpu = mem = 0.0
        pods = 0
        for i, ok in enumerate(self.up):
            if ok:
                cpu += self.cpu[i]
                mem += self.mem[i]
                pods += self.pods[i]
        # rounding keeps float dust from bind/release pairs out of the reported numbers
        return Resources(round(cpu, 6), round(mem, 3), pods)

    def allocatable_total(self) -> Resources:
        cpu = mem = 0.0
        pods = 0
        for i, ok in enumerate(self.up):
            if ok:
                a = self.allocatable[i]
                cpu, mem, pods = cpu + a[0], mem + a[1], pods + a[2]
        return Resources(round(cpu, 6), round(mem, 3), pods)

    def bind(self, request: Resources, n: int) -> dict[int, int]:
        """Bind up to `n` replicas first-fit; return {node: replicas} (may hold fewer than n)."""
        if self.unlimited:
            first = next((i for i, ok in enumerate(self.up) if ok), None)
            return {first: n} if n > 0 and first is not None else {}
        rc, rm = request.cpu, request.memory
        cpu, mem, pods, up = self.cpu, self.mem, self.pods, self.up
        out: dict[int, int] = {}
        left = n
        for i in range(len(up)):
            if not up[i] or pods[i] <= 0:
                continue
            fit = pods[i]
            if rc > 0:
                fit = min(fit, int(cpu[i] / rc + _EPS))
            if rm > 0:
                fit = min(fit, int(mem[i] / rm + _EPS))
            if fit <= 0:
                continue
            k = fit if fit < left else left
            cpu[i] -= rc * k
            mem[i] -= rm * k
            pods[i] -= k
            out[i] = k
            left -= k
            if left == 0:
                break
        return out

    def why_unschedulable(self, request: Resources) -> str:
        """Why one more replica asking `request` fits on no node, as a scheduler would say it:
        how many nodes fail on which resource, and the most any one node has free."""
        up = [i for i, ok in enumerate(self.up) if ok]
        if not up:
            return f"0/{len(self.up)} nodes are available: every node is down"
        short: dict[str, int] = {}
        for i in up:
            if self.pods[i] <= 0:
                short["pods"] = short.get("pods", 0) + 1
            elif request.cpu > 0 and self.cpu[i] + _EPS < request.cpu:
                short["cpu"] = short.get("cpu", 0) + 1
            elif request.memory > 0 and self.mem[i] + _EPS < request.memory:
                short["memory"] = short.get("memory", 0) + 1
        if len(short) == 0 or sum(short.values()) < len(up):
            return "queued behind other Pending replicas asking the same"
        parts = ", ".join(f"{n} Insufficient {what}" for what, n in sorted(short.items()))
        head = f"0/{len(self.up)} nodes are available: {parts}"
        if short.get("cpu"):
            most = max(self.cpu[i] for i in up)
            return f"{head} (no node with {request.cpu:g} CPU free; most free {most:g})"
        if short.get("memory"):
            most = max(self.mem[i] for i in up) / 2**30
            need = request.memory / 2**30
            return f"{head} (no node with {need:g}Gi memory free; most free {most:.3g}Gi)"
        return head

    def release(self, node: int, request: Resources, k: int) -> None:
        """Give back what `k` replicas held on `node` (no-op for a node that is down: it comes
        back empty)."""
        if self.unlimited or not self.up[node]:
            return
        self.cpu[node] += request.cpu * k
        self.mem[node] += request.memory * k
        self.pods[node] += k

    def lose(self, count: int, rng: random.Random) -> list[int]:
        """Take `count` random nodes that are up down; return them (sorted)."""
        alive = [i for i, ok in enumerate(self.up) if ok]
        gone = sorted(rng.sample(alive, min(count, len(alive))))
        for i in gone:
            self.up[i] = False
        return gone

    def restore(self, nodes: list[int]) -> None:
        """Bring nodes back, empty."""
        for i in nodes:
            self.up[i] = True
            self.cpu[i], self.mem[i], self.pods[i] = self.allocatable[i]
