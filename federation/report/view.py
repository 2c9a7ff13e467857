"""What both run plots show, computed once from the timeline rows and summary.json: the
workloads with a panel, clusters in strip order and their stack groups and colours, fault spans,
markers, thresholds, Pending replicas and health states. Pure; no matplotlib."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from federation.recorder import Row
from federation.report import panels as pn
from federation.report.figures import Series, series
from federation.report.palette import OTHERS_COLOR, cluster_colors
from federation.report.spans import FaultSpan, Marker, fault_spans, health_spans, markers
from federation.report.thresholds import Threshold, thresholds


@dataclass
class RunView:
    """Everything both figures draw, computed once."""

    title: str
    end: float
    all_series: dict[str, Series]
    selection: pn.Selection
    clusters: list[str]  # in strip order
    groups: dict[str, str]
    order: list[str]
    colors: dict[str, str]
    grouped_by: str  # "cluster", "region", or "name prefix (...)"
    spans: list[FaultSpan]
    marks: list[Marker]
    limits: list[Threshold]
    pending: dict[str, list[tuple[float, int]]]
    health: dict[str, list[tuple[float, float, str]]]
    figures: Mapping[str, Any]


def prepare_view(
    rows: Sequence[Row],
    title: str,
    end: float,
    clusters: Sequence[str],
    summary: Mapping[str, Any] | None,
    workloads: Sequence[str] | None,
    regions: Mapping[str, str] | None,
    cap: int = pn.MAX_PANELS,
) -> RunView:
    """The view of one run (see `plot_run` for the arguments)."""
    rows = sorted(rows, key=lambda r: r.t)
    all_series = series(rows)
    unavailable = pn.unavailable_seconds(all_series, end, summary)
    selection = pn.select_panels(list(all_series), unavailable, workloads, cap)
    names = list(clusters) or sorted({r.cluster for r in rows if r.cluster})
    region, source, recorded = pn.regions_of(names, rows, summary, regions)
    groups, order = pn.group_clusters(names, region)
    grouped = len(order) < len(names) or any(g not in names for g in order)
    if grouped:
        names = sorted(names, key=lambda c: (region[c], c))
    colors = cluster_colors(order)
    for g in order:
        if g.startswith("others ("):
            colors[g] = OTHERS_COLOR
    return RunView(
        title=title,
        end=end,
        all_series=all_series,
        selection=selection,
        clusters=names,
        groups=groups,
        order=order,
        colors=colors,
        grouped_by=source if grouped else "cluster",
        spans=name_regions(fault_spans(rows, end), region, recorded),
        marks=markers(rows),
        limits=thresholds(summary),
        pending=pn.pending_steps(rows),
        health=health_spans(rows, names, end),
        figures=(summary or {}).get("workloads", {}),
    )


def name_regions(
    spans: Sequence[FaultSpan], region: Mapping[str, str], recorded: set[str]
) -> list[FaultSpan]:
    """Spans on every cluster of one recorded region (and on more than one cluster) say so."""
    members: dict[str, set[str]] = {}
    for c, r in region.items():
        members.setdefault(r, set()).add(c)
    out = []
    for s in spans:
        rs = {region.get(c, "") for c in s.clusters}
        r = next(iter(rs)) if len(rs) == 1 else ""
        if (
            r
            and len(s.clusters) > 1
            and set(s.clusters) <= recorded
            and set(s.clusters) == members.get(r)
            and not (s.params or {}).get("region")
        ):
            s = replace(s, params={**(s.params or {}), "region": r})
        out.append(s)
    return out
