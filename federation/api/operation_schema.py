"""The JSON Schema of a timeline entry's operation fields (`operation: scale|apply|...`): the
changes to the federation's documents a scenario makes at a time, next to its faults."""

from __future__ import annotations

from typing import Any

from federation.api.schema_parts import BOOL, INT, NAME, array

OPERATIONS = ("scale", "apply", "delete", "join", "unjoin", "drain", "uncordon", "migrate")

OPERATION_FIELDS: dict[str, Any] = {
    "operation": {
        "enum": list(OPERATIONS),
        "description": "a change of the federation at `at` (instead of a fault)",
    },
    "from": {
        **array(NAME, minItems=1),
        "description": "migrate: the clusters the workload leaves",
    },
    "to": {
        **array(NAME, minItems=1),
        "description": "migrate: the clusters it moves to (admitted by its placement)",
    },
    "maxSurge": {
        "type": ["integer", "string"],
        "minimum": 0,
        "maximum": INT["maximum"],
        "pattern": "^[0-9]{1,3}%$",
        "description": "migrate: replicas (or a percentage of the workload's, rounded up) the "
        "move may run above its desired count; default 25%",
    },
    "preserveAvailableReplicas": {
        **BOOL,
        "description": "migrate: make before break (default true); false moves everything at "
        "once (the old replicas deleted while the new ones start)",
    },
    "document": {
        "type": "object",
        "description": "apply: the document as it is from `at` on (a Cluster, a policy, an "
        "override or a workload template)",
    },
}
