"""Commands to the notify service and the facts it publishes about deliveries."""
from __future__ import annotations

from typing import ClassVar

from .base import Message
from .topics import NOTIFY_COMMANDS, NOTIFY_EVENTS


class SendNotification(Message):
    """Send one email. ``notification_id`` is the idempotency key: the same id is never sent twice."""

    topic: ClassVar[str] = NOTIFY_COMMANDS.name
    key_field: ClassVar[str] = "notification_id"

    notification_id: str
    template: str
    to: str
    personalisation: dict[str, str] = {}
    reference: str | None = None  # e.g. a claim reference or a provider sampling id


class NotificationDelivered(Message):
    topic: ClassVar[str] = NOTIFY_EVENTS.name
    key_field: ClassVar[str] = "notification_id"
    notification_id: str
    backend: str


class NotificationFailed(Message):
    topic: ClassVar[str] = NOTIFY_EVENTS.name
    key_field: ClassVar[str] = "notification_id"
    notification_id: str
    error: str
    permanent: bool
