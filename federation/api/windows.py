"""When an expectation is judged: a window (`during:` / `after:` a named timeline entry, or
`after:` a time, plus `settle:`) or an instant (`at:`, or an entry's start or end plus
`settle:`), resolved at load time to absolute seconds inside the run."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from federation.api.duration import is_duration
from federation.api.errors import Path, show
from federation.api.records import Ctx, seconds
from federation.api.scenario import Fault


@dataclass(frozen=True)
class Span:
    """A resolved window [start, stop] (an instant: start == stop) and how to describe it."""

    start: float
    stop: float
    phrase: str = ""  # "during m2-down", "after 90s + 10s settle"; "" = the whole run
    fault: str | None = None  # the named timeline entry, when one was referenced

    def text(self) -> str:
        """ " during m2-down (60–180s)", or "" for the whole run."""
        return f" {self.phrase} ({self.start:g}–{self.stop:g}s)" if self.phrase else ""


def _known(faults: Mapping[str, Fault]) -> str:
    return ", ".join(sorted(faults)) or "none; give a timeline entry a name"


def _fault(
    ctx: Ctx, path: Path, name: Any, faults: Mapping[str, Fault], what: str = "fault"
) -> Fault | None:
    f = faults.get(name) if isinstance(name, str) else None
    if f is None:
        ctx.error(path, f"unknown {what} {show(name)} (known: {_known(faults)})")
    return f


def _after(
    ctx: Ctx, path: Path, value: Any, faults: Mapping[str, Fault], end: float
) -> tuple[float, str, str | None] | None:
    """(start, phrase, fault name) of `after:` - a duration, or the end of a named entry."""
    if isinstance(value, str) and not is_duration(value):
        if value not in faults:
            ctx.error(
                path,
                f"must be a duration like '90s' or the name of a timeline entry "
                f"(known: {_known(faults)}), got {show(value)}",
            )
            return None
        f = faults[value]
        if f.end is None:
            ctx.error(path, f"{value} never ends (it has no duration): nothing comes after it")
            return None
        return f.end, f"after {value}", value
    t = seconds(ctx, path, value)
    return t, f"after {t:g}s", None


def _settle(ctx: Ctx, where: Path, body: Mapping[str, Any]) -> tuple[float, str]:
    if "settle" not in body:
        return 0.0, ""
    s = seconds(ctx, (*where, "settle"), body["settle"])
    return s, f" + {s:g}s settle"


def _late(ctx: Ctx, path: Path, what: str, t: float, end: float) -> bool:
    """Report `what` (a window's start, an instant) at or after the run's end."""
    if t >= end:
        ctx.error(path, what.format(t=f"{t:g}s", end=f"{end:g}s"))
        return True
    return False


def window(
    ctx: Ctx, where: Path, body: Mapping[str, Any], faults: Mapping[str, Fault], end: float
) -> Span:
    """The window of a window expectation: [0, end] unless `during`/`after`/`settle` say
    otherwise; problems go to `ctx` (the whole run is returned then)."""
    whole = Span(0.0, end)
    if "during" in body and "after" in body:
        ctx.error((*where, "after"), "give during or after, not both")
        return whole
    start, stop, phrase, fault = 0.0, end, "", None
    key = "during" if "during" in body else "after"
    if "during" in body:
        f = _fault(ctx, (*where, "during"), body["during"], faults)
        if f is None:
            return whole
        if f.end is not None and f.end <= f.at:
            ctx.error(
                (*where, "during"),
                f"{f.name} takes no time (an entry without a duration): nothing is during it; "
                f"use after: {f.name}",
            )
            return whole
        start, phrase, fault = f.at, f"during {f.name}", f.name
        stop = end if f.end is None else min(f.end, end)
    elif "after" in body:
        got = _after(ctx, (*where, "after"), body["after"], faults, end)
        if got is None:
            return whole
        start, phrase, fault = got
    settle, extra = _settle(ctx, where, body)
    if settle:
        start, phrase, key = start + settle, (phrase or "from 0s") + extra, "settle"
    if phrase and _late(
        ctx,
        (*where, key),
        "the window starts at {t}, at or after the run's end ({end})",
        start,
        end,
    ):
        return whole
    if stop <= start:
        ctx.error(
            (*where, key),
            f"the window is empty: it starts at {start:g}s and ends at {stop:g}s",
        )
        return whole
    return Span(start, stop, phrase, fault)


def instant(
    ctx: Ctx, where: Path, body: Mapping[str, Any], faults: Mapping[str, Fault], end: float
) -> Span | None:
    """The instant of `replicasOn`: `at`, or the start (`during`) or end (`after`) of a named
    entry, plus `settle`; None (after reporting) when it cannot be resolved."""
    given = [k for k in ("at", "after", "during") if k in body]
    if not given:
        ctx.error(where, "needs one of at, after or during")
        return None
    if len(given) > 1:
        ctx.error((*where, given[1]), f"give only one of {', '.join(given)}")
        return None
    key = given[0]
    phrase, fault = "", None
    if key == "at":
        t = seconds(ctx, (*where, "at"), body["at"])
    elif key == "during":
        f = _fault(ctx, (*where, "during"), body["during"], faults)
        if f is None:
            return None
        t, phrase, fault = f.at, f"the start of {f.name}", f.name
    else:
        got = _after(ctx, (*where, "after"), body["after"], faults, end)
        if got is None:
            return None
        t, phrase, fault = got
        if fault is not None:
            phrase = f"the end of {fault}"
    settle, extra = _settle(ctx, where, body)
    if settle:
        t, phrase, key = t + settle, (phrase or f"{t:g}s") + extra, "settle"
    if _late(ctx, (*where, key), "{t} is at or after the run's end ({end})", t, end):
        return None
    return Span(t, t, phrase, fault)


def of_fault(
    ctx: Ctx, where: Path, body: Mapping[str, Any], faults: Mapping[str, Fault], end: float
) -> Span | None:
    """The window of the one fault `failoverWithin.fault` names, which must hit its cluster."""
    if "fault" not in body:
        return None
    f = _fault(ctx, (*where, "fault"), body["fault"], faults)
    if f is None:
        return None
    cluster = body.get("cluster")
    if f.kind == "load-surge" or (f.clusters and cluster not in f.clusters):
        hits = ", ".join(f.clusters) or f.params.get("workload", "a workload")
        ctx.error((*where, "fault"), f"{f.name} does not hit cluster {cluster} (it hits {hits})")
        return None
    stop = end if f.end is None else min(f.end, end)
    return Span(f.at, stop, f"of {f.name}", f.name)
