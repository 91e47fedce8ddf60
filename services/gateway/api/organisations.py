"""JSON API: the organisations claims refer to (schools, accredited providers, claim windows), kept by
the claims service; support adds them, claimants read them, and support runs them without the command
line (docs/design.md §14, §9b): GIAS extracts and the schools list, editing accredited providers, claim windows
(edit, delete a future one). Any signed-in user may list the claim windows (finance pays by window)."""
from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, File, Query, Response, UploadFile
from pydantic import Field

from shared.contracts import roles
from shared.contracts.http import claims as claims_api
from shared.contracts.identifiers import is_ascii_digits, is_id
from shared.platform.filenames import safe_file_name

from ..auth import api_role
from ..clients import GatewayError, as_sent
from ..context import Gateway, gateway
from ..users import User
from . import schemas as s

SUPPORT = api_role(roles.SUPPORT)
CLAIM_READERS = api_role(*roles.CLAIM_READERS)
ANY_USER = api_role(*roles.USER_ROLES)

router = APIRouter(prefix="/api/v1")


@router.post("/schools/import", response_model=s.ImportResult, tags=["organisations"],
             summary="Create or update schools from a CSV file",
             description="Columns: urn, name, postcode, local_authority, type_of_establishment, region, group.",
             responses=s.errors(401, 403, 422, 503))
async def import_schools(file: Annotated[UploadFile, File(description="CSV file")],
                         user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    return as_sent(await gw.services.claims.import_schools(
        file_name=safe_file_name(file.filename, fallback="schools.csv"), data=await file.read(),
        content_type=file.content_type or "text/csv", user=user))


@router.post("/providers", status_code=201, response_model=s.Provider, tags=["organisations"],
             summary="Add an accredited provider", responses=s.errors(401, 403, 422, 503))
async def add_provider(body: s.ProviderIn, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    return as_sent(await gw.services.claims.add_provider(claims_api.ProviderIn(**body.model_dump()), user=user))


@router.get("/providers", response_model=s.ProviderList, tags=["organisations"],
            summary="Accredited providers", responses=s.errors(401, 403, 503))
async def list_providers(user: User = Depends(CLAIM_READERS), gw: Gateway = Depends(gateway)):
    return as_sent(await gw.services.claims.list_providers(user=user))


@router.post("/claim-windows", status_code=201, response_model=s.ClaimWindow, tags=["organisations"],
             summary="Add a claim window", responses=s.errors(401, 403, 422, 503))
async def add_claim_window(body: s.ClaimWindowIn, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    return as_sent(await gw.services.claims.add_claim_window(claims_api.WindowIn(**body.model_dump()),
                                                             user=user))


@router.get("/claim-windows", response_model=s.ClaimWindowList, tags=["organisations"],
            summary="Claim windows, newest first", responses=s.errors(401, 403, 503))
async def list_claim_windows(user: User = Depends(ANY_USER), gw: Gateway = Depends(gateway)):
    return as_sent(await gw.services.claims.list_claim_windows(user=user))



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


class ClaimWindowState(s.ClaimWindow):
    current: bool


def check_id(value: str, what: str) -> str:
    if not is_id(value):
        raise GatewayError.one(404, f"There is no such {what}")
    return value


async def _file(upload: UploadFile | None, fallback: str) -> tuple[str, bytes, str] | None:
    if upload is None or not upload.filename:
        return None
    return (safe_file_name(upload.filename, fallback=fallback), await upload.read(), upload.content_type or "text/csv")


# ------------------------------------------------------------------------------------ schools
@router.post("/schools/gias", status_code=201, response_model=GiasUploaded, tags=["organisations"],
             summary="Upload GIAS's “all establishments” extract (and optionally its links extract)",
             description="The extract as GIAS publishes it (Windows-1252, its own column names). Nothing changes "
                         "until the upload is confirmed; the answer counts the schools that would be new, changed "
                         "and closed.", responses=s.errors(401, 403, 422, 503))
async def upload_gias(file: Annotated[UploadFile | None, File(description="edubasealldata CSV")] = None,
                      links: Annotated[UploadFile | None, File(description="links_edubasealldata CSV")] = None,
                      user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    extract = await _file(file, "edubasealldata.csv")
    if extract is None:
        raise GatewayError.one(422, "Select a CSV file to upload", field="file")
    return as_sent(await gw.services.claims.upload_gias(extract, await _file(links, "links_edubasealldata.csv"),
                                                        user=user))


@router.get("/schools/gias/{upload_id}", response_model=GiasUpload, tags=["organisations"],
            summary="A GIAS upload: its status and counts", responses=s.errors(401, 403, 404, 503))
async def gias_upload(upload_id: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    return as_sent(await gw.services.claims.gias_upload(check_id(upload_id, "upload"), user=user))


@router.post("/schools/gias/{upload_id}/confirm", response_model=GiasUpload, tags=["organisations"],
             summary="Apply a GIAS upload (once)", responses=s.errors(401, 403, 404, 422, 503))
async def confirm_gias(upload_id: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    await gw.services.claims.confirm_gias(check_id(upload_id, "upload"), user=user)
    return as_sent(await gw.services.claims.gias_upload(upload_id, user=user))


@router.post("/schools/gias/{upload_id}/cancel", response_model=GiasUpload, tags=["organisations"],
             summary="Cancel a GIAS upload", responses=s.errors(401, 403, 404, 422, 503))
async def cancel_gias(upload_id: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    await gw.services.claims.cancel_gias(check_id(upload_id, "upload"), user=user)
    return as_sent(await gw.services.claims.gias_upload(upload_id, user=user))


@router.get("/schools", response_model=SchoolList, tags=["organisations"],
            summary="Schools by name or URN, 25 a page", responses=s.errors(401, 403, 422, 503))
async def schools(q: Annotated[str | None, Query(max_length=200)] = None,
                  page: Annotated[int, Query(ge=1, le=100_000)] = 1,
                  user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    if q and "\x00" in q:
        raise GatewayError.one(422, "Remove the invalid characters", field="q")
    return as_sent(await gw.services.claims.schools(q=q or None, page=page, per_page=25, user=user))


@router.get("/schools/{urn}", response_model=School, tags=["organisations"],
            summary="A school, with its successor when it closed", responses=s.errors(401, 403, 404, 503))
async def school(urn: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    if not (is_ascii_digits(urn) and len(urn) <= 16):
        raise GatewayError.one(404, f"There is no school with URN {urn[:20]}", field="urn")
    return as_sent(await gw.services.claims.school(urn, user=user))


# ---------------------------------------------------------------------------------- providers
@router.get("/providers/{provider_id}", response_model=s.Provider, tags=["organisations"],
            summary="An accredited provider", responses=s.errors(401, 403, 404, 503))
async def provider(provider_id: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    return as_sent(await gw.services.claims.provider(check_id(provider_id, "provider"), user=user))


@router.patch("/providers/{provider_id}", response_model=s.Provider, tags=["organisations"],
              summary="Change an accredited provider's name, code or sampling email addresses",
              responses=s.errors(401, 403, 404, 422, 503))
async def edit_provider(provider_id: str, body: s.ProviderIn, user: User = Depends(SUPPORT),
                        gw: Gateway = Depends(gateway)):
    return as_sent(await gw.services.claims.edit_provider(check_id(provider_id, "provider"),
                                                          claims_api.ProviderIn(**body.model_dump()), user=user))


# ------------------------------------------------------------------------------ claim windows
@router.get("/claim-windows/{window_id}", response_model=ClaimWindowState, tags=["organisations"],
            summary="A claim window", responses=s.errors(401, 403, 404, 503))
async def claim_window(window_id: str, user: User = Depends(ANY_USER), gw: Gateway = Depends(gateway)):
    return as_sent(await gw.services.claims.claim_window(check_id(window_id, "claim window"), user=user))


@router.patch("/claim-windows/{window_id}", response_model=ClaimWindowState, tags=["organisations"],
              summary="Change a claim window's dates or academic year", responses=s.errors(401, 403, 404, 422, 503))
async def edit_claim_window(window_id: str, body: s.ClaimWindowIn, user: User = Depends(SUPPORT),
                            gw: Gateway = Depends(gateway)):
    return as_sent(await gw.services.claims.edit_claim_window(
        check_id(window_id, "claim window"), claims_api.WindowIn(**body.model_dump()), user=user))


@router.delete("/claim-windows/{window_id}", status_code=204, response_class=Response, tags=["organisations"],
               summary="Delete a claim window that has not opened yet", responses=s.errors(401, 403, 404, 422, 503))
async def delete_claim_window(window_id: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    await gw.services.claims.delete_claim_window(check_id(window_id, "claim window"), user=user)
    return Response(status_code=204)
