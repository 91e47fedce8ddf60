"""Support's part of the school journey (docs/design.md §11): create a draft claim for a school (only a school
or trust user can submit it) and mark a submitted claim's accredited provider as invalid."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from shared.contracts.http import claims as internal
from shared.contracts.identifiers import is_ascii_digits, is_reference, urn_error

from ..auth import verify_csrf
from ..clients import GatewayError, as_sent
from ..context import Gateway, gateway
from ..users import User
from .common import SUPPORT, form_text, render, see_other
from .school_common import errors_for, field_errors, providers

router = APIRouter(include_in_schema=False)


def _check_urn(urn: str) -> None:
    if urn_error(urn):
        raise GatewayError.one(404, "Page not found")


def _new_page(request, *, urn, items, values, errors=(), status_code=200):
    return render(request, "school/support_new_claim.html", {
        "title": "Create a claim for this school", "section": "claims", "subsection": "all", "urn": urn,
        "providers": items, "values": values, "errors": list(errors), "field_errors": field_errors(list(errors))},
        status_code=status_code)


@router.get("/support/schools/{urn}/claims/new")
async def new_draft(request: Request, urn: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    _check_urn(urn)
    return _new_page(request, urn=urn, items=await providers(gw, user), values={})


@router.post("/support/schools/{urn}/claims/new", dependencies=[Depends(verify_csrf)])
async def create_draft(request: Request, urn: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    _check_urn(urn)
    form = await request.form()
    values = {k: form_text(form, k, limit) for k, limit in (("provider_id", 100), ("trn", 20), ("full_name", 300),
                                                        ("hours", 10))}
    mentors = []
    errors = []
    if values["trn"] or values["full_name"] or values["hours"]:
        hours = values["hours"]
        if hours and not (is_ascii_digits(hours)):
            errors.append({"text": "Enter the number of hours as a whole number", "href": "#hours"})
        mentors.append({"trn": values["trn"], "full_name": values["full_name"],
                        "hours": int(hours) if hours and is_ascii_digits(hours) else None})
    if not values["provider_id"]:
        errors.insert(0, {"text": "Select an accredited provider", "href": "#provider_id"})
    if not errors:
        try:
            created = as_sent(await gw.services.claims.create_draft(internal.DraftIn(
                school_urn=urn, provider_id=values["provider_id"], mentors=mentors), user=user))
            return see_other(f"/claims/{created['reference']}")
        except GatewayError as exc:
            if exc.status >= 500:
                raise
            errors = errors_for(exc, fields={"trn": "trn", "full_name": "full_name", "hours": "hours",
                                             "provider_id": "provider_id"}, default="provider_id")
    return _new_page(request, urn=urn, items=await providers(gw, user), values=values, errors=errors,
                     status_code=422)


@router.get("/claims/{reference}/invalid-provider")
async def invalid_page(request: Request, reference: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    if not is_reference(reference):
        raise GatewayError.one(404, "Page not found")
    claim = as_sent(await gw.services.claims.get_claim(reference, user=user))
    return render(request, "school/support_invalid_provider.html", {
        "title": "Why can this accredited provider not be used?", "section": "claims", "subsection": "all",
        "claim": claim, "reason": "", "errors": []})


@router.post("/claims/{reference}/invalid-provider", dependencies=[Depends(verify_csrf)])
async def mark_invalid(request: Request, reference: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    if not is_reference(reference):
        raise GatewayError.one(404, "Page not found")
    reason = form_text(await request.form(), "reason", 1000)
    try:
        await gw.services.claims.mark_invalid_provider(reference, reason, user=user)
    except GatewayError as exc:
        if exc.status >= 500 or exc.status == 404:
            raise
        claim = as_sent(await gw.services.claims.get_claim(reference, user=user))
        return render(request, "school/support_invalid_provider.html", {
            "title": "Why can this accredited provider not be used?", "section": "claims", "subsection": "all",
            "claim": claim, "reason": reason, "errors": errors_for(exc, fields={}, default="reason")},
            status_code=422)
    return see_other(f"/claims/{reference}")
