"""Drawing of the run plots: fault bands, a workload's panel, the health strip. Takes
matplotlib's pyplot as an argument and never imports it; what is drawn comes from `RunView`."""

from __future__ import annotations

from typing import Any

from federation.report import panels as pn
from federation.report.figures import DISRUPTIVE, value_at
from federation.report.palette import (
    FAULT_COLORS,
    FAULT_DOWN_COLOR,
    FAULT_HATCHES,
    HEALTH_COLORS,
    MARK_COLOR,
    UNKNOWN_FAULT_COLOR,
)
from federation.report.panels import PanelStacks
from federation.report.spans import label_rows
from federation.report.view import RunView

MARKER_STYLE = {  # kind -> (matplotlib marker, legend label)
    "detected": ("X", "declared Offline"),
    "evicted": ("v", "evicted from a cluster"),
    "failback": ("^", "failback to a cluster"),
    "rescheduled": ("D", "Pending replicas rescheduled"),
    "operation": ("P", "operation (scale, migrate, drain, ...)"),
    "migrated": ("s", "migration done"),
}
FONT = 8
LABEL_STEP = 0.08  # axes fraction between two lines of fault-band labels


def label_lines(run: RunView) -> list[int]:
    """The line (0 at the top) of each fault band's label."""
    return label_rows(run.spans, run.end, chars_per_second=110 / max(run.end, 1e-9))


def bands(ax: Any, run: RunView, labels: bool) -> set[str]:
    """Fault bands over the whole of each fault (a flapping fault's down phases darker); with
    `labels`, each band is named with its kind and target at the top of `ax`."""
    for s, row in zip(run.spans, label_lines(run), strict=True):
        color = FAULT_COLORS.get(s.kind, UNKNOWN_FAULT_COLOR)
        ax.axvspan(
            s.t0,
            s.t1,
            facecolor=color,
            alpha=0.13,
            edgecolor=color,
            linewidth=0,
            hatch=FAULT_HATCHES.get(s.kind, ""),
            zorder=0,
        )
        for d0, d1 in s.downs:
            ax.axvspan(d0, d1, facecolor=FAULT_DOWN_COLOR, alpha=0.18, linewidth=0, zorder=0)
        if labels:
            ax.text(
                s.t0,
                0.985 - LABEL_STEP * row,
                " " + s.label,
                transform=ax.get_xaxis_transform(),
                fontsize=7,
                va="top",
                ha="left",
                color="#212121",
                clip_on=True,
                zorder=5,
            )
    return {s.kind for s in run.spans}


def _mark(ax: Any, x: float, y: float, sym: str, size: float = 7) -> None:
    edge = MARK_COLOR if sym in "|_" else "white"  # a line marker is all edge
    ax.plot(
        [x],
        [y],
        marker=sym,
        markersize=size,
        color=MARK_COLOR,
        markeredgecolor=edge,
        linestyle="none",
        zorder=6,
        clip_on=True,
    )


def _handle(plt: Any, sym: str = "", line: str = "none") -> Any:
    edge = MARK_COLOR if sym in "|_" else "white"
    return plt.Line2D(
        [],
        [],
        marker=sym or None,
        markersize=11 if sym == "*" else 8,
        color=MARK_COLOR,
        markeredgecolor=edge,
        linestyle=line,
    )


def _limits(
    ax: Any, run: RunView, key: str, view: PanelStacks, legend: dict[str, Any], plt: Any
) -> None:
    """The workload's expectations: maxUnavailable as a floor under its desired line, replicasOn
    as a star on its cluster's band at its time, noReplicasOn as a line from its time."""
    for lim in run.limits:
        if lim.workload not in (key, "") or (lim.at is not None and lim.at > run.end):
            continue  # another workload's, or after the end of this (shortened) run
        if lim.kind == "max-unavailable" and lim.workload == key and lim.value is not None:
            t0, t1 = lim.t0 or 0.0, run.end if lim.t1 is None else min(lim.t1, run.end)
            xs = [t0, *(t for t in view.times if t0 < t < t1), t1]  # over its window only
            desired_at = run.all_series[key].desired_at
            floor = [max(0.0, desired_at(x) - lim.value) for x in xs]
            ax.step(
                xs,
                floor,
                where="post",
                color=MARK_COLOR,
                linestyle=":",
                linewidth=1.2,
                zorder=4,
            )
            legend.setdefault(f"desired − maxUnavailable ({lim.value:g})", _handle(plt, line=":"))
        elif lim.kind == "replicas-on" and lim.workload == key and lim.at is not None:
            _, hi = view.band_at(run.groups.get(lim.cluster, lim.cluster), lim.at)
            if lim.upper is None:
                want = f"≥{lim.value:g}"
            elif lim.upper == lim.value:
                want = f"={lim.value:g}"
            else:
                want = f"{lim.value:g}..{lim.upper:g}"
            ok = {True: " ✓", False: " ✗", None: ""}[lim.passed]
            _mark(ax, lim.at, hi, "*", 12)
            left = lim.at > 0.8 * run.end  # near the right edge the label goes to the left
            ax.annotate(
                f"{lim.cluster} {want}{ok}",
                (lim.at, hi),
                textcoords="offset points",
                xytext=(-5 if left else 5, 3),
                ha="right" if left else "left",
                fontsize=7,
                zorder=6,
            )
            legend.setdefault("replicasOn check (at its time)", _handle(plt, "*"))
        elif lim.kind == "no-replicas-on" and lim.at is not None:
            ax.axvline(lim.at, color=MARK_COLOR, linestyle="-.", linewidth=0.8, zorder=4)
            ax.annotate(
                f" none on {lim.cluster} from here",
                (lim.at, 0.03),
                xycoords=("data", "axes fraction"),
                fontsize=7,
            )


def panel(ax: Any, run: RunView, key: str, legend: dict[str, Any], plt: Any) -> None:
    """One workload: ready replicas stacked per cluster (or region), its own desired line,
    Pending replicas hatched above the ready ones, its thresholds and markers."""
    s = run.all_series[key]
    view = pn.panel_stacks(s, run.groups, run.end, run.order)
    if view.drawn:
        ax.stackplot(
            view.times,
            *(view.stacks[g] for g in view.drawn),
            step="post",
            alpha=0.9,
            colors=[run.colors[g] for g in view.drawn],
            zorder=2,
        )
    ax.step(
        view.times,
        view.desired,
        where="post",
        color=MARK_COLOR,
        linestyle="--",
        linewidth=1.2,
        zorder=4,
    )
    legend.setdefault("desired (each workload's own)", _handle(plt, line="--"))
    top = max([1, *view.desired, *view.ready])
    pend = run.pending.get(key)
    if pend:
        upper = [r + value_at(pend, t) for r, t in zip(view.ready, view.times, strict=True)]
        ax.fill_between(
            view.times,
            view.ready,
            upper,
            step="post",
            facecolor="none",
            hatch="////",
            edgecolor="#616161",
            linewidth=0,
            zorder=3,
        )
        legend.setdefault(
            "Pending (not scheduled)",
            plt.Rectangle((0, 0), 1, 1, facecolor="none", hatch="////", edgecolor="#616161"),
        )
        top = max(top, *upper)
    _limits(ax, run, key, view, legend, plt)
    for m in run.marks:
        mine = m.workload == key or (m.kind == "operation" and not m.workload)
        if mine and m.kind in MARKER_STYLE:
            sym, label = MARKER_STYLE[m.kind]
            _mark(ax, m.t, s.desired_at(m.t), sym)
            legend.setdefault(label, _handle(plt, sym))
            if m.kind == "operation":
                ax.annotate(
                    m.label + (f" {m.cluster}" if m.cluster else ""),
                    (m.t, s.desired_at(m.t)),
                    xytext=(3, 5),
                    textcoords="offset points",
                    fontsize=6,
                    rotation=45,
                    zorder=6,
                )
    labelled = ax.get_subplotspec().is_first_row()
    bands(ax, run, labels=labelled)
    lines = max(label_lines(run), default=-1) + 1 if labelled else 0
    ax.set_title(key + _figures_note(run.figures.get(key, {})), fontsize=9, loc="left")
    ax.set_ylim(0, pn.headroom(top + 0.5, lines, LABEL_STEP))
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_ylabel("ready", fontsize=FONT)
    ax.grid(alpha=0.3)


def _figures_note(fig: Any) -> str:
    parts = []
    if fig.get("availability") is not None:
        parts.append(f"availability {fig['availability']:.4f}")
    for k, label in (
        ("unavailable_replica_seconds", "unavailable"),
        ("pending_replica_seconds", "Pending"),
    ):
        if (fig.get(k) or 0) >= 0.05:
            parts.append(f"{label} {fig[k]:.1f} replica-s")
    return "".join(" · " + p for p in parts)


def strip(hx: Any, run: RunView, plt: Any) -> None:
    """Health per cluster as the federation saw it, Offline detections, failover deadlines."""
    index = {c: i for i, c in enumerate(run.clusters)}
    for c, spans in run.health.items():
        hx.broken_barh(
            [(t0, max(t1 - t0, 1e-9)) for t0, t1, _ in spans],
            (index[c] - 0.4, 0.8),
            facecolors=[HEALTH_COLORS.get(st, "#9e9e9e") for *_, st in spans],
            zorder=2,
        )
    handles = {st: plt.Rectangle((0, 0), 1, 1, color=col) for st, col in HEALTH_COLORS.items()}
    sym, label = MARKER_STYLE["detected"]
    for m in run.marks:
        if m.kind == "detected" and m.cluster in index:
            _mark(hx, m.t, index[m.cluster], sym, 8)
            handles[label] = _handle(plt, sym)
    for lim in run.limits:
        if lim.kind != "failover-within" or lim.cluster not in index or lim.value is None:
            continue
        for s in run.spans:
            if lim.cluster in s.clusters and s.kind in DISRUPTIVE:
                _mark(hx, s.t0 + lim.value, index[lim.cluster], "|", 14)
                handles["failover deadline"] = _handle(plt, "|")
    for kind in sorted(bands(hx, run, labels=False)):
        handles[f"fault: {kind}"] = plt.Rectangle(
            (0, 0),
            1,
            1,
            facecolor=FAULT_COLORS.get(kind, UNKNOWN_FAULT_COLOR),
            alpha=0.25,
            hatch=FAULT_HATCHES.get(kind, ""),
        )
    n = len(run.clusters)
    hx.set_ylim(-0.6, n - 0.4)
    if n <= 30:
        hx.set_yticks(range(n))
        hx.set_yticklabels(run.clusters, fontsize=7 if n <= 16 else 5)
    else:  # name the regions, not the clusters
        members: dict[str, list[int]] = {}
        for i, c in enumerate(run.clusters):
            members.setdefault(run.groups[c], []).append(i)
        hx.set_yticks([sum(ix) / len(ix) for ix in members.values()])
        hx.set_yticklabels(list(members), fontsize=7)
        for ix in members.values():
            hx.axhline(ix[0] - 0.5, color="white", linewidth=1.5, zorder=3)
    hx.set_xlabel("seconds")
    hx.set_title("cluster health as the federation saw it", fontsize=9, loc="left")
    height = hx.get_position().height * hx.figure.get_figheight()
    hx.legend(
        list(handles.values()),
        list(handles),
        loc="upper left",
        bbox_to_anchor=(1.01, 1),
        fontsize=FONT,
        ncol=pn.legend_columns(len(handles), height, FONT),
    )
