"""The Sampling section (a sub-section of Claims): the claims waiting to be processed, the two
uploads (see ``uploads``), and support's decision on a claim the provider did not approve."""
from __future__ import annotations

import math

from fastapi import APIRouter, Depends, Request

from shared.contracts.http.claims import ClaimDetail
from shared.contracts.reasons import OTHER, REASONS, check_reason

from ..auth import verify_csrf
from ..clients import Downstream
from ..context import Gateway, gateway
from ..users import User
from .common import SUPPORT, check_reference, confirmed, form_text, render, see_other
from .forms import pagination

router = APIRouter(include_in_schema=False)
PER_PAGE = 25

CANCELLED = {"sample": "The sampling upload was cancelled. No claims were changed.",
             "response": "The provider response upload was cancelled. No claims were changed."}


@router.get("/claims/sampling")
async def sampling(request: Request, page: int = 1, cancelled: str = "", user: User = Depends(SUPPORT),
                   gw: Gateway = Depends(gateway)):
    page = max(1, min(page, 100_000))
    result = await gw.services.sampling.waiting_claims(page=page, per_page=PER_PAGE, user=user)
    summary = await gw.services.sampling.summary(user=user)
    pages = math.ceil(result.total / PER_PAGE) if result.total else 0
    return render(request, "sampling/list.html", {
        "title": "Sampling", "section": "claims", "subsection": "sampling", "result": result, "summary": summary,
        "banner": CANCELLED.get(cancelled), "pagination": pagination(page, pages, lambda n: f"?page={n}")})


async def _claim(gw: Gateway, user: User, reference: str) -> ClaimDetail:
    check_reference(reference)
    return await gw.services.claims.get_claim(reference, user=user)


async def _approve_page(request: Request, gw: Gateway, user: User, reference: str, errors=()):
    claim = await _claim(gw, user, reference)
    return render(request, "sampling/approve.html", {
        "title": "Are you sure you want to approve the claim?", "section": "claims", "subsection": "sampling",
        "claim": claim, "errors": list(errors)}, status_code=422 if errors else 200)


@router.get("/claims/{reference}/sampling/approve")
async def approve_page(request: Request, reference: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    return await _approve_page(request, gw, user, reference)


@router.post("/claims/{reference}/sampling/approve", dependencies=[Depends(verify_csrf)])
async def approve(request: Request, reference: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    check_reference(reference)
    return await confirmed(gw.services.sampling.approve_claim(reference, user=user),
                           f"/claims/{reference}?done=sampling-approved",
                           lambda errors: _approve_page(request, gw, user, reference, errors), "approve")


def _reject_context(claim: ClaimDetail, **more) -> dict:
    return {"title": "Why are you rejecting this claim?", "section": "claims", "subsection": "sampling",
            "claim": claim, "reasons": list(REASONS.items()), "values": {}, "field_errors": {}, **more}


@router.get("/claims/{reference}/sampling/reject")
async def reject_page(request: Request, reference: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    claim = await _claim(gw, user, reference)
    return render(request, "sampling/reject.html", _reject_context(claim))


@router.post("/claims/{reference}/sampling/reject", dependencies=[Depends(verify_csrf)])
async def reject(request: Request, reference: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    """A structured reason (docs/design.md §12) travelling as "code: details"."""
    check_reference(reference)
    form = await request.form()
    values = {"reason_code": form_text(form, "reason_code", 64), "reason": form_text(form, "reason")}
    reason, problem = check_reason(values["reason_code"], values["reason"])
    field_errors = {}
    if problem:
        field = "reason" if values["reason_code"] == OTHER else "reason_code"
        field_errors[field] = f"{problem} for rejecting the claim"
    else:
        try:
            await gw.services.sampling.reject_claim(reference, reason.as_text(), user=user)
        except Downstream as exc:
            if exc.status != 422:
                raise
            field_errors = {"reason_code": exc.errors[0]["message"]}
    if field_errors:
        claim = await _claim(gw, user, reference)
        return render(request, "sampling/reject.html", _reject_context(
            claim, values=values, field_errors=field_errors,
            errors=[{"text": t, "href": f"#{f}"} for f, t in field_errors.items()]), status_code=422)
    return see_other(f"/claims/{reference}?done=sampling-rejected")


@router.post("/claims/sampling/providers/{provider_id}/resend", dependencies=[Depends(verify_csrf)])
async def resend(request: Request, provider_id: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    if not (0 < len(provider_id) <= 100 and all(c.isalnum() or c in "-_" for c in provider_id)):
        raise Downstream(404, [{"message": "Page not found"}])
    await gw.services.sampling.resend_link(provider_id, user=user)
    return see_other("/claims/sampling?resent=1")
