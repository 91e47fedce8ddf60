from __future__ import annotations

from shared.platform.uow import SqlUnitOfWork

from .repository import NotificationRepository
from .tables import platform


class NotifyUnitOfWork(SqlUnitOfWork, platform=platform):
    notifications: NotificationRepository
