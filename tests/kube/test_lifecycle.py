"""A member's whole life on its own work directory: up, reuse, restart, down leaves nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from kubernetes import client

from federation.kube import procs
from federation.kube.kwok import KwokProvider
from federation.kube.kwokctl import COMPONENTS
from federation.kube.members import MemberSpec, NodePool, member_client

pytestmark = pytest.mark.kube


def test_up_reuse_restart_and_down_leave_no_processes(tmp_path: Path) -> None:
    provider = KwokProvider(tmp_path / "solo", proxy=True)
    spec = MemberSpec("solo", NodePool(count=1, cpu="2", memory="4Gi", pods=10))
    try:
        (handle,) = provider.up([spec])
        pids = procs.read_pid_files(provider.pid_dir("solo"))
        assert set(pids) == set(COMPONENTS)
        toxiproxy = provider.toxiproxy()
        assert toxiproxy.pid is not None and procs.alive(toxiproxy.pid)

        # up again: the running member is reused as it is
        (again,) = provider.up([spec])
        assert again == handle
        assert procs.read_pid_files(provider.pid_dir("solo")) == pids

        # a stopped member is started again by up, on the same ports and data
        provider.stop("solo")
        assert provider.status() == {"solo": False}
        (restarted,) = provider.up([spec])
        assert restarted.direct_server == handle.direct_server
        assert restarted.server == handle.server
        with member_client(restarted) as api:
            assert len(client.CoreV1Api(api).list_node().items) == 1
        all_pids = set(procs.read_pid_files(provider.pid_dir("solo")).values())
        all_pids |= set(pids.values()) | {toxiproxy.pid}
    finally:
        provider.down()

    assert procs.wait_gone(all_pids, timeout=10) == []
    assert provider.leftover_pids() == []
    assert provider.names() == []
    assert provider.status() == {}
    assert not (tmp_path / "solo" / "clusters" / "solo").exists()


def test_member_names_must_be_dns_labels() -> None:
    with pytest.raises(ValueError, match="DNS label"):
        MemberSpec("Bad_Name")
    with pytest.raises(ValueError, match="duplicate"):
        KwokProvider(Path("/nonexistent"), proxy=False).up([MemberSpec("a"), MemberSpec("a")])
