"""The claims service's unit of work: one transaction, its repositories, the outbox."""
from __future__ import annotations

from typing import Any

from shared.platform.uow import SqlUnitOfWork

from . import sampled_sql
from .activity import ActivityRepository
from .bulk_repository import BulkClaims
from .gias.repository import GiasRepository
from .organisations import OrganisationRepository
from .repository import ClaimRepository
from .school_repository import SchoolClaimsRepository
from .tables import platform


class ClaimsUnitOfWork(SqlUnitOfWork, platform=platform):
    claims: ClaimRepository
    organisations: OrganisationRepository
    activity: ActivityRepository
    bulk: BulkClaims
    school: SchoolClaimsRepository
    gias: GiasRepository

    async def apply_sampled_batches(self, *, batch_ids: list[str], actor_emails: list[str | None],
                                    changed_ats: list[Any], templates: list[str], references: list[str],
                                    reasons: list[str], batch_of: list[int], partitions: list[int] | None,
                                    moves: dict[str, str], caused_by: str, topic: str) -> list[int]:
        """Apply a run of sampled batches in one statement (``sampled_sql``) that writes the claims,
        their history and the outbox rows of their status changes; returns the 1-based positions of
        the claims it refused. The outbox rows are written here, ahead of the events ``emit`` queues
        for commit: per claim that keeps the order, since a claim sampled here was published paid,
        so none of its events can still be waiting in this transaction."""
        statement = sampled_sql.ONE_EVENT_PER_PARTITION if partitions else sampled_sql.ONE_EVENT_PER_CLAIM
        await self.session.execute(sampled_sql.PROBE_BY_KEY)
        row = (await self.session.execute(statement, {
            "batch_ids": batch_ids, "actor_emails": actor_emails, "changed_ats": changed_ats,
            "templates": templates, "refs": references, "reasons": reasons, "batch_of": batch_of,
            "parts": partitions if partitions else [0] * len(references),
            "froms": list(moves), "tos": list(moves.values()), "caused_by": caused_by, "topic": topic})).one()
        await self.session.execute(sampled_sql.PROBE_AS_BEFORE)
        self.events_written()  # the commit wakes the relay for the rows written above
        return list(row.refused)
