"""Structural validation: one document against its kind's JSON Schema (Draft 2020-12), with
jsonschema's errors reworded the kfed way ("must be >= 0, got -1", "unknown field 'foo'")."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

from federation.api.errors import Path, show
from federation.api.schema import DEFS, PATTERNS, kind_schema

if TYPE_CHECKING:
    from jsonschema import ValidationError

_TYPE_NAMES = {
    "integer": "an integer",
    "number": "a number",
    "string": "a string",
    "boolean": "true or false",
    "object": "a mapping",
    "array": "a list",
    "null": "null",
}


def _is_integer(_checker: Any, instance: Any) -> bool:
    # YAML `3.0` is a float: an integer field wants an int, as Kubernetes does
    return isinstance(instance, int) and not isinstance(instance, bool)


def _is_number(_checker: Any, instance: Any) -> bool:
    # .inf and .nan are YAML floats, but no count, duration or quantity
    if isinstance(instance, float):
        return math.isfinite(instance)
    return _is_integer(_checker, instance)


def _inline(node: Any) -> Any:
    """`node` with every `{"$ref": "#/$defs/X"}` replaced by X itself: kfed's schema has no
    recursive definitions, and a validator that never resolves a reference is several times
    faster than one that looks each up."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            rest = {k: v for k, v in node.items() if k != "$ref"}
            return {**_inline(DEFS[ref.removeprefix("#/$defs/")]), **_inline(rest)}
        return {k: _inline(v) for k, v in node.items() if k != "$defs"}
    if isinstance(node, list):
        return [_inline(v) for v in node]
    return node


@cache
def _validator_class() -> Any:
    # imported on first use: `import federation.api.loader` stays cheap
    from jsonschema import Draft202012Validator, validators

    types = Draft202012Validator.TYPE_CHECKER.redefine_many(
        {"integer": _is_integer, "number": _is_number}
    )
    return validators.extend(Draft202012Validator, type_checker=types)


@cache
def validator(kind: str) -> Any:
    """The validator of one kind, built once per process. The schema itself is checked against
    the Draft 2020-12 meta-schema by the test suite (tests/api/test_schema.py), not here: that
    check cost a second on every load."""
    schema = _inline(kind_schema(kind))
    schema.pop("$schema", None)
    return _validator_class()(schema)


_OTHER: dict[str, Any] = {}


def errors_against(key: str, schema: Mapping[str, Any], doc: Any) -> list[tuple[Path, str]]:
    """`structure_errors` against a schema of another project's kind (`key` names it for the
    cache; `schema` may use kfed's definitions by reference)."""
    v = _OTHER.get(key)
    if v is None:
        v = _OTHER[key] = _validator_class()(_inline(dict(schema)))
    out: list[tuple[Path, str]] = []
    seen: set[tuple[Path, str]] = set()
    for e in v.iter_errors(doc):
        for item in _reword(e):
            if item not in seen:
                seen.add(item)
                out.append(item)
    return out


def _either(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def _reword(e: ValidationError) -> Iterator[tuple[Path, str]]:
    """(path, message) pairs for one jsonschema error; unknown keywords keep jsonschema's text."""
    path: Path = tuple(e.absolute_path)
    kw, want, got = e.validator, e.validator_value, e.instance
    if kw == "required" and isinstance(got, Mapping):
        for name in want:
            if name not in got:
                yield path, f"missing required field {name!r}"
    elif kw == "additionalProperties" and isinstance(got, Mapping):
        known = e.schema.get("properties", {}) if isinstance(e.schema, Mapping) else {}
        for name in got:
            if name not in known and isinstance(name, str):  # others: "keys must be strings"
                yield (*path, name), f"unknown field {name!r}"
    elif kw == "type":
        names = [want] if isinstance(want, str) else list(want)
        if isinstance(got, float) and not math.isfinite(got) and "number" in names:
            yield path, f"must be a finite number, got {show(got)}"
        else:
            wanted = _either([_TYPE_NAMES.get(n, n) for n in names])
            yield path, f"must be {wanted}, got {show(got)}"
    elif kw == "enum":
        yield path, f"must be one of {', '.join(str(v) for v in want)}, got {show(got)}"
    elif kw == "const":
        yield path, f"must be {show(want)}, got {show(got)}"
    elif kw == "minimum":
        yield path, f"must be >= {want}, got {show(got)}"
    elif kw == "maximum":
        yield path, f"must be <= {want}, got {show(got)}"
    elif kw == "exclusiveMinimum":
        yield path, f"must be > {want}, got {show(got)}"
    elif kw == "minItems":
        what = "must not be empty" if want == 1 else f"must have at least {want} items"
        yield path, what
    elif kw == "minLength":
        yield path, "must not be empty" if want == 1 else f"must be at least {want} characters"
    elif kw == "maxLength":
        yield path, f"must be at most {want} characters, got {show(got)}"
    elif kw == "maxItems":
        yield path, f"must have at most {want} items, got {len(got)}"
    elif kw == "pattern":
        yield path, f"must be {PATTERNS.get(want, f'match {want}')}, got {show(got)}"
    elif kw in ("minProperties", "maxProperties") and isinstance(got, Mapping):
        keys = ", ".join(str(k) for k in got) or "none"
        yield path, f"must have exactly one key, got {len(got)} ({keys})"
    else:  # pragma: no cover - every keyword our schema uses is handled above
        yield path, e.message


def structure_errors(kind: str, doc: Mapping[str, Any]) -> list[tuple[Path, str]]:
    """Every structural problem of `doc` (a document of `kind`), in document order, deduplicated.

    `(path, message)`: the path is where the bad value sits; for an unknown field, the field
    itself; for a missing field, the mapping that lacks it.
    """
    out: list[tuple[Path, str]] = []
    seen: set[tuple[Path, str]] = set()
    for e in validator(kind).iter_errors(doc):
        for item in _reword(e):
            if item not in seen:
                seen.add(item)
                out.append(item)
    return out
