"""Banding: which band each declaration of a statement is paid at.

Policy: for each declaration type separately, declarations fill the contract's bands cumulatively
across the contract's statements, in statement order. Think of one queue of places per type:
band A's places first, then B's, C's and D's, then an unpaid overflow that never ends. Every
statement starts where the statements before it left the queue (their declarations less their
clawbacks), puts its new declarations in the next places, and takes its clawbacks off the top,
the highest band first — the overflow counts as the highest band, so a clawback first removes a
declaration that was never paid. With bands 0–2000 / 2001–4000 / 4001–6000, 2500 new declarations
on top of 1900 earlier ones are paid 100 at A, 2000 at B and 400 at C.

The work is done on counts, never on declarations, so a statement costs a few integer operations
per declaration type and band whatever the number of declarations.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence


@dataclass(frozen=True)
class Fill:
    """One statement's movement in one declaration type's queue, per band (overflow apart)."""

    additions: tuple[int, ...]
    subtractions: tuple[int, ...]
    overflow_added: int
    overflow_removed: int
    level_after: int  # the queue's level when the statement is done (may pass the last band)

    @property
    def net(self) -> tuple[int, ...]:
        return tuple(a - s for a, s in zip(self.additions, self.subtractions))


def fill(capacities: Sequence[int], *, previous: int, additions: int, clawbacks: int = 0) -> Fill:
    """Place ``additions`` new declarations after ``previous`` earlier ones, then take
    ``clawbacks`` off the top. ``previous`` is the earlier statements' declarations less their
    clawbacks; the result's ``level_after`` is the ``previous`` of the next statement.

    Clawbacks can never take the level below zero: more clawbacks than declarations means the data
    is wrong, and it is refused with ValueError rather than paid as a negative count.
    """
    if previous < 0 or additions < 0 or clawbacks < 0:
        raise ValueError("counts are never negative")
    added, removed, level_after = place(bounds_of(capacities), previous, additions, clawbacks)
    return Fill(
        additions=added,
        subtractions=removed,
        overflow_added=additions - sum(added),
        overflow_removed=clawbacks - sum(removed),
        level_after=level_after,
    )


def bounds_of(capacities: Sequence[int]) -> tuple[tuple[int, int], ...]:
    """Each band's places in the queue as (places before it, places up to its end)."""
    out = []
    start = 0
    for capacity in capacities:
        out.append((start, start + capacity))
        start += capacity
    return tuple(out)


def place(bounds: Sequence[tuple[int, int]], previous: int, additions: int,
          clawbacks: int) -> tuple[tuple[int, ...], tuple[int, ...], int]:
    """The hot path of ``fill`` (the calculator calls it per statement and type): per band the
    declarations added and the clawbacks taken, and the level after. Counts are trusted here."""
    top = previous + additions
    level_after = top - clawbacks
    if level_after < 0:
        raise ValueError(f"{clawbacks} clawbacks but only {top} declarations to take them from")
    return _between(bounds, previous, top), _between(bounds, level_after, top), level_after


def band_counts(capacities: Sequence[int], *, new: int, previous: int = 0) -> tuple[int, ...]:
    """How many of ``new`` declarations land in each band after ``previous`` earlier ones."""
    return fill(capacities, previous=previous, additions=new).additions


def capacities_of(bands: Sequence[tuple[int, int]]) -> tuple[int, ...]:
    """Capacities of (min, max) bands laid end to end: band A holds max − max(min, 1) + 1, each
    later band max − the previous band's max (so "2001–4000" after "0–2000" holds 2000)."""
    out = []
    previous_max = None
    for low, high in bands:
        first = max(low, 1) if previous_max is None else previous_max + 1
        out.append(max(0, high - first + 1))
        previous_max = high
    return tuple(out)


def _between(bounds: Sequence[tuple[int, int]], low: int, high: int) -> tuple[int, ...]:
    """Per band, how many of the queue's places low+1 … high it holds."""
    if low >= high:
        return (0,) * len(bounds)
    out = []
    for start, end in bounds:
        if high <= start or low >= end:
            out.append(0)
        else:
            out.append((high if high < end else end) - (low if low > start else start))
    return tuple(out)
