"""The ``outbox`` backend (embedded default): "sending" stores the email for support to read.

Storing is keyed by notification id (insert or nothing), so this backend has no duplicate window
at all: a retry after a crash finds the stored copy instead of storing a second one.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert

from ..ports import Email, Receipt
from ..tables import local_outbox


class LocalOutboxSender:
    name = "outbox"

    def __init__(self, sessionmaker) -> None:
        self._sessionmaker = sessionmaker

    async def send(self, email: Email) -> Receipt:
        async with self._sessionmaker() as session, session.begin():
            await session.execute(pg_insert(local_outbox).values(
                notification_id=email.notification_id, to_address=email.to, subject=email.subject,
                body=email.body).on_conflict_do_nothing())
        return Receipt(provider_id=email.notification_id)

    async def find_sent(self, email: Email) -> Receipt | None:
        async with self._sessionmaker() as session:
            found = await session.scalar(select(local_outbox.c.notification_id)
                                         .where(local_outbox.c.notification_id == email.notification_id))
        return Receipt(provider_id=found) if found else None
