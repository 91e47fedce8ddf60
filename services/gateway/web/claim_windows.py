"""Claim windows as support runs them (DESIGN §14): the list with the current window tagged, add,
edit, and delete a window that has not opened yet. Dates are GOV.UK date inputs; the claims
service states the rules (DfE's messages), shown in the error summary linked to the date."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from ..auth import verify_csrf
from ..clients import Downstream, GatewayError
from ..context import Gateway, gateway
from ..users import User
from .common import SUPPORT, form_text, render, see_other
from .forms import parse_date

router = APIRouter(include_in_schema=False)
BASE = "/claim-windows"
LABELS = {"starts_on": "Opening date", "ends_on": "Closing date"}
DONE = {"added": "Claim window added", "changed": "Claim window updated", "deleted": "Claim window deleted"}


def _check_id(value: str) -> str:
    if not (0 < len(value) <= 100 and all(c.isalnum() or c in "-_" for c in value)):
        raise GatewayError.one(404, "Page not found")
    return value


@router.get(BASE)
async def windows(request: Request, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    result = await gw.services.claims.json("GET", "/internal/v1/claim-windows", user=user)
    return render(request, "windows/list.html", {"title": "Claim windows", "section": "windows",
                                                 "windows": result["items"],
                                                 "banner": DONE.get(request.query_params.get("done", ""))})


def _parts(value: str | None) -> dict[str, str]:
    if not value:
        return {}
    year, month, day = value.split("-")
    return {"day": str(int(day)), "month": str(int(month)), "year": year}


def _read(form) -> tuple[dict, dict[str, str], dict]:
    """The form's values as typed, its errors by field, and the JSON body when there are none."""
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
            body[key] = parsed.isoformat()
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


async def _save(request: Request, gw: Gateway, user: User, *, method: str, path: str, title: str, action: str,
                done: str):
    values, errors, body = _read(await request.form())
    if not errors:
        try:
            await gw.services.claims.json(method, path, user=user, json=body)
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
    return await _save(request, gw, user, method="POST", path="/internal/v1/claim-windows",
                       title="Add a claim window", action=f"{BASE}/new", done="added")


@router.get(BASE + "/{window_id}/edit")
async def window_edit(request: Request, window_id: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    found = await gw.services.claims.json("GET", f"/internal/v1/claim-windows/{_check_id(window_id)}", user=user)
    values = {"academic_year": found["academic_year"], "starts_on": _parts(found["starts_on"]),
              "ends_on": _parts(found["ends_on"])}
    return _form(request, title="Change the claim window", action=f"{BASE}/{window_id}/edit", values=values)


@router.post(BASE + "/{window_id}/edit", dependencies=[Depends(verify_csrf)])
async def window_change(request: Request, window_id: str, user: User = Depends(SUPPORT),
                        gw: Gateway = Depends(gateway)):
    return await _save(request, gw, user, method="PATCH", path=f"/internal/v1/claim-windows/{_check_id(window_id)}",
                       title="Change the claim window", action=f"{BASE}/{window_id}/edit", done="changed")


@router.get(BASE + "/{window_id}/delete")
async def window_delete_check(request: Request, window_id: str, user: User = Depends(SUPPORT),
                              gw: Gateway = Depends(gateway)):
    found = await gw.services.claims.json("GET", f"/internal/v1/claim-windows/{_check_id(window_id)}", user=user)
    return render(request, "windows/delete.html", {"title": "Are you sure you want to delete this claim window?",
                                                   "section": "windows", "window": found})


@router.post(BASE + "/{window_id}/delete", dependencies=[Depends(verify_csrf)])
async def window_delete(request: Request, window_id: str, user: User = Depends(SUPPORT),
                        gw: Gateway = Depends(gateway)):
    path = f"/internal/v1/claim-windows/{_check_id(window_id)}"
    try:
        await gw.services.claims.request("DELETE", path, user=user)
    except Downstream as exc:
        if exc.status != 422:
            raise
        found = await gw.services.claims.json("GET", path, user=user)
        return render(request, "windows/delete.html", {
            "title": "Are you sure you want to delete this claim window?", "section": "windows", "window": found,
            "errors": [{"text": e["message"], "href": "#delete"} for e in exc.errors]}, status_code=422)
    return see_other(f"{BASE}?done=deleted")
