"""The rows of Karmada's OverridePolicy and ClusterOverridePolicy: resource selectors, rules and
their overriders (plaintext, image, command, args, labels, annotations, field), and the
deprecated single-rule form."""

from __future__ import annotations

from federation.api.compat.fields import ANY, Field
from federation.api.compat.karmada_fields import META, OPERATOR, affinity, selectors
from federation.api.schema_parts import NAME, STR, STRMAP, array


def overriders(prefix: str) -> list[Field]:
    o = prefix
    same = "applied as Karmada applies it, in Karmada's order"
    return [
        Field(f"{o}.plaintext[].path", "exact", same, STR, required=True),
        Field(f"{o}.plaintext[].operator", "exact", same, OPERATOR, required=True),
        Field(f"{o}.plaintext[].value", "exact", same, ANY),
        Field(f"{o}.imageOverrider[].predicate.path", "exact", same, STR),
        Field(
            f"{o}.imageOverrider[].component",
            "exact",
            same,
            {"enum": ["Registry", "Repository", "Tag"]},
            required=True,
        ),
        Field(f"{o}.imageOverrider[].operator", "exact", same, OPERATOR, required=True),
        Field(f"{o}.imageOverrider[].value", "exact", same, STR),
        *[
            Field(f"{o}.{kind}[].{name}", "exact", same, schema, required=name != "value")
            for kind in ("commandOverrider", "argsOverrider")
            for name, schema in (
                ("containerName", NAME),
                ("operator", {"enum": ["add", "remove"]}),
                ("value", array(STR)),
            )
        ],
        *[
            Field(f"{o}.{kind}[].{name}", "exact", same, schema, required=name == "operator")
            for kind in ("labelsOverrider", "annotationsOverrider")
            for name, schema in (("operator", OPERATOR), ("value", STRMAP))
        ],
        Field(f"{o}.fieldOverrider[].fieldPath", "exact", same, STR, required=True),
        *[
            Field(
                f"{o}.fieldOverrider[].{fmt}[].{name}",
                "exact" if fmt == "json" else "approximated",
                same
                if fmt == "json"
                else "the YAML is written back with sorted keys in block style: the same data, "
                "laid out as kfed's YAML library writes it",
                schema,
                required=name != "value",
            )
            for fmt in ("json", "yaml")
            for name, schema in (("subPath", STR), ("operator", OPERATOR), ("value", ANY))
        ],
    ]


def override() -> tuple[Field, ...]:
    """The rows of OverridePolicy and ClusterOverridePolicy."""
    rule = "spec.overrideRules[]"
    return (
        META,
        *selectors("spec.resourceSelectors", required=True),
        *affinity(f"{rule}.targetCluster"),
        *overriders(f"{rule}.overriders"),
        *affinity("spec.targetCluster", note="deprecated form: one rule"),
        *overriders("spec.overriders"),
    )
