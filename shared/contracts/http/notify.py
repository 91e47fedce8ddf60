"""The notify service's internal API: the emails sent, per recipient or reference."""
from __future__ import annotations

from .base import Endpoint, Id, Page, Timestamp, Wire, endpoints


class Notification(Wire):
    id: Id
    to: str
    status: str
    attempts: int
    created_at: Timestamp | None = None


class NotificationList(Page[Notification]):
    pass


class Attempt(Wire):
    attempt: int
    outcome: str | None = None


class NotificationDetail(Notification):
    history: list[Attempt] = []


LIST_NOTIFICATIONS = Endpoint("GET", "/internal/v1/notifications", NotificationList)
GET_NOTIFICATION = Endpoint("GET", "/internal/v1/notifications/{notification_id}", NotificationDetail)

ENDPOINTS = endpoints(globals())
