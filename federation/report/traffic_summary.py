"""The `traffic` section of summary.json and the windowed traffic figures expectations judge:
per service and client region (and all regions together) requests, failed, success rate, p50
and p99 latency, egress GB and cost; per fault and service the drain."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from federation.api.scenario import Scenario
from federation.recorder import Row
from federation.report.drains import drains
from federation.report.traffic import (
    Pricing,
    ServiceRows,
    Tally,
    by_service,
    figures,
    integrate,
    price_internet,
)

MODEL = {
    "sim": "fluid: requests, failures, latency and bytes integrated between events",
    "kube": (
        "modelled: kwok pods serve no HTTP, so requests are modelled (fluid) over the endpoints "
        "really observed in the members' EndpointSlices and their Ready pods"
    ),
}


@dataclass
class TrafficView:
    """A run's traffic rows, read once, and what pricing them needs."""

    services: dict[str, ServiceRows]
    pricing: Pricing | None
    rows: Sequence[Row] = ()
    _drains: list[Any] | None = field(default=None, repr=False)

    @staticmethod
    def of(rows: Sequence[Row], scenario: Scenario | None) -> TrafficView:
        pricing = None
        if scenario is not None:
            clusters = {c.name: c for c in scenario.desired.clusters}
            pricing = Pricing(scenario.traffic, clusters)
        return TrafficView(by_service(rows), pricing, rows)

    def tallies(self, a: float, b: float, service: str = "", region: str = "") -> Tally:
        """Everything of `service` (every one when "") and `region` (every one) over [a, b],
        internet egress priced over the window."""
        picked: list[Tally] = []
        everything: list[Tally] = []
        for key, s in self.services.items():
            for g, t in integrate(s, a, b, self.pricing, key).items():
                everything.append(t)
                if (not service or key == service) and (not region or g == region):
                    picked.append(t)
        if self.pricing is not None:
            price_internet(everything, (b - a) / 3600.0, self.pricing.traffic)
        out = Tally()
        for t in picked:
            out.add(t)
        return out

    def drains(self, end: float) -> list[Any]:
        if self._drains is None:
            self._drains = drains(self.services, self.rows, end)
        return self._drains


def section(
    view: TrafficView, end: float, backend: str
) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """(summary.json `traffic`, the egress keys of `cost`), or None without traffic rows."""
    if not view.services:
        return None
    services, grand = _services(view, 0.0, end)
    hours = end / 3600.0
    out = {
        "model": MODEL.get(backend, MODEL["sim"]),
        "services": services,
        "faults": view.drains(end),
        "egress_gb": figures(grand)["egress_gb"],
        "egress_cost": round(grand.cost, 6),
    }
    cost = {"egress_per_hour": round(grand.cost / hours, 6) if hours > 0 else 0.0}
    return out, cost


def window(view: TrafficView, a: float, b: float) -> dict[str, Any]:
    """The figures of summary.json's `traffic.services` over [a, b] instead of the whole run:
    per service, `regions` (client region -> figures) and `all`."""
    return _services(view, a, b)[0]


def _services(view: TrafficView, a: float, b: float) -> tuple[dict[str, Any], Tally]:
    """(per service its regions' figures and all of them, everything together) over [a, b],
    internet egress priced over the window's hours."""
    per: dict[str, dict[str, Tally]] = {}
    everything: list[Tally] = []
    for key, s in sorted(view.services.items()):
        per[key] = integrate(s, a, b, view.pricing, key)
        everything.extend(per[key].values())
    if view.pricing is not None:
        price_internet(everything, (b - a) / 3600.0, view.pricing.traffic)
    services: dict[str, Any] = {}
    grand = Tally()
    for key, tallies in per.items():
        total = Tally()
        for t in tallies.values():
            total.add(t)
        grand.add(total)
        services[key] = {
            "regions": {g: figures(t) for g, t in sorted(tallies.items())},
            "all": figures(total),
        }
    return services, grand
