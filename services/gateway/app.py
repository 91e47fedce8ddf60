"""Composition root of the gateway: settings → user store, service clients, signer, rate limiters,
templates, routes, security headers and error handling. ``create_app`` is what the CLI runs."""
from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy.exc import TimeoutError as SqlAlchemyTimeout
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import cookie_parser

from shared.contracts.topics import NOTIFY_COMMANDS
from shared.platform.service import ServiceRuntime, create_service_app
from shared.platform.validation_errors import plain_errors

from . import auth
from . import api, oidc, web
from .accounts.store import Accounts
from .api import ecf as ecf_api
from .clients import GatewayError, Services
from .config import GatewaySettings
from .context import Gateway
from .security import RateLimiter, TokenSigner
from .tables import metadata, platform
from .users import UserStore
from .web.school_common import ChooseOrganisation
from .web.templating import Templates

log = logging.getLogger(__name__)
SERVICE_DIR = Path(__file__).parent
STATIC = SERVICE_DIR / "static"

DESCRIPTION = """The ClaimFlow JSON API (mentor-training funding claims).

Sign in with `POST /api/v1/auth/token`, then send `Authorization: Bearer <access_token>`.
Amounts are strings with two decimals; dates are ISO 8601; every error response is
`{"errors": [{"message": "...", "row": 3, "field": "claim_reference"}]}`; lists are
`{"items": [...], "total": N, "page": 1}`.
"""


def create_app(settings: GatewaySettings | None = None, *,
               transports: dict[str, httpx.AsyncBaseTransport] | None = None) -> FastAPI:
    settings = settings or GatewaySettings()
    key = settings.signing_key()  # refuses to start without SECRET_KEY outside development
    if not settings.secret_key:
        log.warning("SECRET_KEY is not set: using the development key (CLAIMFLOW_DEV=1)")
    runtime = ServiceRuntime(settings=settings, metadata=metadata, database_url=settings.database_url,
                             publishes=[NOTIFY_COMMANDS.name])  # invitation emails
    services = Services.from_settings(settings, transports)

    app = create_service_app(runtime, title="ClaimFlow API", routers=[*api.routers, *web.routers])
    app.description = DESCRIPTION
    app.version = "1.0.0"
    # The interactive docs load scripts from a CDN, which the content security policy forbids;
    # the OpenAPI document itself stays at /openapi.json.
    app.router.routes[:] = [r for r in app.router.routes
                            if getattr(r, "path", None) not in ("/docs", "/docs/oauth2-redirect", "/redoc", "/metrics")]
    _operator_metrics(app, settings)
    user_store = UserStore(runtime.engine, cache_s=settings.user_cache_s)
    app.state.gateway = Gateway(
        settings=settings, users=user_store, services=services,
        accounts=Accounts(engine=runtime.engine, sessionmaker=runtime.sessionmaker, platform=platform,
                          user_store=user_store, public_base_url=settings.public_base_url,
                          lifetime=timedelta(hours=settings.invitation_lifetime_hours)),
        oidc=oidc.build_client(settings),
        tokens=TokenSigner(key, max_age_s=settings.token_max_age_s),
        sign_in_limiter=RateLimiter(limit=settings.sign_in_rate_limit, window_s=settings.sign_in_rate_window_s),
        link_limiter=RateLimiter(limit=settings.link_rate_limit, window_s=settings.link_rate_window_s),
        sign_in_client_limiter=RateLimiter(limit=settings.sign_in_client_rate_limit,
                                           window_s=settings.sign_in_rate_window_s))
    app.state.templates = Templates()
    app.mount("/assets", StaticFiles(directory=STATIC / "govuk"), name="assets")
    app.mount("/static", StaticFiles(directory=STATIC / "app"), name="static")

    previous_lifespan = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(a: FastAPI):
        async with previous_lifespan(a):
            listener = asyncio.create_task(user_store.listen(), name="user-changes")
            try:
                yield
            finally:
                listener.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await listener
                await services.aclose()

    app.router.lifespan_context = lifespan
    _security_headers(app, settings)
    _error_handlers(app)
    return app


def _operator_metrics(app: FastAPI, settings: GatewaySettings) -> None:
    """``/metrics`` for operators only: the gateway faces the internet, so the scraper sends the
    internal token (``X-Internal-Token: <token>`` or ``Authorization: Bearer <token>``); anyone
    else is told the page does not exist."""

    @app.get("/metrics", include_in_schema=False)
    async def metrics(request: Request) -> Response:
        scheme, _, bearer = request.headers.get("authorization", "").partition(" ")
        given = request.headers.get("x-internal-token") or (bearer.strip() if scheme.lower() == "bearer" else "")
        if not (settings.internal_api_token and secrets.compare_digest(given.encode(),
                                                                        settings.internal_api_token.encode())):
            raise StarletteHTTPException(404)
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


def _security_headers(app: FastAPI, settings: GatewaySettings) -> None:
    app.add_middleware(UnexpectedErrors)  # added first, so inside SecurityHeaders: its pages get the headers
    app.add_middleware(SecurityHeaders, settings=settings)


class UnexpectedErrors:
    """ASGI middleware: an error no handler expected is logged with its traceback and answered with the
    GOV.UK "problem with the service" page (500), or the API's error shape, never a bare "Internal Server
    Error". A response already started cannot be replaced: the error goes on to the server."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception:
            if started:
                raise
            request = Request(scope)
            log.exception("%s %s failed", request.method, request.url.path)
            title, paragraphs = PAGE_ERRORS[500]
            response = (_json(500, [{"message": f"{title}. {paragraphs[0]}"}], request=request) if _is_api(request)
                        else _page(request, 500))
            await response(scope, receive, send)


class SecurityHeaders:
    """ASGI middleware: a fresh CSP nonce per request (``request.state.csp_nonce``, used by the
    templates), the security headers on every response, ``Cache-Control: no-store`` unless the
    route set its own (static assets aside), and the pre-session CSRF cookie when a page made one.
    Plain ASGI rather than ``@app.middleware``: no extra task and body streams per request."""

    def __init__(self, app, *, settings: GatewaySettings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = secrets.token_urlsafe(16)
        state = scope.setdefault("state", {})
        state["csp_nonce"] = nonce
        settings = self.settings
        static = scope["path"].startswith(("/assets/", "/static/"))

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = (
                    f"default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self'; img-src 'self' data:; "
                    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
                    "frame-ancestors 'none'")
                headers["X-Frame-Options"] = "DENY"
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "same-origin"
                headers["Cross-Origin-Opener-Policy"] = "same-origin"
                headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
                if settings.secure_cookies:
                    headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
                if not static and "cache-control" not in headers:
                    headers["Cache-Control"] = "no-store"
                new_cookie = state.get("new_csrf_cookie")
                if new_cookie and not _has_cookie(scope, auth.PRE_SESSION_CSRF_COOKIE):
                    cookie = Response()
                    cookie.set_cookie(auth.PRE_SESSION_CSRF_COOKIE, new_cookie, httponly=True, samesite="lax",
                                      secure=settings.secure_cookies, path="/", max_age=3600)
                    headers.append("set-cookie", cookie.headers["set-cookie"])
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _has_cookie(scope, name: str) -> bool:
    return any(key == b"cookie" and name in cookie_parser(value.decode("latin-1")) for key, value in scope["headers"])


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


PAGE_ERRORS = {
    400: ("Sorry, there is a problem with your request", ["Check the address and try again."]),
    401: ("You need to sign in", []),
    403: ("You do not have permission to see this page", ["If you think you should, contact the support team."]),
    404: ("Page not found", ["If you typed the web address, check it is correct.",
                              "If you pasted the web address, check you copied the entire address."]),
    405: ("Page not found", ["If you typed the web address, check it is correct."]),
    422: ("Sorry, there is a problem with your request", ["Check the information you entered and try again."]),
    500: ("Sorry, there is a problem with the service", ["Try again later.",
                                                         "If the problem continues, contact the support team."]),
    503: ("Sorry, the service is unavailable", ["You will be able to use the service later.",
                                                "Try again in a few minutes."]),
}


def _page(request: Request, status: int, *, paragraphs: list[str] | None = None,
          title: str | None = None, headers: dict[str, str] | None = None) -> Response:
    default_title, default_paragraphs = PAGE_ERRORS.get(status, PAGE_ERRORS[400] if status < 500 else PAGE_ERRORS[503])
    return request.app.state.templates.render(request, "error.html", {
        "title": title or default_title, "paragraphs": paragraphs if paragraphs is not None else default_paragraphs,
    }, status_code=status, headers=headers)


def _json(status: int, errors: list[dict[str, Any]], headers: dict[str, str] | None = None, *,
          request: Request | None = None) -> JSONResponse:
    if request is not None and request.url.path.startswith("/api/v3/"):
        # The Lead Provider API speaks JSON:API: {"errors": [{"title", "detail"}]}.
        from http import HTTPStatus
        title = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
        errors = [{"title": title, "detail": e.get("message", "")} for e in errors]
    return JSONResponse({"errors": errors}, status_code=status, headers=headers)


def _error_handlers(app: FastAPI) -> None:
    @app.exception_handler(GatewayError)
    async def gateway_error(request: Request, exc: GatewayError) -> Response:
        if _is_api(request):
            return _json(exc.status, exc.errors, exc.headers, request=request)
        if exc.status == 401:
            return RedirectResponse(auth.sign_in_location(request.url.path), status_code=303)
        paragraphs = [e["message"] for e in exc.errors] if exc.status in (409, 410, 422) else None
        return _page(request, exc.status, paragraphs=paragraphs, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = plain_errors(exc.errors())
        if _is_api(request):
            return _json(422, errors, request=request)
        return _page(request, 404 if any(e.get("field") in ("reference",) for e in errors) else 400)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else "Request refused"
        if exc.status_code == 404:
            message = "Not found"
        if _is_api(request):
            return _json(exc.status_code, [{"message": message}], getattr(exc, "headers", None), request=request)
        return _page(request, exc.status_code, headers=getattr(exc, "headers", None))

    @app.exception_handler(SqlAlchemyTimeout)
    async def busy(request: Request, exc: SqlAlchemyTimeout) -> Response:
        # Every database connection stayed busy for the pool's whole timeout: the service is overloaded,
        # which passes; the user is told to try again, as when a service does not answer.
        log.warning("%s %s: no database connection came free (%s)", request.method, request.url.path, exc)
        headers = {"Retry-After": "10"}
        if _is_api(request):
            return _json(503, [{"message": "Sorry, the service is busy. Try again in a few minutes."}], headers,
                         request=request)
        return _page(request, 503, headers=headers)

    @app.exception_handler(ecf_api.JsonApiError)
    async def jsonapi_error(request: Request, exc: ecf_api.JsonApiError) -> Response:
        return exc.response()

    @app.exception_handler(auth.SignInRequired)
    async def sign_in_required(request: Request, exc: auth.SignInRequired) -> Response:
        return RedirectResponse(auth.sign_in_location(exc.next_path), status_code=303)

    @app.exception_handler(ChooseOrganisation)
    async def choose_organisation(request: Request, exc: ChooseOrganisation) -> Response:
        return RedirectResponse("/school/organisation", status_code=303)

    @app.exception_handler(auth.PageForbidden)
    async def page_forbidden(request: Request, exc: auth.PageForbidden) -> Response:
        return _page(request, 403)

    @app.exception_handler(auth.CsrfFailed)
    async def csrf_failed(request: Request, exc: auth.CsrfFailed) -> Response:
        return _page(request, 403, title="Sorry, there is a problem with this form", paragraphs=[
            "The form could not be sent because it expired or did not come from this service.",
            "Go back, reload the page and try again."])
