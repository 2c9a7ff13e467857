"""FederatedHPA, CronFederatedHPA and a Scenario's `autoscaling`: defaults, cron times, and every
mistake one clear error naming the YAML path and the value (exit 2 from the CLI)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from federation.api import LoadError, load_text
from federation.core.hpa import DEFAULT_DOWN, Behavior, Policy

FED = """\
apiVersion: kfed.io/v1alpha1
kind: Scenario
metadata: {name: t}
spec:
  duration: 2h
  autoscaling: AUTOSCALING
---
apiVersion: kfed.io/v1alpha1
kind: Cluster
metadata: {name: eu-1}
spec: {region: eu-west}
---
apiVersion: kfed.io/v1alpha1
kind: ClusterPropagationPolicy
metadata: {name: p}
spec:
  resourceSelectors: [{kind: Namespace, name: shop}, {namespace: shop}]
---
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 2
  template: {metadata: {labels: {app: web}}}
"""


def hpa(spec: str) -> str:
    return (
        "---\napiVersion: kfed.io/v1alpha1\nkind: FederatedHPA\n"
        f"metadata: {{name: web, namespace: shop}}\nspec: {spec}\n"
    )


def cron(spec: str) -> str:
    return (
        "---\napiVersion: kfed.io/v1alpha1\nkind: CronFederatedHPA\n"
        f"metadata: {{name: nightly, namespace: shop}}\nspec: {spec}\n"
    )


TARGET = "scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}"


def load(*docs: str, autoscaling: str = "{}") -> object:
    return load_text(FED.replace("AUTOSCALING", autoscaling) + "".join(docs)).scenarios[0]


def errors(*docs: str, autoscaling: str = "{}") -> str:
    with pytest.raises(LoadError) as e:
        load(*docs, autoscaling=autoscaling)
    return str(e.value)


def test_defaults() -> None:
    s = load(hpa(f"{{{TARGET}, maxReplicas: 9}}"))
    (h,) = s.autoscaling.hpas
    assert h.target == "Deployment/shop/web"
    assert (h.spec.min_replicas, h.spec.max_replicas, h.spec.target) == (1, 9, 80)
    assert h.spec.behavior is None  # the legacy path, as the HPA without a behavior
    assert s.autoscaling.mode == "federated"
    assert (s.autoscaling.pipeline.interval, s.autoscaling.pipeline.window) == (60.0, 10.0)


def test_a_partial_behavior_is_filled_with_the_defaults() -> None:
    up = "{policies: [{type: Pods, value: 2, periodSeconds: 60}]}"
    s = load(hpa("{" + TARGET + ", maxReplicas: 9, behavior: {scaleUp: " + up + "}}"))
    b = s.autoscaling.hpas[0].spec.behavior
    assert b == Behavior(
        up=b.up.__class__(0.0, "Max", (Policy("Pods", 2, 60.0),)), down=DEFAULT_DOWN
    )


def test_cron_times_resolve_from_the_start_time_and_zone() -> None:
    rule = "{name: night, schedule: '30 0 * * *', targetReplicas: 1, timeZone: Europe/Paris}"
    s = load(
        cron(f"{{{TARGET}, rules: [{rule}]}}"),
        autoscaling="{startTime: '2024-01-01T22:00:00Z'}",
    )
    (c,) = s.autoscaling.crons
    # 00:30 in Paris (UTC+1) is 23:30 UTC: 1.5 h after the start; the next is a day later
    assert c.rules[0].times == (5400.0,)
    assert c.target == "Deployment/shop/web" and not c.target_is_hpa


def test_cron_on_a_federated_hpa_sets_min_and_max() -> None:
    rule = "{name: day, schedule: '0 * * * *', targetMinReplicas: 4, targetMaxReplicas: 12}"
    s = load(
        hpa(f"{{{TARGET}, maxReplicas: 9}}"),
        cron(
            "{scaleTargetRef: {apiVersion: kfed.io/v1alpha1, kind: FederatedHPA, name: web}, "
            f"rules: [{rule}]}}"
        ),
    )
    (c,) = s.autoscaling.crons
    assert c.target_is_hpa and c.target == "shop/web"
    assert c.rules[0].times == (0.0, 3600.0)
    assert (c.rules[0].min_replicas, c.rules[0].max_replicas) == (4, 12)


@pytest.mark.parametrize(
    "docs,message",
    [
        (
            [hpa(f"{{{TARGET}, minReplicas: 5, maxReplicas: 3}}")],
            "spec.maxReplicas: must be >= minReplicas (5), got 3",
        ),
        (
            [hpa("{scaleTargetRef: {kind: Deployment, name: nope}, maxReplicas: 3}")],
            "spec.scaleTargetRef.name: names no Deployment of the federation (known: shop/web), "
            "got 'nope'",
        ),
        (
            [
                cron(
                    f"{{{TARGET}, rules: [{{name: r, schedule: '61 * * * *', targetReplicas: 1}}]}}"
                )
            ],
            "spec.rules[0].schedule: must be a cron schedule of 5 fields",
        ),
        (
            [cron(f"{{{TARGET}, rules: [{{name: r, schedule: '@daily', targetReplicas: 1}}]}}")],
            "spec.rules[0].schedule: must be a cron schedule of 5 fields",
        ),
        (
            [
                cron(
                    f"{{{TARGET}, rules: [{{name: r, schedule: '* * * * *', targetReplicas: 1, "
                    "timeZone: Mars/Olympus}]}"
                )
            ],
            "spec.rules[0].timeZone: must be an IANA time zone, got 'Mars/Olympus'",
        ),
        (
            [
                cron(
                    f"{{{TARGET}, rules: "
                    "[{name: r, schedule: '* * * * *', targetMinReplicas: 1}]}"
                )
            ],
            "spec.rules[0]: a rule on a Deployment sets targetReplicas",
        ),
        (
            [
                cron(
                    "{scaleTargetRef: {kind: FederatedHPA, name: web}, "
                    "rules: [{name: r, schedule: '* * * * *', targetMinReplicas: 1}]}"
                )
            ],
            "spec.scaleTargetRef.name: names no FederatedHPA of the federation, got 'web'",
        ),
        ([hpa(f"{{{TARGET}, maxReplicas: 3, metrics: [{{type: Pods}}]}}")], "spec.metrics[0].type"),
    ],
)
def test_mistakes(docs: list[str], message: str) -> None:
    assert message in errors(*docs)


def test_bad_start_time() -> None:
    assert "spec.autoscaling.startTime: must be an RFC 3339 time" in errors(
        autoscaling="{startTime: yesterday}"
    )


def test_the_cli_exits_2_naming_file_path_and_value(tmp_path: Path) -> None:
    f = tmp_path / "s.yaml"
    f.write_text(
        FED.replace("AUTOSCALING", "{}") + hpa(f"{{{TARGET}, minReplicas: 5, maxReplicas: 3}}")
    )
    p = subprocess.run(
        [sys.executable, "-m", "federation.cli", "validate", str(f)],
        capture_output=True,
        text=True,
    )
    assert p.returncode == 2
    assert f"{f}: spec.maxReplicas: must be >= minReplicas (5), got 3" in p.stderr
    assert "Traceback" not in p.stderr
