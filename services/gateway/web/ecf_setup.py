"""Finance pages that set the ECF engine up (docs/design.md §15): add a contract (``ecf`` or
``ittecf_ectp``, its bands A–D with their fee and output share, the flat mentor fee), add a
schedule (each declaration type's milestone period), and record where a lead provider's deadline
reminders go.

The forms are read and checked here for what a person can get wrong in a form (a missing answer,
a number that is not one, a date that is not real); everything else is the engine's to judge,
through the same internal calls as the finance API (``POST /api/v1/finance/contracts``,
``/schedules``, ``/lead-providers/{id}/email``). A refusal comes back as an error summary linked to
the field it names."""
from __future__ import annotations

import json
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Request

from shared.contracts.identifiers import is_ascii_digits

from ..auth import verify_csrf
from ..checks import check_id
from ..clients import Downstream
from ..context import Gateway, gateway
from ..users import User
from .common import FINANCE, form_text, render, see_other

router = APIRouter(include_in_schema=False)

BANDS = ("A", "B", "C", "D")
CONTRACT_FIELDS = ("lead_provider_id", "cohort", "contract_type", "recruitment_target", "set_up_fee", "uplift_amount",
                   "service_fee_months", "monthly_service_fee", "vat_chargeable", "mentor_fee_per_declaration")
CONTRACT_DEFAULTS = {"contract_type": "ecf", "set_up_fee": "0.00", "uplift_amount": "100.00",
                     "service_fee_months": "29", "vat_chargeable": "no"}
#: Declaration types a schedule can give a milestone period to (the engine's ``rules.DECLARATION_TYPES``).
DECLARATION_TYPES = ("started", "retained-1", "retained-2", "retained-3", "retained-4", "completed",
                     "extended-1", "extended-2", "extended-3")


def _page(subsection: str, title: str, **more) -> dict:
    return {"title": title, "section": "finance", "subsection": subsection, **more}


def _money(text: str) -> str:
    """What a person types for an amount, as the engine reads it: no pound sign, no commas."""
    return text.replace("£", "").replace(",", "").strip()


def _whole(values: dict, errors: dict, key: str, message: str) -> int | None:
    if is_ascii_digits(values.get(key, "")) and len(values[key]) <= 9:
        return int(values[key])
    errors[key] = message
    return None


async def _names(gw: Gateway, user: User) -> list[dict[str, Any]]:
    found = await gw.services.ecf.lead_providers(user=user)
    return [{"id": lp.id, "name": lp.name, "email": (lp.model_extra or {}).get("email")} for lp in found.items]


# ------------------------------------------------------------------ add a contract
def _read_contract(form) -> tuple[dict[str, str], dict[str, str], dict[str, Any]]:
    """The form's values as typed, the errors by field id, and the body for the engine."""
    values = {k: form_text(form, k, 40) for k in CONTRACT_FIELDS}
    for b in BANDS:
        for part in ("max", "fee", "output"):
            values[f"band-{b}-{part}"] = form_text(form, f"band-{b}-{part}", 20)
    errors: dict[str, str] = {}
    if not values["lead_provider_id"]:
        errors["lead_provider_id"] = "Select the lead provider"
    cohort = _whole(values, errors, "cohort", "Enter the cohort as a year, like 2026")
    if values["contract_type"] not in ("ecf", "ittecf_ectp"):
        errors["contract_type"] = "Select the contract type"
    target = _whole(values, errors, "recruitment_target", "Enter the recruitment target as a whole number, like 2000")
    months = _whole(values, errors, "service_fee_months", "Enter the number of service fee months as a whole number, like 29")
    if values["vat_chargeable"] not in ("yes", "no"):
        errors["vat_chargeable"] = "Select yes if VAT is chargeable on this contract"
    if not values["uplift_amount"]:
        errors["uplift_amount"] = "Enter the uplift per participant, like 100.00"
    if values["contract_type"] == "ittecf_ectp" and not values["mentor_fee_per_declaration"]:
        errors["mentor_fee_per_declaration"] = "Enter the mentor fee per declaration, like 1000.00"
    bands: list[dict[str, Any]] = []
    previous_max: int | None = -1
    blank_before = None
    for b in BANDS:
        entered = [values[f"band-{b}-{part}"] for part in ("max", "fee", "output")]
        if not any(entered) and b != "A":
            blank_before = blank_before or b
            continue
        if blank_before is not None:
            errors[f"band-{blank_before}-max"] = f"Enter band {blank_before} before band {b}"
            break
        band_max = _whole(values, errors, f"band-{b}-max",
                          f"Enter band {b}’s last participant number as a whole number, like 2000")
        fee = _money(values[f"band-{b}-fee"])
        if not fee and b != "D":
            errors[f"band-{b}-fee"] = f"Enter band {b}’s fee per participant, like 995.00"
        output = values[f"band-{b}-output"].replace("%", "").strip()
        bands.append({"name": b, "min": 0 if previous_max is None or previous_max < 0 else previous_max + 1,
                      "max": band_max, "per_participant": fee or None, "output_fee_percent": output or None})
        previous_max = band_max
    body = {"lead_provider_id": values["lead_provider_id"], "cohort": cohort, "contract_type": values["contract_type"],
            "recruitment_target": target, "set_up_fee": _money(values["set_up_fee"]) or "0.00",
            "uplift_amount": _money(values["uplift_amount"]), "service_fee_months": months,
            "monthly_service_fee": _money(values["monthly_service_fee"]) or None,
            "vat_chargeable": values["vat_chargeable"] == "yes",
            "mentor_fee_per_declaration": _money(values["mentor_fee_per_declaration"]) or None, "bands": bands}
    return values, errors, body


async def _create(gw: Gateway, user: User, kind: str, body: dict, errors: dict[str, str], field_of) -> bool:
    """Ask the ECF service to add a contract or a schedule: True when it did; when it refuses, each refusal goes
    into ``errors`` under the form field ``field_of(refusal)`` names (the first for a field stands)."""
    try:
        await gw.services.ecf.create(kind, json.dumps(body).encode(), user=user)
        return True
    except Downstream as exc:
        if exc.status != 422:
            raise
        for e in exc.errors:
            errors.setdefault(field_of(e), e["message"])
        return False


def _contract_field(field: str | None, message: str) -> str:
    """The form field a refusal of the engine names ("bands[1]", "bands.0.per_participant", "set_up_fee");
    a band's refusal says which of its answers it is about ("price per participant", "output fee share")."""
    field = field or ""
    if field.startswith("bands"):
        rest = field[5:].lstrip("[.").split("]")[0].split(".")[0]
        band = BANDS[int(rest)] if is_ascii_digits(rest) and int(rest) < len(BANDS) else "A"
        part = "fee" if "per_participant" in field or "price per participant" in message \
            else "output" if "output_fee_percent" in field or "output fee" in message else "max"
        return f"band-{band}-{part}"
    return field if field in CONTRACT_FIELDS else "lead_provider_id"


async def _contract_form(request: Request, gw: Gateway, user: User, *, values: dict, errors: dict[str, str],
                         status_code: int = 200):
    return render(request, "finance/contract_form.html", _page(
        "contracts", "Add a contract", lead_providers=await _names(gw, user), values=values, field_errors=errors,
        errors=[{"text": text, "href": f"#{key}"} for key, text in errors.items()]), status_code=status_code)


@router.get("/finance/contracts/new")
async def contract_new(request: Request, user: User = Depends(FINANCE), gw: Gateway = Depends(gateway)):
    return await _contract_form(request, gw, user, values=dict(CONTRACT_DEFAULTS), errors={})


@router.post("/finance/contracts/new", dependencies=[Depends(verify_csrf)])
async def contract_add(request: Request, user: User = Depends(FINANCE), gw: Gateway = Depends(gateway)):
    values, errors, body = _read_contract(await request.form())
    if not errors and await _create(gw, user, "contract", body, errors,
                                    lambda e: _contract_field(e.get("field"), e["message"])):
        return see_other("/finance/contracts?done=contract")
    return await _contract_form(request, gw, user, values=values, errors=errors, status_code=422)


# ------------------------------------------------------------------ add a schedule
def _date(form, key: str, label: str, errors: dict[str, str]) -> tuple[dict[str, str], date | None]:
    parts = {p: form_text(form, f"{key}-{p}", 4) for p in ("day", "month", "year")}
    if not any(parts.values()):
        return parts, None
    try:
        if not all(is_ascii_digits(v) for v in parts.values()) or len(parts["year"]) != 4:
            raise ValueError
        return parts, date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
    except ValueError:
        errors[key] = f"{label} must be a real date, like 1 9 2026"
        return parts, None


def _read_schedule(form) -> tuple[dict[str, Any], dict[str, str], dict[str, Any], list[str]]:
    values: dict[str, Any] = {"identifier": form_text(form, "identifier", 100), "cohort": form_text(form, "cohort", 4)}
    errors: dict[str, str] = {}
    if not values["identifier"]:
        errors["identifier"] = "Enter the schedule identifier, like ecf-standard-september"
    cohort = _whole(values, errors, "cohort", "Enter the cohort as a year, like 2026")
    milestones, sent = [], []
    for t in DECLARATION_TYPES:
        values[f"{t}-start"], start = _date(form, f"{t}-start", f"The {t} start date", errors)
        values[f"{t}-end"], end = _date(form, f"{t}-end", f"The {t} milestone date", errors)
        if end is not None and start is None and f"{t}-start" not in errors:
            errors[f"{t}-start"] = f"Enter the {t} start date, or leave both {t} dates blank"
        if start is not None:
            milestones.append({"declaration_type": t, "start_date": start.isoformat(),
                               "milestone_date": end.isoformat() if end else None})
            sent.append(t)
    if not milestones and "started-start" not in errors:
        errors["started-start"] = "Enter the started start date"
    return values, errors, {"identifier": values["identifier"], "cohort": cohort, "milestones": milestones}, sent


def _schedule_field(field: str | None, sent: list[str]) -> str:
    field = field or ""
    if field.startswith("milestones"):
        rest = field[10:].lstrip("[.").split("]")[0].split(".")[0]
        kind = sent[int(rest)] if is_ascii_digits(rest) and int(rest) < len(sent) else "started"
        return f"{kind}-end" if "milestone_date" in field or "milestone date" in field else f"{kind}-start"
    return field if field in ("identifier", "cohort") else "identifier"


def _schedule_form(request: Request, *, values: dict, errors: dict[str, str], status_code: int = 200):
    return render(request, "finance/schedule_form.html", _page(
        "schedules", "Add a schedule", values=values, field_errors=errors, types=DECLARATION_TYPES,
        errors=[{"text": text, "href": f"#{key}" if key in ("identifier", "cohort") else f"#{key}-day"}
                for key, text in errors.items()]), status_code=status_code)


@router.get("/finance/schedules/new")
async def schedule_new(request: Request, user: User = Depends(FINANCE)):
    return _schedule_form(request, values={}, errors={})


@router.post("/finance/schedules/new", dependencies=[Depends(verify_csrf)])
async def schedule_add(request: Request, user: User = Depends(FINANCE), gw: Gateway = Depends(gateway)):
    values, errors, body, sent = _read_schedule(await request.form())
    if not errors and await _create(gw, user, "schedule", body, errors, lambda e: _schedule_field(e.get("field"), sent)):
        return see_other("/finance/schedules?done=schedule")
    return _schedule_form(request, values=values, errors=errors, status_code=422)


# ------------------------------------------------------------------ lead providers' email addresses
async def _lead_providers_page(request: Request, gw: Gateway, user: User, *, errors=None, form=None,
                               status_code: int = 200):
    return render(request, "finance/lead_providers.html", _page(
        "lead-providers", "Lead providers", lead_providers=await _names(gw, user), errors=errors, form=form or {},
        done=request.query_params.get("done", "")), status_code=status_code)


@router.get("/finance/lead-providers")
async def lead_providers(request: Request, user: User = Depends(FINANCE), gw: Gateway = Depends(gateway)):
    return await _lead_providers_page(request, gw, user)


@router.post("/finance/lead-providers/{lead_provider_id}/email", dependencies=[Depends(verify_csrf)])
async def lead_provider_email(request: Request, lead_provider_id: str, user: User = Depends(FINANCE),
                              gw: Gateway = Depends(gateway)):
    field = f"email-{lead_provider_id}"
    email = form_text(await request.form(), "email", 320)
    try:
        await gw.services.ecf.set_lead_provider_email(check_id(lead_provider_id, "lead_provider"),
                                                      json.dumps({"email": email or None}).encode(), user=user)
        return see_other("/finance/lead-providers?done=email")
    except Downstream as exc:
        if exc.status != 422:
            raise
        errors = [{"text": e["message"], "href": f"#{field}"} for e in exc.errors]
    return await _lead_providers_page(request, gw, user, errors=errors, form={field: email}, status_code=422)
