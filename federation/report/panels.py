"""What the run plots show, computed from timeline rows: which workloads get a panel, clusters
grouped by region, ready-replica stacks, Pending replicas, windowed availability, expectation
thresholds, and how many legend columns fit. Pure functions; plots.py draws them."""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from federation.recorder import Row
from federation.report.figures import Series, workload_figures

MAX_PANELS = 8  # workloads with a panel of their own unless chosen explicitly
MAX_STACKS = 12  # beyond this many clusters, stack them by region


# ------------------------------------------------------------------ which workloads


def resolve(name: str, keys: Sequence[str]) -> str:
    """The key `name` means: a full key, "ns/name" or "name" matching exactly one key."""
    if name in keys:
        return name
    found = [k for k in keys if k.split("/", 1)[-1] == name or k.rsplit("/", 1)[-1] == name]
    if len(found) == 1:
        return found[0]
    what = "ambiguous" if found else "unknown"
    raise ValueError(f"{what} workload {name!r} (known: {', '.join(sorted(keys)) or 'none'})")


@dataclass(frozen=True)
class Selection:
    shown: tuple[str, ...]
    left_out: tuple[str, ...]
    why: str  # how `shown` was chosen, for the figure


def select_panels(
    keys: Sequence[str],
    unavailable: Mapping[str, float],
    chosen: Sequence[str] | None = None,
    cap: int = MAX_PANELS,
) -> Selection:
    """The chosen workloads (in the given order; ValueError for an unknown one), else all of
    them when at most `cap`, else the `cap` with the most unavailable replica-seconds."""
    keys = sorted(keys)
    if chosen:
        shown = tuple(dict.fromkeys(resolve(n, keys) for n in chosen))
        return Selection(shown, tuple(k for k in keys if k not in shown), "chosen")
    if len(keys) <= cap:
        return Selection(tuple(keys), (), "all")
    ranked = sorted(keys, key=lambda k: (-unavailable.get(k, 0.0), k))
    return Selection(tuple(ranked[:cap]), tuple(ranked[cap:]), "most unavailable replica-seconds")


def unavailable_seconds(
    all_series: Mapping[str, Series], end: float, summary: Mapping[str, Any] | None
) -> dict[str, float]:
    """Unavailable replica-seconds per workload: summary.json's, or computed from the rows."""
    known = (summary or {}).get("workloads", {})
    out = {}
    for k, s in all_series.items():
        v = known.get(k, {}).get("unavailable_replica_seconds")
        if v is None:
            v = workload_figures(s, end)["unavailable_replica_seconds"]
        out[k] = float(v)
    return out


# ------------------------------------------------------------------ clusters and regions


def name_prefix(cluster: str) -> str:
    """A cluster name's group when no region is recorded: "eu-1" -> "eu", "usw2-a" -> "usw2",
    "m12" -> "m"."""
    if "-" in cluster.strip("-"):
        return cluster.strip("-").rsplit("-", 1)[0]
    return re.sub(r"\d+$", "", cluster) or cluster


def regions_of(
    clusters: Sequence[str],
    rows: Sequence[Row] = (),
    summary: Mapping[str, Any] | None = None,
    regions: Mapping[str, str] | None = None,
) -> tuple[dict[str, str], str, set[str]]:
    """Each cluster's region, where the regions came from, and the clusters whose region was
    recorded: `regions` given by the caller, else the `region` of its capacity rows, else
    summary.json's clusters; a cluster with none of these is grouped by its name prefix."""
    found = {c: r for c, r in (regions or {}).items() if r}
    for r in rows:
        if r.kind == "capacity" and r.cluster and r.fields.get("region"):
            found.setdefault(r.cluster, str(r.fields["region"]))
    listed = (summary or {}).get("clusters") or {}
    items = listed.items() if isinstance(listed, Mapping) else ((c.get("name"), c) for c in listed)
    for c, v in items:
        region = v.get("region") if isinstance(v, Mapping) else v
        if c and isinstance(region, str) and region:
            found.setdefault(str(c), region)
    out = {c: found.get(c) or name_prefix(c) for c in clusters}
    guessed = [c for c in clusters if c not in found]
    recorded = set(clusters) - set(guessed)
    if not guessed:
        return out, "region", recorded
    if len(guessed) == len(clusters):
        return out, "cluster-name prefix (no regions recorded)", recorded
    return out, "region (cluster-name prefix where none recorded)", recorded


def group_clusters(
    clusters: Sequence[str], region: Mapping[str, str], cap: int = MAX_STACKS
) -> tuple[dict[str, str], list[str]]:
    """cluster -> stack group, and the groups in drawing order. Up to `cap` clusters stack one
    by one; more stack by region, largest regions first; regions past `cap` fold into
    "others (N regions)" so that no colour is reused."""
    if len(clusters) <= cap:
        return {c: c for c in clusters}, list(clusters)
    members: dict[str, list[str]] = defaultdict(list)
    for c in clusters:
        members[region.get(c, c)].append(c)
    ranked = sorted(members, key=lambda g: (-len(members[g]), g))
    keep, rest = (ranked, []) if len(ranked) <= cap else (ranked[: cap - 1], ranked[cap - 1 :])
    others = f"others ({len(rest)} regions)"
    mapping = {c: (g if g in keep else others) for g, cs in members.items() for c in cs}
    order = sorted(keep) + ([others] if rest else [])
    return mapping, order


def headroom(top: float, label_lines: int, step: float = 0.08) -> float:
    """The y-axis top that keeps data `top` below `label_lines` lines of band labels, each
    `step` of the axes tall, hung from the top of the axes."""
    return top / max(0.3, min(1 / 1.12, 1 - step * label_lines - 0.05))


def legend_columns(entries: int, height_in: float, fontsize: float = 8.0) -> int:
    """Columns a legend of `entries` lines needs to fit `height_in` inches (matplotlib's default
    spacing: a line is about 1.5 font sizes tall, plus a border of about two font sizes)."""
    if entries <= 0:
        return 1
    rows = max(1, math.floor((height_in * 72 - 2 * fontsize) / (1.5 * fontsize)))
    return math.ceil(entries / rows)


# ------------------------------------------------------------------ what a panel draws


def _accumulate(deltas: Mapping[float, int], times: Sequence[float]) -> list[int]:
    out, acc = [], 0
    for t in times:
        acc += deltas.get(t, 0)
        out.append(acc)
    return out


@dataclass(frozen=True)
class PanelStacks:
    """One workload's panel: ready replicas per group (`drawn`, bottom first) and its desired
    replicas, as step series over `times`."""

    times: list[float]
    stacks: dict[str, list[int]]
    drawn: list[str]
    desired: list[int]

    @property
    def ready(self) -> list[int]:
        return [sum(self.stacks[g][i] for g in self.drawn) for i in range(len(self.times))]

    def band_at(self, group: str, t: float) -> tuple[int, int]:
        """(bottom, top) of `group`'s band in the stack at time `t`."""
        i = max(0, bisect_right(self.times, t) - 1)
        base = 0
        for g in self.drawn:
            if g == group:
                return base, base + self.stacks[g][i]
            base += self.stacks[g][i]
        return base, base


def panel_stacks(
    s: Series, groups: Mapping[str, str], end: float, order: Sequence[str] = ()
) -> PanelStacks:
    """One workload's ready replicas per group and its own desired replicas, as step series
    over every change time up to `end` (built from deltas: cost grows with changes). Groups
    stack in `order` (then by name), only those that ever have a ready replica."""
    by_group: dict[str, dict[float, int]] = defaultdict(lambda: defaultdict(int))
    for c, steps in s.ready.items():
        prev, g = 0, groups.get(c, c)
        for t, v in steps:
            by_group[g][min(t, end)] += v - prev
            prev = v
    desired: dict[float, int] = defaultdict(int)
    prev = 0
    for t, v in s.desired:
        desired[min(t, end)] += v - prev
        prev = v
    times = sorted({0.0, end, *desired, *(t for d in by_group.values() for t in d)})
    stacks = {g: _accumulate(d, times) for g, d in by_group.items()}
    rank = {g: i for i, g in enumerate(order)}
    drawn = sorted((g for g in stacks if any(stacks[g])), key=lambda g: (rank.get(g, len(rank)), g))
    return PanelStacks(times, stacks, drawn, _accumulate(desired, times))


def pending_steps(rows: Sequence[Row]) -> dict[str, list[tuple[float, int]]]:
    """Pending (unscheduled) replicas of each workload, all clusters summed, as steps."""
    per: dict[tuple[str, str], int] = {}
    total: dict[str, int] = defaultdict(int)
    out: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for r in sorted(rows, key=lambda r: r.t):
        if r.kind != "pending" or not r.workload:
            continue
        n = int(r.fields.get("pending", 0) or 0)
        total[r.workload] += n - per.get((r.cluster, r.workload), 0)
        per[(r.cluster, r.workload)] = n
        steps = out[r.workload]
        if steps and steps[-1][0] == r.t:
            steps[-1] = (r.t, total[r.workload])
        else:
            steps.append((r.t, total[r.workload]))
    return dict(out)


def _served_and_desired(s: Series) -> list[tuple[float, int, int]]:
    return [(t, min(s.total_at(t), s.desired_at(t)), s.desired_at(t)) for t in s.change_times()]


def instant_availability(s: Series, end: float) -> tuple[list[float], list[float]]:
    """min(ready, desired) / desired at every change (NaN while nothing is desired)."""
    pts = [(t, sv, d) for t, sv, d in _served_and_desired(s) if t <= end]
    times = [0.0, *(t for t, _, _ in pts), end]
    vals = [math.nan, *(sv / d if d > 0 else math.nan for _, sv, d in pts)]
    return times, [*vals, vals[-1]]


def windowed_availability(
    s: Series, end: float, window: float, samples: int = 600
) -> tuple[list[float], list[float]]:
    """Served over desired replica-seconds in the trailing `window` seconds, at `samples`
    evenly spaced times (the window is clipped at t=0; NaN while nothing is desired)."""
    pts = _served_and_desired(s)
    cuts = [t for t, _, _ in pts]
    cum_s, cum_d = [0.0], [0.0]
    for i in range(1, len(pts)):
        dt = pts[i][0] - pts[i - 1][0]
        cum_s.append(cum_s[-1] + pts[i - 1][1] * dt)
        cum_d.append(cum_d[-1] + pts[i - 1][2] * dt)

    def integral(t: float) -> tuple[float, float]:
        i = bisect_right(cuts, t) - 1
        if i < 0:
            return 0.0, 0.0
        dt = t - cuts[i]
        return cum_s[i] + pts[i][1] * dt, cum_d[i] + pts[i][2] * dt

    times = [end * i / samples for i in range(samples + 1)]
    vals = []
    for t in times:
        s1, d1 = integral(t)
        s0, d0 = integral(max(0.0, t - window))
        vals.append((s1 - s0) / (d1 - d0) if d1 - d0 > 1e-12 else math.nan)
    return times, vals


def availability_floor(
    curves: Iterable[tuple[Sequence[float], Sequence[float], float | None]],
    limits: Iterable[float] = (),
) -> float:
    """The bottom of availability.png's y-axis. Availability counts from a workload's first
    full availability (`start` of each curve); when every value from then on and every
    threshold is at least 0.5, the axis starts just below the lowest (on a 0.05 grid) so that a
    dip to 0.97 and a 0.99 threshold are told apart; otherwise at 0."""
    lows = []
    for ts, vs, start in curves:
        if start is None:  # never available: all of it counts
            return -0.02
        lows += [v for t, v in zip(ts, vs, strict=True) if t >= start and not math.isnan(v)]
    if not lows:  # nothing to zoom in on
        return -0.02
    lo = min([*lows, *limits])
    return -0.02 if lo < 0.5 else max(0.0, math.floor((lo - 0.02) * 20) / 20)


def window_for(end: float) -> float:
    """The availability window: 10 s, or longer for long runs (at least 1/60 of the run)."""
    return max(10.0, round(end / 60.0))
