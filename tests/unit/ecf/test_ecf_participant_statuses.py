"""Participants' statuses and the declarations they refuse (docs/design.md §15), in the domain."""
from dataclasses import replace
from datetime import date, datetime, timezone

import pytest

from services.payments.ecf.domain.declarations import (FROZEN_MESSAGE, MENTOR_FUNDED_MESSAGE, SUBMITTED,
                                                       DeclarationRefused, submit)
from services.payments.ecf.domain.participants import (ACTIVE, DEFERRED, WITHDRAWN, StatusChange, change_status,
                                                       schedule_change_refusals, status_of)
from services.payments.ecf.domain.schedules import Milestone, Schedule
from shared.contracts.errors import Refused

from tests.support.ecf_builders import SCHEDULE, declaration, participant, statement

pytestmark = pytest.mark.unit
NOW = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)


def at(day: int, month: int = 10) -> datetime:
    return datetime(2026, month, day, 9, tzinfo=timezone.utc)


def declare(p, declaration_type="started", when="2026-10-15T10:00:00Z", existing=(), **kw):
    return submit(id="new", lead_provider_id=p.lead_provider_id, attributes={
        "participant_id": p.id, "declaration_type": declaration_type, "course_identifier": p.course_identifier,
        "declaration_date": when, "evidence_held": "other"}, participant=p, schedule=SCHEDULE,
        existing=list(existing), statements=[statement(4)], now=NOW, **kw)


def details(refused) -> list[str]:
    return [e.message for e in refused.value.errors]


def test_withdraw_defer_and_resume_move_a_participant_between_the_three_statuses():
    history = change_status((), "defer", reason="parental-leave", at=at(1))
    assert status_of(history) == DEFERRED
    history = change_status(history, "resume", reason=None, at=at(10))
    assert status_of(history) == ACTIVE
    history = change_status(history, "withdraw", reason="moved-school", at=at(12))
    assert status_of(history) == WITHDRAWN


@pytest.mark.parametrize("history, action, reason, message", [
    ((), "withdraw", "bored", "The entered '#/reason' is not recognised."),
    ((), "resume", None, "The participant is already active"),
    ((StatusChange(WITHDRAWN, at(1)),), "defer", "other", "You cannot defer a withdrawn participant"),
    ((StatusChange(WITHDRAWN, at(1)),), "withdraw", "other", "The participant is already withdrawn"),
])
def test_a_status_change_that_does_not_fit_is_refused(history, action, reason, message):
    with pytest.raises(Refused) as refused:
        change_status(history, action, reason=reason, at=at(2))

    assert refused.value.message.startswith(message)


def test_a_declaration_dated_after_a_withdrawal_is_refused():
    p = participant(status_changes=(StatusChange(WITHDRAWN, at(10), "moved-school"),))
    with pytest.raises(DeclarationRefused) as refused:
        declare(p, when="2026-10-15T10:00:00Z")

    assert details(refused) == ["This participant withdrew from this course on 2026-10-10. Enter a "
                                "'#/declaration_date' that's on or before the withdrawal date."]
    assert declare(p, when="2026-10-09T10:00:00Z").state == "eligible"


def test_a_declaration_dated_inside_a_deferral_is_refused_even_after_the_participant_resumed():
    p = participant(status_changes=(StatusChange(DEFERRED, at(5), "other"), StatusChange(ACTIVE, at(20))))
    with pytest.raises(DeclarationRefused) as refused:
        declare(p, when="2026-10-15T10:00:00Z")

    assert details(refused)[0].startswith("This participant was deferred from this course on 2026-10-05.")
    assert declare(p, when="2026-10-21T10:00:00Z").state == "eligible"


def test_declarations_of_cohorts_from_2025_are_refused_out_of_milestone_order():
    later = declaration(1, declaration_type="retained-1", participant_id="p-1")
    later = replace(later, declaration_date=datetime(2026, 10, 10, tzinfo=timezone.utc))
    with pytest.raises(DeclarationRefused) as refused:
        declare(participant(), "started", when="2026-10-15T10:00:00Z", existing=[later])

    assert details(refused)[0].startswith("The '#/declaration_date' must be in milestone order")


def test_a_frozen_cohort_refuses_new_declarations():
    with pytest.raises(DeclarationRefused) as refused:
        declare(participant(), frozen_cohorts=frozenset({2026}))

    assert details(refused) == [FROZEN_MESSAGE]


def test_a_mentor_already_funded_gets_no_declaration_again():
    with pytest.raises(DeclarationRefused) as refused:
        declare(participant(course_identifier="ecf-mentor"), mentor_already_funded=True)

    assert details(refused) == [MENTOR_FUNDED_MESSAGE]


def test_a_flat_rate_mentor_can_only_declare_started_and_completed():
    mentor = participant(course_identifier="ecf-mentor")
    with pytest.raises(DeclarationRefused):
        declare(mentor, "retained-1", when="2026-11-15T10:00:00Z", flat_rate_mentors=True)

    assert declare(mentor, flat_rate_mentors=True).uplift is False


def test_an_ect_in_a_temporary_cohort_gets_an_unpayable_declaration():
    made = declare(participant(cohort_confirmed=False))

    assert (made.state, made.statement_id) == (SUBMITTED, None)


def test_a_schedule_change_is_refused_while_a_declaration_would_fall_outside_it():
    d = declaration(1, participant_id="p-1")  # started on 2026-10-01
    late = Schedule.create(identifier="ecf-standard-january", cohort=2026,
                           milestones=[Milestone("started", date(2027, 1, 1))])

    [refused] = schedule_change_refusals(existing=[d], schedule=late, cohort_changes=False)
    assert refused.message.endswith("Void it first.")
    assert schedule_change_refusals(existing=[d], schedule=SCHEDULE, cohort_changes=False) == []
    assert schedule_change_refusals(existing=[d], schedule=SCHEDULE, cohort_changes=True)[0].field == "cohort"
    assert schedule_change_refusals(existing=[replace(d, state="voided")], schedule=late, cohort_changes=True) == []
