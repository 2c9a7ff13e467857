"""The kind provider, checked by the exact commands it runs (no Docker engine here)."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest
import yaml

from federation.kube.faults import Fault
from federation.kube.kind import KindProvider
from federation.kube.members import MemberSpec, NodePool
from federation.kube.provision import clusters_command


def test_up_creates_each_cluster_with_its_kubeconfig_and_config(tmp_path: Path) -> None:
    kind = KindProvider(tmp_path, dry_run=True, log=lambda _: None)
    handles = kind.up(
        [MemberSpec("a", NodePool(count=1, pods=50)), MemberSpec("b", NodePool(count=3))]
    )
    kdir = tmp_path.resolve() / "kind"
    assert kind.commands == [
        [
            "kind",
            "create",
            "cluster",
            "--name",
            "a",
            "--kubeconfig",
            f"{kdir}/a.kubeconfig",
            "--config",
            f"{kdir}/a.cluster.yaml",
            "--wait",
            "5m",
        ],
        [
            "kind",
            "create",
            "cluster",
            "--name",
            "b",
            "--kubeconfig",
            f"{kdir}/b.kubeconfig",
            "--config",
            f"{kdir}/b.cluster.yaml",
            "--wait",
            "5m",
        ],
    ]
    assert [h.context for h in handles] == ["kind-a", "kind-b"]
    assert handles[0].kubeconfig == f"{kdir}/a.kubeconfig"
    a = yaml.safe_load((kdir / "a.cluster.yaml").read_text())
    assert a["nodes"] == [{"role": "control-plane"}]
    assert a["networking"] == {"apiServerAddress": "127.0.0.1"}
    assert yaml.safe_load(a["kubeadmConfigPatches"][0]) == {
        "kind": "KubeletConfiguration",
        "maxPods": 50,
    }
    b = yaml.safe_load((kdir / "b.cluster.yaml").read_text())
    assert [n["role"] for n in b["nodes"]] == ["control-plane"] + ["worker"] * 3


def test_down_and_status_commands(tmp_path: Path) -> None:
    kind = KindProvider(tmp_path, dry_run=True, log=lambda _: None)
    kind.up([MemberSpec("a")])
    kind.commands.clear()
    assert kind.status() == {"a": False}
    kind.down(["a"])
    kdir = tmp_path.resolve() / "kind"
    assert kind.commands == [
        [
            "kubectl",
            "--kubeconfig",
            f"{kdir}/a.kubeconfig",
            "--context",
            "kind-a",
            "get",
            "--raw",
            "/readyz",
            "--request-timeout",
            "5s",
        ],
        ["kind", "delete", "cluster", "--name", "a", "--kubeconfig", f"{kdir}/a.kubeconfig"],
    ]


def test_runner_sees_the_commands_and_the_handle_reads_the_server(tmp_path: Path) -> None:
    seen: list[list[str]] = []

    def runner(cmd: Sequence[str]) -> subprocess.CompletedProcess[str]:
        seen.append(list(cmd))
        if cmd[:3] == ["kind", "create", "cluster"]:
            kubeconfig = Path(cmd[cmd.index("--kubeconfig") + 1])
            kubeconfig.write_text(
                yaml.safe_dump(
                    {
                        "clusters": [
                            {"name": "kind-a", "cluster": {"server": "https://127.0.0.1:40001"}}
                        ]
                    }
                )
            )
        stdout = "a\n" if cmd[1:3] == ["get", "clusters"] else "ok"
        return subprocess.CompletedProcess(list(cmd), 0, stdout, "")

    kind = KindProvider(tmp_path, runner=runner, log=lambda _: None)
    (handle,) = kind.up([MemberSpec("a")])
    assert handle.server == handle.direct_server == "https://127.0.0.1:40001"
    assert kind.status() == {"a": True}
    assert seen[0][:5] == ["kind", "create", "cluster", "--name", "a"]


def test_fault_equivalents_are_docker_and_tc_commands(tmp_path: Path) -> None:
    kind = KindProvider(tmp_path, dry_run=True)
    cp = "a-control-plane"
    cases = {
        Fault("outage", "a"): ([["docker", "stop", cp]], [["docker", "start", cp]]),
        Fault("hang", "a"): ([["docker", "pause", cp]], [["docker", "unpause", cp]]),
        Fault("latency", "a", (("ms", 200), ("jitter_ms", 20))): (
            [
                [
                    "docker",
                    "exec",
                    cp,
                    "tc",
                    "qdisc",
                    "add",
                    "dev",
                    "eth0",
                    "root",
                    "netem",
                    "delay",
                    "200ms",
                    "20ms",
                ]
            ],
            [["docker", "exec", cp, "tc", "qdisc", "del", "dev", "eth0", "root"]],
        ),
    }
    for fault, (inject, revert) in cases.items():
        assert kind.fault_commands(fault) == inject
        assert kind.fault_commands(fault, revert=True) == revert
    partition = kind.fault_commands(Fault("partition", "a"), workers=2)
    assert partition == [
        ["docker", "network", "disconnect", "kind", n] for n in (cp, "a-worker", "a-worker2")
    ]
    loss = kind.fault_commands(Fault("node-loss", "a", (("count", 1),)), workers=2)
    assert loss == [["docker", "stop", "a-worker2"]]
    kind.inject(Fault("hang", "a"))
    assert kind.commands[-1] == ["docker", "pause", cp]


def test_clusters_command_kind_dry_run(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    rc = clusters_command(
        ["up", "--provider", "kind", "--dry-run", "--names", "x,y", "--workdir", str(tmp_path)]
    )
    out = capsys.readouterr().out
    assert rc == 0
    assert "kind-x" in out and "kind-y" in out
    assert "+ kind create cluster --name x" in out


def test_the_real_kind_accepts_the_cluster_config_and_stops_at_docker(tmp_path: Path) -> None:
    """No Docker engine here: the real kind binary reads and validates the cluster config kfed
    wrote (a bad field fails with 'unable to decode config'), then fails at `docker info`."""
    from federation.kube.binaries import default_bin_dir
    from federation.kube.kind import KindError

    kind_bin = default_bin_dir() / "kind"
    assert kind_bin.exists(), "bin/kube-binaries builds kind"
    kind = KindProvider(tmp_path, bin_dir=default_bin_dir(), log=lambda _: None)
    assert kind.kind_binary == str(kind_bin)
    with pytest.raises(KindError) as err:
        kind.up([MemberSpec("a", NodePool(count=2, pods=60))])
    text = str(err.value)
    assert "docker" in text.lower()
    assert "unable to decode config" not in text
    # the same binary does reject a broken config, so the check above means something
    bad = tmp_path / "bad.yaml"
    bad.write_text("kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nbogus: 1\n")
    out = subprocess.run([str(kind_bin), "create", "cluster", "--name", "bad", "--config",
                          str(bad)], capture_output=True, text=True, timeout=60)
    assert out.returncode != 0 and "unable to decode config" in out.stderr
