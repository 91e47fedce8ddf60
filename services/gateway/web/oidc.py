"""DfE Sign-in pages: start (redirect to the issuer) and the callback (docs/design.md §14; the
rules are in ``services/gateway/oidc.py``). A refusal is a page saying what to do, never a trace."""
from __future__ import annotations

import logging

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse

from .. import auth
from ..context import Gateway, gateway
from ..oidc import CALLBACK_PATH, FLOW_COOKIE, FLOW_MAX_AGE_S, SignInRefused, build_client  # noqa: F401
from .common import render

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)

PAGES = {
    "state": (403, "Sorry, we could not sign you in", [
        "The sign-in did not start in this browser, or it took too long.",
        "Go back to the sign-in page and try again."]),
    "token": (403, "Sorry, we could not sign you in", [
        "DfE Sign-in did not confirm who you are.", "Go back to the sign-in page and try again."]),
    "unknown_user": (403, "You do not have an account for this service", [
        "There is no active account for the email address you signed in with at DfE Sign-in.",
        "If you think you should have one, ask the support team to add you or to reactivate your account."]),
    "unavailable": (503, "Sorry, DfE Sign-in is unavailable", [
        "You can sign in with your email address and password instead, or try again later."]),
    "cancelled": (403, "You did not finish signing in", ["Go back to the sign-in page and try again."]),
}


def refused(request: Request, reason: str, email: str = ""):
    status, title, paragraphs = PAGES[reason]
    response = render(request, "oidc_refused.html", {"title": title, "paragraphs": paragraphs, "email": email},
                      status_code=status)
    response.delete_cookie(FLOW_COOKIE, path="/sign-in/dfe")
    return response


@router.get("/sign-in/dfe")
async def start(request: Request, next: str = "/", gw: Gateway = Depends(gateway)):
    if gw.oidc is None:
        return render(request, "error.html", {"title": "Page not found", "paragraphs": []}, status_code=404)
    try:
        url, cookie = await gw.oidc.start(auth.safe_next(next))
    except SignInRefused as error:
        log.warning("DfE Sign-in: %s", error)
        return refused(request, error.reason)
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(FLOW_COOKIE, cookie, max_age=FLOW_MAX_AGE_S, httponly=True, samesite="lax",
                        secure=gw.settings.secure_cookies, path="/sign-in/dfe")
    return response


@router.get(CALLBACK_PATH)
async def callback(request: Request, gw: Gateway = Depends(gateway)):
    if gw.oidc is None:
        return render(request, "error.html", {"title": "Page not found", "paragraphs": []}, status_code=404)
    params = request.query_params
    try:
        flow = gw.oidc.flow(request.cookies.get(FLOW_COOKIE), params.get("state"))
        if params.get("error"):
            raise SignInRefused("cancelled", str(params.get("error"))[:100])
        email = await gw.oidc.finish(flow, str(params.get("code") or "")[:2000])
    except SignInRefused as error:
        log.warning("DfE Sign-in refused: %s", error)
        return refused(request, error.reason)
    user = await gw.users.active_by_email(email)
    if user is None:
        log.warning("DfE Sign-in: no active user for the email address signed in with")
        return refused(request, "unknown_user", email)
    session_id, _ = await gw.users.start_session(user, max_age_s=gw.settings.session_max_age_s)
    response = RedirectResponse(flow.next_path, status_code=303)
    response.set_cookie(auth.SESSION_COOKIE, session_id, max_age=gw.settings.session_max_age_s, httponly=True,
                        samesite="lax", secure=gw.settings.secure_cookies, path="/")
    response.delete_cookie(FLOW_COOKIE, path="/sign-in/dfe")
    response.delete_cookie(auth.PRE_SESSION_CSRF_COOKIE, path="/")
    return response
