"""`kfed validate`, `kfed plan`, `kfed divide`: exit codes, stderr, tables and JSON."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from federation.cli import main
from federation.core.division import divide

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "scenarios" / "examples"

CLUSTERS = """\
apiVersion: kfed.io/v1alpha1
kind: Cluster
metadata: {name: east}
spec: {region: us, capacity: {cpu: 4, memory: 16Gi}}
---
apiVersion: kfed.io/v1alpha1
kind: Cluster
metadata: {name: west}
spec:
  region: eu
  capacity: {cpu: 2, memory: 16Gi}
  taints: [{key: dedicated, effect: NoSchedule}]
---
apiVersion: kfed.io/v1alpha1
kind: Cluster
metadata: {name: north}
spec: {region: us, capacity: {cpu: 1, memory: 16Gi}}
"""
APP = """\
apiVersion: kfed.io/v1alpha1
kind: PropagationPolicy
metadata: {name: web}
spec:
  resourceSelectors: [{apiVersion: apps/v1, kind: Deployment, name: web}]
  placement:
    replicaScheduling:
      replicaDivisionPreference: StaticWeight
      weights:
        - {targetCluster: {clusterNames: [east]}, weight: 2}
        - {targetCluster: {clusterNames: [west, north]}, weight: 1}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 12
  template:
    spec:
      containers: [{name: web, resources: {requests: {cpu: 500m}}}]
"""


@pytest.fixture
def files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("clusters.yaml").write_text(CLUSTERS)
    Path("app.yaml").write_text(APP)
    return ["clusters.yaml", "app.yaml"]


# ---------------------------------------------------------------- validate


def test_validate_ok(files, capsys):
    assert main(["validate", *files]) == 0
    out = capsys.readouterr()
    assert out.out == "ok: 2 files, 3 clusters, 1 policy, 1 workload, 0 scenarios\n"
    assert out.err == ""


def test_validate_prints_every_error_on_stderr_and_exits_2(files, capsys):
    Path("app.yaml").write_text(APP.replace("weight: 2", "weight: -2").replace("12", "x"))
    Path("bad.yaml").write_text("kind: [\n")
    assert main(["validate", *files, "bad.yaml"]) == 2
    out = capsys.readouterr()
    assert out.out == ""
    assert out.err.splitlines() == [
        "app.yaml: spec.placement.replicaScheduling.weights[0].weight: must be >= 0, got -2 "
        "(line 10, PropagationPolicy default/web)",
        "app.yaml: spec.replicas: must be an integer, got 'x' (line 17, Deployment default/web)",
        "bad.yaml:2: did not find expected node content",
    ]


def test_validate_the_shipped_examples(capsys):
    paths = sorted(str(p) for p in (ROOT / "scenarios").rglob("*.yaml"))
    assert main(["validate", *paths]) == 0, capsys.readouterr().err


def test_the_kfed_script(files):
    done = subprocess.run(
        [sys.executable, "-m", "federation.cli", "validate", "nope.yaml"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr == "nope.yaml: file not found\n"


def test_usage_errors_exit_2(capsys):
    assert main([]) == 2
    assert main(["frobnicate"]) == 2
    assert main(["--help"]) == 0
    assert "validate" in capsys.readouterr().out


# ---------------------------------------------------------------- plan

PLAN = """\
== documents (clusters.yaml, app.yaml)

Deployment/default/web: 12 replicas, PropagationPolicy default/web, method kfed, takes capacity 1st
cluster   replicas   fits   reason
------------------------------------------------------------------
east             8      8   weight 2, room for 8 left (capacity)
north            2      2   weight 1, room for 2 left (capacity)
west             -      4   untolerated taint dedicated:NoSchedule
division: kfed: 12 replicas above the lower bounds by Webster; 2 fit nowhere (upper bounds full)
unschedulable: 2 replica(s) fit on no cluster

capacity: what the plan requests of each cluster
cluster            cpu            memory           pods
-------------------------------------------------------
east      4 / 4 (100%)   0Gi / 16Gi (0%)   8 / 110 (7%)
north     1 / 1 (100%)   0Gi / 16Gi (0%)   2 / 110 (2%)
west        0 / 2 (0%)   0Gi / 16Gi (0%)   0 / 110 (0%)
"""


def test_plan_table(files, capsys):
    assert main(["plan", *files]) == 0
    assert capsys.readouterr().out == PLAN


def test_plan_json(files, capsys):
    assert main(["plan", *files, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    (fed,) = doc["federations"]
    assert fed["clusters"] == ["east", "north", "west"]
    (w,) = fed["workloads"]
    assert w == {
        "workload": "Deployment/default/web",
        "policy": "PropagationPolicy default/web",
        "method": "kfed",
        "replicas": 12,
        "assignment": {"east": 8, "north": 2},
        "unschedulable": 2,
        "excluded": {"west": "untolerated taint dedicated:NoSchedule"},
        "fits": {"east": 8, "north": 2, "west": 4},
        "order": 0,
        "schedule_priority": 0,
        "why": {
            "east": "weight 2, room for 8 left (capacity)",
            "north": "weight 1, room for 2 left (capacity)",
        },
        "division": "kfed: 12 replicas above the lower bounds by Webster; 2 fit nowhere "
        "(upper bounds full)",
        "affinity": "",  # no ordered affinity groups
        "conditions": [
            {
                "type": "Scheduled",
                "status": False,
                "reason": "Unschedulable",
                "message": "2 replica(s) fit on no cluster",
            }
        ],
    }


def test_plan_json_is_stable(files, capsys):
    main(["plan", *files, "--json"])
    first = capsys.readouterr().out
    main(["plan", *reversed(files), "--json"])
    second = capsys.readouterr().out
    assert (
        json.loads(first)["federations"][0]["workloads"]
        == (json.loads(second)["federations"][0]["workloads"])
    )
    assert list(json.loads(first)) == ["federations"]
    assert first == json.dumps(json.loads(first), indent=2, sort_keys=True) + "\n"


def test_plan_ignoring_capacity(files, capsys):
    assert main(["plan", *files, "--json", "--ignore-capacity"]) == 0
    (w,) = json.loads(capsys.readouterr().out)["federations"][0]["workloads"]
    assert w["assignment"] == {"east": 8, "north": 4}
    assert w["unschedulable"] == 0
    assert w["fits"] == {"east": None, "north": None, "west": None}


def test_plan_scenario_files_each_on_their_own(capsys):
    la = EXAMPLES / "location-affinity"
    paths = [str(la / "strictly-coupled.yaml"), str(la / "uniformly-spread.yaml")]
    assert main(["plan", *paths]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"== strictly-coupled ({paths[0]})\n")
    assert f"\n== uniformly-spread ({paths[1]})\n" in out
    assert "== documents" not in out
    assert "spread by cluster: beyond maxGroups 1" in out


def test_plan_invalid_input_exits_2(files, capsys):
    Path("app.yaml").write_text(APP + "---\napiVersion: v1\nkind: ConfigMap\n")
    assert main(["plan", *files]) == 2
    assert capsys.readouterr().err == (
        "app.yaml: missing required field 'metadata' (line 22, ConfigMap)\n"
    )


def test_plan_without_policy_or_cluster(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("w.yaml").write_text("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n")
    assert main(["plan", "w.yaml"]) == 0
    out = capsys.readouterr().out
    assert "Secret/default/s: copied whole, no policy selects it" in out
    assert "not scheduled: NoPolicy: no PropagationPolicy selects this workload" in out


# ---------------------------------------------------------------- divide


@pytest.mark.parametrize(
    ("argv", "total", "rows", "kw"),
    [
        (["10", "--clusters", "a=1,b=1,c=1"], 10, [("a", 1), ("b", 1), ("c", 1)], {}),
        (
            ["7", "--clusters", "A=2,B=1,C=1", "--method", "webster", "--key", "uid-1"],
            7,
            [("A", 2), ("B", 1), ("C", 1)],
            {"method": "webster", "key": "uid-1"},
        ),
        (
            [
                "12",
                "--clusters",
                "a=1,b=1,c=0",
                "--min",
                "a=1",
                "--max",
                "b=3",
                "--capacity",
                "a=5",
                "--capacity",
                "c=2",
            ],
            12,
            [("a", 1, {"min": 1, "capacity": 5}), ("b", 1, {"max": 3}), ("c", 0, {"capacity": 2})],
            {},
        ),
        (
            [
                "6",
                "--clusters",
                "a=1/3,b=2/3",
                "--current",
                "a=4",
                "--no-rebalance",
                "--method",
                "kubefed",
            ],
            6,
            [("a", "1/3", {"current": 4}), ("b", "2/3")],
            {"method": "kubefed", "rebalance": False},
        ),
    ],
)
def test_divide_json_equals_divide(argv, total, rows, kw, capsys):
    from fractions import Fraction

    clusters = []
    for row in rows:
        name, weight, extra = (*row, {})[:3]
        w = Fraction(weight) if isinstance(weight, str) else weight
        clusters.append({"name": name, "weight": w, **extra})
    want = divide(total, clusters, **kw)
    assert main(["divide", *argv, "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert got == {
        "method": want.method,
        "total": want.total,
        "replicas": dict(want.replicas),
        "unschedulable": want.unschedulable,
        "overflow": dict(want.overflow),
        "over_capacity": dict(want.over_capacity),
        "reason": want.reason,
    }


def test_divide_table(capsys):
    assert (
        main(["divide", "10", "--clusters", "a=2,b=1,c=1", "--max", "c=1", "--capacity", "a=5"])
        == 0
    )
    want = divide(
        10,
        [
            {"name": "a", "weight": 2, "capacity": 5},
            {"name": "b", "weight": 1},
            {"name": "c", "weight": 1, "max": 1},
        ],
    )
    assert capsys.readouterr().out == (
        "cluster  weight  min  max  capacity  current  replicas\n"
        f"a        2                 5                  {want.replicas['a']}\n"
        f"b        1                                    {want.replicas['b']}\n"
        f"c        1            1                       {want.replicas['c']}\n"
        f"overflow: a={want.overflow['a']}\n"
        f"{want.reason}\n"
    )


@pytest.mark.parametrize(
    ("argv", "err"),
    [
        (["5", "--clusters", "a=2,b"], "kfed divide: --clusters: expected NAME=VALUE, got 'b'\n"),
        (["5", "--clusters", "a=x"], "kfed divide: --clusters: bad value for a: 'x'\n"),
        (
            ["5", "--clusters", "a=1", "--min", "z=1"],
            "kfed divide: --min: 'z' is not one of --clusters\n",
        ),
        (
            ["5", "--clusters", "a=1", "--max", "a=-1"],
            "kfed divide: cluster 'a': max must be an int >= 0, got -1\n",
        ),
        (["-1", "--clusters", "a=1"], "kfed divide: total must be an int >= 0, got -1\n"),
    ],
)
def test_divide_bad_arguments_exit_2(argv, err, capsys):
    assert main(["divide", *argv]) == 2
    assert capsys.readouterr().err == err


def test_plan_header_keeps_a_long_path_on_one_line(tmp_path, capsys):
    deep = tmp_path / ("a-rather-long-directory-name-" * 3) / "[team]"
    shutil.copytree(EXAMPLES / "location-affinity", deep)
    path = deep / "strictly-coupled.yaml"
    assert main(["plan", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"== strictly-coupled ({path})\n")
