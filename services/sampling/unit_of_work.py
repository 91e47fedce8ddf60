"""The sampling service's unit of work: one transaction, its repositories, the outbox."""
from __future__ import annotations

from shared.platform.uow import SqlUnitOfWork

from .repository import ProjectionRepository, SamplingRepository, UploadRepository
from .tables import platform


class SamplingUnitOfWork(SqlUnitOfWork):
    projection: ProjectionRepository
    uploads: UploadRepository
    samplings: SamplingRepository

    def __init__(self, sessionmaker) -> None:
        super().__init__(sessionmaker, platform)

    def bind(self, session) -> None:
        self.projection = ProjectionRepository(session)
        self.uploads = UploadRepository(session)
        self.samplings = SamplingRepository(session)

    async def commit(self) -> None:
        # Projection changes queued by a consumer batch are written in the same transaction.
        await self.projection.flush()
        await super().commit()
