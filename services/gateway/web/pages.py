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
from ..api.routes import SORT_KEYS, stream_csv, support_user_email, too_many_sign_ins
from ..auth import page_role, verify_csrf
from ..clients import Downstream, GatewayError
from ..context import Gateway, client_ip, gateway
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
                                                               "signed_out": signed_out})


@router.post("/sign-in", dependencies=[Depends(verify_csrf)])
async def sign_in(request: Request, gw: Gateway = Depends(gateway)):
    form = await request.form()
    email = str(form.get("email") or "").strip()[:320]
    password = str(form.get("password") or "")[:1024]
    next_path = auth.safe_next(str(form.get("next") or "/"))
    request.state.csrf_token = await auth.csrf_token(request)

    def again(errors: dict[str, str], status: int, headers: dict[str, str] | None = None) -> Response:
        return templates(request).render(request, "sign_in.html", {
            "email": email, "next_path": next_path, "field_errors": errors,
            "errors": [{"text": text, "href": f"#{field}"} for field, text in errors.items()]},
            status_code=status, headers=headers)

    missing = {}
    if not email:
        missing["email"] = "Enter your email address"
    if not password:
        missing["password"] = "Enter your password"
    if missing:
        return again(missing, 422)
    key = f"{client_ip(request)}|{email.lower()}"
    if not gw.sign_in_limiter.hit(key):
        error = too_many_sign_ins(gw.sign_in_limiter.retry_after(key))
        return again({"email": error.errors[0]["message"]}, 429, error.headers)
    user = await gw.users.authenticate(email, password)
    if user is None:
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


def _wants_page(request: Request) -> bool:
    """A person's browser (which asks for HTML) gets a page with a download button first, so that an
    email scanner or link preview that fetches the address does not use up the one download."""
    return "text/html" in request.headers.get("accept", "") and request.query_params.get("download") != "1"


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
@router.get("/links/{token}")
async def download_link(request: Request, token: str, gw: Gateway = Depends(gateway)):
    """A provider's or the payer's one-time CSV link. The services that issue links answer
    ``GET /internal/v1/links/{token}`` (200 CSV, 404 unknown, 410 expired or used); each is asked in turn."""
    ip = client_ip(request)
    if not gw.link_limiter.hit(ip):
        retry = gw.link_limiter.retry_after(ip)
        return templates(request).render(request, "error.html", {
            "title": "Too many requests",
            "paragraphs": [f"You have opened download links too many times. Wait {max(1, (retry + 59) // 60)} "
                           "minutes, then try again."]}, status_code=429, headers={"Retry-After": str(retry)})
    if len(token) > 200 or not all(c.isalnum() or c in "-_" for c in token):
        return _link_gone(request)
    if _wants_page(request):
        return templates(request).render(request, "link.html", {"title": "Download your file", "token": token})
    answered = False
    for service in (gw.services.sampling, gw.services.payments):
        try:
            async with service.stream("GET", f"/internal/v1/links/{token}", user=None) as response:
                body = await response.aread()
                headers = {k: v for k, v in response.headers.items()
                           if k.lower() in ("content-type", "content-disposition")}
                headers["Cache-Control"] = "no-store"
                return Response(body, status_code=200, headers=headers)
        except Downstream:
            answered = True
        except GatewayError:
            continue
    if not answered:
        raise GatewayError.one(503, "Sorry, the service is unavailable. Try again later.")
    return _link_gone(request)


def _link_gone(request: Request) -> Response:
    return templates(request).render(request, "link_error.html", status_code=410)


def _routers() -> list[APIRouter]:
    # The sections' own routes come before this module's ``/claims/{reference}``.
    from . import claim_windows, finance, organisations, sampling, uploads, workflows
    return [uploads.router, sampling.router, workflows.router, finance.router, organisations.router,
            claim_windows.router, router]


routers = _routers()
