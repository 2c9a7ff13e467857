"""`kfed validate`, `kfed plan` and `kfed schema`: documents checked, planned and described."""

from __future__ import annotations

import argparse
import sys

from federation.cli.common import EXIT_OK, SubParsers, fail


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
        return fail(e.errors)
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
        return fail(e.errors)
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
