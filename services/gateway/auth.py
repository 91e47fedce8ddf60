"""Who is asking, and may they? Role and organisation checks for the API and the pages.

Rules:
- The JSON API (``/api/v1``) authenticates with ``Authorization: Bearer <token>`` only; no cookie
  is accepted there, so the API cannot be driven by cross-site requests.
- Pages authenticate with the session cookie; every form post must carry the session's CSRF token
  (before sign-in: the double-submit ``claimflow_csrf`` cookie).
- A role check happens at every route; the organisation check (a school user sees only its school,
  a MAT user only its trust) is enforced by passing the user's school or trust to the owning
  service, which scopes every query by it (a claim of another school is "not found", 404).
- Anonymous: 401 JSON on the API; a redirect to the sign-in page on pages. Wrong role: 403.
"""
from __future__ import annotations

from typing import Callable
from urllib.parse import quote

from fastapi import Depends, Request

from . import security
from .clients import GatewayError
from .context import gateway_of
from .users import User

SESSION_COOKIE = "claimflow_session"
PRE_SESSION_CSRF_COOKIE = "claimflow_csrf"


def unauthorised() -> GatewayError:
    return GatewayError.one(401, "You need to sign in: send Authorization: Bearer <access_token>",
                            headers={"WWW-Authenticate": "Bearer"})


def forbidden() -> GatewayError:
    return GatewayError.one(403, "You do not have permission to do this")


async def api_user(request: Request) -> User:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthorised()
    gw = gateway_of(request)
    user_id = gw.tokens.user_id(token.strip())
    user = await gw.users.get(user_id) if user_id is not None else None
    if user is None:
        raise unauthorised()
    return user


def api_role(*roles: str) -> Callable:
    """Dependency: the bearer's user, who must have one of ``roles``."""

    async def check(user: User = Depends(api_user)) -> User:
        if user.role not in roles:
            raise forbidden()
        return user

    check.__name__ = f"api_role_{'_'.join(roles)}"
    return check


# ------------------------------------------------------------------------------------ pages
class SignInRequired(Exception):
    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


class PageForbidden(Exception):
    pass


class CsrfFailed(Exception):
    pass


async def page_session(request: Request) -> tuple[User, str] | None:
    """(user, csrf token) for the request's session cookie, cached on the request."""
    if hasattr(request.state, "session"):
        return request.state.session
    cookie = request.cookies.get(SESSION_COOKIE)
    found = await gateway_of(request).users.session(cookie) if cookie else None
    request.state.session = found
    return found


def page_role(*roles: str) -> Callable:
    """Dependency for pages: the signed-in user (redirect to sign-in if none) with one of ``roles``."""

    async def check(request: Request) -> User:
        found = await page_session(request)
        if found is None:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            raise SignInRequired(target)
        user, _ = found
        if user.role not in roles:
            raise PageForbidden()
        return user

    check.__name__ = f"page_role_{'_'.join(roles)}"
    return check


async def csrf_token(request: Request) -> str:
    """The token forms on this page must send back (session-bound, or the pre-session cookie)."""
    found = await page_session(request)
    if found:
        return found[1]
    token = request.cookies.get(PRE_SESSION_CSRF_COOKIE) or getattr(request.state, "new_csrf_cookie", None)
    if not token:
        token = request.state.new_csrf_cookie = security.new_csrf_token()
    return token


async def verify_csrf(request: Request) -> None:
    """Dependency for every form post: 403 unless the form's ``csrf_token`` matches."""
    form = await request.form()
    given = form.get("csrf_token")
    found = await page_session(request)
    expected = found[1] if found else request.cookies.get(PRE_SESSION_CSRF_COOKIE)
    if not security.csrf_matches(expected, given if isinstance(given, str) else None):
        raise CsrfFailed()


def sign_in_location(next_path: str) -> str:
    return f"/sign-in?next={quote(next_path, safe='')}"


def safe_next(next_path: str | None) -> str:
    """Only local paths, so the sign-in page cannot be used to send people elsewhere."""
    if next_path and next_path.startswith("/") and not next_path.startswith("//") and "\\" not in next_path:
        return next_path
    return "/"
