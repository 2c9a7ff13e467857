"""The kube backend's gateway: the same seam as the sim's (probe, observe, apply), implemented
against real API servers with one ApiClient per member, server-side apply, watches, /readyz
probes with a timeout, and API errors sorted into transient (retried) and terminal."""

from __future__ import annotations

import logging
import queue
import ssl
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from federation.core.actions import Action, Apply
from federation.core.model import KIND_ORDER, ProbeResult
from federation.kube.members import MemberHandle, failure_kind, member_client
from federation.kube.observer import MemberObserver
from federation.kube.resources import BUILTIN_KINDS, KINDS, split_key
from federation.observed import Delta

TRANSIENT_STATUS = frozenset({0, 408, 429, 500, 502, 503, 504})
APPLY_TIMEOUT = 5.0
RETRIES = 3
WRITERS = 8  # concurrent writes per member: an API server answers many at once
BACKOFF_BASE, BACKOFF_MAX = 0.5, 30.0  # seconds before a failed key is tried again
MAX_ERRORS = 200  # error messages kept (a long-running controller must not grow without end)

log = logging.getLogger("kfed.gateway")


def probe_target(api_client: Any) -> tuple[str, ssl.SSLContext | None, dict[str, str]]:
    """(server, TLS context, headers) for probing a member's /readyz with the same server,
    CA, client certificate or token as its API client; TLS is verified unless the client
    says otherwise."""
    cfg = api_client.configuration
    server = str(cfg.host).rstrip("/")
    context: ssl.SSLContext | None = None
    if server.startswith("https"):
        context = ssl.create_default_context(cafile=cfg.ssl_ca_cert or None)
        if not cfg.verify_ssl:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        if cfg.cert_file:
            context.load_cert_chain(cfg.cert_file, cfg.key_file)
    headers = {}
    token = cfg.get_api_key_with_prefix("authorization")
    if token:
        headers["Authorization"] = token
    return server, context, headers


class TerminalError(Exception):
    """An API answer that retrying will not change (400, 403, 404, 422...)."""


def classify(exc: BaseException) -> str:
    """'transient' (retry with backoff) or 'terminal' (record, let the core re-plan)."""
    from kubernetes.client.exceptions import ApiException

    if isinstance(exc, ApiException):
        return "transient" if (exc.status or 0) in TRANSIENT_STATUS else "terminal"
    return "transient"  # connection refused, reset, timeouts: the member may come back


@dataclass
class ApplyStats:
    applied: int = 0
    deleted: int = 0
    retries: int = 0
    failed: int = 0
    fenced: int = 0  # writes withheld because this replica may not write (lost its lease)
    errors: list[str] = field(default_factory=list)  # the latest MAX_ERRORS
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def count(self, what: str, error: str = "") -> None:
        with self.lock:  # the writers of every member count here
            setattr(self, what, getattr(self, what) + 1)
            if error:
                self.errors.append(error)
                del self.errors[:-MAX_ERRORS]


def waves(batch: Sequence[Action]) -> list[list[Action]]:
    """A plan-ordered batch cut where the kind's rank or the verb changes: namespaces, then
    config, then services, then workloads (deletes in reverse). Actions of one wave are
    independent (one key each), so they may be written at once; a wave starts only when the
    one before it is done, so a namespace exists before anything is written into it."""
    out: list[list[Action]] = []
    last: tuple[bool, int] | None = None
    for a in batch:
        step = (not isinstance(a, Apply), KIND_ORDER.get(split_key(a.key)[0], 2))
        if step != last:
            out.append([])
            last = step
        out[-1].append(a)
    return out


class KubeGateway:
    """Gateway over real members. Threads do the waiting; `observe` only drains a queue."""

    def __init__(
        self,
        handles: Mapping[str, MemberHandle],
        clock: Callable[[], float],
        *,
        capacity: bool = True,
        kinds: tuple[str, ...] = BUILTIN_KINDS,
        may_write: Callable[[], bool] | None = None,
    ) -> None:
        self.clock = clock
        self.capacity = capacity
        self.kinds = kinds
        # a write is sent only while this holds (a leader that lost its lease stops at once)
        self.may_write = may_write or (lambda: True)
        self.stop = threading.Event()
        self.news = threading.Event()
        self._inbox: queue.Queue[ProbeResult | Delta] = queue.Queue()
        self._clients: dict[str, Any] = {}
        self._probe_to: dict[str, tuple[str, ssl.SSLContext | None, dict[str, str]]] = {}
        self._work: dict[str, queue.Queue[Sequence[Action] | None]] = {}
        self._stops: dict[str, threading.Event] = {}
        self._probe_pool = ThreadPoolExecutor(
            max_workers=max(2, len(handles)), thread_name_prefix="probe"
        )
        self.stats = ApplyStats()
        self._failures: dict[tuple[str, str], int] = {}  # consecutive failed applies per key
        self.observers: list[MemberObserver] = []
        self._appliers: dict[str, threading.Thread] = {}
        self._writers: dict[str, ThreadPoolExecutor] = {}
        self._started = False
        for n, h in handles.items():
            self.add_member(n, member_client(h, retries=0))

    def add_member(self, name: str, api_client: Any) -> None:
        """Start serving one more member through `api_client` (its own, closed on removal)."""
        if name in self._clients:
            raise ValueError(f"member {name} is already served")
        self._clients[name] = api_client
        self._probe_to[name] = probe_target(api_client)
        self._work[name] = queue.Queue()
        stop = self._stops[name] = threading.Event()
        self.observers.append(
            MemberObserver(
                name, api_client, self._deliver, stop, capacity=self.capacity, kinds=self.kinds
            )
        )
        self._appliers[name] = threading.Thread(
            target=self._apply_loop, args=(name,), name=f"apply-{name}", daemon=True
        )
        self._writers[name] = ThreadPoolExecutor(
            max_workers=WRITERS, thread_name_prefix=f"write-{name}"
        )
        if self._started:
            self._start_member(name)

    def remove_member(self, name: str) -> None:
        """Stop serving a member: its watches, writers and client go."""
        stop = self._stops.pop(name, None)
        if stop is None:
            return
        stop.set()
        self._work[name].put(None)
        self._writers.pop(name).shutdown(wait=False, cancel_futures=True)
        t = self._appliers.pop(name)
        if t.ident is not None:
            t.join(2.0)
        self.observers = [o for o in self.observers if o.cluster != name]
        self._probe_to.pop(name, None)
        del self._work[name]
        self._clients.pop(name).close()

    def synced(self, name: str) -> bool:
        """Whether every watch on member `name` has listed once (its objects are known)."""
        return any(o.cluster == name and o.synced.is_set() for o in self.observers)

    def members(self) -> list[str]:
        return sorted(self._clients)

    def client(self, name: str) -> Any:
        return self._clients[name]

    def _start_member(self, name: str) -> None:
        for o in self.observers:
            if o.cluster == name:
                o.start()
        self._appliers[name].start()

    def start(self) -> None:
        self._started = True
        for n in list(self._clients):
            self._start_member(n)

    def close(self) -> None:
        self.stop.set()
        for ev in self._stops.values():
            ev.set()
        for q in self._work.values():
            q.put(None)
        self._probe_pool.shutdown(wait=False, cancel_futures=True)
        for pool in self._writers.values():
            pool.shutdown(wait=False, cancel_futures=True)
        for t in self._appliers.values():
            if t.ident is not None:  # closing a gateway that never started is fine
                t.join(2.0)
        for c in self._clients.values():
            c.close()

    def _deliver(self, item: ProbeResult | Delta) -> None:
        self._inbox.put(item)
        self.news.set()

    def wait(self, seconds: float) -> None:
        """Sleep until `seconds` pass or something arrives."""
        if seconds > 0:
            self.news.wait(seconds)
        self.news.clear()

    # -- Gateway ---------------------------------------------------------------------------

    def probe(self, clusters: Sequence[str], now: float, timeout: float) -> None:
        for c in clusters:
            self._probe_pool.submit(self._probe_one, c, now, timeout)

    def _probe_one(self, cluster: str, sent: float, timeout: float) -> None:
        target = self._probe_to.get(cluster)
        if target is None:  # left the federation meanwhile
            return
        server, context, headers = target
        started = time.perf_counter()
        ok, reason = False, ""
        try:
            req = urllib.request.Request(server + "/readyz", headers=headers)
            with urllib.request.urlopen(req, timeout=timeout, context=context) as resp:
                ok = resp.status == 200
                reason = "" if ok else f"http {resp.status}"
        except urllib.error.HTTPError as e:
            reason = f"http {e.code}"
        except (TimeoutError, ssl.SSLError, urllib.error.URLError, OSError) as e:
            # through the proxy a dead member shows as a reset or an EOF, not a refusal
            kind = failure_kind(e)
            reason = "refused" if kind in ("refused", "reset") or "EOF" in str(e) else kind
        latency = time.perf_counter() - started
        t = sent + timeout if reason == "timeout" else self.clock()
        self._deliver(ProbeResult(cluster, t, ok, latency, reason))

    def observe(self, now: float) -> tuple[Sequence[ProbeResult], Sequence[Delta]]:
        probes: list[ProbeResult] = []
        deltas: list[Delta] = []
        while True:
            try:
                item = self._inbox.get_nowait()
            except queue.Empty:
                break
            if isinstance(item, ProbeResult):
                probes.append(item)
            else:
                deltas.append(item)
        return probes, deltas

    def apply(self, actions: Sequence[Action], now: float) -> None:
        by_cluster: dict[str, list[Action]] = {}
        for a in actions:
            by_cluster.setdefault(a.cluster, []).append(a)
        for c, acts in by_cluster.items():
            q = self._work.get(c)
            if q is not None:  # a member that left gets nothing more
                q.put(acts)  # in plan order: namespaces before what lives in them

    # -- appliers: one thread per member takes the batches in order; each batch is written
    # wave by wave, the actions of a wave at once over the member's writers

    def _apply_loop(self, cluster: str) -> None:
        q, pool, stop = self._work[cluster], self._writers[cluster], self._stops[cluster]
        while not stop.is_set():
            batch = q.get()
            if batch is None:
                return
            for wave in waves(batch):
                if stop.is_set():
                    return
                if len(wave) == 1:
                    self._write(cluster, wave[0])
                else:
                    list(pool.map(lambda a: self._write(cluster, a), wave))

    def _write(self, cluster: str, a: Action) -> None:
        if self._run_action(cluster, a):
            self._failures.pop((cluster, a.key), None)
            return
        # nothing changed on the member, so ask the loop to look at this key again, after a
        # per-key exponential backoff (a terminating namespace, say, must not turn into a hot
        # loop of failing applies)
        n = self._failures.get((cluster, a.key), 0) + 1
        self._failures[(cluster, a.key)] = n
        delay = min(BACKOFF_BASE * 2 ** (n - 1), BACKOFF_MAX)
        timer = threading.Timer(delay, self._deliver, args=(Delta(cluster, touched=(a.key,)),))
        timer.daemon = True
        timer.start()

    def _run_action(self, cluster: str, a: Action) -> bool:
        kind, ns, name = split_key(a.key)
        spec = KINDS.get(kind)
        if spec is None:
            self.stats.count("failed", f"{cluster}: {a.key}: kind {kind} is not supported")
            return False
        client = self._clients.get(cluster)
        if client is None:
            return True  # the member left: nothing to write there any more
        delay = 0.1
        last: BaseException | None = None
        for attempt in range(RETRIES):
            if not self.may_write():
                self.stats.count("fenced")
                log.debug("write withheld", extra={"cluster": cluster, "key": a.key})
                return False
            log.debug(
                "write",
                extra={"cluster": cluster, "key": a.key, "verb": type(a).__name__.lower()},
            )
            try:
                if isinstance(a, Apply):
                    spec.apply(client, a.manifest, APPLY_TIMEOUT)
                    self.stats.count("applied")
                else:
                    self._delete(spec, client, name, ns)
                    self.stats.count("deleted")
                return True
            except Exception as e:  # sorted by classify()
                last = e
                if classify(e) == "terminal":
                    if isinstance(a, Apply) and kind == "Job" and _status(e) == 422:
                        # a Job's completions are immutable: replace the Job
                        self._delete(spec, client, name, ns)
                        self._wait_gone(client, name, ns)
                        continue
                    self.stats.count("failed", f"{cluster}: {a.key}: {_short(e)}")
                    log.warning(
                        "write refused",
                        extra={"cluster": cluster, "key": a.key, "error": _short(e)},
                    )
                    return False
                if attempt + 1 < RETRIES and not self.stop.wait(delay):
                    self.stats.count("retries")
                    delay *= 3
        why = f"{cluster}: {a.key}: {RETRIES} attempts: {_short(last)}" if last else ""
        self.stats.count("failed", why)
        if last is not None:
            log.info(
                "write failed", extra={"cluster": cluster, "key": a.key, "error": _short(last)}
            )
        return False

    def _wait_gone(self, client: Any, name: str, ns: str, timeout: float = 10.0) -> None:
        from kubernetes.client import BatchV1Api

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not self.stop.is_set():
            try:
                BatchV1Api(client).read_namespaced_job(name, ns, _request_timeout=APPLY_TIMEOUT)
            except Exception as e:
                if _status(e) == 404:
                    return
            self.stop.wait(0.2)

    @staticmethod
    def _delete(spec: Any, client: Any, name: str, ns: str) -> None:
        try:
            spec.delete(client, name, ns, APPLY_TIMEOUT)
        except Exception as e:
            if _status(e) != 404:  # already gone is what we wanted
                raise


def _status(e: BaseException) -> int:
    return int(getattr(e, "status", 0) or 0)


def _short(e: BaseException) -> str:
    return f"{type(e).__name__} {_status(e) or ''} {str(getattr(e, 'reason', e))[:120]}".strip()
