"""`PATH=VALUE` settings (`kfed run --set`, sweeps, `kfed.Scenario.set`): paths name documents
and fields, values are YAML scalars set before validation, so a bad value gets the message the
same value gets in the file, and a path naming nothing is an error that names it."""

from __future__ import annotations

from pathlib import Path

import pytest

from federation.api import LoadError, load_scenario, load_text
from federation.api.settings import SettingError, parse
from federation.cli import main

ROOT = Path(__file__).resolve().parents[2]
OUTAGE = ROOT / "scenarios" / "cluster-outage.yaml"
REGION = ROOT / "scenarios" / "region-outage.yaml"


@pytest.mark.parametrize(
    ("text", "kind", "name", "namespace", "selector", "field", "value"),
    [
        ("Cluster/m1.spec.capacity.cpu=16", "Cluster", "m1", None, None,
         ("spec", "capacity", "cpu"), 16),
        ("Cluster[region=us-east].spec.capacity.cpu=16", "Cluster", None, None,
         (("region", "us-east"),), ("spec", "capacity", "cpu"), 16),
        ("Cluster[*].spec.costPerCpuHour=0.04", "Cluster", None, None, (),
         ("spec", "costPerCpuHour"), 0.04),
        ("Deployment/shop/web.spec.replicas=12", "Deployment", "web", "shop", None,
         ("spec", "replicas"), 12),
        ("Scenario.spec.timeline[0].at=300", "Scenario", None, None, None,
         ("spec", "timeline", 0, "at"), 300),
        ("Scenario.spec.health.failureThreshold=2", "Scenario", None, None, None,
         ("spec", "health", "failureThreshold"), 2),
        ("deployment/web.v2.metadata.labels['app.kubernetes.io/name']=web", "Deployment",
         "web.v2", None, None, ("metadata", "labels", "app.kubernetes.io/name"), "web"),
        ("Cluster/m1.spec.capacity.memory=64Gi", "Cluster", "m1", None, None,
         ("spec", "capacity", "memory"), "64Gi"),
        ("Cluster/m1.spec.capacity.cpu=500m", "Cluster", "m1", None, None,
         ("spec", "capacity", "cpu"), "500m"),
        ("Scenario.spec.rescheduling.enabled=false", "Scenario", None, None, None,
         ("spec", "rescheduling", "enabled"), False),
        ("Cluster[region=eu,provider=aws].spec.nodes=3", "Cluster", None, None,
         (("region", "eu"), ("provider", "aws")), ("spec", "nodes"), 3),
    ],
)
def test_paths_name_documents_and_fields_and_values_read_as_yaml(
    text, kind, name, namespace, selector, field, value
) -> None:
    o = parse(text)
    assert (o.kind, o.name, o.namespace, o.selector, o.field) == (
        kind, name, namespace, selector, field
    )
    assert o.value == value and type(o.value) is type(value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Cluster/m1.spec.capacity.cpu", "--set Cluster/m1.spec.capacity.cpu: expected PATH=VALUE"),
        ("Cluster/m1=3", "--set Cluster/m1=3: no field in 'Cluster/m1'"),
        ("Foo/x.spec.a=1", "--set Foo/x.spec.a=1: unknown kind 'Foo'"),
        ("Cluster[region].spec.nodes=1", "--set Cluster[region].spec.nodes=1: a selector is"),
        ("Scenario.spec.timeline[x].at=1", "a list index is a number, as in timeline[0], got [x]"),
        ("Cluster/a/b/c.spec.nodes=1", "name a document as Kind/name or Kind/namespace/name"),
    ],
)
def test_unreadable_settings_say_why(text: str, message: str) -> None:
    with pytest.raises(SettingError) as e:
        parse(text)
    assert message in str(e.value)


@pytest.mark.parametrize(
    ("setting", "error"),
    [
        (
            "Cluster/m9.spec.capacity.cpu=3",
            "--set Cluster/m9.spec.capacity.cpu=3: no Cluster named 'm9' (there are: m1, m2, m3)",
        ),
        (
            "Cluster.spec.nodes=2",
            "--set Cluster.spec.nodes=2: 3 Cluster documents (there are: m1, m2, m3); name one "
            "(Cluster/NAME), select some (Cluster[label=value]) or all (Cluster[*])",
        ),
        (
            "Cluster[region=mars].spec.nodes=2",
            "--set Cluster[region=mars].spec.nodes=2: no Cluster matches the selector "
            "(there are: m1, m2, m3)",
        ),
        (
            "Scenario.spec.timeline[2].at=4",
            "--set Scenario.spec.timeline[2].at=4: spec.timeline has 1 item, so [2] names nothing",
        ),
        (
            "Deployment/shop/api.spec.replicas=3",
            "--set Deployment/shop/api.spec.replicas=3: no Deployment named 'shop/api' "
            "(there are: shop/web)",
        ),
        (
            "Cluster/m1.spec.region.x=1",
            "--set Cluster/m1.spec.region.x=1: spec.region is the value 'eu-west', not a mapping "
            "with 'x'",
        ),
        (
            "Scenario.spec.health.failureThresholdz=3",
            f"{OUTAGE}: spec.health.failureThresholdz: unknown field 'failureThresholdz'; set by "
            "Scenario.spec.health.failureThresholdz=3 (line 8, Scenario cluster-outage)",
        ),
    ],
)
def test_a_path_naming_nothing_is_an_error_naming_it(setting: str, error: str) -> None:
    with pytest.raises(LoadError) as e:
        load_scenario(OUTAGE, settings=[setting])
    assert e.value.errors == [error]


def test_a_set_value_gets_the_message_the_same_value_gets_in_the_file(tmp_path: Path) -> None:
    text = OUTAGE.read_text()
    typed = tmp_path / "typed.yaml"
    typed.write_text(text.replace("replicas: 9", "replicas: 1.5"))
    with pytest.raises(LoadError) as in_file:
        load_scenario(typed)
    with pytest.raises(LoadError) as by_set:
        load_scenario(OUTAGE, settings=["Deployment/shop/web.spec.replicas=1.5"])
    (file_error,) = in_file.value.errors
    (set_error,) = by_set.value.errors
    assert file_error.replace(str(typed), str(OUTAGE)) == set_error.replace(
        "; set by Deployment/shop/web.spec.replicas=1.5", ""
    )
    assert set_error.endswith(
        "spec.replicas: must be an integer, got 1.5; set by Deployment/shop/web.spec.replicas=1.5"
        " (line 66, Deployment shop/web)"
    )


def test_settings_change_the_records_in_order_later_wins() -> None:
    sc = load_scenario(
        REGION,
        settings=[
            "Cluster[region=us-east].spec.capacity.cpu=16",
            "Cluster/us-2.spec.capacity.cpu=20",
            "Deployment/shop/web.spec.replicas=8",
            "Scenario.spec.timeline[0].at=100",
            "Scenario.spec.health.failureThreshold=2",
            "Cluster[*].spec.costPerGiBHour=0.01",
        ],
    )
    cpu = {c.name: c.capacity.cpu for c in sc.desired.clusters}
    assert cpu == {"eu-1": 24, "eu-2": 24, "us-1": 16, "us-2": 20}
    assert sc.desired.workloads["Deployment/shop/web"].replicas == 8
    assert sc.faults[0].at == 100
    assert sc.health.failure_count == 2
    assert {c.cost_per_gib_hour for c in sc.desired.clusters} == {0.01}


def test_a_setting_never_changes_what_a_yaml_alias_shares_elsewhere() -> None:
    text = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop, labels: &l {app: web}}
spec:
  replicas: 2
  selector: {matchLabels: *l}
  template:
    metadata: {labels: *l}
    spec: {containers: [{name: web, image: nginx}]}
"""
    (w,) = load_text(text, settings=["Deployment/shop/web.metadata.labels.app=shop"]).workloads
    assert w.labels == {"app": "shop"}
    assert w.manifest["spec"]["template"]["metadata"]["labels"] == {"app": "web"}
    assert w.manifest["spec"]["selector"]["matchLabels"] == {"app": "web"}


def test_kfed_run_set_exit_2_naming_the_path_nothing_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    code = main(["run", str(OUTAGE), "--set", "Cluster/m7.spec.nodes=2", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and not out.exists()
    assert err == "--set Cluster/m7.spec.nodes=2: no Cluster named 'm7' (there are: m1, m2, m3)\n"


def test_kfed_run_set_runs_the_changed_scenario(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    code = main(
        ["run", str(OUTAGE), "--set", "Scenario.spec.timeline[0].at=100", "--set",
         "Deployment/web.spec.replicas=12", "--out", str(tmp_path), "--quiet", "--no-plots"]
    )
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert code == 0, capsys.readouterr().out
    assert summary["failovers"][0]["fault_at"] == 100.0
    assert summary["workloads"]["Deployment/shop/web"]["desired"] == 12
