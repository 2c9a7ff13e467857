"""JSON Schemas of what controller mode writes on the host: a ResourceBinding's spec (the
scheduling result and the core's memory of evictions) and status, and a Cluster's status."""

from __future__ import annotations

from typing import Any

from federation.api.schema_parts import BOOL, COUNT, NAME, STR, array, obj

TIME: dict[str, Any] = {"type": "string", "format": "date-time"}

CONDITION = obj(
    {
        "type": NAME,
        "status": {"enum": ["True", "False", "Unknown"]},
        "reason": STR,
        "message": STR,
        "lastTransitionTime": TIME,
        "lastProbeTime": TIME,
        "observedGeneration": {"type": "integer", "minimum": 0},
    },
    ("type", "status"),
)
_RESOURCES = obj({"cpu": STR, "memory": STR, "pods": {"type": "integer"}})

CLUSTER_STATUS = obj(
    {
        "conditions": array(CONDITION),
        "health": {"enum": ["Ready", "Suspect", "Offline", "Recovering", "Unknown"]},
        "replicas": COUNT,
        "readyReplicas": COUNT,
        "workloads": COUNT,
        "nodeSummary": obj({"readyNum": COUNT}),
        "resourceSummary": obj({"free": _RESOURCES}),
        "kubernetesVersion": STR,
    },
    description="written by the controller",
)

BINDING_SPEC = obj(
    {
        "resource": obj(
            {"apiVersion": NAME, "kind": NAME, "namespace": STR, "name": NAME, "uid": STR},
            ("apiVersion", "kind", "name"),
        ),
        "replicas": COUNT,
        "clusters": array(obj({"name": NAME, "replicas": COUNT}, ("name",))),
        "gracefulEvictionTasks": array(
            obj(
                {
                    "fromCluster": NAME,
                    "replicas": COUNT,
                    "reason": STR,
                    "purgeMode": {"enum": ["Graceful", "Directly"]},
                    "creationTimestamp": TIME,
                    "deadline": TIME,
                },
                ("fromCluster",),
            )
        ),
        "evictedFrom": array(obj({"cluster": NAME, "at": TIME}, ("cluster", "at"))),
        "pendingSince": array(obj({"cluster": NAME, "since": TIME}, ("cluster", "since"))),
        "pendingLimits": array(
            obj(
                {"cluster": NAME, "replicas": COUNT, "room": COUNT, "moved": COUNT},
                ("cluster", "replicas", "moved"),
            )
        ),
        "affinityGroup": STR,
    },
    ("resource",),
    description="the scheduling result and the core's memory of this workload (written by "
    "the controller; read back when it restarts)",
)

BINDING_STATUS = obj(
    {
        "conditions": array(CONDITION),
        "readyReplicas": COUNT,
        "placement": STR,
        "lastScheduledTime": TIME,
        "aggregatedStatus": array(
            obj(
                {
                    "clusterName": NAME,
                    "applied": BOOL,
                    "appliedMessage": STR,
                    "replicas": COUNT,
                    "readyReplicas": COUNT,
                    "health": {"enum": ["Healthy", "Unhealthy", "Unknown"]},
                },
                ("clusterName",),
            )
        ),
        "excluded": array(obj({"clusterName": NAME, "reason": STR}, ("clusterName",))),
    },
    description="written by the controller",
)
