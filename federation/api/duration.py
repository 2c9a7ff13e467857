"""Durations in scenario documents: a YAML number of seconds (90, 0.5) or a Go-style string
("90s", "10m", "1h", "1m30s", "250ms", "1.5s") - always returned as float seconds."""

from __future__ import annotations

import math
import re

__all__ = ["DurationError", "is_duration", "parse_duration"]

_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
_PART = re.compile(r"([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(ms|s|m|h)")


_MAX_TEXT = 64


class DurationError(ValueError):
    """Not a duration."""


def parse_duration(value: object) -> float:
    """Seconds in `value`: `parse_duration("1m30s") == 90.0`, `parse_duration(2) == 2.0`.

    Negative values parse (the caller decides what range is allowed); a bare string number
    ("90") does not: a string must carry its unit.
    """
    if isinstance(value, bool):
        raise DurationError(f"not a duration: {value!r}")
    if isinstance(value, int | float):
        if value != value or value in (float("inf"), float("-inf")):
            raise DurationError(f"not a duration: {value!r}")
        return float(value)
    if not isinstance(value, str):
        raise DurationError(f"not a duration: {value!r}")
    text = value.strip()
    if len(text) > _MAX_TEXT:
        raise DurationError(f"not a duration: {text[:20]!r}... ({len(text)} characters)")
    sign = 1.0
    if text[:1] in "+-" and text:
        sign = -1.0 if text[0] == "-" else 1.0
        text = text[1:]
    if not text:
        raise DurationError(f"not a duration: {value!r}")
    total, pos = 0.0, 0
    for m in _PART.finditer(text):
        if m.start() != pos:
            raise DurationError(f"not a duration: {value!r}")
        total += float(m[1]) * _UNITS[m[2]]
        pos = m.end()
    if pos != len(text) or not math.isfinite(total):
        raise DurationError(f"not a duration: {value!r}")
    return sign * total


def is_duration(value: object) -> bool:
    """Whether `value` parses as a duration (a timeline entry's name must not)."""
    try:
        parse_duration(value)
    except DurationError:
        return False
    return True
