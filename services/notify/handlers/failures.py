"""An email that will not be sent: ``NotificationFailed`` for the services that asked, and the
command dead-lettered to ``dlq.notify.send`` (through the outbox, in the same transaction)."""
from __future__ import annotations

import json

from shared.contracts import DeadLetter, NotificationFailed
from shared.contracts.topics import NOTIFY_COMMANDS, dead_letter_topic

from ..ports import NotifyUnitOfWork

SEND_GROUP = "notify.send"
DLQ_TOPIC = dead_letter_topic(SEND_GROUP)


def emit_failure(uow: NotifyUnitOfWork, *, notification_id: str, template: str, reference: str | None,
                 command: dict, correlation_id: str | None, error: str, permanent: bool, attempts: int) -> None:
    correlation = correlation_id or notification_id
    uow.emit(NotificationFailed(notification_id=notification_id, error=error, permanent=permanent,
                                template=template, reference=reference, attempts=attempts,
                                correlation_id=correlation))
    # Not tied to one Kafka record (the failure may come long after the command was consumed), so
    # partition and offset are -1; the original command travels whole in ``original_value``.
    uow.emit(DeadLetter(group=SEND_GROUP, original_topic=NOTIFY_COMMANDS.name, original_partition=-1,
                        original_offset=-1, original_key=notification_id,
                        original_value=json.dumps(command, separators=(",", ":")),
                        original_event_id=str(command.get("event_id") or "") or None, error=error[:4000],
                        correlation_id=correlation), topic=DLQ_TOPIC)
