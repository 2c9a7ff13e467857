"""Load errors: one record per problem (file, line, YAML path, message) and the `LoadError` that
carries all of them, so a user fixes every mistake in one round instead of one per run."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

Path = tuple[str | int, ...]

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def format_path(path: Sequence[str | int]) -> str:
    """`("spec", "weights", 2, "weight")` -> `spec.weights[2].weight`; odd keys go in brackets
    (`metadata.labels['app.kubernetes.io/name']`)."""
    out = ""
    for part in path:
        if isinstance(part, int) and not isinstance(part, bool):
            out += f"[{part}]"
        elif isinstance(part, str) and _IDENT.match(part):
            out += f".{part}" if out else part
        else:  # a key YAML read as something else (1.5:, !!binary) is reported as such too
            out += f"[{show(part)}]"
    return out


def show(value: Any) -> str:
    """A value as error messages quote it: strings in quotes, everything else as YAML/JSON would
    write it (true, null, 1.5, [1, 2]), shortened when long."""
    if isinstance(value, str | bytes):
        text = repr(value)
    elif isinstance(value, bool) or value is None:
        text = json.dumps(value)
    elif isinstance(value, float) and not math.isfinite(value):
        text = ".nan" if value != value else (".inf" if value > 0 else "-.inf")
    elif isinstance(value, int) and value.bit_length() > 10_000:  # too long for repr()
        text = f"an integer of about {int(value.bit_length() * 0.30103)} digits"
    elif isinstance(value, int | float):
        text = repr(value)
    else:
        try:
            text = json.dumps(value, sort_keys=True, default=str)
        except (TypeError, ValueError):
            text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


@dataclass(frozen=True, order=True)
class Problem:
    """One error: where (file as the user typed it, 1-based line or 0) and what."""

    file: str
    line: int
    path: str
    message: str
    where: str = ""  # "PropagationPolicy default/web"
    syntax: bool = False  # a YAML syntax error: `file:line: message`

    def __str__(self) -> str:
        if self.syntax:
            return f"{self.file}:{self.line}: {self.message}"
        head = (
            f"{self.file}: {self.path}: {self.message}"
            if self.path
            else (f"{self.file}: {self.message}")
        )
        tail = ", ".join(x for x in (f"line {self.line}" if self.line else "", self.where) if x)
        return f"{head} ({tail})" if tail else head


class LoadError(ValueError):
    """The documents are invalid. `errors` lists every problem, sorted by file and line."""

    def __init__(
        self, problems: Iterable[Problem | str], warnings: Iterable[Problem | str] = ()
    ) -> None:
        items = list(problems)
        # what the load also warned about (not errors unless strict), formatted like errors
        self.warnings: list[str] = [str(w) for w in warnings]
        keyed = sorted((p if isinstance(p, Problem) else Problem("", 0, "", p)) for p in items)
        self.problems: list[Problem] = keyed
        self.errors: list[str] = [str(p) if p.file else p.message for p in keyed]
        n = len(self.errors)
        summary = f"{n} error{'s' if n != 1 else ''} in the documents"
        super().__init__(summary + ":\n" + "\n".join(self.errors))
