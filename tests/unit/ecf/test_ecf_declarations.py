"""Declarations: request validation and the state machine."""
from dataclasses import replace
from datetime import date

import pytest

from services.payments.ecf.domain import declarations as d
from services.payments.ecf.domain.declarations import DeclarationRefused, make_eligible, submit, void
from shared.contracts.errors import Refused

from tests.support.ecf_builders import LP, SCHEDULE, at, declaration, participant, statement

pytestmark = pytest.mark.unit

NOW = at("2026-10-15T12:00:00")
STATEMENTS = [statement(1, deadline=date(2026, 9, 30)), statement(2, deadline=date(2026, 10, 31)),
              statement(3, deadline=date(2026, 11, 30), output_fee=False), statement(4, deadline=date(2026, 12, 31))]
VALID = {"participant_id": "p-1", "declaration_type": "started", "declaration_date": "2026-10-01T10:00:00Z",
         "course_identifier": "ecf-induction", "evidence_held": "training-event-attended"}


def submit_with(attributes=None, *, who=None, existing=(), statements=STATEMENTS, now=NOW, **changes):
    attrs = dict(VALID if attributes is None else attributes)
    attrs.update(changes)
    return submit(id="d-new", lead_provider_id=LP, attributes=attrs,
                  participant=participant() if who is None else who, schedule=SCHEDULE,
                  existing=existing, statements=statements, now=now)


def test_a_valid_declaration_is_eligible_and_attached_to_the_next_output_statement():
    new = submit_with()

    assert new.state == "eligible"
    assert new.statement_id == "s2"  # s1's deadline has passed
    assert new.declaration_date == at("2026-10-01T10:00:00+00:00")
    assert new.uplift is False


@pytest.mark.parametrize("who, state, statement_id, uplift", [
    (participant(funding_eligible=False), "submitted", None, False),
    (participant(retired_into_id="p-9"), "ineligible", "s2", False),
    (participant(pupil_premium_uplift=True), "eligible", "s2", True),
    (participant(sparsity_uplift=True, pupil_premium_uplift=True), "eligible", "s2", True),
])
def test_an_accepted_declaration_takes_its_state_from_the_participant(who, state, statement_id, uplift):
    new = submit_with(who=who)

    assert (new.state, new.statement_id, new.uplift) == (state, statement_id, uplift)


def test_a_duplicate_participant_gets_an_ineligible_declaration_with_the_reason():
    assert submit_with(who=participant(retired_into_id="p-9")).ineligible_reason == "duplicate"


def test_only_a_started_declaration_carries_the_uplift():
    new = submit_with(who=participant(pupil_premium_uplift=True), declaration_type="retained-1",
                      declaration_date="2026-12-05T10:00:00Z", now=at("2027-01-10T00:00:00"),
                      statements=[statement(9, deadline=date(2027, 1, 31))])

    assert new.uplift is False


@pytest.mark.parametrize("changes, message, field", [
    (dict(participant_id=""), "Enter a '#/participant_id'.", "participant_id"),
    (dict(declaration_type=None), "Enter a '#/declaration_type'.", "declaration_type"),
    (dict(course_identifier=" "), "Enter a '#/course_identifier'.", "course_identifier"),
    (dict(declaration_date=None), "Enter a '#/declaration_date'.", "declaration_date"),
    (dict(declaration_date="2026-10-01"), "Enter a valid RFC 3339 '#/declaration_date'.", "declaration_date"),
    (dict(declaration_date="2026-10-01T10:00:00"), "Enter a valid RFC 3339 '#/declaration_date'.",
     "declaration_date"),
    (dict(declaration_date="2026-13-01T10:00:00Z"), "Enter a valid RFC 3339 '#/declaration_date'.",
     "declaration_date"),
    (dict(declaration_date="2026-10-16T10:00:00Z"),
     "The '#/declaration_date' value cannot be a future date. Check the date and try again.", "declaration_date"),
    (dict(declaration_date="2026-08-31T23:59:59Z"),
     "Enter a '#/declaration_date' that's on or after the milestone start.", "declaration_date"),
    (dict(participant_id="p-2"), "Your update cannot be made as the '#/participant_id' is not recognised. "
     "Check participant details and try again.", "participant_id"),
    (dict(course_identifier="ecf-mentor"), "The entered '#/course_identifier' is not recognised for the given "
     "participant. Check details and try again.", "course_identifier"),
    (dict(declaration_type="retained-9"), "Enter a valid '#/declaration_type'.", "declaration_type"),
    (dict(declaration_type="retained-3"), "The property '#/declaration_type' does not exist for this schedule.",
     "declaration_type"),
    (dict(evidence_held="a-photo"),
     "Enter an available '#/evidence_held' type for this participant's event and course.", "evidence_held"),
])
def test_an_invalid_request_is_refused_with_the_ecf_api_message(changes, message, field):
    with pytest.raises(DeclarationRefused) as refused:
        submit_with(**changes)

    assert (refused.value.message, refused.value.field) == (message, field)


def test_a_declaration_after_its_milestone_date_is_refused():
    with pytest.raises(Refused) as refused:
        submit_with(declaration_date="2026-12-01T00:00:00Z", now=at("2026-12-02T00:00:00"),
                    statements=[statement(5, deadline=date(2026, 12, 31))])

    assert refused.value.message == "Enter a '#/declaration_date' that's before the milestone end date."


def test_a_retained_declaration_needs_evidence_held():
    with pytest.raises(Refused) as refused:
        submit_with(declaration_type="retained-1", evidence_held=None, declaration_date="2026-12-05T00:00:00Z",
                    now=at("2026-12-10T00:00:00"), statements=[statement(5, deadline=date(2026, 12, 31))])

    assert refused.value.message == "Enter a '#/evidence_held' value for this participant."


def test_a_participant_of_another_lead_provider_is_not_recognised():
    with pytest.raises(Refused) as refused:
        submit_with(who=participant(lead_provider_id="lp-2"))

    assert refused.value.field == "participant_id"


def test_a_refused_request_lists_every_problem():
    with pytest.raises(DeclarationRefused) as refused:
        submit_with(course_identifier="", declaration_date="yesterday", evidence_held="a-photo")

    assert [e.field for e in refused.value.errors] == ["course_identifier", "declaration_date", "evidence_held"]


@pytest.mark.parametrize("existing_state, refused", [
    ("submitted", True), ("eligible", True), ("payable", True), ("paid", True),
    ("voided", False), ("ineligible", False), ("awaiting_clawback", False), ("clawed_back", False),
])
def test_a_second_declaration_for_the_same_event_is_a_duplicate_unless_the_first_will_never_be_paid(
        existing_state, refused):
    existing = [declaration(1, state=existing_state, participant_id="p-1")]
    if refused:
        with pytest.raises(Refused) as error:
            submit_with(existing=existing)
        assert error.value.message == ("A declaration has already been submitted that will be, or has been, "
                                       "paid for this event")
    else:
        assert submit_with(existing=existing).state == "eligible"


def test_a_declaration_with_no_output_statement_left_is_refused():
    with pytest.raises(Refused) as refused:
        submit_with(statements=[statement(1, deadline=date(2026, 9, 30))])

    assert refused.value.message == ("You cannot submit or void declarations for the 2026 cohort. The funding "
                                     "contract for this cohort has ended. Get in touch if you need to discuss "
                                     "this with us")


def test_an_authorised_statement_takes_no_more_declarations():
    statements = [statement(2, deadline=date(2026, 10, 31), authorised_at=at("2026-10-14T09:00:00")),
                  statement(4, deadline=date(2026, 12, 31))]

    assert submit_with(statements=statements).statement_id == "s4"


def test_a_submitted_declaration_made_eligible_joins_the_next_output_statement():
    pending = submit_with(who=participant(funding_eligible=False))

    eligible = make_eligible(pending, statements=STATEMENTS, today=date(2026, 11, 5))

    assert (eligible.state, eligible.statement_id) == ("eligible", "s4")


@pytest.mark.parametrize("state, after", [
    ("submitted", "voided"), ("eligible", "voided"), ("payable", "voided"), ("ineligible", "voided"),
    ("paid", "awaiting_clawback"),
])
def test_voiding_moves_a_declaration_on_by_its_state(state, after):
    voided = void(declaration(1, state=state, statement_id="s2"), statements=STATEMENTS, today=date(2026, 11, 5))

    assert voided.state == after
    assert voided.statement_id == "s2"
    assert voided.clawback_statement_id == ("s4" if state == "paid" else None)


@pytest.mark.parametrize("state, message", [
    ("voided", "This declaration has already been voided."),
    ("clawed_back", "This declaration has been clawed back, so you can only view it."),
    ("awaiting_clawback", "This declaration has already been voided and is awaiting clawback."),
])
def test_voiding_a_declaration_that_is_already_void_is_refused(state, message):
    with pytest.raises(Refused) as refused:
        void(declaration(1, state=state), statements=STATEMENTS, today=date(2026, 11, 5))

    assert refused.value.message == message


def test_voiding_a_paid_declaration_with_no_output_statement_left_is_refused():
    with pytest.raises(Refused) as refused:
        void(declaration(1, state="paid"), statements=STATEMENTS, today=date(2027, 1, 5))

    assert refused.value.message.startswith("You cannot submit or void declarations for the 2026 cohort.")


@pytest.mark.parametrize("state, on, after", [
    ("eligible", "statement", "payable"), ("payable", "statement", "payable"), ("paid", "statement", "paid"),
    ("eligible", "other", "eligible"),
])
def test_after_the_deadline_eligible_declarations_on_the_statement_become_payable(state, on, after):
    before = declaration(1, state=state, statement_id="s2" if on == "statement" else "s9")

    assert d.after_deadline(before, "s2").state == after


@pytest.mark.parametrize("state, statement_id, clawback_statement_id, after", [
    ("payable", "s2", None, "paid"),
    ("eligible", "s2", None, "paid"),
    ("awaiting_clawback", "s1", "s2", "clawed_back"),
    ("awaiting_clawback", "s2", "s4", "awaiting_clawback"),
    ("voided", "s2", None, "voided"),
    ("submitted", None, None, "submitted"),
    ("ineligible", "s2", None, "ineligible"),
    ("payable", "s4", None, "payable"),
])
def test_authorising_a_statement_pays_its_declarations_and_completes_its_clawbacks(
        state, statement_id, clawback_statement_id, after):
    before = replace(declaration(1, state=state, statement_id=statement_id),
                     clawback_statement_id=clawback_statement_id)

    assert d.on_authorise(before, "s2").state == after
