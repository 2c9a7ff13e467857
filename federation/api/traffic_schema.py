"""The JSON Schema of the traffic documents: a MultiClusterService's spec, and a Scenario's
`traffic` (client demand per region) and `network` (round-trip times, egress prices)."""

from __future__ import annotations

from typing import Any

from federation.api.schema_parts import BOOL, DURATION, NAME, POSITIVE, QUANTITY, array, obj

# as federation.core.steering.POLICIES and federation.traffic.profiles.PROFILES (a test checks);
# written out so that `kfed schema` loads no part of the core
POLICIES = ["local-first", "round-robin", "weighted", "failover", "nearest"]
PROFILES = ["lighthouse", "k8gb", "route53", "cilium", "istio"]
_NONNEG: dict[str, Any] = {"type": "number", "minimum": 0}
_POSITIVE_NUMBER: dict[str, Any] = {"type": "number", "exclusiveMinimum": 0}

MULTICLUSTER_SERVICE = obj(
    {
        "steering": obj(
            {
                "profile": {"enum": PROFILES},
                "policy": {"enum": POLICIES},
                "ttlSeconds": _NONNEG,
                "healthCheckIntervalSeconds": _NONNEG,
                "failureThreshold": {"type": "integer", "minimum": 0, "maximum": 1000},
                "clientCacheSeconds": _NONNEG,
                "failoverOrder": array(NAME, minItems=1),
                "failOpen": BOOL,
                "maxEjectionPercent": {"type": "number", "minimum": 0, "maximum": 100},
            },
            description="how clients are steered; a profile sets the rest to a system's defaults",
        ),
        "capacity": obj(
            {
                "requestsPerSecond": _POSITIVE_NUMBER,
                "serviceTimeSeconds": _NONNEG,
                "timeoutSeconds": _POSITIVE_NUMBER,
            },
            description="what one Ready replica serves",
        ),
    }
)

RATE = obj(
    {
        "pattern": {"enum": ["constant", "step", "diurnal", "spike"]},
        "rps": _NONNEG,
        "steps": array(obj({"at": DURATION, "rps": _NONNEG}, ("at", "rps")), minItems=1),
        "mean": _NONNEG,
        "amplitude": {"type": "number", "minimum": 0, "maximum": 1},
        "period": DURATION,
        "peakAt": DURATION,
        "resolution": DURATION,
        "peak": _NONNEG,
        "at": DURATION,
        "duration": DURATION,
    },
    ("pattern",),
)
CLIENT = obj(
    {
        "service": NAME,
        "region": NAME,
        "zone": NAME,
        "provider": NAME,
        "internet": BOOL,
        "rps": _NONNEG,
        "rate": RATE,
        "requestBytes": QUANTITY,
        "responseBytes": QUANTITY,
    },
    ("service", "region"),
)
TRAFFIC = obj(
    {
        "clients": array(CLIENT, minItems=1),
        "cohorts": {**POSITIVE, "maximum": 1000},
    }
)
PRICES = obj(
    {
        "intraZone": _NONNEG,
        "interZone": _NONNEG,
        "interRegion": _NONNEG,
        "interContinent": _NONNEG,
        "internet": array(obj({"upToGB": _POSITIVE_NUMBER, "usdPerGB": _NONNEG}, ("usdPerGB",))),
        "internetFreeGB": _NONNEG,
    },
    description="USD per GB (2^30 bytes); a field left out keeps the provider's default",
)
NETWORK = obj(
    {
        "locations": {"type": "object", "additionalProperties": NAME},
        "rtt": array(obj({"from": NAME, "to": NAME, "ms": _NONNEG}, ("from", "to", "ms"))),
        "sameZoneMs": _NONNEG,
        "crossZoneMs": _NONNEG,
        "defaultRttMs": _NONNEG,
        "prices": {"type": "object", "additionalProperties": PRICES},
    }
)
