"""Local processes of a member cluster: pid files, liveness, memory, leftovers (Linux /proc)."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Iterable
from pathlib import Path


def alive(pid: int | None) -> bool:
    """True while any thread of ``pid`` still runs.

    A zombie counts as gone, but only once every thread has exited: the thread-group leader
    shows ``Z`` while its other threads are still tearing down (and still hold its sockets).
    """
    if not pid:
        return False
    if state(pid) not in ("Z", "X"):
        return state(pid) != ""
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return False
    return any(state_of(t / "stat") not in ("Z", "X", "") for t in tasks)


def state_of(stat_file: Path) -> str:
    try:
        return stat_file.read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return ""


def state(pid: int) -> str:
    """The kernel's one-letter state: R, S, T (stopped by SIGSTOP), Z, ... or '' if gone."""
    return state_of(Path(f"/proc/{pid}/stat"))


def read_pid_files(pid_dir: Path) -> dict[str, int]:
    """``{component: pid}`` from ``<pid_dir>/<component>.pid``."""
    pids: dict[str, int] = {}
    if not pid_dir.is_dir():
        return pids
    for pid_file in sorted(pid_dir.glob("*.pid")):
        with contextlib.suppress(OSError, ValueError):
            pids[pid_file.stem] = int(pid_file.read_text().strip())
    return pids


def pids_in_dir(directory: Path) -> list[int]:
    """Live processes whose working directory is ``directory`` or below it.

    kwokctl starts every component with its cluster directory as working directory, so this
    finds a cluster's processes even when their pid files are gone.
    """
    target = str(directory.resolve())
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cwd = os.readlink(entry / "cwd")
        except OSError:
            continue
        cwd = cwd.removesuffix(" (deleted)")
        if (cwd == target or cwd.startswith(target + os.sep)) and alive(int(entry.name)):
            found.append(int(entry.name))
    return sorted(found)


def rss_bytes(pids: Iterable[int]) -> int:
    """Sum of the resident set sizes of ``pids`` (missing processes count 0)."""
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
                    break
        except OSError:
            continue
    return total


def kill(pids: Iterable[int], sig: int = signal.SIGKILL) -> None:
    """Send ``sig`` to each live pid (by id, never by name)."""
    for pid in pids:
        if alive(pid):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, sig)


def wait_gone(pids: Iterable[int], timeout: float = 10.0) -> list[int]:
    """Wait until none of ``pids`` runs; returns those still running at the timeout."""
    pending = list(pids)
    deadline = time.monotonic() + timeout
    while True:
        pending = [p for p in pending if alive(p)]
        if not pending or time.monotonic() >= deadline:
            return pending
        time.sleep(0.05)
