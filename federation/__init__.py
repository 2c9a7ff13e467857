"""kfed: a Kubernetes cluster-federation engine and testbed (one pure core, two backends)."""

__version__ = "0.1.0"
