"""Support UI pages. Each page checks the role (``page_role``) and every form post the CSRF token
(``verify_csrf``); data comes from the services' internal APIs exactly as for the JSON API."""
from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from shared.contracts import roles
from shared.contracts.claim_status import SUPPORT_LABELS
from shared.contracts.identifiers import is_reference

from .. import auth
from ..api.routes import SORT_KEYS, sign_in_failed, start_sign_in, stream_csv, support_user_email
from ..auth import page_role, verify_csrf
from ..clients import Downstream, GatewayError
from ..context import Gateway, client_ip, gateway, gateway_of
from ..users import User
from .forms import pagination, read_filter_form

SUPPORT = page_role(roles.SUPPORT)
CLAIM_READERS = page_role(*roles.CLAIM_READERS)
ANYONE_SIGNED_IN = page_role(*roles.USER_ROLES)
PER_PAGE = 25

router = APIRouter(include_in_schema=False)


def templates(request: Request):
    return request.app.state.templates


# --------------------------------------------------------------------------------- sign in
@router.get("/sign-in")
async def sign_in_page(request: Request, next: str = "/", signed_out: bool = False):
    if await auth.page_session(request):
        return RedirectResponse(auth.safe_next(next), status_code=303)
    request.state.csrf_token = await auth.csrf_token(request)
    return templates(request).render(request, "sign_in.html", {"next_path": auth.safe_next(next),
                                                               "signed_out": signed_out,
                                                               "oidc_enabled": gateway_of(request).oidc is not None})


@router.post("/sign-in", dependencies=[Depends(verify_csrf)])
async def sign_in(request: Request, gw: Gateway = Depends(gateway)):
    form = await request.form()
    email = str(form.get("email") or "").strip()[:320]
    password = str(form.get("password") or "")[:1024]
    next_path = auth.safe_next(str(form.get("next") or "/"))
    request.state.csrf_token = await auth.csrf_token(request)

    def again(errors: dict[str, str], status: int, headers: dict[str, str] | None = None) -> Response:
        return templates(request).render(request, "sign_in.html", {
            "email": email, "next_path": next_path, "field_errors": errors, "oidc_enabled": gw.oidc is not None,
            "errors": [{"text": text, "href": f"#{field}"} for field, text in errors.items()]},
            status_code=status, headers=headers)

    missing = {}
    if not email:
        missing["email"] = "Enter your email address"
    if not password:
        missing["password"] = "Enter your password"
    if missing:
        return again(missing, 422)
    try:
        key = start_sign_in(gw, request, email)
    except GatewayError as error:
        return again({"email": error.errors[0]["message"]}, 429, error.headers)
    user = await gw.users.authenticate(email, password)
    if user is None:
        sign_in_failed(gw, request)
        return again({"email": "Enter a correct email address and password"}, 401)
    gw.sign_in_limiter.reset(key)
    session_id, _ = await gw.users.start_session(user, max_age_s=gw.settings.session_max_age_s)
    response = RedirectResponse(next_path, status_code=303)
    response.set_cookie(auth.SESSION_COOKIE, session_id, max_age=gw.settings.session_max_age_s, httponly=True,
                        samesite="lax", secure=gw.settings.secure_cookies, path="/")
    response.delete_cookie(auth.PRE_SESSION_CSRF_COOKIE, path="/")
    return response


@router.post("/sign-out", dependencies=[Depends(verify_csrf)])
async def sign_out(request: Request, gw: Gateway = Depends(gateway)):
    if cookie := request.cookies.get(auth.SESSION_COOKIE):
        await gw.users.end_session(cookie)
    response = RedirectResponse("/sign-in?signed_out=true", status_code=303)
    response.delete_cookie(auth.SESSION_COOKIE, path="/")
    return response


@router.get("/")
async def home(request: Request, user: User = Depends(ANYONE_SIGNED_IN)):
    if user.role in roles.CLAIM_READERS:
        return RedirectResponse("/claims", status_code=303)
    return templates(request).render(request, "home.html")


# ---------------------------------------------------------------------------------- claims
async def _options(gw: Gateway, user: User) -> dict[str, Any]:
    providers = (await gw.services.claims.json("GET", "/internal/v1/providers", user=user))["items"]
    windows = (await gw.services.claims.json("GET", "/internal/v1/claim-windows", user=user))["items"]
    support_users = await gw.users.emails(role=roles.SUPPORT) if user.role == roles.SUPPORT else []
    return {"providers": providers, "windows": windows, "support_users": support_users,
            "academic_years": sorted({w["academic_year"] for w in windows}, reverse=True)}


@router.get("/claims")
async def claims_list(request: Request, user: User = Depends(CLAIM_READERS), gw: Gateway = Depends(gateway)):
    form = read_filter_form(request.query_params, request.query_params.getlist("status"), SUPPORT_LABELS, SORT_KEYS)
    options = await _options(gw, user)
    result = {"items": [], "total": 0, "page": form.page}
    if not form.errors:
        params = {**form.api_params(), "sort": form.sort, "order": form.order, "page": form.page,
                  "per_page": PER_PAGE}
        result = await gw.services.claims.json("GET", "/internal/v1/claims", user=user, params=params)
    pages = math.ceil(result["total"] / PER_PAGE) if result["total"] else 0
    errors = [{"text": text, "href": f"#{key}-day"} for key, text in form.errors.items()]
    return templates(request).render(request, "claims/list.html", {
        "title": "Claims", "section": "claims", "subsection": "all", "form": form, "result": result,
        "pagination": pagination(form.page, pages, lambda n: form.link(page=n)), "status_labels": SUPPORT_LABELS,
        "errors": errors, "csv_link": "/claims/download.csv" + form.link(page=1), **options,
    })


@router.get("/claims/download.csv")
async def claims_csv(request: Request, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    form = read_filter_form(request.query_params, request.query_params.getlist("status"), SUPPORT_LABELS, SORT_KEYS)
    return await stream_csv(gw, user, "/internal/v1/claims.csv",
                            {**form.api_params(), "sort": form.sort, "order": form.order}, "claims.csv")


@router.get("/claims/{reference}")
async def claim_details(request: Request, reference: str, user: User = Depends(CLAIM_READERS),
                        gw: Gateway = Depends(gateway)):
    done = DONE.get(request.query_params.get("done", "")) if user.role == roles.SUPPORT else None
    return await claim_page(request, reference, user, gw, banner=done)


#: Success messages after an action on the claim page (status changes follow within seconds).
DONE = {
    "sampling-approved": "Claim approved. It will show as paid in a few seconds.",
    "sampling-rejected": "Claim rejected. It will show as claim not approved in a few seconds, ready for a clawback.",
    "payment-information-sent": "Recorded that the information was sent to the payer.",
    "payment-paid": "Recorded that the payer paid the claim.",
    "payment-reject": "Recorded that the payer rejected the claim.",
    "clawback-requested": "Clawback requested. Another support user must approve it.",
    "clawback-approved": "Clawback approved. It is ready to send to the payer.",
    "clawback-rejected": "Clawback rejected.",
}


async def claim_page(request: Request, reference: str, user: User, gw: Gateway, *,
                     errors: list[dict[str, str]] | None = None, status_code: int = 200,
                     banner: str | None = None) -> Response:
    if not is_reference(reference):
        raise GatewayError.one(404, "Page not found")
    claim = await gw.services.claims.json("GET", f"/internal/v1/claims/{reference}", user=user)
    support_users = await gw.users.emails(role=roles.SUPPORT) if user.role == roles.SUPPORT else []
    return templates(request).render(request, "claims/detail.html", {
        "title": f"Claim {reference}", "section": "claims", "subsection": "all", "claim": claim,
        "support_users": support_users, "errors": errors, "banner": banner}, status_code=status_code)


@router.post("/claims/{reference}/assign", dependencies=[Depends(verify_csrf)])
async def assign(request: Request, reference: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    form = await request.form()
    try:
        email = await support_user_email(gw, str(form.get("user_email") or ""))
        await gw.services.claims.json("POST", f"/internal/v1/claims/{reference}/assign", user=user,
                                      json={"user_email": email})
    except Downstream as exc:
        if exc.status == 404:
            raise
        return await claim_page(request, reference, user, gw, status_code=exc.status, errors=[
            {"text": e["message"], "href": "#user_email"} for e in exc.errors])
    except GatewayError as exc:
        if exc.status != 422:
            raise
        return await claim_page(request, reference, user, gw, status_code=422, errors=[
            {"text": e["message"], "href": "#user_email"} for e in exc.errors])
    return RedirectResponse(f"/claims/{reference}?assigned=1", status_code=303)


# --------------------------------------------------------------------------- activity, emails
@router.get("/activity")
async def activity(request: Request, page: int = 1, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    page = max(1, min(page, 100_000))
    result = await gw.services.claims.json("GET", "/internal/v1/activity", user=user, params={"page": page})
    pages = math.ceil(result["total"] / 25) if result["total"] else 0
    return templates(request).render(request, "activity.html", {
        "title": "Activity log", "section": "activity", "result": result, "page": page,
        "pagination": pagination(page, pages, lambda n: f"?page={n}")})


@router.get("/notifications")
async def notifications(request: Request, page: int = 1, recipient: str = "", user: User = Depends(SUPPORT),
                        gw: Gateway = Depends(gateway)):
    page = max(1, min(page, 100_000))
    recipient = recipient.replace("\x00", "").strip()[:320]
    params = {"page": page, **({"recipient": recipient} if recipient else {})}
    result = await gw.services.notify.json("GET", "/internal/v1/notifications", user=user, params=params)
    per_page = result.get("per_page") or 25
    pages = math.ceil(result["total"] / per_page) if result["total"] else 0
    return templates(request).render(request, "notifications.html", {
        "title": "Notifications", "section": "notifications", "result": result, "page": page,
        "pagination": pagination(page, pages, lambda n: "?" + urlencode(
            {"page": n, **({"recipient": recipient} if recipient else {})})), "recipient": recipient})


# ------------------------------------------------------------------------------ public links
#: A link's token names the service that issued it (``shared.platform.links.new_token``).
LINK_ISSUERS = ("sampling", "payments")


def _wants_page(request: Request) -> bool:
    """A person's browser (which asks for HTML) gets a page with a download button first, so that an
    email scanner or link preview that fetches the address does not use up the one download."""
    return "text/html" in request.headers.get("accept", "") and request.query_params.get("download") != "1"


def _issuer(gw: Gateway, token: str):
    service, _, rest = token.partition("-")
    if service not in LINK_ISSUERS or not rest or len(token) > 200 or not all(c.isalnum() or c in "-_" for c in token):
        return None
    return getattr(gw.services, service)


def _link_refused(request: Request, gw: Gateway) -> Response | None:
    ip = client_ip(request)
    if gw.link_limiter.hit(ip):
        return None
    retry = gw.link_limiter.retry_after(ip)
    return templates(request).render(request, "error.html", {
        "title": "Too many requests",
        "paragraphs": [f"You have opened download links too many times. Wait {max(1, (retry + 59) // 60)} "
                       "minutes, then try again."]}, status_code=429, headers={"Retry-After": str(retry)})


@router.get("/links/{token}")
async def download_link(request: Request, token: str, gw: Gateway = Depends(gateway)):
    """A provider's or the payer's one-time CSV link. Unknown, used, expired and replaced links answer
    410 at once with the page that fits; a good link shows a page whose button downloads the file
    (``POST``), while a client that does not ask for HTML (or sends ``?download=1``) gets the file."""
    if refused := _link_refused(request, gw):
        return refused
    service = _issuer(gw, token)
    if service is None:
        return _link_gone(request, "unknown")
    if not _wants_page(request):
        return await _download(request, service, token)
    status = (await service.json("GET", f"/internal/v1/links/{token}/status", user=None)).get("status")
    if status != "ok":
        return _link_gone(request, status)
    request.state.csrf_token = await auth.csrf_token(request)
    return templates(request).render(request, "link.html", {"title": "Download your file", "token": token})


@router.post("/links/{token}", dependencies=[Depends(verify_csrf)])
async def download_link_file(request: Request, token: str, gw: Gateway = Depends(gateway)):
    """The page's download button: spends the link and sends the file, or the page that fits."""
    if refused := _link_refused(request, gw):
        return refused
    service = _issuer(gw, token)
    if service is None:
        return _link_gone(request, "unknown")
    return await _download(request, service, token)


async def _download(request: Request, service, token: str) -> Response:
    """The issuing service answers 200 with the CSV, or 410 with the ``reason``."""
    try:
        async with service.stream("GET", f"/internal/v1/links/{token}", user=None) as response:
            body = await response.aread()
    except Downstream as exc:
        return _link_gone(request, getattr(exc, "reason", None) if exc.status == 410 else "unknown")
    headers = {k: v for k, v in response.headers.items() if k.lower() in ("content-type", "content-disposition")}
    headers["Cache-Control"] = "no-store"
    return Response(body, status_code=200, headers=headers)


def _link_gone(request: Request, reason: str | None) -> Response:
    reason = reason if reason in ("unknown", "used", "expired", "revoked") else "unknown"
    return templates(request).render(request, "link_error.html", {"reason": reason}, status_code=410)


def _routers() -> list[APIRouter]:
    # The sections' own routes come before this module's ``/claims/{reference}``.
    from . import finance, sampling, uploads, workflows
    return [uploads.router, sampling.router, workflows.router, finance.router, router]


routers = _routers()
