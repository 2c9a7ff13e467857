"""Kubernetes resource quantities ("500m", "2", "1.5Gi", "129e6") as exact numbers.

Same grammar as k8s.io/apimachinery `resource.Quantity`: a signed decimal number and an optional
suffix, either a binary SI suffix (Ki Mi Gi Ti Pi Ei), a decimal SI suffix (n u m k M G T P E)
or a decimal exponent (e3, E-2). YAML numbers (2, 0.5) are quantities too.
"""

from __future__ import annotations

import re
from decimal import Decimal

__all__ = ["QuantityError", "cpu_cores", "memory_bytes", "parse_quantity"]

_BINARY = {"Ki": 1, "Mi": 2, "Gi": 3, "Ti": 4, "Pi": 5, "Ei": 6}
_DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_QUANTITY = re.compile(
    r"^(?P<number>[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))"
    r"(?P<suffix>[KMGTPE]i|[eE][+-]?[0-9]+|[numkMGTPE]?)$"
)


_MAX_TEXT = 64  # Kubernetes quantities are int64 with a suffix: far shorter than this


class QuantityError(ValueError):
    """Not a Kubernetes quantity."""


def parse_quantity(value: object) -> Decimal:
    """The exact value of a quantity: `parse_quantity("1Ki") == 1024`, `("250m") == 0.25`."""
    if isinstance(value, bool):
        raise QuantityError(f"not a quantity: {value!r}")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise QuantityError(f"not a quantity: {value!r}")
        return Decimal(repr(value))
    if not isinstance(value, str):
        raise QuantityError(f"not a quantity: {value!r}")
    text = value.strip()
    if len(text) > _MAX_TEXT:
        raise QuantityError(f"not a quantity: {text[:20]!r}... ({len(text)} characters)")
    m = _QUANTITY.match(text)
    if m is None:
        raise QuantityError(f"not a quantity: {value!r}")
    suffix = m["suffix"]
    try:
        number = Decimal(m["number"])
        if suffix in _BINARY:
            return number * (Decimal(1024) ** _BINARY[suffix])
        if suffix in _DECIMAL:
            return number.scaleb(_DECIMAL[suffix])
        return number.scaleb(int(suffix[1:]))
    except (ArithmeticError, ValueError) as e:  # an exponent beyond what Decimal holds
        raise QuantityError(f"not a quantity: {value!r}") from e


def cpu_cores(value: object) -> float:
    """CPU in cores: "500m" -> 0.5, 2 -> 2.0."""
    return float(parse_quantity(value))


def memory_bytes(value: object) -> float:
    """Memory in bytes: "1Gi" -> 1073741824.0, "1G" -> 1e9."""
    return float(parse_quantity(value))
