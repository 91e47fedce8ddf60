"""Claim windows as support runs them (docs/design.md §14): the list with the current window tagged, add,
edit, and delete a window that has not opened yet. Dates are GOV.UK date inputs; the claims
service states the rules (DfE's messages), shown in the error summary linked to the date."""
from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Request

from shared.contracts.http.claims import WindowIn
from shared.contracts.identifiers import is_id

from ..auth import verify_csrf
from ..clients import Downstream, GatewayError
from ..context import Gateway, gateway
from ..users import User
from .common import SUPPORT, confirmed, form_text, render, see_other
from .forms import parse_date

router = APIRouter(include_in_schema=False)
BASE = "/claim-windows"
LABELS = {"starts_on": "Opening date", "ends_on": "Closing date"}
DONE = {"added": "Claim window added", "changed": "Claim window updated", "deleted": "Claim window deleted"}


def _check_id(value: str) -> str:
    if not is_id(value):
        raise GatewayError.one(404, "Page not found")
    return value


@router.get(BASE)
async def windows(request: Request, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    result = await gw.services.claims.list_claim_windows(user=user)
    return render(request, "windows/list.html", {"title": "Claim windows", "section": "windows",
                                                 "windows": result.items,
                                                 "banner": DONE.get(request.query_params.get("done", ""))})


def _parts(value: date | None) -> dict[str, str]:
    if not value:
        return {}
    return {"day": str(value.day), "month": str(value.month), "year": str(value.year)}


def _read(form) -> tuple[dict, dict[str, str], dict]:
    """The form's values as typed, its errors by field, and the body's values when there are none."""
    values: dict = {"academic_year": form_text(form, "academic_year", 9)}
    errors: dict[str, str] = {}
    body: dict = {"academic_year": values["academic_year"]}
    for key, label in LABELS.items():
        parts = {p: form_text(form, f"{key}-{p}", 4) for p in ("day", "month", "year")}
        values[key] = parts
        parsed, error = parse_date(parts, label)
        if error or parsed is None:
            errors[key] = error or f"Enter the {label.lower()}"
        else:
            body[key] = parsed
    if not values["academic_year"]:
        errors["academic_year"] = "Enter the academic year, like 2026/27"
    return values, errors, body


def _form(request: Request, *, title: str, action: str, values: dict, errors: dict[str, str] | None = None,
          status_code: int = 200):
    errors = errors or {}
    return render(request, "windows/form.html", {
        "title": title, "section": "windows", "action": action, "values": values, "field_errors": errors,
        "errors": [{"text": text, "href": f"#{key}-day" if key in LABELS else f"#{key}"}
                   for key, text in errors.items()]}, status_code=status_code)


async def _save(request: Request, gw: Gateway, user: User, *, window_id: str | None, title: str, action: str,
                done: str):
    """Adds the window (``window_id`` None) or changes it."""
    values, errors, body = _read(await request.form())
    if not errors:
        try:
            if window_id is None:
                await gw.services.claims.add_claim_window(WindowIn(**body), user=user)
            else:
                await gw.services.claims.edit_claim_window(window_id, WindowIn(**body), user=user)
            return see_other(f"{BASE}?done={done}")
        except Downstream as exc:
            if exc.status != 422:
                raise
            errors = {("academic_year" if e.get("field") == "academic_year" else
                       e.get("field") if e.get("field") in LABELS else "starts_on"): e["message"] for e in exc.errors}
    return _form(request, title=title, action=action, values=values, errors=errors, status_code=422)


@router.get(BASE + "/new")
async def window_new(request: Request, user: User = Depends(SUPPORT)):
    return _form(request, title="Add a claim window", action=f"{BASE}/new", values={})


@router.post(BASE + "/new", dependencies=[Depends(verify_csrf)])
async def window_add(request: Request, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    return await _save(request, gw, user, window_id=None,
                       title="Add a claim window", action=f"{BASE}/new", done="added")


@router.get(BASE + "/{window_id}/edit")
async def window_edit(request: Request, window_id: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    found = await gw.services.claims.claim_window(_check_id(window_id), user=user)
    values = {"academic_year": found.academic_year, "starts_on": _parts(found.starts_on),
              "ends_on": _parts(found.ends_on)}
    return _form(request, title="Change the claim window", action=f"{BASE}/{window_id}/edit", values=values)


@router.post(BASE + "/{window_id}/edit", dependencies=[Depends(verify_csrf)])
async def window_change(request: Request, window_id: str, user: User = Depends(SUPPORT),
                        gw: Gateway = Depends(gateway)):
    return await _save(request, gw, user, window_id=_check_id(window_id),
                       title="Change the claim window", action=f"{BASE}/{window_id}/edit", done="changed")


async def _delete_page(request: Request, gw: Gateway, user: User, window_id: str, errors=()):
    found = await gw.services.claims.claim_window(_check_id(window_id), user=user)
    return render(request, "windows/delete.html", {"title": "Are you sure you want to delete this claim window?",
                                                   "section": "windows", "window": found, "errors": list(errors)},
                  status_code=422 if errors else 200)


@router.get(BASE + "/{window_id}/delete")
async def window_delete_check(request: Request, window_id: str, user: User = Depends(SUPPORT),
                              gw: Gateway = Depends(gateway)):
    return await _delete_page(request, gw, user, window_id)


@router.post(BASE + "/{window_id}/delete", dependencies=[Depends(verify_csrf)])
async def window_delete(request: Request, window_id: str, user: User = Depends(SUPPORT),
                        gw: Gateway = Depends(gateway)):
    return await confirmed(gw.services.claims.delete_claim_window(_check_id(window_id), user=user),
                           f"{BASE}?done=deleted", lambda errors: _delete_page(request, gw, user, window_id, errors),
                           "delete")
