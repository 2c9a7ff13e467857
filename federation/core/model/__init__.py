"""The federation data model: frozen records for clusters, policies, workloads and observations.

Everything the pure core reads or returns is built from these records (and plain mappings), so
both drivers, the YAML loader and the tests speak the same language. Times are floats in seconds
since the run started; nothing here reads a clock. One module per subject: cluster, workload,
policy, override, observation; import the records from here.
"""

from federation.core.model.cluster import (
    EMPTY,
    Cluster,
    Effect,
    LabelSelector,
    Requirement,
    Resources,
    Taint,
)
from federation.core.model.observation import (
    ClusterObservation,
    Health,
    Observation,
    ObservedObject,
    ProbeResult,
)
from federation.core.model.override import (
    ArgsOverride,
    FieldOverride,
    ImageOverride,
    MapOverride,
    Operator,
    OverridePolicy,
    OverrideRule,
    PatchOp,
)
from federation.core.model.policy import (
    ClusterAffinity,
    ClusterWeight,
    DivisionPreference,
    Failback,
    FailoverPolicy,
    Placement,
    PropagationPolicy,
    PurgeMode,
    ReplicaBounds,
    ReplicaScheduling,
    Rescheduling,
    ResourceSelector,
    SchedulingType,
    SpreadConstraint,
    SpreadField,
    Toleration,
)
from federation.core.model.workload import (
    KIND_ORDER,
    REPLICATED_KINDS,
    Workload,
    workload_key,
)

__all__ = [
    "EMPTY",
    "KIND_ORDER",
    "REPLICATED_KINDS",
    "ArgsOverride",
    "Cluster",
    "ClusterAffinity",
    "ClusterObservation",
    "ClusterWeight",
    "DivisionPreference",
    "Effect",
    "Failback",
    "FailoverPolicy",
    "FieldOverride",
    "Health",
    "ImageOverride",
    "LabelSelector",
    "MapOverride",
    "Observation",
    "ObservedObject",
    "Operator",
    "OverridePolicy",
    "OverrideRule",
    "PatchOp",
    "Placement",
    "ProbeResult",
    "PropagationPolicy",
    "PurgeMode",
    "ReplicaBounds",
    "ReplicaScheduling",
    "Requirement",
    "Rescheduling",
    "ResourceSelector",
    "Resources",
    "SchedulingType",
    "SpreadConstraint",
    "SpreadField",
    "Taint",
    "Toleration",
    "Workload",
    "workload_key",
]
