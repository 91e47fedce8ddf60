"""Users pages: support's list, add, user page (deactivate, invite again), import and export; and
the invitation page where a new user creates their password (docs/design.md §14, §10b)."""
from __future__ import annotations

import math
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response

from shared.contracts import roles
from shared.platform.filenames import safe_file_name

from ..accounts import actions
from ..accounts.rules import MIN_PASSWORD, ROLE_LABELS
from ..auth import csrf_token, verify_csrf
from ..clients import GatewayError
from ..context import Gateway, client_ip, gateway
from ..users import User
from .common import SUPPORT, form_text, render, see_other
from .forms import pagination

router = APIRouter(include_in_schema=False)
PER_PAGE = 25
UserId = Path(ge=1, le=2**63 - 1)
UploadId = Path(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
FIELD_IDS = {"provider_ids": "provider_ids", "role": "role"}


def _summary(errors: list[dict]) -> list[dict]:
    return [{"text": e["message"], "href": f"#{FIELD_IDS.get(e.get('field') or '', e.get('field') or 'email')}"}
            for e in errors]


def _ctx(**extra):
    return {"section": "users", "role_labels": ROLE_LABELS, **extra}


@router.get("/users")
async def users_list(request: Request, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    query = request.query_params
    q = (query.get("q") or "").replace("\x00", "").strip()[:200]
    role = query.get("role") if query.get("role") in roles.USER_ROLES else ""
    active = {"true": True, "false": False}.get(query.get("active") or "")
    try:
        page = max(1, min(int(query.get("page") or 1), 100_000))
    except ValueError:
        page = 1
    result = await gw.accounts.page(q=q, role=role, active=active, page=page, per_page=PER_PAGE)
    filters = [(k, v) for k, v in (("q", q), ("role", role), ("active", query.get("active") or "")) if v]
    link = lambda n: "?" + urlencode(filters + ([("page", str(n))] if n > 1 else []))  # noqa: E731
    pages = math.ceil(result["total"] / PER_PAGE) if result["total"] else 0
    return render(request, "users/list.html", _ctx(
        title="Users", result=result, q=q, role=role, active=query.get("active") or "",
        pagination=pagination(page, pages, link), csv_link="/users/download.csv" + ("?" + urlencode(filters) if filters else ""),
        done=query.get("done")))


@router.get("/users/download.csv")
async def users_csv(request: Request, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    query = request.query_params
    role = query.get("role") if query.get("role") in roles.USER_ROLES else ""
    body = await actions.export_csv(gw, user, q=(query.get("q") or "").strip()[:200], role=role,
                                    active={"true": True, "false": False}.get(query.get("active") or ""))
    return Response(body, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="users.csv"'})


async def _add_page(request: Request, gw: Gateway, user: User, values: dict, errors: list[dict], status: int = 200):
    request.state.csrf_token = await csrf_token(request)
    providers = await actions.providers(gw, user)
    return render(request, "users/add.html", _ctx(
        title="Add a user", values=values, providers=providers, errors=_summary(errors),
        field_errors={e.get("field"): e["message"] for e in errors}), status_code=status)


@router.get("/users/new")
async def add_user_page(request: Request, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    return await _add_page(request, gw, user, {"provider_ids": []}, [])


@router.post("/users/new", dependencies=[Depends(verify_csrf)])
async def add_user(request: Request, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    form = await request.form()
    values = {k: form_text(form, k, 400) for k in ("email", "first_name", "last_name", "role", "school_urn", "trust_id")}
    values["provider_ids"] = [v for v in form.getlist("provider_ids") if isinstance(v, str)][:50]
    try:
        created = await actions.invite_user(gw, user, values)
    except GatewayError as error:
        if error.status != 422:
            raise
        return await _add_page(request, gw, user, values, error.errors, 422)
    return see_other(f"/users/{created['id']}?done=invited")


async def _found(gw: Gateway, user_id: int) -> dict:
    found = await gw.accounts.get(user_id)
    if found is None:
        raise GatewayError.one(404, "User not found")
    return found


@router.get("/users/import")
async def import_page(request: Request, user: User = Depends(SUPPORT)):
    request.state.csrf_token = await csrf_token(request)
    return render(request, "users/import.html", _ctx(title="Import users"))


@router.post("/users/import", dependencies=[Depends(verify_csrf)])
async def import_upload(request: Request, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    form = await request.form()
    upload = form.get("file")
    data = await upload.read() if upload is not None and hasattr(upload, "read") else None
    name = safe_file_name(upload.filename, fallback="users.csv") if data is not None and upload.filename else None
    try:
        staged = await actions.stage_import(gw, user, data, name)
    except GatewayError as error:
        if error.status != 422:
            raise
        request.state.csrf_token = await csrf_token(request)
        file_errors = [e for e in error.errors if e.get("row") is None]
        rows = [e for e in error.errors if e.get("row") is not None]
        summary = [{"text": e["message"], "href": "#file"} for e in file_errors] or [
            {"text": f"The selected file has {len(rows)} error{'s' if len(rows) != 1 else ''}: fix them and upload it again",
             "href": "#file"}]
        return render(request, "users/import.html", _ctx(title="Import users", errors=summary, rows=rows,
                                                         file_error=summary[0]["text"]), status_code=422)
    return see_other(f"/users/import/{staged['upload_id']}")


@router.get("/users/import/{upload_id}")
async def import_review(request: Request, upload_id: str = UploadId, user: User = Depends(SUPPORT),
                        gw: Gateway = Depends(gateway)):
    pending = await gw.accounts.pending_import(upload_id)
    if pending is None:
        raise GatewayError.one(404, "Upload not found")
    request.state.csrf_token = await csrf_token(request)
    template = "users/import_done.html" if pending["confirmed"] else "users/import_review.html"
    return render(request, template, _ctx(title="Users imported" if pending["confirmed"] else "Check the users",
                                          upload=pending))


@router.post("/users/import/{upload_id}/confirm", dependencies=[Depends(verify_csrf)])
async def import_confirm(upload_id: str = UploadId, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    await actions.confirm_import(gw, upload_id)
    return see_other(f"/users/import/{upload_id}")


@router.post("/users/import/{upload_id}/cancel", dependencies=[Depends(verify_csrf)])
async def import_cancel(upload_id: str = UploadId, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    await gw.accounts.cancel_import(upload_id)
    return see_other("/users/import")


@router.get("/users/{user_id}")
async def user_page(request: Request, user_id: int = UserId, user: User = Depends(SUPPORT),
                    gw: Gateway = Depends(gateway)):
    found = await _found(gw, user_id)
    request.state.csrf_token = await csrf_token(request)
    names = {p["id"]: p["name"] for p in await actions.providers(gw, user)} if found["provider_ids"] else {}
    return render(request, "users/detail.html", _ctx(
        title=f"{found['first_name'] or ''} {found['last_name'] or ''}".strip() or found["email"], account=found,
        provider_names=[names.get(p, p) for p in found["provider_ids"]], done=request.query_params.get("done"),
        own=found["id"] == user.id))


@router.get("/users/{user_id}/deactivate")
async def deactivate_page(request: Request, user_id: int = UserId, user: User = Depends(SUPPORT),
                          gw: Gateway = Depends(gateway)):
    found = await _found(gw, user_id)
    request.state.csrf_token = await csrf_token(request)
    return render(request, "users/deactivate.html", _ctx(
        title=f"Are you sure you want to deactivate {found['email']}?", account=found))


@router.post("/users/{user_id}/deactivate", dependencies=[Depends(verify_csrf)])
async def deactivate(user_id: int = UserId, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    await actions.deactivate(gw, user, user_id)
    return see_other(f"/users/{user_id}?done=deactivated")


@router.post("/users/{user_id}/invite", dependencies=[Depends(verify_csrf)])
async def invite_again(user_id: int = UserId, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    await actions.invite_again(gw, user_id)
    return see_other(f"/users/{user_id}?done=invited-again")


# ------------------------------------------------------------------- the invitation link
def _limited(request: Request, gw: Gateway) -> None:
    if not gw.link_limiter.hit(client_ip(request)):
        raise GatewayError.one(429, "Too many requests. Wait a minute, then try again.",
                               headers={"Retry-After": str(gw.link_limiter.retry_after(client_ip(request)))})


def _gone(request: Request, status: str):
    return render(request, "users/invitation_gone.html", {"reason": status, "title": actions.GONE_TITLES[status]},
                  status_code=410)


@router.get("/invitations/{token}")
async def invitation_page(request: Request, token: str = Path(max_length=100), gw: Gateway = Depends(gateway)):
    _limited(request, gw)
    status, found = await gw.accounts.invitation(token)
    if status != "ok":
        return _gone(request, status)
    request.state.csrf_token = await csrf_token(request)
    return render(request, "users/invitation.html", {"title": "Create your password", "email": found["email"],
                                                     "min_password": MIN_PASSWORD})


@router.post("/invitations/{token}", dependencies=[Depends(verify_csrf)])
async def invitation_set(request: Request, token: str = Path(max_length=100), gw: Gateway = Depends(gateway)):
    _limited(request, gw)
    form = await request.form()
    password = form.get("password") if isinstance(form.get("password"), str) else ""
    confirm = form.get("confirm_password") if isinstance(form.get("confirm_password"), str) else ""
    status, found = await gw.accounts.invitation(token)
    if status != "ok":
        return _gone(request, status)
    errors = {}
    if problem := actions.password_problem(password[:1024], email=found["email"]):
        errors["password"] = problem
    elif password != confirm:
        errors["confirm_password"] = "Enter the same password in both fields"
    if not errors:
        try:
            await actions.set_password(gw, token, password)
        except GatewayError as error:
            return _gone(request, getattr(error, "reason", "unknown"))
        return render(request, "users/invitation_done.html", {"title": "Your password has been created",
                                                              "email": found["email"]})
    request.state.csrf_token = await csrf_token(request)
    return render(request, "users/invitation.html", {
        "title": "Create your password", "email": found["email"], "min_password": MIN_PASSWORD,
        "field_errors": errors, "errors": [{"text": t, "href": f"#{f}"} for f, t in errors.items()]},
        status_code=422)
