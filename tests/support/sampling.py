"""The sampling service run in-process beside claims, against the real database and broker, with
paid claims to sample (``world``), and the files its tests upload."""
from __future__ import annotations

import contextlib
import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any, AsyncIterator

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from services.sampling.app import create_app
from services.sampling.config import SamplingSettings
from services.sampling.ports import Deps, FixedClock
from tests.support.claims import SUPPORT, pay, running_claims, setup_organisations, submit
from tests.support.inprocess import at, in_process
from tests.support.messaging import eventually

TODAY = date(2026, 11, 23)  # a Monday: the completion date is 14 December 2026

SCHOOLS_WITH_EMAIL = (
    "urn,name,postcode,local_authority,type_of_establishment,region,email\n"
    "100001,Hackney Primary,E8 1AA,Hackney,Community school,Inner London,office@hackney.example\n"
)


@contextlib.asynccontextmanager
async def running_sampling(infra, env: dict[str, str], *, today: date = TODAY, database_url: str | None = None
                           ) -> AsyncIterator[httpx.AsyncClient]:
    url = database_url or await infra.database("sampling")
    settings = SamplingSettings(SAMPLING_DATABASE_URL=url, PUBLIC_BASE_URL="https://claimflow.example")
    clock = FixedClock(at(today))
    ids = iter(range(1, 10**9))
    app = create_app(settings, Deps(clock=clock, new_id=lambda: f"id{next(ids):06d}"))
    async with in_process(app, name="sampling", token=settings.internal_api_token, settings=settings, clock=clock,
                          database_url=url) as client:
        yield client


@dataclass
class World:
    claims: httpx.AsyncClient
    sampling: httpx.AsyncClient
    env: dict[str, str]
    provider: dict[str, Any]
    other_provider: dict[str, Any]
    refs: dict[str, str] = field(default_factory=dict)  # name → claim reference

    async def claim(self, ref: str) -> dict[str, Any]:
        return (await self.claims.get(f"/internal/v1/claims/{ref}", headers=SUPPORT)).json()

    async def status(self, ref: str) -> str:
        return (await self.claim(ref))["status"]

    async def wait_for_status(self, refs, status: str, *, timeout: float = 30) -> None:
        async def check():
            for ref in refs:
                assert await self.status(ref) == status, (ref, await self.status(ref))
            return True
        await eventually(check, timeout=timeout)

    async def activity(self, *titles: str, timeout: float = 20) -> list[dict[str, Any]]:
        """The claims activity log, once it holds every one of ``titles``. Entries travel on their own
        topic and consumer group, so a claim's new status being visible says nothing about them."""
        async def logged():
            items = (await self.claims.get("/internal/v1/activity", headers=SUPPORT)).json()["items"]
            missing = set(titles) - {a["title"] for a in items}
            assert not missing, missing
            return items
        return await eventually(logged, timeout=timeout)

    async def wait_for_projection(self, refs, status: str, *, timeout: float = 30) -> None:
        """Until sampling's projection shows every claim in ``status`` (and not awaiting)."""
        engine = create_async_engine(self.sampling.database_url)  # type: ignore[attr-defined]

        async def check():
            async with engine.connect() as conn:
                rows = dict((await conn.execute(text(
                    "SELECT reference, coalesce(awaiting, status) FROM claims WHERE reference = ANY(:r)"),
                    {"r": list(refs)})).all())
            assert all(rows.get(r) == status for r in refs), rows
            return True
        try:
            await eventually(check, timeout=timeout)
        finally:
            await engine.dispose()


@contextlib.asynccontextmanager
async def world(infra, env: dict[str, str]) -> AsyncIterator[World]:
    """Claims and sampling running together; four paid claims:
    ``john`` (John Smith, provider BPN), ``jane`` (Jane Doe, BPN), ``both`` (John Smith and Jane
    Doe, BPN), ``other`` (Grace Hopper, Teach North, two email addresses)."""
    async with running_claims(infra, env) as (claims, _), running_sampling(infra, env) as sampling:
        org = await setup_organisations(claims)
        r = await claims.post("/internal/v1/schools/import", headers=SUPPORT,
                              files={"file": ("schools.csv", SCHOOLS_WITH_EMAIL.encode(), "text/csv")})
        assert r.status_code == 200, r.text
        r = await claims.post("/internal/v1/providers", headers=SUPPORT, json={
            "name": "Teach North", "code": "TN", "email_addresses": ["a@tn.example", "b@tn.example"]})
        other = r.json()
        w = World(claims=claims, sampling=sampling, env=env, provider=org["provider"], other_provider=other)
        bpn = org["provider"]["id"]
        for name, urn, provider, mentors in (
                ("john", "100001", bpn, [("1111111", "John Smith", 10)]),
                ("jane", "100003", bpn, [("2222222", "Jane Doe", 6)]),
                ("both", "100004", bpn, [("3333333", "John Smith", 4), ("4444444", "Jane Doe", 5)]),
                ("other", "100002", other["id"], [("5555555", "Grace Hopper", 7)])):
            r = await submit(claims, urn, provider, mentors)
            assert r.status_code == 201, r.text
            w.refs[name] = r.json()["reference"]
        await pay(env, *w.refs.values())
        await w.wait_for_projection(w.refs.values(), "paid")
        yield w


async def rows_of(url: str, sql: str) -> list[tuple]:
    """The rows the query ``sql`` returns from the database at ``url``, each a tuple."""
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            return [tuple(r) for r in (await conn.execute(text(sql))).all()]
    finally:
        await engine.dispose()


async def database_digest(url: str) -> str:
    """A digest of every table's contents, to show that a refused upload changed nothing."""
    engine = create_async_engine(url)
    digest = hashlib.sha256()
    try:
        async with engine.connect() as conn:
            tables = (await conn.execute(text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"))).scalars().all()
            for table in tables:
                rows = (await conn.execute(text(
                    f'SELECT coalesce(string_agg(t::text, E\'\\n\' ORDER BY t::text), \'\') FROM "{table}" t'))).scalar()
                digest.update(f"{table}\n{rows}\n".encode())
    finally:
        await engine.dispose()
    return digest.hexdigest()


def sample_file(*rows: tuple[str, str], header: str = "claim_reference_number,claim_sample_reason") -> bytes:
    return ("\n".join([header, *(f"{ref},{reason}" for ref, reason in rows)]) + "\n").encode()


def upload(client: httpx.AsyncClient, path: str, data: bytes, name: str = "claims.csv"):
    return client.post(path, headers=SUPPORT, files={"file": (name, data, "text/csv")})
