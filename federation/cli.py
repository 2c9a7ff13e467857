"""The `kfed` command line: a small dispatcher with one pair of functions per subcommand.

Each subcommand NAME has `add_NAME(subparsers)`, which declares its arguments and sets
`func=run_NAME`, and `run_NAME(args) -> int`, which does the work and returns the exit code.
To add one, write those two functions and list `add_NAME` in `SUBCOMMANDS`. Heavy imports
happen inside `run_NAME`, so `kfed --help` stays fast.

Exit codes: 0 success, 1 the command ran and failed (say, unmet expectations), 2 invalid input
(bad arguments or invalid documents; every problem is printed on stderr, one per line).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

EXIT_OK, EXIT_FAILED, EXIT_INVALID = 0, 1, 2

SubParsers = Any  # argparse._SubParsersAction, which argparse does not export


class UsageError(ValueError):
    """Bad command-line arguments (exit 2)."""


def _fail(errors: Sequence[str]) -> int:
    for line in errors:
        print(line, file=sys.stderr)
    return EXIT_INVALID


# ------------------------------------------------------------------ validate


def add_validate(sub: SubParsers) -> None:
    p = sub.add_parser(
        "validate",
        help="check documents (clusters, policies, workloads, scenarios)",
        description="Load and validate every document in FILE...; print every problem on "
        "stderr and exit 2 when there is any.",
    )
    p.add_argument("files", nargs="+", metavar="FILE")
    p.set_defaults(func=run_validate)


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def run_validate(args: argparse.Namespace) -> int:
    from federation.api import LoadError, load_documents

    try:
        docs = load_documents(args.files)
    except LoadError as e:
        return _fail(e.errors)
    clusters, workloads = len(docs.clusters), len(docs.workloads)
    policies = len(docs.policies) + len(docs.overrides)
    for s in docs.scenarios:
        clusters += len(s.desired.clusters)
        workloads += len(s.desired.workloads)
        policies += len(s.desired.policies) + len(s.desired.overrides)
    print(
        f"ok: {_count(len(docs.files), 'file')}, {_count(clusters, 'cluster')}, "
        f"{_count(policies, 'policy').replace('policys', 'policies')}, "
        f"{_count(workloads, 'workload')}, {_count(len(docs.scenarios), 'scenario')}"
    )
    return EXIT_OK


# ------------------------------------------------------------------ plan


def add_plan(sub: SubParsers) -> None:
    p = sub.add_parser(
        "plan",
        help="what-if: where would each workload go?",
        description="Run the reconcile core once over the documents in FILE... (empty member "
        "clusters with their declared capacity) and show each workload's target clusters, "
        "unschedulable replicas, and why every other cluster was left out. A file holding a "
        "Scenario is planned on its own (with its inline documents and resources).",
    )
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument(
        "--ignore-capacity",
        action="store_true",
        help="treat every member's capacity as unknown (unlimited)",
    )
    p.add_argument("--width", type=int, default=100, help="text width (default 100)")
    p.set_defaults(func=run_plan)


def run_plan(args: argparse.Namespace) -> int:
    from federation.api import LoadError, load_documents
    from federation.whatif import plan, render_json, render_text

    try:
        docs = load_documents(args.files)
    except LoadError as e:
        return _fail(e.errors)
    capacity = not args.ignore_capacity
    plans = []
    scenario_files = {s.source for s in docs.scenarios}
    shared = [f for f in args.files if f not in scenario_files]
    if docs.workloads or not docs.scenarios:
        plans.append(plan(docs.desired(), source=", ".join(shared), capacity=capacity))
    for s in docs.scenarios:
        plans.append(plan(s.desired, name=s.name, source=s.source, capacity=capacity))
    out = render_json(plans) if args.json else render_text(plans, width=args.width)
    sys.stdout.write(out)
    return EXIT_OK


# ------------------------------------------------------------------ schema


def add_schema(sub: SubParsers) -> None:
    p = sub.add_parser(
        "schema",
        help="print the JSON Schema of kfed documents",
        description="Print (or write with -o) the JSON Schema (Draft 2020-12) of every kfed "
        "document kind.",
    )
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    p.set_defaults(func=run_schema)


def run_schema(args: argparse.Namespace) -> int:
    from federation.api.schema import exported

    text = exported()
    if args.output:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return EXIT_OK


# ------------------------------------------------------------------ divide


def add_divide(sub: SubParsers) -> None:
    from federation.core.division import DEFAULT_METHOD, METHODS

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
    p.add_argument("--method", choices=METHODS, default=DEFAULT_METHOD)
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
    p.add_argument("--json", action="store_true", help="print one JSON object")
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


def _weight(text: str) -> int | Fraction:
    try:
        return int(text)
    except ValueError:
        return Fraction(text)


def run_divide(args: argparse.Namespace) -> int:
    from federation.core.division import divide

    try:
        weights = _pairs("clusters", [args.clusters], _weight)
        rows: list[dict[str, Any]] = [{"name": n, "weight": w} for n, w in weights.items()]
        for flag in ("min", "max", "capacity", "current"):
            for name, n in _pairs(flag, getattr(args, flag), int).items():
                if name not in weights:
                    raise UsageError(f"--{flag}: {name!r} is not one of --clusters")
                next(r for r in rows if r["name"] == name)[flag] = n
        div = divide(args.total, rows, method=args.method, key=args.key, rebalance=args.rebalance)
    except ValueError as e:
        return _fail([f"kfed divide: {e}"])
    if args.json:
        doc = {
            "method": div.method,
            "total": div.total,
            "replicas": dict(div.replicas),
            "unschedulable": div.unschedulable,
            "overflow": dict(div.overflow),
            "over_capacity": dict(div.over_capacity),
            "reason": div.reason,
        }
        print(json.dumps(doc, indent=2, sort_keys=True))
        return EXIT_OK
    cols = ("cluster", "weight", "min", "max", "capacity", "current", "replicas")
    table = [cols]
    for r in rows:
        n = r["name"]
        cells = [n, str(r["weight"])]
        cells += [str(r[k]) if k in r else "" for k in ("min", "max", "capacity", "current")]
        cells.append(str(div.replicas[n]))
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


# ------------------------------------------------------------------ dispatcher

def _running() -> list[Callable[[SubParsers], None]]:
    from federation import cli_run

    return [cli_run.add_run, cli_run.add_plot, cli_run.add_compare, cli_run.add_clusters]


SUBCOMMANDS: list[Callable[[SubParsers], None]] = [
    add_validate,
    add_plan,
    add_schema,
    add_divide,
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kfed", description="kfed: a Kubernetes cluster-federation engine and testbed."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in [*_running()[:1], *SUBCOMMANDS, *_running()[1:]]:
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_in = list(sys.argv[1:] if argv is None else argv)
    try:
        if args_in[:1] == ["clusters"]:
            # `kfed clusters` has a parser of its own (its --help included): hand it the rest
            from federation.kube.provision import clusters_command

            return int(clusters_command(args_in[1:]))
        args = build_parser().parse_args(args_in)
    except SystemExit as e:  # --help, or a usage error argparse already printed
        return e.code if isinstance(e.code, int) else EXIT_INVALID
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
