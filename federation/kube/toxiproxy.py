"""A toxiproxy-server process for one run and a small client for its HTTP API.

One proxy per member cluster sits in front of its API server. TLS passes through untouched: the
proxy only moves bytes, so the API server's certificate (SANs include 127.0.0.1) still verifies.
Only the standard library is used (urllib).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from federation.kube import procs
from federation.kube.ports import pick_ports


class ToxiproxyError(RuntimeError):
    """The toxiproxy API answered with an error."""


class Toxiproxy:
    """Client for one toxiproxy-server; ``start``/``attach`` manage the process itself."""

    def __init__(
        self, api: str, pid: int | None = None, process: subprocess.Popen[bytes] | None = None
    ) -> None:
        self.api = api.rstrip("/")
        self.pid = pid
        self._process = process

    # --- process -------------------------------------------------------------------------
    @classmethod
    def start(cls, binary: Path, state_dir: Path, attempts: int = 3) -> Toxiproxy:
        """Start toxiproxy-server on 127.0.0.1 (detached, so it outlives a CLI call)."""
        state_dir.mkdir(parents=True, exist_ok=True)
        last = ""
        for _ in range(attempts):
            port = pick_ports(1)[0]
            log = (state_dir / "toxiproxy.log").open("ab")
            proc = subprocess.Popen(
                [str(binary), "-host", "127.0.0.1", "-port", str(port)],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
            log.close()
            client = cls(f"http://127.0.0.1:{port}", proc.pid, proc)
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline and proc.poll() is None:
                if client.alive():
                    (state_dir / "toxiproxy.json").write_text(
                        json.dumps({"api": client.api, "pid": proc.pid})
                    )
                    return client
                time.sleep(0.1)
            last = f"exit code {proc.poll()}"
            client.stop()
        raise ToxiproxyError(
            f"toxiproxy-server did not start ({last}); see {state_dir / 'toxiproxy.log'}"
        )

    @classmethod
    def attach(cls, state_dir: Path) -> Toxiproxy | None:
        """The server a previous ``start`` left running in ``state_dir``, if it still answers."""
        try:
            state = json.loads((state_dir / "toxiproxy.json").read_text())
        except (OSError, ValueError):
            return None
        client = cls(state["api"], int(state["pid"]))
        return client if procs.alive(client.pid) and client.alive() else None

    def stop(self) -> None:
        """Kill the server process (by its pid) and wait until it is gone."""
        if self._process is not None:
            self._process.kill()
            self._process.wait(timeout=10)
        elif self.pid is not None and procs.alive(self.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            procs.wait_gone([self.pid], timeout=10)

    def alive(self) -> bool:
        try:
            self.version()
        except (OSError, ToxiproxyError):
            return False
        return True

    # --- HTTP API --------------------------------------------------------------------------
    def _call(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            self.api + path, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                raw = resp.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode(errors="replace").strip()
            raise ToxiproxyError(f"{method} {path}: HTTP {exc.code} {detail}") from exc
        return json.loads(raw) if raw.strip().startswith((b"{", b"[")) else raw.decode()

    def version(self) -> str:
        return str(self._call("GET", "/version"))

    def proxies(self) -> dict[str, Any]:
        return dict(self._call("GET", "/proxies"))

    def create_proxy(self, name: str, upstream: str, listen: str = "127.0.0.1:0") -> str:
        """Create (or replace) proxy ``name``; returns the address it listens on."""
        with contextlib.suppress(ToxiproxyError):
            self.delete_proxy(name)
        out = self._call(
            "POST",
            "/proxies",
            {"name": name, "listen": listen, "upstream": upstream, "enabled": True},
        )
        return str(out["listen"])

    def delete_proxy(self, name: str) -> None:
        self._call("DELETE", f"/proxies/{name}")

    def set_enabled(self, name: str, enabled: bool) -> None:
        """Disabled: the listener closes and open connections drop (clients get refused)."""
        self._call("PATCH", f"/proxies/{name}", {"enabled": enabled})

    def add_toxic(
        self,
        proxy: str,
        toxic_type: str,
        attributes: dict[str, Any],
        *,
        name: str | None = None,
        stream: str = "downstream",
        toxicity: float = 1.0,
    ) -> str:
        toxic = name or f"{toxic_type}_{stream}"
        self._call(
            "POST",
            f"/proxies/{proxy}/toxics",
            {
                "name": toxic,
                "type": toxic_type,
                "stream": stream,
                "toxicity": toxicity,
                "attributes": attributes,
            },
        )
        return toxic

    def toxics(self, proxy: str) -> list[dict[str, Any]]:
        return list(self._call("GET", f"/proxies/{proxy}/toxics"))

    def remove_toxic(self, proxy: str, toxic: str) -> None:
        self._call("DELETE", f"/proxies/{proxy}/toxics/{toxic}")

    def heal(self, proxy: str) -> None:
        """Remove every toxic of ``proxy`` and enable it again."""
        for toxic in self.toxics(proxy):
            self.remove_toxic(proxy, toxic["name"])
        self.set_enabled(proxy, True)
