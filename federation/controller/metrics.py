"""Prometheus for controller mode: a sink for `federation.telemetry` backed by prometheus_client
(its own registry, so tests and several controllers in one process never mix), and the HTTP
endpoints a controller serves: /metrics, /healthz and /readyz."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from federation.telemetry import METRICS


class PrometheusSink:
    """`federation.telemetry.Sink` over prometheus_client metrics, created on first use."""

    def __init__(self) -> None:
        import prometheus_client

        prometheus_client.disable_created_metrics()  # type: ignore[no-untyped-call]
        self.registry = prometheus_client.CollectorRegistry(auto_describe=True)
        self._metrics: dict[str, Any] = {}
        self._lock = threading.Lock()
        for name in METRICS:
            self._metric(name)

    def _metric(self, name: str) -> Any:
        import prometheus_client as pc

        m = self._metrics.get(name)
        if m is not None:
            return m
        with self._lock:
            if name in self._metrics:
                return self._metrics[name]
            spec = METRICS[name]
            kw: dict[str, Any] = {"labelnames": spec.labels, "registry": self.registry}
            if spec.type == "counter":
                m = pc.Counter(name.removesuffix("_total"), spec.help, **kw)
            elif spec.type == "gauge":
                m = pc.Gauge(name, spec.help, **kw)
            else:
                m = pc.Histogram(name, spec.help, buckets=spec.buckets, **kw)
            self._metrics[name] = m
            return m

    def _child(self, name: str, labels: Mapping[str, str]) -> Any:
        m = self._metric(name)
        return m.labels(**labels) if labels else m

    def inc(self, name: str, labels: Mapping[str, str], value: float = 1.0) -> None:
        self._child(name, labels).inc(value)

    def set(self, name: str, labels: Mapping[str, str], value: float) -> None:
        self._child(name, labels).set(value)

    def observe(self, name: str, labels: Mapping[str, str], value: float) -> None:
        self._child(name, labels).observe(value)

    def exposition(self) -> bytes:
        import prometheus_client

        return bytes(prometheus_client.generate_latest(self.registry))


class Endpoints:
    """/metrics, /healthz (the process and its loop are alive) and /readyz (the host's caches
    are synced) on one address; `start` binds it, `stop` closes it."""

    def __init__(
        self,
        addr: str,
        sink: PrometheusSink,
        healthy: Callable[[], tuple[bool, str]],
        ready: Callable[[], tuple[bool, str]],
    ) -> None:
        host, _, port = addr.rpartition(":")
        self.sink = sink
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path == "/metrics":
                    body, ctype, code = outer.sink.exposition(), "text/plain; version=0.0.4", 200
                elif self.path in ("/healthz", "/livez", "/readyz"):
                    check = ready if self.path == "/readyz" else healthy
                    ok, why = check()
                    body, ctype, code = (
                        (why or "ok").encode() + b"\n",
                        "text/plain",
                        200 if ok else 503,
                    )
                else:
                    body, ctype, code = b"not found\n", "text/plain", 404
                self.send_response(code)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return  # scrapes are not news

        self.server = ThreadingHTTPServer((host or "127.0.0.1", int(port)), Handler)
        self.server.daemon_threads = True
        host_, port_ = self.server.server_address[:2]
        self.address = f"{host_!s}:{port_}"
        self._thread = threading.Thread(
            target=self.server.serve_forever, name="endpoints", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
