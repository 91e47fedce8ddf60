"""The in-service answer's use case on fakes (docs/design.md §12): a provider answers only its own
claims, once, in sampling_in_progress; the answer is emitted as the fact a CSV gives, kept with how it
came, and a school whose claim is not assured is emailed."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from services.sampling.domain.assurance import MentorAnswer
from services.sampling.handlers.assurance import AssureClaim, handle_assure_claim
from shared.contracts import ActivityRecorded, Actor, NotFound, ProviderResponseRecorded, Refused, SendNotification
from shared.platform.clock import FixedClock
from tests.support.sampling_claims import JANE, JOHN, claim

NOW = datetime(2026, 12, 7, 10, tzinfo=timezone.utc)
PROVIDER = Actor(email="audit@bpn.example", role="provider")
SUPPORT = Actor(email="support@example.com", role="support")


class FakeProjection:
    def __init__(self, rows: dict[str, dict[str, Any]]) -> None:
        self.rows = rows

    async def claim(self, reference):
        return self.rows.get(reference)

    async def claim_views(self, references, *, with_mentors=False, brief=False):
        return {r: claim(r, self.rows[r]["status"], mentors=(JOHN, JANE)) for r in references if r in self.rows}

    async def mark_awaiting(self, references, *, status, awaiting):
        marked = {r for r in references if self.rows[r]["status"] == status and not self.rows[r]["awaiting"]}
        for r in marked:
            self.rows[r]["awaiting"] = awaiting
        return marked

    async def provider(self, provider_id):
        return {"id": provider_id, "name": "Best Practice Network"}


class FakeSamplings:
    def __init__(self) -> None:
        self.answers: dict[str, dict[str, Any]] = {}

    async def answer(self, reference):
        return self.answers.get(reference)

    async def record_answers(self, rows):
        for row in rows:
            self.answers.setdefault(row["claim_reference"], row)


class FakeUow:
    def __init__(self, rows) -> None:
        self.projection = FakeProjection(rows)
        self.samplings = FakeSamplings()
        self.emitted: list[Any] = []
        self.commits = 0

    def emit(self, message, *, topic=None) -> None:
        self.emitted.append(message)

    async def commit(self) -> None:
        self.commits += 1


def uow_with(status: str = "sampling_in_progress", provider_id: str = "prov-1") -> FakeUow:
    return FakeUow({"12345678": {"reference": "12345678", "status": status, "awaiting": None,
                                 "provider_id": provider_id, "provider_name": "Best Practice Network",
                                 "school_email": "office@school.example", "school_name": "Hogwarts Primary"}})


NO = (MentorAnswer(JOHN.trn, 0, "no_record_of_mentor"),)


async def test_a_providers_no_is_the_response_fact_kept_as_an_account_answer_and_the_school_is_emailed():
    uow = uow_with()
    await handle_assure_claim(AssureClaim("12345678", False, NO, PROVIDER, provider_ids=("prov-1",)), uow,
                              FixedClock(NOW))
    fact, = [m for m in uow.emitted if isinstance(m, ProviderResponseRecorded)]
    assert (fact.assured, fact.provider_id, fact.upload_id) == (False, "prov-1", "account:12345678")
    assert {m.trn: m.hours_confirmed for m in fact.mentors} == {JOHN.trn: 0, JANE.trn: None}
    assert [m.to for m in uow.emitted if isinstance(m, SendNotification)] == ["office@school.example"]
    assert [m.title for m in uow.emitted if isinstance(m, ActivityRecorded)] == [
        "Provider Best Practice Network rejected audit for claim 12345678"]
    answer = uow.samplings.answers["12345678"]
    assert (answer["via"], answer["assured"], answer["reason_codes"]) == ("account", False, ["no_record_of_mentor"])
    assert uow.commits == 1


async def test_another_providers_claim_is_not_found_and_nothing_happens():
    uow = uow_with(provider_id="prov-2")
    with pytest.raises(NotFound):
        await handle_assure_claim(AssureClaim("12345678", True, (), PROVIDER, provider_ids=("prov-1",)), uow,
                                  FixedClock(NOW))
    assert uow.emitted == [] and uow.commits == 0


async def test_a_second_answer_is_refused_with_how_and_when_the_first_was_given():
    uow = uow_with()
    await handle_assure_claim(AssureClaim("12345678", True, (), SUPPORT), uow, FixedClock(NOW))
    assert uow.samplings.answers["12345678"]["via"] == "support"
    with pytest.raises(Refused) as refused:
        await handle_assure_claim(AssureClaim("12345678", False, NO, PROVIDER, provider_ids=("prov-1",)), uow,
                                  FixedClock(NOW))
    assert refused.value.message == ("Claim 12345678 has already been answered: the claim is correct (answered by "
                                     "support on 7 December 2026). An answer cannot be changed")
    assert uow.commits == 1


async def test_only_a_claim_whose_audit_was_requested_can_be_answered():
    uow = uow_with(status="paid")
    with pytest.raises(Refused) as refused:
        await handle_assure_claim(AssureClaim("12345678", True, (), PROVIDER, provider_ids=("prov-1",)), uow,
                                  FixedClock(NOW))
    assert refused.value.message == ("Claim 12345678 cannot be answered: it is ‘Paid’ (only a claim whose audit "
                                     "was requested can be)")
