"""The rows of Karmada's autoscaling.karmada.io/v1alpha1 FederatedHPA and CronFederatedHPA: what
each field means in kfed's FederatedHPA and CronFederatedHPA (the same shapes, read with
Karmada's webhook defaults and validation)."""

from __future__ import annotations

from typing import Any

from federation.api.autoscaling_schema import SCALING_POLICY
from federation.api.compat.fields import ANY, Field
from federation.api.compat.karmada_fields import META, OBJECT
from federation.api.schema_parts import BOOL, NAME, POSITIVE, QUANTITY, STR, array

AUTOSCALING = "autoscaling.karmada.io/v1alpha1"

CPU_ONLY = "kfed models CPU utilization only, the traffic model's load per replica"
_WRITTEN = "written by Karmada"
_WINDOW: dict[str, Any] = {"type": "integer", "minimum": 0, "maximum": 3600}
TIME_ZONE_ABSENT = (
    "none given: karmada-controller-manager's local zone (UTC in its container image); kfed "
    "takes UTC"
)


def _target(prefix: str, api_note: str) -> list[Field]:
    return [
        Field(f"{prefix}.apiVersion", "exact", api_note, STR),
        Field(f"{prefix}.kind", "exact", "", NAME, required=True),
        Field(f"{prefix}.name", "exact", "", NAME, required=True),
    ]


def _rules(direction: str, window: str, policies: str) -> list[Field]:
    r = f"spec.behavior.{direction}"
    return [
        Field(f"{r}.stabilizationWindowSeconds", "exact", f"default {window}", _WINDOW),
        Field(
            f"{r}.selectPolicy",
            "exact",
            "default Max",
            {"enum": ["Max", "Min", "Disabled"]},
        ),
        Field(
            f"{r}.policies",
            "exact",
            f"none given: {policies}, as Karmada's webhook fills them in; no behavior at all: "
            "the HPA's legacy path (scale-up cap max(2 x current, 4))",
            array(SCALING_POLICY, minItems=1),
        ),
        Field(
            f"{r}.tolerance",
            "exact",
            "ignored, as Karmada's controller (lifted from Kubernetes 1.27) ignores it: the "
            "controller-wide tolerance 0.1",
            {"type": ["number", "string"]},
        ),
    ]


def federated_hpa() -> tuple[Field, ...]:
    m = "spec.metrics[]"
    return (
        META,
        *_target("spec.scaleTargetRef", "the workload is found by kind, name and namespace"),
        Field(
            "spec.minReplicas",
            "exact",
            "default 1; Karmada refuses 0 (no scale to zero)",
            POSITIVE,
        ),
        Field("spec.maxReplicas", "exact", "at least minReplicas", POSITIVE, required=True),
        Field(
            f"{m}.type",
            "exact",
            "Resource; Pods, Object and ContainerResource metrics are not simulated "
            "(Karmada refuses External). None at all: cpu Utilization 80, Karmada's default",
            {"enum": ["Resource", "Pods", "Object", "ContainerResource"]},
            required=True,
        ),
        Field(
            f"{m}.resource.name",
            "exact",
            f"cpu; a metric of any other resource is not simulated ({CPU_ONLY})",
            NAME,
            required=True,
        ),
        Field(
            f"{m}.resource.target.type",
            "exact",
            "Utilization; a metric with another target type is not simulated",
            {"enum": ["Utilization", "AverageValue", "Value"]},
            required=True,
        ),
        Field(
            f"{m}.resource.target.averageUtilization",
            "exact",
            "with several cpu Utilization metrics, the lowest target (the largest proposal, "
            "which Karmada takes); next to metrics kfed does not simulate, approximated",
            POSITIVE,
        ),
        Field(f"{m}.resource.target.averageValue", "not simulated", CPU_ONLY, QUANTITY),
        Field(f"{m}.resource.target.value", "not simulated", CPU_ONLY, QUANTITY),
        Field(f"{m}.pods", "not simulated", CPU_ONLY, OBJECT),
        Field(f"{m}.object", "not simulated", CPU_ONLY, OBJECT),
        Field(f"{m}.containerResource", "not simulated", CPU_ONLY, OBJECT),
        *_rules("scaleUp", "0 s", "Pods 4 and Percent 100 per 15 s"),
        *_rules(
            "scaleDown",
            "300 s (--horizontal-pod-autoscaler-downscale-stabilization)",
            "Percent 100 per 15 s",
        ),
        Field("status", "not simulated", _WRITTEN, ANY),
    )


def cron_federated_hpa() -> tuple[Field, ...]:
    r = "spec.rules[]"
    limit = "bookkeeping: kfed's history is the timeline (a cron row per firing)"
    return (
        META,
        *_target(
            "spec.scaleTargetRef",
            f"{AUTOSCALING} names a FederatedHPA (kind FederatedHPA, as Karmada requires); "
            "any other apiVersion a workload",
        ),
        Field(
            f"{r}.name",
            "exact",
            "unique in the document",
            {"type": "string", "minLength": 1, "maxLength": 32},
            required=True,
        ),
        Field(
            f"{r}.schedule",
            "exact",
            "5-field cron and the descriptors @yearly, @annually, @monthly, @weekly, @daily, "
            "@midnight, @hourly; a rule on @every is not simulated",
            NAME,
            required=True,
        ),
        Field(
            f"{r}.targetReplicas",
            "exact",
            "on a workload; ignored on a FederatedHPA, as Karmada ignores it",
            {"type": "integer", "minimum": 0, "maximum": 2**31 - 1},
        ),
        Field(
            f"{r}.targetMinReplicas",
            "exact",
            "on a FederatedHPA; ignored on a workload, as Karmada ignores it",
            POSITIVE,
        ),
        Field(
            f"{r}.targetMaxReplicas",
            "exact",
            "on a FederatedHPA; ignored on a workload, as Karmada ignores it",
            POSITIVE,
        ),
        Field(f"{r}.suspend", "exact", "default false: a suspended rule never fires", BOOL),
        Field(
            f"{r}.timeZone",
            "exact",
            f"an IANA zone; {TIME_ZONE_ABSENT} (approximated)",
            STR,
        ),
        Field(
            f"{r}.successfulHistoryLimit",
            "exact",
            limit,
            {"type": "integer", "minimum": 1, "maximum": 32},
        ),
        Field(
            f"{r}.failedHistoryLimit",
            "exact",
            limit,
            {"type": "integer", "minimum": 0, "maximum": 32},
        ),
        Field("status", "not simulated", _WRITTEN, ANY),
    )
