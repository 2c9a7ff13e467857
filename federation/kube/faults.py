"""Fault injection on real local member clusters, each fault a real mechanism.

| kind          | inject                                        | revert                           |
| ------------- | --------------------------------------------- | -------------------------------- |
| outage        | ``kwokctl stop cluster`` (SIGKILL everything) | ``kwokctl start cluster``        |
| hang          | SIGSTOP kube-apiserver (pid file)             | SIGCONT                          |
| partition     | toxiproxy: disable the proxy (refused) or a   | remove toxics, enable the proxy  |
|               | ``timeout`` toxic (blackhole: timeouts)       |                                  |
| latency       | toxiproxy ``latency`` toxic with jitter       | remove the toxic                 |
| node-loss     | delete N kwok Node objects                    | recreate them from the spec      |
| node-agent    | SIGKILL kwok-controller: nodes go NotReady    | ``kwokctl start cluster``        |

Partition and latency only affect clients that use the member's proxied ``server`` (context
``kwok-<name>``); the member's own components talk to their API server directly, as a real
cluster's would. A fault is a plain record (``Fault``) so a schedule of them can be data.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from dataclasses import dataclass, field
from typing import Any

from federation.kube import procs
from federation.kube.kwok import KwokProvider
from federation.kube.kwokctl import KwokError
from federation.kube.members import NODE_LABEL_MEMBER, member_client, node_name, wait_until

KINDS = ("outage", "hang", "partition", "latency", "node-loss", "node-agent")


@dataclass(frozen=True)
class Fault:
    """One fault on one member. ``params``: partition ``mode`` ("refuse" | "blackhole");
    latency ``ms``, ``jitter_ms``, ``stream`` ("downstream" | "upstream" | "both");
    node-loss ``count``."""

    kind: str
    member: str
    params: tuple[tuple[str, Any], ...] = field(default=())

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; known: {', '.join(KINDS)}")

    def param(self, key: str, default: Any = None) -> Any:
        return dict(self.params).get(key, default)


class FaultInjector:
    """Injects and reverts faults on a ``KwokProvider``'s members; remembers what is active."""

    def __init__(self, provider: KwokProvider) -> None:
        self.provider = provider
        self.active: list[Fault] = []
        self._deleted_nodes: dict[str, list[str]] = {}

    # --- generic entry points -------------------------------------------------------------
    def inject(self, fault: Fault) -> Fault:
        handler = getattr(self, "_inject_" + fault.kind.replace("-", "_"))
        handler(fault)
        self.active.append(fault)
        return fault

    def revert(self, fault: Fault) -> None:
        handler = getattr(self, "_revert_" + fault.kind.replace("-", "_"))
        handler(fault)
        with contextlib.suppress(ValueError):
            self.active.remove(fault)

    def restore(self, wait: bool = True) -> None:
        """Revert every active fault (newest first), then make sure every member is whole:
        all components running, API ready, proxy healed, nodes present."""
        errors = []
        for fault in reversed(list(self.active)):
            try:
                self.revert(fault)
            except Exception as exc:  # keep restoring the others
                errors.append(f"{fault}: {exc!r}")
        self.active.clear()
        for name in self.provider.names():
            try:
                self.repair(name, wait=wait)
            except Exception as exc:
                errors.append(f"{name}: {exc!r}")
        if errors:
            raise KwokError("restore failed: " + "; ".join(errors))

    def repair(self, name: str, wait: bool = True) -> None:
        """Resume stopped processes, restart dead components, heal the proxy, re-add nodes."""
        pids = procs.read_pid_files(self.provider.pid_dir(name))
        procs.kill([p for p in pids.values() if procs.state(p) == "T"], signal.SIGCONT)
        running = self.provider.running(name)
        if not running or not all(running.values()):
            self.provider.start(name, wait=wait)
        if self.provider.proxy:
            self.provider.ensure_proxy(name)
        if wait:
            self.provider.wait_ready(name)
            self.provider.ensure_nodes(name)
            self.provider.wait_usable(name)

    # --- convenience wrappers -------------------------------------------------------------
    def outage(self, member: str) -> Fault:
        return self.inject(Fault("outage", member))

    def hang(self, member: str) -> Fault:
        return self.inject(Fault("hang", member))

    def partition(self, member: str, mode: str = "refuse") -> Fault:
        return self.inject(Fault("partition", member, (("mode", mode),)))

    def latency(
        self, member: str, ms: int, jitter_ms: int = 0, stream: str = "downstream"
    ) -> Fault:
        return self.inject(
            Fault("latency", member, (("ms", ms), ("jitter_ms", jitter_ms), ("stream", stream)))
        )

    def lose_nodes(self, member: str, count: int) -> Fault:
        return self.inject(Fault("node-loss", member, (("count", count),)))

    def stop_node_agent(self, member: str) -> Fault:
        return self.inject(Fault("node-agent", member))

    # --- outage ---------------------------------------------------------------------------
    def _inject_outage(self, fault: Fault) -> None:
        self.provider.stop(fault.member)

    def _revert_outage(self, fault: Fault) -> None:
        self.provider.start(fault.member, wait=True)

    # --- hang -----------------------------------------------------------------------------
    def _apiserver_pid(self, member: str) -> int:
        pid = procs.read_pid_files(self.provider.pid_dir(member)).get("kube-apiserver")
        if pid is None or not procs.alive(pid):
            raise KwokError(f"{member}: kube-apiserver is not running")
        return pid

    def _inject_hang(self, fault: Fault) -> None:
        pid = self._apiserver_pid(fault.member)
        os.kill(pid, signal.SIGSTOP)
        # the stop is asynchronous: return once the kernel shows every thread stopped, so a
        # caller that probes right away meets the hang, not a still-running server
        _wait_state(pid, "T")

    def _revert_hang(self, fault: Fault) -> None:
        pid = self._apiserver_pid(fault.member)
        os.kill(pid, signal.SIGCONT)
        _wait_state(pid, "R", "S", "D")

    # --- partition and latency (toxiproxy) ------------------------------------------------
    def _inject_partition(self, fault: Fault) -> None:
        tp = self.provider.toxiproxy()
        mode = fault.param("mode", "refuse")
        if mode == "refuse":
            tp.set_enabled(fault.member, False)
        elif mode == "blackhole":
            # timeout=0: data is dropped and connections stay open until the toxic goes.
            for stream in ("upstream", "downstream"):
                tp.add_toxic(
                    fault.member,
                    "timeout",
                    {"timeout": 0},
                    stream=stream,
                    name=f"partition_{stream}",
                )
        else:
            raise ValueError(f"partition mode must be 'refuse' or 'blackhole', got {mode!r}")

    def _revert_partition(self, fault: Fault) -> None:
        tp = self.provider.toxiproxy()
        for toxic in tp.toxics(fault.member):
            if toxic["name"].startswith("partition_"):
                tp.remove_toxic(fault.member, toxic["name"])
        tp.set_enabled(fault.member, True)

    def _inject_latency(self, fault: Fault) -> None:
        tp = self.provider.toxiproxy()
        stream = fault.param("stream", "downstream")
        streams = ("upstream", "downstream") if stream == "both" else (stream,)
        for s in streams:
            tp.add_toxic(
                fault.member,
                "latency",
                {
                    "latency": int(fault.param("ms", 100)),
                    "jitter": int(fault.param("jitter_ms", 0)),
                },
                stream=s,
                name=f"latency_{s}",
            )

    def _revert_latency(self, fault: Fault) -> None:
        tp = self.provider.toxiproxy()
        for toxic in tp.toxics(fault.member):
            if toxic["name"].startswith("latency_"):
                tp.remove_toxic(fault.member, toxic["name"])

    # --- nodes ----------------------------------------------------------------------------
    def _inject_node_loss(self, fault: Fault) -> None:
        from kubernetes import client

        count = int(fault.param("count", 1))
        with member_client(self.provider.handle(fault.member), direct=True) as api_client:
            core = client.CoreV1Api(api_client)
            nodes = core.list_node(label_selector=f"{NODE_LABEL_MEMBER}={fault.member}")
            victims = sorted(node_name(n) for n in nodes.items)[-count:] if count else []
            for node in victims:
                core.delete_node(node)
            self._deleted_nodes.setdefault(fault.member, []).extend(victims)

            def gone() -> bool:
                left = {node_name(n) for n in core.list_node().items}
                return not left.intersection(victims)

            wait_until(gone, 60, what=f"{fault.member} nodes {victims} deleted")

    def _revert_node_loss(self, fault: Fault) -> None:
        self.provider.ensure_nodes(fault.member)
        self._deleted_nodes.pop(fault.member, None)

    def _inject_node_agent(self, fault: Fault) -> None:
        pid_dir = self.provider.pid_dir(fault.member)
        pid = procs.read_pid_files(pid_dir).get("kwok-controller")
        if pid is None or not procs.alive(pid):
            raise KwokError(f"{fault.member}: kwok-controller is not running")
        os.kill(pid, signal.SIGKILL)
        procs.wait_gone([pid])
        # Without its pid file kwokctl sees the component as stopped and restarts it on start.
        (pid_dir / "kwok-controller.pid").unlink(missing_ok=True)

    def _revert_node_agent(self, fault: Fault) -> None:
        self.provider.start(fault.member, wait=True)


def _wait_state(pid: int, *states: str, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while procs.state(pid) not in states and time.monotonic() < deadline:
        time.sleep(0.01)
