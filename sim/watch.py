"""The watch connection from one member cluster to the control plane: status deltas and relists.

Like a Kubernetes watch, the member pushes every status change of its objects (and of its free
capacity and nodes) as it happens, over one FIFO stream on the member's link. Changes made at the
same simulated instant share one message, so a message costs one event however many objects it
carries. The message content is fixed when it is sent (a later change goes out in a later
message), so a slow link delays what the control plane sees, as it should.

While the member's API is down or hanging, or the link is partitioned, the watch is broken and
changes are not sent; when it heals, the member sends a full relist (`Delta(full=True)`), as a
reflector does. A message lost to link loss also breaks the watch: the member relists after
`RELIST_BACKOFF`, so a dropped message never leaves the control plane's picture stale.
"""

from __future__ import annotations

from collections.abc import Callable

from federation.core.model import ObservedObject, Resources
from federation.observed import Delta
from sim.network import Link, Stream
from sim.world import World

RELIST_BACKOFF = 1.0  # seconds a reflector waits before relisting after a failed watch

Snapshot = Callable[[], tuple[dict[str, ObservedObject | None], Resources | None, int]]


class _Message:
    __slots__ = ("delivered", "free", "full", "nodes", "objects", "t")

    def __init__(self, t: float, full: bool = False) -> None:
        self.t = t
        self.objects: dict[str, ObservedObject | None] = {}  # None = removed
        self.free: Resources | None = None
        self.nodes: int | None = None
        self.full = full
        self.delivered = False


class Watch:
    """Member side of the watch. `deliver` is the control plane's inbox."""

    def __init__(
        self,
        world: World,
        cluster: str,
        link: Link,
        deliver: Callable[[Delta], None],
        snapshot: Snapshot,
    ) -> None:
        self.world = world
        self.cluster = cluster
        self.link = link
        self.deliver = deliver
        self.snapshot = snapshot
        self._stream = Stream()
        self._msg: _Message | None = None
        self.blocked = False  # a fault breaks the connection
        self.lost = False  # a message was dropped; a relist is due
        self._retry_pending = False
        self.messages = 0
        self.relists = 0
        # capacity as last sent: unchanged figures are left out of a message (None = unchanged)
        self._free: Resources | None = None
        self._nodes: int | None = None

    # ---------------------------------------------------------------- what the member reports

    def upsert(self, obj: ObservedObject) -> None:
        msg = self._current()
        if msg is not None:
            msg.objects[obj.key] = obj

    def remove(self, key: str) -> None:
        msg = self._current()
        if msg is not None:
            msg.objects[key] = None

    def capacity(self, free: Resources | None, nodes: int) -> None:
        if free == self._free and nodes == self._nodes:
            return
        msg = self._current()
        if msg is None:
            return  # the relist will carry it
        if free != self._free:
            msg.free = self._free = free
        if nodes != self._nodes:
            msg.nodes = self._nodes = nodes

    # ---------------------------------------------------------------- connection state

    def set_blocked(self, blocked: bool) -> None:
        """A fault broke (True) or stopped breaking (False) the connection."""
        was = self.blocked
        self.blocked = blocked
        if was and not blocked:
            self.relist()

    def relist(self) -> None:
        """Send the member's complete state (one message)."""
        if self.blocked:
            return
        msg = self._send(full=True)
        if msg is None:
            return
        self.lost = False
        self.relists += 1
        msg.objects, msg.free, msg.nodes = self.snapshot()
        self._free, self._nodes = msg.free, msg.nodes

    # ---------------------------------------------------------------- plumbing

    def _current(self) -> _Message | None:
        if self.blocked or self.lost:
            return None
        msg = self._msg
        if msg is not None and msg.t == self.world.env.now and not msg.delivered:
            return msg
        return self._send(full=False)

    def _send(self, full: bool) -> _Message | None:
        world = self.world
        d = self.link.delay()
        if d is None:
            self.lost = True
            if not self._retry_pending:
                self._retry_pending = True
                world.later(RELIST_BACKOFF, self._retry)
            self._msg = None
            return None
        now = world.env.now
        msg = self._msg = _Message(now, full)
        world.at(self._stream.arrival(now, d), self._arrive, msg)
        self.messages += 1
        return msg

    def _retry(self) -> None:
        self._retry_pending = False
        if self.lost:  # else a heal already relisted
            self.relist()

    def _arrive(self, msg: _Message) -> None:
        msg.delivered = True
        objs = msg.objects
        upserts = {k: o for k, o in objs.items() if o is not None}
        removals = tuple(k for k, o in objs.items() if o is None)
        self.deliver(
            Delta(
                self.cluster,
                upserts,
                removals,
                reachable=True if msg.full else None,
                free=msg.free,
                nodes_ready=msg.nodes,
                full=msg.full,
            )
        )
