"""Time references in scenarios: named timeline entries, expectation windows (during:, after:,
settle:) and instants resolved to absolute seconds, and every time at or after the run's end
refused."""

from __future__ import annotations

import pytest

from federation.api import load_text
from tests.api.helpers import CLUSTERS, errors_of

HEAD = """\
apiVersion: kfed.io/v1alpha1
kind: Scenario
metadata: {name: s}
spec:
  duration: 360
  timeline:
    - {name: east-down, at: 60, fault: outage, cluster: east, duration: 120}
    - {name: forever, at: 100, fault: api-hang, cluster: west}
    - {at: 200, fault: latency, cluster: west, latency: 1s, duration: 10}
  expectations:
"""
BARE = HEAD.replace("  expectations:\n", "  expectations: []\n")
WEB = "Deployment/default/web"


def loaded(*expectations: str):
    text = HEAD + "".join(f"    - {e}\n" for e in expectations) + "---\n" + CLUSTERS
    (s,) = load_text(text, "t.yaml").scenarios
    return [(e.description, dict(e.params)) for e in s.expectations]


def errors(*expectations: str) -> list[str]:
    text = HEAD + "".join(f"    - {e}\n" for e in expectations) + "---\n" + CLUSTERS
    return [e.split(": ", 1)[1] for e in errors_of(text)]


def test_fault_names_reach_the_records():
    text = BARE + "---\n" + CLUSTERS
    (s,) = load_text(text).scenarios
    assert [(f.name, f.at) for f in s.faults] == [("east-down", 60), ("forever", 100), ("", 200)]


@pytest.mark.parametrize(
    ("expectation", "description", "params"),
    [
        (
            "availability: {workload: web, min: 0.95, during: east-down}",
            f"availability of {WEB} >= 0.95 during east-down (60–180s)",
            {"workload": WEB, "min": 0.95, "from": 60.0, "to": 180.0, "fault": "east-down"},
        ),
        (
            "availability: {workload: web, min: 0.95, after: east-down, settle: 30s}",
            f"availability of {WEB} >= 0.95 after east-down + 30s settle (210–360s)",
            {"workload": WEB, "min": 0.95, "from": 210.0, "to": 360.0, "fault": "east-down"},
        ),
        (
            "maxUnavailable: {workload: web, replicas: 2, after: 90s}",
            f"at most 2 unavailable replica(s) of {WEB} after 90s (90–360s)",
            {"workload": WEB, "replicas": 2, "from": 90.0, "to": 360.0},
        ),
        (
            "noEviction: {cluster: west, during: forever}",
            "no eviction from west during forever (100–360s)",
            {"cluster": "west", "from": 100.0, "to": 360.0, "fault": "forever"},
        ),
        (
            "noEviction: {settle: 1m}",
            "no eviction from any cluster from 0s + 60s settle (60–360s)",
            {"from": 60.0, "to": 360.0},
        ),
        (
            "noReplicasOn: {cluster: east, during: east-down, settle: 20s}",
            "no replicas on east during east-down + 20s settle (80–180s)",
            {"cluster": "east", "after": 80.0, "from": 80.0, "to": 180.0, "fault": "east-down"},
        ),
        (
            "noReplicasOn: {cluster: east, workload: web, after: 2m}",
            f"no replicas of {WEB} on east after 120s",
            {"cluster": "east", "workload": WEB, "after": 120.0, "from": 120.0, "to": 360.0},
        ),
        (
            "replicasOn: {workload: web, cluster: east, after: east-down, settle: 1m, min: 1}",
            f"{WEB} has >= 1 ready replicas on east at 240s (the end of east-down + 60s settle)",
            {
                "workload": WEB,
                "cluster": "east",
                "at": 240.0,
                "min": 1,
                "max": None,
                "fault": "east-down",
            },
        ),
        (
            "replicasOn: {workload: web, cluster: west, during: east-down, settle: 10s, max: 0}",
            f"{WEB} has <= 0 ready replicas on west at 70s (the start of east-down + 10s settle)",
            {
                "workload": WEB,
                "cluster": "west",
                "at": 70.0,
                "min": 0,
                "max": 0,
                "fault": "east-down",
            },
        ),
        (
            "replicasOn: {workload: web, cluster: west, at: 5m, min: 1}",
            f"{WEB} has >= 1 ready replicas on west at 300s",
            {"workload": WEB, "cluster": "west", "at": 300.0, "min": 1, "max": None},
        ),
        (
            "failoverWithin: {cluster: east, seconds: 15, fault: east-down}",
            "failover from east within 15s of east-down (60s)",
            {"cluster": "east", "seconds": 15.0, "from": 60.0, "to": 180.0, "fault": "east-down"},
        ),
    ],
)
def test_windows_and_instants_resolve_to_absolute_seconds(expectation, description, params):
    assert loaded(expectation) == [(description, params)]


@pytest.mark.parametrize(
    ("expectation", "error"),
    [
        (
            "replicasOn: {workload: web, cluster: east, at: 9999s, min: 1}",
            "spec.expectations[0].replicasOn.at: 9999s is at or after the run's end (360s)",
        ),
        (
            "replicasOn: {workload: web, cluster: east, at: 360, min: 1}",
            "spec.expectations[0].replicasOn.at: 360s is at or after the run's end (360s)",
        ),
        (
            "replicasOn: {workload: web, cluster: east, after: east-down, settle: 3m, min: 1}",
            "spec.expectations[0].replicasOn.settle: 360s is at or after the run's end (360s)",
        ),
        (
            "noReplicasOn: {cluster: east, after: 400}",
            "spec.expectations[0].noReplicasOn.after: the window starts at 400s, at or after the "
            "run's end (360s)",
        ),
        (
            "availability: {workload: web, min: 0.9, during: east-down, settle: 2m}",
            "spec.expectations[0].availability.settle: the window is empty: it starts at 180s and "
            "ends at 180s",
        ),
        (
            "availability: {workload: web, min: 0.9, during: eats-down}",
            "spec.expectations[0].availability.during: unknown fault 'eats-down' (known: east-down,"
            " forever)",
        ),
        (
            "availability: {workload: web, min: 0.9, after: eats-down}",
            "spec.expectations[0].availability.after: must be a duration like '90s' or the name of "
            "a timeline entry (known: east-down, forever), got 'eats-down'",
        ),
        (
            "availability: {workload: web, min: 0.9, after: forever}",
            "spec.expectations[0].availability.after: forever never ends (it has no duration): "
            "nothing comes after it",
        ),
        (
            "maxUnavailable: {workload: web, replicas: 1, during: east-down, after: east-down}",
            "spec.expectations[0].maxUnavailable.after: give during or after, not both",
        ),
        (
            "replicasOn: {workload: web, cluster: east, min: 1}",
            "spec.expectations[0].replicasOn: needs one of at, after or during",
        ),
        (
            "replicasOn: {workload: web, cluster: east, at: 1, during: forever, min: 1}",
            "spec.expectations[0].replicasOn.during: give only one of at, during",
        ),
        (
            "failoverWithin: {cluster: west, seconds: 9, fault: east-down}",
            "spec.expectations[0].failoverWithin.fault: east-down does not hit cluster west (it "
            "hits east)",
        ),
        (
            "failoverWithin: {cluster: west, seconds: 9, fault: nope}",
            "spec.expectations[0].failoverWithin.fault: unknown fault 'nope' (known: east-down, "
            "forever)",
        ),
    ],
)
def test_bad_time_references_are_errors(expectation, error):
    (got,) = errors(expectation)
    assert got.startswith(error + " (line ")


def test_names_are_unique_and_never_read_as_durations():
    text = (
        BARE.replace("name: forever", "name: east-down").replace(
            "{at: 200,", "{name: 90s, at: 200,"
        )
        + "---\n"
        + CLUSTERS
    )
    assert errors_of(text) == [
        "t.yaml: spec.timeline[1].name: duplicate name 'east-down' (also timeline[0]) (line 8, "
        "Scenario s)",
        "t.yaml: spec.timeline[2].name: must not read as a duration ('90s'): expectations' "
        "after: would be ambiguous (line 9, Scenario s)",
    ]


def test_a_name_must_be_a_dns_label():
    text = BARE.replace("name: forever", "name: Forever!") + "---\n" + CLUSTERS
    (err,) = errors_of(text)
    assert err.startswith("t.yaml: spec.timeline[1].name: must be a DNS label")


def test_nothing_is_during_an_operation_after_it_is_fine():
    head = HEAD.replace(
        "  expectations:\n",
        "    - {name: grow, at: 150, operation: scale, workload: web, replicas: 6}\n"
        "  expectations:\n",
    )
    text = head + "    - availability: {workload: web, min: 0.9, during: grow}\n---\n" + CLUSTERS
    assert [e.split(": ", 1)[1] for e in errors_of(text)] == [
        "spec.expectations[0].availability.during: grow takes no time (an entry without a "
        "duration): nothing is during it; use after: grow (line 12, Scenario s)"
    ]
    text = head + "    - availability: {workload: web, min: 0.9, after: grow}\n---\n" + CLUSTERS
    (s,) = load_text(text, "t.yaml").scenarios
    assert dict(s.expectations[0].params)["from"] == 150.0
