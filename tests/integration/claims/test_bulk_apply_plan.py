"""A confirmed sample's batches reach each claim through its primary key, never by reading the
whole claims table: with the default costs the planner hashed every claim for each statement of a
few thousand (services/claims/sampled_sql.py, ``PROBE_BY_KEY``). The setting that prevents it is put back
for the rest of the consumer's transaction."""
from __future__ import annotations

import pytest
from sqlalchemy import insert, text

from services.claims.handlers import ItemDeadLetters, handle_claims_sampled
from services.claims.tables import claims
from services.claims.unit_of_work import ClaimsUnitOfWork
from shared.contracts import Actor, ClaimsSampled, SampledClaimItem
from shared.platform.clock import SystemClock
from tests.support.claims_tables import organised_claims_database, some_claims


@pytest.fixture
async def sessions(infra):
    async for sessionmaker in organised_claims_database(infra):
        yield sessionmaker


def batch(references: list[str]) -> ClaimsSampled:
    return ClaimsSampled(upload_id="upload-1", actor=Actor(email="support@example.com", role="support"),
                         claims=tuple(SampledClaimItem(reference=r, sample_reason="Random sample", provider_id="p")
                                      for r in references))


async def test_a_run_of_batches_probes_claims_by_key_and_leaves_the_setting_as_it_was(sessions):
    async with sessions() as session, session.begin():
        await session.execute(insert(claims), [{**row, "status": "paid"} for row in some_claims(8000)])
    async with sessions() as session:
        await session.execute(text("ANALYZE claims"))
        references = list((await session.execute(text("SELECT reference FROM claims ORDER BY reference"))).scalars())
    sample = references[::4][:2000]
    async with ClaimsUnitOfWork(sessions) as uow:
        await handle_claims_sampled([batch(sample[:1000]), batch(sample[1000:])], uow, SystemClock(),
                                    dead_letters=ItemDeadLetters(group="claims.status", original_topic="t"),
                                    events_partitions=lambda: 4)
        scans = (await uow.session.execute(text(
            "SELECT seq_scan, idx_scan FROM pg_stat_xact_user_tables WHERE relname = 'claims'"))).one()
        assert scans.seq_scan == 0 and scans.idx_scan > 0
        assert await uow.session.scalar(text("SHOW enable_seqscan")) == "on"
        moved = await uow.session.scalar(text(
            "SELECT count(*) FROM claims WHERE status = 'sampling_in_progress' AND reference = ANY(:refs)"),
            {"refs": sample})
        assert moved == len(sample)
        await uow.commit()
