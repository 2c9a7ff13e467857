"""Traffic records: a MultiClusterService (steering and per-replica capacity), a client
region's demand on it (a rate over time, request and response sizes), the network settings and
the traffic section of a scenario. Loaded from YAML by `federation.api.traffic`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from federation.core.steering import Steering

RateKind = Literal["constant", "step", "diurnal", "spike"]


@dataclass(frozen=True)
class Capacity:
    """What one Ready replica serves: `requests_per_second`, each taking `service_time` seconds;
    a request queued longer than `timeout` seconds is given up on (it is the latency cap)."""

    requests_per_second: float = 100.0
    service_time: float = 0.01
    timeout: float = 10.0


@dataclass(frozen=True)
class MultiClusterService:
    """The federated service of the Service `namespace/name` (MCS sameness: same name, same
    service in every cluster). `backends` are the workload keys whose pods the Service selects."""

    name: str
    namespace: str
    steering: Steering = Steering()
    capacity: Capacity = Capacity()
    backends: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"


@dataclass(frozen=True)
class Rate:
    """Requests per second over time. constant: `rps`; step: `steps` ((from, rps), ...; 0 before
    the first); diurnal: `mean` x (1 + `amplitude` x cos(2 pi (t - `peak_at`) / `period`)),
    held constant over `resolution`-second steps at each step's exact average; spike: `rps`,
    `peak` from `at` for `duration` seconds."""

    kind: RateKind = "constant"
    rps: float = 0.0
    steps: tuple[tuple[float, float], ...] = ()
    mean: float = 0.0
    amplitude: float = 0.0
    period: float = 86400.0
    peak_at: float = 0.0
    resolution: float = 0.0  # 0 = period / 24
    peak: float = 0.0
    at: float = 0.0
    duration: float = 0.0


@dataclass(frozen=True)
class ClientTraffic:
    """The clients of one region calling one service. In-cloud clients (the default) sit in
    `region` (and `zone` when given) on `provider` (default: the serving cluster's); internet
    clients (`internet`) pay nothing for their requests and receive internet egress."""

    service: str  # "namespace/name" of a MultiClusterService
    region: str
    rate: Rate = Rate()
    request_bytes: float = 1024.0
    response_bytes: float = 16384.0
    zone: str = ""
    provider: str = ""
    internet: bool = False

    @property
    def key(self) -> tuple[str, str]:
        return (self.service, self.region)


@dataclass(frozen=True)
class Prices:
    """Egress prices of one provider, USD per GB (2^30 bytes) moved. `inter_zone` is what one GB
    crossing zones costs in all (AWS bills both sides: 0.01 out + 0.01 in). Internet egress is
    tiered on the monthly volume: `internet` is ((up to GB per month or None, price), ...) after
    `internet_free_gb` free GB a month."""

    intra_zone: float = 0.0
    inter_zone: float = 0.0
    inter_region: float = 0.0
    inter_continent: float = 0.0
    internet: tuple[tuple[float | None, float], ...] = ((None, 0.0),)
    internet_free_gb: float = 0.0


@dataclass(frozen=True)
class Network:
    """Round-trip times and prices. `locations` maps a region name to a location of the RTT
    table (`federation.traffic.latency`); `rtt` overrides (region, region) -> ms; zones of one
    region are `cross_zone_ms` apart, a zone `same_zone_ms` from itself; regions the table does
    not know are `default_rtt_ms` apart. `prices` by provider override the defaults."""

    locations: Mapping[str, str] = field(default_factory=dict)
    rtt: Mapping[tuple[str, str], float] = field(default_factory=dict)
    same_zone_ms: float = 0.5
    cross_zone_ms: float = 1.5
    default_rtt_ms: float = 100.0
    prices: Mapping[str, Prices] = field(default_factory=dict)


@dataclass(frozen=True)
class Traffic:
    """The traffic section of a scenario: services, clients, network, and how finely the client
    population's caches are modelled (`cohorts`, see docs/traffic.md)."""

    services: tuple[MultiClusterService, ...] = ()
    clients: tuple[ClientTraffic, ...] = ()
    network: Network = Network()
    cohorts: int = 20

    @property
    def enabled(self) -> bool:
        return bool(self.services and self.clients)

    def service(self, key: str) -> MultiClusterService | None:
        return next((s for s in self.services if s.key == key), None)
