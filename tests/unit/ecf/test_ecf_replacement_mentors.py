"""Replacement mentors are funded only if not funded before (docs/design.md §15): a mentor on an
``ecf-replacement-*`` schedule is refused once their TRN has any funded mentor declaration on another
record; any mentor is refused once their TRN is funded for completed training."""
from datetime import datetime, timezone

import pytest

from services.payments.ecf.domain.declarations import ELIGIBLE, DeclarationRefused, submit
from services.payments.ecf.domain.mentors import (MENTOR_FUNDED_MESSAGE, REPLACEMENT_MENTOR_FUNDED_MESSAGE,
                                                  mentor_funding_refusal)
from services.payments.ecf.domain.rules import is_replacement_schedule
from services.payments.ecf.domain.schedules import Milestone, Schedule

from tests.support.ecf_builders import COHORT, SCHEDULE, participant, statement

pytestmark = pytest.mark.unit
NOW = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)
REPLACEMENT = Schedule.create(identifier="ecf-replacement-september", cohort=COHORT,
                              milestones=list(SCHEDULE.milestones))


def mentor(schedule=REPLACEMENT):
    return participant(course_identifier="ecf-mentor", schedule_identifier=schedule.identifier)


def declare(p, schedule=REPLACEMENT, **kw):
    return submit(id="new", lead_provider_id=p.lead_provider_id, attributes={
        "participant_id": p.id, "declaration_type": "started", "course_identifier": "ecf-mentor",
        "declaration_date": "2026-10-15T10:00:00Z"}, participant=p, schedule=schedule, existing=[],
        statements=[statement(4)], now=NOW, **kw)


@pytest.mark.parametrize("identifier, replacement", [
    ("ecf-replacement-september", True), ("ecf-replacement-january", True), ("ecf-replacement-april", True),
    ("ecf-standard-september", False), ("ecf-extended-january", False)])
def test_a_replacement_mentor_is_one_on_a_replacement_schedule(identifier, replacement):
    assert is_replacement_schedule(identifier) is replacement


def test_a_replacement_mentor_never_funded_before_is_funded():
    assert mentor_funding_refusal(mentor(), set()) is None
    assert declare(mentor()).state == ELIGIBLE


@pytest.mark.parametrize("funded", [{"started"}, {"started", "retained-1"}])
def test_a_replacement_mentor_funded_before_is_refused(funded):
    with pytest.raises(DeclarationRefused) as refused:
        declare(mentor(), mentor_funded_types=funded)

    assert [(e.message, e.field) for e in refused.value.errors] == [(REPLACEMENT_MENTOR_FUNDED_MESSAGE,
                                                                     "participant_id")]


def test_a_mentor_on_a_standard_schedule_with_a_started_funded_elsewhere_is_still_funded():
    standard = mentor(SCHEDULE)
    assert mentor_funding_refusal(standard, {"started"}) is None
    assert declare(standard, schedule=SCHEDULE, mentor_funded_types={"started"}).state == ELIGIBLE


@pytest.mark.parametrize("schedule", [SCHEDULE, REPLACEMENT])
def test_any_mentor_funded_for_completed_training_is_refused(schedule):
    refusal = mentor_funding_refusal(mentor(schedule), {"started", "completed"})
    assert refusal is not None and refusal.message == MENTOR_FUNDED_MESSAGE


def test_early_career_teachers_are_not_mentors_so_the_rule_does_not_touch_them():
    ect = participant(schedule_identifier=REPLACEMENT.identifier)
    assert mentor_funding_refusal(ect, {"started", "completed"}) is None


def test_a_milestone_outside_the_replacement_schedule_still_counts_as_before():
    january = Schedule.create(identifier="ecf-replacement-january", cohort=COHORT, milestones=[
        Milestone("started", SCHEDULE.milestones[0].start_date, None)])
    with pytest.raises(DeclarationRefused):
        declare(mentor(january), schedule=january, mentor_funded_types={"started"})
