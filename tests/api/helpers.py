"""Helpers for the API tests: load YAML text and get the errors (or the documents)."""

from __future__ import annotations

import pytest

from federation.api import LoadError, load_text


def errors_of(text: str, name: str = "t.yaml") -> list[str]:
    with pytest.raises(LoadError) as info:
        load_text(text, name)
    return info.value.errors


CLUSTERS = """\
apiVersion: kfed.io/v1alpha1
kind: Cluster
metadata: {name: east}
spec: {region: us, zone: us-a, nodes: 2, capacity: {cpu: 8, memory: 16Gi}}
---
apiVersion: kfed.io/v1alpha1
kind: Cluster
metadata: {name: west}
spec: {region: eu, zone: eu-a, capacity: {cpu: 4, memory: 8Gi}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec: {replicas: 4}
"""
