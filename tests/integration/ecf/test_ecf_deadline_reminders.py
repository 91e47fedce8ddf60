"""Contract managers are emailed once, 7 days before each open output statement's deadline, through
the payments outbox (restarts and repeated runs send nothing more)."""
from __future__ import annotations

import json

from services.payments.ecf.reminders import remind_contract_managers
from services.payments.ecf.unit_of_work import EcfUnitOfWork
from shared.contracts.topics import NOTIFY_COMMANDS
from shared.platform.db import make_engine, make_sessionmaker
from tests.support.ecf import set_up_provider

MANAGERS = ("cm1@example.com", "cm2@example.com")


async def _remind(ecf) -> int:
    engine = make_engine(ecf.url, pool_size=1)
    try:
        async with EcfUnitOfWork(make_sessionmaker(engine)) as uow:
            return await remind_contract_managers(uow, ecf.clock, addresses=MANAGERS)
    finally:
        await engine.dispose()


async def test_contract_managers_are_told_once_in_the_week_before_an_output_deadline(ecf):
    lp = await set_up_provider(ecf)
    november = await ecf.statement(lp["statements"][0])
    assert november["deadline_date"] == "2026-10-31"
    ecf.clock.set("2026-10-23T09:00:00Z")  # 8 days before: not yet
    assert await _remind(ecf) == 0
    ecf.clock.set("2026-10-24T09:00:00Z")  # 7 days before
    assert await _remind(ecf) == 1
    ecf.clock.set("2026-10-25T09:00:00Z")
    assert await _remind(ecf) == 0  # once per due time
    rows = await ecf.sql("SELECT payload FROM outbox WHERE topic = :topic ORDER BY id", topic=NOTIFY_COMMANDS.name)
    payloads = [json.loads(r.payload) if isinstance(r.payload, str) else r.payload for r in rows]
    sent = [p for p in payloads if p.get("template") == "ecf_output_deadline_approaching"]
    assert sorted(m["to"] for m in sent) == list(MANAGERS)
    assert sent[0]["personalisation"] == {"lead_provider_name": "Ambition Institute", "cohort": "2026",
                                          "statement_name": november["name"], "deadline_date": "2026-10-31"}
    assert {m["notification_id"] for m in sent} == {f"ecf-deadline:{november['id']}:{a}" for a in MANAGERS}
