"""Security primitives, pure and framework-free: password hashing, signed API tokens, CSRF
tokens and the sliding-window rate limiter.

Rules:
- Passwords are hashed with Argon2id at OWASP's recommended configuration (19 MiB of memory, 2 passes,
  1 lane: about 20 ms of CPU, where argon2-cffi's defaults of 64 MiB, 3 passes and 4 lanes take about
  150 ms, which on 2 cores made sign-ins queue behind each other at a window's close); a password must
  be at least ``MIN_PASSWORD_LENGTH`` characters. Hashes made with other parameters are re-hashed on
  sign-in.
- API tokens are the user id signed with a timestamp (itsdangerous); they expire after the
  configured age and stop working when the user is removed (the user is looked up every request).
- CSRF tokens are random per session and compared in constant time.
- The rate limiter allows ``limit`` events per key in any ``window`` seconds (sliding window).
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections import deque
from typing import Callable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner

MIN_PASSWORD_LENGTH = 8
#: OWASP Password Storage Cheat Sheet: "Argon2id with a minimum configuration of 19 MiB of memory, an
#: iteration count of 2, and 1 degree of parallelism".
ARGON2_MEMORY_KIB, ARGON2_TIME_COST, ARGON2_PARALLELISM = 19 * 1024, 2, 1
_hasher = PasswordHasher(time_cost=ARGON2_TIME_COST, memory_cost=ARGON2_MEMORY_KIB, parallelism=ARGON2_PARALLELISM)


class PasswordTooShort(ValueError):
    pass


def check_password_policy(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordTooShort(f"Password must be {MIN_PASSWORD_LENGTH} characters or more")


def hash_password(password: str) -> str:
    check_password_policy(password)
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


#: Verified against when the email is unknown, so a wrong email takes as long as a wrong password.
DUMMY_HASH = _hasher.hash("not-a-real-password-" + secrets.token_hex(8))


class TokenSigner:
    """Signs a user id into a bearer token; ``user_id`` returns None for bad or expired tokens."""

    def __init__(self, secret_key: str, *, max_age_s: int, salt: str = "claimflow.api-token") -> None:
        self._signer = TimestampSigner(secret_key, salt=salt)
        self.max_age_s = max_age_s

    def issue(self, user_id: int) -> str:
        return self._signer.sign(str(user_id)).decode()

    def user_id(self, token: str) -> int | None:
        try:
            value = self._signer.unsign(token, max_age=self.max_age_s)
        except (SignatureExpired, BadSignature):
            return None
        try:
            return int(value)
        except ValueError:
            return None


def new_session_id() -> str:
    return secrets.token_urlsafe(32)


def session_key(session_id: str) -> str:
    """What the database keeps: a stolen table row cannot be replayed as a cookie."""
    return hashlib.sha256(session_id.encode()).hexdigest()


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def csrf_matches(expected: str | None, given: str | None) -> bool:
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


class RateLimiter:
    """In-memory sliding window per key (one process; each gateway replica counts on its own)."""

    def __init__(self, *, limit: int, window_s: float, clock: Callable[[], float] = time.monotonic,
                 max_keys: int = 100_000) -> None:
        self.limit = limit
        self.window_s = window_s
        self._clock = clock
        self._max_keys = max_keys
        self._hits: dict[str, deque[float]] = {}

    def hit(self, key: str) -> bool:
        """Record an attempt; False when the key has used up its allowance (the attempt is refused)."""
        now = self._clock()
        hits = self._hits.get(key)
        if hits is None:
            if len(self._hits) >= self._max_keys:
                self._sweep(now)
            hits = self._hits[key] = deque()
        while hits and hits[0] <= now - self.window_s:
            hits.popleft()
        if len(hits) >= self.limit:
            return False
        hits.append(now)
        return True

    def allows(self, key: str) -> bool:
        """Whether ``hit`` would be allowed now, without recording an attempt."""
        hits = self._hits.get(key)
        if not hits:
            return True
        now = self._clock()
        while hits and hits[0] <= now - self.window_s:
            hits.popleft()
        return len(hits) < self.limit

    def retry_after(self, key: str) -> int:
        hits = self._hits.get(key)
        if not hits:
            return 0
        return max(1, int(hits[0] + self.window_s - self._clock()) + 1)

    def reset(self, key: str) -> None:
        self._hits.pop(key, None)

    def _sweep(self, now: float) -> None:
        for key in [k for k, h in self._hits.items() if not h or h[-1] <= now - self.window_s]:
            del self._hits[key]
