from __future__ import annotations

from shared.platform.uow import SqlUnitOfWork

from .activity import ActivityRepository
from .organisations import OrganisationRepository
from .repository import ClaimRepository
from .tables import platform


class ClaimsUnitOfWork(SqlUnitOfWork):
    claims: ClaimRepository
    organisations: OrganisationRepository
    activity: ActivityRepository

    def __init__(self, sessionmaker) -> None:
        super().__init__(sessionmaker, platform)

    def bind(self, session) -> None:
        self.claims = ClaimRepository(session)
        self.organisations = OrganisationRepository(session)
        self.activity = ActivityRepository(session)
