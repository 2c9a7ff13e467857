"""The benchmark's real local member clusters: one kwok set per scenario shape, created in
the benchmark's own work directory (never the default ~/.cache one), reused while the same
scenario's members are wanted, and always torn down at the end (`close`).

Scenarios name their clusters alike (m1, m2, m3) but size them differently, so each scenario
gets its own sub-directory; only one set runs at a time (the machine is small).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from federation.api.scenario import Scenario


class Clusters:
    def __init__(self, root: Path, log: Callable[[str], None]) -> None:
        self.root = Path(root)
        self.log = log
        self._current: tuple[str, Any] | None = None  # (shape key, Members)

    @staticmethod
    def shape(scenario: Scenario) -> str:
        """Scenarios with the same clusters (names, capacity, nodes) share members."""
        parts = [
            f"{c.name}:{c.capacity.cpu:g}:{c.capacity.memory:g}:{c.capacity.pods}:{c.nodes}"
            for c in scenario.desired.clusters
        ]
        return (
            re.sub(r"[^a-z0-9]+", "-", scenario.name.lower())
            + "-"
            + str(hash_text("|".join([*parts, str(scenario.kube.nodes_per_cluster)])))
        )

    def members(self, scenario: Scenario) -> Any:
        """Running members for `scenario` (created or reused); stops any other set first."""
        from federation.kube.fleet import obtain

        key = self.shape(scenario)
        if self._current is not None and self._current[0] == key:
            return self._current[1]
        self.release()
        workdir = self.root / key
        self.log(f"clusters: {scenario.name}: members in {workdir}")
        members = obtain(scenario, workdir, self.log)
        self._current = (key, members)
        return members

    def release(self) -> None:
        """Tear the running set down (processes, proxies, files)."""
        if self._current is None:
            return
        _, members = self._current
        self._current = None
        if members.provider is not None:
            try:
                if members.injector is not None:
                    members.injector.restore(wait=False)
            except Exception as e:
                self.log(f"clusters: restore before down: {e}")
            members.provider.down()

    def close(self) -> None:
        self.release()


def hash_text(text: str) -> int:
    """A stable small hash (FNV-1a 32) for directory names."""
    h = 0x811C9DC5
    for b in text.encode():
        h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
    return h
