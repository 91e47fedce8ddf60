"""Add a claim (docs/design.md §11): GOV.UK question pages, one thing a page, each with a Back link. The claim is
a draft in the claims service from the first answer on, so it can be left and finished later; every
answer is checked there and a refusal comes back as an error on the field it concerns.

provider → mentors → hours (one page a mentor) → check your answers → declaration → confirmation.
"""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from shared.contracts.http import claims as internal
from shared.contracts.identifiers import is_ascii_digits, is_reference, is_trn, trn_error

from ..auth import verify_csrf
from ..clients import GatewayError, as_sent
from ..context import Gateway, gateway
from ..users import User
from .common import form_text, render, see_other
from .school_common import CLAIMANT, Acting, acting_for, errors_for, field_errors

router = APIRouter(include_in_schema=False)


async def _draft(request: Request, reference: str, user: User, gw: Gateway, *, allowances: bool = False,
                 providers: bool = False) -> tuple[Acting, dict[str, Any]]:
    """The school acted for and its claim (with, as asked, the mentors' allowances and the providers), in
    one call of the claims service."""
    if not is_reference(reference):
        raise GatewayError.one(404, "Page not found")
    acting = await acting_for(request, user, gw, claim=reference, allowances=allowances, providers=providers)
    claim = acting.page["claim"]
    if claim["school"]["urn"] != acting.urn:
        raise GatewayError.one(404, "Page not found")
    return acting, claim


def _not_draft(claim: dict[str, Any]) -> Response | None:
    """After submission nothing changes: the journey's pages lead to the claim's page."""
    return None if claim["status"] == "draft" else see_other(f"/school/claims/{claim['reference']}")


def _mentor_lines(claim: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"trn": m["trn"], "full_name": m["full_name"], "hours": m["hours"]} for m in claim["mentors"]]


def _next_page(claim_ref: str, mentors: list[dict[str, Any]]) -> str:
    missing = next((m for m in mentors if not m.get("hours")), None)
    return f"/school/claims/{claim_ref}/hours/{missing['trn']}" if missing else f"/school/claims/{claim_ref}/check"


# -------------------------------------------------------------------------------------------- provider
def _provider_page(request, *, claim, items, chosen, errors, status_code=200, change=False):
    return render(request, "school/provider.html", {
        "title": "Which accredited provider is your claim for?", "section": "school-claims", "claim": claim,
        "providers": items, "chosen": chosen, "errors": errors, "change": change,
        "back": (f"/school/claims/{claim['reference']}/check" if claim else "/school")}, status_code=status_code)


@router.get("/school/claims/new")
async def new_claim(request: Request, user: User = Depends(CLAIMANT), gw: Gateway = Depends(gateway)):
    acting = await acting_for(request, user, gw, providers=True)
    return _provider_page(request, claim=None, items=acting.page["providers"], chosen="", errors=[])


@router.post("/school/claims/new", dependencies=[Depends(verify_csrf)])
async def start_claim(request: Request, user: User = Depends(CLAIMANT), gw: Gateway = Depends(gateway)):
    acting = await acting_for(request, user, gw, providers=True)
    provider_id = form_text(await request.form(), "provider_id", 100)
    items = acting.page["providers"]
    if provider_id not in {p["id"] for p in items}:
        return _provider_page(request, claim=None, items=items, chosen="", status_code=422,
                              errors=[{"text": "Select an accredited provider", "href": "#provider_id"}])
    try:
        created = as_sent(await gw.services.claims.create_draft(internal.DraftIn(
            school_urn=acting.urn, provider_id=provider_id, mentors=[]), user=user))
    except GatewayError as exc:
        if exc.status >= 500:
            raise
        return _provider_page(request, claim=None, items=items, chosen=provider_id, status_code=422,
                              errors=errors_for(exc, fields={}, default="provider_id"))
    return see_other(f"/school/claims/{created['reference']}/mentors")


@router.get("/school/claims/{reference}/provider")
async def provider_page(request: Request, reference: str, user: User = Depends(CLAIMANT),
                        gw: Gateway = Depends(gateway)):
    acting, claim = await _draft(request, reference, user, gw, providers=True)
    items = acting.page["providers"]
    if claim["status"] == "invalid_provider":
        items = [p for p in items if p["id"] != claim["provider"]["id"]]
        return render(request, "school/new_provider.html", {
            "title": "Choose another accredited provider", "section": "school-claims", "claim": claim,
            "providers": items, "errors": []})
    return _not_draft(claim) or _provider_page(request, claim=claim, items=items, chosen=claim["provider"]["id"],
                                               errors=[], change=True)


@router.post("/school/claims/{reference}/provider", dependencies=[Depends(verify_csrf)])
async def choose_provider(request: Request, reference: str, user: User = Depends(CLAIMANT),
                          gw: Gateway = Depends(gateway)):
    acting, claim = await _draft(request, reference, user, gw, providers=True)
    provider_id = form_text(await request.form(), "provider_id", 100)
    items = acting.page["providers"]
    invalid = claim["status"] == "invalid_provider"
    if not invalid and (early := _not_draft(claim)):
        return early
    try:
        if provider_id not in {p["id"] for p in items}:
            raise GatewayError.one(422, "Select an accredited provider", field="provider_id")
        if invalid:
            await gw.services.claims.change_provider(reference, provider_id, user=user)
            return see_other(f"/school/claims/{reference}?done=provider-changed")
        await gw.services.claims.change_draft(reference, internal.DraftPatch(provider_id=provider_id), user=user)
    except GatewayError as exc:
        if exc.status >= 500:
            raise
        errors = errors_for(exc, fields={"hours": "provider_id", "trn": "provider_id"}, default="provider_id")
        if invalid:
            return render(request, "school/new_provider.html", {
                "title": "Choose another accredited provider", "section": "school-claims", "claim": claim,
                "providers": [p for p in items if p["id"] != claim["provider"]["id"]], "errors": errors},
                status_code=422)
        return _provider_page(request, claim=claim, items=items, chosen=provider_id, errors=errors, status_code=422,
                              change=True)
    return see_other(f"/school/claims/{reference}/check")


# --------------------------------------------------------------------------------------------- mentors
def _mentor_choices(acting: Acting, claim: dict[str, Any]) -> list[dict[str, Any]]:
    """The school's earlier mentors and this draft's, each with the hours left with the draft's provider
    (the allowances came with the draft: ``_draft(..., allowances=True)``)."""
    lines = _mentor_lines(claim)
    found = acting.page["allowances"]
    names = {m["trn"]: m["full_name"] for m in lines}
    chosen = set(names)
    return sorted(({**a, "full_name": names.get(a["trn"]) or a["full_name"], "checked": a["trn"] in chosen}
                   for a in found["mentors"]), key=lambda m: (m["full_name"].lower(), m["trn"]))


def _mentors_page(request, claim, choices, *, errors=(), values=None, status_code=200):
    return render(request, "school/mentors.html", {
        "title": "Which mentors are you claiming for?", "section": "school-claims", "claim": claim,
        "choices": choices, "errors": list(errors), "field_errors": field_errors(list(errors)),
        "values": values or {}}, status_code=status_code)


@router.get("/school/claims/{reference}/mentors")
async def mentors_page(request: Request, reference: str, user: User = Depends(CLAIMANT),
                       gw: Gateway = Depends(gateway)):
    acting, claim = await _draft(request, reference, user, gw, allowances=True)
    return _not_draft(claim) or _mentors_page(request, claim, _mentor_choices(acting, claim))


@router.post("/school/claims/{reference}/mentors", dependencies=[Depends(verify_csrf)])
async def choose_mentors(request: Request, reference: str, user: User = Depends(CLAIMANT),
                         gw: Gateway = Depends(gateway)):
    acting, claim = await _draft(request, reference, user, gw, allowances=True)
    if early := _not_draft(claim):
        return early
    form = await request.form()
    choices = _mentor_choices(acting, claim)
    known = {c["trn"]: c for c in choices}
    hours = {m["trn"]: m["hours"] for m in _mentor_lines(claim)}
    picked = [t for t in form.getlist("trn") if isinstance(t, str) and t in known]
    new_trn, new_name = form_text(form, "new_trn", 20).replace(" ", ""), form_text(form, "new_full_name", 300)
    values = {"new_trn": new_trn, "new_full_name": new_name}
    errors = []
    if new_trn or new_name:
        if error := trn_error(new_trn) if new_trn else "Enter the mentor’s teacher reference number (TRN)":
            errors.append({"text": error, "href": "#new_trn"})
        if not new_name:
            errors.append({"text": "Enter the mentor’s full name", "href": "#new_full_name"})
    elif not picked:
        errors.append({"text": "Select a mentor or add a mentor", "href": "#trn" if choices else "#new_trn"})
    for t in picked:
        if known[t]["remaining"] <= 0 and hours.get(t) is None:
            errors.append({"text": f"{known[t]['full_name']} has no hours left to claim with this accredited "
                                   "provider in this academic year", "href": "#trn"})
    for c in choices:
        c["checked"] = c["trn"] in picked
    if errors:
        return _mentors_page(request, claim, choices, errors=errors, values=values, status_code=422)
    lines = [{"trn": t, "full_name": known[t]["full_name"], "hours": hours.get(t)} for t in picked]
    if new_trn and is_trn(new_trn) and new_trn not in picked:
        lines.append({"trn": new_trn, "full_name": new_name, "hours": hours.get(new_trn)})
    try:
        await gw.services.claims.change_draft(reference, internal.DraftPatch(mentors=lines), user=user)
    except GatewayError as exc:
        if exc.status >= 500:
            raise
        row_trn = {i + 1: m["trn"] for i, m in enumerate(lines)}
        errors = [{"text": e["message"], "href": "#new_trn" if row_trn.get(e.get("row")) == new_trn and new_trn
                   else ("#new_full_name" if e.get("field") == "full_name" else "#trn")} for e in exc.errors]
        return _mentors_page(request, claim, choices, errors=errors, values=values, status_code=422)
    if form.get("action") == "add":
        return see_other(f"/school/claims/{reference}/mentors")
    return see_other(_next_page(reference, lines))


# ----------------------------------------------------------------------------------------------- hours
def _hours_context(acting: Acting, claim: dict[str, Any], trn: str) -> dict[str, Any]:
    mentor = next((m for m in claim["mentors"] if m["trn"] == trn), None)
    if mentor is None:
        raise GatewayError.one(404, "Page not found")
    allowance = next(a for a in acting.page["allowances"]["mentors"] if a["trn"] == trn)
    title = (f"How many hours of training did {mentor['full_name']} complete?" if allowance["remaining"] > 0
             else f"{mentor['full_name']} has no hours left to claim")
    return {"title": title, "section": "school-claims",
            "claim": claim, "mentor": mentor, "allowance": allowance}


async def _hours_draft(request: Request, reference: str, trn: str, user: User, gw: Gateway):
    """The draft and its mentor's hours page context; or, for a claim that is no longer a draft, where to go
    instead (then the context is None)."""
    acting, claim = await _draft(request, reference, user, gw, allowances=True)
    if early := _not_draft(claim):
        return claim, None, early
    return claim, _hours_context(acting, claim, trn), None


@router.get("/school/claims/{reference}/hours/{trn}")
async def hours_page(request: Request, reference: str, trn: str, user: User = Depends(CLAIMANT),
                     gw: Gateway = Depends(gateway)):
    _, context, early = await _hours_draft(request, reference, trn, user, gw)
    if early:
        return early
    current = context["mentor"]["hours"]
    choice = "" if current is None else ("all" if current == context["allowance"]["remaining"] else "other")
    return render(request, "school/hours.html", {**context, "choice": choice,
                                                 "other": current if choice == "other" else "", "errors": []})


@router.post("/school/claims/{reference}/hours/{trn}", dependencies=[Depends(verify_csrf)])
async def give_hours(request: Request, reference: str, trn: str, user: User = Depends(CLAIMANT),
                     gw: Gateway = Depends(gateway)):
    claim, context, early = await _hours_draft(request, reference, trn, user, gw)
    if early:
        return early
    form = await request.form()
    lines = _mentor_lines(claim)
    if form.get("action") == "remove":
        lines = [m for m in lines if m["trn"] != trn]
        await gw.services.claims.change_draft(reference, internal.DraftPatch(mentors=lines), user=user)
        return see_other(_next_page(reference, lines) if lines else f"/school/claims/{reference}/mentors")
    choice, other = form_text(form, "hours_choice", 10), form_text(form, "hours_other", 10)
    name = context["mentor"]["full_name"]
    errors: list[dict[str, str]] = []
    hours: int | None = None
    if choice == "all":
        hours = context["allowance"]["remaining"]
    elif choice == "other":
        if not other:
            errors.append({"text": f"Enter the number of hours for {name}", "href": "#hours_other"})
        elif not (is_ascii_digits(other)):
            errors.append({"text": f"Enter the number of hours for {name} as a whole number", "href": "#hours_other"})
        else:
            hours = int(other)
    else:
        errors.append({"text": f"Select how many hours of training {name} completed", "href": "#hours_choice"})
    if not errors:
        lines = [{**m, "hours": hours} if m["trn"] == trn else m for m in lines]
        try:
            await gw.services.claims.change_draft(reference, internal.DraftPatch(mentors=lines), user=user)
        except GatewayError as exc:
            if exc.status >= 500:
                raise
            errors = errors_for(exc, fields={"hours": "hours_other" if choice == "other" else "hours_choice"},
                                default="hours_choice")
    if errors:
        return render(request, "school/hours.html", {**context, "choice": choice, "other": other, "errors": errors,
                                                     "field_errors": field_errors(errors)}, status_code=422)
    if request.query_params.get("change"):
        return see_other(f"/school/claims/{reference}/check")
    return see_other(_next_page(reference, lines))


# ------------------------------------------------------------------------------- check, declare, done
@router.get("/school/claims/{reference}/check")
async def check_answers(request: Request, reference: str, user: User = Depends(CLAIMANT),
                        gw: Gateway = Depends(gateway)):
    _, claim = await _draft(request, reference, user, gw)
    if early := _not_draft(claim):
        return early
    if not claim["mentors"]:
        return see_other(f"/school/claims/{reference}/mentors")
    if any(m["hours"] is None for m in claim["mentors"]):
        return see_other(_next_page(reference, _mentor_lines(claim)))
    ecf = set(claim.get("ecf_mentor_trns") or [])
    return render(request, "school/check.html", {
        "title": "Check your answers", "section": "school-claims", "claim": claim,
        "ecf_mentors": [m for m in claim["mentors"] if m["trn"] in ecf]})


def _declaration_errors(exc: GatewayError, reference: str) -> list[dict[str, str]]:
    """A refusal at submission: where it can be put right (the hours or mentors page), else this page."""
    out = []
    for e in exc.errors:
        field = e.get("field")
        href = "#declaration"
        if field in ("hours", "trn", "full_name", "mentors"):
            href = f"/school/claims/{reference}/mentors"
        elif field == "provider_id":
            href = f"/school/claims/{reference}/provider"
        out.append({"text": e["message"], "href": href})
    return out


@router.get("/school/claims/{reference}/declaration")
async def declaration(request: Request, reference: str, user: User = Depends(CLAIMANT),
                      gw: Gateway = Depends(gateway)):
    _, claim = await _draft(request, reference, user, gw)
    return _not_draft(claim) or render(request, "school/declaration.html", {
        "title": "Declaration", "section": "school-claims", "claim": claim, "errors": []})


@router.post("/school/claims/{reference}/declaration", dependencies=[Depends(verify_csrf)])
async def submit(request: Request, reference: str, user: User = Depends(CLAIMANT), gw: Gateway = Depends(gateway)):
    _, claim = await _draft(request, reference, user, gw)
    if early := _not_draft(claim):
        return early
    agreed = (await request.form()).get("declaration") == "yes"
    try:
        await gw.services.claims.submit_draft(reference, agreed, user=user)
    except GatewayError as exc:
        if exc.status >= 500:
            raise
        errors = _declaration_errors(exc, reference)
        return render(request, "school/declaration.html", {
            "title": "Declaration", "section": "school-claims", "claim": claim, "errors": errors,
            "field_errors": field_errors(errors)}, status_code=422)
    return see_other(f"/school/claims/{reference}/submitted")


@router.get("/school/claims/{reference}/submitted")
async def submitted(request: Request, reference: str, user: User = Depends(CLAIMANT), gw: Gateway = Depends(gateway)):
    _, claim = await _draft(request, reference, user, gw)
    if claim["status"] == "draft":
        return see_other(f"/school/claims/{reference}/check")
    return render(request, "school/submitted.html", {"title": "Claim submitted", "section": "school-claims",
                                                     "claim": claim})


@router.get("/school/claims/{reference}/delete")
async def delete_page(request: Request, reference: str, user: User = Depends(CLAIMANT),
                      gw: Gateway = Depends(gateway)):
    _, claim = await _draft(request, reference, user, gw)
    return _not_draft(claim) or render(request, "school/delete.html", {
        "title": "Are you sure you want to delete this draft claim?", "section": "school-claims", "claim": claim})


@router.post("/school/claims/{reference}/delete", dependencies=[Depends(verify_csrf)])
async def delete(request: Request, reference: str, user: User = Depends(CLAIMANT), gw: Gateway = Depends(gateway)):
    _, claim = await _draft(request, reference, user, gw)
    if early := _not_draft(claim):
        return early
    await gw.services.claims.delete_draft(reference, user=user)
    return see_other("/school/claims?done=draft-deleted")
