"""The `kfed` command line: a small dispatcher over one module per verb group.

Each verb NAME has `add_NAME(subparsers)`, which declares its arguments and sets
`func=run_NAME`, and `run_NAME(args) -> int`, which does the work and returns the exit code.
Heavy imports happen inside `run_NAME`, so `kfed --help` stays fast. Nothing else in kfed
imports this package.

Exit codes: 0 success, 1 the command ran and failed (say, unmet expectations), 2 invalid input
(bad arguments or invalid documents; every problem is printed on stderr, one per line).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from federation.cli import clusters, compare, divide, documents, run
from federation.cli.common import EXIT_INVALID, SubParsers

SUBCOMMANDS: list[Callable[[SubParsers], None]] = [
    run.add_run,
    documents.add_validate,
    documents.add_plan,
    documents.add_schema,
    divide.add_divide,
    run.add_plot,
    compare.add_compare,
    clusters.add_clusters,
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kfed", description="kfed: a Kubernetes cluster-federation engine and testbed."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in SUBCOMMANDS:
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


