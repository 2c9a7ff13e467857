"""A bare world for unit tests: members on zero-latency links, deltas collected in a list."""

from __future__ import annotations

from typing import Any

from federation.api.scenario import Distribution, Link, SimSettings
from federation.core.actions import Apply, Delete
from federation.core.model import Cluster, Resources
from federation.observed import Delta
from federation.recorder import Recorder
from sim.gateway import SimGateway
from sim.member import Member
from sim.network import Link as SimLink
from sim.world import World

STARTUP = 2.0
API = 0.01
SETTINGS = SimSettings(
    api_latency=Distribution("constant", value=API),
    pod_startup=Distribution("constant", value=STARTUP),
    link=Link(latency=0.0, jitter=0.0, loss=0.0),
)


class Bench:
    """One world with members `names`, a gateway, and a log of what the control plane got."""

    def __init__(
        self,
        *names: str,
        capacity: Resources = Resources(8.0, 0.0, 110),
        nodes: int = 4,
        requests: dict[str, Resources] | None = None,
        link: Link | None = None,
        settings: SimSettings = SETTINGS,
        seed: int = 1,
    ) -> None:
        self.world = World(seed)
        self.env = self.world.env
        self.recorder = Recorder()
        spec = link or settings.link
        self.links = {n: SimLink(spec, self.world.stream(f"link/{n}")) for n in names}
        self.gateway = SimGateway(self.world, self.links)
        self.deltas: list[tuple[float, Delta]] = []

        def deliver(d: Delta) -> None:
            self.deltas.append((self.env.now, d))
            self.gateway.deliver(d)

        self.members = {
            n: Member(
                self.world,
                Cluster(n, capacity=capacity, nodes=nodes),
                settings,
                self.links[n],
                deliver,
                self.recorder,
                requests or {},
            )
            for n in names
        }
        self.gateway.attach(self.members)

    def member(self, name: str = "a") -> Member:
        return self.members[name]

    def ready_rows(self, cluster: str = "a", key: str | None = None) -> list[tuple[float, int]]:
        return [
            (r.t, r.fields["ready"])
            for r in self.recorder.rows
            if r.kind == "ready" and r.cluster == cluster and (key is None or r.workload == key)
        ]

    def run(self, until: float) -> None:
        self.env.run(until=until)


def apply(cluster: str, key: str, replicas: int | None, digest: str = "h1") -> Apply:
    return Apply(cluster, key, {}, digest, "test", replicas)


def deploy(
    cluster: str,
    key: str,
    replicas: int,
    image: str = "web:1",
    strategy: dict[str, Any] | None = None,
    min_ready: float = 0,
    cpu: float = 1.0,
) -> Apply:
    """A Deployment with a pod template (its image, its pods asking `cpu`) and a strategy: a
    changed image or request rolls."""
    container = {"name": "c", "image": image, "resources": {"requests": {"cpu": f"{cpu:g}"}}}
    spec: dict[str, Any] = {"replicas": replicas, "template": {"spec": {"containers": [container]}}}
    if strategy is not None:
        spec["strategy"] = strategy
    if min_ready:
        spec["minReadySeconds"] = min_ready
    manifest = {"apiVersion": "apps/v1", "kind": "Deployment", "spec": spec}
    return Apply(cluster, key, manifest, f"{image}/{cpu:g}/{replicas}", "test", replicas)


def delete(cluster: str, key: str) -> Delete:
    return Delete(cluster, key, "test")
