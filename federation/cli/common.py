"""What every `kfed` verb shares: exit codes, usage errors, output formats, durations, scenarios."""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_FAILED, EXIT_INVALID = 0, 1, 2
EXIT_SIGPIPE = 128 + 13  # stdout closed early (`kfed run X | head -1`): as if killed by SIGPIPE
EXIT_BUG = 3  # an internal error: a bug in kfed, never a verdict on the scenario
EXIT_INTERRUPTED = 128 + 2  # Ctrl-C

SubParsers = Any  # argparse._SubParsersAction, which argparse does not export

DATA_FORMATS = ("json", "yaml")  # -o for verbs without a wider table
TABLE_FORMATS = ("json", "yaml", "wide")


class UsageError(ValueError):
    """Bad command-line arguments (exit 2): `main` prints the message on stderr."""


def fail(errors: Sequence[str]) -> int:
    for line in errors:
        print(line, file=sys.stderr)
    return EXIT_INVALID


class LazyChoices:
    """argparse `choices` computed on first use, so declaring a flag imports nothing heavy."""

    def __init__(self, load: Callable[[], Sequence[str]]) -> None:
        self._load = load
        self._items: Sequence[str] | None = None

    def _get(self) -> Sequence[str]:
        if self._items is None:
            self._items = tuple(self._load())
        return self._items

    def __contains__(self, item: object) -> bool:
        return item in self._get()

    def __iter__(self) -> Iterator[str]:
        return iter(self._get())

    def __len__(self) -> int:
        return len(self._get())


def add_output(p: Any, formats: Sequence[str] = TABLE_FORMATS, what: str = "a table") -> None:
    """`-o/--output FORMAT` (as in kubectl) and `--json`, its alias for `-o json`."""
    p.add_argument(
        "-o",
        "--output",
        choices=formats,
        metavar="FORMAT",
        help=f"output format: {', '.join(formats)} (default: {what})",
    )
    p.add_argument(
        "--json", dest="output", action="store_const", const="json", help="same as -o json"
    )


def dump(doc: Any, fmt: str, *, sort_keys: bool = True) -> str:
    """`doc` as JSON (indented) or YAML (block style), keys sorted unless told otherwise."""
    if fmt == "yaml":
        import yaml

        text: str = yaml.safe_dump(
            doc, sort_keys=sort_keys, default_flow_style=False, allow_unicode=True, width=10**6
        )  # one line per value: no folding of long strings
        return text
    import json

    return json.dumps(doc, indent=2, sort_keys=sort_keys) + "\n"


def duration_flag(verb: str, flag: str, text: str | None) -> float | None:
    """The seconds in a duration flag's value: a number of seconds or `90s`, `2m`, `1m30s` as
    in scenario files; UsageError (exit 2) naming the flag and the value otherwise."""
    if text is None:
        return None
    from federation.api.duration import DurationError, parse_duration

    try:
        seconds = float(text)
    except ValueError:
        try:
            seconds = parse_duration(text)
        except DurationError:
            raise UsageError(
                f"kfed {verb}: {flag}: not a duration: {text!r} "
                "(seconds, or a duration such as 90s, 2m, 1m30s)"
            ) from None
    if not math.isfinite(seconds) or seconds <= 0:
        raise UsageError(f"kfed {verb}: {flag} must be > 0, got {text}")
    return seconds


def make_out_dir(verb: str, path: Path) -> Path:
    """`path` created (with its parents) for a run's files; UsageError (exit 2) when it cannot
    be (a file is in the way, no permission)."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise UsageError(f"kfed {verb}: --out {path}: {e.strerror or e}") from None
    return path


def load_scenario_or_fail(path: str) -> Any:
    """The scenario in `path`, or None after printing every problem (the caller exits 2)."""
    from federation.api import LoadError, load_scenario

    try:
        return load_scenario(Path(path))
    except LoadError as e:
        fail(e.errors)
        return None
