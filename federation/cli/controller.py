"""`kfed controller install|run`: kfed's CRDs on a federation host, and the long-running
controller (watches, the shared loop and core, status, optional leader election, /metrics)."""

from __future__ import annotations

import argparse
import os
import signal
import socket
import sys
import threading
from typing import Any

from federation.cli.common import EXIT_BUG, EXIT_FAILED, EXIT_OK, UsageError, add_output, dump


def add_controller(sub: Any) -> None:
    p = sub.add_parser(
        "controller",
        help="controller mode: install CRDs | run the federation controller",
        description="kfed as a federation control plane on a host API server (docs/controller.md).",
    )
    verbs = p.add_subparsers(dest="verb", required=True, metavar="VERB")
    ins = verbs.add_parser("install", help="install kfed's CRDs and namespace on the host")
    ins.add_argument("--kubeconfig", help="the host's kubeconfig (not needed with --print)")
    ins.add_argument("--host-context", help="context in it")
    ins.add_argument(
        "--print", action="store_true", help="print the manifests instead of applying them"
    )
    add_output(ins, ("json", "yaml"), "yaml with --print")
    run = verbs.add_parser("run", help="run the federation controller (until SIGTERM/Ctrl-C)")
    run.add_argument("--kubeconfig", required=True, help="the host's kubeconfig")
    run.add_argument("--host-context", help="context in it")
    run.add_argument(
        "--leader-elect",
        action="store_true",
        help="elect a leader among replicas (Lease kfed-system/kfed-controller)",
    )
    run.add_argument("--lease-duration", type=int, default=15, metavar="S")
    run.add_argument("--renew-deadline", type=int, default=10, metavar="S")
    run.add_argument("--retry-period", type=int, default=2, metavar="S")
    run.add_argument("--identity", help="this replica's name (default: host name and pid)")
    run.add_argument(
        "--metrics-addr",
        default="127.0.0.1:8080",
        help="address of /metrics, /healthz and /readyz (default 127.0.0.1:8080; port 0 picks one)",
    )
    run.add_argument("--log-level", default="info", choices=("debug", "info", "warning"))
    run.add_argument("--probe-period", type=float, default=2.0, help="seconds between probes")
    run.add_argument(
        "--drain-timeout", type=float, default=120.0, help="seconds an unjoin may drain"
    )
    p.set_defaults(func=run_controller)


def run_controller(args: argparse.Namespace) -> int:
    if args.verb == "install":
        return _install(args)
    return _run(args)


def _install(args: argparse.Namespace) -> int:
    from federation.controller.install import install, manifests

    if args.print:
        fmt = args.output or "yaml"
        if fmt == "yaml":
            import yaml

            sys.stdout.write(yaml.safe_dump_all(manifests(), sort_keys=False))
        else:
            sys.stdout.write(dump(manifests(), fmt, sort_keys=False))
        return EXIT_OK
    if not args.kubeconfig:
        raise UsageError("kfed controller install: --kubeconfig is required (or --print)")
    from federation.cli.join import host_client

    with host_client(args) as host:
        names = install(host)
    print(f"installed {len(names)} CRDs: {', '.join(names)}", file=sys.stderr)
    return EXIT_OK


def _run(args: argparse.Namespace) -> int:
    from federation.cli.join import host_client
    from federation.controller import logs
    from federation.controller.controller import Controller, Settings
    from federation.controller.election import Election, Timings
    from federation.controller.join import ensure_namespace
    from federation.controller.metrics import Endpoints, PrometheusSink
    from federation.core.health import HealthThresholds

    timings = Timings(args.lease_duration, args.renew_deadline, args.retry_period)
    if args.leader_elect and timings.problems():
        raise UsageError(f"kfed controller run: {'; '.join(timings.problems())}")
    identity = args.identity or f"{socket.gethostname()}-{os.getpid()}"
    logs.configure(args.log_level, identity)
    import logging

    log = logging.getLogger("kfed.controller")
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    host = host_client(args)
    try:
        ensure_namespace(host)
    except Exception as e:
        log.warning("kfed-system namespace not ensured", extra={"error": type(e).__name__})
    sink = PrometheusSink()
    th = HealthThresholds(probe_period=args.probe_period)
    election: Election | None = None
    if args.leader_elect:
        name = {"name": "kfed-controller"}
        sink.set("leader_election_master_status", name, 0)
        election = Election(
            host,
            identity,
            timings,
            on_status=lambda leading: sink.set(
                "leader_election_master_status", name, 1 if leading else 0
            ),
        )
    controller = Controller(
        host,
        sink,
        Settings(thresholds=th, drain_timeout=args.drain_timeout),
        may_write=election.may_write if election else None,
        identity=identity,
    )

    def healthy() -> tuple[bool, str]:
        import time

        if controller.loop is not None and time.monotonic() - controller.heartbeat > 30:
            return False, "control loop stalled"
        return True, "ok"

    def ready() -> tuple[bool, str]:
        if election is not None and not election.leading.is_set():
            return True, "standby"
        return (controller.ready.is_set(), "ok" if controller.ready.is_set() else "syncing")

    try:
        endpoints = Endpoints(args.metrics_addr, sink, healthy, ready)
    except OSError as e:
        raise UsageError(f"kfed controller run: --metrics-addr {args.metrics_addr}: {e}") from None
    endpoints.start()
    log.info("serving metrics and probes", extra={"address": endpoints.address})
    done = threading.Event()
    crashed = threading.Event()

    def lead() -> None:
        try:
            controller.run()
        except BaseException:
            log.exception("controller failed")  # a bug in kfed: stop, exit 3
            crashed.set()
            stop.set()
        finally:
            done.set()

    code = EXIT_OK
    try:
        if election is None:
            threading.Thread(target=lead, name="controller", daemon=True).start()
            stop.wait()
        else:
            threading.Thread(
                target=election.run, args=(lead,), name="election", daemon=True
            ).start()
            while not stop.wait(0.2):
                if election.lost.is_set():
                    log.error("leader election lost: exiting")
                    code = EXIT_FAILED
                    break
        controller.stop.set()
        done.wait(10.0)
        if crashed.is_set():
            code = EXIT_BUG
    finally:
        endpoints.stop()
        host.close()
    return code
