"""A simulated member cluster: its API server (up, down or hanging), its nodes, its workloads
(`sim.workloads`) and its watch connection to the control plane (`sim.watch`).

The gateway asks `api_state()` when a request reaches the member and calls `apply` / `delete`
when a write lands. Faults (`sim.faults`) are state changes on the member: counters, so that
overlapping faults stack. Ground truth recorded here: `capacity` rows (nodes up, allocatable)
at the start and whenever nodes go or come back; the `ready` rows come from the workloads.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from federation.api.scenario import SimSettings
from federation.core.actions import Apply, Delete
from federation.core.model import Cluster, ObservedObject, Resources
from federation.observed import Delta
from federation.recorder import Recorder
from sim.network import Link
from sim.nodes import NodePool
from sim.watch import Watch
from sim.workloads import ObjectState, Workloads
from sim.world import Uniforms, World, sample


class Member:
    """One member cluster."""

    def __init__(
        self,
        world: World,
        cluster: Cluster,
        settings: SimSettings,
        link: Link,
        deliver: Callable[[Delta], None],
        recorder: Recorder,
        requests: Mapping[str, Resources],
    ) -> None:
        name = cluster.name
        self.world = world
        self.name = name
        self.settings = settings
        self.link = link
        self.recorder = recorder
        self.pool = NodePool(cluster.capacity, cluster.nodes)
        self.down = 0  # active outages (API and workloads down)
        self.hang = 0  # active API hangs
        self._api_rng = world.stream(f"api/{name}")
        self._nodes_rng = world.stream(f"nodes/{name}")
        self.watch = Watch(world, name, link, deliver, self._snapshot)
        # told (with the member's name) whenever the API's state or the partition changes
        self.on_change: Callable[[str], None] | None = None
        self.workloads = Workloads(world, name, settings, self.pool, self.watch, recorder, requests)
        self.watch.relist()

    # ---------------------------------------------------------------- API server

    def api_state(self) -> str:
        return "down" if self.down else "hang" if self.hang else "up"

    def api_latency(self, rng: Uniforms | None = None) -> float:
        """How long the API takes to answer a request (`rng`: instead of the member's stream)."""
        return sample(self.settings.api_latency, self._api_rng if rng is None else rng)

    def apply(self, action: Apply) -> None:
        self.workloads.apply(action)

    def delete(self, action: Delete) -> None:
        self.workloads.delete(action)

    def _snapshot(self) -> tuple[dict[str, ObservedObject | None], Resources | None, int]:
        return self.workloads.snapshot(), self.pool.free(), self.pool.nodes_ready()

    # ---------------------------------------------------------------- faults (see sim.faults)

    def _changed(self) -> None:
        self.workloads.stopped = self.down > 0
        self.workloads.frozen = self.down > 0 or self.hang > 0
        self.watch.set_blocked(bool(self.down or self.hang or self.link.partitioned))
        if self.on_change is not None:
            self.on_change(self.name)

    def outage_start(self) -> None:
        """API and workloads go down: every replica stops being Ready; objects persist."""
        self.down += 1
        self._changed()
        if self.down == 1:
            self.workloads.stop()

    def outage_end(self) -> None:
        """Back up: every bound replica restarts after a start-up delay."""
        self.down -= 1
        self._changed()
        if self.down == 0:
            self.workloads.restart()

    def hang_start(self) -> None:
        self.hang += 1
        self._changed()

    def hang_end(self) -> None:
        self.hang -= 1
        self._changed()
        self.workloads.resume()

    def partition_start(self) -> None:
        self.link.partitioned += 1
        self._changed()

    def partition_end(self) -> None:
        self.link.partitioned -= 1
        self._changed()

    def lose_nodes(self, count: int) -> list[int]:
        """`count` random nodes (stream "nodes/<cluster>") vanish with their replicas."""
        gone = self.pool.lose(count, self._nodes_rng)
        self.workloads.lose(gone)
        self.record_capacity()
        return gone

    def restore_nodes(self, nodes: list[int]) -> None:
        """The nodes come back, empty; Pending replicas may bind there."""
        self.pool.restore(nodes)
        self.record_capacity()
        self.workloads.request_pass()

    def record_capacity(self) -> None:
        """A `capacity` row (allocatable of the nodes that are up) and a capacity update."""
        a = self.pool.allocatable_total()
        n = self.pool.nodes_ready()
        now = self.world.env.now
        self.recorder.row(
            now, "capacity", self.name, "", nodes=n, cpu=a.cpu, memory=a.memory, pods=a.pods
        )
        self.workloads.capacity_changed()

    # ---------------------------------------------------------------- truth, for tests and runs

    @property
    def objects(self) -> Mapping[str, ObjectState]:
        return self.workloads.objects

    def ready(self, key: str) -> int:
        obj = self.workloads.objects.get(key)
        return 0 if obj is None else obj.ready

    def pending_replicas(self, key: str) -> int:
        obj = self.workloads.objects.get(key)
        return 0 if obj is None else obj.unplaced

    def sample_rows(self) -> None:
        self.workloads.sample_rows()
