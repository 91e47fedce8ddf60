"""Monthly statements of a lead provider for one cohort, and their life.

Policy:
- A statement has a deadline date, a payment date and an output-fee flag (only output statements
  take declarations and clawbacks; every statement carries a month of service fee, see
  ``calculator``).
- States: open until its deadline date has passed; then payable (its eligible declarations
  become payable); paid once a finance user authorises it for payment, which freezes it.
- Authorising needs the assurance checks confirmed, the deadline passed and something to pay
  (payable declarations, or clawbacks, on the statement: ``can_authorise``, the same rule that
  decides whether "Authorise for payment" is offered); it moves the
  statement's payable (and any still eligible) declarations to paid and its awaiting_clawback
  declarations to clawed_back, and records "Authorised for payment at 10:30am on 5 Aug 2023" in
  UK time.
- Manual adjustments (a payment type and a signed amount) can be added until it is paid.
- The next output statement for a declaration or a clawback is the provider's output statement of
  the cohort with the earliest deadline on or after today that is not paid.
- Deadline reminders (contract managers and the lead provider) are due from 7 days before an open
  output statement's deadline to the deadline itself; a service-only month takes no declarations,
  so nobody is reminded of it.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Iterable
from zoneinfo import ZoneInfo

from shared.contracts.errors import Refused
from shared.contracts.money import Money

UK = ZoneInfo("Europe/London")

OPEN, PAYABLE, PAID = "open", "payable", "paid"

#: Bulk transitions the persistence layer applies to the declarations of one statement.
#: After the deadline: on ``statement_id``.
DEADLINE_TRANSITIONS: dict[str, str] = {"eligible": "payable"}
#: On authorisation: payable/eligible on ``statement_id``; awaiting_clawback on ``clawback_statement_id``.
AUTHORISE_TRANSITIONS: dict[str, str] = {"eligible": "paid", "payable": "paid"}
AUTHORISE_CLAWBACK_TRANSITIONS: dict[str, str] = {"awaiting_clawback": "clawed_back"}


@dataclass(frozen=True)
class Adjustment:
    payment_type: str
    amount: Money


@dataclass(frozen=True)
class Statement:
    id: str
    lead_provider_id: str
    cohort: int
    name: str
    deadline_date: date
    payment_date: date
    output_fee: bool = True
    authorised_at: datetime | None = None
    adjustments: tuple[Adjustment, ...] = field(default=())

    @classmethod
    def create(cls, *, id: str, lead_provider_id: str, cohort: int, name: str, deadline_date: date,
               payment_date: date, output_fee: bool = True) -> "Statement":
        if not name or not name.strip():
            raise Refused("Enter a statement name", field="name")
        if payment_date < deadline_date:
            raise Refused("The payment date must be on or after the deadline date", field="payment_date")
        return cls(id=id, lead_provider_id=lead_provider_id, cohort=cohort, name=name.strip(),
                   deadline_date=deadline_date, payment_date=payment_date, output_fee=output_fee)

    def state(self, today: date) -> str:
        if self.authorised_at is not None:
            return PAID
        return PAYABLE if today > self.deadline_date else OPEN

    @property
    def authorised_display(self) -> str | None:
        return None if self.authorised_at is None else authorised_for_payment_text(self.authorised_at)

    @property
    def adjustments_total(self) -> Money:
        return sum((a.amount for a in self.adjustments), Money(0))


def order_statements(statements: Iterable[Statement]) -> list[Statement]:
    """The contract's statements in payment order: by deadline, then payment date, then id."""
    return sorted(statements, key=lambda s: (s.deadline_date, s.payment_date, s.id))


def next_output_statement(statements: Iterable[Statement], today: date) -> Statement | None:
    candidates = [s for s in statements
                  if s.output_fee and s.authorised_at is None and s.deadline_date >= today]
    return order_statements(candidates)[0] if candidates else None


#: Contract managers and lead providers are reminded this many days before an output deadline.
REMINDER_DAYS_BEFORE = 7


def deadline_reminder_due(statement: Statement, today: date, *, days_before: int = REMINDER_DAYS_BEFORE) -> bool:
    """True while a reminder of this statement's deadline is due: an output statement, not
    authorised, from ``days_before`` days before its deadline to the deadline date (UK dates)."""
    if not statement.output_fee or statement.authorised_at is not None:
        return False
    return statement.deadline_date - timedelta(days=days_before) <= today <= statement.deadline_date


def add_adjustment(statement: Statement, *, payment_type: str, amount: Money) -> Statement:
    """A manual adjustment; negative amounts take money off. Refused once the statement is paid."""
    if statement.authorised_at is not None:
        raise Refused(f"You cannot add an adjustment to {statement.name}: it has been authorised for payment",
                      field="statement")
    if not payment_type or not payment_type.strip():
        raise Refused("Enter a payment type", field="payment_type")
    if not isinstance(amount, Money) or not amount:
        raise Refused("Enter an amount other than £0", field="amount")
    return replace(statement, adjustments=statement.adjustments + (Adjustment(payment_type.strip(), amount),))


def authorise(statement: Statement, *, assurance_checks_done: bool, at: datetime) -> Statement:
    """Authorise for payment: freezes the statement. ``at`` is an aware datetime (the clock)."""
    if statement.authorised_at is not None:
        raise Refused(f"{statement.name} has already been authorised for payment", field="statement")
    if not assurance_checks_done:
        raise Refused("Confirm all necessary assurance checks have been done before authorising for payment",
                      field="assurance_checks_done")
    today = _uk(at).date()
    if statement.state(today) != PAYABLE:
        raise Refused(f"You cannot authorise {statement.name} for payment until its deadline date "
                      f"({_short_date(statement.deadline_date)}) has passed", field="statement")
    return replace(statement, authorised_at=at)


def can_authorise(statement: Statement, *, today: date, to_pay: int) -> bool:
    """"Authorise for payment" is offered, and accepted, only where it can succeed: after the
    deadline, not yet authorised, with ``to_pay`` (payable declarations and clawbacks on it) above 0."""
    return statement.state(today) == PAYABLE and to_pay > 0


def nothing_to_pay(statement: Statement) -> Refused:
    return Refused(f"You cannot authorise {statement.name} for payment: it has no payable declarations",
                   field="statement")


def authorised_for_payment_text(at: datetime) -> str:
    """"Authorised for payment at 10:30am on 5 Aug 2023": UK time, 12-hour clock, lowercase am/pm,
    no leading zeros, short month."""
    local = _uk(at)
    hour = local.hour % 12 or 12
    suffix = "am" if local.hour < 12 else "pm"
    return f"Authorised for payment at {hour}:{local.minute:02d}{suffix} on {_short_date(local.date())}"


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _short_date(day: date) -> str:
    """"5 Aug 2023", whatever the process's locale."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def _uk(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise ValueError("the clock gives aware datetimes")
    return at.astimezone(UK)
