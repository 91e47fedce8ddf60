"""``SqlUnitOfWork`` builds the repositories a service's unit of work annotates, on the session of
each transaction, and keeps the platform tables the subclass names."""
from __future__ import annotations

import pytest

from services.claims.unit_of_work import ClaimsUnitOfWork
from services.notify.repository import NotificationRepository
from services.notify.tables import platform as notify_platform
from services.notify.unit_of_work import NotifyUnitOfWork
from shared.platform.uow import SqlUnitOfWork


class _Repository:
    def __init__(self, session) -> None:
        self.session = session


class _Base(SqlUnitOfWork, platform={"outbox": None}):
    first: _Repository


class _Derived(_Base):
    second: _Repository
    not_a_repository: "list[str]"


def test_a_unit_of_work_builds_every_annotated_repository_on_the_session_it_binds():
    uow = _Derived(sessionmaker=None)
    uow.bind("the session")

    assert uow.first.session == "the session" and uow.second.session == "the session"
    assert uow.first is not uow.second
    assert not hasattr(uow, "not_a_repository")


def test_a_unit_of_work_keeps_the_platform_tables_its_class_names():
    assert NotifyUnitOfWork(sessionmaker=None)._platform is notify_platform
    assert _Derived(sessionmaker=None)._platform == {"outbox": None}
    assert SqlUnitOfWork(None, {"outbox": 1})._platform == {"outbox": 1}


def test_a_unit_of_work_naming_no_platform_tables_cannot_be_made():
    with pytest.raises(TypeError, match="names no platform tables"):
        SqlUnitOfWork(sessionmaker=None)


def test_the_services_units_of_work_build_their_repositories():
    notify = NotifyUnitOfWork(sessionmaker=None)
    notify.bind("s")
    claims = ClaimsUnitOfWork(sessionmaker=None)
    claims.bind("s")

    assert isinstance(notify.notifications, NotificationRepository)
    assert {name for name in ("claims", "organisations", "activity", "bulk") if hasattr(claims, name)} == {
        "claims", "organisations", "activity", "bulk"}
