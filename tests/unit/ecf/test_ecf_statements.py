"""Statements: states, adjustments, authorising for payment and its display."""
from datetime import date, datetime, timezone

import pytest

from services.payments.ecf.domain.statements import (
    Statement, add_adjustment, authorise, authorised_for_payment_text, next_output_statement, order_statements)
from shared.contracts.errors import Refused
from shared.contracts.money import Money

from tests.support.ecf_builders import at, statement

pytestmark = pytest.mark.unit

AFTER_DEADLINE = at("2026-09-30T09:30:00")  # statement(1)'s deadline is 28 Sep 2026


@pytest.mark.parametrize("moment, shown", [
    (datetime(2023, 8, 5, 9, 30, tzinfo=timezone.utc), "Authorised for payment at 10:30am on 5 Aug 2023"),
    (datetime(2023, 12, 5, 0, 5, tzinfo=timezone.utc), "Authorised for payment at 12:05am on 5 Dec 2023"),
    (datetime(2024, 1, 15, 12, 0, tzinfo=timezone.utc), "Authorised for payment at 12:00pm on 15 Jan 2024"),
    (datetime(2024, 1, 15, 23, 59, tzinfo=timezone.utc), "Authorised for payment at 11:59pm on 15 Jan 2024"),
])
def test_authorised_time_is_shown_in_uk_time_on_a_12_hour_clock(moment, shown):
    assert authorised_for_payment_text(moment) == shown


def test_a_statement_is_open_until_its_deadline_then_payable_then_paid_once_authorised():
    s = statement(1)

    assert s.state(date(2026, 9, 28)) == "open"
    assert s.state(date(2026, 9, 29)) == "payable"
    paid = authorise(s, assurance_checks_done=True, at=AFTER_DEADLINE)
    assert paid.state(date(2026, 9, 29)) == "paid"
    assert paid.authorised_display == "Authorised for payment at 10:30am on 30 Sep 2026"


def test_authorising_needs_the_assurance_checks_confirmed():
    with pytest.raises(Refused) as refused:
        authorise(statement(1), assurance_checks_done=False, at=AFTER_DEADLINE)

    assert refused.value.message == ("Confirm all necessary assurance checks have been done before authorising "
                                     "for payment")
    assert refused.value.field == "assurance_checks_done"


def test_a_statement_cannot_be_authorised_before_its_deadline_has_passed():
    with pytest.raises(Refused) as refused:
        authorise(statement(1), assurance_checks_done=True, at=at("2026-09-28T12:00:00"))

    assert refused.value.message == ("You cannot authorise Statement 1 for payment until its deadline date "
                                     "(28 Sep 2026) has passed")


def test_a_statement_cannot_be_authorised_twice():
    paid = authorise(statement(1), assurance_checks_done=True, at=AFTER_DEADLINE)

    with pytest.raises(Refused) as refused:
        authorise(paid, assurance_checks_done=True, at=AFTER_DEADLINE)

    assert refused.value.message == "Statement 1 has already been authorised for payment"


def test_adjustments_add_up_and_may_take_money_off():
    s = add_adjustment(statement(1), payment_type="Extra support", amount=Money("250.00"))
    s = add_adjustment(s, payment_type="Overpayment", amount=Money("-100.25"))

    assert s.adjustments_total == Money("149.75")
    assert [a.payment_type for a in s.adjustments] == ["Extra support", "Overpayment"]


@pytest.mark.parametrize("payment_type, amount, message", [
    ("", Money(10), "Enter a payment type"),
    ("Extra", Money(0), "Enter an amount other than £0"),
])
def test_an_adjustment_needs_a_payment_type_and_an_amount(payment_type, amount, message):
    with pytest.raises(Refused) as refused:
        add_adjustment(statement(1), payment_type=payment_type, amount=amount)

    assert refused.value.message == message


def test_a_paid_statement_takes_no_adjustments():
    paid = authorise(statement(1), assurance_checks_done=True, at=AFTER_DEADLINE)

    with pytest.raises(Refused) as refused:
        add_adjustment(paid, payment_type="Extra", amount=Money(10))

    assert refused.value.message == "You cannot add an adjustment to Statement 1: it has been authorised for payment"


def test_the_next_output_statement_is_the_earliest_unpaid_output_statement_not_past_its_deadline():
    statements = [statement(3), statement(2, output_fee=False), statement(1), statement(4)]

    assert next_output_statement(statements, date(2026, 9, 28)).id == "s1"
    assert next_output_statement(statements, date(2026, 9, 29)).id == "s3"
    assert next_output_statement(statements, date(2027, 1, 1)) is None
    assert [s.id for s in order_statements(statements)] == ["s1", "s2", "s3", "s4"]


def test_a_statement_paid_before_its_deadline_is_refused():
    with pytest.raises(Refused) as refused:
        Statement.create(id="s", lead_provider_id="lp", cohort=2026, name="Oct", deadline_date=date(2026, 10, 31),
                         payment_date=date(2026, 10, 1))

    assert refused.value.field == "payment_date"


@pytest.mark.parametrize("today, to_pay, authorised, offered", [
    (date(2026, 9, 28), 5, False, False),   # the deadline day: not yet
    (date(2026, 9, 29), 5, False, True),    # after the deadline, with payable declarations
    (date(2026, 9, 29), 0, False, False),   # after the deadline, nothing to pay
    (date(2026, 9, 29), 5, True, False),    # already authorised
])
def test_authorise_for_payment_is_offered_only_where_it_can_succeed(today, to_pay, authorised, offered):
    from services.payments.ecf.domain.statements import can_authorise

    s = statement(1, authorised_at=at("2026-09-29T09:00:00") if authorised else None)
    assert can_authorise(s, today=today, to_pay=to_pay) is offered
