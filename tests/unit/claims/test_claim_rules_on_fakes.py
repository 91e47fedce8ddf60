"""The claims use cases' rules on the in-memory fakes (no database: milliseconds): the hours cap,
who may claim, the status transitions, and that a refusal leaves nothing changed."""
from __future__ import annotations

import random
from datetime import datetime, timezone
from decimal import Decimal

import pytest

from services.claims.handlers import (ItemDeadLetters, MentorInput, SubmitClaim, handle_claims_sampled,
                                      handle_fact, handle_sampled_in_bulk, handle_submit_claim)
from shared.contracts import (Actor, ClaimSampled, ClaimsSampled, ClaimStatusChanged, ClaimSubmitted, DeadLetter,
                              ProviderResponseRecorded, Refused, SampledClaimItem)
from shared.platform.clock import FixedClock
from tests.support.claims_fakes import FakeClaimsUnitOfWork, Tables, tables_with_organisations
from tests.support.claims_repository_contract import claim, line

SCHOOL = Actor(email="head@100001.example", role="school")
SUPPORT = Actor(email="support@example.com", role="support")
CLOCK = FixedClock(datetime(2026, 11, 23, 10, tzinfo=timezone.utc))


@pytest.fixture
async def database() -> Tables:
    return await tables_with_organisations()


def submission(*mentors: tuple[str, int], actor: Actor = SCHOOL, urn: str = "100001") -> SubmitClaim:
    return SubmitClaim(actor=actor, school_urn=urn, provider_id="p1",
                       mentors=[MentorInput(trn, f"Mentor {trn}", hours) for trn, hours in mentors],
                       scope_school_urn="100001" if actor.role == "school" else None)


async def submit(database: Tables, command: SubmitClaim) -> dict:
    async with FakeClaimsUnitOfWork(database) as uow:
        return await handle_submit_claim(command, uow, CLOCK, rng=random.Random(7))


async def stored(database: Tables, reference: str, status: str, *lines: tuple[str, int]) -> None:
    async with FakeClaimsUnitOfWork(database) as uow:
        await uow.claims.add(claim(reference, status=status), [line(reference, trn, h) for trn, h in lines])
        await uow.commit()


async def test_a_school_user_submits_a_claim_priced_at_its_regions_rate_with_history_and_events(database):
    result = await submit(database, submission(("1234567", 10), ("7654321", 6)))
    saved = database.claims[result["reference"]]
    assert (saved["status"], saved["amount"], saved["total_hours"]) == ("submitted", Decimal("857.60"), 16)
    assert [h["to_status"] for h in database.history] == ["submitted"]
    assert [type(m) for _, m in database.outbox][0] is ClaimSubmitted


async def test_support_can_only_save_a_draft_which_publishes_no_submission(database):
    result = await submit(database, submission(("1234567", 10), actor=SUPPORT))
    assert database.claims[result["reference"]]["status"] == "draft"
    assert not any(isinstance(m, ClaimSubmitted) for _, m in database.outbox)


async def test_hours_over_the_cap_left_this_year_refuse_the_whole_claim_and_nothing_is_stored(database):
    await stored(database, "10000001", "submitted", ("1234567", 10))
    before = (dict(database.claims), list(database.history), list(database.outbox))
    with pytest.raises(Refused) as refused:
        await submit(database, submission(("7654321", 4), ("1234567", 7)))
    assert refused.value.message == ("Enter a number of hours between 1 and 6 for Mentor 1234567: they have 6 hours "
                                     "left to claim with this accredited provider in this academic year")
    assert refused.value.row == 2
    assert (dict(database.claims), list(database.history), list(database.outbox)) == before


async def test_a_draft_claims_hours_do_not_count_towards_the_cap(database):
    await stored(database, "10000001", "draft", ("1234567", 16))
    result = await submit(database, submission(("1234567", 16)))
    assert database.claims[result["reference"]]["total_hours"] == 16


async def test_a_mentor_with_no_hours_left_is_told_so(database):
    await stored(database, "10000001", "paid", ("1234567", 16))
    with pytest.raises(Refused, match="Mentor 1234567 has no hours of training left"):
        await submit(database, submission(("1234567", 1)))


async def test_a_school_user_cannot_claim_for_another_school(database):
    with pytest.raises(Refused, match="You can only claim for your own school"):
        await submit(database, submission(("1234567", 2), urn="100002"))
    assert database.claims == {} and database.outbox == []


async def test_a_claim_outside_every_claim_window_is_refused(database):
    summer = FixedClock(datetime(2026, 8, 15, 10, tzinfo=timezone.utc))
    async with FakeClaimsUnitOfWork(database) as uow:
        with pytest.raises(Refused, match="there is no open claim window"):
            await handle_submit_claim(submission(("1234567", 2)), uow, summer, rng=random.Random(7))
    assert database.claims == {}


async def test_a_fact_moves_the_claim_records_its_history_and_publishes_the_change(database):
    await stored(database, "10000001", "paid", ("1234567", 6))
    fact = ClaimSampled(reference="10000001", sample_reason="Random sample", upload_id="u1", provider_id="p1",
                        actor=SUPPORT)
    async with FakeClaimsUnitOfWork(database) as uow:
        await handle_fact(fact, uow, CLOCK)
        await uow.commit()
    assert database.claims["10000001"]["status"] == "sampling_in_progress"
    assert database.claims["10000001"]["sample_reason"] == "Random sample"
    assert [(h["from_status"], h["to_status"], h["event_id"]) for h in database.history] == [
        ("paid", "sampling_in_progress", str(fact.event_id))]
    [(_, changed)] = database.outbox
    assert isinstance(changed, ClaimStatusChanged) and changed.caused_by_event_id == str(fact.event_id)


async def test_a_fact_the_status_machine_refuses_names_the_claim_and_changes_nothing(database):
    await stored(database, "10000001", "submitted", ("1234567", 6))
    before = (dict(database.claims["10000001"]), list(database.history))
    answer = ProviderResponseRecorded(reference="10000001", assured=True, upload_id="u1", provider_id="p1")
    async with FakeClaimsUnitOfWork(database) as uow:
        with pytest.raises(Refused, match="10000001"):
            await handle_fact(answer, uow, CLOCK)
    assert (database.claims["10000001"], database.history, database.outbox) == (*before, [])


async def test_a_run_of_single_samplings_with_one_refused_claim_changes_nothing(database):
    await stored(database, "10000001", "paid", ("1234567", 6))
    await stored(database, "10000002", "submitted", ("7654321", 6))
    run = [ClaimSampled(reference=r, sample_reason="Random", upload_id="u1", provider_id="p1") for r in
           ("10000001", "10000002")]
    async with FakeClaimsUnitOfWork(database) as uow:
        with pytest.raises(Refused):
            await handle_sampled_in_bulk(run, uow, CLOCK)
    assert [c["status"] for c in database.claims.values()] == ["paid", "submitted"] and database.history == []


async def test_a_batch_applies_its_paid_claims_and_dead_letters_the_unknown_and_repeated_ones_alone(database):
    await stored(database, "10000001", "paid", ("1234567", 6))
    batch = ClaimsSampled(upload_id="u1", actor=SUPPORT, claims=tuple(
        SampledClaimItem(reference=r, sample_reason="Random", provider_id="p1")
        for r in ("10000001", "10000009", "10000001")))
    async with FakeClaimsUnitOfWork(database) as uow:
        await handle_claims_sampled([batch], uow, CLOCK, dead_letters=ItemDeadLetters("claims.status", "t"))
        await uow.commit()
    assert database.claims["10000001"]["status"] == "sampling_in_progress"
    errors = sorted(m.error for _, m in database.outbox if isinstance(m, DeadLetter))
    assert errors[0].startswith("Claim 10000001 cannot be sampled: it is ")
    assert errors[1] == "There is no claim with the reference 10000009"
    changes = [m for _, m in database.outbox if isinstance(m, ClaimStatusChanged)]
    assert [(c.reference, c.to_status, c.occurred_at) for c in changes] == [
        ("10000001", "sampling_in_progress", CLOCK.now())]
    assert len(database.dead_letters) == 2
