"""The JSON Schema of the autoscaling documents: a FederatedHPA's spec and a CronFederatedHPA's
(Karmada's autoscaling.karmada.io/v1alpha1 shapes, in kfed's group), and a Scenario's
`autoscaling` section (federated or per-cluster, the metric pipeline, the start time)."""

from __future__ import annotations

from typing import Any

from federation.api.schema_parts import BOOL, COUNT, DURATION, NAME, POSITIVE, STR, array, obj

_SECONDS_3600: dict[str, Any] = {"type": "integer", "minimum": 0, "maximum": 3600}
_PERIOD: dict[str, Any] = {"type": "integer", "minimum": 1, "maximum": 1800}
_TARGET_REF = obj(
    {"apiVersion": NAME, "kind": NAME, "name": NAME},
    ("kind", "name"),
    description="the workload scaled (a Deployment, or any kind kfed divides)",
)
SCALING_POLICY = obj(
    {"type": {"enum": ["Pods", "Percent"]}, "value": POSITIVE, "periodSeconds": _PERIOD},
    ("type", "value", "periodSeconds"),
)
_RULES = obj(
    {
        "stabilizationWindowSeconds": _SECONDS_3600,
        "selectPolicy": {"enum": ["Max", "Min", "Disabled"]},
        "policies": array(SCALING_POLICY, minItems=1),
        "tolerance": {"type": ["number", "string"]},
    }
)
_METRIC = obj(
    {
        "type": {"enum": ["Resource"]},
        "resource": obj(
            {
                "name": {"enum": ["cpu"]},
                "target": obj(
                    {"type": {"enum": ["Utilization"]}, "averageUtilization": POSITIVE},
                    ("type", "averageUtilization"),
                ),
            },
            ("name", "target"),
        ),
    },
    ("type", "resource"),
    description="kfed models CPU utilization (the traffic model's load per replica)",
)
FEDERATED_HPA = obj(
    {
        "scaleTargetRef": _TARGET_REF,
        "minReplicas": COUNT,
        "maxReplicas": POSITIVE,
        "metrics": array(_METRIC, minItems=1, maxItems=1),
        "behavior": obj({"scaleUp": _RULES, "scaleDown": _RULES}),
    },
    ("scaleTargetRef", "maxReplicas"),
)
_CRON_RULE = obj(
    {
        "name": {"type": "string", "minLength": 1, "maxLength": 32},
        "schedule": NAME,
        "targetReplicas": COUNT,
        "targetMinReplicas": COUNT,
        "targetMaxReplicas": POSITIVE,
        "suspend": BOOL,
        "timeZone": STR,
        "successfulHistoryLimit": {"type": "integer", "minimum": 0, "maximum": 32},
        "failedHistoryLimit": {"type": "integer", "minimum": 0, "maximum": 32},
    },
    ("name", "schedule"),
)
CRON_FEDERATED_HPA = obj(
    {"scaleTargetRef": _TARGET_REF, "rules": array(_CRON_RULE, minItems=1)},
    ("scaleTargetRef", "rules"),
)
AUTOSCALING = obj(
    {
        "mode": {"enum": ["federated", "per-cluster"]},
        "startTime": {"type": "string", "description": "RFC 3339 time of t = 0 (cron rules)"},
        "metrics": obj(
            {
                "scrapeInterval": DURATION,
                "window": DURATION,
                "firstScrape": DURATION,
                "syncPeriod": DURATION,
            },
            description="the metric pipeline: kubelet window, metrics-server scrape, HPA loop",
        ),
    },
    description="how FederatedHPAs act: federated (Karmada) or per-cluster (each member's HPA)",
)
