"""Participant declarations: validation and the state machine.

States: submitted, eligible, payable, paid, voided, ineligible, awaiting_clawback, clawed_back.

- A declaration request is validated (participant, course, declaration type in the participant's
  schedule, RFC 3339 date not in the future and inside the milestone period, evidence held, no
  duplicate, an output statement to attach it to). A refused request stores nothing and gets
  every message that applies, in the ECF API v3's words.
- Accepted: a participant retired into another (a duplicate participant record) gets an
  ineligible declaration; a participant not (yet) eligible for funding gets a submitted one (made
  eligible later with ``make_eligible``); otherwise it is eligible and attached to the next output
  statement. The uplift flag is set on a started declaration of a pupil premium or sparsity
  participant: with one started declaration per participant the uplift is paid once, never twice.
- A duplicate is another declaration of the same participant and type that will be, or has been,
  paid: submitted, eligible, payable or paid. A voided or clawed back one can be declared again.
- Refused as well (docs/design.md §15): a date after the participant's withdrawal or inside a deferral,
  out of milestone order (cohorts from 2025; ``participants.date_refusals``), a frozen cohort
  ("This cohort is closed for payments"), a mentor already funded for completed training, a
  replacement mentor funded before (``mentor_funding_refusal``), and on a flat-rate mentor contract a
  mentor declaration other than started or completed.
  (``mentors``).
- An early career teacher in a temporary cohort (no induction start date yet) gets a submitted
  declaration, unpayable until the date is recorded (then made eligible like a participant made
  eligible for funding).
- Void: submitted, eligible, payable, ineligible → voided (stays on its statement, paid nothing);
  paid → awaiting_clawback on the next output statement (its ``clawback_statement_id``);
  voided, awaiting_clawback and clawed_back are refused.
- Statements move them on: after the deadline eligible → payable; authorised payable → paid and
  awaiting_clawback → clawed_back (``statements.DEADLINE_TRANSITIONS`` and friends).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timezone
from typing import Iterable, Mapping

from shared.contracts.errors import Refused

from .participants import StatusChange, date_refusals
from .mentors import MENTOR_FUNDED_MESSAGE, REPLACEMENT_MENTOR_FUNDED_MESSAGE, mentor_funding_refusal  # noqa: F401
from .rules import DECLARATION_TYPES, EVIDENCE_HELD, MENTOR, MENTOR_WEIGHTINGS
from .schedules import Schedule
from .statements import (AUTHORISE_CLAWBACK_TRANSITIONS, AUTHORISE_TRANSITIONS, DEADLINE_TRANSITIONS, UK,
                         Statement, next_output_statement)

SUBMITTED, ELIGIBLE, PAYABLE, PAID = "submitted", "eligible", "payable", "paid"
VOIDED, INELIGIBLE, AWAITING_CLAWBACK, CLAWED_BACK = "voided", "ineligible", "awaiting_clawback", "clawed_back"
STATES = (SUBMITTED, ELIGIBLE, PAYABLE, PAID, VOIDED, INELIGIBLE, AWAITING_CLAWBACK, CLAWED_BACK)
#: States that will be, or have been, paid for the event (a second one is a duplicate).
BILLABLE_OR_CHANGEABLE = frozenset({SUBMITTED, ELIGIBLE, PAYABLE, PAID})
#: States whose declaration counts on its ``statement_id`` as paid for (the clawback is separate).
BILLABLE = frozenset({ELIGIBLE, PAYABLE, PAID, AWAITING_CLAWBACK, CLAWED_BACK})
#: States whose declaration counts as a clawback on its ``clawback_statement_id``.
REFUNDABLE = frozenset({AWAITING_CLAWBACK, CLAWED_BACK})

DUPLICATE_MESSAGE = "A declaration has already been submitted that will be, or has been, paid for this event"
ALREADY_VOIDED = "This declaration has already been voided."
CLAWED_BACK_MESSAGE = "This declaration has been clawed back, so you can only view it."
AWAITING_CLAWBACK_MESSAGE = "This declaration has already been voided and is awaiting clawback."
FROZEN_MESSAGE = "This cohort is closed for payments"

_RFC3339 = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})$")


@dataclass(frozen=True)
class Participant:
    id: str
    lead_provider_id: str
    cohort: int
    schedule_identifier: str
    course_identifier: str = "ecf-induction"
    funding_eligible: bool = True
    pupil_premium_uplift: bool = False
    sparsity_uplift: bool = False
    retired_into_id: str | None = None  # set when this record is a duplicate of another participant
    status_changes: tuple[StatusChange, ...] = ()
    #: False while an early career teacher without an induction start date sits in a temporary cohort.
    cohort_confirmed: bool = True


@dataclass(frozen=True)
class Declaration:
    id: str
    lead_provider_id: str
    participant_id: str
    cohort: int
    declaration_type: str
    declaration_date: datetime
    course_identifier: str
    state: str
    submitted_at: datetime
    evidence_held: str | None = None
    statement_id: str | None = None
    clawback_statement_id: str | None = None
    uplift: bool = False
    ineligible_reason: str | None = None


class DeclarationRefused(Refused):
    """Every reason a declaration request is refused; ``message`` and ``field`` are the first."""

    def __init__(self, errors: list[Refused]) -> None:
        super().__init__(errors[0].message, field=errors[0].field)
        self.errors = tuple(errors)


def parse_declaration_date(text: object) -> datetime:
    """An RFC 3339 date-time with an offset ("2026-11-13T11:21:55Z"), as an aware datetime."""
    if not isinstance(text, str) or not text.strip():
        raise Refused("Enter a '#/declaration_date'.", field="declaration_date")
    value = text.strip()
    if not _RFC3339.match(value):
        raise Refused("Enter a valid RFC 3339 '#/declaration_date'.", field="declaration_date")
    try:
        return datetime.fromisoformat(value.replace("z", "Z").replace("t", "T"))
    except ValueError:
        raise Refused("Enter a valid RFC 3339 '#/declaration_date'.", field="declaration_date") from None


def submit(
    *,
    id: str,
    lead_provider_id: str,
    attributes: Mapping[str, object],
    participant: Participant | None,
    schedule: Schedule | None,
    existing: Iterable[Declaration],
    statements: Iterable[Statement],
    now: datetime,
    frozen_cohorts: frozenset[int] = frozenset(),
    mentor_already_funded: bool = False,
    flat_rate_mentors: bool = False,
    mentor_funded_types: Iterable[str] = (),
) -> Declaration:
    """Validate a lead provider's declaration request and build the declaration to store.

    ``participant`` is the one named by ``attributes["participant_id"]`` (None when unknown),
    ``schedule`` its schedule, ``existing`` its declarations, ``statements`` the provider's
    statements of the participant's cohort, ``now`` an aware datetime from the clock;
    ``mentor_funded_types`` the mentor declaration types funded for the participant's TRN on other
    records (``mentor_already_funded``: a funded ``completed`` among them).
    """
    errors: list[Refused] = []

    def need(name: str) -> str | None:
        value = attributes.get(name)
        if not isinstance(value, str) or not value.strip():
            errors.append(Refused(f"Enter a '#/{name}'.", field=name))
            return None
        return value.strip()

    participant_id = need("participant_id")
    declaration_type = need("declaration_type")
    course_identifier = need("course_identifier")
    raw_date = attributes.get("declaration_date")
    declared_at = None
    try:
        declared_at = parse_declaration_date(raw_date)
    except Refused as refusal:
        errors.append(refusal)
    evidence = attributes.get("evidence_held")
    evidence = evidence.strip() if isinstance(evidence, str) and evidence.strip() else None

    if participant_id is not None and (participant is None or participant.id != participant_id
                                       or participant.lead_provider_id != lead_provider_id):
        errors.append(Refused("Your update cannot be made as the '#/participant_id' is not recognised. "
                              "Check participant details and try again.", field="participant_id"))
        participant = None
    if participant is not None and course_identifier is not None \
            and course_identifier != participant.course_identifier:
        errors.append(Refused("The entered '#/course_identifier' is not recognised for the given participant. "
                              "Check details and try again.", field="course_identifier"))
    milestone = None
    if declaration_type is not None:
        if declaration_type not in DECLARATION_TYPES:
            errors.append(Refused("Enter a valid '#/declaration_type'.", field="declaration_type"))
        elif participant is not None:
            milestone = schedule.milestone(declaration_type) if schedule is not None else None
            if milestone is None:
                errors.append(Refused("The property '#/declaration_type' does not exist for this schedule.",
                                      field="declaration_type"))
    if declared_at is not None:
        if declared_at > now:
            errors.append(Refused("The '#/declaration_date' value cannot be a future date. "
                                  "Check the date and try again.", field="declaration_date"))
        elif milestone is not None:
            day = declared_at.astimezone(timezone.utc).date()
            if day < milestone.start_date:
                errors.append(Refused("Enter a '#/declaration_date' that's on or after the milestone start.",
                                      field="declaration_date"))
            elif milestone.milestone_date is not None and day > milestone.milestone_date:
                errors.append(Refused("Enter a '#/declaration_date' that's before the milestone end date.",
                                      field="declaration_date"))
    if declaration_type is not None and declaration_type != "started":
        if evidence is None:
            errors.append(Refused("Enter a '#/evidence_held' value for this participant.", field="evidence_held"))
    if evidence is not None and evidence not in EVIDENCE_HELD:
        errors.append(Refused("Enter an available '#/evidence_held' type for this participant's event and course.",
                              field="evidence_held"))
    if participant is not None and declared_at is not None and declaration_type is not None:
        errors.extend(date_refusals(changes=participant.status_changes, cohort=participant.cohort,
                                    declaration_type=declaration_type, declared_at=declared_at,
                                    existing=[d for d in existing if d.participant_id == participant.id]))
    if participant is not None and participant.cohort in frozen_cohorts:
        errors.append(Refused(FROZEN_MESSAGE, field="cohort"))
    if participant is not None and participant.course_identifier == MENTOR:
        funded = set(mentor_funded_types) | ({"completed"} if mentor_already_funded else set())
        refusal = mentor_funding_refusal(participant, funded)
        if refusal is not None:
            errors.append(refusal)
        if flat_rate_mentors and declaration_type in DECLARATION_TYPES and declaration_type not in MENTOR_WEIGHTINGS:
            errors.append(Refused("The property '#/declaration_type' does not exist for this schedule.",
                                  field="declaration_type"))
    if participant is not None and declaration_type is not None and any(
            d.participant_id == participant.id and d.declaration_type == declaration_type
            and d.state in BILLABLE_OR_CHANGEABLE for d in existing):
        errors.append(Refused(DUPLICATE_MESSAGE))
    statement = None
    if participant is not None:
        statement = next_output_statement(
            (s for s in statements
             if s.lead_provider_id == lead_provider_id and s.cohort == participant.cohort),
            now.astimezone(UK).date())
        if statement is None:
            errors.append(_contract_ended(participant.cohort))
    if errors:
        raise DeclarationRefused(errors)

    assert participant is not None and declared_at is not None and statement is not None
    assert declaration_type is not None and course_identifier is not None
    if participant.retired_into_id is not None:
        state, statement_id, reason = INELIGIBLE, statement.id, "duplicate"
    elif not participant.funding_eligible or not participant.cohort_confirmed:
        state, statement_id, reason = SUBMITTED, None, None
    else:
        state, statement_id, reason = ELIGIBLE, statement.id, None
    return Declaration(
        id=id, lead_provider_id=lead_provider_id, participant_id=participant.id, cohort=participant.cohort,
        declaration_type=declaration_type, declaration_date=declared_at, course_identifier=course_identifier,
        state=state, submitted_at=now, evidence_held=evidence, statement_id=statement_id,
        uplift=declaration_type == "started" and not (flat_rate_mentors and participant.course_identifier == MENTOR)
        and (participant.pupil_premium_uplift or participant.sparsity_uplift),
        ineligible_reason=reason,
    )


def make_eligible(declaration: Declaration, *, statements: Iterable[Statement], today: date) -> Declaration:
    """A submitted declaration whose participant has become eligible for funding: eligible, on the
    next output statement."""
    if declaration.state != SUBMITTED:
        raise Refused(f"Declaration {declaration.id} is {declaration.state}: only a submitted declaration "
                      "can be made eligible", field="state")
    statement = _next_for(declaration, statements, today)
    return replace(declaration, state=ELIGIBLE, statement_id=statement.id)


def void(declaration: Declaration, *, statements: Iterable[Statement], today: date) -> Declaration:
    """Void a declaration (the lead provider's PUT .../void, or a finance user)."""
    state = declaration.state
    if state == VOIDED:
        raise Refused(ALREADY_VOIDED)
    if state == CLAWED_BACK:
        raise Refused(CLAWED_BACK_MESSAGE)
    if state == AWAITING_CLAWBACK:
        raise Refused(AWAITING_CLAWBACK_MESSAGE)
    if state == PAID:
        statement = _next_for(declaration, statements, today)
        return replace(declaration, state=AWAITING_CLAWBACK, clawback_statement_id=statement.id)
    return replace(declaration, state=VOIDED)


def after_deadline(declaration: Declaration, statement_id: str) -> Declaration:
    """The statement's deadline has passed: its eligible declarations become payable."""
    if declaration.statement_id == statement_id and declaration.state in DEADLINE_TRANSITIONS:
        return replace(declaration, state=DEADLINE_TRANSITIONS[declaration.state])
    return declaration


def on_authorise(declaration: Declaration, statement_id: str) -> Declaration:
    """The statement was authorised for payment: its payable declarations are paid and its
    awaiting clawbacks clawed back."""
    if declaration.statement_id == statement_id and declaration.state in AUTHORISE_TRANSITIONS:
        return replace(declaration, state=AUTHORISE_TRANSITIONS[declaration.state])
    if declaration.clawback_statement_id == statement_id and declaration.state in AUTHORISE_CLAWBACK_TRANSITIONS:
        return replace(declaration, state=AUTHORISE_CLAWBACK_TRANSITIONS[declaration.state])
    return declaration


def _next_for(declaration: Declaration, statements: Iterable[Statement], today: date) -> Statement:
    statement = next_output_statement(
        (s for s in statements
         if s.lead_provider_id == declaration.lead_provider_id and s.cohort == declaration.cohort), today)
    if statement is None:
        raise _contract_ended(declaration.cohort)
    return statement


def _contract_ended(cohort: int) -> Refused:
    return Refused(f"You cannot submit or void declarations for the {cohort} cohort. The funding contract "
                   "for this cohort has ended. Get in touch if you need to discuss this with us",
                   field="cohort")
