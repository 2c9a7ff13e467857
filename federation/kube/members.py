"""Member clusters as plain records: what to create (spec), how to reach it (handle), clients."""

from __future__ import annotations

import json
import re
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import yaml

if TYPE_CHECKING:
    from kubernetes.client import ApiClient

NAME_RE = re.compile(r"^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$")
NODE_LABEL_MEMBER = "kfed.io/member"
NODE_LABEL_POOL = "kfed.io/node-pool"


@dataclass(frozen=True)
class NodePool:
    """``count`` fake (kwok) nodes, each with this capacity."""

    count: int = 1
    cpu: str = "32"
    memory: str = "256Gi"
    pods: int = 110

    def __post_init__(self) -> None:
        if self.count < 0:
            raise ValueError(f"node count must be >= 0, got {self.count}")
        if self.pods < 1:
            raise ValueError(f"pods per node must be >= 1, got {self.pods}")


@dataclass(frozen=True)
class MemberSpec:
    """A member cluster to create: its name and its nodes."""

    name: str
    nodes: NodePool = field(default_factory=NodePool)

    def __post_init__(self) -> None:
        if not NAME_RE.match(self.name):
            raise ValueError(
                f"member name {self.name!r} must be a DNS label of at most 40 "
                "characters (lowercase letters, digits, '-')"
            )


@dataclass(frozen=True)
class MemberHandle:
    """How to reach a running member cluster.

    ``kubeconfig`` holds two contexts: ``context`` goes through the fault-injecting proxy when
    one is enabled (``server``), ``direct_context`` goes straight to the API server
    (``direct_server``). Without a proxy both point at the API server.
    """

    name: str
    kubeconfig: str
    context: str
    server: str
    direct_server: str
    workdir: str
    direct_context: str = ""
    pid_dir: str = ""
    provider: str = "kwok"

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> MemberHandle:
        return cls(**json.loads(text))


class Provider(Protocol):
    """What ``KwokProvider`` and ``KindProvider`` share."""

    kind: str

    def up(self, specs: Iterable[MemberSpec]) -> list[MemberHandle]: ...

    def down(self, names: Iterable[str] | None = None) -> None: ...

    def status(self) -> dict[str, bool]: ...

    def handle(self, name: str) -> MemberHandle: ...

    def names(self) -> list[str]: ...


def member_client(
    handle: MemberHandle, *, direct: bool = False, retries: int | None = None
) -> ApiClient:
    """A fresh ``ApiClient`` for one member, never the global configuration.

    ``direct=True`` bypasses the member's fault-injecting proxy. ``retries`` sets urllib3's
    retry count (its default, 3, turns one timed-out request into four); 0 makes a fault show
    up on the first request.
    """
    from kubernetes import client, config

    context = handle.direct_context if direct and handle.direct_context else handle.context
    configuration = type.__call__(client.Configuration)  # fresh, not a copy of the default
    if retries is not None:
        configuration.retries = retries
    api_client: ApiClient = config.new_client_from_config(  # type: ignore[no-untyped-call]
        config_file=handle.kubeconfig,
        context=context,
        persist_config=False,
        client_configuration=configuration,
    )
    return api_client


def node_ready(node: Any) -> bool:
    """True when a ``V1Node`` has condition Ready=True."""
    conditions = (node.status.conditions if node.status else None) or []
    return any(c.type == "Ready" and c.status == "True" for c in conditions)


def node_name(obj: Any) -> str:
    """``obj.metadata.name`` of a typed Kubernetes object."""
    return str(obj.metadata.name)


def node_body(
    member: str, index: int, pool: NodePool, pool_name: str = "default"
) -> dict[str, Any]:
    """A fake Node that kwok adopts, with ``pool``'s capacity as capacity and allocatable."""
    name = f"{member}-{pool_name}-{index}" if pool_name != "default" else f"{member}-node-{index}"
    resources = {"cpu": pool.cpu, "memory": pool.memory, "pods": str(pool.pods)}
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": name,
            "annotations": {"kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0"},
            "labels": {
                "type": "kwok",
                "kubernetes.io/hostname": name,
                "kubernetes.io/os": "linux",
                "kubernetes.io/arch": "amd64",
                NODE_LABEL_MEMBER: member,
                NODE_LABEL_POOL: pool_name,
            },
        },
        "spec": {},
        "status": {"allocatable": dict(resources), "capacity": dict(resources)},
    }


@dataclass(frozen=True)
class TLSFiles:
    """The PEM files a kubeconfig user and cluster refer to."""

    ca: str
    cert: str
    key: str

    def ssl_context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context(cafile=self.ca)
        ctx.load_cert_chain(self.cert, self.key)
        return ctx


def kubeconfig_tls(kubeconfig: str | Path, context: str) -> tuple[str, TLSFiles]:
    """(server, TLS files) of ``context`` in a kubeconfig that uses file paths."""
    doc = yaml.safe_load(Path(kubeconfig).read_text())
    ctx = next(c["context"] for c in doc["contexts"] if c["name"] == context)
    cluster = next(c["cluster"] for c in doc["clusters"] if c["name"] == ctx["cluster"])
    user = next(u["user"] for u in doc["users"] if u["name"] == ctx["user"])
    return cluster["server"], TLSFiles(
        cluster["certificate-authority"], user["client-certificate"], user["client-key"]
    )


def probe(server: str, tls: TLSFiles, path: str = "/readyz", timeout: float = 3.0) -> bool:
    """True when ``GET server+path`` answers 200 within ``timeout`` seconds."""
    try:
        with urllib.request.urlopen(
            server + path, timeout=timeout, context=tls.ssl_context()
        ) as resp:
            return bool(resp.status == 200)
    except (urllib.error.URLError, OSError, ssl.SSLError):
        return False


def wait_until(check: Any, timeout: float, interval: float = 0.5, what: str = "condition") -> Any:
    """Poll ``check()`` until it returns something truthy; TimeoutError after ``timeout``."""
    deadline = time.monotonic() + timeout
    last_exc: Exception | None = None
    while True:
        try:
            value = check()
            if value:
                return value
        except Exception as exc:  # a probe that raises counts as "not yet"
            last_exc = exc
        if time.monotonic() >= deadline:
            detail = f" (last error: {last_exc!r})" if last_exc else ""
            raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}{detail}")
        time.sleep(interval)


def failure_kind(exc: BaseException) -> str:
    """What a failed request met: "refused" (nothing listens), "timeout" (no answer in time),
    "reset" (connection dropped), or "error". Walks the exception's causes and urllib3's
    ``reason``."""
    seen: set[int] = set()
    stack: list[BaseException | None] = [exc]
    text = []
    while stack:
        cur = stack.pop()
        if cur is None or id(cur) in seen:
            continue
        seen.add(id(cur))
        if isinstance(cur, ConnectionRefusedError):
            return "refused"
        if isinstance(cur, TimeoutError):
            return "timeout"
        if isinstance(cur, ConnectionResetError | BrokenPipeError):
            return "reset"
        text.append(str(cur))
        reason = getattr(cur, "reason", None)
        stack += [
            cur.__cause__,
            cur.__context__,
            reason if isinstance(reason, BaseException) else None,
        ]
    joined = " ".join(text).lower()
    if "connection refused" in joined:
        return "refused"
    if "timed out" in joined or "timeout" in joined:
        return "timeout"
    if "reset by peer" in joined or "remote end closed" in joined or "eof" in joined:
        return "reset"
    return "error"
