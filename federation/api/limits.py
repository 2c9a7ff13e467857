"""The bounds kfed puts on its input (file size, YAML shape, numbers, durations), in one place so
docs/api.md, the schema and the loader agree on them."""

from __future__ import annotations

# ------------------------------------------------------------------ files and YAML shape

MAX_FILE_BYTES = 4 * 1024 * 1024  # one file; Kubernetes caps a request body at 3 MiB
MAX_DEPTH = 64  # nested mappings and lists, aliases counted where they are used
MAX_DOCUMENT_NODES = 200_000  # YAML nodes of one document, every alias counted in full
MAX_FILE_NODES = 1_000_000  # YAML nodes of one file, every alias counted in full

# ------------------------------------------------------------------ numbers

INT32_MAX = 2**31 - 1  # replicas, counts, weights: int32 in the Kubernetes and Karmada APIs
INT32_MIN = -(2**31)  # priority
INT64_MAX = 2**63 - 1  # seed; and the largest Kubernetes quantity
INT64_MIN = -(2**63)
MAX_PORT = 65535
MAX_NODES = 5000  # nodes per cluster: Kubernetes' documented scalability limit
PODS_PER_NODE = 110  # the kubelet's default maxPods
MAX_PODS = MAX_NODES * PODS_PER_NODE  # a cluster's pods: 5000 nodes of 110 pods
MAX_CPU = 10_000_000  # a cluster's cores (5000 nodes of 2000 cores)
MAX_MEMORY = 2**60  # a cluster's memory in bytes (1 EiB)
MAX_SIGMA = 10.0  # a distribution's sigma: exp(10 * z) already spans every plausible delay

# ------------------------------------------------------------------ durations

MAX_SECONDS = 30 * 24 * 3600.0  # any scenario duration: 30 days of simulated time
MIN_PERIOD = 0.001  # probe, resync, sample and flapping periods (when not 0): 1 ms
