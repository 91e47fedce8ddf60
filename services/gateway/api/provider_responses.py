"""JSON API: a provider user answers with its response CSV in its own account (docs/design.md §12,
§9b), and support downloads each accredited provider's part of a response upload.

- ``POST /api/v1/provider/responses`` (multipart ``file``; several ``file`` parts are one upload)
  → 201 ``{"upload_id", "claim_count"}`` or 422 with every error; the rules and words are support's
  (§5), and a claim of another provider is refused as an unknown claim. ``GET .../{upload_id}``,
  ``POST .../{upload_id}/confirm`` (202) and ``.../cancel``: only a user of the same provider (404
  otherwise). The user's accredited providers come from the user record, never from the request.
- ``GET /api/v1/sampling/response-files/{file_id}``: support only; the CSV as it was uploaded.
"""
from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from shared.contracts import roles

from ..auth import api_role
from ..checks import check_id
from ..clients import as_sent
from ..clients.provider_responses import ProviderResponseClient
from ..context import Gateway, gateway
from ..users import User
from . import workflow_schemas as w
from .schemas import errors
from .uploads import STEP_ERRORS, UPLOAD_ERRORS, FilesField, file_parts

PROVIDER = api_role(roles.PROVIDER)
SUPPORT = api_role(roles.SUPPORT)
router = APIRouter(prefix="/api/v1")


def responses(gw: Gateway) -> ProviderResponseClient:
    return ProviderResponseClient(gw.services.sampling.http)


@router.post("/provider/responses", status_code=201, response_model=w.UploadCreated, tags=["provider"],
             responses=UPLOAD_ERRORS, summary="Upload your provider response CSV (only your own claims; checked and "
                                              "kept pending until you confirm it)")
async def upload(file: FilesField = None, user: User = Depends(PROVIDER), gw: Gateway = Depends(gateway)):
    return as_sent(await responses(gw).upload(await file_parts(file), user=user))


@router.get("/provider/responses/{upload_id}", response_model=w.UploadReview, tags=["provider"],
            responses=STEP_ERRORS, summary="Review your provider response before confirming it")
async def review(upload_id: str, user: User = Depends(PROVIDER), gw: Gateway = Depends(gateway)):
    return as_sent(await responses(gw).review(check_id(upload_id), user=user))


@router.post("/provider/responses/{upload_id}/confirm", status_code=202, response_model=w.Accepted,
             tags=["provider"], responses=STEP_ERRORS,
             summary="Confirm your provider response (applies once, however often it is sent)")
async def confirm(upload_id: str, user: User = Depends(PROVIDER), gw: Gateway = Depends(gateway)):
    return as_sent(await responses(gw).confirm(check_id(upload_id), user=user))


@router.post("/provider/responses/{upload_id}/cancel", response_model=w.Accepted, tags=["provider"],
             responses=STEP_ERRORS, summary="Cancel your provider response (nothing changes)")
async def cancel(upload_id: str, user: User = Depends(PROVIDER), gw: Gateway = Depends(gateway)):
    return as_sent(await responses(gw).cancel(check_id(upload_id), user=user))


@router.get("/sampling/response-files/{file_id}", tags=["sampling"], response_class=Response,
            responses={200: {"content": {"text/csv": {}}, "description": "The provider's rows as uploaded"},
                       **errors(401, 403, 404, 503)},
            summary="Download one accredited provider's part of a provider response upload")
async def response_file(file_id: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    found = await responses(gw).response_file(check_id(file_id, "file"), user=user)
    return Response(found.content, media_type="text/csv",
                    headers={"Content-Disposition": found.headers.get("content-disposition", "attachment"),
                             "Cache-Control": "no-store"})
