"""`kfed clusters up|down|status`: local real member clusters (kwok, or kind with Docker)."""

from __future__ import annotations

import argparse
from typing import Any


def add_clusters(sub: Any) -> None:
    p = sub.add_parser(
        "clusters",
        help="local real clusters: up | down | status",
        description="Provision local member clusters (kwok: real control "
        "planes with fake nodes; kind: needs Docker). See `kfed clusters up -h`.",
        add_help=False,
    )
    p.add_argument("argv", nargs=argparse.REMAINDER)
    p.set_defaults(func=run_clusters)


def run_clusters(args: argparse.Namespace) -> int:
    from federation.kube.provision import clusters_command

    return int(clusters_command(args.argv))
