"""A scenario's `spec.resources`: the files that join its federation, each resolved (after
symlinks) inside the scenario file's folder unless the caller allows otherwise, a regular file
(a directory, FIFO or device is refused without being opened), and never the scenario itself."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Protocol

from federation.api.errors import show
from federation.api.files import refusal
from federation.api.source import SourceDoc


class Session(Protocol):
    """What including resources needs from the loader's session."""

    allow_outside: bool

    def read(self, shown: str, text: str | None = None) -> list[SourceDoc]: ...

    def error(self, doc: SourceDoc, path: tuple[str | int, ...], message: str) -> None: ...

    def warn(self, doc: SourceDoc, path: tuple[str | int, ...], message: str) -> None: ...


def _inside(folder: str, path: str) -> bool:
    try:
        return os.path.commonpath([folder, path]) == folder
    except ValueError:  # different drives
        return False


def _problem(rel: str, base: str, scenario_file: str, allow_outside: bool) -> str | None:
    """Why a scenario's resources entry `rel` cannot be read (None when it can): outside the
    scenario's folder, the scenario itself, missing, or not a regular file. Nothing is opened."""
    if not rel.isprintable():
        return f"must be a file name without control characters, got {show(rel)}"
    shown = os.path.normpath(os.path.join(base, rel))
    real = os.path.realpath(shown)
    if not allow_outside and not _inside(os.path.realpath(base or "."), real):
        return (
            f"must name a file inside the scenario's folder, got {show(rel)} "
            "(allow with --allow-outside-resources)"
        )
    if real == os.path.realpath(scenario_file):
        return f"names the scenario file itself, got {show(rel)}"
    why = refusal(shown)
    if why == "file not found":
        return f"file {rel!r} not found (looked for {shown})"
    return f"{show(rel)} {why}" if why else None


def include(s: Session, scenario: SourceDoc, docs: list[SourceDoc]) -> None:
    """Read the files a scenario's spec.resources names into its federation. Problems with an
    entry are reported at the entry (the scenario file, spec.resources[i]), and never quote the
    other file's text."""
    spec = scenario.data.get("spec")
    items = spec.get("resources") if isinstance(spec, Mapping) else None
    if not isinstance(items, list):
        return
    base = os.path.dirname(scenario.file)
    first: dict[str, int] = {}
    for i, rel in enumerate(items):
        if not isinstance(rel, str) or not rel:
            continue  # the schema check reports it
        at = ("spec", "resources", i)
        why = _problem(rel, base, scenario.file, s.allow_outside)
        if why is not None:
            s.error(scenario, at, why)
            continue
        shown = os.path.normpath(os.path.join(base, rel))
        real = os.path.realpath(shown)
        if real in first:
            s.warn(scenario, at, f"{show(rel)} is listed twice (also resources[{first[real]}])")
            continue
        first[real] = i
        for doc in s.read(shown):
            if isinstance(doc.data, Mapping) and doc.data.get("kind") == "Scenario":
                s.error(
                    scenario,
                    at,
                    f"{show(rel)} holds a Scenario (line {doc.line}); a resources file must not",
                )
            elif all(doc is not x for x in docs):
                docs.append(doc)
