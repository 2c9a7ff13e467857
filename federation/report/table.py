"""The summary table printed at the end of a run: plain text from summary.json, stable for logs."""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any


def render_summary(summary: Mapping[str, Any], width: int = 110) -> str:
    """The summary table printed at the end of a run (plain text, stable for CI logs)."""
    from rich.console import Console
    from rich.table import Table

    buf = io.StringIO()
    console = Console(
        width=width, file=buf, force_terminal=False, force_jupyter=False, color_system=None
    )
    head = (
        f"{summary['scenario']} on {summary['backend']}, seed {summary['seed']}: "
        f"{summary['simulated_seconds']:g} s simulated in {summary['wall_seconds']:.2f} s "
        f"wall, {summary['events']} events"
    )
    console.print(head)
    t = Table(title="workloads", title_justify="left")
    for col in (
        "workload",
        "desired",
        "availability",
        "unavail. replica-s",
        "max unavail.",
        "time to available",
    ):
        t.add_column(col, justify="left" if col == "workload" else "right")
    items = list(summary["workloads"].items())
    for key, w in items[:20]:
        t.add_row(
            key,
            str(w["desired"]),
            f"{w['availability']:.4f}",
            f"{w['unavailable_replica_seconds']:g}",
            str(w["max_unavailable"]),
            "-" if w["time_to_available"] is None else f"{w['time_to_available']:g}",
        )
    if len(items) > 20:
        avail = sum(w["availability"] for _, w in items) / len(items)
        t.add_row(
            f"... and {len(items) - 20} more (mean availability {avail:.4f})", "", "", "", "", ""
        )
    console.print(t)
    if summary["failovers"]:
        f = Table(title="failovers", title_justify="left")
        for col in ("cluster", "fault", "fault at", "detected", "evicted", "recovered"):
            f.add_column(col)
        for x in summary["failovers"][:30]:

            def rel(k: str, x: Mapping[str, Any] = x) -> str:
                v = x[k]
                return "-" if v is None else f"{v:g} (+{v - x['fault_at']:.1f})"

            f.add_row(
                x["cluster"],
                str(x["fault"]),
                f"{x['fault_at']:g}",
                rel("detected_at"),
                rel("evicted_at"),
                rel("recovered_at"),
            )
        console.print(f)
    if summary["expectations"]:
        e = Table(title="expectations", title_justify="left")
        for col in ("expectation", "value", "result"):
            e.add_column(col)
        for x in summary["expectations"]:
            e.add_row(
                x["description"],
                "-" if x["value"] is None else f"{x['value']}",
                "PASS" if x["passed"] else "FAIL",
            )
        console.print(e)
    return buf.getvalue()
