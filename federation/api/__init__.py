"""The kfed federation API: YAML documents (Cluster, PropagationPolicy, OverridePolicy, Scenario,
native templates) loaded into model records, with precise errors and an exported JSON Schema.

The loader is imported on first use, so the Scenario records (`federation.api.scenario`) can be
imported by the backends without loading YAML and JSON Schema machinery."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from federation.api.errors import LoadError
    from federation.api.loader import Documents, load_documents, load_scenario, load_text

_EXPORTS = {
    "LoadError": "federation.api.errors",
    "Documents": "federation.api.loader",
    "load_documents": "federation.api.loader",
    "load_scenario": "federation.api.loader",
    "load_text": "federation.api.loader",
}

__all__ = ["Documents", "LoadError", "load_documents", "load_scenario", "load_text"]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'federation.api' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
