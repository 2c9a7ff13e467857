"""The YAML reader: libyaml's leniency (a tab after a value) with line numbers for every path,
the pure-Python fallback made as lenient, and the schema never re-checked while loading."""

from __future__ import annotations

import pytest
import yaml

from federation.api import load_text, structure
from federation.api.source import _TabTolerantLoader, parse
from tests.api.helpers import errors_of

TABS = (
    "apiVersion: v1\t\n"
    "kind: ConfigMap\t# a comment after a tab\n"
    "metadata: {name: a,\tlabels: {x: y}}\n"
    "data:\t{k: v}\n"
)


@pytest.mark.parametrize("base", [None, _TabTolerantLoader], ids=["libyaml", "pure-python"])
def test_a_tab_after_a_value_loads(base):
    docs, problems = parse(TABS, "t.yaml", base)
    assert problems == []
    assert docs[0].data == {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "a", "labels": {"x": "y"}},
        "data": {"k": "v"},
    }
    assert docs[0].line_of(("data", "k")) == 4
    assert docs[0].line_of(("metadata", "labels", "x")) == 3


def test_pure_python_fallback_still_refuses_tabs_as_indentation():
    docs, problems = parse("kind:\n\t- a\n", "t.yaml", _TabTolerantLoader)
    assert docs == []
    assert [str(p) for p in problems] == [
        "t.yaml:2: found character '\\t' that cannot start any token"
    ]


def test_the_loader_uses_libyaml_when_pyyaml_has_it():
    assert yaml.__with_libyaml__  # the CI environment has it; the fallback is tested above
    (workload,) = load_text(TABS).workloads
    assert workload.manifest["data"] == {"k": "v"}


def test_lines_for_every_path_with_the_c_loader():
    text = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: -1\n"
    assert errors_of(text) == [
        "t.yaml: spec.replicas: must be >= 0, got -1 (line 6, Deployment default/web)"
    ]
    docs, _ = parse("a:\n  - x\n  - [y, z]\n  -\n    b: 1\n", "t.yaml")
    assert docs[0].lines == {
        ("a",): 1,
        ("a", 0): 2,
        ("a", 1): 3,
        ("a", 1, 0): 3,
        ("a", 1, 1): 3,
        ("a", 2): 5,  # a block mapping starts at its first key
        ("a", 2, "b"): 5,
    }


def test_loading_never_checks_the_schema_against_the_meta_schema(monkeypatch):
    """The schema is checked once, by test_schema.py; loading must not pay for it again."""
    from jsonschema import Draft202012Validator

    calls: list[object] = []

    def counted(*args, **kwargs):
        calls.append(args)

    structure.validator.cache_clear()
    monkeypatch.setattr(Draft202012Validator, "check_schema", classmethod(counted))
    monkeypatch.setattr(structure._validator_class(), "check_schema", classmethod(counted))
    for _ in range(3):
        load_text(TABS)
    assert calls == []
    structure.validator.cache_clear()
