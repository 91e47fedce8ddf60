"""Builders for ECF domain tests: a standard contract, statements, participants, declarations."""
from __future__ import annotations

from datetime import date, datetime, timezone

from services.payments.ecf.domain.contract import Band, Contract
from services.payments.ecf.domain.declarations import Declaration, Participant
from services.payments.ecf.domain.schedules import Milestone, Schedule
from services.payments.ecf.domain.statements import Statement
from shared.contracts.money import Money

LP = "lp-1"
COHORT = 2026


def bands(a="995", b="900", c="800", d=None, *, a_max=2000, b_max=4000, c_max=6000, d_max=None):
    out = [Band("A", 0, a_max, Money(a)), Band("B", a_max + 1, b_max, Money(b)),
           Band("C", b_max + 1, c_max, Money(c))]
    if d_max is not None:
        out.append(Band("D", c_max + 1, d_max, None if d is None else Money(d)))
    return out


def contract(**overrides) -> Contract:
    kwargs = dict(id="contract-1", lead_provider_id=LP, cohort=COHORT, recruitment_target=2000, bands=bands())
    kwargs.update(overrides)
    return Contract.create(**kwargs)


def statement(n: int, *, output_fee=True, deadline=None, authorised_at=None, lead_provider_id=LP) -> Statement:
    """Statement n: deadline the last day of month n after August 2026."""
    year, month = 2026 + (8 + n - 1) // 12, (8 + n - 1) % 12 + 1
    deadline = deadline or date(year, month, 28)
    s = Statement.create(id=f"s{n}", lead_provider_id=lead_provider_id, cohort=COHORT, name=f"Statement {n}",
                         deadline_date=deadline, payment_date=deadline, output_fee=output_fee)
    if authorised_at is not None:
        from dataclasses import replace
        s = replace(s, authorised_at=authorised_at)
    return s


SCHEDULE = Schedule.create(identifier="ecf-standard-september", cohort=COHORT, milestones=[
    Milestone("started", date(2026, 9, 1), date(2026, 11, 30)),
    Milestone("retained-1", date(2026, 12, 1), date(2027, 2, 28)),
    Milestone("retained-2", date(2027, 3, 1), date(2027, 5, 31)),
    Milestone("completed", date(2027, 6, 1), None),
])


def participant(**overrides) -> Participant:
    kwargs = dict(id="p-1", lead_provider_id=LP, cohort=COHORT, schedule_identifier=SCHEDULE.identifier)
    kwargs.update(overrides)
    return Participant(**kwargs)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc) if "+" not in text and "Z" not in text \
        else datetime.fromisoformat(text)


def declaration(n: int, *, declaration_type="started", state="eligible", statement_id="s1",
                clawback_statement_id=None, uplift=False, participant_id=None) -> Declaration:
    when = at("2026-10-01T10:00:00")
    return Declaration(id=f"d{n}", lead_provider_id=LP, participant_id=participant_id or f"p{n}", cohort=COHORT,
                       declaration_type=declaration_type, declaration_date=when,
                       course_identifier="ecf-induction", state=state, submitted_at=when,
                       statement_id=statement_id, clawback_statement_id=clawback_statement_id, uplift=uplift)
