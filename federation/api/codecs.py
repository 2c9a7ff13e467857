"""How a fieldOverrider reads and writes the JSON or YAML document embedded in a string field
(as Karmada does: JSON compact, YAML block style with sorted keys); a decoding failure is a
ValueError, as the core expects."""

from __future__ import annotations

import json
from typing import Any

import yaml


def load_json(text: str) -> Any:
    return json.loads(text)  # json.JSONDecodeError is a ValueError


def dump_json(doc: Any) -> str:
    return json.dumps(doc, separators=(",", ":"), sort_keys=True)


def load_yaml(text: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise ValueError(str(e).splitlines()[0]) from None


def dump_yaml(doc: Any) -> str:
    text: str = yaml.safe_dump(doc, sort_keys=True, default_flow_style=False)
    return text


CODECS = {"json": (load_json, dump_json), "yaml": (load_yaml, dump_yaml)}
