"""Memo tables of the core: results of pure functions the reconcile repeats (divisions,
placement verdicts, conditions), kept between reconciles so its cost follows what changed.

Entries are caches only: each is keyed by value, or holds the inputs it was computed from and
is checked before use, so a table can be cleared at any time and only costs misses.
"""

from __future__ import annotations

from typing import Any

MEMO_MAX = 50_000  # entries per table before it is cleared


def remember(table: dict[Any, Any], key: Any, value: Any) -> Any:
    """Store `value` in a bounded memo table and return it."""
    if len(table) >= MEMO_MAX:
        table.clear()
    table[key] = value
    return value
