"""The ECF engine's unit of work: the shared SqlUnitOfWork (outbox, one commit) with the ECF
repository on its session. It runs in the payments process, on the payments database."""
from __future__ import annotations

from sqlalchemy.ext.asyncio import async_sessionmaker

from shared.platform.uow import SqlUnitOfWork

from services.payments.metadata import platform

from .repository import EcfRepository


class EcfUnitOfWork(SqlUnitOfWork):
    ecf: EcfRepository

    def __init__(self, sessionmaker: async_sessionmaker) -> None:
        super().__init__(sessionmaker, platform)

    def bind(self, session) -> None:
        self.ecf = EcfRepository(session)
