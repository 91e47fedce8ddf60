from __future__ import annotations

from shared.platform.uow import SqlUnitOfWork

from .repository import NotificationRepository
from .tables import platform


class NotifyUnitOfWork(SqlUnitOfWork):
    notifications: NotificationRepository

    def __init__(self, sessionmaker) -> None:
        super().__init__(sessionmaker, platform)

    def bind(self, session) -> None:
        self.notifications = NotificationRepository(session)
