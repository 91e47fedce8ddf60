"""Step 1 of sending an email (``handlers/__init__.py``): the ``SendNotification`` command becomes a
``pending`` row keyed by its notification id, rendered there and then; a known id is a duplicate
and changes nothing; one that cannot be rendered fails permanently here."""
from __future__ import annotations

from typing import Mapping

from shared.contracts import SendNotification
from shared.contracts.identifiers import is_email_address

from ..domain.policy import FAILED, PENDING
from ..domain.templates import Catalogue, TemplateError
from ..ports import Clock, NotifyUnitOfWork
from .failures import emit_failure


async def handle_send_notification(message: SendNotification, uow: NotifyUnitOfWork, clock: Clock, *,
                                   catalogue: Catalogue, service_wide: Mapping[str, str]) -> None:
    """Record a requested email once; a request that cannot be rendered fails permanently here."""
    now = clock.now()
    if await uow.notifications.exists(message.notification_id):
        return  # the same notification asked for again: it is (or was) handled under that id
    row = dict(id=message.notification_id, to_address=message.to.strip(), template=message.template,
               reference=message.reference, personalisation=dict(message.personalisation),
               command=message.to_wire(), correlation_id=message.correlation_id, created_at=now, updated_at=now)
    try:
        if not is_email_address(message.to.strip()):
            raise TemplateError(f"{message.to!r} is not an email address")
        rendered = catalogue.render(message.template, message.personalisation, service_wide)
    except TemplateError as exc:
        await uow.notifications.add(**row, status=FAILED, last_error=str(exc), failed_at=now)
        emit_failure(uow, notification_id=message.notification_id, template=message.template,
                     reference=message.reference, command=row["command"], correlation_id=message.correlation_id,
                     error=str(exc), permanent=True, attempts=0)
        return
    await uow.notifications.add(**row, status=PENDING, subject=rendered.subject, body=rendered.body,
                                next_attempt_at=now)
