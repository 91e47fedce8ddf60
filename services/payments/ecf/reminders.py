"""Emails before an output statement's deadline (docs/design.md §15), sent by the payments deadline job:

- **Contract managers**: 7 days before each output deadline, every address of
  ``ECF_CONTRACT_MANAGER_EMAIL_ADDRESSES`` is told which lead provider's statement is due
  (``ecf_output_deadline_approaching``).
- **Lead providers**: on the same day, the statement's lead provider is reminded at its own email
  address (``ecf_lead_provider_deadline_reminder``) to declare by the deadline. A lead provider with
  no address recorded is not reminded (and is reminded once one is recorded, while still due).

When is due is the domain's rule (``statements.deadline_reminder_due``: output statements only, not
authorised, from 7 days before the deadline to the deadline). Each reminder is claimed once per
statement and kind (``ecf_deadline_reminders``: ``contract_manager``, ``lead_provider``) in the same
transaction as its outbox rows, so restarts and replicas never send it twice; the notification id
is derived from the statement and the address, so a redelivered command is not sent twice either."""
from __future__ import annotations

from typing import Iterable

from shared.contracts.notify import SendNotification

from .domain.statements import REMINDER_DAYS_BEFORE, Statement, deadline_reminder_due
from .handlers import Clock, uk_today
from .unit_of_work import EcfUnitOfWork

DAYS_BEFORE = REMINDER_DAYS_BEFORE
KIND = "contract_manager"
LEAD_PROVIDER_KIND = "lead_provider"


def _personalisation(statement: Statement, lead_provider_name: str) -> dict[str, str]:
    return {"lead_provider_name": lead_provider_name, "cohort": str(statement.cohort),
            "statement_name": statement.name, "deadline_date": statement.deadline_date.isoformat()}


async def remind_contract_managers(uow: EcfUnitOfWork, clock: Clock, *, addresses: Iterable[str],
                                   days_before: int = DAYS_BEFORE) -> int:
    """Emit the contract managers' emails due now; the number of statements reminded about."""
    addresses = tuple(addresses)
    if not addresses:
        return 0
    now = clock.now()
    today = uk_today(now)
    names = {lp["id"]: lp["name"] for lp in await uow.ecf.lead_providers()}
    reminded = 0
    for statement in await uow.ecf.statements():
        if not deadline_reminder_due(statement, today, days_before=days_before):
            continue
        if not await uow.ecf.claim_reminder(statement.id, KIND, now=now):
            continue
        for address in addresses:
            uow.emit(SendNotification(
                notification_id=f"ecf-deadline:{statement.id}:{address}", template="ecf_output_deadline_approaching",
                to=address, reference=statement.id,
                personalisation=_personalisation(statement, names.get(statement.lead_provider_id, ""))))
        reminded += 1
    await uow.commit()
    return reminded


async def remind_lead_providers(uow: EcfUnitOfWork, clock: Clock, *, days_before: int = DAYS_BEFORE) -> int:
    """Emit the lead providers' reminders due now (one per statement, to its lead provider's
    address); the number of statements reminded about."""
    now = clock.now()
    today = uk_today(now)
    providers = {lp["id"]: lp for lp in await uow.ecf.lead_providers() if lp.get("email")}
    reminded = 0
    for statement in await uow.ecf.statements():
        lp = providers.get(statement.lead_provider_id)
        if lp is None or not deadline_reminder_due(statement, today, days_before=days_before):
            continue
        if not await uow.ecf.claim_reminder(statement.id, LEAD_PROVIDER_KIND, now=now):
            continue
        uow.emit(SendNotification(
            notification_id=f"ecf-lp-deadline:{statement.id}:{lp['email']}",
            template="ecf_lead_provider_deadline_reminder", to=lp["email"], reference=statement.id,
            personalisation=_personalisation(statement, lp["name"])))
        reminded += 1
    await uow.commit()
    return reminded
