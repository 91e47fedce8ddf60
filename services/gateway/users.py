"""People who sign in, and their browser sessions (the gateway's only state).

Rules:
- A role is one of support, school, mat, finance, provider. A school user belongs to exactly one
  school (``school_urn`` required), a MAT user to exactly one trust (``trust_id`` required), a
  provider user to one or more accredited providers (``provider_ids``); support and finance users
  belong to none.
- A deactivated user (``active`` false), or an invited one who has not set a password yet, cannot
  sign in; a deactivated user's sessions and API tokens are refused from the next request on
  (``forget`` drops the user from this process's cache; ``listen`` hears other processes' changes).
- Email addresses are stored trimmed and lower-case, so sign-in is case-insensitive.
- ``add_user`` creates the user or, when the email exists, replaces password, role and organisation
  (and makes the user active again: it is the operators' way back in).
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass
from urllib.parse import quote
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.contracts import roles
from shared.contracts.http.claims import NAME_HEADER
from shared.contracts.http.provider import PROVIDERS_HEADER
from shared.contracts.identifiers import email_error
from shared.platform.db import make_engine

from . import security
from .tables import sessions, users

log = logging.getLogger(__name__)
#: PostgreSQL channel on which a change to a user (deactivation, role) is announced to every gateway
#: process, so their caches drop the user at once.
USER_CHANGES_CHANNEL = "claimflow_user_changes"


@dataclass(frozen=True)
class User:
    id: int
    email: str
    role: str
    school_urn: str | None = None
    trust_id: str | None = None
    provider_ids: tuple[str, ...] = ()
    #: The person's name as support entered it ("" when none): claims keeps it as who submitted a claim.
    name: str = ""

    @property
    def actor_headers(self) -> dict[str, str]:
        """Who is acting, for the internal APIs (school and trust scope included)."""
        headers = {"x-actor-email": self.email, "x-actor-role": self.role}
        if self.school_urn:
            headers["x-actor-school"] = self.school_urn
        if self.trust_id:
            headers["x-actor-trust"] = self.trust_id
        if self.name:  # percent-encoded: a header carries Latin-1 only, a name may not
            headers[NAME_HEADER] = quote(self.name, safe=" ")
        if self.role == roles.PROVIDER:  # the providers it acts for, from the user record (docs/design.md §12)
            headers[PROVIDERS_HEADER] = ",".join(self.provider_ids)
        return headers


def normalise_email(email: str) -> str:
    return email.strip().lower()


def validate_user(email: str, password: str, role: str, school_urn: str | None, trust_id: str | None,
                  provider_ids: tuple[str, ...] = ()) -> None:
    """Raise ``ValueError`` with a message a person can act on."""
    if error := email_error(email):
        raise ValueError(error)
    if role not in roles.USER_ROLES:
        raise ValueError(f"Role must be one of {', '.join(roles.USER_ROLES)}")
    if role == roles.SCHOOL and not school_urn:
        raise ValueError("A school user needs a school URN (--school)")
    if role == roles.MAT and not trust_id:
        raise ValueError("A MAT user needs a trust id (--trust)")
    if role in roles.STAFF and (school_urn or trust_id):
        raise ValueError(f"A {role} user does not belong to a school or trust")
    if role == roles.SCHOOL and trust_id:
        raise ValueError("A school user belongs to a school, not a trust")
    if role == roles.MAT and school_urn:
        raise ValueError("A MAT user belongs to a trust, not a school")
    if role == roles.PROVIDER and not provider_ids:
        raise ValueError("Invite provider users from the Users page or POST /api/v1/users (they need provider ids)")
    security.check_password_policy(password)


async def add_user(database_url: str, email: str, password: str, role: str, school_urn: str | None = None,
                   trust_id: str | None = None, provider_ids: tuple[str, ...] = ()) -> None:
    """Create or update a user (used by ``claimflow users add`` and the demo seed; a provider user of
    the demo needs its ``provider_ids``)."""
    engine = make_engine(database_url, pool_size=1)
    try:
        await UserStore(engine).save_user(email=email, password=password, role=role, school_urn=school_urn,
                                          trust_id=trust_id, provider_ids=provider_ids)
    finally:
        await engine.dispose()


def _user(row) -> User:
    name = " ".join(part.strip() for part in (row.first_name or "", row.last_name or "") if part and part.strip())
    return User(id=row.id, email=row.email, role=row.role, school_urn=row.school_urn, trust_id=row.trust_id,
                provider_ids=tuple(row.provider_ids or ()), name=name)


def notify_user_changed(user_id: int):
    """A statement that tells every gateway process (at commit) to forget its cached copy of the user."""
    return text("SELECT pg_notify(:channel, :user_id)").bindparams(channel=USER_CHANGES_CHANNEL,
                                                                    user_id=str(user_id))


class UserStore:
    """Users and sessions in the gateway database; each method is one short transaction.

    ``get`` (the API's per-request look-up of a token's user) may answer from a short in-process
    cache: with ``cache_s`` > 0, a user read from the database is reused for at most ``cache_s``
    seconds, so a removed user, or a changed role or organisation, reaches the API within that
    bound. Token signatures and expiry are checked on every request regardless; sessions (pages)
    are never cached, so signing out ends a session at once. Deactivation and changes made here are
    announced on ``USER_CHANGES_CHANNEL`` in their transaction; while ``listen`` runs, every process
    drops the user at once, and while it is not listening the cache is not used at all."""

    #: Entries kept at most; the oldest go first.
    CACHE_ENTRIES = 10_000

    def __init__(self, engine: AsyncEngine, *, cache_s: float = 0.0, clock=time.monotonic) -> None:
        self.engine = engine
        self.cache_s = cache_s
        self._clock = clock
        self._cache: dict[int, tuple[float, User | None]] = {}
        #: The cache is only used while this process hears other processes' changes (``listen``).
        self._listening = False

    async def save_user(self, *, email: str, password: str, role: str, school_urn: str | None = None,
                        trust_id: str | None = None, provider_ids: tuple[str, ...] = ()) -> None:
        email = normalise_email(email)
        school_urn = (school_urn or "").strip() or None
        trust_id = (trust_id or "").strip() or None
        provider_ids = tuple(p for p in provider_ids if p)
        validate_user(email, password, role, school_urn, trust_id, provider_ids)
        values = {"email": email, "password_hash": security.hash_password(password), "role": role,
                  "school_urn": school_urn, "trust_id": trust_id, "provider_ids": list(provider_ids), "active": True}
        stmt = pg_insert(users).values(**values)
        stmt = stmt.on_conflict_do_update(index_elements=[users.c.email],
                                          set_={**{k: stmt.excluded[k] for k in values if k != "email"},
                                                "updated_at": func.now()}).returning(users.c.id)
        async with self.engine.begin() as conn:
            user_id = (await conn.execute(stmt)).scalar_one()
            await conn.execute(notify_user_changed(user_id))
        self.forget(user_id)

    async def authenticate(self, email: str, password: str) -> User | None:
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(users).where(users.c.email == normalise_email(email)))).first()
        # Argon2 takes tens of milliseconds of CPU on purpose: in a worker thread (argon2-cffi
        # releases the GIL), so one person signing in does not stall every other request.
        if row is None or row.password_hash is None or not row.active:
            await asyncio.to_thread(security.verify_password, security.DUMMY_HASH, password)  # same time as a wrong password
            return None
        if not await asyncio.to_thread(security.verify_password, row.password_hash, password):
            return None
        if security.needs_rehash(row.password_hash):
            async with self.engine.begin() as conn:
                await conn.execute(update(users).where(users.c.id == row.id)
                                   .values(password_hash=await asyncio.to_thread(security.hash_password, password)))
        return _user(row)

    async def active_by_email(self, email: str) -> User | None:
        """The active user with this email address (DfE Sign-in matches people by it)."""
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(users).where(users.c.email == normalise_email(email),
                                                          users.c.active))).first()
        return _user(row) if row else None

    async def get(self, user_id: int) -> User | None:
        """The active user with this id (None when unknown or deactivated)."""
        caching = self.cache_s > 0 and self._listening
        if caching:
            hit = self._cache.get(user_id)
            if hit is not None and hit[0] > self._clock():
                return hit[1]
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(users).where(users.c.id == user_id, users.c.active))).first()
        user = _user(row) if row else None
        if caching:
            if len(self._cache) >= self.CACHE_ENTRIES:
                self._cache.pop(next(iter(self._cache)))
            self._cache.pop(user_id, None)  # re-inserted last: the dict stays in expiry order
            self._cache[user_id] = (self._clock() + self.cache_s, user)
        return user

    def forget(self, user_id: int) -> None:
        """Drop the user from this process's cache (their next request reads the database)."""
        self._cache.pop(user_id, None)

    async def listen(self) -> None:
        """Run until cancelled: hear ``USER_CHANGES_CHANNEL`` and drop the users named. While the
        connection is down the cache is off (every request reads the database), so a change made
        by another process is never served stale for longer than it takes PostgreSQL to deliver it."""
        while True:
            try:
                async with self.engine.connect() as conn:
                    raw = (await conn.get_raw_connection()).driver_connection
                    lost = asyncio.Event()

                    def heard(_connection, _pid, _channel, payload: str) -> None:
                        with contextlib.suppress(ValueError):
                            self.forget(int(payload))

                    await raw.add_listener(USER_CHANGES_CHANNEL, heard)
                    raw.add_termination_listener(lambda _c: lost.set())
                    self._cache.clear()  # changes made before we listened
                    self._listening = True
                    try:
                        while not lost.is_set() and not raw.is_closed():
                            with contextlib.suppress(asyncio.TimeoutError):
                                await asyncio.wait_for(lost.wait(), 5.0)
                                break
                            await asyncio.wait_for(raw.fetchval("SELECT 1"), 5.0)  # still there?
                    finally:
                        self._listening = False
                        self._cache.clear()
                        with contextlib.suppress(Exception):
                            await raw.remove_listener(USER_CHANGES_CHANNEL, heard)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - database away: cache off, try again
                log.info("user change listener unavailable (%s); the user cache is off meanwhile", type(exc).__name__)
            await asyncio.sleep(1.0)

    async def emails(self, role: str | None = None) -> list[str]:
        query = select(users.c.email).where(users.c.active).order_by(users.c.email)
        if role:
            query = query.where(users.c.role == role)
        async with self.engine.connect() as conn:
            return list((await conn.execute(query)).scalars())

    # ------------------------------------------------------------------------------ sessions
    async def start_session(self, user: User, *, max_age_s: int, now: datetime | None = None) -> tuple[str, str]:
        """A new session for ``user``: (cookie value, CSRF token)."""
        now = now or datetime.now(timezone.utc)
        session_id, csrf = security.new_session_id(), security.new_csrf_token()
        async with self.engine.begin() as conn:
            await conn.execute(delete(sessions).where(sessions.c.expires_at < now))
            await conn.execute(insert(sessions).values(id=security.session_key(session_id), user_id=user.id,
                                                       csrf_token=csrf, created_at=now,
                                                       expires_at=now + timedelta(seconds=max_age_s)))
        return session_id, csrf

    async def session(self, session_id: str, *, now: datetime | None = None) -> tuple[User, str] | None:
        """The signed-in user and the session's CSRF token, or None when unknown or expired."""
        now = now or datetime.now(timezone.utc)
        query = (select(users, sessions.c.csrf_token).join(sessions, sessions.c.user_id == users.c.id)
                 .where(sessions.c.id == security.session_key(session_id), sessions.c.expires_at > now,
                        users.c.active))
        # One SELECT on every request: outside a transaction, which saves BEGIN and ROLLBACK's round trips.
        async with self.engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            row = (await conn.execute(query)).first()
        return (_user(row), row.csrf_token) if row else None

    async def end_session(self, session_id: str) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(delete(sessions).where(sessions.c.id == security.session_key(session_id)))
