"""Plots of sweeps and survivability: pass rate with its Wilson interval against each swept
parameter, a heat map when two are swept, cost against availability with the cheapest passing
point marked, and the survivability matrix beside the survivors' CPU use. Drawn on matplotlib
`Figure` objects (no pyplot, so a notebook's backend is left alone)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from federation.report.palette import CLUSTER_PALETTE, HEALTH_COLORS

PASS, FAIL, MARK = HEALTH_COLORS["Ready"], HEALTH_COLORS["Offline"], "#212121"
MAX_LINES = 6


def _figure(w: float, h: float) -> Any:
    from matplotlib.figure import Figure

    return Figure(figsize=(w, h), dpi=110, layout="constrained")


def _short(path: str) -> str:
    return path if len(path) <= 48 else "…" + path[-47:]


def _order(v: Any) -> tuple[int, Any]:
    """Numbers by value, then everything else by its text."""
    if isinstance(v, int | float) and not isinstance(v, bool):
        return (0, v)
    return (1, str(v))


def _x(points: Any, path: str) -> tuple[list[Any], bool]:
    xs = list(points[path])
    numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in xs)
    return xs, numeric


def _pooled(points: Any, path: str) -> Any:
    """Pass rates of one parameter over every value of the others (passes and runs summed)."""
    from federation.planning.statistics import wilson

    g = points.groupby(path, sort=True)[["passed", "runs"]].sum().reset_index()
    g["pass_rate"] = g["passed"] / g["runs"]
    bounds = [wilson(int(k), int(n)) for k, n in zip(g["passed"], g["runs"], strict=True)]
    g["pass_rate_low"] = [b[0] for b in bounds]
    g["pass_rate_high"] = [b[1] for b in bounds]
    return g


def pass_rate(points: Any, paths: Sequence[str], target: float, title: str, out: Path) -> Path:
    """pass_rate.png: a panel per swept parameter (a line per value of the other one when
    there are two and few values, else pooled over the others)."""
    fig = _figure(6.4 * min(len(paths), 2), 3.6 * ((len(paths) + 1) // 2))
    axes = fig.subplots((len(paths) + 1) // 2, min(len(paths), 2), squeeze=False).ravel()
    for ax, path in zip(axes, paths, strict=False):
        others = [p for p in paths if p != path]
        combos = list(itertools.product(*(sorted(set(points[o]), key=_order) for o in others)))
        groups: list[tuple[str, Any]]
        if others and len(combos) <= MAX_LINES:
            groups = []
            for combo in combos:
                mask = points[others[0]] == combo[0]
                for o, v in zip(others[1:], combo[1:], strict=True):
                    mask &= points[o] == v
                label = ", ".join(
                    f"{_short(o).split('.')[-1]}={v}" for o, v in zip(others, combo, strict=True)
                )
                groups.append((label, points[mask].sort_values(path)))
        else:
            groups = [
                (
                    "all runs" if others else "",
                    _pooled(points, path) if others else points.sort_values(path),
                )
            ]
        for i, (label, g) in enumerate(groups):
            xs, numeric = _x(g, path)
            pos = xs if numeric else list(range(len(xs)))
            rate = list(g["pass_rate"])
            low = [r - lo for r, lo in zip(rate, g["pass_rate_low"], strict=True)]
            high = [hi - r for r, hi in zip(rate, g["pass_rate_high"], strict=True)]
            ax.errorbar(
                pos,
                rate,
                yerr=[low, high],
                marker="o",
                ms=4,
                capsize=3,
                lw=1.2,
                color=CLUSTER_PALETTE[i % len(CLUSTER_PALETTE)],
                label=label or None,
            )
            if not numeric:
                ax.set_xticks(pos, [str(x) for x in xs], rotation=30, fontsize=7)
        ax.axhline(target, color="grey", ls=":", lw=1, label=f"target {target:g}")
        ax.set_ylim(-0.03, 1.03)
        ax.set_xlabel(_short(path), fontsize=8)
        ax.set_ylabel("pass rate (95 % Wilson interval)", fontsize=8)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="lower right")
    for ax in axes[len(paths) :]:
        ax.set_visible(False)
    fig.suptitle(title, fontsize=10)
    path_out = out / "pass_rate.png"
    fig.savefig(path_out)
    return path_out


def heatmap(points: Any, paths: Sequence[str], title: str, out: Path) -> Path:
    """heatmap.png: pass rate over two swept parameters, each cell annotated."""
    a, b = paths
    table = points.pivot_table(index=a, columns=b, values="pass_rate", aggfunc="mean")
    fig = _figure(1.2 + 0.7 * len(table.columns) + 2, 1.2 + 0.45 * len(table.index) + 1)
    ax = fig.subplots()
    im = ax.imshow(table.values, cmap="RdYlGn", vmin=0, vmax=1, aspect="auto", origin="lower")
    ax.set_xticks(range(len(table.columns)), [str(c) for c in table.columns], fontsize=7)
    ax.set_yticks(range(len(table.index)), [str(i) for i in table.index], fontsize=7)
    for (i, j), v in zip(
        itertools.product(range(len(table.index)), range(len(table.columns))),
        table.values.ravel(),
        strict=True,
    ):
        if v == v:
            ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=6)
    ax.set_xlabel(_short(b), fontsize=8)
    ax.set_ylabel(_short(a), fontsize=8)
    fig.colorbar(im, ax=ax, label="pass rate")
    fig.suptitle(title, fontsize=10)
    path_out = out / "heatmap.png"
    fig.savefig(path_out)
    return path_out


def cost(points: Any, target: float, cheapest: Any, title: str, out: Path) -> Path:
    """cost.png: cost per hour against availability (p50, with p5 below it), a point per grid
    point coloured by whether it meets the target, the cheapest one that does marked."""
    fig = _figure(6.4, 4.0)
    ax = fig.subplots()
    ok = points["pass_rate"] >= target
    for mask, color, label in ((ok, PASS, f"pass rate >= {target:g}"), (~ok, FAIL, "below")):
        g = points[mask]
        if g.empty:
            continue
        p50, p5 = list(g["availability_p50"]), list(g["availability_p5"])
        ax.errorbar(
            g["cost_per_hour"],
            p50,
            yerr=[[m - lo for m, lo in zip(p50, p5, strict=True)], [0] * len(p50)],
            fmt="o",
            ms=5,
            color=color,
            capsize=2,
            lw=0.8,
            label=label,
        )
    if cheapest is not None:
        ax.plot(
            [cheapest["cost_per_hour"]],
            [cheapest["availability_p50"]],
            marker="*",
            ms=16,
            color=MARK,
            ls="none",
            label="cheapest passing",
        )
        ax.annotate(
            f"  {cheapest['cost_per_hour']:.4g}/h",
            (cheapest["cost_per_hour"], cheapest["availability_p50"]),
            fontsize=7,
            va="top",
        )
    ax.set_xlabel("cost per hour (provisioned capacity)", fontsize=8)
    ax.set_ylabel("availability p50 (bar down to p5)", fontsize=8)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="lower right")
    fig.suptitle(title, fontsize=10)
    path_out = out / "cost.png"
    fig.savefig(path_out)
    return path_out


def survive(sets: Any, matrix: Any, title: str, out: Path) -> Path:
    """survive.png: worst availability per failure set and workload, beside the survivors'
    requested CPU against their capacity (the static check)."""
    labels = list(sets["set"])
    workloads = sorted(set(matrix["workload"])) if len(matrix) else []
    fig = _figure(4 + 1.1 * max(len(workloads), 1) + 4, 1.6 + 0.42 * max(len(labels), 1))
    left, right = fig.subplots(1, 2, width_ratios=[max(len(workloads), 1), 3])
    if workloads:
        table = matrix.pivot_table(index="set", columns="workload", values="availability_min")
        table = table.reindex(index=labels, columns=workloads)
        im = left.imshow(table.values, cmap="RdYlGn", vmin=0.5, vmax=1, aspect="auto")
        for (i, j), v in zip(
            itertools.product(range(len(labels)), range(len(workloads))),
            table.values.ravel(),
            strict=True,
        ):
            if v == v:
                left.text(j, i, f"{100 * v:.1f}", ha="center", va="center", fontsize=6)
        left.set_xticks(
            range(len(workloads)),
            [w.split("/", 1)[-1] for w in workloads],
            rotation=30,
            fontsize=7,
            ha="right",
        )
        fig.colorbar(im, ax=left, label="worst availability", shrink=0.8)
    left.set_yticks(range(len(labels)), labels, fontsize=7)
    left.set_title("availability, worst seed", fontsize=8)
    use = [(r or 0.0) for r in sets["cpu_utilization"]] if "cpu_utilization" in sets else []
    colors = [PASS if fits else FAIL for fits in sets.get("fits", [])]
    right.barh(range(len(labels)), use, color=colors)
    right.axvline(1.0, color=MARK, ls=":", lw=1)
    right.set_yticks(range(len(labels)), labels, fontsize=7)
    right.invert_yaxis()
    right.set_xlabel("survivors' requested CPU / capacity", fontsize=8)
    right.set_title("static check (red: replicas fit nowhere)", fontsize=8)
    right.grid(alpha=0.3, axis="x")
    fig.suptitle(title, fontsize=10)
    path_out = out / "survive.png"
    fig.savefig(path_out)
    return path_out
