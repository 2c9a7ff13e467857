"""A progress bar on stderr for long runs (rich)."""

from __future__ import annotations

import sys


class ProgressBar:
    """A progress bar on stderr (rich) for long runs; silent when stderr is not a terminal
    unless forced, so CI logs stay short."""

    def __init__(self, label: str, total: float, enabled: bool | None = None) -> None:
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self._p = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed:.0f}/{task.total:.0f} s"),
            TimeElapsedColumn(),
            disable=not self.enabled,
            transient=False,
        )
        self._task = self._p.add_task(label, total=total)

    def __enter__(self) -> ProgressBar:
        self._p.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._p.__exit__(None, None, None)

    def __call__(self, t: float, total: float) -> None:
        self._p.update(self._task, completed=min(t, total))
