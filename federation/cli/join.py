"""`kfed join NAME` and `kfed unjoin NAME`: register a member cluster with a federation host
(a Cluster and a Secret with its credentials), or drain and remove it."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from federation.cli.common import EXIT_FAILED, EXIT_OK, fail


def _host(p: Any) -> None:
    p.add_argument("--kubeconfig", required=True, help="the federation host's kubeconfig")
    p.add_argument("--host-context", help="context in it (default: its current context)")


def add_join(sub: Any) -> None:
    p = sub.add_parser(
        "join",
        help="register a member cluster with a federation host",
        description="Record a Cluster and a Secret with the member's credentials on the host. "
        "By default kfed creates a ServiceAccount on the member bound to the least-privilege "
        "role kfed needs (docs/controller.md) and stores its token, not the kubeconfig given.",
    )
    p.add_argument("name", help="the member's name (a DNS label of at most 40 characters)")
    _host(p)
    p.add_argument("--member-kubeconfig", required=True, help="a kubeconfig for the member")
    p.add_argument("--context", help="context in it (default: its current context)")
    p.add_argument("--region", default="", help="the Cluster's spec.region")
    p.add_argument("--zone", default="", help="the Cluster's spec.zone")
    p.add_argument(
        "--label", action="append", default=[], metavar="K=V", help="a label on the Cluster"
    )
    p.add_argument(
        "--use-given-credentials",
        action="store_true",
        help="store the kubeconfig given instead of a least-privilege ServiceAccount token",
    )
    p.add_argument(
        "--insecure-skip-tls-verify",
        action="store_true",
        help="accept a member whose certificate is not verified (never by default)",
    )
    p.set_defaults(func=run_join)


def add_unjoin(sub: Any) -> None:
    p = sub.add_parser(
        "unjoin",
        help="drain a member cluster and remove it from the federation",
        description="Delete the Cluster; the controller moves its replicas elsewhere "
        "(make before break), deletes what kfed put on it and lets it go.",
    )
    p.add_argument("name")
    _host(p)
    p.add_argument(
        "--member-kubeconfig", help="also remove kfed's ServiceAccount and role from the member"
    )
    p.add_argument("--context", help="context in the member kubeconfig")
    p.add_argument("--wait", type=float, default=120.0, help="seconds to wait (default 120)")
    p.add_argument(
        "--force", action="store_true", help="after --wait, remove the Cluster undrained"
    )
    p.set_defaults(func=run_unjoin)


def host_client(args: argparse.Namespace) -> Any:
    from kubernetes import client, config

    configuration = type.__call__(client.Configuration)
    configuration.retries = 1
    configuration.connection_pool_maxsize = 32
    return config.new_client_from_config(  # type: ignore[no-untyped-call]
        config_file=args.kubeconfig,
        context=getattr(args, "host_context", None),
        persist_config=False,
        client_configuration=configuration,
    )


def run_join(args: argparse.Namespace) -> int:
    from federation.controller.join import join
    from federation.kube.members import NAME_RE

    if not NAME_RE.match(args.name):
        return fail(
            [f"kfed join: NAME must be a DNS label of at most 40 characters, got {args.name!r}"]
        )
    labels = {}
    for item in args.label:
        k, sep, v = item.partition("=")
        if not sep or not k:
            return fail([f"kfed join: --label must be KEY=VALUE, got {item!r}"])
        labels[k] = v
    spec = {k: v for k, v in (("region", args.region), ("zone", args.zone)) if v}
    with host_client(args) as host:
        try:
            join(
                host,
                args.name,
                args.member_kubeconfig,
                args.context,
                service_account=not args.use_given_credentials,
                insecure=args.insecure_skip_tls_verify,
                spec=spec,
                labels=labels,
            )
        except (ValueError, OSError, StopIteration, KeyError) as e:
            return fail([f"kfed join: {args.name}: {e}"])
    print(f"cluster {args.name} joined", file=sys.stderr)
    return EXIT_OK


def run_unjoin(args: argparse.Namespace) -> int:
    from federation.controller.join import unjoin

    with host_client(args) as host:
        done = unjoin(
            host,
            args.name,
            member_kubeconfig=args.member_kubeconfig,
            context=args.context,
            wait=args.wait,
            force=args.force,
            log=lambda m: print(m, file=sys.stderr),
        )
    if not done:
        print(
            f"kfed unjoin: {args.name} still drains after {args.wait:.0f} s (is `kfed "
            "controller run` running?); --force removes it undrained",
            file=sys.stderr,
        )
        return EXIT_FAILED
    print(f"cluster {args.name} unjoined", file=sys.stderr)
    return EXIT_OK
