"""Signing in and out of the web UI (a session cookie; the sign-in form is rate limited like the API's)
and the home page, which sends each role to its section."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from shared.contracts import roles

from .. import auth
from ..auth import page_role, verify_csrf
from ..checks import sign_in_failed, start_sign_in
from ..clients import GatewayError
from ..context import Gateway, gateway, gateway_of
from ..users import User
from .common import templates

ANYONE_SIGNED_IN = page_role(*roles.USER_ROLES)

router = APIRouter(include_in_schema=False)


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
    if user.role in (roles.SCHOOL, roles.MAT):
        return RedirectResponse("/school", status_code=303)
    if user.role in roles.CLAIM_READERS:
        return RedirectResponse("/claims", status_code=303)
    if user.role == roles.PROVIDER:  # the provider's claims are its home (docs/design.md §12)
        return RedirectResponse("/provider/claims", status_code=303)
    return templates(request).render(request, "home.html")
