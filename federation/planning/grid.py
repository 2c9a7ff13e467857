"""The grid of a sweep: one axis per `--set PATH=V1,V2,...` or `--set PATH=START..STOP:STEP`,
and the points (one value per axis) in their product, in a stable order."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from federation.api.settings import (
    Setting,
    SettingError,
    parse_path,
    parse_value,
    split_assignment,
)

MAX_POINTS = 100_000


@dataclass(frozen=True)
class Axis:
    """One swept path and its values, in the order given."""

    path: str
    values: tuple[Any, ...]

    @property
    def numeric(self) -> bool:
        return all(isinstance(v, int | float) and not isinstance(v, bool) for v in self.values)


def _number(text: str, whole: str) -> Decimal:
    try:
        d = Decimal(text.strip())
    except InvalidOperation:
        raise SettingError(f"--set {whole}: {text.strip()!r} is not a number") from None
    if not d.is_finite():
        raise SettingError(f"--set {whole}: {text.strip()!r} is not a finite number")
    return d


def _range(text: str, whole: str) -> tuple[Any, ...]:
    """`START..STOP:STEP` (STOP included when the steps land on it; STEP defaults to 1)."""
    span, _, step_text = text.partition(":")
    start_text, _, stop_text = span.partition("..")
    start, stop = _number(start_text, whole), _number(stop_text, whole)
    step = _number(step_text, whole) if step_text else Decimal(1)
    if step <= 0:
        raise SettingError(f"--set {whole}: the step must be > 0, got {step_text}")
    if stop < start:
        raise SettingError(f"--set {whole}: the range goes down ({start_text}..{stop_text})")
    count = int((stop - start) / step) + 1
    if count > MAX_POINTS:
        raise SettingError(f"--set {whole}: {count} values, more than {MAX_POINTS}")
    whole_numbers = all(d == d.to_integral_value() for d in (start, step))
    values = [start + i * step for i in range(count)]
    return tuple(int(v) if whole_numbers else float(v) for v in values)


def axis(text: str) -> Axis:
    """One `--set` of a sweep: `PATH=V1,V2,...` or `PATH=START..STOP[:STEP]` (a single value
    is an axis of one point: fixed for the whole sweep)."""
    path, value_text = split_assignment(text)
    parse_path(path, None, text)  # the path's syntax and kind, checked before anything runs
    if ".." in value_text and "," not in value_text:
        return Axis(path, _range(value_text, text))
    values = []
    for item in value_text.split(","):
        try:
            values.append(parse_value(item))
        except SettingError as e:
            raise SettingError(f"--set {text}: {e}") from None
    if len(set(map(repr, values))) != len(values):
        raise SettingError(f"--set {text}: a value is given twice")
    return Axis(path, tuple(values))


def axes(texts: Iterable[str]) -> list[Axis]:
    out: list[Axis] = []
    for text in texts:
        a = axis(text)
        if any(b.path == a.path for b in out):
            raise SettingError(f"--set {text}: {a.path} is swept twice")
        out.append(a)
    return out


def from_mapping(grid: Mapping[str, Any]) -> list[Axis]:
    """Axes from a Python mapping: PATH -> a list of values, one value, or a range text."""
    out = []
    for path, values in grid.items():
        if isinstance(values, str) and ".." in values:
            out.append(axis(f"{path}={values}"))
            continue
        seq = list(values) if isinstance(values, list | tuple | range) else [values]
        parse_path(path, None, f"{path}=")
        out.append(Axis(path, tuple(seq)))
    return out


def points(grid: Sequence[Axis]) -> list[dict[str, Any]]:
    """Every combination of one value per axis: the last axis varies fastest."""
    combos = itertools.product(*(a.values for a in grid))
    out = [dict(zip((a.path for a in grid), combo, strict=True)) for combo in combos]
    if len(out) > MAX_POINTS:
        raise SettingError(f"the grid has {len(out)} points, more than {MAX_POINTS}")
    return out


def settings(point: Mapping[str, Any]) -> list[Setting]:
    """A point as overrides, each value as the grid holds it."""
    return [parse_path(path, value, f"{path}={value}") for path, value in point.items()]
