"""Real member clusters for the kube tests: three kwok control planes started once per session.

Fixtures other kube tests can reuse:

* ``kube_members`` (session): ``KubeMembers`` with the ``KwokProvider``, the ``MemberHandle`` and
  ``MemberSpec`` of each member (m1, m2, m3) and ``client(name, direct=False)``. Every member sits
  behind toxiproxy: ``handle.context`` goes through it, ``handle.direct_context`` does not.
* ``kube_faults`` (function): a ``FaultInjector`` for those members; whatever a test injected is
  reverted afterwards, and every member is checked whole again (API ready, nodes Ready).

Missing binaries are built first (``bin/kube-binaries ensure`` logic), which takes minutes on a
cold machine; call ``bin/kube-binaries ensure`` before pytest to keep that out of test time.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from kubernetes import client

from federation.kube import procs
from federation.kube.faults import FaultInjector
from federation.kube.kwok import KwokProvider
from federation.kube.members import (
    MemberHandle,
    MemberSpec,
    NodePool,
    failure_kind,
    member_client,
)

MEMBER_SPECS = (
    MemberSpec("m1", NodePool(count=2, cpu="8", memory="32Gi", pods=110)),
    MemberSpec("m2", NodePool(count=3, cpu="16", memory="64Gi", pods=50)),
    MemberSpec("m3", NodePool(count=1, cpu="4", memory="16Gi", pods=30)),
)


@dataclass
class KubeMembers:
    """The session's members: provider, handles and specs by name."""

    provider: KwokProvider
    handles: dict[str, MemberHandle]
    specs: dict[str, MemberSpec]

    def client(self, name: str, *, direct: bool = False, retries: int = 0) -> client.ApiClient:
        """A new ApiClient (close it, or use ``with``); retries=0 shows faults at once."""
        return member_client(self.handles[name], direct=direct, retries=retries)

    def observe(
        self, name: str, *, direct: bool = False, timeout: float = 3.0
    ) -> tuple[str, float]:
        """One ``GET /api/v1/namespaces/default``: ("ok" | "refused" | "timeout" | ...,
        seconds)."""
        start = time.monotonic()
        try:
            with self.client(name, direct=direct) as api:
                client.CoreV1Api(api).read_namespace("default", _request_timeout=timeout)
            outcome = "ok"
        except Exception as exc:
            outcome = failure_kind(exc)
        return outcome, time.monotonic() - start


def eventually(check: Callable[[], Any], timeout: float = 60.0, interval: float = 0.5) -> Any:
    """Poll until ``check()`` is truthy; fail the test with the last value after ``timeout``."""
    deadline = time.monotonic() + timeout
    value: Any = None
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"condition not met within {timeout:.0f}s; last value {value!r}")


@pytest.fixture(scope="session")
def kube_members(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KubeMembers]:
    workdir = tmp_path_factory.mktemp("kwok")
    provider = KwokProvider(workdir, proxy=True)
    try:
        handles = provider.up(MEMBER_SPECS)
        yield KubeMembers(provider, {h.name: h for h in handles}, {s.name: s for s in MEMBER_SPECS})
    finally:
        provider.down()
        left = procs.wait_gone(provider.leftover_pids(), timeout=10)
        assert not left, f"processes left running after down: {left}"


@pytest.fixture
def kube_faults(kube_members: KubeMembers) -> Iterator[FaultInjector]:
    injector = FaultInjector(kube_members.provider)
    try:
        yield injector
    finally:
        injector.restore()
