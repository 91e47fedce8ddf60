"""The Claims section: the claims list (filters, sorting, CSV download), a claim's page and assigning
a claim to a support user. Each page checks the role (``page_role``) and every form post the CSRF
token (``verify_csrf``)."""
from __future__ import annotations

import math
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from shared.contracts import roles
from shared.contracts.claim_status import SUPPORT_LABELS
from shared.contracts.http.claims import ClaimList
from shared.contracts.identifiers import is_reference

from ..api.claims import SORT_KEYS, stream_csv
from ..auth import page_role, verify_csrf
from ..checks import support_user_email
from ..clients import Downstream, GatewayError
from ..context import Gateway, gateway
from ..users import User
from .common import templates
from .forms import pagination, read_filter_form

SUPPORT = page_role(roles.SUPPORT)
CLAIM_READERS = page_role(*roles.CLAIM_READERS)
PER_PAGE = 25

router = APIRouter(include_in_schema=False)


async def _options(gw: Gateway, user: User) -> dict[str, Any]:
    providers = (await gw.services.claims.list_providers(user=user)).items
    windows = (await gw.services.claims.list_claim_windows(user=user)).items
    support_users = await gw.users.emails(role=roles.SUPPORT) if user.role == roles.SUPPORT else []
    return {"providers": providers, "windows": windows, "support_users": support_users,
            "academic_years": sorted({w.academic_year for w in windows}, reverse=True)}


@router.get("/claims")
async def claims_list(request: Request, user: User = Depends(CLAIM_READERS), gw: Gateway = Depends(gateway)):
    if user.role in (roles.SCHOOL, roles.MAT):  # schools and trusts have their own list (web/school.py)
        return RedirectResponse("/school/claims", status_code=303)
    form = read_filter_form(request.query_params, request.query_params.getlist("status"), SUPPORT_LABELS, SORT_KEYS)
    options = await _options(gw, user)
    result = ClaimList(items=[], total=0, page=form.page)
    if not form.errors:
        params = {**form.api_params(), "sort": form.sort, "order": form.order, "page": form.page,
                  "per_page": PER_PAGE}
        result = await gw.services.claims.search_claims(params, user=user)
    pages = math.ceil(result.total / PER_PAGE) if result.total else 0
    errors = [{"text": text, "href": f"#{key}-day"} for key, text in form.errors.items()]
    return templates(request).render(request, "claims/list.html", {
        "title": "Claims", "section": "claims", "subsection": "all", "form": form, "result": result,
        "pagination": pagination(form.page, pages, lambda n: form.link(page=n)), "status_labels": SUPPORT_LABELS,
        "errors": errors, "csv_link": "/claims/download.csv" + form.link(page=1), **options,
    })


@router.get("/claims/download.csv")
async def claims_csv(request: Request, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    form = read_filter_form(request.query_params, request.query_params.getlist("status"), SUPPORT_LABELS, SORT_KEYS)
    return await stream_csv(gw, user, {**form.api_params(), "sort": form.sort, "order": form.order}, "claims.csv")


@router.get("/claims/{reference}")
async def claim_details(request: Request, reference: str, user: User = Depends(CLAIM_READERS),
                        gw: Gateway = Depends(gateway)):
    if user.role in (roles.SCHOOL, roles.MAT):  # the school's own claim page (web/school.py)
        return RedirectResponse(f"/school/claims/{reference}" if is_reference(reference) else "/school/claims",
                                status_code=303)
    done = DONE.get(request.query_params.get("done", "")) if user.role == roles.SUPPORT else None
    return await claim_page(request, reference, user, gw, banner=done)


#: Success messages after an action on the claim page (status changes follow within seconds).
DONE = {
    "sampling-approved": "Claim approved. It will show as paid in a few seconds.",
    "sampling-rejected": "Claim rejected. It will show as claim not approved in a few seconds, ready for a clawback.",
    "provider-answer-recorded": ("The provider’s answer has been recorded. The claim will show as provider not "
                                 "approved in a few seconds."),
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
    claim = await gw.services.claims.get_claim(reference, user=user)
    support_users = await gw.users.emails(role=roles.SUPPORT) if user.role == roles.SUPPORT else []
    return templates(request).render(request, "claims/detail.html", {
        "title": f"Claim {reference}", "section": "claims", "subsection": "all", "claim": claim,
        "support_users": support_users, "errors": errors, "banner": banner}, status_code=status_code)


@router.post("/claims/{reference}/assign", dependencies=[Depends(verify_csrf)])
async def assign(request: Request, reference: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    form = await request.form()
    try:
        email = await support_user_email(gw, str(form.get("user_email") or ""))
        await gw.services.claims.assign_claim(reference, email, user=user)
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
