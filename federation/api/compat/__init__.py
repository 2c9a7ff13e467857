"""Documents of other federation projects read as kfed documents, with those projects' meanings
and defaults: Karmada (policy.karmada.io, cluster.karmada.io, apps.karmada.io) and KubeFed v2
(types.kubefed.io, scheduling.kubefed.io, core.kubefed.io).

`translate` turns the documents of one federation into kfed's: each foreign document is checked
against its kind's fields (`karmada_fields`, `kubefed_fields`), then becomes zero or more kfed
documents (`karmada`, `kubefed`) that remember where each part came from, so any later problem
names the original file, path and line. Every field present gets a status in a `DocReport`;
the approximated and not simulated ones are warnings. A `kind: List` is read item by item.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol

from federation.api.compat.fields import Kind, present, schema
from federation.api.compat.report import DocReport
from federation.api.errors import Path, show

if TYPE_CHECKING:  # the YAML machinery is imported on use: `kfed schema` needs none of it
    from federation.api.source import SourceDoc

PROJECTS = {
    "karmada.io": "Karmada",
    "kubefed.io": "KubeFed",
}


class Session(Protocol):
    def error(self, doc: SourceDoc, path: tuple[str | int, ...], message: str) -> None: ...

    def warn(self, doc: SourceDoc, path: tuple[str | int, ...], message: str) -> None: ...


def project_of(data: Any) -> str | None:
    """ "Karmada" or "KubeFed" for a document of theirs (by its apiVersion's group)."""
    if not isinstance(data, Mapping):
        return None
    api = data.get("apiVersion")
    if not isinstance(api, str) or "/" not in api:
        return None
    group = api.split("/", 1)[0]
    for suffix, project in PROJECTS.items():
        if group == suffix or group.endswith("." + suffix):
            return project
    return None


@cache
def kinds() -> dict[tuple[str, str], Kind]:
    from federation.api.compat import karmada_fields, kubefed_fields

    return {(k.api_version, k.kind): k for k in (*karmada_fields.kinds(), *kubefed_fields.kinds())}


def kind_of(data: Mapping[str, Any]) -> Kind | None:
    api, kind = data.get("apiVersion"), data.get("kind")
    if not isinstance(kind, str):
        return None
    if api == "types.kubefed.io/v1beta1" and kind.startswith("Federated") and len(kind) > 9:
        return kinds()[(api, "Federated<Kind>")]
    return kinds().get((str(api), kind))


@cache
def kind_schema(api: str, kind: str) -> dict[str, Any]:
    from federation.api.schema import DEFS

    k = kinds()[(api, kind)]
    body = schema(k.fields)
    props = body.setdefault("properties", {})
    props["apiVersion"] = {"const": api}
    props["kind"] = {"type": "string"} if kind == "Federated<Kind>" else {"const": kind}
    body["required"] = sorted({*body.get("required", ()), "apiVersion", "kind", "metadata"})
    if k.ignored:
        body.pop("additionalProperties", None)
    return {**body, "$defs": DEFS}


def foreign_defs() -> dict[str, tuple[str, str, dict[str, Any]]]:
    """Schema definitions of Karmada's and KubeFed's kinds for the exported schema: name ->
    (apiVersion, kind, schema)."""
    out = {}
    for (api, kind), k in kinds().items():
        body = {key: v for key, v in kind_schema(api, kind).items() if key != "$defs"}
        name = f"{k.project}.{api.split('/')[0]}.{kind.replace('<Kind>', '')}"
        out[name] = (api, kind, body)
    return out


@dataclass
class Job:
    """One foreign document being translated: its source, its kind, its report, and the kfed
    documents made from it."""

    doc: SourceDoc
    kind: Kind
    report: DocReport
    out: list[SourceDoc] = field(default_factory=list)

    @property
    def data(self) -> Mapping[str, Any]:
        d: Mapping[str, Any] = self.doc.data
        return d

    def emit(self, data: dict[str, Any], origin: tuple[tuple[Path, Path], ...] = ()) -> None:
        """A kfed document made from this one; `origin` maps its paths to the original's (on
        top of the original's own mapping, a List item's)."""
        from federation.api.source import SourceDoc, describe

        mapped = tuple((mine, self.doc.original(theirs)) for mine, theirs in origin)
        mapped += (((), self.doc.original(())),)
        self.out.append(
            SourceDoc(
                self.doc.file,
                self.doc.index,
                data,
                self.doc.line,
                self.doc.lines,
                mapped,
                self.report.where,
                self.kind.project.lower(),
            )
        )
        self.report.becomes.append(describe(data))
        self.report.documents.append(data)


@dataclass
class Translation:
    docs: list[SourceDoc]
    reports: list[DocReport]
    # the KubeFedConfig's cluster health settings, when one was given
    kubefed_health: Mapping[str, Any] | None = None


def list_items(s: Session, doc: SourceDoc) -> list[SourceDoc]:
    """A `kind: List` (as `kubectl get -o yaml` writes) as its items; any other as itself."""
    from federation.api.source import SourceDoc, describe

    d = doc.data
    if not (isinstance(d, Mapping) and d.get("kind") == "List" and d.get("apiVersion") == "v1"):
        return [doc]
    items = d.get("items")
    if not isinstance(items, list):
        s.error(doc, ("items",), f"must be a list, got {show(items)}")
        return []
    out = []
    for i, item in enumerate(items):
        at: Path = ("items", i)
        out.append(
            SourceDoc(
                doc.file,
                doc.index,
                item,
                doc.lines.get(at, doc.line),
                doc.lines,
                (((), at),),
                describe(item),
            )
        )
    return out


def translate(s: Session, docs: Sequence[SourceDoc]) -> Translation:
    """The kfed documents of one federation, other projects' documents translated."""
    from federation.api.compat import karmada, kubefed

    out: list[SourceDoc] = []
    jobs: dict[str, list[Job]] = {"Karmada": [], "KubeFed": []}
    reports: list[DocReport] = []
    for given in docs:
        for doc in list_items(s, given):
            project = project_of(doc.data)
            if project is None:
                out.append(doc)
                continue
            job = _job(s, doc, project)
            if job is not None:
                jobs[project].append(job)
                reports.append(job.report)
    karmada.translate(s, jobs["Karmada"], out)
    health = kubefed.translate(s, jobs["KubeFed"], out)
    for project_jobs in jobs.values():
        for job in project_jobs:
            out.extend(job.out)
            for path, message in job.report.warnings():
                s.warn(job.doc, path, message)
    return Translation(out, reports, health)


def _job(s: Session, doc: SourceDoc, project: str) -> Job | None:
    """A checked foreign document, or None after reporting why it cannot be read."""
    from federation.api.source import describe
    from federation.api.structure import errors_against

    d = doc.data
    assert isinstance(d, Mapping)
    k = kind_of(d)
    elsewhere = [
        api for (api, name), x in kinds().items() if name == d.get("kind") and x.project == project
    ]
    if k is None and elsewhere:
        s.error(
            doc,
            ("apiVersion",),
            f"must be {elsewhere[0]!r} for {project}'s {d['kind']}, got {show(d['apiVersion'])}",
        )
        return None
    if k is None:
        known = sorted({f"{x.kind}" for (api, _), x in kinds().items() if api == d["apiVersion"]})
        what = f"one of {', '.join(known)}" if known else "a kind kfed knows"
        s.error(
            doc,
            ("kind",),
            f"{project}'s {d['apiVersion']}: must be {what}, got {show(d.get('kind'))}",
        )
        return None
    problems = errors_against(f"{k.api_version}/{k.kind}", kind_schema(k.api_version, k.kind), d)
    for path, message in problems:
        s.error(doc, path, message)
    if problems:
        return None
    where = doc.where or describe(d)
    report = DocReport(doc.file, doc.line_of(()), project, str(d["kind"]), where)
    if k.ignored:
        report.set((), "not simulated", k.note)
    for path, f in present(k.fields, d):
        report.set(path, f.status, f.note)
    return Job(doc, k, report)
