"""The notify service, one method per call of its internal API (``shared.contracts.http.notify``)."""
from __future__ import annotations

from shared.contracts.http import notify as api

from ..users import User
from .base import ServiceClient


class NotifyClient:
    def __init__(self, http: ServiceClient) -> None:
        self.http = http

    async def notifications(self, *, page: int, recipient: str | None = None, user: User) -> api.NotificationList:
        params = {"page": page, **({"recipient": recipient} if recipient else {})}
        return await self.http.call(api.LIST_NOTIFICATIONS, user=user, params=params)
