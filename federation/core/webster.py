"""Webster / Sainte-Laguë seat allocation: the greedy apportionment core of replica division.

`allocate` hands out `new_seats` one at a time. Each party (member cluster) has integer `votes`
(its weight), its current `seats` and an optional `cap`; the next seat goes to the party with
the highest priority ``votes / (2 * seats + 1)``, compared exactly by cross-multiplying integers
(Karmada divides in float64, which can only differ when rounding makes two distinct
priorities compare equal, i.e. for very large weights and replica counts).
Ties go to the party with fewer seats, then by name, ascending or descending (`ascending`).
A party at its cap takes no more seats; seats nobody can take are returned as leftover.

Because each party's priority sequence is strictly decreasing under that total order
(priority desc, seats asc, name), the greedy result is exactly "the `new_seats` best
(party, seat) slots". That makes the method house-monotone (one more seat never takes one
away) and lets `allocate` jump-start big totals: every slot whose priority beats a threshold
``1/x`` is certainly among the best when there are at most `new_seats` of them, so those are
granted in one step and the heap finishes the last (< number of parties) seats one at a time.
Parties with 0 votes only get seats once no positive-vote party can take one; among
themselves they are ordered like equal votes (fewest seats first), so they form a second tier
that is jump-started the same way. The result is identical to the plain greedy
(`tests/core/test_division_webster.py` checks it against the greedy and a naive reference).

`tie_ascending` reproduces Karmada's per-workload tie direction: the parity of the FNV-1a
32-bit hash of the workload UID. Even hash -> names ascending, odd -> descending; an empty key
-> ascending (Karmada passes no tie-breaker without a UID and its default is ascending).
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass

from federation.core.fnv import fnv1a_32

__all__ = ["JUMP_START_MIN", "Party", "allocate", "tie_ascending"]

# Below this many seats per party the plain greedy is already cheap; above it, jump-start.
JUMP_START_MIN = 4


@dataclass(frozen=True, slots=True)
class Party:
    """A party in the apportionment: integer votes >= 0, initial seats, optional seat cap."""

    name: str
    votes: int
    seats: int = 0
    cap: int | None = None


def tie_ascending(key: str) -> bool:
    """True if equal-priority, equal-seat ties go to the alphabetically smaller name."""
    if not key:
        return True
    return fnv1a_32(key) % 2 == 0


class _Entry:
    """Heap entry; `a < b` means a gets the next seat before b."""

    __slots__ = ("cap", "name", "rank", "seats", "votes")

    def __init__(self, name: str, votes: int, seats: int, cap: int | None, rank: int) -> None:
        self.name = name
        self.votes = votes
        self.seats = seats
        self.cap = cap
        self.rank = rank

    def __lt__(self, other: _Entry) -> bool:
        left = self.votes * (2 * other.seats + 1)
        right = other.votes * (2 * self.seats + 1)
        if left != right:
            return left > right
        if self.seats != other.seats:
            return self.seats < other.seats
        return self.rank < other.rank

    def open(self) -> bool:
        return self.cap is None or self.seats < self.cap


def allocate(
    new_seats: int,
    parties: Sequence[Party],
    *,
    ascending: bool = True,
    jump_start: bool = True,
) -> tuple[dict[str, int], int]:
    """Give `new_seats` more seats to `parties`; return (seats per party name, leftover seats).

    Leftover is nonzero only when every party reached its cap.
    """
    if new_seats < 0:
        raise ValueError(f"new_seats must be >= 0, got {new_seats}")
    names = sorted((p.name for p in parties), reverse=not ascending)
    rank = {name: i for i, name in enumerate(names)}
    entries = [_Entry(p.name, p.votes, p.seats, p.cap, rank[p.name]) for p in parties]
    if not jump_start:
        left = _greedy(new_seats, entries)
        return {e.name: e.seats for e in entries}, left
    # Every positive-priority slot beats every zero-vote slot, and zero-vote slots are ordered
    # by (seats, name) exactly like slots of equal positive votes: fill the two tiers in turn.
    remaining = _fill(new_seats, [e for e in entries if e.votes > 0])
    zero = [e for e in entries if e.votes <= 0]
    for e in zero:
        e.votes = 1
    remaining = _fill(remaining, zero)
    return {e.name: e.seats for e in entries}, remaining


def _fill(new_seats: int, entries: list[_Entry]) -> int:
    remaining = new_seats
    if entries and remaining > JUMP_START_MIN * len(entries):
        remaining -= _jump(remaining, entries)
    return _greedy(remaining, entries)


def _greedy(new_seats: int, entries: list[_Entry]) -> int:
    """One seat at a time to the best open entry; returns the seats nobody could take."""
    remaining = new_seats
    heap = [e for e in entries if e.open()]
    heapq.heapify(heap)
    while remaining > 0 and heap:
        top = heap[0]
        top.seats += 1
        remaining -= 1
        if top.open():
            heapq.heapreplace(heap, top)
        else:
            heapq.heappop(heap)
    return remaining


def _above(entries: Sequence[_Entry], p: int, q: int) -> list[int]:
    """Per entry, how many of its open slots have priority > q/p (votes * p > q * (2s + 1))."""
    taken = []
    for e in entries:
        if e.votes <= 0:
            taken.append(0)
            continue
        # slots s >= 0 with 2s + 1 < votes * p / q: ceil((votes*p - q) / 2q), floored at 0
        reach = (e.votes * p + q - 1) // (2 * q)
        if e.cap is not None:
            reach = min(reach, e.cap)
        taken.append(max(0, reach - e.seats))
    return taken


def _jump(budget: int, entries: list[_Entry]) -> int:
    """Grant, in one step, every slot above the highest threshold that keeps the count <= budget.

    Thresholds are q/p with q = the largest vote, so raising p by one adds at most one slot per
    party: the best p found by bisection leaves fewer than len(entries) seats for the heap.
    Returns the number of seats granted (entries are updated in place).
    """
    q = max(e.votes for e in entries)
    if q <= 0:
        return 0
    top_seats = max(e.seats for e in entries)
    lo, hi = 0, q * (2 * (budget + top_seats) + 1)
    if sum(_above(entries, hi, q)) <= budget:
        lo = hi
    else:
        while hi - lo > 1:  # invariant: count(lo) <= budget < count(hi)
            mid = (lo + hi) // 2
            if sum(_above(entries, mid, q)) <= budget:
                lo = mid
            else:
                hi = mid
    taken = _above(entries, lo, q)
    for e, t in zip(entries, taken, strict=True):
        e.seats += t
    return sum(taken)
