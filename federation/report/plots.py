"""Plots of a run: replicas per cluster over time with fault bands and health states, and
availability over time. matplotlib with the Agg backend, imported only when plotting."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from federation.recorder import Row
from federation.report.figures import Series, series

HEALTH_COLORS = {
    "Ready": "#4caf50",
    "Suspect": "#ffb300",
    "Offline": "#e53935",
    "Recovering": "#42a5f5",
}
FAULT_COLORS = {
    "outage": "#e53935",
    "api-hang": "#8e24aa",
    "partition": "#fb8c00",
    "latency": "#fdd835",
    "flapping": "#d81b60",
    "node-loss": "#6d4c41",
    "load-surge": "#1e88e5",
}
MAX_STACKS = 12  # beyond this many clusters, group them by region


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _fault_spans(rows: Sequence[Row], end: float) -> list[tuple[str, str, float, float]]:
    open_: dict[tuple[str, str], float] = {}
    spans = []
    for r in rows:
        if r.kind != "fault":
            continue
        k = (str(r.fields.get("fault")), r.cluster)
        if r.fields.get("phase") == "start":
            open_[k] = r.t
        elif k in open_:
            spans.append((k[0], k[1], open_.pop(k), r.t))
    spans.extend((f, c, t0, end) for (f, c), t0 in open_.items())
    return sorted(spans, key=lambda s: (s[2], s[1]))


def _health_spans(
    rows: Sequence[Row], clusters: Sequence[str], end: float
) -> dict[str, list[tuple[float, float, str]]]:
    state = {c: ("Ready", 0.0) for c in clusters}
    out: dict[str, list[tuple[float, float, str]]] = defaultdict(list)
    for r in rows:
        if r.kind == "health" and r.cluster in state:
            s, t0 = state[r.cluster]
            out[r.cluster].append((t0, r.t, s))
            state[r.cluster] = (str(r.fields.get("to")), r.t)
    for c, (s, t0) in state.items():
        out[c].append((t0, end, s))
    return out


def _group_of(rows: Sequence[Row]) -> dict[str, str]:
    return {
        r.cluster: str(r.fields.get("region") or r.cluster)
        for r in rows
        if r.kind == "capacity" and r.cluster
    }


def _accumulate(deltas: Mapping[float, int], times: Sequence[float]) -> list[int]:
    out, acc = [], 0
    for t in times:
        acc += deltas.get(t, 0)
        out.append(acc)
    return out


def _stacks(
    all_series: Mapping[str, Series], groups: Mapping[str, str], end: float
) -> tuple[list[float], dict[str, list[int]], list[int], list[int]]:
    """Ready replicas per group, desired and served (min of ready and desired) totals, as step
    series over every change time; built from per-step deltas so cost grows with changes."""
    by_group: dict[str, dict[float, int]] = defaultdict(lambda: defaultdict(int))
    desired: dict[float, int] = defaultdict(int)
    served: dict[float, int] = defaultdict(int)
    for s in all_series.values():
        for c, steps in s.ready.items():
            prev, g = 0, groups.get(c, c)
            for t, v in steps:
                by_group[g][t] += v - prev
                prev = v
        prev = 0
        for t, v in s.desired:
            desired[t] += v - prev
            prev = v
        prev = 0
        for t in s.change_times():
            v = min(s.total_at(t), s.desired_at(t))
            served[t] += v - prev
            prev = v
    times = sorted({0.0, end, *desired, *served, *(t for d in by_group.values() for t in d)})
    stacks = {g: _accumulate(by_group[g], times) for g in sorted(by_group)}
    return times, stacks, _accumulate(desired, times), _accumulate(served, times)


def _bands(ax: Any, spans: Sequence[tuple[str, str, float, float]], label: bool) -> None:
    seen: set[str] = set()
    drawn: set[tuple[str, float, float]] = set()
    for f, _c, t0, t1 in spans:
        if (f, t0, t1) in drawn:  # a region outage: one band, not one per cluster
            continue
        drawn.add((f, t0, t1))
        ax.axvspan(
            t0,
            t1,
            color=FAULT_COLORS.get(f, "#999999"),
            alpha=0.18,
            zorder=0,
            label=f"fault: {f}" if label and f not in seen else None,
        )
        seen.add(f)


def plot_run(
    rows: Sequence[Row], out_dir: Path, *, title: str, end: float, clusters: Sequence[str] = ()
) -> list[Path]:
    """Write replicas.png and availability.png into out_dir; return their paths."""
    plt = _pyplot()
    rows = sorted(rows, key=lambda r: r.t)
    all_series = series(rows)
    clusters = list(clusters) or sorted({r.cluster for r in rows if r.cluster})
    groups: dict[str, str] = _group_of(rows) if len(clusters) > MAX_STACKS else {}
    spans = _fault_spans(rows, end)
    health = _health_spans(rows, clusters, end)
    paths = []

    fig, (ax, hx) = plt.subplots(
        2,
        1,
        figsize=(11, 6.5),
        sharex=True,
        gridspec_kw={"height_ratios": [3, max(1, len(clusters) / 6)]},
    )
    times, stacks, desired, served = _stacks(all_series, groups, end)
    if stacks:
        ax.stackplot(times, *stacks.values(), labels=list(stacks), step="post", alpha=0.9, zorder=2)
    ax.step(
        times, desired, where="post", color="black", linestyle="--", linewidth=1.2, label="desired"
    )
    _bands(ax, spans, label=True)
    ax.set_ylabel("ready replicas")
    ax.set_title(f"{title}: ready replicas per {'region' if groups else 'cluster'}")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    ax.grid(alpha=0.3)
    for i, c in enumerate(clusters):
        for t0, t1, s in health.get(c, []):
            hx.broken_barh(
                [(t0, max(t1 - t0, 1e-9))], (i - 0.4, 0.8), color=HEALTH_COLORS.get(s, "#999999")
            )
    hx.set_yticks(range(len(clusters)))
    hx.set_yticklabels(clusters if len(clusters) <= 24 else [""] * len(clusters), fontsize=7)
    hx.set_xlabel("seconds")
    hx.set_title("cluster health as the federation saw it", fontsize=9)
    handles = [plt.Rectangle((0, 0), 1, 1, color=col) for col in HEALTH_COLORS.values()]
    hx.legend(
        handles, list(HEALTH_COLORS), loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8
    )
    _bands(hx, spans, label=False)
    hx.set_xlim(0, end)
    fig.tight_layout()
    p = out_dir / "replicas.png"
    fig.savefig(p, dpi=110)
    plt.close(fig)
    paths.append(p)

    fig, ax = plt.subplots(figsize=(11, 4))
    keys = sorted(all_series)
    shown = keys if len(keys) <= 8 else []
    for k in shown:
        one = all_series[k]
        ts = sorted({0.0, end, *one.change_times()})
        ax.step(
            ts,
            [min(1.0, one.total_at(t) / max(1, one.desired_at(t))) for t in ts],
            where="post",
            label=k,
        )
    if not shown and keys:
        frac = [v / max(1, d) for v, d in zip(served, desired, strict=True)]
        ax.step(times, frac, where="post", label=f"all {len(keys)} workloads (replica-weighted)")
    _bands(ax, spans, label=True)
    ax.set_ylim(-0.02, 1.05)
    ax.set_xlim(0, end)
    ax.set_ylabel("ready / desired")
    ax.set_xlabel("seconds")
    ax.set_title(f"{title}: availability")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    p = out_dir / "availability.png"
    fig.savefig(p, dpi=110)
    plt.close(fig)
    paths.append(p)
    return paths
