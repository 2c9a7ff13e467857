"""traffic.png: per federated service, requests per second served by each cluster (stacked) with
the failed ones on top, and the p99 latency of each client region's served requests, over the
run, with the fault bands. Computed from the `traffic` and `serving` rows; drawn with the pyplot
passed in (never imported here)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from federation.report.drawing import FONT, bands
from federation.report.palette import CLUSTER_PALETTE, OTHERS_COLOR
from federation.report.traffic import EMPTY, ServiceRows, _Cursor, failures
from federation.report.view import RunView
from federation.traffic.queueing import Piece, quantile

FAILED_COLOR = "#212121"  # failed requests: near-black, hatched (no hue of health or cluster)
MAX_SERVICES = 4


@dataclass
class TrafficSteps:
    """One service over the run as step functions sampled at every change."""

    times: list[float] = field(default_factory=list)
    served: dict[str, list[float]] = field(default_factory=dict)  # cluster -> requests/s
    failed: list[float] = field(default_factory=list)
    p99: dict[str, list[float | None]] = field(default_factory=dict)  # region -> ms


def steps(s: ServiceRows, end: float) -> TrafficSteps:
    out = TrafficSteps()
    times = s.times(0.0, end)
    reg = {g: _Cursor(v) for g, v in s.regions.items()}
    clu = {c: _Cursor(v) for c, v in s.clusters.items()}
    for g in s.regions:
        out.p99[g] = []
    for c in sorted(s.clusters):
        out.served[c] = []
    for t in times:
        serving = {c: cur.at(t) for c, cur in clu.items()}
        served = dict.fromkeys(out.served, 0.0)
        failed = 0.0
        for g, cur in reg.items():
            f = cur.at(t)
            failed += sum(failures(f, serving).values()) if f else 0.0
            pieces = []
            lost = f.get("lost", EMPTY)
            for c, v in f.get("sent", EMPTY).items():
                sv = serving.get(c, EMPTY)
                rate = (float(v) - float(lost.get(c, 0.0))) * float(sv.get("served", 0.0))
                if rate > 0:
                    served[c] = served.get(c, 0.0) + rate
                    shift = (float(f["rtt_ms"][c]) + float(sv.get("service_ms", 0.0))) / 1e3
                    cap = float(sv.get("timeout_ms", 0.0)) / 1e3
                    pieces.append(Piece(rate, shift, float(sv["wait_p"]), sv["wait_rate"], cap))
            q = quantile(pieces, 0.99)
            out.p99[g].append(None if q is None else q * 1000.0)
        out.times.append(t)
        for c in out.served:
            out.served[c].append(served.get(c, 0.0))
        out.failed.append(failed)
    return out


def chosen(services: Mapping[str, ServiceRows], summary: Mapping[str, Any] | None) -> list[str]:
    """The services drawn: the MAX_SERVICES with the most failed requests (then by name)."""
    figs = ((summary or {}).get("traffic") or {}).get("services") or {}

    def failed(key: str) -> float:
        return float((figs.get(key) or {}).get("all", {}).get("failed") or 0.0)

    return sorted(services, key=lambda k: (-failed(k), k))[:MAX_SERVICES]


def draw(
    plt: Any,
    run: RunView,
    services: Mapping[str, ServiceRows],
    summary: Mapping[str, Any] | None,
    path: Path,
) -> Path:
    keys = chosen(services, summary)
    clusters = sorted({c for k in keys for c in services[k].clusters})
    spare = [x for x in CLUSTER_PALETTE if x not in run.colors.values()] or [OTHERS_COLOR]
    colors = {  # each cluster's colour in replicas.png, when it has one of its own there
        c: run.colors.get(c) or spare[i % len(spare)] for i, c in enumerate(clusters)
    }
    n = max(1, len(keys))
    fig, axes = plt.subplots(
        2 * n, 1, figsize=(12, 4.6 * n + 0.6), sharex=True, squeeze=False,
        gridspec_kw={"height_ratios": [2.2, 1.2] * n},
    )  # fmt: skip
    axes = [a[0] for a in axes]
    for k, key in enumerate(keys):
        _service(plt, run, key, steps(services[key], run.end), colors, axes[2 * k : 2 * k + 2])
    if not keys:
        axes[0].text(0.5, 0.5, "no traffic in this run", ha="center", transform=axes[0].transAxes)
    axes[-1].set_xlim(0, run.end)
    axes[-1].set_xlabel("seconds")
    fig.suptitle(f"{run.title}: requests per second and p99 latency", x=0.01, ha="left")
    fig.tight_layout()
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return path


def _service(
    plt: Any,
    run: RunView,
    key: str,
    st: TrafficSteps,
    colors: Mapping[str, str],
    axes: Sequence[Any],
) -> None:
    top, low = axes
    xs = [*st.times, run.end]

    def ext(v: list[float]) -> list[float]:
        return [*v, v[-1]] if v else [0.0, 0.0]

    drawn = [c for c in st.served if any(v > 0 for v in st.served[c])]
    if drawn:
        top.stackplot(
            xs, *(ext(st.served[c]) for c in drawn), step="post", alpha=0.9,
            colors=[colors[c] for c in drawn], labels=[f"served by {c}" for c in drawn], zorder=2,
        )  # fmt: skip
    base = [sum(st.served[c][i] for c in drawn) for i in range(len(st.times))]
    upper = [b + f for b, f in zip(base, st.failed, strict=True)]
    if any(f > 0 for f in st.failed):
        top.fill_between(
            xs, ext(base), ext(upper), step="post", facecolor="none", hatch="xxxx",
            edgecolor=FAILED_COLOR, linewidth=0, label="failed", zorder=3,
        )  # fmt: skip
    bands(top, run, labels=True)
    top.set_ylabel("requests/s")
    top.set_ylim(0, max([1.0, *upper]) * 1.25)
    top.set_title(f"{key}: served per cluster, failed on top", fontsize=10, loc="left")
    top.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=FONT)
    top.grid(alpha=0.3)
    for i, (g, vals) in enumerate(sorted(st.p99.items())):
        ys = [v if v is not None else float("nan") for v in vals]
        color = CLUSTER_PALETTE[(i + 3) % len(CLUSTER_PALETTE)]
        low.step(xs, [*ys, ys[-1]] if ys else [0, 0], where="post", color=color, label=g)
    bands(low, run, labels=False)
    seen = [v for vals in st.p99.values() for v in vals if v]
    if seen and max(seen) > 20 * min(seen):
        low.set_yscale("log")
        low.set_ylabel("p99 ms (log)")
    else:
        low.set_ylim(0, max([1.0, *seen]) * 1.15)
        low.set_ylabel("p99 ms")
    low.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=FONT, title="clients in")
    low.grid(alpha=0.3, which="both")
