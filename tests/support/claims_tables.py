"""Claims rows written straight into a claims database (no API: thousands in a statement), with
names rich in what breaks text search (accents, Greek, LIKE wildcards, apostrophes), and the schools,
providers and claim window they belong to."""
from __future__ import annotations

import asyncio
import contextlib
import itertools
from datetime import datetime, timedelta, timezone

from alembic import command
from sqlalchemy import insert

from services.claims.tables import claim_windows, claims, providers, schools
from shared.platform.db import make_engine, make_sessionmaker
from shared.platform.migrations import alembic_config, upgrade
from tests.support.infra import ROOT, drop_database, fresh_database

CLAIMS_SERVICE = ROOT / "services" / "claims"

FIRST = ["Ada", "Zoë", "Chloé", "ÉLODIE", "Seán", "Ολυμπία", "Mary-Jane", "D'Arcy", "Ñandú", "Grace"]
LAST = ["O'Brien", "Adeyemi", "Smith", "Smithson", "100%", "Under_score", "Back\\slash", "MacDonald", "ΣΟΦΟΣ",
        "İnce", "Adeyemi-Jones"]
SCHOOL_NAMES = ["Hackney Primary", "Leeds St Mary's C of E", "Norwich Primary 16553", "Zoë's Academy",
                "Barnet  Academy"]  # (two spaces: an empty word between them)
PROVIDERS = ["Best Practice Network", "Teach North", "SCITT 100% Partnership"]


_numbers = itertools.count(1)


def claim_row(*, school: int, provider: int, school_name: str, provider_name: str,
              mentors: list[tuple[str, str]], status: str = "submitted") -> dict:
    n = next(_numbers)
    return {"reference": f"{(n * 7919) % 100_000_000:08d}", "school_urn": str(100001 + school),
            "school_name": school_name, "trust_id": None, "provider_id": f"prov-{provider}",
            "provider_name": provider_name, "claim_window_id": "window-2026-27", "academic_year": "2026/27",
            "status": status, "region": "Inner London", "hourly_rate": 53.60, "total_hours": 2, "amount": 107.20,
            "mentor_names": "; ".join(f"{trn} {name}" for trn, name in mentors), "created_by": "test@example.com",
            "submitted_at": None if status == "draft" else datetime(2026, 11, 1, tzinfo=timezone.utc) + timedelta(minutes=n)}


def some_claims(count: int, offset: int = 0) -> list[dict]:
    rows = []
    for i in range(offset, offset + count):
        mentors = [(f"{1000000 + i * 37 + k:07d}", f"{FIRST[(i + k) % len(FIRST)]} {LAST[(i * 3 + k) % len(LAST)]}")
                   for k in range(1 + i % 3)]
        rows.append(claim_row(school=i % len(SCHOOL_NAMES), provider=i % len(PROVIDERS),
                              school_name=SCHOOL_NAMES[i % len(SCHOOL_NAMES)],
                              provider_name=PROVIDERS[i % len(PROVIDERS)], mentors=mentors,
                              status="draft" if i % 7 == 0 else "submitted"))
    return rows


async def add_organisations(session) -> None:
    await session.execute(insert(schools), [
        {"urn": str(100001 + i), "name": name, "region": "Inner London"} for i, name in enumerate(SCHOOL_NAMES)])
    await session.execute(insert(providers), [
        {"id": f"prov-{i}", "name": name, "code": f"C{i}"} for i, name in enumerate(PROVIDERS)])
    await session.execute(insert(claim_windows), [{"id": "window-2026-27", "starts_on": datetime(2026, 9, 1).date(),
                                                   "ends_on": datetime(2027, 7, 31).date(), "academic_year": "2026/27"}])


async def organised_claims_database(infra):
    """A fresh migrated claims database with its organisations; yields a session factory."""
    engine = make_engine(await infra.database("claims"), pool_size=2)
    sessionmaker = make_sessionmaker(engine)
    async with sessionmaker() as session, session.begin():
        await add_organisations(session)
    yield sessionmaker
    await engine.dispose()


@contextlib.asynccontextmanager
async def claims_database_at(infra, name: str, revision: str = "head", *, claim_count: int = 0):
    """A fresh claims database ``name`` migrated up to ``revision``, holding the organisations and the
    first ``claim_count`` of ``some_claims``: yields (url, engine); afterwards the engine is disposed
    of and the database dropped."""
    await fresh_database(infra, name)
    url = infra.pg_url_for(name)
    engine = make_engine(url, pool_size=2)
    try:
        await upgrade(CLAIMS_SERVICE, url, revision=revision)
        async with engine.begin() as conn:
            await add_organisations(conn)
            if claim_count:
                await conn.execute(insert(claims), some_claims(claim_count))
        yield url, engine
    finally:
        await engine.dispose()
        await drop_database(infra, name)


async def downgrade_claims(url: str, revision: str) -> None:
    """Take the claims database at ``url`` down to ``revision``."""
    await asyncio.to_thread(command.downgrade, alembic_config(CLAIMS_SERVICE, url), revision)
