"""The Webster engine: jump-start == plain greedy == a naive reference, and its slot order."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from federation.core.webster import JUMP_START_MIN, Party, allocate


def naive(new_seats: int, parties: list[Party], ascending: bool) -> tuple[dict[str, int], int]:
    """Reference: every step scan all open parties for the best (priority, -seats, name)."""
    seats = {p.name: p.seats for p in parties}
    given_ = 0
    for _ in range(new_seats):
        open_ = [p for p in parties if p.cap is None or seats[p.name] < p.cap]
        if not open_:
            break

        def key(p: Party) -> tuple[Fraction, int, str]:
            return (Fraction(p.votes, 2 * seats[p.name] + 1), -seats[p.name], p.name)

        best_priority, best_neg_seats, _ = max(key(p) for p in open_)
        tied = sorted(p.name for p in open_ if key(p)[:2] == (best_priority, best_neg_seats))
        seats[tied[0] if ascending else tied[-1]] += 1
        given_ += 1
    return seats, new_seats - given_


@st.composite
def party_lists(draw: st.DrawFn, max_votes: int = 10**6, max_seats: int = 50) -> list[Party]:
    names = draw(st.lists(st.text("abcxyz", min_size=1, max_size=3), max_size=7, unique=True))
    parties = []
    for name in names:
        votes = draw(st.one_of(st.just(0), st.integers(1, max_votes)))
        seats = draw(st.integers(0, max_seats))
        cap = draw(st.one_of(st.none(), st.integers(0, seats + 300)))
        parties.append(Party(name, votes, seats, cap))
    return parties


@settings(max_examples=150)
@given(parties=party_lists(), new_seats=st.integers(0, 3000), ascending=st.booleans())
def test_jump_start_is_identical_to_plain_greedy(
    parties: list[Party], new_seats: int, ascending: bool
) -> None:
    fast = allocate(new_seats, parties, ascending=ascending, jump_start=True)
    slow = allocate(new_seats, parties, ascending=ascending, jump_start=False)
    assert fast == slow


@given(
    parties=party_lists(max_votes=30, max_seats=5),
    new_seats=st.integers(0, 60),
    ascending=st.booleans(),
)
def test_heap_greedy_matches_naive_reference(
    parties: list[Party], new_seats: int, ascending: bool
) -> None:
    assert allocate(new_seats, parties, ascending=ascending, jump_start=False) == naive(
        new_seats, parties, ascending
    )


@given(parties=party_lists(max_votes=1000), new_seats=st.integers(0, 500))
def test_one_more_seat_never_takes_one_away(parties: list[Party], new_seats: int) -> None:
    before, _ = allocate(new_seats, parties)
    after, _ = allocate(new_seats + 1, parties)
    assert all(after[n] >= before[n] for n in before)
    assert sum(after.values()) - sum(before.values()) in (0, 1)


@given(parties=party_lists(), new_seats=st.integers(0, 10**9))
def test_leftover_only_when_every_party_is_capped(parties: list[Party], new_seats: int) -> None:
    seats, left = allocate(new_seats, parties)
    assert sum(seats.values()) + left == new_seats + sum(p.seats for p in parties)
    if left:
        assert all(p.cap is not None and seats[p.name] >= p.cap for p in parties)
    for p in parties:
        assert seats[p.name] >= p.seats
        if p.cap is not None and p.seats <= p.cap:
            assert seats[p.name] <= p.cap


def test_jump_start_threshold_is_used_for_big_totals() -> None:
    parties = [Party("a", 3), Party("b", 1)]
    big = JUMP_START_MIN * len(parties) * 10**9
    seats, left = allocate(big, parties)
    assert left == 0 and seats == {"a": big * 3 // 4, "b": big // 4}


def test_zero_vote_parties_only_get_seats_when_nobody_else_can() -> None:
    seats, left = allocate(5, [Party("a", 0), Party("b", 2, cap=3)])
    assert seats == {"a": 2, "b": 3} and left == 0
