"""What every `kfed` verb shares: exit codes, usage errors, problems on stderr, scenarios."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_FAILED, EXIT_INVALID = 0, 1, 2

SubParsers = Any  # argparse._SubParsersAction, which argparse does not export


class UsageError(ValueError):
    """Bad command-line arguments (exit 2)."""


def fail(errors: Sequence[str]) -> int:
    for line in errors:
        print(line, file=sys.stderr)
    return EXIT_INVALID




def load_scenario_or_fail(path: str) -> Any:
    """The scenario in `path`, or None after printing every problem (the caller exits 2)."""
    from federation.api import LoadError, load_scenario

    try:
        return load_scenario(Path(path))
    except LoadError as e:
        fail(e.errors)
        return None
