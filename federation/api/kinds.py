"""The document kinds kfed reads: their apiVersions and scope, and Kubernetes' own groups and
kinds (a kind of one of those kfed does not know is a typo, not a custom resource)."""

from __future__ import annotations

API_VERSION = "kfed.io/v1alpha1"

# kind -> apiVersion for every kind the loader understands
KINDS: dict[str, str] = {
    "Cluster": API_VERSION,
    "PropagationPolicy": API_VERSION,
    "ClusterPropagationPolicy": API_VERSION,
    "OverridePolicy": API_VERSION,
    "ClusterOverridePolicy": API_VERSION,
    "MultiClusterService": API_VERSION,
    "FederatedHPA": API_VERSION,
    "CronFederatedHPA": API_VERSION,
    "Scenario": API_VERSION,
    "ClusterTaintPolicy": API_VERSION,
    "Namespace": "v1",
    "ConfigMap": "v1",
    "Secret": "v1",
    "Service": "v1",
    "Deployment": "apps/v1",
    "Job": "batch/v1",
}
NAMESPACED = frozenset(
    {
        "PropagationPolicy",
        "OverridePolicy",
        "MultiClusterService",
        "FederatedHPA",
        "CronFederatedHPA",
        "ConfigMap",
        "Secret",
        "Service",
        "Deployment",
        "Job",
    }
)
NATIVE = frozenset({"Namespace", "ConfigMap", "Secret", "Service", "Deployment", "Job"})
# Kubernetes' cluster-scoped kinds: any other kind kfed does not know is a namespaced template
CLUSTER_SCOPED = frozenset(
    {
        "Namespace",
        "Node",
        "PersistentVolume",
        "StorageClass",
        "ClusterRole",
        "ClusterRoleBinding",
        "CustomResourceDefinition",
        "PriorityClass",
        "IngressClass",
        "RuntimeClass",
        "APIService",
        "MutatingWebhookConfiguration",
        "ValidatingWebhookConfiguration",
        "CSIDriver",
        "VolumeSnapshotClass",
    }
)
# the apiVersions of Kubernetes' own groups and their kinds: a kind of one of these groups kfed
# does not know is a typo, not a custom resource
CORE_GROUPS: dict[str, frozenset[str]] = {
    "v1": frozenset(
        {
            "Namespace",
            "ConfigMap",
            "Secret",
            "Service",
            "ServiceAccount",
            "PersistentVolumeClaim",
            "PersistentVolume",
            "Pod",
            "ReplicationController",
            "LimitRange",
            "ResourceQuota",
            "Endpoints",
            "Node",
            "List",
        }
    ),
    "apps/v1": frozenset(
        {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ControllerRevision"}
    ),
    "batch/v1": frozenset({"Job", "CronJob"}),
}
# kinds whose replica count Karmada's default interpreter knows, beyond Deployment and Job
REPLICA_PATHS = {"StatefulSet": "/spec/replicas", "ReplicaSet": "/spec/replicas"}
REPLICA_PATH_ANNOTATION = "kfed.io/replicas-path"


def is_namespaced(kind: str) -> bool:
    """Does a document of `kind` live in a namespace? kfed's own kinds and Kubernetes'
    cluster-scoped ones do not; every other kind (a template) does."""
    if kind in KINDS:
        return kind in NAMESPACED
    return kind not in CLUSTER_SCOPED
