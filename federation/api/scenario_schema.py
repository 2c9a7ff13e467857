"""The JSON Schema of a Scenario's spec: timeline events, expectations, health, sim and kube
settings (the other kinds are in `federation.api.schema`)."""

from __future__ import annotations

from federation.api.autoscaling_schema import AUTOSCALING
from federation.api.limits import MAX_SIGMA
from federation.api.operation_schema import OPERATION_FIELDS
from federation.api.schema_parts import (
    BOOL,
    COUNT,
    DNS_LABEL,
    DURATION,
    INT64,
    NAME,
    NODES,
    POSITIVE,
    STR,
    STRMAP,
    array,
    obj,
    ref,
)
from federation.api.traffic_schema import NETWORK, TRAFFIC

DISTRIBUTION = obj(
    {
        "distribution": {"enum": ["constant", "uniform", "exponential", "lognormal", "normal"]},
        "value": DURATION,
        "min": DURATION,
        "max": DURATION,
        "mean": DURATION,
        "median": DURATION,
        "sigma": {"type": "number", "minimum": 0, "maximum": MAX_SIGMA},
    },
    ("distribution",),
)
LINK = obj(
    {
        "latency": DURATION,
        "jitter": DURATION,
        "loss": {"type": "number", "minimum": 0, "maximum": 1},
    }
)
FAULTS = (
    "outage",
    "api-hang",
    "partition",
    "latency",
    "flapping",
    "node-loss",
    "load-surge",
    "client-partition",
)
EVENT = obj(
    {
        "name": {
            "type": "string",
            "pattern": DNS_LABEL,
            "description": "what expectations call this entry (after:, during:, fault:)",
        },
        "at": DURATION,
        "fault": {"enum": list(FAULTS)},
        "cluster": NAME,
        "clusters": array(NAME, minItems=1),
        "region": NAME,
        "zone": NAME,
        "duration": DURATION,
        "latency": DURATION,
        "jitter": DURATION,
        "period": DURATION,
        "down": DURATION,
        "nodes": NODES,
        "workload": NAME,
        "replicas": COUNT,
        "clients": {**NAME, "description": "client-partition: the client region cut off"},
        "healthChecks": {
            **BOOL,
            "description": "client-partition: the DNS's health checks are cut off instead",
        },
        "dns": {**BOOL, "description": "client-partition: cut off from the DNS"},
        **OPERATION_FIELDS,
    },
    ("at",),
)
# when an expectation is judged: during a named timeline entry, after one (or after a time),
# plus a settling time; absent = the whole run
WINDOW = {
    "during": NAME,
    "after": {
        "type": ["number", "string"],
        "description": "a duration (90s), or the name of a timeline entry",
    },
    "settle": DURATION,
}
EXPECTATIONS = {
    "availability": obj(
        {"workload": NAME, "min": {"type": "number", "minimum": 0, "maximum": 1}, **WINDOW},
        ("workload", "min"),
    ),
    "failoverWithin": obj(
        {"cluster": NAME, "seconds": DURATION, "fault": NAME}, ("cluster", "seconds")
    ),
    "noReplicasOn": obj({"cluster": NAME, "workload": NAME, **WINDOW}, ("cluster",)),
    "maxUnavailable": obj(
        {"workload": NAME, "replicas": COUNT, **WINDOW}, ("workload", "replicas")
    ),
    "noEviction": obj({"cluster": NAME, **WINDOW}),
    "successRate": obj(
        {
            "service": NAME,
            "region": NAME,
            "min": {"type": "number", "minimum": 0, "maximum": 1},
            **WINDOW,
        },
        ("min",),
    ),
    "latencyP99": obj(
        {"service": NAME, "region": NAME, "maxMs": {"type": "number", "minimum": 0}, **WINDOW},
        ("maxMs",),
    ),
    "drainWithin": obj(
        {"cluster": NAME, "service": NAME, "seconds": DURATION, "fault": NAME, **WINDOW},
        ("cluster", "seconds"),
    ),
    "egressCostPerHour": obj(
        {"max": {"type": "number", "minimum": 0}, "service": NAME, "region": NAME, **WINDOW},
        ("max",),
    ),
    "replicasOn": obj(
        {
            "workload": NAME,
            "cluster": NAME,
            "at": DURATION,
            **WINDOW,
            "min": COUNT,
            "max": COUNT,
        },
        ("workload", "cluster"),
    ),
}
SCENARIO = obj(
    {
        "description": STR,
        "seed": INT64,
        "duration": DURATION,
        "resources": array(NAME),
        "health": obj(
            {
                "probePeriod": DURATION,
                "probeTimeout": DURATION,
                "failureThreshold": POSITIVE,
                "failureSeconds": DURATION,
                "successThreshold": POSITIVE,
                "successSeconds": DURATION,
            }
        ),
        "rescheduling": obj({"enabled": BOOL, "unschedulableSeconds": DURATION}),
        "sim": obj(
            {
                "apiLatency": ref("Distribution"),
                "podStartup": ref("Distribution"),
                "link": ref("Link"),
                "links": {"type": "object", "additionalProperties": ref("Link")},
                "resyncPeriod": DURATION,
                "samplePeriod": DURATION,
            }
        ),
        "traffic": TRAFFIC,
        "autoscaling": AUTOSCALING,
        "network": NETWORK,
        "timeline": array(EVENT),
        "expectations": array(
            obj(EXPECTATIONS, minProperties=1, maxProperties=1),
        ),
        "kube": obj(
            {
                "provider": {"enum": ["kwok", "kind", "contexts"]},
                "contexts": STRMAP,
                "kubeconfig": NAME,
                "nodesPerCluster": NODES,
            }
        ),
    }
)
