"""The ECF router run in-process against a real PostgreSQL database, and the contract, schedule,
statements and participants its tests set up.

The router is mounted on a service app of its own (``create_service_app`` with messaging off), the
way the payments process mounts it; ``StatementAuthorised`` is then read from the outbox table.
"""
from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, AsyncIterator

import httpx
from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import create_async_engine

from services.payments.ecf import tables
from services.payments.ecf.admin import add_lead_provider
from services.payments.ecf.api import build_router
from services.payments.metadata import metadata
from shared.platform.service import ServiceRuntime, create_service_app, internal_auth
from shared.platform.settings import ServiceSettings
from tests.support.inprocess import in_process

TOKEN = "test-internal-token"
FINANCE = {"x-actor-email": "finance@example.com", "x-actor-role": "finance"}


@dataclass
class MovableClock:
    at: datetime

    def now(self) -> datetime:
        return self.at

    def set(self, text_: str) -> None:
        self.at = datetime.fromisoformat(text_.replace("Z", "+00:00"))


@dataclass
class Ecf:
    client: httpx.AsyncClient
    clock: MovableClock
    url: str

    # ---- finance
    async def post(self, path: str, body: Any, expect: int | None = None) -> Any:
        r = await self.client.post(f"/internal/v1/finance{path}", json=body, headers=FINANCE)
        if expect is not None:
            assert r.status_code == expect, r.text
        return r

    async def get(self, path: str) -> httpx.Response:
        return await self.client.get(f"/internal/v1/finance{path}", headers=FINANCE)

    async def statement(self, statement_id: str) -> dict:
        r = await self.get(f"/statements/{statement_id}")
        assert r.status_code == 200, r.text
        return r.json()

    # ---- lead providers (as the gateway proxies them)
    async def lead_provider(self, name: str, *, email: str | None = None) -> dict:
        created = await add_lead_provider(self.url, name=name, email=email)
        r = await self.client.get("/internal/v1/ecf/lead-providers/by-token",
                                  headers={"x-lead-provider-token": created["api_token"]})
        assert r.status_code == 200, r.text
        return {**created, **r.json()}

    def as_provider(self, lp: dict) -> dict[str, str]:
        return {"x-lead-provider-id": lp["id"]}

    async def declare(self, lp: dict, **attributes: Any) -> httpx.Response:
        body = {"data": {"type": "participant-declaration", "attributes": attributes}}
        return await self.client.post("/internal/v1/ecf/participant-declarations", json=body,
                                      headers=self.as_provider(lp))

    async def void(self, lp: dict, declaration_id: str) -> httpx.Response:
        return await self.client.put(f"/internal/v1/ecf/participant-declarations/{declaration_id}/void",
                                     headers=self.as_provider(lp))

    async def declarations(self, lp: dict, **params: str) -> dict:
        r = await self.client.get("/internal/v1/ecf/participant-declarations", params=params,
                                  headers=self.as_provider(lp))
        assert r.status_code == 200, r.text
        return r.json()

    async def sql(self, statement: str, **params: Any) -> list:
        engine = create_async_engine(self.url)
        try:
            async with engine.begin() as conn:
                result = await conn.execute(text(statement), params)
                return list(result) if result.returns_rows else []
        finally:
            await engine.dispose()

    async def bulk_declarations(self, lp: dict, *, statement_id: str, count: int, declaration_type: str = "started",
                                state: str = "eligible", uplift: bool = False, cohort: int = 2026) -> None:
        """``count`` participants with one declaration each, straight into the tables (the API would
        take minutes for thousands); the statement is then read through the API."""
        engine = create_async_engine(self.url)
        now = self.clock.now()
        people = [str(uuid.uuid4()) for _ in range(count)]
        try:
            async with engine.begin() as conn:
                await conn.execute(insert(tables.participants), [
                    {"id": p, "lead_provider_id": lp["id"], "cohort": cohort,
                     "schedule_identifier": "ecf-standard-september", "trn": "1234567", "full_name": "Bulk Person",
                     "course_identifier": "ecf-induction", "pupil_premium_uplift": uplift, "sparsity_uplift": False,
                     "funding_eligible": True} for p in people])
                await conn.execute(insert(tables.declarations), [
                    {"id": str(uuid.uuid4()), "lead_provider_id": lp["id"], "participant_id": p, "cohort": cohort,
                     "declaration_type": declaration_type, "declaration_date": now, "course_identifier": "ecf-induction",
                     "evidence_held": None if declaration_type == "started" else "other", "state": state,
                     "statement_id": statement_id, "clawback_statement_id": None, "uplift": uplift,
                     "ineligible_reason": None, "submitted_at": now, "updated_at": now} for p in people])
        finally:
            await engine.dispose()


@contextlib.asynccontextmanager
async def running_ecf(infra, *, at: str = "2026-10-15T10:00:00Z") -> AsyncIterator[Ecf]:
    url = await infra.database("payments")  # every payments migration, the ECF revision 0002 included
    settings = ServiceSettings(service_name="payments", run_messaging=False, internal_api_token=TOKEN)
    runtime = ServiceRuntime(settings=settings, metadata=metadata, database_url=url)
    clock = MovableClock(datetime.fromisoformat(at.replace("Z", "+00:00")))
    app = create_service_app(runtime, title="ECF (test)",
                             routers=[build_router(runtime.sessionmaker, clock, internal_auth(settings))])
    async with in_process(app, name="payments", token=TOKEN, settings=settings) as client:
        yield Ecf(client=client, clock=clock, url=url)


STANDARD_MILESTONES = [
    {"declaration_type": "started", "start_date": "2026-09-01", "milestone_date": "2026-11-30"},
    {"declaration_type": "retained-1", "start_date": "2026-12-01", "milestone_date": "2027-02-28"},
    {"declaration_type": "retained-2", "start_date": "2027-03-01", "milestone_date": "2027-05-31"},
    {"declaration_type": "completed", "start_date": "2027-06-01", "milestone_date": None},
]

STATEMENTS = [  # (name, deadline, payment date)
    ("November 2026", "2026-10-31", "2026-11-25"),
    ("December 2026", "2026-11-30", "2026-12-22"),
    ("January 2027", "2026-12-31", "2027-01-25"),
    ("February 2027", "2027-01-31", "2027-02-25"),
]


async def set_up_provider(ecf: Ecf, name: str = "Ambition Institute", *, price: str = "995.00",
                          vat_chargeable: bool = False, schedule: bool = True, email: str | None = None,
                          **contract: Any) -> dict:
    """A lead provider with the standard contract (target 2000, bands 0–2000/2001–4000/4001–6000),
    the standard schedule and four monthly output statements. Returns ids."""
    lp = await ecf.lead_provider(name, email=email)
    if schedule:
        await ecf.post("/schedules", {"identifier": "ecf-standard-september", "cohort": 2026,
                                      "milestones": STANDARD_MILESTONES}, expect=201)
    body = {"lead_provider_id": lp["id"], "cohort": 2026, "recruitment_target": 2000, "set_up_fee": "0.00",
            "uplift_amount": "100.00", "vat_chargeable": vat_chargeable, "monthly_service_fee": None,
            "service_fee_months": 29,
            "bands": [{"name": "A", "min": 0, "max": 2000, "per_participant": price},
                      {"name": "B", "min": 2001, "max": 4000, "per_participant": "900.00"},
                      {"name": "C", "min": 4001, "max": 6000, "per_participant": "800.00"}]}
    body.update(contract)
    contract_id = (await ecf.post("/contracts", body, expect=201)).json()["id"]
    statements = []
    for statement_name, deadline, payment in STATEMENTS:
        r = await ecf.post("/statements", {"lead_provider_id": lp["id"], "cohort": 2026, "name": statement_name,
                                           "deadline_date": deadline, "payment_date": payment, "output_fee": True},
                           expect=201)
        statements.append(r.json()["id"])
    return {**lp, "contract_id": contract_id, "statements": statements}


async def add_participant(ecf: Ecf, lp: dict, **overrides: Any) -> str:
    body = {"lead_provider_id": lp["id"], "cohort": 2026, "schedule": "ecf-standard-september", "trn": "1234567",
            "full_name": "Ada Lovelace", "course_identifier": "ecf-induction", "pupil_premium_uplift": False,
            "sparsity_uplift": False, "funding_eligible": True}
    body.update(overrides)
    return (await ecf.post("/participants", body, expect=201)).json()["id"]


STARTED = {"declaration_type": "started", "declaration_date": "2026-10-01T10:00:00Z",
           "course_identifier": "ecf-induction"}
