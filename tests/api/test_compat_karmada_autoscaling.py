"""Karmada's FederatedHPA and CronFederatedHPA (autoscaling.karmada.io/v1alpha1) read by the
loader: every field gets its status, a scenario with Karmada's autoscalers runs exactly as the
same scenario with kfed's, `kfed import` rewrites them into documents that run the same, and
mistakes are errors at the path and line of the user's own document."""

from __future__ import annotations

from pathlib import Path

import pytest

from federation.api import LoadError, load_text
from federation.api.compat import kinds
from federation.api.compat.karmada_autoscaling_fields import AUTOSCALING
from federation.api.errors import format_path
from federation.cli import main
from federation.runner import execute

FEDERATION = """\
apiVersion: kfed.io/v1alpha1
kind: Cluster
metadata: {name: a}
spec: {region: eu-west, provider: aws, capacity: {cpu: "64", memory: 256Gi}, nodes: 2}
---
apiVersion: kfed.io/v1alpha1
kind: Cluster
metadata: {name: b}
spec: {region: eu-west, provider: aws, capacity: {cpu: "64", memory: 256Gi}, nodes: 2}
---
apiVersion: kfed.io/v1alpha1
kind: ClusterPropagationPolicy
metadata: {name: p}
spec:
  resourceSelectors: [{kind: Namespace, name: shop}, {namespace: shop}]
  placement:
    replicaScheduling:
      replicaSchedulingType: Divided
      weights: [{targetCluster: {clusterNames: [a, b]}, weight: 1}]
  failover: {tolerationSeconds: 600}
---
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}}
---
apiVersion: kfed.io/v1alpha1
kind: MultiClusterService
metadata: {name: web, namespace: shop}
spec: {steering: {profile: lighthouse}, capacity: {requestsPerSecond: 100}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 10
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: w, resources: {requests: {cpu: 500m}}}]}
"""
SCENARIO = """\
apiVersion: kfed.io/v1alpha1
kind: Scenario
metadata: {name: as}
spec:
  seed: 4
  duration: 1800
  autoscaling:
    startTime: "2024-01-01T00:00:00Z"
    metrics: {scrapeInterval: 60s, window: 10s, firstScrape: 5s}
  timeline: [{at: 600, fault: outage, cluster: b, duration: 300}]
  traffic:
    clients:
      - service: web
        region: eu-west
        rate:
          pattern: step
          steps: [{at: 0, rps: 500}, {at: 300, rps: 1000}, {at: 1200, rps: 300}]
"""
KARMADA_HPA = """\
apiVersion: autoscaling.karmada.io/v1alpha1
kind: FederatedHPA
metadata: {name: web, namespace: shop}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 2
  maxReplicas: 40
  metrics:
    - type: Resource
      resource: {name: memory, target: {type: AverageValue, averageValue: 1Gi}}
    - type: Resource
      resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}
    - type: Resource
      resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}
  behavior:
    scaleDown: {stabilizationWindowSeconds: 120, tolerance: 0.05}
status: {currentReplicas: 10, desiredReplicas: 10}
"""
KFED_HPA = """\
apiVersion: kfed.io/v1alpha1
kind: FederatedHPA
metadata: {name: web, namespace: shop}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 2
  maxReplicas: 40
  metrics:
    - type: Resource
      resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}
  behavior:
    scaleDown: {stabilizationWindowSeconds: 120}
"""
KARMADA_CRON = """\
apiVersion: autoscaling.karmada.io/v1alpha1
kind: CronFederatedHPA
metadata: {name: nights, namespace: shop}
spec:
  scaleTargetRef: {apiVersion: autoscaling.karmada.io/v1alpha1, kind: FederatedHPA, name: web}
  rules:
    - {name: floor, schedule: "@hourly", targetMinReplicas: 14, targetReplicas: 3}
    - {name: cap, schedule: "20 0 * * *", timeZone: Europe/Paris, targetMaxReplicas: 12}
    - {name: later, schedule: "@every 5m", targetMaxReplicas: 2}
    - {name: rest, schedule: "10 1 * * *", suspend: true, targetMaxReplicas: 3,
       successfulHistoryLimit: 5, failedHistoryLimit: 0}
"""
KFED_CRON = """\
apiVersion: kfed.io/v1alpha1
kind: CronFederatedHPA
metadata: {name: nights, namespace: shop}
spec:
  scaleTargetRef: {apiVersion: kfed.io/v1alpha1, kind: FederatedHPA, name: web}
  rules:
    - {name: floor, schedule: "0 * * * *", targetMinReplicas: 14}
    - {name: cap, schedule: "20 0 * * *", timeZone: Europe/Paris, targetMaxReplicas: 12}
    - {name: rest, schedule: "10 1 * * *", suspend: true, targetMaxReplicas: 3}
"""
# in a 30-minute run from midnight UTC: "@hourly" fires at t = 0; 00:20 in Paris (UTC+1 in
# January) is 23:20 UTC, outside the run; the workload's rule fires at 00:05 (t = 300)
WORKLOAD_CRON = """\
apiVersion: autoscaling.karmada.io/v1alpha1
kind: CronFederatedHPA
metadata: {name: direct, namespace: shop}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  rules: [{name: up, schedule: "5 0 * * *", targetReplicas: 14, targetMaxReplicas: 3}]
"""
KFED_WORKLOAD_CRON = """\
apiVersion: kfed.io/v1alpha1
kind: CronFederatedHPA
metadata: {name: direct, namespace: shop}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  rules: [{name: up, schedule: "5 0 * * *", targetReplicas: 14}]
"""


def docs(*parts: str) -> str:
    return "---\n".join(p if p.endswith("\n") else p + "\n" for p in parts)


def rows(text: str) -> list[list[str]]:
    """The timeline rows of the scenario in `text`: [t, kind, cluster, workload, fields]."""
    (scenario,) = load_text(text, "s.yaml").scenarios
    return [r.csv() for r in execute(scenario, "sim", plots=False).rows]


def of(kind: str, table: list[list[str]]) -> list[list[str]]:
    return [r for r in table if r[1] == kind]


def statuses(text: str) -> dict[tuple[str, str], str]:
    loaded = load_text(text, "k.yaml")
    return {
        (r.kind, format_path(f.path)): f.status
        for r in loaded.compat
        for f in r.fields
        if r.project == "Karmada"
    }


def test_the_kinds_are_read_not_ignored() -> None:
    for kind in ("FederatedHPA", "CronFederatedHPA"):
        k = kinds()[(AUTOSCALING, kind)]
        assert not k.ignored and k.namespaced
        assert {f.status for f in k.fields} == {"exact", "not simulated"}


def test_every_field_gets_its_status() -> None:
    s = statuses(docs(FEDERATION, KARMADA_HPA, KARMADA_CRON))
    hpa = {p: st for (kind, p), st in s.items() if kind == "FederatedHPA"}
    assert hpa["spec.metrics[0]"] == "not simulated"  # memory: its sub-fields folded into it
    assert not any(p.startswith("spec.metrics[0].") for p in hpa)
    # Karmada takes the largest proposal of all metrics; kfed has the cpu ones only
    assert hpa["spec.metrics[2].resource.target.averageUtilization"] == "approximated"
    assert hpa["spec.metrics[1].resource.target.averageUtilization"] == "exact"
    assert hpa["spec.behavior.scaleDown.tolerance"] == "exact"  # ignored, as Karmada does
    assert hpa["status"] == "not simulated"
    cron = {p: st for (kind, p), st in s.items() if kind == "CronFederatedHPA"}
    assert cron["spec.rules[0].timeZone"] == "approximated"  # absent: the controller's zone
    assert cron["spec.rules[1].timeZone"] == "exact"
    assert cron["spec.rules[2]"] == "not simulated"  # @every
    assert cron["spec.rules[3].successfulHistoryLimit"] == "exact"


def autoscalers(*parts: str):  # type: ignore[no-untyped-def]
    (scenario,) = load_text(docs(SCENARIO, FEDERATION, *parts), "k.yaml").scenarios
    return scenario.autoscaling.hpas, scenario.autoscaling.crons


def test_the_records_are_kfed_s() -> None:
    assert autoscalers(KARMADA_HPA, KARMADA_CRON) == autoscalers(KFED_HPA, KFED_CRON)
    (hpa,), _ = autoscalers(KARMADA_HPA)
    assert (hpa.spec.min_replicas, hpa.spec.max_replicas, hpa.spec.target) == (2, 40, 50)
    assert hpa.spec.behavior is not None and hpa.spec.behavior.down.stabilization == 120


def test_a_karmada_federated_hpa_runs_as_kfed_s() -> None:
    karmada = rows(docs(SCENARIO, FEDERATION, KARMADA_HPA))
    assert karmada == rows(docs(SCENARIO, FEDERATION, KFED_HPA))
    assert of("autoscale", karmada)


def test_a_karmada_cron_federated_hpa_runs_as_kfed_s() -> None:
    karmada = rows(docs(SCENARIO, FEDERATION, KARMADA_HPA, KARMADA_CRON))
    kfed = rows(docs(SCENARIO, FEDERATION, KFED_HPA, KFED_CRON))
    assert karmada == kfed
    fired = of("cron", karmada)
    assert fired and all('"rule":"floor"' in r[4] for r in fired)  # 00:00 UTC only
    direct = rows(docs(SCENARIO, FEDERATION, WORKLOAD_CRON))
    assert direct == rows(docs(SCENARIO, FEDERATION, KFED_WORKLOAD_CRON))
    assert any('"replicas":14' in r[4] for r in of("cron", direct))


def test_a_rule_leaving_max_below_min_fails_as_in_karmada() -> None:
    cron = """\
apiVersion: autoscaling.karmada.io/v1alpha1
kind: CronFederatedHPA
metadata: {name: bad, namespace: shop}
spec:
  scaleTargetRef: {apiVersion: autoscaling.karmada.io/v1alpha1, kind: FederatedHPA, name: web}
  rules: [{name: cap, schedule: "5 0 * * *", targetMaxReplicas: 1}]
"""
    out = rows(docs(SCENARIO, FEDERATION, KFED_HPA, cron))
    (fired,) = of("cron", out)
    assert '"failed":"maxReplicas 1 < minReplicas 2"' in fired[4]
    # the bounds stay: the HPA goes on above 1 replica (the load asks for more)
    after = [r for r in of("desired", out) if float(r[0]) > 300]
    assert after and all('"replicas":1,' not in r[4] for r in after)


def test_a_hpa_without_a_cpu_metric_is_not_simulated() -> None:
    hpa = KARMADA_HPA.replace("name: cpu", "name: memory")
    cron = KARMADA_CRON
    loaded = load_text(docs(SCENARIO, FEDERATION, hpa, cron), "k.yaml")
    assert loaded.scenarios[0].autoscaling.hpas == ()
    assert loaded.scenarios[0].autoscaling.crons == ()
    root = {r.kind: [f for f in r.fields if f.path == ()] for r in loaded.compat}
    assert root["FederatedHPA"][0].status == "not simulated"
    assert "does not simulate" in root["CronFederatedHPA"][0].note
    assert any("FederatedHPA" in w and "not simulated" in w for w in loaded.warnings)


@pytest.mark.parametrize(
    ("old", "new", "path"),
    [
        ("maxReplicas: 40", "maxReplicas: forty", "spec.maxReplicas"),
        ("minReplicas: 2", "minReplicas: 0", "spec.minReplicas"),
        ("averageUtilization: 70", "averageUtilization: 70, foo: 1", "spec.metrics[1]"),
        ("type: AverageValue", "type: Bogus", "spec.metrics[0].resource.target.type"),
        (
            "- type: Resource\n      resource: {name: memory",
            "- type: External\n      resource: {name: memory",
            "spec.metrics[0].type",
        ),
        (
            "- type: Resource\n      resource: {name: memory",
            "- type: Pods\n      resource: {name: memory",
            "spec.metrics[0]",
        ),
        ("tolerance: 0.05}", "tolerance: 0.05, window: 3}", "spec.behavior.scaleDown"),
    ],
)
def test_bad_federated_hpas_exit_2_naming_the_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, path: str
) -> None:
    assert old in KARMADA_HPA
    f = tmp_path / "k.yaml"
    f.write_text(docs(FEDERATION, KARMADA_HPA.replace(old, new)))
    assert main(["validate", str(f)]) == 2
    err = capsys.readouterr().err
    text = f.read_text()
    line = text[: text.index(new.split("\n")[0])].count("\n") + 1
    assert f"{f}: {path}" in err and f"line {line}," in err, err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("old", "new", "path"),
    [
        ("name: floor, schedule", "name: cap, schedule", "spec.rules[1].name"),
        (
            "kind: FederatedHPA, name: web",
            "kind: Deployment, name: web",
            "spec.scaleTargetRef.kind",
        ),
        (
            "apiVersion: autoscaling.karmada.io/v1alpha1, kind: FederatedHPA",
            "apiVersion: apps/v1, kind: FederatedHPA",
            "spec.scaleTargetRef.apiVersion",
        ),
        ("suspend: true", "suspend: yes please", "spec.rules[3].suspend"),
        ("timeZone: Europe/Paris", "timeZone: Mars/Olympus", "spec.rules[1].timeZone"),
        ("targetMaxReplicas: 12", "targetMaxReplicas: 12, targetMaxPods: 3", "spec.rules[1]"),
    ],
)
def test_bad_cron_federated_hpas_exit_2_naming_the_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, path: str
) -> None:
    assert old in KARMADA_CRON
    f = tmp_path / "k.yaml"
    f.write_text(docs(FEDERATION, KARMADA_HPA, KARMADA_CRON.replace(old, new)))
    assert main(["validate", str(f)]) == 2
    err = capsys.readouterr().err
    assert f"{f}: {path}" in err and "CronFederatedHPA shop/nights" in err, err


def test_errors_of_kfed_s_loader_name_the_karmada_document() -> None:
    with pytest.raises(LoadError) as e:
        load_text(docs(FEDERATION, KARMADA_HPA.replace("name: web}", "name: webb}")), "k.yaml")
    (msg,) = [str(x) for x in e.value.errors]
    assert "spec.scaleTargetRef.name: names no Deployment" in msg and "FederatedHPA shop/web" in msg


def test_import_round_trip_runs_the_same(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    (src / "fed.yaml").write_text(FEDERATION)
    (src / "autoscalers.yaml").write_text(docs(KARMADA_HPA, KARMADA_CRON, WORKLOAD_CRON))
    scenario = SCENARIO.replace(
        "  seed: 4\n", "  seed: 4\n  resources: [fed.yaml, autoscalers.yaml]\n"
    )
    assert (
        main(["import", "--out", str(out), str(src / "fed.yaml"), str(src / "autoscalers.yaml")])
        == 0
    )
    capsys.readouterr()
    imported = (out / "autoscalers.yaml").read_text()
    assert "autoscaling.karmada.io" not in imported and "tolerance" not in imported
    assert "schedule: 0 * * * *" in imported and "@every" not in imported
    assert main(["validate", str(out / "fed.yaml"), str(out / "autoscalers.yaml")]) == 0
    assert "not simulated" not in capsys.readouterr().err  # what is left is kfed's own
    (src / "s.yaml").write_text(scenario)
    (out / "s.yaml").write_text(scenario)
    original = [r.csv() for r in _run(src / "s.yaml")]
    assert original == [r.csv() for r in _run(out / "s.yaml")]
    assert of("cron", original) and of("autoscale", original)
    report = (out / "kfed-import-report.md").read_text()
    assert "Karmada FederatedHPA shop/web" in report
    assert "spec.metrics[0]: not simulated" in report


def _run(path: Path):  # type: ignore[no-untyped-def]
    from federation.api import load_scenario

    return execute(load_scenario(str(path)), "sim", plots=False).rows


def test_the_shipped_example_reads_karmada_s_autoscalers() -> None:
    root = Path(__file__).resolve().parents[2] / "scenarios" / "examples" / "karmada"
    assert "apiVersion: autoscaling.karmada.io/v1alpha1" in (root / "rush-hour.yaml").read_text()
    from federation.api import load_scenario

    s = load_scenario(str(root / "rush-hour.yaml"))
    (hpa,) = s.autoscaling.hpas
    (cron,) = s.autoscaling.crons
    assert (hpa.spec.min_replicas, hpa.spec.max_replicas, hpa.spec.target) == (3, 30, 60)
    # 08:00 and 09:00 Paris on Monday 4 March 2024 (UTC+1), the run starting at 07:55
    assert [r.times for r in cron.rules] == [(300.0,), (3900.0,)]
