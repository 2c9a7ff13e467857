"""`kfed validate`, `kfed plan` and `kfed schema`: documents checked, planned and described."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from federation.cli.common import (
    DATA_FORMATS,
    EXIT_INVALID,
    EXIT_OK,
    TABLE_FORMATS,
    SubParsers,
    add_output,
    dump,
    fail,
)


def add_validate(sub: SubParsers) -> None:
    p = sub.add_parser(
        "validate",
        help="check documents (clusters, policies, workloads, scenarios)",
        description="Load and validate every document in FILE...; print every problem on "
        "stderr and exit 2 when there is any. With -o json|yaml, also print the result (what "
        "was found, or every problem with its file, line and path) on stdout.",
    )
    p.add_argument("files", nargs="+", metavar="FILE")
    add_output(p, DATA_FORMATS, what="one line")
    add_input_flags(p)
    p.set_defaults(func=run_validate)


def add_input_flags(p: Any, settings: bool = True) -> None:
    """How documents are loaded: --set, --strict, --allow-outside-resources (validate, plan,
    run; sweeps take --set as a grid instead)."""
    if settings:
        p.add_argument(
            "--set",
            metavar="PATH=VALUE",
            action="append",
            default=[],
            help="set a field before validation (repeatable): Cluster/m1.spec.capacity.cpu=16, "
            "Cluster[region=us-east].spec.capacity.cpu=16, Deployment/shop/web.spec.replicas=12, "
            "Scenario.spec.timeline[0].at=300",
        )
    p.add_argument(
        "--strict", action="store_true", help="treat warnings as errors (exit 2 when any)"
    )
    p.add_argument(
        "--allow-outside-resources",
        action="store_true",
        help="let a scenario's resources name files outside the scenario's folder",
    )


def _load_flags(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "strict": bool(getattr(args, "strict", False)),
        "allow_outside": bool(getattr(args, "allow_outside_resources", False)),
        "settings": tuple(getattr(args, "set", None) or ()),
    }


def print_warnings(warnings: Any) -> None:
    for w in warnings:
        print(f"warning: {w}", file=sys.stderr)


def scenario_or_fail(args: argparse.Namespace) -> Any:
    """The scenario in `args.scenario` (its warnings printed on stderr), or None after printing
    every problem (the caller exits 2)."""
    from pathlib import Path

    from federation.api import LoadError, load_scenario

    try:
        scenario = load_scenario(Path(args.scenario), **_load_flags(args))
    except LoadError as e:
        fail(e.errors)
        return None
    print_warnings(scenario.warnings)
    return scenario


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def run_validate(args: argparse.Namespace) -> int:
    from federation.api import LoadError, load_documents

    try:
        docs = load_documents(args.files, **_load_flags(args))
    except LoadError as e:
        if args.output:
            problems = [
                {
                    "file": p.file,
                    "line": p.line,
                    "path": p.path,
                    "message": p.message,
                    "where": p.where,
                    "text": text,
                }
                for p, text in zip(e.problems, e.errors, strict=True)
            ]
            sys.stdout.write(dump({"valid": False, "problems": problems}, args.output))
        return fail(e.errors)
    print_warnings(docs.warnings)
    clusters, workloads = len(docs.clusters), len(docs.workloads)
    policies = len(docs.policies) + len(docs.overrides)
    for s in docs.scenarios:
        clusters += len(s.desired.clusters)
        workloads += len(s.desired.workloads)
        policies += len(s.desired.policies) + len(s.desired.overrides)
    if args.output:
        counts: dict[str, Any] = {
            "files": len(docs.files),
            "clusters": clusters,
            "policies": policies,
            "workloads": workloads,
            "scenarios": len(docs.scenarios),
        }
        sys.stdout.write(dump({"valid": True, **counts, "problems": []}, args.output))
        return EXIT_OK
    foreign = ""
    if docs.compat:
        from federation.api.compat.report import totals

        t = totals(docs.compat)
        foreign = (
            f" ({len(docs.compat)} Karmada/KubeFed document(s): {t['exact']} field(s) mapped "
            f"exactly, {t['approximated']} approximated, {t['not simulated']} not simulated)"
        )
    print(
        f"ok: {_count(len(docs.files), 'file')}, {_count(clusters, 'cluster')}, "
        f"{_count(policies, 'policy').replace('policys', 'policies')}, "
        f"{_count(workloads, 'workload')}, {_count(len(docs.scenarios), 'scenario')}{foreign}"
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
    add_output(p, TABLE_FORMATS, what="one table per workload; wide: reasons never folded")
    p.add_argument(
        "--ignore-capacity",
        action="store_true",
        help="treat every member's capacity as unknown (unlimited)",
    )
    p.add_argument("--width", type=int, default=100, help="text width (default 100)")
    add_input_flags(p)
    p.set_defaults(func=run_plan)


WIDE = 10_000  # text width of `plan -o wide`: no reason is folded


def run_plan(args: argparse.Namespace) -> int:
    from federation.api import LoadError, load_documents
    from federation.whatif import plan, render_json, render_text, to_json

    try:
        docs = load_documents(args.files, **_load_flags(args))
    except LoadError as e:
        return fail(e.errors)
    print_warnings(docs.warnings)
    capacity = not args.ignore_capacity
    plans = []
    scenario_files = {s.source for s in docs.scenarios}
    shared = [f for f in args.files if f not in scenario_files]
    if docs.workloads or not docs.scenarios:
        plans.append(plan(docs.desired(), source=", ".join(shared), capacity=capacity))
    for s in docs.scenarios:
        plans.append(plan(s.desired, name=s.name, source=s.source, capacity=capacity))
    if args.output in DATA_FORMATS:
        out = render_json(plans) if args.output == "json" else dump(to_json(plans), "yaml")
    else:
        out = render_text(plans, width=WIDE if args.output == "wide" else args.width)
    sys.stdout.write(out)
    return EXIT_OK


def add_schema(sub: SubParsers) -> None:
    p = sub.add_parser(
        "schema",
        help="print the JSON Schema of kfed documents",
        description="Print (or write with --output-file) the JSON Schema (Draft 2020-12) of "
        "every kfed document kind, as JSON (default) or YAML.",
    )
    add_output(p, DATA_FORMATS, what="json")
    p.add_argument("--output-file", metavar="FILE", help="write to FILE instead of stdout")
    p.set_defaults(func=run_schema)


def run_schema(args: argparse.Namespace) -> int:
    from federation.api.schema import document, exported

    # YAML keeps the schema's own key order, which is as stable as the JSON's
    text = dump(document(), "yaml", sort_keys=False) if args.output == "yaml" else exported()
    if args.output_file:
        try:
            with open(args.output_file, "w", encoding="utf-8") as f:
                f.write(text)
        except OSError as e:
            fail([f"kfed schema: --output-file {args.output_file}: {e.strerror or e}"])
            return EXIT_INVALID
    else:
        sys.stdout.write(text)
    return EXIT_OK
