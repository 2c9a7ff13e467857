"""The autoscaler on the replicas plot: the utilization each HPA read (its `autoscale` rows), on a
right-hand axis in % of the CPU request, over the panel whose desired line it moves."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from federation.recorder import Row

UTILIZATION_COLOR = "#6a1b9a"


def utilization(rows: Sequence[Row]) -> dict[str, dict[str, list[tuple[float, float]]]]:
    """workload -> HPA ("" = the FederatedHPA, else the member) -> (t, utilization %) steps."""
    out: dict[str, dict[str, list[tuple[float, float]]]] = {}
    for r in rows:
        if r.kind != "autoscale" or r.fields.get("utilization") is None:
            continue
        steps = out.setdefault(r.workload, {}).setdefault(r.cluster, [])
        u = float(r.fields["utilization"])
        if not steps or steps[-1][1] != u:
            steps.append((r.t, u))
    return out


def draw_utilization(
    ax: Any,
    per_hpa: Mapping[str, Sequence[tuple[float, float]]],
    end: float,
    legend: dict[str, Any],
    plt: Any,
) -> None:
    twin = ax.twinx()
    top = 100.0
    for i, (where, steps) in enumerate(sorted(per_hpa.items())):
        if not steps:
            continue
        xs = [t for t, _ in steps] + [end]
        ys = [u for _, u in steps] + [steps[-1][1]]
        style = "-" if where == "" else (0, (1, 1 + i % 3))
        twin.step(xs, ys, where="post", color=UTILIZATION_COLOR, lw=0.9, ls=style, alpha=0.8)
        top = max(top, max(ys))
    twin.set_ylim(0, top * 1.15)
    twin.set_ylabel("HPA utilization (%)", color=UTILIZATION_COLOR, fontsize=7)
    twin.tick_params(axis="y", labelsize=7, colors=UTILIZATION_COLOR)
    label = "utilization the HPA read (%)" if "" in per_hpa else "members' HPA utilization (%)"
    legend[label] = plt.Line2D([0], [0], color=UTILIZATION_COLOR, lw=0.9)
