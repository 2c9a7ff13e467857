"""Files: YAML syntax errors, several files at once, error order, file names as typed,
nothing half-loaded."""

from __future__ import annotations

import os

import pytest

from federation.api import LoadError, load_documents, load_text
from tests.api.helpers import CLUSTERS, errors_of

POLICY = """\
apiVersion: kfed.io/v1alpha1
kind: PropagationPolicy
metadata: {name: web}
spec:
  resourceSelectors:
    - {apiVersion: apps/v1, kind: Deployment, name: web}
  placement:
    replicaScheduling:
      weights:
        - targetCluster: {clusterNames: [east]}
          weight: 2
        - targetCluster: {clusterNames: [west]}
          weight: -1
"""


def load_errors(paths) -> list[str]:
    with pytest.raises(LoadError) as info:
        load_documents(paths)
    return info.value.errors


def test_syntax_error_names_file_and_line():
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a: b\n"
    assert errors_of(text, "policies.yaml") == [
        "policies.yaml:4: mapping values are not allowed in this context"
    ]


def test_syntax_error_in_a_later_document():
    text = CLUSTERS + "---\nkind: [unclosed\n"
    (err,) = errors_of(text, "c.yaml")
    assert err.startswith("c.yaml:17: ")


def test_tabs_in_indentation_are_a_syntax_error():
    assert errors_of("kind:\n\t- a\n") == [
        "t.yaml:2: found character '\\t' that cannot start any token"
    ]


def test_duplicate_keys():
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\nkind: Secret\n"
    assert errors_of(text) == [
        "t.yaml: kind: duplicate key 'kind' (first at line 2) (line 4, Secret default/a)"
    ]


def test_document_must_be_a_mapping():
    assert errors_of("- a\n- b\n") == ["t.yaml: a document must be a mapping, got a list (line 1)"]


def test_document_needs_a_kind():
    assert errors_of("apiVersion: v1\nmetadata: {name: a}\n") == [
        "t.yaml: missing required field 'kind' (line 1)"
    ]


def test_empty_file():
    assert errors_of("# nothing\n") == ["t.yaml: no YAML documents"]


def test_empty_documents_are_skipped():
    docs = load_text("---\n" + CLUSTERS + "---\n---\n")
    assert [c.name for c in docs.clusters] == ["east", "west"]


def test_unknown_field_points_at_its_own_line():
    text = CLUSTERS + "---\n" + POLICY.replace("  placement:\n", "  placement:\n    nope: 1\n")
    errs = errors_of(text)
    assert (
        "t.yaml: spec.placement.nope: unknown field 'nope' (line 23, PropagationPolicy default/web)"
        in errs
    )


def test_all_problems_of_one_document_at_once():
    text = POLICY.replace("spec:\n", "spec:\n  priority: x\n") + (
        "      clusterReplicas:\n        - {targetCluster: {}, minReplicas: 2, maxReplicas: 1}\n"
    )
    assert [e.split(":")[1].strip() for e in errors_of(text)] == [
        "spec.priority",
        "spec.placement.replicaScheduling.weights[1].weight",
        "spec.placement.replicaScheduling.clusterReplicas[0].maxReplicas",
    ]


def test_a_structural_error_is_not_repeated_by_the_semantic_checks():
    text = (
        "apiVersion: kfed.io/v1alpha1\nkind: Cluster\nmetadata: {name: e}\n"
        "spec: {capacity: {cpu: true, memory: 1Gi}}\n"
    )
    assert errors_of(text) == [
        "t.yaml: spec.capacity.cpu: must be a string or a number, got true (line 4, Cluster e)"
    ]


def test_several_files_sorted_by_file_then_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    os.mkdir("conf")
    with open("conf/b.yaml", "w") as f:
        f.write(POLICY)
    with open("conf/a.yaml", "w") as f:
        f.write(CLUSTERS.replace("nodes: 2", "nodes: 0").replace("replicas: 4", "replicas: -4"))
    assert load_errors(["conf/b.yaml", "conf/a.yaml"]) == [
        "conf/a.yaml: spec.nodes: must be >= 1, got 0 (line 4, Cluster east)",
        "conf/a.yaml: spec.replicas: must be >= 0, got -4 (line 14, Deployment default/web)",
        "conf/b.yaml: spec.placement.replicaScheduling.weights[1].weight: must be >= 0, "
        "got -1 (line 13, PropagationPolicy default/web)",
    ]


def test_file_names_are_as_typed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.yaml").write_text(POLICY)
    (err,) = load_errors(["./p.yaml"])
    assert err.startswith("./p.yaml: ")


def test_missing_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert load_errors(["nope.yaml"]) == ["nope.yaml: file not found"]


def test_multi_file_load(tmp_path):
    (tmp_path / "clusters.yaml").write_text(CLUSTERS)
    (tmp_path / "policy.yaml").write_text(POLICY.replace("weight: -1", "weight: 1"))
    docs = load_documents([tmp_path / "clusters.yaml", tmp_path / "policy.yaml"])
    assert [c.name for c in docs.clusters] == ["east", "west"]
    assert [p.name for p in docs.policies] == ["web"]
    assert [w.key for w in docs.workloads] == ["Deployment/default/web"]
    desired = docs.desired()
    assert desired.policy_for(desired.workloads["Deployment/default/web"]).name == "web"
    assert len(docs.files) == 2


def test_the_same_file_twice_is_read_once(tmp_path):
    (tmp_path / "c.yaml").write_text(CLUSTERS)
    docs = load_documents([tmp_path / "c.yaml", tmp_path / "c.yaml"])
    assert len(docs.clusters) == 2


def test_duplicates_across_files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.yaml").write_text(CLUSTERS)
    (tmp_path / "b.yaml").write_text(CLUSTERS.split("---\n")[1])
    assert load_errors(["a.yaml", "b.yaml"]) == [
        "b.yaml: metadata.name: duplicate Cluster west (first at a.yaml line 6) "
        "(line 3, Cluster west)"
    ]


def test_same_name_in_other_namespaces_or_kinds_is_fine():
    text = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\n---\n"
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web, namespace: prod}\n---\n"
        "apiVersion: v1\nkind: Service\nmetadata: {name: web}\n"
    )
    assert len(load_text(text).workloads) == 3


def test_nothing_half_loaded(tmp_path):
    (tmp_path / "good.yaml").write_text(CLUSTERS)
    (tmp_path / "bad.yaml").write_text(POLICY)
    with pytest.raises(LoadError) as info:
        load_documents([tmp_path / "good.yaml", tmp_path / "bad.yaml"])
    assert isinstance(info.value, ValueError)
    assert len(info.value.errors) == 1
    assert "1 error" in str(info.value)


def test_keys_must_be_strings():
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  labels: {1: x, null: y}\n"
    assert errors_of(text) == [
        "t.yaml: metadata.labels: keys must be strings, got 1 (quote it: '1') "
        "(line 5, ConfigMap default/a)",
        "t.yaml: metadata.labels: keys must be strings, got null (quote it: 'null') "
        "(line 5, ConfigMap default/a)",
    ]


def test_not_utf8_and_directories(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bin.yaml").write_bytes(b"kind: a\nx: \xff\xfe")
    (tmp_path / "adir").mkdir()
    assert load_errors(["bin.yaml", "adir"]) == [
        "adir: is a directory, not a file",
        "bin.yaml:2: not UTF-8 text: byte 0xFF at column 4",
    ]


def test_anchors_and_merge_keys():
    text = (
        "apiVersion: kfed.io/v1alpha1\nkind: Cluster\n"
        "metadata: {name: a, labels: &l {tier: one}, annotations: *l}\n"
        "spec: {<<: {region: eu, zone: x}, zone: z}\n"
    )
    (c,) = load_text(text).clusters
    assert (c.labels, c.region, c.zone) == ({"tier": "one"}, "eu", "z")
