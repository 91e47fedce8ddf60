"""Finance pages of docs/design.md §15 beyond statements: a statement's adjustments and audit notes; contracts
and their bands (raise a band's capacity); schedules; participants (search, duplicates, statuses,
retire a duplicate, make eligible, change cohort with an induction start date). Every form posts to
the gateway, which calls the ECF engine through its client; a refusal comes back as an error
summary linked to the form's field."""
from __future__ import annotations

import json

from fastapi import APIRouter, Depends, Request

from shared.contracts.identifiers import is_ascii_digits

from ..auth import verify_csrf
from ..checks import check_id
from ..clients import Downstream
from ..context import Gateway, gateway
from ..users import User
from .common import FINANCE, form_text, render, see_other, summary
from .finance import _lead_providers, _statement_page

router = APIRouter(include_in_schema=False)


def _body(**values) -> bytes:
    return json.dumps(values).encode()


def _page(subsection: str, title: str, **more) -> dict:
    return {"title": title, "section": "finance", "subsection": subsection, **more}


def _refusals(*checks: tuple[bool, str, str]) -> list[dict[str, str]]:
    """The error summary of a form's checks, each ``(failed, field, message)``: the failed ones, in order."""
    return [{"text": message, "href": f"#{field}"} for failed, field, message in checks if failed]


# ------------------------------------------------------------------ a statement's adjustments and notes
@router.post("/finance/statements/{statement_id}/adjustments", dependencies=[Depends(verify_csrf)])
async def add_adjustment(request: Request, statement_id: str, user: User = Depends(FINANCE),
                         gw: Gateway = Depends(gateway)):
    form = await request.form()
    values = {"payment_type": form_text(form, "payment_type", 200), "amount": form_text(form, "amount", 30)}
    errors = _refusals((not values["payment_type"], "payment_type", "Enter a payment type"),
                       (not values["amount"], "amount", "Enter an amount, like 250.00 or -250.00"))
    if not errors:
        try:
            await gw.services.ecf.add_adjustment(check_id(statement_id, "statement"), _body(**values), user=user)
            return see_other(f"/finance/statements/{statement_id}?done=adjustment")
        except Downstream as exc:
            if exc.status != 422:
                raise
            errors = summary(exc.errors, default_field="amount")
    return await _statement_page(request, gw, user, statement_id, errors=errors, status_code=422, form=values)


@router.post("/finance/statements/{statement_id}/notes", dependencies=[Depends(verify_csrf)])
async def add_note(request: Request, statement_id: str, user: User = Depends(FINANCE), gw: Gateway = Depends(gateway)):
    text = form_text(await request.form(), "note", 2000)
    errors = [{"text": "Enter a note", "href": "#note"}] if not text else []
    if not errors:
        try:
            await gw.services.ecf.add_note(check_id(statement_id, "statement"), _body(text=text), user=user)
            return see_other(f"/finance/statements/{statement_id}?done=note#notes")
        except Downstream as exc:
            if exc.status != 422:
                raise
            errors = [{"text": e["message"], "href": "#note"} for e in exc.errors]
    return await _statement_page(request, gw, user, statement_id, errors=errors, status_code=422,
                                 form={"note": text})


# ------------------------------------------------------------------ contracts and schedules
async def _contracts_page(request: Request, gw: Gateway, user: User, *, errors=None, status_code: int = 200,
                          form: dict | None = None):
    contracts = await gw.services.ecf.contracts(user=user)
    names = await _lead_providers(gw, user)
    return render(request, "finance/contracts.html", _page(
        "contracts", "Contracts", contracts=contracts.items, names=names, errors=errors, form=form or {},
        done=request.query_params.get("done", "")), status_code=status_code)


@router.get("/finance/contracts")
async def contracts(request: Request, user: User = Depends(FINANCE), gw: Gateway = Depends(gateway)):
    return await _contracts_page(request, gw, user)


@router.post("/finance/contracts/{contract_id}/bands/{band}/capacity", dependencies=[Depends(verify_csrf)])
async def raise_capacity(request: Request, contract_id: str, band: str, user: User = Depends(FINANCE),
                         gw: Gateway = Depends(gateway)):
    if band not in ("A", "B", "C", "D"):
        raise Downstream(404, [{"message": "Page not found"}])
    field = f"max-{contract_id}-{band}"
    value = form_text(await request.form(), "max", 12)
    errors = []
    if not is_ascii_digits(value):
        errors = [{"text": "Enter the band's new maximum as a whole number, like 2500", "href": f"#{field}"}]
    else:
        try:
            await gw.services.ecf.raise_capacity(check_id(contract_id, "contract"), band, _body(max=int(value)),
                                                 user=user)
            return see_other(f"/finance/contracts?done=band-{band}")
        except Downstream as exc:
            if exc.status != 422:
                raise
            errors = [{"text": e["message"], "href": f"#{field}"} for e in exc.errors]
    return await _contracts_page(request, gw, user, errors=errors, status_code=422, form={field: value})


@router.get("/finance/schedules")
async def schedules(request: Request, user: User = Depends(FINANCE), gw: Gateway = Depends(gateway)):
    found = await gw.services.ecf.schedules(user=user)
    return render(request, "finance/schedules.html", _page("schedules", "Schedules", schedules=found.items,
                                                           done=request.query_params.get("done", "")))


# ------------------------------------------------------------------ participants
@router.get("/finance/participants")
async def participants(request: Request, q: str = "", duplicates: str = "", user: User = Depends(FINANCE),
                       gw: Gateway = Depends(gateway)):
    q = q.replace("\x00", "").strip()[:200]
    found = await gw.services.ecf.participants(q=q or None, duplicates=duplicates == "yes", user=user)
    names = await _lead_providers(gw, user)
    title = "Possible duplicate participants" if duplicates == "yes" else "Participants"
    return render(request, "finance/participants.html", _page(
        "participants", title, result=found, q=q, duplicates=duplicates == "yes", names=names))


async def _participant_page(request: Request, gw: Gateway, user: User, participant_id: str, *, errors=None,
                            status_code: int = 200, form: dict | None = None):
    found = await gw.services.ecf.participant(check_id(participant_id, "participant"), user=user)
    names = await _lead_providers(gw, user)
    return render(request, "finance/participant.html", _page(
        "participants", found.model_extra.get("full_name") or "Participant", p=found, names=names, errors=errors,
        form=form or {}, done=request.query_params.get("done", "")), status_code=status_code)


@router.get("/finance/participants/{participant_id}")
async def participant(request: Request, participant_id: str, user: User = Depends(FINANCE),
                      gw: Gateway = Depends(gateway)):
    return await _participant_page(request, gw, user, participant_id)


async def _change(request: Request, gw: Gateway, user: User, participant_id: str, field: str, call, done: str,
                  form: dict):
    try:
        await call
        return see_other(f"/finance/participants/{participant_id}?done={done}")
    except Downstream as exc:
        if exc.status != 422:
            raise
        errors = [{"text": e["message"], "href": f"#{field}"} for e in exc.errors]
    return await _participant_page(request, gw, user, participant_id, errors=errors, status_code=422, form=form)


@router.post("/finance/participants/{participant_id}/eligible", dependencies=[Depends(verify_csrf)])
async def make_eligible(request: Request, participant_id: str, user: User = Depends(FINANCE),
                        gw: Gateway = Depends(gateway)):
    call = gw.services.ecf.make_eligible(check_id(participant_id, "participant"), user=user)
    return await _change(request, gw, user, participant_id, "eligible", call, "eligible", {})


@router.post("/finance/participants/{participant_id}/retire", dependencies=[Depends(verify_csrf)])
async def retire(request: Request, participant_id: str, user: User = Depends(FINANCE), gw: Gateway = Depends(gateway)):
    into = form_text(await request.form(), "into", 100)
    if not into:
        return await _participant_page(request, gw, user, participant_id, status_code=422, errors=[
            {"text": "Enter the id of the participant to keep", "href": "#into"}])
    call = gw.services.ecf.retire(check_id(participant_id, "participant"), _body(into=into), user=user)
    return await _change(request, gw, user, participant_id, "into", call, "retired", {"into": into})


@router.post("/finance/participants/{participant_id}/cohort", dependencies=[Depends(verify_csrf)])
async def change_cohort(request: Request, participant_id: str, user: User = Depends(FINANCE),
                        gw: Gateway = Depends(gateway)):
    form = await request.form()
    values = {"induction_start_date": form_text(form, "induction_start_date", 10), "cohort": form_text(form, "cohort", 4)}
    errors = _refusals(
        (not values["induction_start_date"], "induction_start_date", "Enter the induction start date, like 2026-09-01"),
        (bool(values["cohort"]) and not is_ascii_digits(values["cohort"]), "cohort", "Enter the cohort as a year, like 2026"))
    if errors:
        return await _participant_page(request, gw, user, participant_id, errors=errors, status_code=422, form=values)
    body = _body(induction_start_date=values["induction_start_date"],
                 cohort=int(values["cohort"]) if values["cohort"] else None)
    call = gw.services.ecf.record_induction_start(check_id(participant_id, "participant"), body, user=user)
    return await _change(request, gw, user, participant_id, "induction_start_date", call, "cohort", values)
