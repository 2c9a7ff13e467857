"""CRDs come from the same JSON Schema as `kfed schema`, are structural, have a status
subresource and printer columns; objects, templates and bindings map both ways."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from federation.api.schema import DEFS
from federation.cli import main
from federation.controller.crds import KINDS, crd, crds, structural


def _walk(node: dict[str, Any], path: str = "") -> list[str]:
    """Violations of the structural-schema rules in one node and below."""
    bad = []
    if "$ref" in node:
        bad.append(f"{path}: $ref")
    if node.get("additionalProperties") is False:
        bad.append(f"{path}: additionalProperties false")
    typed = "type" in node
    free = node.get("x-kubernetes-preserve-unknown-fields") or node.get(
        "x-kubernetes-int-or-string"
    )
    if not typed and not free:
        bad.append(f"{path}: no type")
    for junctor in ("anyOf", "allOf", "oneOf"):
        for sub in node.get(junctor, []):
            if set(sub) - {"type"} or not node.get("x-kubernetes-int-or-string"):
                bad.append(f"{path}: {junctor} beyond int-or-string")
    for k, v in (node.get("properties") or {}).items():
        bad += _walk(v, f"{path}.{k}")
    if isinstance(node.get("additionalProperties"), dict):
        bad += _walk(node["additionalProperties"], f"{path}.*")
    if "items" in node:
        bad += _walk(node["items"], f"{path}[]")
    return bad


@pytest.mark.parametrize("kind", KINDS)
def test_every_crd_is_structural_with_status_and_columns(kind: str) -> None:
    doc = crd(kind)
    version = doc["spec"]["versions"][0]
    schema = version["schema"]["openAPIV3Schema"]
    assert _walk(schema) == []
    assert version["subresources"] == {"status": {}}
    assert version["additionalPrinterColumns"]
    assert doc["spec"]["names"]["kind"] == kind
    assert "kfed" in doc["spec"]["names"]["categories"]


@pytest.mark.parametrize(
    "kind",
    [
        "Cluster",
        "PropagationPolicy",
        "ClusterPropagationPolicy",
        "OverridePolicy",
        "ClusterOverridePolicy",
    ],
)
def test_spec_is_the_kfed_schema_made_structural(kind: str) -> None:
    spec = crd(kind)["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]
    assert spec == structural(DEFS[kind]["properties"]["spec"])
    # same fields, same enums as `kfed schema` (references inlined)
    placement = DEFS["PropagationPolicy"]["properties"]["spec"]["properties"]["placement"]
    if kind == "PropagationPolicy":
        rs = spec["properties"]["placement"]["properties"]["replicaScheduling"]["properties"]
        assert rs["replicaSchedulingType"]["enum"] == ["Duplicated", "Divided"]
        assert set(spec["properties"]["placement"]["properties"]) == set(placement["properties"])


def test_quantities_are_int_or_string_as_in_kubernetes() -> None:
    cap = crd("Cluster")["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]
    cpu = cap["properties"]["capacity"]["properties"]["cpu"]
    assert cpu["x-kubernetes-int-or-string"] is True


def test_install_print_writes_every_crd(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["controller", "install", "--print"]) == 0
    docs = list(yaml.safe_load_all(capsys.readouterr().out))
    names = {d["metadata"]["name"] for d in docs if d["kind"] == "CustomResourceDefinition"}
    assert names == {c["metadata"]["name"] for c in crds()}
    assert any(d["kind"] == "Namespace" and d["metadata"]["name"] == "kfed-system" for d in docs)


def test_documented_member_role_is_the_one_join_creates() -> None:
    from pathlib import Path

    from federation.controller import rbac

    text = (Path(__file__).resolve().parents[2] / "docs" / "controller.md").read_text()
    block = text.split("### Member RBAC", 1)[1].split("```yaml", 1)[1].split("```", 1)[0]
    documented = yaml.safe_load(block)
    role = next(o for o in rbac.member_objects() if o["kind"] == "ClusterRole")
    assert documented["rules"] == role["rules"] == rbac.RULES
    assert documented["metadata"]["name"] == role["metadata"]["name"]
