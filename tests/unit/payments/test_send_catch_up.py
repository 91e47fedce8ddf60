"""Sending to the payer waits, a bounded time, for claims submitted a moment before to reach
payments' projection (``handlers.payments.wait_for_submitted``), on a fake projection: no database, no real
sleeping."""
from __future__ import annotations

from datetime import timedelta

import pytest

from services.payments.handlers.payments import wait_for_submitted
from services.payments.ports import CatchUp

pytestmark = pytest.mark.unit


class ArrivingClaims:
    """A projection that sees ``late`` references only after ``after`` look-ups (``Claims.unknown``)."""

    def __init__(self, known: set[str], late: set[str], after: int) -> None:
        self.known, self.late, self.after, self.lookups = set(known), set(late), after, 0

    async def unknown(self, references):
        self.lookups += 1
        if self.lookups > self.after:
            self.known |= self.late
        return [r for r in references if r not in self.known]


class FakeUnitOfWork:
    def __init__(self, claims: ArrivingClaims) -> None:
        self.claims = claims


def waiting_recording(sleeps: list[float], *, within: timedelta = timedelta(seconds=1)) -> CatchUp:
    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)
    return CatchUp(within=within, poll=timedelta(milliseconds=100), sleep=sleep)


async def test_a_send_whose_claims_have_all_arrived_does_not_wait():
    sleeps: list[float] = []
    claims = ArrivingClaims(known={"10000001", "10000002"}, late=set(), after=0)

    unseen = await wait_for_submitted(FakeUnitOfWork(claims), waiting_recording(sleeps), ["10000001", "10000002"])

    assert (unseen, sleeps) == ([], [])


async def test_a_claim_arriving_during_the_wait_is_waited_for_and_the_wait_then_ends():
    sleeps: list[float] = []
    claims = ArrivingClaims(known={"10000001"}, late={"10000002"}, after=3)

    unseen = await wait_for_submitted(FakeUnitOfWork(claims), waiting_recording(sleeps), ["10000001", "10000002"])

    assert unseen == []
    assert sleeps == [0.1, 0.1, 0.1]


async def test_a_claim_that_never_arrives_is_waited_for_at_most_the_bound_then_reported():
    sleeps: list[float] = []
    claims = ArrivingClaims(known={"10000001"}, late={"10000002"}, after=10**6)

    unseen = await wait_for_submitted(FakeUnitOfWork(claims), waiting_recording(sleeps), ["10000001", "10000002", "10000002"])

    assert unseen == ["10000002"]
    assert sum(sleeps) == pytest.approx(1.0)
