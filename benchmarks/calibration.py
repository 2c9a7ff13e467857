"""Calibration measurements on real local (kwok) members: what the sim's settings stand for.

Measured on running members (their `MemberHandle`s), each figure the way the kube backend meets
it: writes are server-side applies through the member's proxied context (as `KubeGateway`),
probes are `GET /readyz` with the gateway's TLS setup, pods are watched directly.

* `api`: round trip of one server-side apply of a ConfigMap (the sim's request link delay +
  `api_latency` + reply link delay) and of one `/readyz` probe;
* `startup`: from the apply of a Deployment (create, or a scale-up of a running one) returning
  to its ready replicas reaching the new count as a watch sees it (the sim's `pod_startup` plus
  the member's controllers, which the sim folds into it);
* `watch`: from an apply returning to the change arriving on a watch through the proxy (the
  sim's watch link delay);
* `outage`: how long `kwokctl stop` takes to make the API refuse, and to come back (`start`).

`benchmarks.fitting.fit` turns the samples into the sim's settings. `python -m
benchmarks.calibration --workdir DIR` measures members already running there and prints JSON.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.fitting import fit, quantiles

NAMESPACE = "kfed-calibration"


# ---------------------------------------------------------------- measurements


def _probe_once(server: str, tls: Any, timeout: float = 2.0) -> float:
    t0 = time.perf_counter()
    with urllib.request.urlopen(server + "/readyz", timeout=timeout, context=tls.ssl_context()):
        pass
    return time.perf_counter() - t0


def measure_api(handle: Any, n: int = 100) -> dict[str, Any]:
    """Apply and probe round trips through the member's proxied context."""
    from federation.kube.members import kubeconfig_tls, member_client
    from federation.kube.resources import KINDS

    server, tls = kubeconfig_tls(handle.kubeconfig, handle.context)
    probes = [_probe_once(server, tls) for _ in range(n)]
    applies: list[float] = []
    with member_client(handle, retries=0) as api:
        _ensure_namespace(api)
        for i in range(n):
            manifest = {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": f"calib-{i % 10}", "namespace": NAMESPACE},
                "data": {"i": str(i)},
            }
            t0 = time.perf_counter()
            KINDS["ConfigMap"].apply(api, manifest, 5.0)
            applies.append(time.perf_counter() - t0)
    return {
        "probe": quantiles(probes),
        "apply": quantiles(applies),
        "probe_samples": probes,
        "apply_samples": applies,
    }


def _ensure_namespace(api: Any) -> None:
    from federation.kube.resources import KINDS

    KINDS["Namespace"].apply(
        api, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}}, 5.0
    )


def _deployment(name: str, replicas: int, tag: str = "1") -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": NAMESPACE},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}, "annotations": {"tag": tag}},
                "spec": {
                    "containers": [
                        {
                            "name": "c",
                            "image": "nginx:1.27",
                            "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}},
                        }
                    ]
                },
            },
        },
    }


class _ReadyWatch:
    """Watches Deployments in the calibration namespace; `wait(name, n)` returns when one has
    `n` ready replicas, with the time the watch saw it."""

    def __init__(self, api: Any) -> None:
        self.api = api
        self.seen: dict[str, tuple[int, float]] = {}
        self.cond = threading.Condition()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        from kubernetes import client, watch

        apps = client.AppsV1Api(self.api)
        while not self.stop.is_set():
            try:
                w: Any = watch.Watch()  # type: ignore[no-untyped-call]
                for ev in w.stream(apps.list_namespaced_deployment, NAMESPACE, timeout_seconds=30):
                    obj = ev["object"]
                    ready = (obj.status.ready_replicas or 0) if obj.status else 0
                    with self.cond:
                        self.seen[obj.metadata.name] = (ready, time.perf_counter())
                        self.cond.notify_all()
                    if self.stop.is_set():
                        w.stop()
                        break
            except Exception:
                time.sleep(0.1)

    def wait(self, name: str, n: int, timeout: float = 60.0) -> float:
        deadline = time.perf_counter() + timeout
        with self.cond:
            while True:
                ready, t = self.seen.get(name, (-1, 0.0))
                if ready == n:
                    return t
                left = deadline - time.perf_counter()
                if left <= 0:
                    raise TimeoutError(f"{name}: {ready} ready, waited for {n}")
                self.cond.wait(left)

    def close(self) -> None:
        self.stop.set()


def measure_startup(handle: Any, n: int = 20, replicas: int = 3) -> dict[str, Any]:
    """Time from a Deployment apply returning to `replicas` ready (creates), and from a
    scale-up apply to the new count ready."""
    from federation.kube.members import member_client
    from federation.kube.resources import KINDS

    creates: list[float] = []
    scales: list[float] = []
    with (
        member_client(handle, retries=0) as api,
        member_client(handle, direct=True, retries=0) as direct,
    ):
        _ensure_namespace(api)
        watcher = _ReadyWatch(direct)
        try:
            time.sleep(0.5)
            for i in range(n):
                name = f"calib-start-{i}"
                KINDS["Deployment"].apply(api, _deployment(name, replicas), 5.0)
                t0 = time.perf_counter()
                creates.append(watcher.wait(name, replicas) - t0)
                KINDS["Deployment"].apply(api, _deployment(name, 2 * replicas), 5.0)
                t0 = time.perf_counter()
                scales.append(watcher.wait(name, 2 * replicas) - t0)
                KINDS["Deployment"].delete(api, name, NAMESPACE, 5.0)
                time.sleep(0.5)  # let its pods go: members are small
        finally:
            watcher.close()
    return {
        "create": quantiles(creates),
        "scale_up": quantiles(scales),
        "samples": creates + scales,
        "scale_samples": scales,
    }


def measure_watch(handle: Any, n: int = 50) -> dict[str, Any]:
    """From an apply returning to the change arriving on a watch through the proxy."""
    from kubernetes import client, watch

    from federation.kube.members import member_client
    from federation.kube.resources import KINDS

    arrivals: dict[str, float] = {}
    cond = threading.Condition()
    stop = threading.Event()
    delays: list[float] = []
    with member_client(handle, retries=0) as api, member_client(handle, retries=0) as wapi:
        _ensure_namespace(api)

        def run() -> None:
            core = client.CoreV1Api(wapi)
            while not stop.is_set():
                try:
                    w: Any = watch.Watch()  # type: ignore[no-untyped-call]
                    for ev in w.stream(
                        core.list_namespaced_config_map, NAMESPACE, timeout_seconds=30
                    ):
                        data = ev["object"].data or {}
                        with cond:
                            arrivals[data.get("v", "")] = time.perf_counter()
                            cond.notify_all()
                        if stop.is_set():
                            w.stop()
                            break
                except Exception:
                    time.sleep(0.1)

        t = threading.Thread(target=run, daemon=True)
        t.start()
        time.sleep(0.5)
        for i in range(n):
            v = f"{time.time_ns()}-{i}"
            manifest = {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "calib-watch", "namespace": NAMESPACE},
                "data": {"v": v},
            }
            KINDS["ConfigMap"].apply(api, manifest, 5.0)
            t0 = time.perf_counter()
            with cond:
                ok = cond.wait_for(lambda v=v: v in arrivals, 10.0)  # type: ignore[misc]
            if ok:
                delays.append(max(0.0, arrivals[v] - t0))
        stop.set()
    return {"delay": quantiles(delays), "samples": delays}


def measure_outage(provider: Any, injector: Any, name: str) -> dict[str, float]:
    """`kwokctl stop` (FaultInjector.outage): seconds until /readyz is refused through the
    proxy, how long the command took; `kwokctl start`: seconds until /readyz answers again."""
    from federation.kube.members import kubeconfig_tls

    handle = provider.handle(name)
    server, tls = kubeconfig_tls(handle.kubeconfig, handle.context)
    down_at: list[float] = []
    stop = threading.Event()

    def poll() -> None:
        while not stop.is_set():
            try:
                _probe_once(server, tls, timeout=0.5)
            except Exception:
                down_at.append(time.perf_counter())
                return
            time.sleep(0.005)

    t = threading.Thread(target=poll, daemon=True)
    t0 = time.perf_counter()
    t.start()
    fault = injector.outage(name)
    command = time.perf_counter() - t0
    t.join(10.0)
    stop.set()
    t1 = time.perf_counter()
    injector.revert(fault)
    while True:
        try:
            _probe_once(server, tls, timeout=0.5)
            break
        except Exception:
            time.sleep(0.05)
    return {
        "refused_after": (down_at[0] - t0) if down_at else float("nan"),
        "stop_command": command,
        "back_after_start": time.perf_counter() - t1,
    }


def cleanup(handle: Any) -> None:
    from federation.kube.members import member_client
    from federation.kube.resources import KINDS

    with member_client(handle, retries=1) as api, contextlib.suppress(Exception):
        KINDS["Namespace"].delete(api, NAMESPACE, "", 10.0)


def measure(
    provider: Any,
    injector: Any | None,
    *,
    member: str,
    quick: bool = False,
    log: Callable[[str], None] = lambda m: None,
) -> dict[str, Any]:
    """Every calibration figure on one member (and the outage mechanism when `injector`)."""
    handle = provider.handle(member)
    n = 30 if quick else 200
    log(f"calibration: api round trips on {member} ({n} each)")
    out: dict[str, Any] = {"member": member, "api": measure_api(handle, n)}
    log("calibration: pod start-up")
    out["startup"] = measure_startup(handle, 5 if quick else 20)
    log("calibration: watch delivery")
    out["watch"] = measure_watch(handle, 10 if quick else 50)
    if injector is not None:
        log("calibration: kwokctl stop / start")
        out["outage"] = measure_outage(provider, injector, member)
    cleanup(handle)
    out["fit"] = {k: _plain(v) for k, v in fit(out).items()}
    return out


def _plain(x: Any) -> Any:
    from dataclasses import asdict, is_dataclass

    return asdict(x) if is_dataclass(x) and not isinstance(x, type) else x


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--workdir", type=Path, required=True, help="kwok work directory (running)")
    p.add_argument("--member", help="member to measure (default: the first)")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--outage", action="store_true", help="also time kwokctl stop/start")
    a = p.parse_args(argv)
    from federation.kube.faults import FaultInjector
    from federation.kube.kwok import KwokProvider

    provider = KwokProvider(a.workdir)
    member = a.member or provider.names()[0]
    injector = FaultInjector(provider) if a.outage else None
    out = measure(
        provider, injector, member=member, quick=a.quick, log=lambda m: print(m, file=sys.stderr)
    )
    for section in ("api", "startup", "watch"):
        for k in [k for k in out[section] if k.endswith("samples")]:
            del out[section][k]
    print(json.dumps(out, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


def run(ctx: Any) -> dict[str, Any]:
    """The calibration figures on the benchmark's cluster-outage members (`python -m
    benchmarks --only calibration`), with the fitted sim settings and the profile in use."""
    from federation.api import load_scenario
    from federation.compare import CALIBRATIONS

    base = load_scenario(Path(__file__).resolve().parents[1] / "scenarios" / "cluster-outage.yaml")
    members = ctx.shared["clusters"].members(base)
    out = measure(members.provider, members.injector, member="m1", quick=ctx.quick, log=ctx.log)
    for section in ("api", "startup", "watch"):
        for k in [k for k in out[section] if k.endswith("samples")]:
            del out[section][k]
    out["profile_in_use"] = {k: _plain(v) for k, v in CALIBRATIONS["kwok"].items()}
    out["notes"] = []
    return out
