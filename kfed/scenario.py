"""`kfed.load` and `kfed.Scenario`: a scenario file, loaded and validated, with settings
(`PATH=VALUE`, as `kfed run --set`) applied to its documents before validation."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from federation.api.errors import LoadError
from federation.api.scenario import Scenario as Record
from federation.api.settings import Setting, SettingError, parse, parse_path

_UNSET: Any = object()


@dataclass(frozen=True)
class Scenario:
    """A loaded, valid scenario. Immutable: `set` returns a new one."""

    path: str
    settings: tuple[Setting, ...] = ()
    strict: bool = False
    allow_outside: bool = False
    record: Record = field(default=None, compare=False, repr=False)  # type: ignore[assignment]

    @property
    def name(self) -> str:
        return self.record.name

    @property
    def description(self) -> str:
        return self.record.description

    @property
    def duration(self) -> float:
        return self.record.duration

    @property
    def seed(self) -> int:
        return self.record.seed

    @property
    def clusters(self) -> list[str]:
        return [c.name for c in self.record.desired.clusters]

    @property
    def workloads(self) -> list[str]:
        return sorted(self.record.desired.workloads)

    @property
    def expectations(self) -> list[str]:
        """Each expectation's description (`expect.<n>` in sweep results is the n-th)."""
        return [e.description for e in self.record.expectations]

    @property
    def warnings(self) -> tuple[str, ...]:
        return self.record.warnings

    @property
    def timeline(self) -> Any:
        """The scenario's timeline (pandas), faults and operations in time order: `at`, `end`
        (None: to the end of the run; an operation takes no time, a drain with a `duration`
        aside), `name` ("" unnamed), `type` (`fault` or `operation`), `kind` (`outage`,
        `migrate`, ...), `clusters` (the clusters it hits, selectors resolved; a migration's
        sources) and `workload` (the workload key, or "")."""
        import pandas as pd

        r = self.record
        rows: list[tuple[Any, ...]] = [
            (f.at, f.end, f.name, "fault", f.kind, list(f.clusters), f.params.get("workload", ""))
            for f in r.faults
        ]
        rows += [
            (o.at, o.end, o.name, "operation", o.kind, list(o.clusters), o.workload)
            for o in r.operations
        ]
        rows.sort(key=lambda row: row[0])
        cols = ["at", "end", "name", "type", "kind", "clusters", "workload"]
        return pd.DataFrame(rows, columns=cols)

    @property
    def capacity(self) -> Any:
        """The member clusters as declared (pandas): `cluster`, `region`, `zone`, `provider`,
        `cpu`, `memory_gib` (empty when no capacity is declared), `nodes`,
        `cost_per_cpu_hour`, `cost_per_gib_hour`, `capacity_per_hour`."""
        import pandas as pd

        from federation.core.model import Resources
        from federation.report.cost import GIB

        rows = []
        for c in self.record.desired.clusters:
            declared = c.capacity != Resources()
            cpu = c.capacity.cpu if declared else None
            gib = c.capacity.memory / GIB if declared else None
            price = (cpu or 0.0) * c.cost_per_cpu_hour + (gib or 0.0) * c.cost_per_gib_hour
            rows.append(
                {
                    "cluster": c.name,
                    "region": c.region,
                    "zone": c.zone,
                    "provider": c.provider,
                    "cpu": cpu,
                    "memory_gib": gib,
                    "nodes": c.nodes,
                    "cost_per_cpu_hour": c.cost_per_cpu_hour,
                    "cost_per_gib_hour": c.cost_per_gib_hour,
                    "capacity_per_hour": round(price, 6),
                }
            )
        return pd.DataFrame(rows)

    @property
    def demand(self) -> Any:
        """The workloads with replicas (pandas): `workload`, `replicas` (as declared, before
        division and overrides), `cpu` and `memory_gib` per replica (Kubernetes' effective pod
        request), and `total_cpu`, `total_memory_gib`."""
        import pandas as pd

        from federation.report.cost import GIB

        rows = []
        for key, w in sorted(self.record.desired.workloads.items()):
            if not w.divisible:
                continue
            n = w.replicas or 0
            rows.append(
                {
                    "workload": key,
                    "replicas": n,
                    "cpu": w.request.cpu,
                    "memory_gib": w.request.memory / GIB,
                    "total_cpu": n * w.request.cpu,
                    "total_memory_gib": n * w.request.memory / GIB,
                }
            )
        return pd.DataFrame(rows)

    def set(self, path: str | Mapping[str, Any] | Sequence[str], value: Any = _UNSET) -> Scenario:
        """A new scenario with `path` set to `value` (or every PATH: value of a mapping, or
        `"PATH=VALUE"` texts) in its documents, validated as the YAML would be (raises
        `kfed.LoadError`). Paths as in `kfed run --set` (docs/api.md)."""
        if isinstance(path, Mapping):
            more = _overrides(path)
        elif value is _UNSET:
            more = _overrides([path] if isinstance(path, str) else path)
        else:
            more = _overrides({path: value})
        return load(
            self.path,
            settings=(*self.settings, *more),
            strict=self.strict,
            allow_outside=self.allow_outside,
        )

    def load_with(self, extra: tuple[Setting, ...]) -> Record:
        """The record of this scenario with `extra` settings on top (validated)."""
        from federation.api import load_scenario

        return load_scenario(
            self.path,
            strict=self.strict,
            allow_outside=self.allow_outside,
            settings=(*self.settings, *extra),
        )

    def __repr__(self) -> str:
        sets = ", ".join(o.text for o in self.settings)
        return f"kfed.Scenario({self.path!r}{', ' + sets if sets else ''})"


def load(
    path: str | os.PathLike[str] | Scenario,
    *,
    settings: Any = (),
    strict: bool = False,
    allow_outside: bool = False,
) -> Scenario:
    """Load and validate the scenario in `path` (raises `kfed.LoadError` listing every
    problem). `settings`: `PATH=VALUE` texts, or a mapping PATH -> value, set first."""
    if isinstance(path, Scenario):
        base, path = path.settings, path.path
    else:
        base = ()
    parsed = (*base, *_overrides(settings))
    sc = Scenario(os.fspath(path), parsed, strict, allow_outside)
    return Scenario(sc.path, parsed, strict, allow_outside, sc.load_with(()))


def _overrides(settings: Any) -> tuple[Setting, ...]:
    """Overrides from a mapping PATH -> value or from `PATH=VALUE` texts (bad syntax: a
    `kfed.LoadError` naming it)."""
    try:
        if isinstance(settings, Mapping):
            return tuple(parse_path(p, v, f"{p}={v}") for p, v in settings.items())
        return tuple(parse(s) if isinstance(s, str) else s for s in settings)
    except SettingError as e:
        raise LoadError([str(e)]) from None
