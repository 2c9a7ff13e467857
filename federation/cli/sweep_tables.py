"""The tables `kfed sweep` and `kfed survive` print: points with their pass rate and interval,
the expectations' legend, the search's answer and its assumption, the cheapest passing point;
failure sets beside the static check, the survivability matrix, the headroom."""

from __future__ import annotations

from typing import Any

from federation.report.table import grid

MAX_ROWS = 60


def _v(x: Any, fmt: str = "g") -> str:
    if x is None or (isinstance(x, float) and x != x):
        return "-"
    if isinstance(x, float) and x == float("inf"):
        return "never"
    return format(x, fmt) if isinstance(x, int | float) and not isinstance(x, bool) else str(x)


def _pct(x: Any) -> str:
    return "-" if x is None or x != x else f"{100 * x:.2f}"


def _legend(expectations: list[str]) -> str:
    return "".join(f"  expect.{i}: {d}\n" for i, d in enumerate(expectations))


def render_sweep(r: Any) -> str:
    paths = r.paths
    heads = [p.split(".")[-1] if len(p) > 24 else p for p in paths]
    headers = [
        *heads,
        "runs",
        "pass rate",
        "95 % interval",
        "avail. p5 (%)",
        "avail. p50 (%)",
        "failover p50 (s)",
        "failover p95 (s)",
        "cost ($/h)",
    ]
    rows = []
    for p in r.points.to_dict("records")[:MAX_ROWS]:
        rows.append(
            [
                *(_v(p[x]) for x in paths),
                str(p["runs"]),
                f"{p['pass_rate']:.2f}",
                f"{p['pass_rate_low']:.2f}–{p['pass_rate_high']:.2f}",
                _pct(p["availability_p5"]),
                _pct(p["availability_p50"]),
                _v(p["failover_p50_s"]),
                _v(p["failover_p95_s"]),
                f"{p['cost_per_hour']:.4f}",
            ]
        )
    if len(r.points) > MAX_ROWS:
        rows.append(
            [f"... and {len(r.points) - MAX_ROWS} more (points.csv)"] + [""] * (len(headers) - 1)
        )
    points = f"{len(r.points)} point{'s' if len(r.points) != 1 else ''}"
    title = (
        f"{r.scenario}: {len(r.runs)} runs ({points} x seeds 1..{r.seeds}) on "
        f"{r.engine} ({r.workers} worker{'s' if r.workers != 1 else ''})"
        + (", INTERRUPTED: what finished" if r.interrupted else "")
    )
    parts = [grid(title, headers, rows, right=range(len(headers)))]
    for a, h in zip(paths, heads, strict=True):
        if a != h:
            parts.append(f"  {h}: {a}\n")
    parts.append("a run passes when every expectation holds:\n" + _legend(r.expectations))
    for f in r.found:
        parts.append(f.describe() + "\n")
        if f.complete:
            sampled = ", ".join(f"{v} ({k}/{n})" for v, k, n in f.sampled)
            parts.append(f"  assumes {f.assumption}; sampled {sampled}\n")
        if f.counterexample:
            parts.append(f"  WARNING: {f.counterexample}\n")
    best = r.cheapest()
    if best is not None:
        where = ", ".join(f"{h}={_v(best[a])}" for a, h in zip(paths, heads, strict=True))
        parts.append(
            f"cheapest point with a pass rate >= {r.target:g}: {where} at "
            f"{best['cost_per_hour']:.4f} per hour\n"
        )
    else:
        parts.append(f"no point reaches a pass rate of {r.target:g}\n")
    return "".join(parts)


def render_survive(r: Any) -> str:
    n = len(r.expectations)
    headers = [
        "failure set",
        "runs",
        "pass rate",
        *(f"e{i}" for i in range(n)),
        "CPU req./cap.",
        "unplaced CPU",
        "unschedulable",
        "fits",
    ]
    rows = []
    for s in r.sets.to_dict("records"):
        cap = _v(s["cpu_capacity"])
        rows.append(
            [
                s["set"],
                str(s["runs"]),
                _v(s["pass_rate"], ".2f"),
                *(_v(s[f"expect.{i}.pass_rate"], ".2f") for i in range(n)),
                f"{_v(s['cpu_requested'])}/{cap}",
                _v(s["cpu_unplaced"]),
                str(s["unschedulable"]),
                "yes" if s["fits"] else "NO",
            ]
        )
    when = f"at {r.at:g} s" + (f" for {r.duration:g} s" if r.duration else " to the end")
    title = f"{r.scenario}: N-{r.k} by {r.domain}, outage {when}, seeds 1..{r.seeds}" + (
        ", INTERRUPTED: what finished" if r.interrupted else ""
    )
    parts = [grid(title, headers, rows, right=range(1, len(headers)))]
    parts.append(
        "eN: pass rate of expectation N (failoverWithin asks the same of the failed clusters);"
        " static check: one planning pass on the survivors\n" + _legend(r.expectations)
    )
    if len(r.matrix):
        mh = [
            "failure set",
            "workload",
            "avail. worst (%)",
            "unschedulable max",
            "Pending max",
            "recover p50 (s)",
            "recover max (s)",
        ]
        mrows = [
            [
                m["set"],
                m["workload"],
                _pct(m["availability_min"]),
                str(m["unschedulable_max"]),
                str(m["pending_max"]),
                _v(m["recover_p50_s"]) if m["affected"] else "unaffected",
                _v(m["recover_max_s"]) if m["affected"] else "-",
            ]
            for m in r.matrix.to_dict("records")[:MAX_ROWS]
        ]
        parts.append(grid("per failure set and workload", mh, mrows, right=range(2, len(mh))))
    verdict = "every failure set passes every seed" if r.survives else "some failure set fails"
    parts.append(f"{verdict}; provisioned capacity costs {r.capacity_per_hour:.4f} per hour\n")
    h = r.headroom
    if h is not None:
        if h.value is None:
            parts.append(f"headroom: {h.describe()}\n")
        else:
            parts.append(
                f"headroom: every set passes with capacity x{h.value:g} (sampled "
                f"{', '.join(f'x{v:g} {k}/{n}' for v, k, n in h.sampled)}), costing "
                f"{r.headroom_cost():.4f} per hour (assumes {h.assumption})\n"
            )
        if h.counterexample:
            parts.append(f"  WARNING: {h.counterexample}\n")
    return "".join(parts)
