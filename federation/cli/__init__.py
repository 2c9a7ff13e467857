"""The `kfed` command line: a small dispatcher over one module per verb group.

Each verb NAME has `add_NAME(subparsers)`, which declares its arguments and sets
`func=run_NAME`, and `run_NAME(args) -> int`, which does the work and returns the exit code.
Heavy imports happen inside `run_NAME`, so `kfed --help` stays fast. Nothing else in kfed
imports this package.

Exit codes: 0 success, 1 the command ran and failed (say, unmet expectations), 2 invalid input
(bad arguments or invalid documents; every problem is printed on stderr, one per line), 141
(128 + SIGPIPE) when stdout was closed before kfed finished writing (`kfed run X | head -1`):
what a process killed by SIGPIPE reports, as `cat` or kubectl would, quietly, and never 1,
which means a failed expectation; 3 an internal error (a bug in kfed: the traceback is shown);
130 interrupted (Ctrl-C).

Output conventions, as in kubectl: `-o json|yaml|wide` picks the output FORMAT of every verb
that prints data (`--json` is an alias of `-o json`); files are written with `--out DIR` or
`--output-file FILE`. Durations on the command line read as in scenario files: 90, 90s, 1m30s.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from federation import __version__
from federation.cli import (
    clusters,
    compare,
    controller,
    controlplane,
    divide,
    documents,
    explain,
    importer,
    join,
    planning,
    run,
)
from federation.cli.common import (
    EXIT_BUG,
    EXIT_INTERRUPTED,
    EXIT_INVALID,
    EXIT_SIGPIPE,
    SubParsers,
    UsageError,
    fail,
)

SUBCOMMANDS: list[Callable[[SubParsers], None]] = [
    run.add_run,
    planning.add_sweep,
    planning.add_survive,
    documents.add_validate,
    documents.add_plan,
    documents.add_schema,
    importer.add_import,
    divide.add_divide,
    run.add_plot,
    explain.add_explain,
    compare.add_compare,
    clusters.add_clusters,
    controlplane.add_controlplane,
    controller.add_controller,
    join.add_join,
    join.add_unjoin,
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kfed", description="kfed: a Kubernetes cluster-federation engine and testbed."
    )
    parser.add_argument("--version", action="version", version=f"kfed {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in SUBCOMMANDS:
        add(sub)
    return parser


def _dispatch(args_in: list[str]) -> int:
    try:
        if args_in[:1] == ["clusters"]:
            # `kfed clusters` has a parser of its own (its --help included): hand it the rest
            from federation.kube.provision import clusters_command

            return int(clusters_command(args_in[1:]))
        args = build_parser().parse_args(args_in)
    except SystemExit as e:  # --help, --version, or a usage error argparse already printed
        return e.code if isinstance(e.code, int) else EXIT_INVALID
    try:
        code: int = args.func(args)
    except UsageError as e:
        return fail([str(e)])
    return code


def _stdout_to_devnull() -> None:
    """After a broken pipe: later writes and the flush at exit go nowhere, silently."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # not a real file (a test's capture)
        pass


def main(argv: Sequence[str] | None = None) -> int:
    args_in = list(sys.argv[1:] if argv is None else argv)
    try:
        code = _dispatch(args_in)
        sys.stdout.flush()  # a closed pipe shows here, not in a traceback at exit
    except BrokenPipeError:
        _stdout_to_devnull()
        return EXIT_SIGPIPE
    except KeyboardInterrupt:
        print("kfed: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception:  # a bug in kfed: say so, never exit 1 (1 means a failed expectation)
        import traceback

        traceback.print_exc()
        print(
            f"kfed {__version__}: internal error (exit {EXIT_BUG}); this is a bug in kfed, "
            "not in your input: please report it with the traceback above",
            file=sys.stderr,
        )
        return EXIT_BUG
    return code
