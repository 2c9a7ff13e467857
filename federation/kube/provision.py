"""``kfed clusters up|down|status``: create, list and delete local member clusters.

The CLI wires ``clusters_command(argv)``; it returns the process exit code.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from federation.kube.members import MemberHandle, MemberSpec, NodePool, Provider

DEFAULT_WORKDIR = Path("~/.cache/kfed/clusters")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kfed clusters",
        description="Local member clusters: kwok (real control planes as local processes, "
        "fake nodes) or kind (needs a Docker engine).",
    )
    parser.add_argument("action", choices=("up", "down", "status"))
    parser.add_argument("--provider", choices=("kwok", "kind"), default="kwok")
    parser.add_argument(
        "--count", type=int, default=None, help="number of members, named m1..mN (default 3 for up)"
    )
    parser.add_argument("--names", default="", help="comma-separated member names")
    parser.add_argument(
        "--scenario",
        metavar="FILE",
        help="take the members (names, capacity, nodes) from a scenario's Cluster documents",
    )
    parser.add_argument("--nodes", type=int, default=1, help="nodes per member")
    parser.add_argument("--cpu", default="32", help="CPU per node (Kubernetes quantity)")
    parser.add_argument("--memory", default="256Gi", help="memory per node")
    parser.add_argument("--pods", type=int, default=110, help="pods per node")
    parser.add_argument(
        "--workdir",
        type=Path,
        default=DEFAULT_WORKDIR,
        help=f"state directory (default {DEFAULT_WORKDIR})",
    )
    parser.add_argument(
        "--bin-dir",
        type=Path,
        default=None,
        help="binary cache (default $KFED_BIN_DIR or ~/.cache/kfed/bin)",
    )
    parser.add_argument(
        "--no-proxy", action="store_true", help="kwok: no toxiproxy in front of the API servers"
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="kind: print the commands instead of running them"
    )
    parser.add_argument(
        "-o",
        "--output",
        choices=("json", "yaml"),
        metavar="FORMAT",
        help="status: output format, json or yaml (default: a table)",
    )
    return parser


def member_names(count: int | None, names: str) -> list[str]:
    listed = [n.strip() for n in names.split(",") if n.strip()]
    if listed and count is not None and count != len(listed):
        raise ValueError(f"--count {count} does not match {len(listed)} --names")
    return listed or [f"m{i}" for i in range(1, (3 if count is None else count) + 1)]


def scenario_specs(path: str) -> list[MemberSpec]:
    """Members as a scenario declares them: each Cluster's capacity split over its nodes."""
    from federation.api import load_scenario
    from federation.kube.fleet import member_spec

    scenario = load_scenario(path)
    return [member_spec(c) for c in scenario.desired.clusters]


def format_table(handles: Sequence[MemberHandle], ready: dict[str, bool]) -> str:
    rows = [("NAME", "CONTEXT", "SERVER", "READY", "KUBECONFIG")]
    rows += [
        (h.name, h.context, h.server or "-", "yes" if ready.get(h.name) else "no", h.kubeconfig)
        for h in handles
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(r[:4], widths, strict=True)) + "  " + r[4]
        for r in rows
    )


def clusters_command(argv: Sequence[str]) -> int:
    """Entry point of ``kfed clusters``; prints a table of members."""
    args = _parser().parse_args(list(argv))
    workdir = args.workdir.expanduser()
    try:
        if args.scenario:
            specs = scenario_specs(args.scenario)
            names = [s.name for s in specs]
        else:
            names = member_names(args.count, args.names)
            pool = NodePool(count=args.nodes, cpu=args.cpu, memory=args.memory, pods=args.pods)
            specs = [MemberSpec(n, pool) for n in names]
    except ValueError as exc:  # LoadError is a ValueError: one problem per line
        for line in getattr(exc, "errors", None) or [str(exc)]:
            print(f"kfed clusters: {line}", file=sys.stderr)
        return 2
    provider: Provider
    if args.provider == "kind":
        from federation.kube.kind import KindProvider

        provider = KindProvider(workdir, args.bin_dir, dry_run=args.dry_run)
    else:
        from federation.kube.kwok import KwokProvider

        provider = KwokProvider(workdir, args.bin_dir, proxy=not args.no_proxy)
    explicit = bool(args.names) or args.count is not None or bool(args.scenario)

    if args.action == "up":
        start = time.monotonic()
        handles = provider.up(specs)
        print(format_table(handles, provider.status()))
        merged = workdir.resolve() / "kubeconfig.yaml"
        kubeconfig = str(merged) if merged.is_file() else ":".join(h.kubeconfig for h in handles)
        print(
            f"\n{len(handles)} member(s) up in {time.monotonic() - start:.1f}s; "
            f"all contexts: KUBECONFIG={kubeconfig}"
        )
        if args.provider == "kind" and args.dry_run:
            for cmd in getattr(provider, "commands", []):
                print("+ " + " ".join(cmd))
        return 0
    if args.action == "down":
        provider.down(names if explicit else None)
        return 0
    ready = provider.status()
    wanted = set(names) if explicit else set(ready)
    handles = [provider.handle(n) for n in sorted(ready) if n in wanted]
    if args.output:
        doc = [
            {
                "name": h.name,
                "context": h.context,
                "server": h.server or None,
                "ready": bool(ready.get(h.name)),
                "kubeconfig": h.kubeconfig,
            }
            for h in handles
        ]
        if args.output == "yaml":
            import yaml

            print(yaml.safe_dump(doc, sort_keys=True, default_flow_style=False), end="")
        else:
            import json

            print(json.dumps(doc, indent=2, sort_keys=True))
    else:
        print(format_table(handles, ready))
    return 0 if all(ready.get(h.name) for h in handles) else 1


if __name__ == "__main__":
    sys.exit(clusters_command(sys.argv[1:]))
