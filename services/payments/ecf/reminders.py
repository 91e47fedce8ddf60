"""Contract managers' emails before an output statement's deadline (docs/design.md §15): 7 days before each
output deadline, every address of ``ECF_CONTRACT_MANAGER_EMAIL_ADDRESSES`` is told which lead
provider's statement is due. Each statement's reminder is claimed once (``ecf_deadline_reminders``,
kind ``contract_manager``), so restarts and replicas never send it twice; the notification id is
derived from the statement and the address, so a redelivered command is not sent twice either."""
from __future__ import annotations

from datetime import timedelta
from typing import Iterable

from shared.contracts.notify import SendNotification

from .handlers import Clock, uk_today
from .unit_of_work import EcfUnitOfWork

DAYS_BEFORE = 7
KIND = "contract_manager"


async def remind_contract_managers(uow: EcfUnitOfWork, clock: Clock, *, addresses: Iterable[str],
                                   days_before: int = DAYS_BEFORE) -> int:
    """Emit the emails due now (the week before an open output statement's deadline); the number of
    statements reminded about."""
    addresses = tuple(addresses)
    if not addresses:
        return 0
    now = clock.now()
    today = uk_today(now)
    names = {lp["id"]: lp["name"] for lp in await uow.ecf.lead_providers()}
    reminded = 0
    for statement in await uow.ecf.statements():
        due = statement.deadline_date - timedelta(days=days_before)
        if not statement.output_fee or statement.authorised_at is not None or not due <= today <= statement.deadline_date:
            continue
        if not await uow.ecf.claim_reminder(statement.id, KIND, now=now):
            continue
        for address in addresses:
            uow.emit(SendNotification(
                notification_id=f"ecf-deadline:{statement.id}:{address}", template="ecf_output_deadline_approaching",
                to=address, reference=statement.id, personalisation={
                    "lead_provider_name": names.get(statement.lead_provider_id, ""), "cohort": str(statement.cohort),
                    "statement_name": statement.name, "deadline_date": statement.deadline_date.isoformat()}))
        reminded += 1
    await uow.commit()
    return reminded
