"""Egress prices and what one GB on a path between a client and a member cluster costs.

Defaults are list prices in USD per GB from secondary sources, collected with their sources in the
project's anchors (AWS EC2 data transfer, cloud.google.com/vpc/pricing and network-tiers/pricing,
Azure bandwidth pricing and the availability-zones overview); verify them against the providers'
pricing pages before publishing figures. A scenario overrides any of them (`spec.network.prices`).

* intra-zone: free everywhere.
* inter-zone: AWS $0.01 out + $0.01 in = $0.02 per GB moved (billed on both sides); GCP $0.01;
  Azure free.
* inter-region, same continent: $0.02 (all three); across continents: AWS $0.02 (from US/EU
  sources; APAC/SA sources cost more), GCP $0.08, Azure $0.05.
* internet, tiered on the monthly volume: AWS first 100 GB free, $0.09 to 10 TB, $0.085 to 50 TB,
  $0.07 to 150 TB, $0.05 beyond; GCP Premium $0.12 to 1 TiB, $0.11 to 10 TiB, $0.08 beyond;
  Azure first 100 GB free, $0.087.

Ingress is free. The sender pays: a response is egress of the serving cluster's provider, a
request egress of the client's (internet clients' requests are ingress). Clients and clusters on
different providers talk over the internet.
"""

from __future__ import annotations

from collections.abc import Mapping

from federation.traffic.latency import continent
from federation.traffic.spec import ClientTraffic, Network, Prices

GB = float(2**30)  # providers bill binary GB
HOURS_PER_MONTH = 730.0
PATHS = ("intra-zone", "inter-zone", "inter-region", "inter-continent", "internet")

DEFAULT_PRICES: Mapping[str, Prices] = {
    "aws": Prices(
        inter_zone=0.02,
        inter_region=0.02,
        inter_continent=0.02,
        internet=((10240.0, 0.09), (51200.0, 0.085), (153600.0, 0.07), (None, 0.05)),
        internet_free_gb=100.0,
    ),
    "gcp": Prices(
        inter_zone=0.01,
        inter_region=0.02,
        inter_continent=0.08,
        internet=((1024.0, 0.12), (10240.0, 0.11), (None, 0.08)),
    ),
    "azure": Prices(
        inter_zone=0.0,
        inter_region=0.02,
        inter_continent=0.05,
        internet=((None, 0.087),),
        internet_free_gb=100.0,
    ),
}
FREE = Prices()  # a provider kfed has no prices for (kwok, on-premises): egress costs nothing


def prices_of(provider: str, net: Network) -> Prices:
    return net.prices.get(provider) or DEFAULT_PRICES.get(provider) or FREE


def path(client: ClientTraffic, region: str, zone: str, provider: str, net: Network) -> str:
    """The kind of path between a client and a cluster in `region`/`zone` of `provider`."""
    if client.internet or (client.provider and provider and client.provider != provider):
        return "internet"
    if client.region == region:
        return "intra-zone" if client.zone and client.zone == zone else "inter-zone"
    a, b = continent(client.region, net), continent(region, net)
    return "inter-continent" if a is not None and b is not None and a != b else "inter-region"


def flat_price(p: Prices, kind: str) -> float:
    """USD per GB of a path that is not internet."""
    return {
        "intra-zone": p.intra_zone,
        "inter-zone": p.inter_zone,
        "inter-region": p.inter_region,
        "inter-continent": p.inter_continent,
    }[kind]


def internet_cost(p: Prices, gb: float, hours: float) -> float:
    """What `gb` of internet egress over `hours` costs: the volume is extrapolated to a
    730-hour month, priced along the tiers after the free allowance, and the run pays its
    share (`hours` / 730) of that month's bill."""
    if gb <= 0 or hours <= 0:
        return 0.0
    monthly = gb * HOURS_PER_MONTH / hours
    billable = max(0.0, monthly - p.internet_free_gb)
    cost, below = 0.0, 0.0  # `below`: GB priced so far (tiers count from the first paid GB)
    for upto, price in p.internet:
        top = billable if upto is None else min(billable, max(0.0, upto - p.internet_free_gb))
        if top > below:
            cost += (top - below) * price
            below = top
        if below >= billable:
            break
    return cost * hours / HOURS_PER_MONTH
