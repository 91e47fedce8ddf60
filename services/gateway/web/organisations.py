"""Support pages for running the service without the command line (docs/design.md §14): schools and GIAS
uploads (upload → review → confirm → done), accredited providers (list, add, edit) and claim
windows (list with the current one tagged, add, edit, delete one that has not opened).

Every form posts with a CSRF token; a refusal from the claims service comes back as the error
summary linked to the field it names."""
from __future__ import annotations

import math
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import UploadFile

from shared.contracts.http.claims import GiasUpload, ProviderIn
from shared.contracts.identifiers import is_ascii_digits, is_id
from shared.platform.filenames import safe_file_name

from ..auth import verify_csrf
from ..clients import Downstream, GatewayError
from ..context import Gateway, gateway
from ..users import User
from .common import SUPPORT, form_text, render, see_other, summary
from .forms import pagination

router = APIRouter(include_in_schema=False)
PER_PAGE = 25


def _check_id(value: str) -> str:
    if not is_id(value):
        raise GatewayError.one(404, "Page not found")
    return value


# ------------------------------------------------------------------------------------ schools
@router.get("/schools")
async def schools(request: Request, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    q = (request.query_params.get("q") or "").replace("\x00", "").strip()[:200]
    try:
        page = max(1, min(int(request.query_params.get("page") or 1), 100_000))
    except ValueError:
        page = 1
    result = await gw.services.claims.schools(q=q or None, page=page, per_page=PER_PAGE, user=user)
    pages = math.ceil(result.total / PER_PAGE) if result.total else 0
    return render(request, "schools/list.html", {
        "title": "Schools", "section": "schools", "q": q, "result": result,
        "banner": "Schools updated from GIAS" if request.query_params.get("updated") else None,
        "pagination": pagination(page, pages, lambda n: "?" + urlencode({**({"q": q} if q else {}), "page": n}))})


GIAS = "/schools/gias"


@router.get(GIAS)
async def gias_form(request: Request, user: User = Depends(SUPPORT)):
    return render(request, "schools/gias_upload.html", {"title": "Upload schools from GIAS", "section": "schools"})


@router.post(GIAS, dependencies=[Depends(verify_csrf)])
async def gias_upload(request: Request, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    form = await request.form()
    files = {}
    for key in ("file", "links"):
        upload = form.get(key)
        if isinstance(upload, UploadFile) and upload.filename:
            files[key] = (safe_file_name(upload.filename, fallback=f"{key}.csv"), await upload.read(),
                          upload.content_type or "text/csv")
    errors = []
    if "file" not in files:
        errors = [{"message": "Select the “all establishments” CSV file from GIAS", "field": "file"}]
    else:
        try:
            created = await gw.services.claims.upload_gias(files["file"], files.get("links"), user=user)
            return see_other(f"{GIAS}/{created.upload_id}")
        except Downstream as exc:
            if exc.status != 422:
                raise
            errors = exc.errors
    for e in errors:
        if e.get("row") is not None:
            e["message"] = f"Row {e['row']}: {e['message']}"
    links_errors = [e for e in errors if e["message"].startswith("Links file")]
    file_errors = [e for e in errors if e not in links_errors]
    return render(request, "schools/gias_upload.html", {
        "title": "Upload schools from GIAS", "section": "schools",
        "errors": summary(file_errors, default_field="file") + summary(
            [{**e, "field": "links"} for e in links_errors], default_field="links"),
        "file_error": " ".join(e["message"] for e in file_errors[:3]) or None,
        "links_error": " ".join(e["message"] for e in links_errors[:3]) or None}, status_code=422)


async def _gias(gw: Gateway, user: User, upload_id: str) -> GiasUpload:
    return await gw.services.claims.gias_upload(_check_id(upload_id), user=user)


@router.get(GIAS + "/{upload_id}")
async def gias_review(request: Request, upload_id: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    upload = await _gias(gw, user, upload_id)
    if upload.status != "pending":
        return see_other(f"{GIAS}/{upload_id}/done" if upload.status == "confirmed" else "/schools")
    return render(request, "schools/gias_review.html", {
        "title": "Check the changes before you update the schools", "section": "schools", "upload": upload})


async def _gias_step(gw: Gateway, user: User, upload_id: str, step, then: str):
    """Confirm or cancel the user's own GIAS upload (``step``: the claims client's call), then go on to ``then``;
    an upload no longer pending (the service's 422) is simply passed by."""
    await _gias(gw, user, upload_id)
    try:
        await step(upload_id, user=user)
    except Downstream as exc:
        if exc.status != 422:
            raise
    return see_other(then)


@router.post(GIAS + "/{upload_id}/confirm", dependencies=[Depends(verify_csrf)])
async def gias_confirm(request: Request, upload_id: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    return await _gias_step(gw, user, upload_id, gw.services.claims.confirm_gias, f"{GIAS}/{upload_id}/done")


@router.post(GIAS + "/{upload_id}/cancel", dependencies=[Depends(verify_csrf)])
async def gias_cancel(request: Request, upload_id: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    return await _gias_step(gw, user, upload_id, gw.services.claims.cancel_gias, "/schools")


@router.get(GIAS + "/{upload_id}/done")
async def gias_done(request: Request, upload_id: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    upload = await _gias(gw, user, upload_id)
    if upload.status != "confirmed":
        return see_other(f"{GIAS}/{upload_id}" if upload.status == "pending" else "/schools")
    return render(request, "schools/gias_done.html", {"title": "Schools updated", "section": "schools",
                                                      "upload": upload})


@router.get("/schools/{urn}")
async def school(request: Request, urn: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    if not (is_ascii_digits(urn) and len(urn) <= 16):
        raise GatewayError.one(404, "Page not found")
    found = await gw.services.claims.school(urn, user=user)
    return render(request, "schools/show.html", {"title": found.name, "section": "schools", "school": found})


# ---------------------------------------------------------------------------------- providers
@router.get("/providers")
async def providers(request: Request, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    result = await gw.services.claims.list_providers(user=user)
    done = {"added": "Accredited provider added", "changed": "Accredited provider updated"}
    return render(request, "providers/list.html", {
        "title": "Accredited providers", "section": "providers", "providers": result.items,
        "banner": done.get(request.query_params.get("done", ""))})


def _provider_form(form) -> dict:
    emails = [e.strip() for e in form_text(form, "email_addresses", 5000).replace(",", "\n").splitlines()]
    return {"name": form_text(form, "name", 300), "code": form_text(form, "code", 32),
            "email_addresses": [e for e in emails if e][:50]}


@router.get("/providers/new")
async def provider_new(request: Request, user: User = Depends(SUPPORT)):
    return render(request, "providers/form.html", {"title": "Add an accredited provider", "section": "providers",
                                                   "action": "/providers/new", "values": {}})


@router.post("/providers/new", dependencies=[Depends(verify_csrf)])
async def provider_add(request: Request, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    values = _provider_form(await request.form())
    try:
        await gw.services.claims.add_provider(ProviderIn(**values), user=user)
    except Downstream as exc:
        if exc.status != 422:
            raise
        return _provider_again(request, exc, values, "Add an accredited provider", "/providers/new")
    return see_other("/providers?done=added")


@router.get("/providers/{provider_id}/edit")
async def provider_edit(request: Request, provider_id: str, user: User = Depends(SUPPORT),
                        gw: Gateway = Depends(gateway)):
    found = await gw.services.claims.provider(_check_id(provider_id), user=user)
    return render(request, "providers/form.html", {"title": f"Change {found.name}", "section": "providers",
                                                   "action": f"/providers/{provider_id}/edit", "values": found})


@router.post("/providers/{provider_id}/edit", dependencies=[Depends(verify_csrf)])
async def provider_change(request: Request, provider_id: str, user: User = Depends(SUPPORT),
                          gw: Gateway = Depends(gateway)):
    values = _provider_form(await request.form())
    try:
        await gw.services.claims.edit_provider(_check_id(provider_id), ProviderIn(**values), user=user)
    except Downstream as exc:
        if exc.status != 422:
            raise
        return _provider_again(request, exc, values, "Change the accredited provider",
                               f"/providers/{provider_id}/edit")
    return see_other("/providers?done=changed")


def _provider_again(request: Request, exc: Downstream, values: dict, title: str, action: str):
    fields = {e.get("field") or "name": e["message"] for e in exc.errors}
    return render(request, "providers/form.html", {
        "title": title, "section": "providers", "action": action, "values": values, "field_errors": fields,
        "errors": summary(exc.errors, default_field="name")}, status_code=422)
