"""Lead providers are reminded once, 7 days before each of their output statements' deadlines, at
their own email address, through the payments outbox: a second run (a restart, another replica)
sends nothing more; a service-only month and a lead provider without an address get nothing."""
from __future__ import annotations

import asyncio
import json

from services.payments.ecf.jobs import deadline_job
from services.payments.ecf.reminders import remind_lead_providers
from services.payments.ecf.unit_of_work import EcfUnitOfWork
from shared.contracts.topics import NOTIFY_COMMANDS
from shared.platform.db import make_engine, make_sessionmaker
from tests.support.ecf import set_up_provider

TEMPLATE = "ecf_lead_provider_deadline_reminder"


async def _remind(ecf) -> int:
    """One run of the job's lead provider step, on a fresh engine (as after a restart)."""
    engine = make_engine(ecf.url, pool_size=1)
    try:
        async with EcfUnitOfWork(make_sessionmaker(engine)) as uow:
            return await remind_lead_providers(uow, ecf.clock)
    finally:
        await engine.dispose()


async def _sent(ecf) -> list[dict]:
    rows = await ecf.sql("SELECT payload FROM outbox WHERE topic = :topic ORDER BY id", topic=NOTIFY_COMMANDS.name)
    payloads = [json.loads(r.payload) if isinstance(r.payload, str) else r.payload for r in rows]
    return [p for p in payloads if p.get("template") == TEMPLATE]


async def test_a_lead_provider_is_reminded_once_in_the_week_before_each_output_deadline(ecf):
    lp = await set_up_provider(ecf, email="contracts@ambition.example")
    november = await ecf.statement(lp["statements"][0])
    assert november["deadline_date"] == "2026-10-31"
    ecf.clock.set("2026-10-23T09:00:00Z")  # 8 days before: not yet
    assert await _remind(ecf) == 0
    ecf.clock.set("2026-10-24T09:00:00Z")  # 7 days before
    assert await _remind(ecf) == 1
    assert await _remind(ecf) == 0  # the same day again (another replica, a restart)
    ecf.clock.set("2026-10-30T09:00:00Z")
    assert await _remind(ecf) == 0  # once per statement

    [sent] = await _sent(ecf)
    assert sent["to"] == "contracts@ambition.example"
    assert sent["notification_id"] == f"ecf-lp-deadline:{november['id']}:contracts@ambition.example"
    assert sent["personalisation"] == {"lead_provider_name": "Ambition Institute", "cohort": "2026",
                                       "statement_name": "November 2026", "deadline_date": "2026-10-31"}
    [claimed] = await ecf.sql("SELECT kind FROM ecf_deadline_reminders WHERE statement_id = :id", id=november["id"])
    assert claimed.kind == "lead_provider"

    ecf.clock.set("2026-11-23T09:00:00Z")  # the next statement's week (deadline 30 November)
    assert await _remind(ecf) == 1
    assert [m["personalisation"]["statement_name"] for m in await _sent(ecf)] == ["November 2026", "December 2026"]


async def test_a_service_only_month_and_a_lead_provider_without_an_address_get_no_reminder(ecf):
    lp = await set_up_provider(ecf, email="contracts@ambition.example")
    other = await ecf.lead_provider("Teach First")  # no email address
    await ecf.post("/contracts", {"lead_provider_id": other["id"], "cohort": 2026, "recruitment_target": 10,
                                  "bands": [{"name": "A", "min": 0, "max": 10, "per_participant": "900.00"}]},
                   expect=201)
    for body in ({"lead_provider_id": lp["id"], "name": "Service fee only", "output_fee": False},
                 {"lead_provider_id": other["id"], "name": "November 2026", "output_fee": True}):
        await ecf.post("/statements", {"cohort": 2026, "deadline_date": "2026-09-30", "payment_date": "2026-10-25",
                                       **body}, expect=201)
    ecf.clock.set("2026-09-25T09:00:00Z")
    assert await _remind(ecf) == 0
    assert await _sent(ecf) == []

    # once the address is recorded, the reminder still due is sent
    r = await ecf.post(f"/lead-providers/{other['id']}/email", {"email": "lp@teachfirst.example"}, expect=200)
    assert r.json()["email"] == "lp@teachfirst.example"
    assert await _remind(ecf) == 1
    assert [m["to"] for m in await _sent(ecf)] == ["lp@teachfirst.example"]


async def test_a_lead_provider_email_address_must_look_like_one(ecf):
    lp = await ecf.lead_provider("Ambition Institute")
    r = await ecf.post(f"/lead-providers/{lp['id']}/email", {"email": "not an address"})
    assert r.status_code == 422
    assert r.json()["errors"] == [{"message": "Enter an email address in the correct format, like name@example.com",
                                   "field": "email"}]
    listed = (await ecf.get("/lead-providers")).json()["items"]
    assert [(x["name"], x["email"]) for x in listed] == [("Ambition Institute", None)]


async def test_two_replicas_running_the_job_at_once_send_one_reminder(ecf):
    lp = await set_up_provider(ecf, email="contracts@ambition.example")
    ecf.clock.set("2026-10-25T09:00:00Z")

    runs = await asyncio.gather(_remind(ecf), _remind(ecf))

    assert sorted(runs) == [0, 1]
    [sent] = await _sent(ecf)
    assert sent["reference"] == lp["statements"][0]


async def test_the_payments_deadline_job_sends_the_reminder_once_across_a_restart(ecf):
    await set_up_provider(ecf, email="contracts@ambition.example")
    ecf.clock.set("2026-10-25T09:00:00Z")

    for _ in range(2):  # the process started, stopped and started again (no contract managers set)
        engine = make_engine(ecf.url, pool_size=2)
        job = asyncio.create_task(deadline_job(lambda: EcfUnitOfWork(make_sessionmaker(engine)), ecf.clock,
                                               every_s=0.05)())
        try:
            for _ in range(100):
                if await _sent(ecf):
                    break
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.3)  # a few more rounds of the job
        finally:
            job.cancel()
            await asyncio.gather(job, return_exceptions=True)
            await engine.dispose()

    assert [m["to"] for m in await _sent(ecf)] == ["contracts@ambition.example"]
