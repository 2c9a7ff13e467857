"""The kfed federation API: YAML documents (Cluster, PropagationPolicy, OverridePolicy, Scenario,
native templates) loaded into model records, with precise errors and an exported JSON Schema."""

from federation.api.errors import LoadError
from federation.api.loader import Documents, load_documents, load_scenario, load_text

__all__ = ["Documents", "LoadError", "load_documents", "load_scenario", "load_text"]
