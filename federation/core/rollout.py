"""A Deployment's rollout on one member, by Kubernetes' deployment controller rules: the
strategy of a Deployment template, its fenceposts (maxSurge rounded up, maxUnavailable rounded
down, both zero resolving to one unavailable), and the next sizes of its ReplicaSets given what
is available. Pure: the sim's member model carries the sizes out on pods; real members run the
real controller.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

DEFAULT_SURGE = "25%"
DEFAULT_UNAVAILABLE = "25%"
_PERCENT = re.compile(r"^([0-9]+)%$")

IntOrPercent = int | str


@dataclass(frozen=True)
class Strategy:
    """`spec.strategy` and `spec.minReadySeconds` of a Deployment."""

    type: Literal["RollingUpdate", "Recreate"] = "RollingUpdate"
    max_surge: IntOrPercent = DEFAULT_SURGE
    max_unavailable: IntOrPercent = DEFAULT_UNAVAILABLE
    min_ready_seconds: float = 0.0


@dataclass(frozen=True)
class Sizes:
    """One ReplicaSet: its spec replicas and its available pods."""

    replicas: int
    available: int


def scaled(value: IntOrPercent, total: int, round_up: bool) -> int:
    """An int, or a percentage of `total` (Kubernetes' GetScaledValueFromIntOrPercent)."""
    if isinstance(value, int):
        return value
    m = _PERCENT.match(value)
    if m is None:
        raise ValueError(f"not an integer or a percentage: {value!r}")
    x = int(m.group(1)) * float(total) / 100.0
    return int(math.ceil(x) if round_up else math.floor(x))


def fenceposts(s: Strategy, replicas: int) -> tuple[int, int]:
    """(maxSurge, maxUnavailable) in pods for `replicas` (ResolveFenceposts, MaxUnavailable):
    both resolving to 0 makes maxUnavailable 1; maxUnavailable is at most `replicas`."""
    surge = scaled(s.max_surge, replicas, True)
    unavailable = scaled(s.max_unavailable, replicas, False)
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, min(unavailable, replicas)


def _int_or_percent(v: Any) -> bool:
    if isinstance(v, bool):
        return False
    if isinstance(v, int):
        return v >= 0
    return isinstance(v, str) and _PERCENT.match(v) is not None


def problems(spec: Mapping[str, Any]) -> list[tuple[tuple[str, ...], str, Any]]:
    """What the API server would refuse in a Deployment spec's strategy: (path under spec,
    message, value)."""
    out: list[tuple[tuple[str, ...], str, Any]] = []
    st = spec.get("strategy")
    if not isinstance(st, Mapping):
        return out
    kind = st.get("type", "RollingUpdate")
    ru = st.get("rollingUpdate")
    if kind == "Recreate":
        if ru is not None:
            out.append((("strategy", "rollingUpdate"), "must not be set with type Recreate", ru))
        return out
    if not isinstance(ru, Mapping):
        return out
    values = {}
    for f, default in (("maxSurge", DEFAULT_SURGE), ("maxUnavailable", DEFAULT_UNAVAILABLE)):
        v = ru.get(f, default)
        if not _int_or_percent(v):
            out.append(
                (("strategy", "rollingUpdate", f), "must be an integer >= 0 or a percentage", v)
            )
            return out
        values[f] = v
    mu = values["maxUnavailable"]
    if isinstance(mu, str) and int(mu[:-1]) > 100:
        out.append(
            (("strategy", "rollingUpdate", "maxUnavailable"), "must not be more than 100%", mu)
        )
    if all(scaled(v, 100, True) == 0 for v in values.values()):  # 0 or 0% both
        out.append(
            (
                ("strategy", "rollingUpdate"),
                "maxSurge and maxUnavailable must not both be 0 (the rollout could never start)",
                {"maxSurge": values["maxSurge"], "maxUnavailable": mu},
            )
        )
    return out


def strategy_of(manifest: Mapping[str, Any]) -> Strategy:
    """The strategy of a rendered Deployment (defaults where a field is missing or bad; the
    loader has refused bad values)."""
    spec = manifest.get("spec")
    if not isinstance(spec, Mapping):
        return Strategy()
    mrs = spec.get("minReadySeconds", 0)
    mrs = float(mrs) if isinstance(mrs, int | float) and not isinstance(mrs, bool) else 0.0
    st = spec.get("strategy")
    if not isinstance(st, Mapping) or problems(spec):
        return Strategy(min_ready_seconds=max(0.0, mrs))
    if st.get("type") == "Recreate":
        return Strategy("Recreate", min_ready_seconds=max(0.0, mrs))
    ru = st.get("rollingUpdate")
    ru = ru if isinstance(ru, Mapping) else {}
    return Strategy(
        "RollingUpdate",
        ru.get("maxSurge", DEFAULT_SURGE),
        ru.get("maxUnavailable", DEFAULT_UNAVAILABLE),
        max(0.0, mrs),
    )


def step(s: Strategy, replicas: int, new: Sizes, old: Sequence[Sizes]) -> tuple[Sizes, list[Sizes]]:
    """The controller's sizes for the new ReplicaSet and the old ones (oldest first) after it
    has acted on what is available now, until it can do nothing more. A scaled-down ReplicaSet
    loses its unavailable pods first (the ReplicaSet controller's order), so its available
    pods become min(available, replicas)."""
    olds = list(old)
    if s.type == "Recreate":
        # every old pod goes first; in the model they are gone at once, so the new ones start
        return Sizes(replicas, min(new.available, replicas)), [Sizes(0, 0) for _ in olds]
    surge, unavailable = fenceposts(s, replicas)
    min_available = replicas - unavailable
    while True:
        changed = False
        # reconcileNewReplicaSet
        if new.replicas > replicas:
            new = Sizes(replicas, min(new.available, replicas))
            changed = True
        elif new.replicas < replicas:
            total = new.replicas + sum(o.replicas for o in olds)
            room = replicas + surge - total
            if room > 0:
                new = Sizes(new.replicas + min(room, replicas - new.replicas), new.available)
                changed = True
        # reconcileOldReplicaSets
        old_total = sum(o.replicas for o in olds)
        if old_total > 0:
            all_pods = new.replicas + old_total
            budget = all_pods - min_available - (new.replicas - new.available)
            if budget > 0:
                # cleanupUnhealthyReplicas: unavailable old pods go first, oldest set first
                for i, o in enumerate(olds):
                    if budget <= 0:
                        break
                    k = min(budget, o.replicas - o.available)
                    if k > 0:
                        olds[i] = Sizes(o.replicas - k, o.available)
                        budget -= k
                        changed = True
                # scaleDownOldReplicaSetsForRollingUpdate
                available = new.available + sum(o.available for o in olds)
                down = available - min_available
                for i, o in enumerate(olds):
                    if down <= 0:
                        break
                    k = min(o.replicas, down)
                    if k > 0:
                        olds[i] = Sizes(o.replicas - k, min(o.available, o.replicas - k))
                        down -= k
                        changed = True
        if not changed:
            return new, olds
