"""`kfed divide`: one replica division by any of the division methods."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from federation.cli.common import (
    EXIT_OK,
    TABLE_FORMATS,
    LazyChoices,
    SubParsers,
    UsageError,
    add_output,
    dump,
    fail,
)


def _methods() -> Sequence[str]:
    from federation.core.division import METHODS

    return METHODS


def add_divide(sub: SubParsers) -> None:
    p = sub.add_parser(
        "divide",
        help="divide replicas over clusters with one division method",
        description="Divide TOTAL replicas over the clusters given with --clusters "
        "(federation.core.division.divide).",
    )
    p.add_argument("total", type=int, metavar="TOTAL")
    p.add_argument(
        "--clusters",
        required=True,
        metavar="NAME=WEIGHT,...",
        help="clusters in order with their weights (int, decimal or fraction): a=2,b=1",
    )
    # choices load the division package only when used: declaring the flag imports nothing
    p.add_argument(
        "--method",
        choices=LazyChoices(_methods),
        metavar="METHOD",  # argparse would list the choices (and import them) right away
        help="division method: %(choices)s (default kfed)",
    )
    for flag, what in (
        ("min", "replicas a cluster gets at least"),
        ("max", "replicas a cluster gets at most"),
        ("capacity", "replicas a cluster can hold in all"),
        ("current", "replicas a cluster has now"),
    ):
        p.add_argument(f"--{flag}", action="append", default=[], metavar="NAME=N,...", help=what)
    p.add_argument("--key", default="", metavar="UID", help="workload UID for tie-breaks")
    p.add_argument(
        "--rebalance",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="recompute from scratch (default) or keep current replicas where possible",
    )
    add_output(p, TABLE_FORMATS, what="a table; wide: overflow per cluster")
    p.set_defaults(func=run_divide)


def _pairs(flag: str, texts: Sequence[str], parse: Callable[[str], Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for text in texts:
        for item in text.split(","):
            name, sep, value = item.strip().partition("=")
            if not sep or not name:
                raise UsageError(f"--{flag}: expected NAME=VALUE, got {item.strip()!r}")
            try:
                out[name] = parse(value.strip())
            except ValueError:
                raise UsageError(f"--{flag}: bad value for {name}: {value.strip()!r}") from None
    return out


if TYPE_CHECKING:
    from fractions import Fraction


def _weight(text: str) -> int | Fraction:
    try:
        return int(text)
    except ValueError:
        from fractions import Fraction  # only here: it costs start-up time (decimal)

        return Fraction(text)


def run_divide(args: argparse.Namespace) -> int:
    from federation.core.division import DEFAULT_METHOD, divide

    try:
        weights = _pairs("clusters", [args.clusters], _weight)
        rows: list[dict[str, Any]] = [{"name": n, "weight": w} for n, w in weights.items()]
        for flag in ("min", "max", "capacity", "current"):
            for name, n in _pairs(flag, getattr(args, flag), int).items():
                if name not in weights:
                    raise UsageError(f"--{flag}: {name!r} is not one of --clusters")
                next(r for r in rows if r["name"] == name)[flag] = n
        method = args.method or DEFAULT_METHOD
        div = divide(args.total, rows, method=method, key=args.key, rebalance=args.rebalance)
    except ValueError as e:
        return fail([f"kfed divide: {e}"])
    if args.output in ("json", "yaml"):
        doc = {
            "method": div.method,
            "total": div.total,
            "replicas": dict(div.replicas),
            "unschedulable": div.unschedulable,
            "overflow": dict(div.overflow),
            "over_capacity": dict(div.over_capacity),
            "reason": div.reason,
        }
        print(dump(doc, args.output), end="")
        return EXIT_OK
    wide = args.output == "wide"
    cols: tuple[str, ...] = ("cluster", "weight", "min", "max", "capacity", "current", "replicas")
    if wide:
        cols += ("overflow", "over capacity")
    table = [cols]
    for r in rows:
        n = r["name"]
        cells = [n, str(r["weight"])]
        cells += [str(r[k]) if k in r else "" for k in ("min", "max", "capacity", "current")]
        cells.append(str(div.replicas[n]))
        if wide:
            cells += [str(div.overflow.get(n, "")), str(div.over_capacity.get(n, ""))]
        table.append(tuple(cells))
    widths = [max(len(row[i]) for row in table) for i in range(len(cols))]
    for row in table:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    if div.unschedulable:
        print(f"unschedulable: {div.unschedulable}")
    for label, m in (("overflow", div.overflow), ("over capacity", div.over_capacity)):
        if m:
            print(f"{label}: " + ", ".join(f"{k}={v}" for k, v in m.items()))
    print(div.reason)
    return EXIT_OK
