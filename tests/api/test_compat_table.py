"""docs/compat.md's field table is the kinds' own rows, current; each row is well formed and
every status and note means something."""

from __future__ import annotations

from pathlib import Path

from federation.api.compat import kinds
from federation.api.compat.fields import STATUSES, Field, parts, present, schema
from federation.api.compat.table import BEGIN, END, counts, markdown, update

DOC = Path(__file__).resolve().parents[2] / "docs" / "compat.md"


def test_docs_compat_md_holds_the_current_table() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert BEGIN in text and END in text
    assert update(DOC, text) == text, (
        'regenerate: python -c "from federation.api.compat.table import update; '
        "update('docs/compat.md')\""
    )


def test_every_row_is_well_formed() -> None:
    for k in kinds().values():
        paths = [f.path for f in k.fields]
        assert len(paths) == len(set(paths)), k.kind
        for f in k.fields:
            assert f.status in STATUSES
            assert f.status == "exact" or f.note, f"{k.kind} {f.path}: say how or why"
            # a row is a leaf: no other row lies below it
            below = [
                p for p in paths if p != f.path and parts(p)[: len(parts(f.path))] == parts(f.path)
            ]
            assert not below, (k.kind, f.path, below)


def test_the_share_counts_every_row_once() -> None:
    c = counts()
    assert set(c) <= set(STATUSES)
    assert sum(c.values()) > 200
    assert f"**{sum(c.values())} fields**" in markdown()


def test_present_finds_each_row_with_its_concrete_path() -> None:
    fields = (
        Field("spec.a[].b", "exact", "", {}),
        Field("spec.c", "not simulated", "x", {}),
    )
    data = {"spec": {"a": [{"b": 1}, {"b": 2}], "c": {"deep": 1}}}
    found = [(p, f.path) for p, f in present(fields, data)]
    assert found == [
        (("spec", "a", 0, "b"), "spec.a[].b"),
        (("spec", "a", 1, "b"), "spec.a[].b"),
        (("spec", "c"), "spec.c"),
    ]
    s = schema(fields)
    assert s["properties"]["spec"]["additionalProperties"] is False
    item = s["properties"]["spec"]["properties"]["a"]["items"]
    assert set(item["properties"]) == {"b"}


def test_the_readme_gives_the_tables_share() -> None:
    c = counts()
    n = sum(c.values())
    covered = c["exact"] + c["approximated"]
    readme = (DOC.parents[1] / "README.md").read_text(encoding="utf-8")
    said = (
        f"Of the {n} fields in the table, {covered}\n({covered / n:.0%}) are covered, "
        f"{c['exact']} ({c['exact'] / n:.0%}) exactly."
    )
    assert " ".join(said.split()) in " ".join(readme.split())
