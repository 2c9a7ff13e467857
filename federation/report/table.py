"""The summary table printed at the end of a run: plain text from summary.json, stable for logs,
units in the column headers. Drawn here rather than with rich, whose import alone took about a
tenth of `kfed run`'s start-up."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from federation.report.cost import priced

MAX_WORKLOADS, MAX_FAILOVERS = 20, 30


def grid(
    title: str, headers: Sequence[str], rows: Iterable[Sequence[str]], right: Iterable[int] = ()
) -> str:
    """A titled box table (a heavy line under the header), columns `right` right-aligned."""
    body = [list(r) for r in rows]
    widths = [max(len(h), *(len(r[i]) for r in body)) for i, h in enumerate(headers)]
    right = set(right)

    def line(cells: Sequence[str], bar: str) -> str:
        padded = [
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return f"{bar} " + f" {bar} ".join(padded) + f" {bar}"

    def rule(left: str, fill: str, mid: str, end: str) -> str:
        return left + mid.join(fill * (w + 2) for w in widths) + end

    out = [title, rule("┏", "━", "┳", "┓"), line(headers, "┃"), rule("┡", "━", "╇", "┩")]
    out += [line(r, "│") for r in body]
    out.append(rule("└", "─", "┴", "┘"))
    return "\n".join(out) + "\n"


def _num(v: Any) -> str:
    return "-" if v is None else f"{v:g}"


def ready_at_end(rows: Iterable[Any], clusters: Sequence[str]) -> dict[str, dict[str, int]]:
    """Ready replicas of each workload on each cluster when the run ended (for `-o wide`)."""
    from federation.report.figures import series

    out = {}
    for key, s in series(rows).items():
        out[key] = {c: (s.ready[c][-1][1] if s.ready.get(c) else 0) for c in clusters}
    return out


def render_summary(
    summary: Mapping[str, Any],
    width: int = 110,
    *,
    wide: bool = False,
    ready: Mapping[str, Mapping[str, int]] | None = None,
) -> str:
    """The summary table printed at the end of a run; `wide` adds columns: the ready replicas
    per cluster at the end (from `ready`, see `ready_at_end`) and the failover durations.
    `width` is kept for callers of the rich version: lines are never folded."""
    del width
    head = (
        f"{summary['scenario']} on {summary['backend']}, seed {summary['seed']}: "
        f"{summary['simulated_seconds']:g} s simulated in {summary['wall_seconds']:.2f} s "
        f"wall, {summary['events']} events"
    )
    if wide:
        head += (
            f", {summary.get('evictions', 0)} evictions, "
            f"{summary.get('health_transitions', 0)} health transitions"
        )
    parts = [head + "\n"]
    clusters = list(dict.fromkeys(c for per in (ready or {}).values() for c in per)) if wide else []
    headers = [
        "workload",
        "desired",
        "availability (%)",
        "unavail. (replica-s)",
        "max unavail.",
        "to available (s)",
    ]
    headers += [f"ready on {c}" for c in clusters]
    items = list(summary["workloads"].items())
    rows = []
    for key, w in items[:MAX_WORKLOADS]:
        row = [
            key,
            str(w["desired"]),
            f"{100 * w['availability']:.2f}",
            _num(w["unavailable_replica_seconds"]),
            str(w["max_unavailable"]),
            _num(w["time_to_available"]),
        ]
        rows.append(row + [str((ready or {}).get(key, {}).get(c, 0)) for c in clusters])
    if len(items) > MAX_WORKLOADS:
        avail = sum(w["availability"] for _, w in items) / len(items)
        more = f"... and {len(items) - MAX_WORKLOADS} more (mean availability {100 * avail:.2f} %)"
        rows.append([more] + [""] * (len(headers) - 1))
    title = "workloads (ready on X: ready replicas on cluster X at the end)" if clusters else ""
    parts.append(grid(title or "workloads", headers, rows, right=range(1, len(headers))))
    if summary["failovers"]:
        parts.append(_failovers(summary["failovers"], wide))
    if summary.get("traffic"):
        parts.append(_traffic(summary["traffic"], summary.get("cost") or {}))
    if summary["expectations"]:
        rows = [
            [
                x["description"],
                "-" if x["value"] is None else f"{x['value']}",
                "PASS" if x["passed"] else "FAIL",
            ]
            for x in summary["expectations"]
        ]
        parts.append(grid("expectations", ["expectation", "value", "result"], rows))
    if summary.get("cost") and priced(summary["cost"]):
        parts.append(_cost(summary["cost"]))
    return "".join(parts)


def _money(v: Any) -> str:
    return "-" if v is None else f"{v:,.4f}"


def _cost(cost: Mapping[str, Any]) -> str:
    headers = [
        "cluster",
        "CPUs",
        "memory (GiB)",
        "capacity ($/h)",
        "requested CPUs",
        "requested (GiB)",
        "used ($/h)",
    ]
    rows = [
        [
            name,
            _num(c["cpu"]),
            _num(c["memory_gib"]),
            _money(c["capacity_per_hour"]),
            f"{c['requested_cpu']:.2f}",
            f"{c['requested_memory_gib']:.2f}",
            _money(c["used_per_hour"]),
        ]
        for name, c in cost["clusters"].items()
    ]
    egress = cost.get("egress_per_hour")
    title = f"cost: {_money(cost['total_per_hour'])} per hour"

    def total(name: str, capacity: float, used: float) -> list[str]:
        return [name, "", "", _money(capacity), "", "", _money(used)]

    if egress is None:
        rows.append(total("total", cost["capacity_per_hour"], cost["used_per_hour"]))
    else:  # the traffic model's egress adds to both: it is paid for what was used
        rows.append(total("clusters", cost["capacity_per_hour"], cost["used_per_hour"]))
        rows.append(total("network egress", egress, egress))
        rows.append(total("total", cost["total_per_hour"], cost["used_per_hour"] + egress))
        title += f" = capacity {_money(cost['capacity_per_hour'])} + egress {_money(egress)}"
    title += " (requested: averaged over the run; $ = the clusters' price unit)"
    return grid(title, headers, rows, right=range(1, len(headers)))


def _failovers(failovers: Sequence[Mapping[str, Any]], wide: bool) -> str:
    headers = [
        "cluster",
        "fault",
        "fault at (s)",
        "detected (s)",
        "evicted (s)",
        "recovered (s)",
    ]
    if wide:
        headers += ["to detect (s)", "to evict (s)", "to fail over (s)"]
    rows = []
    for x in failovers[:MAX_FAILOVERS]:
        at = x["fault_at"]
        keys = ("detected_at", "evicted_at", "recovered_at")
        if wide:
            times = [_num(x[k]) for k in keys]
            since = ["-" if x[k] is None else f"{x[k] - at:.3f}" for k in keys]
        else:
            times = ["-" if x[k] is None else f"{x[k]:g} (+{x[k] - at:.1f})" for k in keys]
            since = []
        rows.append([x["cluster"], str(x["fault"]), f"{at:g}", *times, *since])
    if len(failovers) > MAX_FAILOVERS:
        rows.append([f"... and {len(failovers) - MAX_FAILOVERS} more"] + [""] * (len(headers) - 1))
    return grid("failovers", headers, rows, right=range(2, len(headers)))


def _traffic(t: Mapping[str, Any], cost: Mapping[str, Any]) -> str:
    """Per service and client region, then the drain after each fault."""
    headers = ["service", "clients in", "requests", "failed", "success (%)", "p50 (ms)", "p99 (ms)"]
    headers += ["egress (GB)", "egress ($)"]
    rows = []
    for key, svc in list(t["services"].items())[:MAX_WORKLOADS]:
        for region, f in [*svc["regions"].items(), ("all", svc["all"])]:
            rate = f["success_rate"]
            rows.append(
                [
                    key,
                    region,
                    f"{f['requests']:.0f}",
                    f"{f['failed']:.0f}",
                    "-" if rate is None else f"{100 * rate:.3f}",
                    _num(f["latency_p50_ms"]),
                    _num(f["latency_p99_ms"]),
                    f"{f['egress_gb']:.3f}",
                    f"{f['egress_cost']:.4f}",
                ]
            )
    per_hour = cost.get("egress_per_hour")
    title = "traffic (" + t.get("model", "") + ")"
    if per_hour is not None:
        title += f"; egress ${per_hour:.4f}/h"
    out = grid(title, headers, rows, right=range(2, len(headers)))
    if t.get("faults"):
        rows = [
            [
                f"{d['fault']} of {', '.join(d['clusters'])}",
                f"{d['at']:g}",
                d["service"],
                "never" if d["drain_seconds"] is None else f"{d['drain_seconds']:g}",
                f"{d['failed']:.0f}",
                f"{d['failed_elsewhere']:.0f}",
            ]
            for d in t["faults"][:MAX_FAILOVERS]
        ]
        out += grid(
            "drains (until under 1 % of new requests go to the failed clusters)",
            ["fault", "at (s)", "service", "drain (s)", "failed there", "failed elsewhere"],
            rows,
            right=range(1, 6),
        )
    return out
