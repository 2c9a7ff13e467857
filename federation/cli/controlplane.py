"""`kfed controlplane up|down|stop|start`: a local federation (host API server + kwok members,
joined) to point kubectl and `kfed controller run` at."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from federation.cli.common import EXIT_FAILED, EXIT_OK, add_output, dump


def add_controlplane(sub: Any) -> None:
    p = sub.add_parser(
        "controlplane",
        help="a local federation control plane: up | down | stop M | start M",
        description="Start a host API server and N kwok member clusters on 127.0.0.1, install "
        "kfed's CRDs on the host and join the members; then run `kfed controller run`.",
    )
    verbs = p.add_subparsers(dest="verb", required=True, metavar="VERB")
    up = verbs.add_parser("up", help="start (or reuse) the host and members; print kubeconfigs")
    up.add_argument("--members", type=int, default=3, metavar="N", help="members (default 3)")
    down = verbs.add_parser("down", help="stop and delete everything `up` started")
    stop = verbs.add_parser("stop", help="stop one member (a real outage; data kept)")
    start = verbs.add_parser("start", help="start a stopped member again")
    for q in (stop, start):
        q.add_argument("member", help="member name (m1, m2, ...)")
    for q in (up, down, stop, start):
        q.add_argument(
            "--workdir",
            default="~/.cache/kfed/controlplane",
            help="where the clusters live (default ~/.cache/kfed/controlplane)",
        )
    add_output(up, ("json", "yaml"), "shell lines")
    p.set_defaults(func=run_controlplane)


def _say(msg: str) -> None:
    print(f"kfed controlplane: {msg}", file=sys.stderr, flush=True)


def run_controlplane(args: argparse.Namespace) -> int:
    from federation.controller import controlplane

    workdir = Path(args.workdir).expanduser()
    if args.verb == "up":
        if args.members < 1:
            from federation.cli.common import UsageError

            raise UsageError(f"kfed controlplane up: --members must be >= 1, got {args.members}")
        out = controlplane.up(workdir, args.members, _say)
        if args.output:
            sys.stdout.write(dump(out, args.output))
            return EXIT_OK
        print(f"export KUBECONFIG={out['host']}")
        for name, path in out["members"].items():
            print(f"# member {name}: {path}")
        _say(f"ready in {out['seconds']} s; next: kfed controller run --kubeconfig {out['host']}")
        return EXIT_OK
    if args.verb == "down":
        left = controlplane.down(workdir, _say)
        if left:
            _say(f"processes still running: {left}")
            return EXIT_FAILED
        return EXIT_OK
    try:
        controlplane.member(workdir, args.member, args.verb, _say)
    except KeyError as e:
        from federation.cli.common import fail

        return fail([f"kfed controlplane {args.verb}: {e.args[0]}"])
    _say(f"{args.member}: {'stopped' if args.verb == 'stop' else 'started'}")
    return EXIT_OK
