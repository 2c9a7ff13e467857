"""The CLI on real clusters: `kfed run --backend kube` bound to running members by context
writes what the sim writes and leaves nothing behind; `kfed clusters up|status|down` makes
kwok members whose nodes follow the latest request, on loopback only."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from kubernetes import client
from kubernetes.utils import parse_quantity

from federation import cli
from federation.kube import procs
from federation.kube.cleanup import managed_objects
from federation.kube.kwok import KwokProvider
from federation.kube.members import NODE_LABEL_MEMBER, member_client

from .conftest import KubeMembers
from .test_backend import CLUSTERS, POLICY, WORKLOADS

pytestmark = pytest.mark.kube


def bound_scenario(path: Path, kube_members: KubeMembers) -> Path:
    kubeconfig = kube_members.provider.workdir / "kubeconfig.yaml"
    contexts = ", ".join(f"{n}: {h.context}" for n, h in sorted(kube_members.handles.items()))
    path.write_text(f"""
apiVersion: kfed.io/v1alpha1
kind: Scenario
metadata: {{name: bound}}
spec:
  seed: 3
  duration: 16
  health: {{probeTimeout: 3}}
  timeline:
    - {{at: 6, fault: load-surge, workload: shop/web, replicas: 8}}
  expectations:
    - replicasOn: {{workload: shop/web, cluster: m1, at: 15, min: 4}}
  kube:
    provider: contexts
    kubeconfig: {kubeconfig}
    contexts: {{{contexts}}}
---
{CLUSTERS}
---
{POLICY}
---
{WORKLOADS}
""")
    return path


def test_kfed_run_on_bound_contexts_writes_the_sim_schema_and_cleans_up(
    kube_members: KubeMembers, tmp_path: Path
) -> None:
    scenario = bound_scenario(tmp_path / "bound.yaml", kube_members)
    real, sim = tmp_path / "real", tmp_path / "sim"
    assert cli.main(["run", str(scenario), "--backend", "kube", "--out", str(real)]) == 0
    assert cli.main(["run", str(scenario), "--out", str(sim)]) == 0
    for out in (real, sim):
        for f in ("summary.json", "timeline.csv", "replicas.png", "availability.png"):
            assert (out / f).stat().st_size > 0, f"{out.name}/{f}"
    got, want = (json.loads((d / "summary.json").read_text()) for d in (real, sim))
    assert got["backend"] == "kube" and want["backend"] == "sim"

    def shape(d: object) -> object:  # the keys, all the way down
        if isinstance(d, dict):
            return {k: shape(v) for k, v in d.items()}
        if isinstance(d, list):
            return [shape(v) for v in d[:1]]
        return None

    assert shape(got) == shape(want)
    (exp,) = got["expectations"]
    assert exp["passed"] and exp["value"] >= 4  # 8 over 2:1:1 on the real members
    with (real / "timeline.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["t", "kind", "cluster", "workload", "fields"]
    assert {"desired", "apply", "ready"} <= {r["kind"] for r in rows}
    # the run cleaned up after itself: nothing kfed made is left, namespaces included
    for h in kube_members.handles.values():
        assert managed_objects(h) == [], h.name


def listening_addresses(pids: list[int]) -> set[str]:
    """Local IPv4/IPv6 addresses (hex, as /proc shows them) the processes listen on."""
    inodes = set()
    for pid in pids:
        fd_dir = Path(f"/proc/{pid}/fd")
        for fd in fd_dir.iterdir():
            try:
                target = fd.readlink().as_posix()
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            cols = line.split()
            if cols[3] == "0A" and cols[9] in inodes:  # 0A = LISTEN
                found.add(cols[1].rsplit(":", 1)[0])
    return found


LOOPBACK = {"0100007F", "00000000000000000000000001000000"}  # 127.0.0.1, ::1


def test_clusters_cli_up_reconciles_nodes_status_and_down(tmp_path: Path) -> None:
    work = tmp_path / "clusters"
    base = ["clusters", "--workdir", str(work), "--names", "solo", "--no-proxy"]
    assert cli.main(["clusters", "up", *base[1:], "--nodes", "1", "--cpu", "2"]) == 0
    provider = KwokProvider(work, proxy=False)
    try:
        pids = list(procs.read_pid_files(provider.pid_dir("solo")).values())
        addresses = listening_addresses(pids)
        assert addresses and addresses <= LOOPBACK, addresses
        # up again with other nodes: the running member is reused and its nodes follow
        assert cli.main(["clusters", "up", *base[1:], "--nodes", "2", "--cpu", "3"]) == 0
        with member_client(provider.handle("solo"), direct=True) as api:
            nodes = client.CoreV1Api(api).list_node(label_selector=f"{NODE_LABEL_MEMBER}=solo")
        assert sorted(n.metadata.name for n in nodes.items) == ["solo-node-0", "solo-node-1"]
        assert {parse_quantity(n.status.capacity["cpu"]) for n in nodes.items} == {3}
        assert cli.main(["clusters", "status", *base[1:]]) == 0
    finally:
        assert cli.main(["clusters", "down", *base[1:]]) == 0
    assert procs.wait_gone(provider.leftover_pids(), timeout=10) == []
    assert not provider.status().get("solo")
