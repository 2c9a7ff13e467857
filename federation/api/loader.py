"""Loading kfed documents: YAML files -> structurally validated dicts -> model records, with every
problem of every file collected into one `LoadError`.

Files form *federations*: each file holding a `kind: Scenario` is one federation (its own
documents plus the files its `spec.resources` name, relative to it); every other file given
belongs to one shared federation. Names must be unique within a federation, and a scenario's
timeline and expectations may reference only its own federation's clusters and workloads.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from federation.api import autoscaling as autoscaling_api
from federation.api import (
    compat,
    files,
    overrides,
    policies,
    records,
    references,
    resources,
    scenario_loader,
    taint_policy,
    timeline,
)
from federation.api import settings as settings_
from federation.api import traffic as traffic_api
from federation.api.compat.health import health_defaults
from federation.api.compat.report import DocReport
from federation.api.errors import LoadError, Path, Problem, show
from federation.api.files import decode, read_bytes
from federation.api.kinds import CORE_GROUPS, KINDS, NATIVE
from federation.api.records import Ctx, Record
from federation.api.scenario import Scenario
from federation.api.source import SourceDoc, describe, parse
from federation.api.structure import structure_errors
from federation.autoscaling.spec import CronFederatedHPA, FederatedHPA
from federation.core.desired import DesiredState
from federation.core.model import Cluster, OverridePolicy, PropagationPolicy, Workload
from federation.traffic.spec import MultiClusterService

__all__ = ["Documents", "LoadError", "load_documents", "load_scenario", "load_text"]

_T = TypeVar("_T")


@dataclass(frozen=True)
class Documents:
    """What a set of files declares: the records of the shared federation (all files that are
    not scenarios) and one `Scenario` per scenario file, each with its own desired state."""

    clusters: tuple[Cluster, ...] = ()
    policies: tuple[PropagationPolicy, ...] = ()
    overrides: tuple[OverridePolicy, ...] = ()
    workloads: tuple[Workload, ...] = ()
    services: tuple[MultiClusterService, ...] = ()
    scenarios: tuple[Scenario, ...] = ()
    files: tuple[str, ...] = ()  # every file read, as named in messages
    warnings: tuple[str, ...] = ()  # legal but suspicious input, formatted like errors
    # what became of each field of each Karmada or KubeFed document (federation.api.compat)
    compat: tuple[DocReport, ...] = ()

    def desired(self) -> DesiredState:
        return DesiredState.build(self.clusters, self.policies, self.overrides, self.workloads)


@dataclass
class _Federation:
    docs: list[SourceDoc] = field(default_factory=list)
    scenario: SourceDoc | None = None
    translation: compat.Translation | None = None

    def translate(self, s: _Session) -> None:
        """Other projects' documents read as kfed's (once)."""
        if self.translation is None:
            self.translation = compat.translate(s, self.docs)
            self.docs = self.translation.docs


class _Session:
    def __init__(self, *, allow_outside: bool = False) -> None:
        self.allow_outside = allow_outside
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.parsed: dict[str, list[SourceDoc]] = {}  # real path -> documents
        self.files: list[str] = []
        # id(doc) -> (doc, its record): the doc is held so that its id is never reused by
        # another document while the session lives (an inline document is a temporary)
        self.records: dict[int, tuple[SourceDoc, Record | None]] = {}

    def ctx(self, doc: SourceDoc, blocked: Sequence[Path] = ()) -> Ctx:
        return Ctx(doc, self.problems, blocked, self.warnings)

    def error(self, doc: SourceDoc, path: tuple[str | int, ...], message: str) -> None:
        self.ctx(doc).error(path, message)

    def warn(self, doc: SourceDoc, path: tuple[str | int, ...], message: str) -> None:
        self.ctx(doc).warn(path, message)

    def read(self, shown: str, text: str | None = None) -> list[SourceDoc]:
        real = os.path.realpath(shown) if text is None else f"<text>{shown}"
        if real in self.parsed:
            return self.parsed[real]
        self.files.append(shown)
        if text is None:
            raw, problem = read_bytes(shown)
            if raw is not None:
                text, problem = decode(raw, shown)
            if problem is not None or text is None:
                assert problem is not None
                return self._fail(real, problem)
        docs, problems = parse(text, shown)
        self.problems.extend(problems)
        if not docs and not problems:
            self.problems.append(Problem(shown, 0, "", "no YAML documents"))
        self.parsed[real] = docs
        return docs

    def _fail(self, real: str, p: Problem) -> list[SourceDoc]:
        self.problems.append(p)
        self.parsed[real] = []
        return []

    def check(self, doc: SourceDoc) -> list[Path] | None:
        """Structure of one document: the paths of its structural problems (reported here), or
        None when it is not even a document of a known kind."""
        d = doc.data
        if not isinstance(d, Mapping):
            # the type only: a resources entry may name a file that is no YAML of ours at all
            self.error(doc, (), f"a document must be a mapping, got {_type_name(d)}")
            return None
        if "kind" not in d:
            self.error(doc, (), "missing required field 'kind'")
            return None
        kind = d["kind"]
        if not isinstance(kind, str) or not kind:
            self.error(doc, ("kind",), f"must be a kind name, got {show(kind)}")
            return None
        api = d.get("apiVersion")
        known = CORE_GROUPS.get(api) if isinstance(api, str) else None
        if kind not in KINDS and (api == KINDS["Cluster"] or (known and kind not in known)):
            # kfed's own group and Kubernetes' groups have a fixed set of kinds: a typo
            mine = sorted({k for k, v in KINDS.items() if v == api} | (known or frozenset()))
            self.error(doc, ("kind",), f"must be one of {', '.join(mine)}, got {show(kind)}")
            return None
        problems = structure_errors(kind if kind in KINDS else "Template", d)
        for path, message in problems:
            self.error(doc, path, message)
        return [path for path, _ in problems]

    def convert(self, doc: SourceDoc, build: Callable[[Ctx], _T]) -> _T | None:
        """Run a converter's semantic checks even on a structurally broken document (so every
        problem shows up at once), but keep its record only when the structure was sound."""
        bad = self.check(doc)
        if bad is None:
            return None
        ctx = self.ctx(doc, bad)
        try:
            out = build(ctx)
        except (KeyError, TypeError, AttributeError, ValueError, IndexError):
            if not bad:
                raise
            return None
        return out if not bad else None

    def record(self, doc: SourceDoc) -> Record | None:
        """The model record of a non-scenario document (converted once, however many
        federations include its file)."""
        key = id(doc)
        if key not in self.records:
            kind = doc.data.get("kind") if isinstance(doc.data, Mapping) else None
            convert = CONVERTERS.get(kind) if isinstance(kind, str) else None
            if convert is None:
                convert = records.workload if isinstance(kind, str) else _no_record
            self.records[key] = (doc, self.convert(doc, lambda ctx: convert(ctx, doc.data)))
        return self.records[key][1]


def _type_name(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool) or value is None:
        return f"a scalar {show(value)}"
    if isinstance(value, int | float):
        return "a number"
    return f"a {type(value).__name__}"


def _no_record(ctx: Ctx, d: Any) -> None:
    return None


CONVERTERS: dict[str, Callable[[Ctx, Any], Record | None]] = {
    "Cluster": records.cluster,
    "PropagationPolicy": policies.propagation_policy,
    "ClusterPropagationPolicy": policies.propagation_policy,
    "OverridePolicy": overrides.override_policy,
    "ClusterOverridePolicy": overrides.override_policy,
    "ClusterTaintPolicy": taint_policy.taint_policy,
    "MultiClusterService": traffic_api.multicluster_service,
    "FederatedHPA": autoscaling_api.federated_hpa,
    "CronFederatedHPA": autoscaling_api.cron_federated_hpa,
    "Scenario": _no_record,
    **{kind: records.workload for kind in NATIVE},
}


def _split(
    s: _Session, shown: str, docs: list[SourceDoc], shared: _Federation
) -> _Federation | None:
    """Sort one given file's documents into a scenario federation (returned) or the shared one."""
    scen = [d for d in docs if isinstance(d.data, Mapping) and d.data.get("kind") == "Scenario"]
    if not scen:
        shared.docs.extend(docs)
        return None
    for extra in scen[1:]:
        s.error(extra, ("kind",), f"only one Scenario per file (first at line {scen[0].line})")
    fed = _Federation([d for d in docs if d not in scen], scen[0])
    resources.include(s, scen[0], fed.docs)
    return fed


def _build(s: _Session, fed: _Federation) -> tuple[list[Any], ...]:
    """Clusters, policies, overrides, workloads (with the ServiceExports the federated services
    propagate), the federated services, FederatedHPAs and CronFederatedHPAs of one federation."""
    out: tuple[list[Any], ...] = ([], [], [], [], [], [], [])
    taints: list[records.TaintPolicy] = []
    found: list[tuple[SourceDoc, MultiClusterService]] = []
    hpas: list[tuple[SourceDoc, FederatedHPA]] = []
    crons: list[tuple[SourceDoc, CronFederatedHPA]] = []
    for doc in fed.docs:
        rec = s.record(doc)
        if isinstance(rec, Cluster):
            out[0].append(rec)
        elif isinstance(rec, PropagationPolicy):
            out[1].append(rec)
        elif isinstance(rec, OverridePolicy):
            out[2].append(rec)
        elif isinstance(rec, Workload):
            out[3].append(rec)
        elif isinstance(rec, records.TaintPolicy):
            taints.append(rec)
        elif isinstance(rec, MultiClusterService):
            found.append((doc, rec))
        elif isinstance(rec, FederatedHPA):
            hpas.append((doc, rec))
        elif isinstance(rec, CronFederatedHPA):
            crons.append((doc, rec))
    if taints:
        out[0][:] = taint_policy.apply(out[0], taints)
    references.duplicates(fed.docs, s.ctx)
    out[4].extend(traffic_api.resolve(found, out[3], out[0], s.ctx))
    out[3].extend(traffic_api.exports(out[4], out[3]))
    ok_hpas, ok_crons = autoscaling_api.resolve(hpas, crons, out[3], s.ctx)
    out[5].extend(ok_hpas)
    out[6].extend(ok_crons)
    return out


def _scenario_builder(
    s: _Session,
    doc: SourceDoc,
    world: timeline.World,
    desired: DesiredState,
    fed: _Federation,
    services: tuple[MultiClusterService, ...],
    autoscalers: tuple[tuple[FederatedHPA, ...], tuple[CronFederatedHPA, ...]] = ((), ()),
) -> Callable[[Ctx], Scenario]:
    kubefed = fed.translation.kubefed_health if fed.translation is not None else None
    origins = {
        d.source or "kfed"
        for d in fed.docs
        if isinstance(d.data, Mapping) and d.data.get("kind") == "Cluster"
    }
    base = health_defaults(origins, kubefed)

    def inline(path: Path, data: Mapping[str, Any]) -> Record | None:
        """The record of a document written inside the scenario (an `apply` operation's), its
        problems located in the scenario's file."""
        sub = SourceDoc(
            doc.file,
            doc.index,
            data,
            doc.line_of(path),
            doc.lines,
            origin=(((), tuple(path)),),
            where=describe(data) if isinstance(data, Mapping) else "",
        )
        return s.record(sub)

    return lambda ctx: scenario_loader.scenario(
        ctx, doc.data, world, desired, doc.file, base, services, inline, autoscalers
    )


Settings = Sequence["str | settings_.Setting"]


def _apply_settings(
    s: _Session, feds: list[_Federation], settings: Settings
) -> list[settings_.Applied]:
    """Apply `PATH=VALUE` settings to the parsed documents, before anything is validated."""
    docs = {id(d): d for f in feds for d in (*f.docs, *([f.scenario] if f.scenario else []))}
    applied, problems = settings_.settle(settings, list(docs.values()))
    s.problems.extend(Problem("", 0, "", p) for p in problems)
    return applied


def _load(
    s: _Session, given: list[tuple[str, str | None]], *, strict: bool, settings: Settings = ()
) -> Documents:
    shared = _Federation()
    feds: list[_Federation] = []
    seen: set[str] = set()
    for shown, text in given:
        real = os.path.realpath(shown) if text is None else f"<text>{shown}"
        if real in seen:
            continue
        seen.add(real)
        fed = _split(s, shown, s.read(shown, text), shared)
        if fed is not None:
            feds.append(fed)
    applied = _apply_settings(s, [shared, *feds], settings) if settings else []
    reports: list[DocReport] = []
    for f in (shared, *feds):
        f.translate(s)
        assert f.translation is not None
        reports += f.translation.reports
    clusters, pols, ovs, wls, svcs, _, _ = _build(s, shared)
    references.check(shared.docs, s.record, s.ctx, DesiredState.build(clusters, pols, ovs, wls))
    scenarios = []
    for fed in feds:
        assert fed.scenario is not None
        c, p, o, w, v, h, cr = _build(s, fed)
        world = timeline.world_of(d.data for d in fed.docs if isinstance(d.data, Mapping))
        desired = DesiredState.build(c, p, o, w)
        references.check(fed.docs, s.record, s.ctx, desired)
        doc = fed.scenario
        scen = s.convert(
            doc, _scenario_builder(s, doc, world, desired, fed, tuple(v), (tuple(h), tuple(cr)))
        )
        if scen is not None:
            scenarios.append(scen)
    warnings = sorted(set(s.warnings))
    found = s.problems + (warnings if strict else [])
    problems = sorted({settings_.mark(p, applied) for p in found})
    if problems:
        raise LoadError(problems, warnings=[] if strict else warnings)
    return Documents(
        tuple(clusters),
        tuple(pols),
        tuple(ovs),
        tuple(wls),
        tuple(svcs),
        tuple(scenarios),
        tuple(s.files),
        tuple(str(w) for w in warnings),
        _unique(reports),
    )


def _unique(reports: list[DocReport]) -> tuple[DocReport, ...]:
    """One report per document, however many federations include its file."""
    seen: dict[tuple[str, int, str], DocReport] = {}
    for r in reports:
        seen.setdefault((r.file, r.line, r.where), r)
    return tuple(sorted(seen.values(), key=lambda r: (r.file, r.line)))


def load_documents(
    paths: Iterable[str | os.PathLike[str]],
    *,
    strict: bool = False,
    allow_outside: bool = False,
    settings: Settings = (),
) -> Documents:
    """Load and validate every document in `paths` (and the resources of any scenario among
    them). Raises `LoadError` listing every problem; returns nothing half-loaded. Warnings
    (legal but suspicious input) are on `Documents.warnings`; `strict` makes them errors.
    `allow_outside` lets a scenario's resources live outside the scenario file's folder.
    `settings` (`PATH=VALUE`, see `federation.api.settings`) are set on the parsed documents
    before anything is validated."""
    given: list[tuple[str, str | None]] = [(p, None) for p in files.expand(paths)]
    return _load(_Session(allow_outside=allow_outside), given, strict=strict, settings=settings)


def load_text(
    text: str,
    name: str = "<text>",
    *,
    strict: bool = False,
    allow_outside: bool = False,
    settings: Settings = (),
) -> Documents:
    """Like `load_documents` for YAML given as a string; `name` stands for the file in messages
    (scenario resources are looked up relative to the current directory)."""
    session = _Session(allow_outside=allow_outside)
    return _load(session, [(name, text)], strict=strict, settings=settings)


def load_scenario(
    path: str | os.PathLike[str],
    *,
    strict: bool = False,
    allow_outside: bool = False,
    settings: Settings = (),
) -> Scenario:
    """The one Scenario in `path`, with its inline documents and resources (and the load's
    warnings on `Scenario.warnings`), `settings` applied first."""
    docs = load_documents([path], strict=strict, allow_outside=allow_outside, settings=settings)
    if len(docs.scenarios) != 1:
        raise LoadError([Problem(os.fspath(path), 0, "", "no Scenario document in this file")])
    return replace(docs.scenarios[0], warnings=docs.warnings)
