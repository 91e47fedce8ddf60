"""School and trust pages (docs/design.md §11): home, funding estimate, change organisation, the claims list
and a claim's page. The add-claim journey is in ``add_claim.py``, the trust overview in ``trust.py``."""
from __future__ import annotations

import asyncio
from collections import defaultdict
from decimal import Decimal, InvalidOperation

from fastapi import APIRouter, Depends, Request

from shared.contracts import roles
from shared.contracts.claim_status import school_explanation, school_label
from shared.contracts.identifiers import is_ascii_digits, is_reference, urn_error

from ..auth import page_role, verify_csrf
from ..clients import GatewayError, as_sent
from ..context import Gateway, gateway
from ..users import User
from .common import form_text, render, see_other
from .school_common import CLAIMANT, SCHOOL_COOKIE, acting_for, acting_urn, mentor_names, window_state

MAT_ONLY = page_role(roles.MAT)
router = APIRouter(include_in_schema=False)

DONE = {"draft-saved": "Your claim has been saved as a draft.", "draft-deleted": "The draft claim has been deleted.",
        "provider-changed": "Your claim has been submitted again with the new accredited provider."}


@router.get("/school")
async def home(request: Request, user: User = Depends(CLAIMANT), gw: Gateway = Depends(gateway)):
    acting = await acting_for(request, user, gw, windows=True)
    return render(request, "school/home.html", {
        "title": acting.school["name"], "section": "school", "school": acting.school,
        **window_state(acting.page["windows"])})


@router.get("/school/funding-estimate")
async def estimate(request: Request, user: User = Depends(CLAIMANT), gw: Gateway = Depends(gateway)):
    acting = await acting_for(request, user, gw)
    query = request.query_params
    values = {k: (query.get(k) or "").strip()[:6] for k in ("mentors", "hours")}
    errors, result = [], None
    if "mentors" in query or "hours" in query:
        mentors, hours = values["mentors"], values["hours"]
        if not (is_ascii_digits(mentors) and 1 <= int(mentors) <= 1000):
            errors.append({"text": "Enter the number of mentors as a whole number between 1 and 1,000",
                           "href": "#mentors"})
        if not (is_ascii_digits(hours) and 1 <= int(hours) <= 20):
            errors.append({"text": "Enter the hours of training for each mentor as a whole number between 1 and 20",
                           "href": "#hours"})
        if not errors:
            try:
                rate = Decimal(acting.school["hourly_rate"])
            except (InvalidOperation, KeyError):
                raise GatewayError.one(503, "Sorry, the claims service is unavailable. Try again later.") from None
            total_hours = int(mentors) * int(hours)
            result = {"mentors": int(mentors), "hours": int(hours), "total_hours": total_hours,
                      "rate": rate, "amount": f"{rate * total_hours:.2f}"}
    return render(request, "school/estimate.html", {
        "title": "How much funding will we get?", "section": "school", "school": acting.school, "values": values,
        "errors": errors, "field_errors": {e["href"][1:]: e["text"] for e in errors}, "result": result},
        status_code=422 if errors else 200)


@router.get("/school/organisation")
async def organisation(request: Request, user: User = Depends(MAT_ONLY), gw: Gateway = Depends(gateway)):
    schools = as_sent(await gw.services.claims.trust_schools(user.trust_id, user=user))["items"]
    return render(request, "school/organisation.html", {
        "title": "Which organisation are you claiming for?", "section": "school", "schools": schools,
        "chosen": request.cookies.get(SCHOOL_COOKIE, ""), "errors": []})


@router.post("/school/organisation", dependencies=[Depends(verify_csrf)])
async def choose_organisation(request: Request, user: User = Depends(MAT_ONLY), gw: Gateway = Depends(gateway)):
    form = await request.form()
    urn = form_text(form, "school_urn", 20)
    schools = as_sent(await gw.services.claims.trust_schools(user.trust_id, user=user))["items"]
    if urn_error(urn) or urn not in {s["urn"] for s in schools}:
        errors = [{"text": "Select the school you are claiming for", "href": "#school_urn"}]
        return render(request, "school/organisation.html", {
            "title": "Which organisation are you claiming for?", "section": "school", "schools": schools,
            "chosen": "", "errors": errors}, status_code=422)
    response = see_other("/school")
    response.set_cookie(SCHOOL_COOKIE, urn, httponly=True, samesite="lax", secure=gw.settings.secure_cookies,
                        path="/", max_age=gw.settings.session_max_age_s)
    return response


@router.get("/school/claims")
async def claims(request: Request, user: User = Depends(CLAIMANT), gw: Gateway = Depends(gateway)):
    # the school and its claims at once: the search is scoped to the user's school or trust by the claims
    # service, and its answer is only shown once the school is known to be the one acted for
    urn = acting_urn(request, user)
    acting, searched = await asyncio.gather(acting_for(request, user, gw), gw.services.claims.search_claims({
        "school_urn": urn, "sort": "submitted_at", "order": "desc", "per_page": 500}, user=user))
    found = as_sent(searched)
    by_year: dict[str, list] = defaultdict(list)
    for c in found["items"]:
        by_year[c["academic_year"] or ""].append({**c, "mentors": mentor_names(c),
                                                  "label": school_label(c["status"]),
                                                  "explanation": school_explanation(c["status"])})
    years = sorted(by_year.items(), key=lambda kv: kv[0], reverse=True)
    return render(request, "school/claims.html", {
        "title": "Claims", "section": "school-claims", "school": acting.school, "years": years,
        "total": found["total"], "banner": DONE.get(request.query_params.get("done", ""))})


@router.get("/school/claims/{reference}")
async def claim(request: Request, reference: str, user: User = Depends(CLAIMANT), gw: Gateway = Depends(gateway)):
    if not is_reference(reference):
        raise GatewayError.one(404, "Page not found")
    acting = await acting_for(request, user, gw, claim=reference)
    found = acting.page["claim"]
    if found["school"]["urn"] != acting.urn:  # a trust's claim of another school: change organisation first
        raise GatewayError.one(404, "Page not found")
    return render(request, "school/claim.html", {
        "title": f"Claim {reference}", "section": "school-claims", "claim": found, "school": acting.school,
        "label": school_label(found["status"]), "explanation": school_explanation(found["status"]),
        "banner": DONE.get(request.query_params.get("done", ""))})
