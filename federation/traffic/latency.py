"""Round-trip times between client regions and member clusters.

The default table is the published P50 round-trip latency between Azure regions ("Azure network
round-trip latency statistics", learn.microsoft.com/azure/networking/azure-network-latency), as
encoded in the Azure Cosmos DB SDK's `RegionProximityUtil.SourceRegionToTargetRegionsRTTInMs`, for
15 locations on five continents. Other providers' regions are mapped to the Azure location in the
same metro or the nearest listed one (`ALIASES`); a scenario can map its own region names with
`spec.network.locations` and override any pair with `spec.network.rtt`. Within one region, zones
are `cross_zone_ms` apart (default 1.5 ms: Azure "< 2 ms", AWS measured 0.25-3.4 ms).
"""

from __future__ import annotations

from collections.abc import Mapping

from federation.traffic.spec import Network

LOCATIONS = (
    "australiaeast",
    "brazilsouth",
    "canadacentral",
    "centralindia",
    "centralus",
    "eastus",
    "francecentral",
    "germanywestcentral",
    "japaneast",
    "northeurope",
    "southeastasia",
    "uksouth",
    "westeurope",
    "westus",
    "westus2",
)
CONTINENT = {
    "australiaeast": "oceania",
    "brazilsouth": "south-america",
    "canadacentral": "north-america",
    "centralindia": "asia",
    "centralus": "north-america",
    "eastus": "north-america",
    "francecentral": "europe",
    "germanywestcentral": "europe",
    "japaneast": "asia",
    "northeurope": "europe",
    "southeastasia": "asia",
    "uksouth": "europe",
    "westeurope": "europe",
    "westus": "north-america",
    "westus2": "north-america",
}
# upper triangle, in LOCATIONS order: RTT_MS[a][b] for a before b
_TABLE: dict[str, dict[str, int]] = {
    "australiaeast": {
        "brazilsouth": 308, "canadacentral": 200, "centralindia": 140, "centralus": 180,
        "eastus": 200, "francecentral": 238, "germanywestcentral": 240, "japaneast": 118,
        "northeurope": 258, "southeastasia": 88, "uksouth": 246, "westeurope": 248,
        "westus": 138, "westus2": 158,
    },
    "brazilsouth": {
        "canadacentral": 132, "centralindia": 302, "centralus": 146, "eastus": 118,
        "francecentral": 186, "germanywestcentral": 192, "japaneast": 262, "northeurope": 177,
        "southeastasia": 328, "uksouth": 181, "westeurope": 188, "westus": 172, "westus2": 182,
    },
    "canadacentral": {
        "centralindia": 208, "centralus": 21, "eastus": 25, "francecentral": 92,
        "germanywestcentral": 98, "japaneast": 152, "northeurope": 84, "southeastasia": 216,
        "uksouth": 86, "westeurope": 94, "westus": 64, "westus2": 57,
    },
    "centralindia": {
        "centralus": 222, "eastus": 196, "francecentral": 116, "germanywestcentral": 118,
        "japaneast": 120, "northeurope": 137, "southeastasia": 52, "uksouth": 122,
        "westeurope": 126, "westus": 218, "westus2": 212,
    },
    "centralus": {
        "eastus": 23, "francecentral": 101, "germanywestcentral": 112, "japaneast": 140,
        "northeurope": 92, "southeastasia": 194, "uksouth": 96, "westeurope": 102, "westus": 44,
        "westus2": 36,
    },
    "eastus": {
        "francecentral": 80, "germanywestcentral": 86, "japaneast": 162, "northeurope": 76,
        "southeastasia": 218, "uksouth": 74, "westeurope": 81, "westus": 64, "westus2": 58,
    },
    "francecentral": {
        "germanywestcentral": 10, "japaneast": 218, "northeurope": 27, "southeastasia": 150,
        "uksouth": 7, "westeurope": 10, "westus": 138, "westus2": 140,
    },
    "germanywestcentral": {
        "japaneast": 220, "northeurope": 25, "southeastasia": 154, "uksouth": 14,
        "westeurope": 8, "westus": 148, "westus2": 148,
    },
    "japaneast": {
        "northeurope": 223, "southeastasia": 68, "uksouth": 226, "westeurope": 234,
        "westus": 106, "westus2": 112,
    },
    "northeurope": {
        "southeastasia": 172, "uksouth": 21, "westeurope": 22, "westus": 133, "westus2": 136,
    },
    "southeastasia": {"uksouth": 158, "westeurope": 160, "westus": 168, "westus2": 160},
    "uksouth": {"westeurope": 10, "westus": 136, "westus2": 130},
    "westeurope": {"westus": 144, "westus2": 142},
    "westus": {"westus2": 22},
}  # fmt: skip
# region names of AWS, GCP and the short forms kfed's own examples use -> table location
# (same metro where one is listed, else the nearest listed location)
ALIASES: Mapping[str, str] = {
    # AWS
    "us-east-1": "eastus", "us-east-2": "eastus", "us-west-1": "westus", "us-west-2": "westus2",
    "ca-central-1": "canadacentral", "sa-east-1": "brazilsouth", "eu-west-1": "northeurope",
    "eu-west-2": "uksouth", "eu-west-3": "francecentral", "eu-central-1": "germanywestcentral",
    "ap-northeast-1": "japaneast", "ap-southeast-1": "southeastasia",
    "ap-southeast-2": "australiaeast", "ap-south-1": "centralindia",
    # GCP
    "us-east1": "eastus", "us-east4": "eastus", "us-central1": "centralus",
    "us-west1": "westus2", "us-west2": "westus", "northamerica-northeast1": "canadacentral",
    "southamerica-east1": "brazilsouth", "europe-west1": "westeurope",
    "europe-west2": "uksouth", "europe-west3": "germanywestcentral",
    "europe-west4": "westeurope", "europe-west9": "francecentral",
    "asia-northeast1": "japaneast", "asia-southeast1": "southeastasia",
    "australia-southeast1": "australiaeast", "asia-south1": "centralindia",
    # short forms
    "us-east": "eastus", "us-central": "centralus", "us-west": "westus",
    "ca-central": "canadacentral", "sa-east": "brazilsouth", "eu-west": "westeurope",
    "eu-north": "northeurope", "eu-central": "germanywestcentral", "uk-south": "uksouth",
    "ap-northeast": "japaneast", "ap-southeast": "southeastasia", "ap-south": "centralindia",
    "au-east": "australiaeast",
}  # fmt: skip


def table_rtt(a: str, b: str) -> float | None:
    """The table's RTT between two locations, ms (None when either is unknown)."""
    if a == b and a in CONTINENT:
        return 0.0
    if a > b:
        a, b = b, a
    v = _TABLE.get(a, {}).get(b)
    return None if v is None else float(v)


def location(region: str, net: Network) -> str | None:
    """The table location of a region name (None when neither the scenario nor kfed knows it)."""
    if region in net.locations:
        return net.locations[region]
    low = region.lower().replace(" ", "")
    if low in CONTINENT:
        return low
    return ALIASES.get(region.lower())


def continent(region: str, net: Network) -> str | None:
    loc = location(region, net)
    return None if loc is None else CONTINENT.get(loc)


def rtt_ms(a_region: str, a_zone: str, b_region: str, b_zone: str, net: Network) -> float:
    """Round-trip time between two places (a zone "" is unknown: another zone of the region)."""
    if a_region == b_region:
        if a_zone and a_zone == b_zone:
            return net.same_zone_ms
        return net.cross_zone_ms
    for k in ((a_region, b_region), (b_region, a_region)):
        if k in net.rtt:
            return float(net.rtt[k])
    la, lb = location(a_region, net), location(b_region, net)
    if la is not None and lb is not None:
        v = table_rtt(la, lb)
        if v is not None:
            # two regions mapped to one location are still two places: at least a zone apart
            return max(v, net.cross_zone_ms)
    return net.default_rtt_ms


def known(region: str, net: Network) -> bool:
    return location(region, net) is not None
