"""The payments unit of work: the shared SqlUnitOfWork (one transaction, the outbox written at
commit, the processed-message guard) with payments' repositories and download links on its session."""
from __future__ import annotations

from datetime import datetime, timedelta

from shared.platform import links as _links
from shared.platform.links import LinkOutcome
from shared.platform.uow import SqlUnitOfWork

from .metadata import download_links, platform
from .repository import ClaimProjection, ClawbackRepository, PaymentRepository, UploadRepository


class PaymentsUnitOfWork(SqlUnitOfWork, platform=platform):
    claims: ClaimProjection
    payments: PaymentRepository
    uploads: UploadRepository
    clawbacks: ClawbackRepository
    links = download_links

    async def create_link(self, *, kind: str, subject_id: str, file_name: str, content: bytes, now: datetime,
                          recipient: str, lifetime: timedelta) -> tuple[str, datetime]:
        """A one-use download link of ``content`` for ``recipient``: (token, expiry)."""
        return await _links.create_link(self.session, self.links, service="payments", kind=kind,
                                        subject_id=subject_id, file_name=file_name, content=content, now=now,
                                        recipient=recipient, lifetime=lifetime)

    async def use_link(self, token: str, *, now: datetime) -> LinkOutcome:
        return await _links.use_link(self.session, self.links, token, now=now)
