"""The traffic figures from hand-written rows: an overloaded stretch, windows, the expectations'
values and reasons, internet tiers through a whole run, the narration and the plot."""

from __future__ import annotations

from pathlib import Path

import pytest

from federation.api.scenario import Expectation
from federation.core.model import Cluster
from federation.recorder import Row
from federation.report.events import narrate
from federation.report.expectations import Judge, judge
from federation.report.plots import plot_run
from federation.report.traffic import Pricing, by_service, figures, integrate, price_internet
from federation.report.traffic_summary import TrafficView
from federation.traffic.prices import DEFAULT_PRICES, internet_cost
from federation.traffic.spec import ClientTraffic, MultiClusterService, Traffic

SVC = "shop/web"


def traffic(t: float, rate: float, sent: dict[str, float], **kw: object) -> Row:
    fields = {"region": "eu", "rate": rate, "sent": sent, "unresolved": 0.0, "lost": {},
              "rtt_ms": {c: 10.0 for c in sent}, **kw}  # fmt: skip
    return Row(t, "traffic", "", SVC, fields)


def serving(t: float, served: float, wait_p: float = 0.0, rate: float = 0.0) -> Row:
    fields = {"replicas": 2, "arrival": 100.0, "served": served, "wait_p": wait_p,
              "wait_rate": rate, "service_ms": 10.0, "timeout_ms": 1000.0}  # fmt: skip
    return Row(t, "serving", "a", SVC, fields)


# 100 req/s to `a` for 30 s; from 10 s to 20 s `a` serves only 40 % (overloaded: the served
# requests wait the full 1 s timeout); 20 ms (10 ms RTT + 10 ms service) otherwise
ROWS = [
    traffic(0.0, 100.0, {"a": 100.0}),
    serving(0.0, 1.0),
    serving(10.0, 0.4, wait_p=1.0),
    serving(20.0, 1.0),
]


def test_an_overloaded_stretch_by_hand() -> None:
    (t,) = integrate(by_service(ROWS)[SVC], 0.0, 30.0).values()
    f = figures(t)
    assert (f["requests"], f["failed"]) == (3000.0, 600.0)  # 100 x 0.6 x 10 s
    assert t.served == pytest.approx(2400.0)  # 2,000 at 20 ms, 400 at 1,020 ms
    assert f["success_rate"] == pytest.approx(0.8)
    assert f["latency_p50_ms"] == pytest.approx(20.0, abs=1e-3)
    assert f["latency_p99_ms"] == pytest.approx(1020.0, abs=1e-3)


def judged(kind: str, **params: object) -> dict[str, object]:
    j = Judge(ROWS, {}, [], 30.0, TrafficView.of(ROWS, None))
    return judge(Expectation(kind, kind, {"service": SVC, **params}), j)  # type: ignore[arg-type]


def test_windows_of_the_expectations() -> None:
    r = judged("success-rate", min=0.9, **{"from": 5.0, "to": 15.0})
    assert r["value"] == pytest.approx(0.7)  # 1,000 offered, 100 x 0.6 x 5 s failed
    assert not r["passed"] and "300 of 1000 requests of shop/web failed over 5.0-15.0 s" in str(
        r["reason"]
    )
    assert judged("latency-p99", maxMs=50.0, **{"from": 0.0, "to": 10.0})["value"] == pytest.approx(
        20.0, abs=1e-3
    )
    late = judged("latency-p99", maxMs=50.0, **{"from": 0.0, "to": 30.0})
    assert not late["passed"] and "p99 latency 1020.0 ms > 50 ms" in str(late["reason"])


def test_a_drain_that_never_happens_fails_with_its_reason() -> None:
    rows = [*ROWS, Row(5.0, "fault", "a", "", {"phase": "start", "fault": "partition"})]
    j = Judge(rows, {}, [], 30.0, TrafficView.of(rows, None))
    e = Expectation("drain-within", "d", {"cluster": "a", "seconds": 10.0, "from": 0.0, "to": 30.0})
    r = judge(e, j)
    assert r["value"] is None and not r["passed"]
    assert "requests never left a during the partition from 5.0 s" in str(r["reason"])


def test_internet_egress_through_a_run_is_tiered_on_the_month() -> None:
    # 1 req/s of 1 GiB responses to internet clients for an hour: 3,600 GB, priced as a
    # 730-hour month of 2,628,000 GB along AWS's tiers, of which the run pays 1/730
    rows = [traffic(0.0, 1.0, {"a": 1.0}), serving(0.0, 1.0)]
    client = ClientTraffic(SVC, "eu", internet=True, request_bytes=0.0, response_bytes=2**30)
    tr = Traffic((MultiClusterService("web", "shop"),), (client,))
    pricing = Pricing(tr, {"a": Cluster("a", region="eu-west", provider="aws")})
    (t,) = integrate(by_service(rows)[SVC], 0.0, 3600.0, pricing, SVC).values()
    assert t.internet == {"aws": pytest.approx(3600.0)}
    price_internet([t], 1.0, tr)
    assert t.cost == pytest.approx(internet_cost(DEFAULT_PRICES["aws"], 3600.0, 1.0))
    assert t.cost == pytest.approx(
        ((10240 - 100) * 0.09 + 40960 * 0.085 + 102400 * 0.07 + (2628000 - 153600) * 0.05) / 730
    )


def test_health_flips_and_answers_are_narrated() -> None:
    rows = [
        Row(4.0, "dns", "a", SVC, {"healthy": False}),
        Row(4.0, "answer", "", SVC, {"region": "eu", "clusters": {"b": 1.0}}),
        Row(4.5, "traffic", "", SVC, {"region": "eu", "rate": 1.0}),
    ]
    got = [(e.reason, e.object, e.message) for e in narrate(rows)]
    assert got == [
        ("EndpointUnhealthy", "multiclusterservice/shop/web",
         "health checks of a fail: out of the answers"),
        ("DNSAnswerChanged", "multiclusterservice/shop/web", "clients in eu now sent to b 100 %"),
    ]  # fmt: skip


def test_the_plot_has_a_traffic_figure(tmp_path: Path) -> None:
    files = plot_run(ROWS, tmp_path, title="t", end=30.0, clusters=["a"])
    assert [f.name for f in files] == ["replicas.png", "availability.png", "traffic.png"]
    assert (tmp_path / "traffic.png").stat().st_size > 10_000
