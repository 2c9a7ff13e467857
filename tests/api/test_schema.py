"""The JSON Schema: the exported file is current, valid Draft 2020-12, and accepts every
shipped document (and rejects what the loader rejects structurally)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

from federation.api.kinds import KINDS
from federation.api.schema import document, exported
from federation.cli import main

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_FILE = ROOT / "federation" / "api" / "kfed.schema.json"


def test_exported_file_is_current():
    assert SCHEMA_FILE.read_text() == exported(), (
        "federation/api/kfed.schema.json is stale: "
        "run `kfed schema --output-file federation/api/kfed.schema.json`"
    )


def test_kfed_schema_writes_the_same_bytes(tmp_path, capsys):
    out = tmp_path / "s.json"
    assert main(["schema", "--output-file", str(out)]) == 0
    assert out.read_text() == exported()
    assert main(["schema"]) == 0
    assert capsys.readouterr().out == exported()


def test_schema_is_valid_draft_2020_12():
    Draft202012Validator.check_schema(json.loads(exported()))
    assert set(document()["$defs"]) >= set(KINDS)


def shipped_documents():
    for path in sorted((ROOT / "scenarios").rglob("*.yaml")):
        for i, doc in enumerate(yaml.safe_load_all(path.read_text())):
            if doc is not None:
                yield pytest.param(doc, id=f"{path.relative_to(ROOT)}#{i}")


@pytest.mark.parametrize("doc", list(shipped_documents()))
def test_shipped_documents_match_the_exported_schema(doc):
    validator = Draft202012Validator(json.loads(SCHEMA_FILE.read_text()))
    assert [e.message for e in validator.iter_errors(doc)] == []


def test_exported_schema_rejects_unknown_fields():
    validator = Draft202012Validator(json.loads(SCHEMA_FILE.read_text()))
    doc = {"apiVersion": "kfed.io/v1alpha1", "kind": "Cluster", "metadata": {"name": "a"}, "x": 1}
    assert not validator.is_valid(doc)
    assert not validator.is_valid({"apiVersion": "v1", "kind": "Pod"})
