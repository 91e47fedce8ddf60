"""JSON API: the two-step CSV uploads every workflow shares (sampling file, provider response, payer
payment and clawback responses). The file is checked and stored pending (201 ``{"upload_id",
"claim_count"}`` or 422 with every error, a CSV's row errors keeping their ``row``), then confirmed
(202: the claims' statuses follow within seconds) or cancelled.
"""
from __future__ import annotations

from typing import Annotated, Any, Callable

from fastapi import APIRouter, Depends, File, UploadFile

from shared.contracts import roles
from shared.csvfiles.messages import MAX_FILES, TOO_MANY_FILES
from shared.platform.filenames import safe_file_name

from ..auth import api_role
from ..checks import check_id
from ..clients import GatewayError, UploadClient, as_sent
from ..context import Gateway, gateway
from ..users import User
from . import workflow_schemas as w
from .schemas import errors

SUPPORT = api_role(roles.SUPPORT)
UPLOAD_ERRORS = errors(401, 403, 422, 503)
STEP_ERRORS = errors(401, 403, 404, 422, 503)


async def forward_file(uploads: UploadClient, file: UploadFile | None, user: User) -> Any:
    part = None
    if file is not None:
        part = (safe_file_name(file.filename), await file.read(), file.content_type or "text/csv")
    return await uploads.upload(part, user=user)


FileField = Annotated[UploadFile | None, File(description="The CSV file")]
FilesField = Annotated[list[UploadFile] | None, File(description="The CSV file; repeat the part to upload several "
                                                                 "files together (each checked on its own, all "
                                                                 "confirmed together or none)")]


async def file_parts(files: list[UploadFile] | None) -> list[tuple[str, bytes, str]]:
    """The files to forward, read only when there are not too many (the service says which are wrong)."""
    if files and len(files) > MAX_FILES:
        raise GatewayError.one(422, TOO_MANY_FILES, field="file")
    return [(safe_file_name(f.filename), await f.read(), f.content_type or "text/csv") for f in files or []]


def upload_routes(router: APIRouter, *, prefix: str, tag: str, uploads: Callable[[Gateway], UploadClient],
                  what: str, many: Callable[[Gateway], Any] | None = None) -> None:
    """POST ``prefix`` (file) → 201; GET ``prefix/{id}``; POST ``.../confirm`` → 202; ``.../cancel``.
    ``many``: the client that takes several ``file`` parts as one upload (provider responses)."""

    if many is None:
        @router.post(prefix, status_code=201, response_model=w.UploadCreated, tags=[tag], responses=UPLOAD_ERRORS,
                     summary=f"Upload {what} (checked and kept pending until confirmed)", name=f"upload_{tag}_{what}")
        async def upload(file: FileField = None, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
            return as_sent(await forward_file(uploads(gw), file, user))
    else:
        @router.post(prefix, status_code=201, response_model=w.UploadCreated, tags=[tag], responses=UPLOAD_ERRORS,
                     summary=f"Upload {what}, one file or several together (checked and kept pending until "
                             "confirmed; errors name their file when there are several)", name=f"upload_{tag}_{what}")
        async def upload_many(file: FilesField = None, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
            return as_sent(await many(gw).upload(await file_parts(file), user=user))

    @router.get(prefix + "/{upload_id}", response_model=w.UploadReview, tags=[tag], responses=STEP_ERRORS,
                summary=f"Review {what} before confirming it", name=f"review_{tag}_{what}")
    async def review(upload_id: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
        return as_sent(await uploads(gw).review(check_id(upload_id), user=user))

    @router.post(prefix + "/{upload_id}/confirm", status_code=202, response_model=w.Accepted, tags=[tag],
                 responses=STEP_ERRORS, summary=f"Confirm {what} (applies once, however often it is sent)",
                 name=f"confirm_{tag}_{what}")
    async def confirm(upload_id: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
        return as_sent(await uploads(gw).confirm(check_id(upload_id), user=user))

    @router.post(prefix + "/{upload_id}/cancel", response_model=w.Accepted, tags=[tag], responses=STEP_ERRORS,
                 summary=f"Cancel {what} (nothing changes)", name=f"cancel_{tag}_{what}")
    async def cancel(upload_id: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
        return as_sent(await uploads(gw).cancel(check_id(upload_id), user=user))
