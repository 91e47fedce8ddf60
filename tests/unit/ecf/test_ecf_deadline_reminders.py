"""When contract managers and lead providers are reminded of an output statement's deadline
(docs/design.md §15): from 7 days before it to the deadline day, output statements only, never
once the statement is authorised."""
from datetime import date, timedelta

import pytest

from services.payments.ecf.domain.statements import deadline_reminder_due

from tests.support.ecf_builders import at, statement

pytestmark = pytest.mark.unit

DEADLINE = date(2026, 10, 31)


@pytest.mark.parametrize("days_before, due", [(8, False), (7, True), (3, True), (0, True), (-1, False)])
def test_the_reminder_is_due_from_seven_days_before_an_output_deadline_to_the_deadline(days_before, due):
    assert deadline_reminder_due(statement(3, deadline=DEADLINE), DEADLINE - timedelta(days=days_before)) is due


def test_a_service_only_month_takes_no_declarations_so_nobody_is_reminded_of_it():
    assert not deadline_reminder_due(statement(3, deadline=DEADLINE, output_fee=False), DEADLINE - timedelta(days=7))


def test_an_authorised_statement_needs_no_reminder():
    paid = statement(3, deadline=DEADLINE, authorised_at=at("2026-10-20T10:00:00"))
    assert not deadline_reminder_due(paid, DEADLINE - timedelta(days=5))
