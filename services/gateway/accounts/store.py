"""Users administered by support, in the gateway database; each method is one transaction.

Rules:
- Inviting a user creates them without a password, stores an invitation (only the SHA-256 of its
  256-bit random token; valid ``lifetime``, default 72 hours) and asks notify for the email in the
  same transaction (``SendNotification`` through the outbox), so a user is never created without
  their email, nor an email sent for a user who was not created.
- An invitation works once: setting the password spends it in one atomic UPDATE, so two clicks at
  the same moment set one password. Inviting again revokes every older invitation of the user.
- Deactivating a user deletes their sessions and announces the change to every gateway process
  (their API tokens are refused from the next request on); their invitations are revoked.
- A users CSV is validated whole and kept pending; confirming it creates and invites every user
  once (a second confirm changes nothing).
"""
from __future__ import annotations

import asyncio
import hashlib
import secrets
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Iterable
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.contracts import roles
from shared.contracts.notify import SendNotification
from shared.platform.db import containing
from shared.platform.uow import SqlUnitOfWork

from .. import security
from ..tables import invitations, sessions, user_imports, users
from ..users import UserStore, notify_user_changed
from .rules import NewUser

INVITATION_LIFETIME = timedelta(hours=72)
TEMPLATE = "user_invitation"
LONDON = ZoneInfo("Europe/London")


class EmailTaken(Exception):
    """A user with this email address already exists."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def expiry_words(moment: datetime) -> str:
    """10:30am on 26 November 2026 (UK time), as the email says it."""
    local = moment.astimezone(LONDON)
    hour = local.hour % 12 or 12
    clock = "midday" if (local.hour, local.minute) == (12, 0) else (
        "midnight" if (local.hour, local.minute) == (0, 0) else f"{hour}:{local.minute:02d}{'am' if local.hour < 12 else 'pm'}")
    return f"{clock} on {local.day} {local:%B %Y}"


def _summary(row) -> dict[str, Any]:
    return {"id": row.id, "email": row.email, "role": row.role, "active": row.active,
            "first_name": row.first_name, "last_name": row.last_name, "school_urn": row.school_urn,
            "trust_id": row.trust_id, "provider_ids": list(row.provider_ids or ()),
            "password_set": row.password_hash is not None,
            "created_at": row.created_at.isoformat() if row.created_at else None}


class Accounts:
    def __init__(self, *, engine: AsyncEngine, sessionmaker, platform: dict, user_store: UserStore,
                 public_base_url: str, lifetime: timedelta = INVITATION_LIFETIME,
                 clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> None:
        self.engine = engine
        self._sessionmaker = sessionmaker
        self._platform = platform
        self.user_store = user_store
        self.public_base_url = public_base_url.rstrip("/")
        self.lifetime = lifetime
        self.clock = clock

    def _uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self._sessionmaker, self._platform)

    async def _invite(self, uow: SqlUnitOfWork, *, user_id: int, email: str, first_name: str, role: str,
                      now: datetime) -> None:
        """Revoke older invitations, store a new one, and queue its email (same transaction)."""
        token = secrets.token_urlsafe(32)
        token_hash = hash_token(token)
        expires = now + self.lifetime
        await uow.session.execute(update(invitations).where(
            invitations.c.user_id == user_id, invitations.c.used_at.is_(None), invitations.c.revoked_at.is_(None))
            .values(revoked_at=now))
        await uow.session.execute(insert(invitations).values(token_hash=token_hash, user_id=user_id, created_at=now,
                                                             expires_at=expires))
        uow.emit(SendNotification(
            notification_id=f"user-invitation:{user_id}:{token_hash[:32]}", template=TEMPLATE, to=email,
            reference=f"user:{user_id}",
            personalisation={"first_name": first_name or email, "role_name": roles.ROLE_NAMES[role],
                             "link": f"{self.public_base_url}/invitations/{token}",
                             "link_expires": expiry_words(expires)}))

    async def create(self, new_users: Iterable[NewUser], *, import_id: str | None = None) -> list[dict[str, Any]]:
        """Create and invite users (all or none). ``EmailTaken`` when one exists already; with
        ``import_id``, the pending import is marked confirmed in the same transaction, and a
        second confirm creates nobody (returns [])."""
        now = self.clock()
        async with self._uow() as uow:
            if import_id is not None:
                claimed = (await uow.session.execute(
                    update(user_imports).where(user_imports.c.id == import_id, user_imports.c.confirmed_at.is_(None))
                    .values(confirmed_at=now).returning(user_imports.c.id))).first()
                if claimed is None:
                    return []
            created = []
            for user in new_users:
                row = (await uow.session.execute(_insert_new(user))).first()
                if row is None:
                    raise EmailTaken(user.email)  # the unit of work rolls back
                await self._invite(uow, user_id=row.id, email=user.email, first_name=user.first_name,
                                   role=user.role, now=now)
                created.append({"id": row.id, "email": user.email, "role": user.role})
            await uow.commit()
        return created

    async def invite_again(self, user_id: int) -> dict[str, Any] | None:
        """A new invitation for an active user (older links stop working); None when unknown."""
        now = self.clock()
        async with self._uow() as uow:
            row = (await uow.session.execute(select(users).where(users.c.id == user_id).with_for_update())).first()
            if row is None:
                return None
            if not row.active:
                raise PermissionError("You cannot invite a deactivated user")
            await self._invite(uow, user_id=row.id, email=row.email, first_name=row.first_name or "",
                               role=row.role, now=now)
            await uow.commit()
        return _summary(row)

    async def deactivate(self, user_id: int) -> dict[str, Any] | None:
        """Deactivate: sessions deleted, invitations revoked, every process told (at commit)."""
        now = self.clock()
        async with self.engine.begin() as conn:
            row = (await conn.execute(update(users).where(users.c.id == user_id)
                                      .values(active=False, updated_at=now).returning(*users.c))).first()
            if row is None:
                return None
            await conn.execute(delete(sessions).where(sessions.c.user_id == user_id))
            await conn.execute(update(invitations).where(invitations.c.user_id == user_id, invitations.c.used_at.is_(None),
                                                         invitations.c.revoked_at.is_(None)).values(revoked_at=now))
            await conn.execute(notify_user_changed(user_id))
        self.user_store.forget(user_id)
        return _summary(row)

    # ----------------------------------------------------------------------------- reading
    async def get(self, user_id: int) -> dict[str, Any] | None:
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(users).where(users.c.id == user_id))).first()
            if row is None:
                return None
            invited = (await conn.execute(select(func.max(invitations.c.created_at))
                                          .where(invitations.c.user_id == user_id))).scalar()
        return {**_summary(row), "invited_at": invited.isoformat() if invited else None}

    def _filtered(self, query, *, q: str, role: str, active: bool | None):
        if q:
            pattern = containing(q)
            query = query.where(or_(users.c.email.ilike(pattern), users.c.first_name.ilike(pattern),
                                    users.c.last_name.ilike(pattern),
                                    (users.c.first_name + " " + users.c.last_name).ilike(pattern)))
        if role:
            query = query.where(users.c.role == role)
        if active is not None:
            query = query.where(users.c.active == active)
        return query

    async def page(self, *, q: str = "", role: str = "", active: bool | None = None, page: int = 1,
                   per_page: int = 25) -> dict[str, Any]:
        """Users by email, filtered: ``{"items", "total", "page", "per_page"}``."""
        async with self.engine.connect() as conn:
            total = (await conn.execute(self._filtered(select(func.count()).select_from(users), q=q, role=role,
                                                       active=active))).scalar_one()
            rows = (await conn.execute(self._filtered(select(users), q=q, role=role, active=active)
                                       .order_by(users.c.email).limit(per_page).offset((page - 1) * per_page))).all()
        return {"items": [_summary(r) for r in rows], "total": total, "page": page, "per_page": per_page}

    async def all_users(self, *, q: str = "", role: str = "", active: bool | None = None) -> list[dict[str, Any]]:
        async with self.engine.connect() as conn:
            rows = (await conn.execute(self._filtered(select(users), q=q, role=role, active=active)
                                       .order_by(users.c.email))).all()
        return [_summary(r) for r in rows]

    async def existing_emails(self, emails: Iterable[str]) -> set[str]:
        wanted = list(set(emails))
        if not wanted:
            return set()
        async with self.engine.connect() as conn:
            return set((await conn.execute(select(users.c.email).where(users.c.email.in_(wanted)))).scalars())

    # ------------------------------------------------------------------------- invitations
    async def invitation(self, token: str) -> tuple[str, dict[str, Any] | None]:
        """(ok | used | expired | revoked | unknown, the user when ok), without spending it."""
        now = self.clock()
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(invitations, users.c.email, users.c.active)
                                      .join(users, users.c.id == invitations.c.user_id)
                                      .where(invitations.c.token_hash == hash_token(token)))).first()
        if row is None:
            return "unknown", None
        status = _status(row, now)
        return status, ({"id": row.user_id, "email": row.email} if status == "ok" else None)

    async def accept(self, token: str, password: str) -> tuple[str, dict[str, Any] | None]:
        """Spend the invitation and set the password (the caller checked the password rules)."""
        now = self.clock()
        password_hash = await asyncio.to_thread(security.hash_password, password)  # Argon2: off the loop
        try:
            async with self.engine.begin() as conn:
                spent = (await conn.execute(
                    update(invitations).where(invitations.c.token_hash == hash_token(token),
                                              invitations.c.used_at.is_(None), invitations.c.revoked_at.is_(None),
                                              invitations.c.expires_at > now)
                    .values(used_at=now).returning(invitations.c.user_id))).first()
                if spent is not None:
                    user = (await conn.execute(update(users).where(users.c.id == spent.user_id, users.c.active)
                                               .values(password_hash=password_hash, updated_at=now)
                                               .returning(users.c.id, users.c.email))).first()
                    if user is None:
                        raise _Deactivated()  # rolls the spending back
                    await conn.execute(notify_user_changed(user.id))
                    return "ok", {"id": user.id, "email": user.email}
        except _Deactivated:
            return "revoked", None
        status, _ = await self.invitation(token)
        return (status if status != "ok" else "used"), None

    # ----------------------------------------------------------------------------- imports
    async def stage_import(self, new_users: list[NewUser], *, file_name: str, actor: str) -> str:
        upload_id = str(uuid.uuid4())
        async with self.engine.begin() as conn:
            await conn.execute(insert(user_imports).values(id=upload_id, file_name=file_name, created_by=actor,
                                                           rows=[u.as_dict() for u in new_users],
                                                           created_at=self.clock()))
        return upload_id

    async def pending_import(self, upload_id: str) -> dict[str, Any] | None:
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(user_imports).where(user_imports.c.id == upload_id))).first()
        if row is None:
            return None
        return {"upload_id": row.id, "file_name": row.file_name, "user_count": len(row.rows), "rows": row.rows,
                "confirmed": row.confirmed_at is not None}

    async def cancel_import(self, upload_id: str) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(delete(user_imports).where(user_imports.c.id == upload_id,
                                                          user_imports.c.confirmed_at.is_(None)))


def _insert_new(user: NewUser):
    from sqlalchemy.dialects.postgresql import insert as pg_insert

    return (pg_insert(users).values(email=user.email, password_hash=None, role=user.role, school_urn=user.school_urn,
                                    trust_id=user.trust_id, first_name=user.first_name, last_name=user.last_name,
                                    provider_ids=list(user.provider_ids), active=True)
            .on_conflict_do_nothing(index_elements=[users.c.email]).returning(users.c.id))


def _status(row, now: datetime) -> str:
    if row.revoked_at is not None or not row.active:
        return "revoked"
    if row.used_at is not None:
        return "used"
    return "ok" if row.expires_at > now else "expired"



class _Deactivated(Exception):
    pass
