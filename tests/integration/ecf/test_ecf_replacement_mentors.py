"""Replacement mentors through the Lead Provider API (docs/design.md §15): a mentor a lead provider puts on
a replacement schedule (on adding, or with change-schedule) is funded only if their TRN was never
funded as a mentor before, with any lead provider; the refusal stores nothing and names the
participant. A voided earlier declaration does not count."""
from __future__ import annotations

import pytest

from tests.support.ecf import STANDARD_MILESTONES, add_participant, set_up_provider

pytestmark = pytest.mark.integration

STARTED_MENTOR = {"declaration_type": "started", "declaration_date": "2026-10-01T10:00:00Z",
                  "course_identifier": "ecf-mentor"}
REFUSED = [{"title": "participant_id", "detail": "This replacement mentor has already been funded for mentor "
                                                  "training, so they cannot be funded again"}]


async def _set_up(ecf):
    first = await set_up_provider(ecf)
    second = await set_up_provider(ecf, "Teach First", schedule=False)
    await ecf.post("/schedules", {"identifier": "ecf-replacement-september", "cohort": 2026,
                                  "milestones": STANDARD_MILESTONES}, expect=201)
    return first, second


async def _count(ecf) -> int:
    return (await ecf.sql("SELECT count(*) FROM ecf_declarations"))[0][0]


async def test_a_replacement_mentor_funded_before_with_another_lead_provider_is_refused_until_that_is_voided(ecf):
    first, second = await _set_up(ecf)
    earlier = await add_participant(ecf, first, course_identifier="ecf-mentor", trn="2223334")
    replacement = await add_participant(ecf, second, course_identifier="ecf-mentor", trn="2223334",
                                        schedule="ecf-replacement-september", full_name="Ada Replacement")
    funded = await ecf.declare(first, participant_id=earlier, **STARTED_MENTOR)
    assert funded.status_code == 200 and funded.json()["data"]["attributes"]["state"] == "eligible"

    refused = await ecf.declare(second, participant_id=replacement, **STARTED_MENTOR)
    assert refused.status_code == 422
    assert refused.json()["errors"] == REFUSED
    assert await _count(ecf) == 1

    assert (await ecf.void(first, funded.json()["data"]["id"])).status_code == 200
    accepted = await ecf.declare(second, participant_id=replacement, **STARTED_MENTOR)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["data"]["attributes"]["state"] == "eligible"


async def test_a_replacement_mentor_never_funded_before_is_funded(ecf):
    _, second = await _set_up(ecf)
    replacement = await add_participant(ecf, second, course_identifier="ecf-mentor", trn="2223335",
                                        schedule="ecf-replacement-september")

    r = await ecf.declare(second, participant_id=replacement, **STARTED_MENTOR)

    assert r.status_code == 200 and r.json()["data"]["attributes"]["state"] == "eligible"


async def test_a_mentor_moved_to_a_replacement_schedule_is_held_to_the_rule(ecf):
    first, second = await _set_up(ecf)
    earlier = await add_participant(ecf, first, course_identifier="ecf-mentor", trn="2223336")
    mentor = await add_participant(ecf, second, course_identifier="ecf-mentor", trn="2223336", full_name="A Mentor")
    assert (await ecf.declare(first, participant_id=earlier, **STARTED_MENTOR)).status_code == 200

    # The lead provider tells DfE the mentor is a replacement mentor by changing their schedule.
    moved = await ecf.client.put(
        f"/internal/v1/ecf/participants/{mentor}/change-schedule", headers=ecf.as_provider(second),
        json={"data": {"type": "participant-change-schedule", "attributes": {
            "schedule_identifier": "ecf-replacement-september", "cohort": 2026, "course_identifier": "ecf-mentor"}}})
    assert moved.status_code == 200, moved.text

    refused = await ecf.declare(second, participant_id=mentor, **STARTED_MENTOR)
    assert refused.status_code == 422 and refused.json()["errors"] == REFUSED
    assert await _count(ecf) == 1
