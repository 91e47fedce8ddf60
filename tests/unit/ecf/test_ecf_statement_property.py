"""A property of the engine as a whole: for any sequence of declarations, voids and clawbacks across
statements (through the domain's own submit, void, deadline and authorise), the statements' totals
add up to the value of the declarations still standing, and no event is paid twice."""
from collections import Counter
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.payments.ecf.domain.banding import band_counts
from services.payments.ecf.domain.calculator import calculate, tally
from services.payments.ecf.domain.contract import Band, Contract
from services.payments.ecf.domain.declarations import (BILLABLE, REFUNDABLE, Participant, after_deadline,
                                                       on_authorise, submit, void)
from services.payments.ecf.domain.schedules import Milestone, Schedule
from services.payments.ecf.domain.statements import Statement, authorise
from shared.contracts.errors import Refused
from shared.contracts.money import Money

pytestmark = pytest.mark.unit

TYPES = ("started", "retained-1", "completed")
SCHEDULE = Schedule.create(identifier="s", cohort=2026, milestones=[
    Milestone(t, date(2026, 9, 1)) for t in TYPES])
STATEMENTS = [Statement.create(id=f"s{n}", lead_provider_id="lp", cohort=2026, name=f"S{n}",
                               deadline_date=date(2026, 9 + n, 20), payment_date=date(2026, 9 + n, 25))
              for n in range(3)]
PEOPLE = [Participant(id=f"p{n}", lead_provider_id="lp", cohort=2026, schedule_identifier="s",
                      course_identifier="ecf-mentor" if n >= 4 else "ecf-induction", sparsity_uplift=n % 2 == 0)
          for n in range(7)]

operations = st.lists(st.one_of(
    st.tuples(st.just("declare"), st.integers(0, len(PEOPLE) - 1), st.sampled_from(TYPES)),
    st.tuples(st.just("void"), st.integers(0, 50)),
    st.tuples(st.just("close"), st.booleans()),
), max_size=40)


def contract(flat: bool) -> Contract:
    return Contract.create(id="c", lead_provider_id="lp", cohort=2026, recruitment_target=4,
                           bands=[Band("A", 0, 2, Money(800)), Band("B", 3, 4, Money(600)),
                                  Band("C", 5, 6, Money(400))],
                           contract_type="ittecf_ectp" if flat else "ecf", monthly_service_fee=Money(0),
                           mentor_fee_per_declaration=Money("999.99") if flat else None)


def run(ops, flat: bool):
    now = datetime(2026, 9, 2, 9, tzinfo=timezone.utc)
    statements = list(STATEMENTS)
    found: list = []
    for op in ops:
        if op[0] == "declare":
            person, kind = PEOPLE[op[1]], op[2]
            try:
                found.append(submit(id=f"d{len(found)}", lead_provider_id="lp", attributes={
                    "participant_id": person.id, "declaration_type": kind, "course_identifier": person.course_identifier,
                    "declaration_date": now.isoformat(), "evidence_held": "other"},
                    participant=person, schedule=SCHEDULE, existing=found, statements=statements, now=now,
                    flat_rate_mentors=flat))
            except Refused:
                pass
        elif op[0] == "void" and found:
            i = op[1] % len(found)
            try:
                found[i] = void(found[i], statements=statements, today=now.date())
            except Refused:
                pass
        elif op[0] == "close":
            open_ones = [s for s in statements if s.deadline_date >= now.date()]
            if len(open_ones) <= 1:  # the last statement stays open for clawbacks
                continue
            s = open_ones[0]
            now = datetime.combine(s.deadline_date + timedelta(days=1), datetime.min.time(), timezone.utc) \
                + timedelta(hours=9)
            found = [after_deadline(d, s.id) for d in found]
            if op[1]:  # authorise it: payable → paid, awaiting_clawback → clawed_back
                statements[statements.index(s)] = authorise(s, assurance_checks_done=True, at=now)
                found = [on_authorise(d, s.id) for d in found]
        now += timedelta(hours=1)
    return statements, found


def standing_value(c: Contract, found) -> Money:
    standing = [d for d in found if d.state in BILLABLE and d.state not in REFUNDABLE]
    value = Money(0)
    banded = Counter()
    for d in standing:
        if c.flat_rate_mentors and d.course_identifier == "ecf-mentor":
            value += c.mentor_fee(d.declaration_type)
        else:
            banded[d.declaration_type] += 1
            if d.uplift:
                value += c.uplift_amount
    for kind, n in banded.items():
        for band, count in zip(c.bands, band_counts(c.capacities, new=n)):
            value += band.output_fee(kind) * count
    return value


@settings(max_examples=300, deadline=None)
@given(ops=operations, flat=st.booleans())
def test_statement_totals_add_up_to_the_standing_declarations_and_no_event_is_paid_twice(ops, flat):
    c = contract(flat)
    statements, found = run(ops, flat)
    lines = calculate(c, statements, tally(found))

    paid_out = sum((x.total for x in lines), Money(0))  # no service fee: only declarations are paid
    assert paid_out == standing_value(c, found)
    events = Counter((d.participant_id, d.declaration_type) for d in found
                     if d.state in BILLABLE and d.state not in REFUNDABLE)
    assert all(n == 1 for n in events.values())
    assert not any(d.uplift and d.course_identifier == "ecf-mentor" for d in found if flat)
