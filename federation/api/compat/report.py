"""What kfed made of another project's documents, field by field: each field present in each
document, with its status (mapped exactly, approximated, not simulated) and the note that says
how; the warnings the loader prints, and the report `kfed import` writes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from federation.api.compat.fields import STATUSES, Status
from federation.api.errors import Path, format_path


@dataclass(frozen=True)
class FieldNote:
    path: Path
    status: Status
    note: str
    warned: bool = True  # the loader says it again elsewhere when False

    def path_str(self) -> str:
        return format_path(self.path)


@dataclass
class DocReport:
    """One document of another project: where it is, what it is, what became of each field."""

    file: str
    line: int
    project: str  # "Karmada", "KubeFed"
    kind: str
    where: str  # "PropagationPolicy default/web"
    fields: list[FieldNote] = field(default_factory=list)
    becomes: list[str] = field(default_factory=list)  # the kfed documents made from it
    documents: list[Mapping[str, Any]] = field(default_factory=list)  # ... as data
    notes: list[str] = field(default_factory=list)  # what the document as a whole means

    def set(self, path: Path, status: Status, note: str, *, warned: bool = True) -> None:
        """Record (or replace) the status of the field at `path`."""
        self.fields = [f for f in self.fields if f.path != path]
        self.fields.append(FieldNote(path, status, note, warned))

    def counts(self) -> Counter[str]:
        return Counter(f.status for f in self.fields)

    def warnings(self) -> list[tuple[Path, str]]:
        """(path, message) of the warnings the loader prints for this document: one listing
        what is not simulated, one saying how each approximated field is approximated."""
        out: list[tuple[Path, str]] = []
        ordered = sorted(self.fields, key=lambda f: format_path(f.path))
        lost = [f for f in ordered if f.status == "not simulated" and f.warned]
        if lost:
            by_note: dict[str, list[str]] = {}
            for f in lost:
                by_note.setdefault(f.note, []).append(format_path(f.path) or "the document")
            listed = "; ".join(
                f"{', '.join(paths)} ({note})" if note else ", ".join(paths)
                for note, paths in by_note.items()
            )
            out.append(((), f"not simulated (accepted, without effect in kfed): {listed}"))
        rough: dict[str, list[FieldNote]] = {}
        for f in ordered:
            if f.status == "approximated" and f.warned:
                rough.setdefault(f.note, []).append(f)
        for note, fs in rough.items():
            if len(fs) == 1:
                out.append((fs[0].path, f"approximated: {note}"))
            else:
                paths = ", ".join(format_path(f.path) for f in fs)
                out.append(((), f"approximated: {paths}: {note}"))
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "project": self.project,
            "kind": self.kind,
            "document": self.where,
            "becomes": list(self.becomes),
            "notes": list(self.notes),
            "fields": [
                {"path": format_path(f.path), "status": f.status, "note": f.note}
                for f in sorted(self.fields, key=lambda f: (f.path_str(), f.status))
            ],
        }


def totals(reports: Iterable[DocReport]) -> dict[str, int]:
    c: Counter[str] = Counter()
    for r in reports:
        c.update(r.counts())
    return {s: c.get(s, 0) for s in STATUSES}


def text(
    reports: Sequence[DocReport],
    written: Mapping[str, str] | None = None,
    scenarios: Sequence[str] = (),
) -> str:
    """The report `kfed import` writes: per document, each field and what became of it;
    `scenarios` are paragraphs about running the imported documents in a Scenario."""
    lines = ["# kfed import report", ""]
    t = totals(reports)
    n = sum(t.values())
    lines.append(
        f"{len(reports)} document(s), {n} field(s): {t['exact']} mapped exactly, "
        f"{t['approximated']} approximated, {t['not simulated']} not simulated"
    )
    for r in reports:
        lines += ["", f"## {r.file}:{r.line}: {r.project} {r.where}"]
        if r.becomes:
            lines.append(f"becomes: {', '.join(r.becomes)}")
        lines += [f"note: {n}" for n in r.notes]
        if not r.fields:
            lines.append("(no fields)")
        for f in sorted(r.fields, key=lambda f: format_path(f.path)):
            note = f" - {f.note}" if f.note else ""
            lines.append(f"- {format_path(f.path)}: {f.status}{note}")
    if scenarios:
        lines += ["", "## scenarios", ""]
        lines += [p for paragraph in scenarios for p in (paragraph, "")][:-1]
    if written:
        lines += ["", "## files written", ""]
        lines += [f"- {path}: {what}" for path, what in written.items()]
    return "\n".join(lines) + "\n"
