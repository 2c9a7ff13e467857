"""Progress on stderr for long runs: a rich bar on a terminal, plain lines elsewhere."""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

LINE_STEPS = 10  # plain lines: one per tenth of the run...
LINE_WALL = 30.0  # ...or after this many wall seconds without one (slow real runs)


class ProgressBar:
    """Progress of a run on stderr. By default only on a terminal (a rich bar), so CI logs stay
    short; forced on (`--progress`) with stderr redirected, plain lines such as
    `cluster-outage (sim): t=108/360 s (30 %)`, since rich draws nothing off a terminal."""

    def __init__(
        self,
        label: str,
        total: float,
        enabled: bool | None = None,
        stream: TextIO | None = None,
    ) -> None:
        self.stream = sys.stderr if stream is None else stream
        tty = _isatty(self.stream)
        self.enabled = tty if enabled is None else enabled
        self.label, self.total = label, total
        self._bar: Any = None
        self._due = 0  # the next plain line is due at this many tenths of the run
        self._last = time.monotonic()
        if self.enabled and tty:
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            self._bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.completed:.0f}/{task.total:.0f} s"),
                TimeElapsedColumn(),
                console=Console(file=self.stream),
                transient=False,
            )
            self._task = self._bar.add_task(label, total=total)

    def __enter__(self) -> ProgressBar:
        if self._bar is not None:
            self._bar.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)

    def __call__(self, t: float, total: float) -> None:
        if not self.enabled:
            return
        t = min(t, total)
        if self._bar is not None:
            self._bar.update(self._task, completed=t)
            return
        done = t / total if total > 0 else 1.0
        now = time.monotonic()
        tenths = done * LINE_STEPS + 1e-9
        if done >= 1.0 or tenths >= self._due or now - self._last >= LINE_WALL:
            pct = round(100 * done)
            print(f"{self.label}: t={t:.0f}/{total:.0f} s ({pct} %)", file=self.stream, flush=True)
            self._last = now
            self._due = int(tenths) + 1


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
