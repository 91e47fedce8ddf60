"""A sample's claims held as rows from its upload (sampling migration 0006): ``sampled_claims`` is
the view of a confirmed upload's claims under their provider's sampling, read by claim through
its index; and the migrations 0005 and 0006 go down and up again keeping every row.
"""
from __future__ import annotations

import asyncio
import json
from datetime import datetime, timezone

import pytest
from alembic import command
from sqlalchemy import insert, select, text
from sqlalchemy.exc import IntegrityError

from services.sampling.tables import provider_samplings, sampled_claims, upload_claims, uploads
from shared.platform.db import make_engine, make_sessionmaker
from shared.platform.migrations import alembic_config, upgrade
from tests.support.infra import ROOT, drop_database, fresh_database

SERVICE = ROOT / "services" / "sampling"
AT = datetime(2026, 12, 1, 9, 30, tzinfo=timezone.utc)


def an_upload(upload_id: str, status: str, rows: list | None = None, kind: str = "sample") -> dict:
    return {"id": upload_id, "kind": kind, "status": status, "file_name": f"{upload_id}.csv", "row_count": 1,
            "claim_count": 1, "rows": rows if rows is not None else [], "created_at": AT}


def a_sampling(sampling_id: str, upload_id: str, provider_id: str) -> dict:
    return {"id": sampling_id, "upload_id": upload_id, "provider_id": provider_id, "claim_count": 1,
            "sent_on": AT.date(), "completion_date": AT.date(), "created_at": AT, "file_name": "f.csv"}


def claims_of(upload_id: str, *rows: tuple[str, str]) -> list[dict]:
    return [{"upload_id": upload_id, "provider_id": provider, "n": n, "claim_reference": reference,
             "sample_reason": f"Reason {reference}", "row": n + 1} for n, (reference, provider) in enumerate(rows, 1)]


@pytest.fixture
async def sessions(infra):
    engine = make_engine(await infra.database("sampling"), pool_size=2)
    yield make_sessionmaker(engine)
    await engine.dispose()


async def test_sampled_claims_are_the_claims_of_confirmed_uploads_under_their_providers_sampling(sessions):
    async with sessions() as session, session.begin():
        await session.execute(insert(uploads), [an_upload("pending", "pending"), an_upload("confirmed", "confirmed"),
                                                an_upload("cancelled", "cancelled")])
        await session.execute(insert(upload_claims), claims_of("pending", ("R1", "p1"))
                              + claims_of("confirmed", ("R1", "p1"), ("R2", "p2"), ("R3", "p1"))
                              + claims_of("cancelled", ("R4", "p1")))
        await session.execute(insert(provider_samplings), [a_sampling("ps-1", "confirmed", "p1"),
                                                           a_sampling("ps-2", "confirmed", "p2")])
        confirmed_at = await session.scalar(select(provider_samplings.c.confirmed_at).where(
            provider_samplings.c.id == "ps-1"))
        assert confirmed_at == await session.scalar(text("SELECT now()"))  # the database's time, not the clock's
        rows = (await session.execute(select(sampled_claims).order_by(sampled_claims.c.claim_reference))).all()
        assert [tuple(r) for r in rows] == [("ps-1", "R1", "Reason R1", confirmed_at),
                                            ("ps-2", "R2", "Reason R2", confirmed_at),
                                            ("ps-1", "R3", "Reason R3", confirmed_at)]
        await session.execute(insert(upload_claims), [
            {"upload_id": "confirmed", "provider_id": "p1", "n": 100 + i, "claim_reference": f"X{i:07d}",
             "sample_reason": "Random", "row": i} for i in range(3000)])
        await session.execute(text("ANALYZE upload_claims"))
        plan = "\n".join((await session.execute(text(
            "EXPLAIN SELECT 1 FROM sampled_claims WHERE claim_reference = 'X0000003'"))).scalars())
        assert "ix_upload_claims_reference" in plan and "ux_provider_samplings_upload_provider" in plan
    async with sessions() as session:
        with pytest.raises(IntegrityError):  # one provider sampling per provider per upload
            async with session.begin():
                await session.execute(insert(provider_samplings), a_sampling("ps-3", "confirmed", "p1"))


async def test_migrations_0005_and_0006_go_down_and_up_keeping_every_row(infra):
    name = "t_sampling_0006"
    await fresh_database(infra, name)
    url = infra.pg_url_for(name)
    engine = make_engine(url, pool_size=2)
    pending_rows = [[f"P{i:07d}", f"Reason {i}", "p1" if i % 2 else "p2", i + 2] for i in range(2500)]
    confirmed_rows = [["C0000001", "Random", "p1", 2], ["C0000002", "High risk", "p2", 3]]
    response_rows = [{"reference": "C0000001", "assured": True}]
    try:
        await upgrade(SERVICE, url, revision="0005")
        await asyncio.to_thread(command.downgrade, alembic_config(SERVICE, url), "0004")
        async with engine.connect() as conn:  # 0004: two indexes
            assert len(await _indexes(conn)) == 2
        await upgrade(SERVICE, url, revision="0005")
        async with engine.begin() as conn:  # 0005: sampled_claims keyed by the claim, one index
            assert await _indexes(conn) == ["CREATE UNIQUE INDEX sampled_claims_pkey ON public.sampled_claims USING "
                                            "btree (claim_reference, provider_sampling_id)"]
            for upload in (an_upload("u-pending", "pending", pending_rows), an_upload("u-confirmed", "confirmed",
                           confirmed_rows), an_upload("u-response", "pending", response_rows, kind="response")):
                await conn.execute(text(
                    "INSERT INTO uploads (id, kind, status, file_name, row_count, claim_count, rows, created_at)"
                    " VALUES (:id, :kind, :status, :file_name, :row_count, :claim_count, CAST(:rows AS jsonb),"
                    " :created_at)"), {**upload, "rows": json.dumps(upload["rows"])})
            await conn.execute(text(
                "INSERT INTO provider_samplings (id, upload_id, provider_id, claim_count, sent_on, completion_date,"
                " created_at, file_name) VALUES ('ps-1', 'u-confirmed', 'p1', 1, '2026-12-01', '2026-12-22', :at, 'f'),"
                " ('ps-2', 'u-confirmed', 'p2', 1, '2026-12-01', '2026-12-22', :at, 'f')"), {"at": AT})
            await conn.execute(text(
                "INSERT INTO sampled_claims (provider_sampling_id, claim_reference, sample_reason, created_at) VALUES"
                " ('ps-1', 'C0000001', 'Random', '2026-12-01 09:31:00+00'),"
                " ('ps-2', 'C0000002', 'High risk', '2026-12-01 09:31:00+00')"))
            before_sampled = await _sampled(conn)
            before_rows = await _rows(conn)

        await upgrade(SERVICE, url)
        async with engine.connect() as conn:
            assert await _sampled(conn) == before_sampled
            assert (await conn.execute(text(
                "SELECT upload_id, claim_reference, sample_reason, provider_id, row FROM upload_claims"
                " ORDER BY upload_id, n"))).all() == (
                [("u-confirmed", *r) for r in confirmed_rows] + [("u-pending", *r) for r in pending_rows])
            batches = (await conn.execute(text(
                "SELECT upload_id, batch, claim_count, claims FROM upload_batches ORDER BY upload_id, batch"))).all()
            assert [(b.upload_id, b.batch, b.claim_count) for b in batches] == [
                ("u-pending", 0, 1000), ("u-pending", 1, 1000), ("u-pending", 2, 500)]  # pending uploads only
            assert [c for b in batches for c in json.loads(b.claims)] == [
                {"reference": r, "sample_reason": reason, "provider_id": p} for r, reason, p, _ in pending_rows]
            assert await _rows(conn) == {**before_rows, "u-pending": [], "u-confirmed": []}

        await asyncio.to_thread(command.downgrade, alembic_config(SERVICE, url), "0005")
        async with engine.connect() as conn:
            assert await _sampled(conn) == before_sampled
            assert await _rows(conn) == before_rows
        await upgrade(SERVICE, url)
        async with engine.connect() as conn:
            assert await _sampled(conn) == before_sampled
    finally:
        await engine.dispose()
        await drop_database(infra, name)


async def _sampled(conn) -> list[tuple]:
    return [tuple(r) for r in (await conn.execute(text(
        "SELECT provider_sampling_id, claim_reference, sample_reason, created_at FROM sampled_claims"
        " ORDER BY claim_reference"))).all()]


async def _rows(conn) -> dict:
    return {r[0]: r[1] for r in (await conn.execute(text("SELECT id, rows FROM uploads ORDER BY id"))).all()}


async def _indexes(conn) -> list[str]:
    return sorted((await conn.execute(text(
        "SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = 'sampled_claims'::regclass"))).scalars())
