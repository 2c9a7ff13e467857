"""Plots of a run: replicas.png (a panel per workload over a health strip per cluster) and
availability.png (windowed availability per workload against its threshold). matplotlib with
the Agg backend, imported only when plotting."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from federation.recorder import Row
from federation.report import panels as pn
from federation.report import traffic_plot
from federation.report.autoscaling_plot import draw_utilization, utilization
from federation.report.drawing import FONT, LABEL_STEP, bands, label_lines, panel, strip
from federation.report.figures import Series, workload_figures
from federation.report.palette import CLUSTER_PALETTE, MARK_COLOR
from federation.report.spans import short
from federation.report.traffic import by_service
from federation.report.view import RunView, prepare_view

MAX_PANELS = pn.MAX_PANELS


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_run(
    rows: Sequence[Row],
    out_dir: Path,
    *,
    title: str,
    end: float,
    clusters: Sequence[str] = (),
    summary: Mapping[str, Any] | None = None,
    workloads: Sequence[str] | None = None,
    regions: Mapping[str, str] | None = None,
    max_panels: int = MAX_PANELS,
) -> list[Path]:
    """Write replicas.png and availability.png (and traffic.png when the run has traffic) into
    out_dir; return their paths.

    `summary` (summary.json; by default out_dir/summary.json when there is one, which a run
    writes before its plots) adds expectation thresholds, per-workload figures and regions;
    `workloads` picks the workloads drawn (full key, "ns/name" or "name"; ValueError for an
    unknown one), else the `max_panels` with the most unavailable replica-seconds are;
    `regions` (cluster -> region) groups more than 12 clusters by region."""
    if summary is None:
        summary = _summary_in(out_dir)
    plt = _pyplot()
    run = prepare_view(rows, title, end, clusters, summary, workloads, regions, max_panels)
    out = [
        _replicas(plt, run, out_dir / "replicas.png", utilization(rows)),
        _availability(plt, run, out_dir / "availability.png"),
    ]
    services = by_service(rows)
    if services:
        out.append(traffic_plot.draw(plt, run, services, summary, out_dir / "traffic.png"))
    return out


def _summary_in(out_dir: Path) -> Mapping[str, Any] | None:
    try:
        doc = json.loads((out_dir / "summary.json").read_text())
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, Mapping) else None


def _left_out_note(run: RunView) -> str:
    sel = run.selection
    if not sel.left_out:
        return ""
    names = ", ".join(short(k) for k in sel.left_out[:4]) + (", …" if len(sel.left_out) > 4 else "")
    how = "chosen" if sel.why == "chosen" else f"the {len(sel.shown)} with the {sel.why}"
    return (
        f"{len(sel.shown)} of {len(sel.shown) + len(sel.left_out)} workloads shown ({how}); "
        f"{len(sel.left_out)} left out: {names}. Pick with `kfed plot DIR --workload W`."
    )


def _replicas(
    plt: Any, run: RunView, path: Path, util: Mapping[str, Any] | None = None
) -> Path:
    shown = run.selection.shown
    n = max(1, len(shown))
    panel_h = 3.4 if n == 1 else 2.1 if n <= 4 else 1.9
    strip_h = min(7.0, max(1.1, 0.24 * len(run.clusters) + 0.4))
    fig, axes = plt.subplots(
        n + 1,
        1,
        figsize=(12, n * panel_h + strip_h + 1.2),
        sharex=True,
        gridspec_kw={"height_ratios": [panel_h] * n + [strip_h]},
        squeeze=False,
    )
    axes = [a[0] for a in axes]
    legend: dict[str, Any] = {}
    for g in run.order:
        legend[g] = plt.Rectangle((0, 0), 1, 1, color=run.colors[g], alpha=0.9)
    for ax, key in zip(axes, shown, strict=False):
        panel(ax, run, key, legend, plt)
        if util and key in util:
            draw_utilization(ax, util[key], run.end, legend, plt)
    if not shown:
        axes[0].text(
            0.5,
            0.5,
            "no workload with replicas in this run",
            ha="center",
            transform=axes[0].transAxes,
        )
        bands(axes[0], run, labels=True)
    strip(axes[-1], run, plt)
    axes[-1].set_xlim(0, run.end)
    head = f"{run.title}: ready replicas per {run.grouped_by}"
    height_in = fig.get_figheight()
    fig.text(0.01, 1 - 0.08 / height_in, head, fontsize=11, ha="left", va="top")
    note = _left_out_note(run)
    if note:
        fig.text(0.01, 0.004, note, fontsize=FONT, va="bottom", ha="left", color="#424242")
    fig.tight_layout(rect=(0, 0.25 / height_in if note else 0, 1, 1 - 0.3 / height_in))
    height = sum(a.get_position().height for a in axes[:-1]) * fig.get_figheight()
    axes[0].legend(
        list(legend.values()),
        list(legend),
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        fontsize=FONT,
        ncol=pn.legend_columns(len(legend), height, FONT),
    )
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return path


def aggregate(all_series: Mapping[str, Series], keys: Sequence[str]) -> Series:
    """All of `keys` as one workload: desired summed, ready counted up to each one's desired
    (replica-weighted availability of the lot)."""
    out = Series()
    times = sorted({t for k in keys for t in all_series[k].change_times()})
    out.desired = [(t, sum(all_series[k].desired_at(t) for k in keys)) for t in times]
    for k in keys:
        s = all_series[k]
        out.ready[k] = [(t, min(s.total_at(t), s.desired_at(t))) for t in s.change_times()]
    return out


def _availability(plt: Any, run: RunView, path: Path) -> Path:
    fig, ax = plt.subplots(figsize=(12, 4.2))
    window = pn.window_for(run.end)
    lines: list[tuple[str, Series, str]] = [
        (k, run.all_series[k], CLUSTER_PALETTE[i % len(CLUSTER_PALETTE)])
        for i, k in enumerate(run.selection.shown)
    ]
    if run.selection.left_out:
        keys = sorted(run.all_series)
        lines.append(
            (
                f"all {len(keys)} workloads (replica-weighted)",
                aggregate(run.all_series, keys),
                MARK_COLOR,
            )
        )
    curves, limits = [], []
    for key, s, color in lines:
        start = workload_figures(s, run.end)["time_to_available"]
        ts, vs = pn.instant_availability(s, run.end)
        ax.step(ts, vs, where="post", color=color, linewidth=0.9, alpha=0.5, zorder=2)
        curves.append((ts, vs, start))
        ts, vs = pn.windowed_availability(s, run.end, window)
        curves.append((ts, vs, None if start is None else start + window))
        fig_ = run.figures.get(key, {})
        whole = (
            f" (whole run {fig_['availability']:.4f})"
            if fig_.get("availability") is not None
            else ""
        )
        ax.plot(ts, vs, color=color, linewidth=1.6, label=f"{short(key)}{whole}", zorder=3)
        for lim in run.limits:
            if lim.kind == "availability" and lim.workload == key and lim.value is not None:
                t0 = lim.t0 if lim.t0 is not None else 0.0
                t1 = lim.t1 if lim.t1 is not None else run.end
                ok = {True: "✓ passed", False: "✗ failed", None: ""}[lim.passed]
                limits.append(lim.value)
                ax.hlines(
                    lim.value,
                    t0,
                    t1,
                    colors=color,
                    linestyles="--",
                    linewidth=1.1,
                    label=f"{short(key)} min {lim.value:g} {ok}".rstrip(),
                    zorder=4,
                )
    bands(ax, run, labels=True)
    floor = pn.availability_floor(curves, limits)
    if floor > 0:  # the start-up falls below the axis: say why
        start = max(c[2] or 0.0 for c in curves[::2])
        ax.axvspan(0, start, facecolor="#bdbdbd", alpha=0.3, linewidth=0, zorder=0)
        ax.text(
            start,
            floor,
            f" start-up (before {start:.1f} s: not counted, below the axis)",
            fontsize=7,
            va="bottom",
            ha="left",
            color="#424242",
        )
    lines_up = max(label_lines(run), default=-1) + 1
    top = 1.0 + (1.0 - floor) * 0.03
    ax.set_ylim(floor, floor + pn.headroom(top - floor, lines_up, LABEL_STEP))
    ax.set_xlim(0, run.end)
    ax.set_ylabel("ready / desired")
    ax.set_xlabel("seconds")
    ax.set_title(
        f"{run.title}: availability (bold: over the last {window:g} s; faint: instant)",
        fontsize=11,
        loc="left",
    )
    ax.grid(alpha=0.3)
    handles, labels = ax.get_legend_handles_labels()
    note = _left_out_note(run)
    if note:
        fig.text(0.01, 0.004, note, fontsize=FONT, va="bottom", ha="left", color="#424242")
    fig.tight_layout(rect=(0, 0.25 / fig.get_figheight() if note else 0, 1, 1))
    height = ax.get_position().height * fig.get_figheight()
    ax.legend(
        handles,
        labels,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        fontsize=FONT,
        ncol=pn.legend_columns(len(handles), height, FONT),
    )
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return path
