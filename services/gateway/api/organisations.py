"""JSON API for what support runs without the command line (DESIGN §14, §9b): schools and GIAS
extracts, editing accredited providers, claim windows (edit, delete a future one).

Each route checks the role and forwards to the claims service, which owns organisations."""
from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, File, Query, Response, UploadFile
from pydantic import Field

from shared.contracts import roles
from shared.contracts.identifiers import is_ascii_digits

from ..auth import api_role
from ..clients import GatewayError
from ..context import Gateway, gateway
from ..users import User
from . import schemas as s

SUPPORT = api_role(roles.SUPPORT)
ANY_USER = api_role(*roles.USER_ROLES)

router = APIRouter(prefix="/api/v1")


class GiasUploaded(s.Open):
    upload_id: str
    new: int
    changed: int
    closed: int


class GiasUpload(GiasUploaded):
    status: str = Field(description="pending, confirmed or cancelled")
    file_name: str
    links_file_name: str | None = None
    row_count: int


class School(s.Open):
    urn: str
    name: str
    establishment_status: str
    closed_on: date | None = None
    successor_urn: str | None = None


class SchoolList(s.Page):
    items: list[School]


class ClaimWindow(s.ClaimWindow):
    current: bool


def check_id(value: str, what: str) -> str:
    if not (0 < len(value) <= 100 and all(c.isalnum() or c in "-_" for c in value)):
        raise GatewayError.one(404, f"There is no such {what}")
    return value


# ------------------------------------------------------------------------------------ schools
@router.post("/schools/gias", status_code=201, response_model=GiasUploaded, tags=["organisations"],
             summary="Upload GIAS's “all establishments” extract (and optionally its links extract)",
             description="The extract as GIAS publishes it (Windows-1252, its own column names). Nothing changes "
                         "until the upload is confirmed; the answer counts the schools that would be new, changed "
                         "and closed.", responses=s.errors(401, 403, 422, 503))
async def upload_gias(file: Annotated[UploadFile | None, File(description="edubasealldata CSV")] = None,
                      links: Annotated[UploadFile | None, File(description="links_edubasealldata CSV")] = None,
                      user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    files = {}
    for key, upload in (("file", file), ("links", links)):
        if upload is not None and upload.filename:
            files[key] = (upload.filename, await upload.read(), upload.content_type or "text/csv")
    if "file" not in files:
        raise GatewayError.one(422, "Select a CSV file to upload", field="file")
    return await gw.services.claims.json("POST", "/internal/v1/schools/gias", user=user, files=files,
                                         timeout=120)


@router.get("/schools/gias/{upload_id}", response_model=GiasUpload, tags=["organisations"],
            summary="A GIAS upload: its status and counts", responses=s.errors(401, 403, 404, 503))
async def gias_upload(upload_id: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    return await gw.services.claims.json("GET", f"/internal/v1/schools/gias/{check_id(upload_id, 'upload')}",
                                         user=user)


@router.post("/schools/gias/{upload_id}/confirm", response_model=GiasUpload, tags=["organisations"],
             summary="Apply a GIAS upload (once)", responses=s.errors(401, 403, 404, 422, 503))
async def confirm_gias(upload_id: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    path = f"/internal/v1/schools/gias/{check_id(upload_id, 'upload')}"
    await gw.services.claims.json("POST", f"{path}/confirm", user=user, timeout=120)
    return await gw.services.claims.json("GET", path, user=user)


@router.post("/schools/gias/{upload_id}/cancel", response_model=GiasUpload, tags=["organisations"],
             summary="Cancel a GIAS upload", responses=s.errors(401, 403, 404, 422, 503))
async def cancel_gias(upload_id: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    path = f"/internal/v1/schools/gias/{check_id(upload_id, 'upload')}"
    await gw.services.claims.json("POST", f"{path}/cancel", user=user)
    return await gw.services.claims.json("GET", path, user=user)


@router.get("/schools", response_model=SchoolList, tags=["organisations"],
            summary="Schools by name or URN, 25 a page", responses=s.errors(401, 403, 422, 503))
async def schools(q: Annotated[str | None, Query(max_length=200)] = None,
                  page: Annotated[int, Query(ge=1, le=100_000)] = 1,
                  user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    if q and "\x00" in q:
        raise GatewayError.one(422, "Remove the invalid characters", field="q")
    params = {"page": page, "per_page": 25, **({"q": q} if q else {})}
    return await gw.services.claims.json("GET", "/internal/v1/schools", user=user, params=params)


@router.get("/schools/{urn}", response_model=School, tags=["organisations"],
            summary="A school, with its successor when it closed", responses=s.errors(401, 403, 404, 503))
async def school(urn: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    if not (is_ascii_digits(urn) and len(urn) <= 16):
        raise GatewayError.one(404, f"There is no school with URN {urn[:20]}", field="urn")
    return await gw.services.claims.json("GET", f"/internal/v1/schools/{urn}", user=user)


# ---------------------------------------------------------------------------------- providers
@router.get("/providers/{provider_id}", response_model=s.Provider, tags=["organisations"],
            summary="An accredited provider", responses=s.errors(401, 403, 404, 503))
async def provider(provider_id: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    return await gw.services.claims.json("GET", f"/internal/v1/providers/{check_id(provider_id, 'provider')}",
                                         user=user)


@router.patch("/providers/{provider_id}", response_model=s.Provider, tags=["organisations"],
              summary="Change an accredited provider's name, code or sampling email addresses",
              responses=s.errors(401, 403, 404, 422, 503))
async def edit_provider(provider_id: str, body: s.ProviderIn, user: User = Depends(SUPPORT),
                        gw: Gateway = Depends(gateway)):
    return await gw.services.claims.json("PATCH", f"/internal/v1/providers/{check_id(provider_id, 'provider')}",
                                         user=user, json=body.model_dump())


# ------------------------------------------------------------------------------ claim windows
@router.get("/claim-windows/{window_id}", response_model=ClaimWindow, tags=["organisations"],
            summary="A claim window", responses=s.errors(401, 403, 404, 503))
async def claim_window(window_id: str, user: User = Depends(ANY_USER), gw: Gateway = Depends(gateway)):
    return await gw.services.claims.json("GET", f"/internal/v1/claim-windows/{check_id(window_id, 'claim window')}",
                                         user=user)


@router.patch("/claim-windows/{window_id}", response_model=ClaimWindow, tags=["organisations"],
              summary="Change a claim window's dates or academic year", responses=s.errors(401, 403, 404, 422, 503))
async def edit_claim_window(window_id: str, body: s.ClaimWindowIn, user: User = Depends(SUPPORT),
                            gw: Gateway = Depends(gateway)):
    return await gw.services.claims.json("PATCH", f"/internal/v1/claim-windows/{check_id(window_id, 'claim window')}",
                                         user=user, json=body.model_dump(mode="json"))


@router.delete("/claim-windows/{window_id}", status_code=204, response_class=Response, tags=["organisations"],
               summary="Delete a claim window that has not opened yet", responses=s.errors(401, 403, 404, 422, 503))
async def delete_claim_window(window_id: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    await gw.services.claims.request("DELETE", f"/internal/v1/claim-windows/{check_id(window_id, 'claim window')}",
                                     user=user)
    return Response(status_code=204)
