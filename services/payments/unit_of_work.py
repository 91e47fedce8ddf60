from __future__ import annotations

from shared.platform.uow import SqlUnitOfWork

from .metadata import download_links, platform
from .repository import ClaimProjection, ClawbackRepository, PaymentRepository, UploadRepository


class PaymentsUnitOfWork(SqlUnitOfWork):
    claims: ClaimProjection
    payments: PaymentRepository
    uploads: UploadRepository
    clawbacks: ClawbackRepository
    links = download_links

    def __init__(self, sessionmaker) -> None:
        super().__init__(sessionmaker, platform)

    def bind(self, session) -> None:
        self.claims = ClaimProjection(session)
        self.payments = PaymentRepository(session)
        self.uploads = UploadRepository(session)
        self.clawbacks = ClawbackRepository(session)
