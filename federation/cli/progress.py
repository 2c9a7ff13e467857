"""Progress on stderr for long runs: a bar redrawn in place on a terminal, plain lines elsewhere."""

from __future__ import annotations

import os
import sys
import time
from typing import TextIO

LINE_STEPS = 10  # plain lines: one per tenth of the run...
LINE_WALL = 30.0  # ...or after this many wall seconds without one (slow real runs)
REDRAW = 0.1  # the bar: at most this often (s)


class ProgressBar:
    """Progress of a run on stderr. By default only on a terminal, as a bar redrawn in place, so
    CI logs stay short; forced on (`--progress`) with stderr redirected, plain lines such as
    `cluster-outage (sim): t=108/360 s (30 %)`. Drawn by hand: rich's import alone cost a tenth
    of `kfed run`'s start-up."""

    def __init__(
        self,
        label: str,
        total: float,
        enabled: bool | None = None,
        stream: TextIO | None = None,
    ) -> None:
        self.stream = sys.stderr if stream is None else stream
        self.tty = _isatty(self.stream)
        self.enabled = self.tty if enabled is None else enabled
        self.label, self.total = label, total
        self._due = 0  # the next plain line is due at this many tenths of the run
        self._started = self._last = time.monotonic()
        self._t = 0.0
        self._drawn = False

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.enabled and self.tty and self._drawn:
            self._draw()
            self.stream.write("\n")
            self.stream.flush()

    def __call__(self, t: float, total: float) -> None:
        if not self.enabled:
            return
        self._t, self.total = min(t, total), total
        now = time.monotonic()
        if self.tty:
            if not self._drawn or now - self._last >= REDRAW or self._t >= total:
                self._draw()
                self._last = now
            return
        done = self._t / total if total > 0 else 1.0
        tenths = done * LINE_STEPS + 1e-9
        if done >= 1.0 or tenths >= self._due or now - self._last >= LINE_WALL:
            line = f"{self.label}: t={self._t:.0f}/{total:.0f} s ({round(100 * done)} %)"
            print(line, file=self.stream, flush=True)
            self._last = now
            self._due = int(tenths) + 1

    def _draw(self) -> None:
        done = self._t / self.total if self.total > 0 else 1.0
        elapsed = int(time.monotonic() - self._started)
        tail = f" {self._t:.0f}/{self.total:.0f} s {elapsed // 3600}:{elapsed // 60 % 60:02d}:"
        tail += f"{elapsed % 60:02d}"
        room = _columns(self.stream) - len(self.label) - len(tail) - 3
        width = max(10, min(40, room))
        full = round(width * min(done, 1.0))
        bar = "━" * full + "─" * (width - full)
        self.stream.write(f"\r\x1b[2K{self.label} {bar}{tail}")
        self.stream.flush()
        self._drawn = True


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _columns(stream: TextIO) -> int:
    try:
        return os.get_terminal_size(stream.fileno()).columns or 80
    except (AttributeError, OSError, ValueError):
        return 80


class RunsProgress:
    """Progress of many runs (a sweep) on stderr: runs done, runs per second and the time
    left, as a bar on a terminal or plain lines (`--progress` with stderr redirected), e.g.
    `sweep region-outage: 120/400 runs, 38.2 runs/s, ETA 0:00:07`."""

    def __init__(
        self, label: str, enabled: bool | None = None, stream: TextIO | None = None
    ) -> None:
        self.stream = sys.stderr if stream is None else stream
        self.tty = _isatty(self.stream)
        self.enabled = self.tty if enabled is None else enabled
        self.label = label
        self._started = time.monotonic()
        self._last = 0.0
        self._due = 0
        self._drawn = False
        self.done = self.total = 0

    def __enter__(self) -> RunsProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.enabled and self.tty and self._drawn:
            self.stream.write(f"\r\x1b[2K{self.text()}\n")
            self.stream.flush()

    def rate(self) -> float:
        elapsed = time.monotonic() - self._started
        return self.done / elapsed if elapsed > 0 else 0.0

    def text(self) -> str:
        rate = self.rate()
        left = (self.total - self.done) / rate if rate > 0 else None
        eta = "-" if left is None else _clock(left)
        return (
            f"{self.label}: {self.done}/{self.total} runs, {rate:.1f} runs/s, ETA {eta}, "
            f"elapsed {_clock(time.monotonic() - self._started)}"
        )

    def __call__(self, done: int, total: int) -> None:
        self.done, self.total = done, total
        if not self.enabled:
            return
        now = time.monotonic()
        if self.tty:
            if not self._drawn or now - self._last >= REDRAW or done >= total:
                width = max(10, min(30, _columns(self.stream) - len(self.text()) - 3))
                full = round(width * done / total) if total else width
                bar = "━" * full + "─" * (width - full)
                self.stream.write(f"\r\x1b[2K{bar} {self.text()}")
                self.stream.flush()
                self._drawn, self._last = True, now
            return
        tenths = (done / total if total else 1.0) * LINE_STEPS + 1e-9
        if done >= total or tenths >= self._due or now - self._last >= LINE_WALL:
            print(self.text(), file=self.stream, flush=True)
            self._last = now
            self._due = int(tenths) + 1


def _clock(seconds: float) -> str:
    s = round(seconds)
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"
