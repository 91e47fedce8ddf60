"""The claims service run in-process against the real database and broker, and what its tests
set up through its internal API: schools, a provider, a claim window, submitted and paid claims."""
from __future__ import annotations

import contextlib
import random
from datetime import date
from typing import Any, AsyncIterator

import httpx

from services.claims.app import create_app
from services.claims.config import ClaimsSettings
from services.claims.ports import Deps, FixedClock
from shared.contracts import ClaimSentToPayer, PayerPaymentRecorded
from tests.support.inprocess import at, in_process
from tests.support.messaging import publish, settings_kwargs

SUPPORT = {"x-actor-email": "support@example.com", "x-actor-role": "support"}


def school_headers(urn: str) -> dict[str, str]:
    return {"x-actor-email": f"head@{urn}.example", "x-actor-role": "school", "x-actor-school": urn}


@contextlib.asynccontextmanager
async def running_claims(infra, env: dict[str, str], *, today: date = date(2026, 11, 23),
                         database_url: str | None = None) -> AsyncIterator[tuple[httpx.AsyncClient, Any]]:
    """Claims on a fresh database (or ``database_url``), its clock at 10:00 on ``today``; yields the
    client and the app."""
    url = database_url or await infra.database("claims")
    settings = ClaimsSettings(**settings_kwargs(env), CLAIMS_DATABASE_URL=url)
    deps = Deps(clock=FixedClock(at(today)), rng=random.Random(7))
    app = create_app(settings, deps)
    async with in_process(app, name="claims", token=settings.internal_api_token, settings=settings) as client:
        yield client, app


SCHOOLS_CSV = (
    "urn,name,postcode,local_authority,type_of_establishment,region,group,district_code\n"
    "100001,Hackney Primary,E8 1AA,Hackney,Community school,Inner London,,\n"
    "100002,Barnet Academy,EN5 1AA,Barnet,Academy converter,,Northern Trust,E09000003\n"
    "100003,Leeds High,LS1 1AA,Leeds,Academy converter,Rest of England,Northern Trust,\n"
    "100004,Slough Juniors,SL1 1AA,Slough,Foundation school,,,E06000039\n"
)


async def setup_organisations(client: httpx.AsyncClient) -> dict[str, Any]:
    r = await client.post("/internal/v1/schools/import", headers=SUPPORT,
                          files={"file": ("schools.csv", SCHOOLS_CSV.encode(), "text/csv")})
    assert r.status_code == 200, r.text
    r = await client.post("/internal/v1/providers", headers=SUPPORT,
                          json={"name": "Best Practice Network", "code": "BPN", "email_addresses": ["audit@bpn.example"]})
    assert r.status_code == 201, r.text
    provider = r.json()
    r = await client.post("/internal/v1/claim-windows", headers=SUPPORT,
                          json={"starts_on": "2026-09-01", "ends_on": "2027-07-31", "academic_year": "2026/27"})
    assert r.status_code == 201, r.text
    return {"provider": provider, "window": r.json()}


async def submit(client, urn: str, provider_id: str, mentors: list[tuple[str, str, int]]) -> httpx.Response:
    return await client.post("/internal/v1/claims", headers=school_headers(urn), json={
        "school_urn": urn, "provider_id": provider_id,
        "mentors": [{"trn": t, "full_name": n, "hours": h} for t, n, h in mentors]})


async def pay(env: dict[str, str], *refs: str) -> None:
    """The payer's events that make submitted claims paid."""
    messages = []
    for ref in refs:
        messages += [ClaimSentToPayer(reference=ref, payment_id="pay-1"), PayerPaymentRecorded(reference=ref, outcome="paid")]
    await publish(env, *messages)
