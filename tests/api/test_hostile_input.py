"""Hostile input: a table of broken files, each refused by `kfed validate` with exit 2 and one
clear message per problem (file, YAML path, bad value), no traceback, nothing written; plus
the limits that keep memory bounded (alias bombs, big files) and what must still load."""

from __future__ import annotations

import os
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from federation.api import load_text
from federation.cli import main

CM = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"
DEPLOY = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: %s}\n"
CLUSTER = "apiVersion: kfed.io/v1alpha1\nkind: Cluster\nmetadata: {name: east}\nspec: {%s}\n"
SCENARIO = "apiVersion: kfed.io/v1alpha1\nkind: Scenario\nmetadata: {name: s}\nspec:\n"
BOMB = (
    "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
    "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
    "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
    "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
    "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
    "h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
    "i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h, *h]\n"
)
MERGE_BOMB = (
    "a: &a {k0: 1, k1: 1, k2: 1, k3: 1, k4: 1, k5: 1, k6: 1, k7: 1, k8: 1, k9: 1}\n"
    + "".join(
        f"{n}: &{n} {{<<: [{', '.join([f'*{p}'] * 10)}]}}\n"
        for p, n in zip("abcdefgh", "bcdefghi", strict=True)
    )
)


def _nested_block(levels: int) -> str:
    return "".join("  " * i + "a:\n" for i in range(levels)) + "  " * levels + "b: 1\n"


def _deep_alias() -> str:
    inner = "[" * 40 + "1" + "]" * 40
    outer = "[" * 30 + "*x" + "]" * 30
    return f"x: &x {inner}\ny: {outer}\n"


# (id, files, the file validated, expected stderr lines; a line ending in "..." is a prefix)
Files = dict[str, bytes | str | Callable[[Path], None]]
CASES: list[tuple[str, Files, str, list[str]]] = [
    # ---------------------------------------------------------------- bytes and encodings
    (
        "nul byte",
        {"t.yaml": CM + "data: {k: a\x00b}\n"},
        "t.yaml",
        ["t.yaml:4: a NUL character at column 12 is not allowed"],
    ),
    (
        "escape byte",
        {"t.yaml": CM + "data: {k: \x1b[2J}\n"},
        "t.yaml",
        ["t.yaml:4: control character U+001B at column 11 is not allowed"],
    ),
    (
        "DEL byte",
        {"t.yaml": "kind: Config\x7fMap\n"},
        "t.yaml",
        ["t.yaml:1: control character U+007F at column 13 is not allowed"],
    ),
    (
        "C1 control",
        {"t.yaml": "kind: \u009bx\n"},
        "t.yaml",
        ["t.yaml:1: control character U+009B at column 7 is not allowed"],
    ),
    (
        "noncharacter U+FFFE",
        {"t.yaml": "kind: a\ufffe\n"},
        "t.yaml",
        ["t.yaml:1: character U+FFFE at column 8 is not allowed"],
    ),
    (
        "UTF-16 file",
        {"t.yaml": CM.encode("utf-16")},
        "t.yaml",
        [
            "t.yaml:1: not UTF-8 text: the file starts with a UTF-16 byte order mark (save it as "
            "UTF-8)"
        ],
    ),
    (
        "UTF-32 file",
        {"t.yaml": CM.encode("utf-32")},
        "t.yaml",
        [
            "t.yaml:1: not UTF-8 text: the file starts with a UTF-32 byte order mark (save it as "
            "UTF-8)"
        ],
    ),
    (
        "Latin-1 byte",
        {"t.yaml": CM.encode() + "data: {k: caf\xe9}\n".encode("latin-1")},
        "t.yaml",
        ["t.yaml:4: not UTF-8 text: byte 0xE9 at column 14"],
    ),
    (
        "truncated UTF-8",
        {"t.yaml": b"kind: \xc3\n"},
        "t.yaml",
        ["t.yaml:1: not UTF-8 text: byte 0xC3 at column 7"],
    ),
    (
        "encoded surrogate",
        {"t.yaml": b"kind: \xed\xa0\x80\n"},
        "t.yaml",
        ["t.yaml:1: not UTF-8 text: byte 0xED at column 7"],
    ),
    # ---------------------------------------------------------------- empty and odd streams
    ("empty file", {"t.yaml": b""}, "t.yaml", ["t.yaml: no YAML documents"]),
    ("only comments", {"t.yaml": "# a\n# b\n"}, "t.yaml", ["t.yaml: no YAML documents"]),
    ("only separators", {"t.yaml": "---\n---\n...\n"}, "t.yaml", ["t.yaml: no YAML documents"]),
    (
        "a text file",
        {"t.yaml": "just some words\n"},
        "t.yaml",
        ["t.yaml: a document must be a mapping, got a string (line 1)"],
    ),
    (
        "a number",
        {"t.yaml": "42\n"},
        "t.yaml",
        ["t.yaml: a document must be a mapping, got a number (line 1)"],
    ),
    (
        "tab indentation",
        {"t.yaml": "kind:\n\t- a\n"},
        "t.yaml",
        ["t.yaml:2: found character '\\t' that cannot start any token"],
    ),
    ("unclosed flow", {"t.yaml": CM + "data: {k: [v\n"}, "t.yaml", ["t.yaml:5: ..."]),
    # ---------------------------------------------------------------- shape limits
    (
        "deep flow nesting",
        {"t.yaml": "k: " + "[" * 100 + "]" * 100 + "\n"},
        "t.yaml",
        ["t.yaml:1: nested deeper than 64 levels, kfed's limit"],
    ),
    (
        "deep block nesting",
        {"t.yaml": _nested_block(100)},
        "t.yaml",
        ["t.yaml:65: nested deeper than 64 levels, kfed's limit"],
    ),
    (
        "deep nesting inside a template",
        {"t.yaml": DEPLOY % 1 + "status: " + "{a: " * 70 + "1" + "}" * 70 + "\n"},
        "t.yaml",
        ["t.yaml:5: nested deeper than 64 levels, kfed's limit"],
    ),
    (
        "alias nests too deep",
        {"t.yaml": _deep_alias()},
        "t.yaml",
        ["t.yaml:2: an alias nests deeper than 64 levels here"],
    ),
    (
        "billion laughs",
        {"t.yaml": BOMB},
        "t.yaml",
        ["t.yaml:6: document has more than 200,000 nodes (aliases counted in full), kfed's limit"],
    ),
    (
        "merge-key bomb",
        {"t.yaml": MERGE_BOMB},
        "t.yaml",
        ["t.yaml:5: document has more than 200,000 nodes (aliases counted in full), kfed's limit"],
    ),
    (
        "recursive alias",
        {"t.yaml": "a: &x [1, *x]\n"},
        "t.yaml",
        ["t.yaml:1: alias 'x' refers to a node that holds it"],
    ),
    (
        "undefined alias",
        {"t.yaml": CM + "data: *nope\n"},
        "t.yaml",
        ["t.yaml:4: found undefined alias 'nope'"],
    ),
    (
        "merge of a scalar",
        {"t.yaml": CM + "data: {<<: 5}\n"},
        "t.yaml",
        ["t.yaml:4: expected a mapping or list of mappings for merging, but found scalar"],
    ),
    (
        "file too big",
        {"t.yaml": CM + "data: {k: '" + "x" * (4 * 1024 * 1024) + "'}\n"},
        "t.yaml",
        ["t.yaml: larger than 4 MiB, kfed's limit"],
    ),
    # ---------------------------------------------------------------- keys
    (
        "duplicate keys",
        {"t.yaml": CM + "kind: Secret\n"},
        "t.yaml",
        ["t.yaml: kind: duplicate key 'kind' (first at line 2) (line 4, Secret default/a)"],
    ),
    (
        "integer key",
        {"t.yaml": CM + "data: {1: a}\n"},
        "t.yaml",
        ["t.yaml: data: keys must be strings, got 1 (quote it: '1') (line 4, ConfigMap default/a)"],
    ),
    (
        "null key",
        {"t.yaml": CM + "data: {null: a}\n"},
        "t.yaml",
        [
            "t.yaml: data: keys must be strings, got null (quote it: 'null') (line 4, ConfigMap "
            "default/a)"
        ],
    ),
    (
        "float key where a field is expected",
        {"t.yaml": CLUSTER.replace("{name: east}", "{name: east, 1.5: x}") % ""},
        "t.yaml",
        [
            "t.yaml: metadata: keys must be strings, got 1.5 (quote it: '1.5') (line 3, Cluster "
            "east)"
        ],
    ),
    (
        "binary key",
        {"t.yaml": CLUSTER.replace("{name: east}", "{name: east, !!binary aGk=: x}") % ""},
        "t.yaml",
        [
            "t.yaml: metadata: keys must be strings, got b'hi' (quote it: 'b'hi'') (line 3, "
            "Cluster east)"
        ],
    ),
    (
        "list as key",
        {"t.yaml": CM + "data: {? [a]: b}\n"},
        "t.yaml",
        ["t.yaml:4: found unhashable key"],
    ),
    # ---------------------------------------------------------------- numbers
    (
        "replicas 10^30",
        {"t.yaml": DEPLOY % (10**30)},
        "t.yaml",
        [
            "t.yaml: spec.replicas: must be <= 2147483647, got 1000000000000000000000000000000 "
            "(line 4, Deployment default/web)"
        ],
    ),
    (
        "replicas of 5000 digits",
        {"t.yaml": DEPLOY % ("9" * 5000)},
        "t.yaml",
        [
            "t.yaml:4: cannot read this value: Exceeds the limit (4300 digits) for integer string "
            "conversion"
        ],
    ),
    (
        "negative replicas",
        {"t.yaml": DEPLOY % -1},
        "t.yaml",
        ["t.yaml: spec.replicas: must be >= 0, got -1 (line 4, Deployment default/web)"],
    ),
    (
        "replicas .nan",
        {"t.yaml": DEPLOY % ".nan"},
        "t.yaml",
        ["t.yaml: spec.replicas: must be an integer, got .nan (line 4, Deployment default/web)"],
    ),
    (
        "nodes 10^30",
        {"t.yaml": CLUSTER % f"nodes: {10**30}"},
        "t.yaml",
        [
            "t.yaml: spec.nodes: must be <= 5000, got 1000000000000000000000000000000 (line 4, "
            "Cluster east)"
        ],
    ),
    (
        "pods beyond the limit",
        {"t.yaml": CLUSTER % "capacity: {cpu: 1, memory: 1, pods: 10000000}"},
        "t.yaml",
        ["t.yaml: spec.capacity.pods: must be <= 550000, got 10000000 (line 4, Cluster east)"],
    ),
    (
        "cpu 1e400",
        {"t.yaml": CLUSTER % "capacity: {cpu: '1e400', memory: 1}"},
        "t.yaml",
        ["t.yaml: spec.capacity.cpu: must be <= 1e+07 cores, got '1e400' (line 4, Cluster east)"],
    ),
    (
        "cpu .inf",
        {"t.yaml": CLUSTER % "capacity: {cpu: .inf, memory: 1}"},
        "t.yaml",
        ["t.yaml: spec.capacity.cpu: must be a finite number, got .inf (line 4, Cluster east)"],
    ),
    (
        "quantity with a huge exponent",
        {"t.yaml": CLUSTER % "capacity: {cpu: 1, memory: 1e99999999999}"},
        "t.yaml",
        [
            "t.yaml: spec.capacity.memory: must be a Kubernetes quantity like '500m' or '1Gi', got "
            "'1e99999999999' (line 4, Cluster east)"
        ],
    ),
    (
        "cost -.inf",
        {"t.yaml": CLUSTER % "costPerCpuHour: -.inf"},
        "t.yaml",
        ["t.yaml: spec.costPerCpuHour: must be a finite number, got -.inf (line 4, Cluster east)"],
    ),
    (
        "port 70000",
        {
            "t.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n"
            "spec: {ports: [{port: 70000}]}\n"
        },
        "t.yaml",
        ["t.yaml: spec.ports[0].port: must be <= 65535, got 70000 (line 4, Service default/s)"],
    ),
    (
        "containerPort 0",
        {
            "t.yaml": DEPLOY.replace(
                "{replicas: %s}",
                "{template: {spec: {containers: [{ports: [{containerPort: 0}]}]}}}",
            )
        },
        "t.yaml",
        [
            "t.yaml: spec.template.spec.containers[0].ports[0].containerPort: must be >= 1, got 0 "
            "(line 4, Deployment default/web)"
        ],
    ),
    (
        "priority beyond int32",
        {
            "t.yaml": "apiVersion: kfed.io/v1alpha1\nkind: "
            "PropagationPolicy\nmetadata: {name: p}\nspec: {priority: "
            "4294967296, resourceSelectors: [{kind: Deployment}]}\n"
        },
        "t.yaml",
        [
            "t.yaml: spec.priority: must be <= 2147483647, got 4294967296 (line 4, "
            "PropagationPolicy "
            "default/p)"
        ],
    ),
    (
        "seed beyond int64",
        {"t.yaml": SCENARIO + f"  seed: {2**70}\n"},
        "t.yaml",
        [
            "t.yaml: spec.seed: must be <= 9223372036854775807, got 1180591620717411303424 "
            "(line 5, Scenario s)"
        ],
    ),
    (
        "duration .nan",
        {"t.yaml": SCENARIO + "  duration: .nan\n"},
        "t.yaml",
        ["t.yaml: spec.duration: must be a finite number, got .nan (line 5, Scenario s)"],
    ),
    (
        "duration of a century",
        {"t.yaml": SCENARIO + "  duration: 876000h\n"},
        "t.yaml",
        [
            "t.yaml: spec.duration: must be <= 30 days (2592000s), got '876000h' (line 5, Scenario "
            "s)"
        ],
    ),
    (
        "probe every microsecond",
        {"t.yaml": SCENARIO + "  health: {probePeriod: 0.000001}\n"},
        "t.yaml",
        ["t.yaml: spec.health.probePeriod: must be >= 1ms, got 1e-06 (line 5, Scenario s)"],
    ),
    (
        "sigma 1e6",
        {
            "t.yaml": SCENARIO + "  sim: {apiLatency: {distribution: lognormal, "
            "median: 1s, sigma: 1000000}}\n"
        },
        "t.yaml",
        ["t.yaml: spec.sim.apiLatency.sigma: must be <= 10.0, got 1000000 (line 5, Scenario s)"],
    ),
    (
        "date that does not exist",
        {"t.yaml": CM + "data: {k: 2020-13-45}\n"},
        "t.yaml",
        ["t.yaml:4: cannot read this value: month must be in 1..12"],
    ),
    # ---------------------------------------------------------------- strings
    (
        "name of 300 characters",
        {"t.yaml": CM.replace("name: a", "name: " + "a" * 300)},
        "t.yaml",
        [
            f"t.yaml: metadata.name: must be at most 253 characters, got '{'a' * 56}... (line 3, "
            f"ConfigMap default/'{'a' * 56}...)"
        ],
    ),
    (
        "terminal escape in a name",
        {"t.yaml": CLUSTER.replace("name: east", 'name: "\\e[2J"') % ""},
        "t.yaml",
        [
            "t.yaml: metadata.name: must be a DNS label (lowercase letters, digits and "
            "'-', at most "
            "63), got '\\x1b[2J' (line 3, Cluster '\\x1b[2J')"
        ],
    ),
    # ---------------------------------------------------------------- wrong types
    (
        "kind is a list",
        {"t.yaml": "kind: [a]\n"},
        "t.yaml",
        ['t.yaml: kind: must be a kind name, got ["a"] (line 1)'],
    ),
    (
        "metadata is a string",
        {"t.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: x\n"},
        "t.yaml",
        ["t.yaml: metadata: must be a mapping, got 'x' (line 3, ConfigMap)"],
    ),
    (
        "replicas is a string",
        {"t.yaml": DEPLOY % "'3'"},
        "t.yaml",
        ["t.yaml: spec.replicas: must be an integer, got '3' (line 4, Deployment default/web)"],
    ),
    (
        "weight is a float",
        {
            "t.yaml": "apiVersion: kfed.io/v1alpha1\nkind: PropagationPolicy\n"
            "metadata: {name: p}\nspec:\n  resourceSelectors: [{kind: Job}]\n"
            "  placement: {replicaScheduling: {weights: [{targetCluster: {}, "
            "weight: 1.5}]}}\n"
        },
        "t.yaml",
        [
            "t.yaml: spec.placement.replicaScheduling.weights[0].weight: must be an "
            "integer, got 1.5 "
            "(line 6, PropagationPolicy default/p)"
        ],
    ),
    (
        "taints is a mapping",
        {"t.yaml": CLUSTER % "taints: {a: b}"},
        "t.yaml",
        ['t.yaml: spec.taints: must be a list, got {"a": "b"} (line 4, Cluster east)'],
    ),
    (
        "timeline is a mapping",
        {"t.yaml": SCENARIO + "  timeline: {at: 1}\n"},
        "t.yaml",
        ['t.yaml: spec.timeline: must be a list, got {"at": 1} (line 5, Scenario s)'],
    ),
    (
        "expectation is a number",
        {"t.yaml": SCENARIO + "  expectations: [{availability: 5}]\n"},
        "t.yaml",
        [
            "t.yaml: spec.expectations[0].availability: must be a mapping, got 5 (line 5, Scenario "
            "s)"
        ],
    ),
    (
        "resources entry is a number",
        {"t.yaml": SCENARIO + "  resources: [1]\n"},
        "t.yaml",
        ["t.yaml: spec.resources[0]: must be a string, got 1 (line 5, Scenario s)"],
    ),
    # ---------------------------------------------------------------- scenario references
    (
        "load surge to 10^30",
        {
            "t.yaml": SCENARIO + "  timeline: [{at: 1, fault: load-surge, "
            f"workload: web, replicas: {10**30}}}]\n---\n" + DEPLOY % 1
        },
        "t.yaml",
        [
            "t.yaml: spec.timeline[0].replicas: must be <= 2147483647, got "
            "1000000000000000000000000000000 (line 5, Scenario s)"
        ],
    ),
    (
        "expectation after the run's end",
        {
            "t.yaml": SCENARIO + "  duration: 30\n  expectations:"
            " [{replicasOn: {workload: web, cluster: east, at: "
            "9999s, min: 1}}]\n---\n" + DEPLOY % 1 + "---\n" + CLUSTER % ""
        },
        "t.yaml",
        [
            "t.yaml: spec.expectations[0].replicasOn.at: 9999s is at or after the run's end (30s) "
            "(line 6, Scenario s)"
        ],
    ),
    # ---------------------------------------------------------------- files and resources
    ("a directory", {"d": lambda p: (p / "d").mkdir()}, "d", ["d: is a directory, not a file"]),
    ("a missing file", {}, "nope.yaml", ["nope.yaml: file not found"]),
    ("a device", {}, os.devnull, [f"{os.devnull}: is a device, not a regular file"]),
    (
        "a FIFO",
        {"f.yaml": lambda p: os.mkfifo(p / "f.yaml")},
        "f.yaml",
        ["f.yaml: is a named pipe (FIFO), not a regular file"],
    ),
    (
        "resources: itself",
        {"s.yaml": SCENARIO + "  resources: [s.yaml]\n"},
        "s.yaml",
        [
            "s.yaml: spec.resources[0]: names the scenario file itself, got 's.yaml' (line 5, "
            "Scenario s)"
        ],
    ),
    (
        "resources: ./itself",
        {"s.yaml": SCENARIO + "  resources: [./x/../s.yaml]\n", "x": lambda p: (p / "x").mkdir()},
        "s.yaml",
        [
            "s.yaml: spec.resources[0]: names the scenario file itself, got "
            "'./x/../s.yaml' (line 5, "
            "Scenario s)"
        ],
    ),
    (
        "a cycle of resources",
        {
            "s.yaml": SCENARIO + "  resources: [b.yaml]\n",
            "b.yaml": SCENARIO.replace("name: s", "name: b") + "  resources: [s.yaml]\n",
        },
        "s.yaml",
        [
            "s.yaml: spec.resources[0]: 'b.yaml' holds a Scenario (line 1); a resources file must "
            "not (line 5, Scenario s)"
        ],
    ),
    (
        "resources: a directory",
        {"s.yaml": SCENARIO + "  resources: [sub]\n", "sub": lambda p: (p / "sub").mkdir()},
        "s.yaml",
        ["s.yaml: spec.resources[0]: 'sub' is a directory, not a file (line 5, Scenario s)"],
    ),
    (
        "resources: a FIFO",
        {"s.yaml": SCENARIO + "  resources: [pipe]\n", "pipe": lambda p: os.mkfifo(p / "pipe")},
        "s.yaml",
        [
            "s.yaml: spec.resources[0]: 'pipe' is a named pipe (FIFO), not a regular file (line 5, "
            "Scenario s)"
        ],
    ),
    (
        "resources: ../../etc/passwd",
        {"s.yaml": SCENARIO + "  resources: [../../../etc/passwd]\n"},
        "s.yaml",
        [
            "s.yaml: spec.resources[0]: must name a file inside the scenario's folder, got "
            "'../../../etc/passwd' (allow with --allow-outside-resources) (line 5, Scenario s)"
        ],
    ),
    (
        "resources: an absolute path",
        {"s.yaml": SCENARIO + "  resources: [/etc/passwd]\n"},
        "s.yaml",
        [
            "s.yaml: spec.resources[0]: must name a file inside the scenario's folder, got "
            "'/etc/passwd' (allow with --allow-outside-resources) (line 5, Scenario s)"
        ],
    ),
    (
        "resources: a symlink out",
        {
            "s.yaml": SCENARIO + "  resources: [link.yaml]\n",
            "link.yaml": lambda p: (p / "link.yaml").symlink_to("/etc/hosts"),
        },
        "s.yaml",
        [
            "s.yaml: spec.resources[0]: must name a file inside the scenario's folder, got "
            "'link.yaml' (allow with --allow-outside-resources) (line 5, Scenario s)"
        ],
    ),
    (
        "resources: a NUL in the name",
        {"s.yaml": SCENARIO + '  resources: ["a\\0b"]\n'},
        "s.yaml",
        [
            "s.yaml: spec.resources[0]: must be a file name without control characters, "
            "got 'a\\x00b'"
            " (line 5, Scenario s)"
        ],
    ),
    (
        "resources: a secrets file",
        {"s.yaml": SCENARIO + "  resources: [.env]\n", ".env": "PASSWORD=hunter2\n"},
        "s.yaml",
        [".env: a document must be a mapping, got a string (line 1)"],
    ),
    (
        "resources: not YAML",
        {
            "s.yaml": SCENARIO + "  resources: [key.pem]\n",
            "key.pem": "secret: [hunter2\nsecret2: hunter3 : x\n",
        },
        "s.yaml",
        ["key.pem:2: ..."],
    ),
]


def _make(tmp_path: Path, files: Files) -> None:
    for name, content in files.items():
        if callable(content):
            content(tmp_path)
        elif isinstance(content, bytes):
            (tmp_path / name).write_bytes(content)
        else:
            (tmp_path / name).write_text(content, encoding="utf-8")


def _tree(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root)): p.lstat().st_mtime_ns for p in root.rglob("*")}


@pytest.mark.parametrize(
    ("files", "target", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_broken_file_is_refused(tmp_path, monkeypatch, capsys, files, target, expected):
    monkeypatch.chdir(tmp_path)
    _make(tmp_path, files)
    before = _tree(tmp_path)
    assert main(["validate", target]) == 2
    out = capsys.readouterr()
    lines = out.err.splitlines()
    assert out.out == ""
    assert "Traceback" not in out.err and "hunter" not in out.err
    assert len(lines) == len(expected), lines
    for line, want in zip(lines, expected, strict=True):
        if want.endswith("..."):
            assert line.startswith(want[:-3]), line
        else:
            assert line == want
    assert _tree(tmp_path) == before  # nothing written


def test_the_table_is_big_enough():
    assert len(CASES) >= 40


def test_allow_outside_lets_resources_out(tmp_path, monkeypatch, capsys):
    (tmp_path / "shared").mkdir()
    (tmp_path / "exp").mkdir()
    (tmp_path / "shared" / "c.yaml").write_text(CLUSTER % "region: eu")
    (tmp_path / "exp" / "s.yaml").write_text(SCENARIO + "  resources: [../shared/c.yaml]\n")
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "exp/s.yaml"]) == 2
    assert "inside the scenario's folder" in capsys.readouterr().err
    assert main(["validate", "--allow-outside-resources", "exp/s.yaml"]) == 0


def test_alias_bomb_is_refused_fast_in_bounded_memory():
    """Nine levels of ten aliases: 10**9 nodes if expanded. Refused by arithmetic on the event
    stream, so peak memory stays tiny (no wall-clock assertion: memory is the proof)."""
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match="more than 200,000 nodes"):
            load_text(BOMB, "bomb.yaml")
        with pytest.raises(ValueError, match="more than 200,000 nodes"):
            load_text(MERGE_BOMB, "merge.yaml")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 100 * 1024 * 1024
    assert peak < 5 * 1024 * 1024  # in fact: the bomb is never expanded at all


def test_a_file_of_many_small_documents_hits_the_file_limit():
    text = "---\n".join(
        "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: [" + ", ".join(["*a"] * 1000) + "]\n"
        for _ in range(110)
    )
    with pytest.raises(ValueError, match="file has more than 1,000,000 nodes"):
        load_text(text, "many.yaml")


def test_a_one_mebibyte_document_still_loads():
    body = "".join(
        f"  key-{i:05d}: {'v' * 40}\n" for i in range(20_000)
    )  # ~1 MiB of ConfigMap data, 40,000 nodes
    text = CM + "data:\n" + body + "---\n" + DEPLOY % 3
    assert len(text.encode()) > 1024 * 1024
    docs = load_text(text, "big.yaml")
    assert len(docs.workloads) == 2
    assert len(docs.workloads[0].manifest["data"]) == 20_000


def test_deep_but_legal_nesting_loads():
    status = "{a: " * 60 + "1" + "}" * 60
    docs = load_text(DEPLOY % 1 + f"status: {status}\n", "deep.yaml")
    node = docs.workloads[0].manifest["status"]
    depth = 0
    while isinstance(node, dict):
        node, depth = node["a"], depth + 1
    assert depth == 60
