"""Kubernetes quantities and scenario durations."""

from __future__ import annotations

from decimal import Decimal

import pytest

from federation.api.duration import DurationError, parse_duration
from federation.api.quantity import QuantityError, cpu_cores, memory_bytes, parse_quantity


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("500m", Decimal("0.5")),
        ("2", Decimal(2)),
        (2, Decimal(2)),
        (0.25, Decimal("0.25")),
        ("1.5", Decimal("1.5")),
        (".5", Decimal("0.5")),
        ("1Ki", Decimal(1024)),
        ("1Mi", Decimal(1024**2)),
        ("1.5Gi", Decimal(3 * 1024**3 // 2)),
        ("2Ti", Decimal(2 * 1024**4)),
        ("1Ei", Decimal(1024**6)),
        ("1k", Decimal(1000)),
        ("1M", Decimal(10**6)),
        ("1G", Decimal(10**9)),
        ("3E", Decimal(3 * 10**18)),
        ("100u", Decimal("0.0001")),
        ("5n", Decimal("0.000000005")),
        ("129e6", Decimal(129 * 10**6)),
        ("12E-1", Decimal("1.2")),
        ("+1", Decimal(1)),
        ("-1", Decimal(-1)),
        (" 1Gi ", Decimal(1024**3)),
    ],
)
def test_quantity(text, value):
    assert parse_quantity(text) == value


@pytest.mark.parametrize(
    "text", ["", "1 GB", "1gi", "1KB", "Gi", "1.2.3", "m", "1e", True, None, [1], float("nan")]
)
def test_not_a_quantity(text):
    with pytest.raises(QuantityError):
        parse_quantity(text)


def test_cpu_and_memory():
    assert cpu_cores("250m") == 0.25
    assert memory_bytes("512Mi") == 512 * 1024**2


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        (90, 90.0),
        (0.5, 0.5),
        ("90s", 90.0),
        ("10m", 600.0),
        ("1h", 3600.0),
        ("1m30s", 90.0),
        ("1h2m3s", 3723.0),
        ("250ms", 0.25),
        ("1.5s", 1.5),
        ("0s", 0.0),
        ("-5s", -5.0),
        ("2m500ms", 120.5),
    ],
)
def test_duration(text, seconds):
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize(
    "text", ["90", "", "s", "10 m", "1d", "1m 30s", "m5", True, None, "1.2.3s"]
)
def test_not_a_duration(text):
    with pytest.raises(DurationError):
        parse_duration(text)
