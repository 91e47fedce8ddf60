"""Internal HTTP API of the sampling service (called by the gateway only, with the internal token).

The gateway authenticates the support user and passes who is acting in ``X-Actor-Email`` and
``X-Actor-Role``. Errors are ``{"errors": [{"message", "row", "field"}]}``: 422 for a refused
file or action (a CSV gets every error at once), 404 for an unknown upload or claim, 410 for a
download link that cannot be used any more (``reason`` says why).
"""
from __future__ import annotations

from typing import Any, Callable

from fastapi import APIRouter, Depends, File, Header, Query, Response, UploadFile

from shared.contracts import Actor
from shared.contracts.http.sampling import (Accepted, DecisionIn, Generated, Reminded, RoundDetail, RoundList, Summary,
                                            WaitingClaimList)
from shared.contracts.http.links import LinkStatus
from shared.contracts.money import Money
from shared.contracts import roles
from shared.contracts.roles import SYSTEM
from shared.platform.filenames import attachment, safe_file_name
from shared.platform.internal_api import actor, add_upload_routes

from . import handlers
from .domain import wording
from .generation_api import GenerateIn, command_from
from .ports import Deps
from .tables import links as links_table
from shared.platform.links import download_response, link_status

LINK_GONE = {
    "used": "This link has already been used. Reply to the email we sent you to get a new link.",
    "expired": "This link has expired. Reply to the email we sent you to get a new link.",
    "revoked": "This link no longer works because we sent you a new one. Use the link in the latest email, "
               "or reply to the email to get a new link.",
    "unknown": "This link is not valid. Check you copied the whole link from the email, or reply to the email "
               "to get a new link.",
}


def provider_scope(x_actor_role: str = Header(default=SYSTEM),
                   x_actor_providers: str = Header(default="")) -> frozenset[str] | None:
    """A provider user's accredited providers (``PROVIDERS_HEADER``); None for support and the system."""
    if x_actor_role != roles.PROVIDER:
        return None
    return frozenset(p.strip() for p in x_actor_providers.split(",") if p.strip())


def waiting_item(c: dict[str, Any]) -> dict[str, Any]:
    return {"reference": c["reference"], "status": c["status"], "status_label": wording.label(c["status"]),
            "school": {"urn": c["school_urn"], "name": c["school_name"]},
            "provider": {"id": c["provider_id"], "name": c["provider_name"]},
            "amount": str(Money(c["amount"])), "sample_reason": c["sample_reason"],
            "provider_comment": c["provider_comment"],
            "submitted_at": c["submitted_at"].isoformat() if c["submitted_at"] else None}


async def _file(file: UploadFile | None) -> tuple[bytes | None, str | None]:
    if file is None:
        return None, None
    return await file.read(), file.filename and safe_file_name(file.filename)


async def _files(files: list[UploadFile] | None) -> list[tuple[bytes | None, str | None]]:
    """Every ``file`` part (several provider response files are held as one upload); none: one missing file."""
    return [await _file(f) for f in files] if files else [(None, None)]


def _upload_routes(router: APIRouter, uow_factory: Callable, deps: Deps, *, kind: str, path: str,
                   upload: Callable, confirm: Callable, many: bool = False) -> None:
    """Upload, review, confirm and cancel a file of ``kind`` (a sample or a provider response) at
    ``path``: the same four routes for both; ``upload`` and ``confirm`` are the kind's handlers.
    ``many``: the upload takes several ``file`` parts and a provider user's scope (provider responses)."""
    async def upload_file(file: UploadFile | None = File(default=None), who: Actor = Depends(actor)):
        data, name = await _file(file)
        async with uow_factory() as uow:
            return await upload(handlers.UploadFile(data, name, who), uow, deps.clock)

    async def upload_files(file: list[UploadFile] | None = File(default=None), who: Actor = Depends(actor),
                           scope: frozenset[str] | None = Depends(provider_scope)):
        (data, name), *more = await _files(file)
        command = handlers.UploadFile(data, name, who, more=tuple(handlers.NamedFile(d, n) for d, n in more),
                                      scope=scope)
        async with uow_factory() as uow:
            return await upload(command, uow, deps.clock)

    async def review(upload_id: str, scope: frozenset[str] | None = Depends(provider_scope)):
        async with uow_factory() as uow:
            return await handlers.handle_review(handlers.DecideUpload(upload_id, kind, scope=scope), uow, deps.clock)

    async def confirm_upload(upload_id: str, who: Actor = Depends(actor),
                             scope: frozenset[str] | None = Depends(provider_scope)):
        async with uow_factory() as uow:
            return await confirm(handlers.DecideUpload(upload_id, kind, who, scope), uow, deps.clock)

    async def cancel(upload_id: str, who: Actor = Depends(actor),
                     scope: frozenset[str] | None = Depends(provider_scope)):
        async with uow_factory() as uow:
            return await handlers.handle_cancel_upload(handlers.DecideUpload(upload_id, kind, who, scope), uow,
                                                       deps.clock)

    add_upload_routes(router, path, upload=upload_files if many else upload_file, review=review,
                      confirm=confirm_upload, cancel=cancel,
                      names=(f"upload_{kind}", f"review_{kind}", f"confirm_{kind}", f"cancel_{kind}"))


def build_router(uow_factory: Callable, deps: Deps, settings: Any, auth: Callable) -> APIRouter:
    router = APIRouter(prefix="/internal/v1", dependencies=[Depends(auth)])
    base_url = settings.public_base_url

    # -- sampling uploads and provider responses ---------------------------------------------------
    _upload_routes(router, uow_factory, deps, kind="sample", path="/sampling/uploads",
                   upload=lambda command, uow, clock: handlers.handle_upload_sample(command, uow, clock,
                                                                                    new_id=deps.new_id),
                   confirm=lambda command, uow, clock: handlers.handle_confirm_sample(
                       command, uow, clock, new_id=deps.new_id, public_base_url=base_url))
    _upload_routes(router, uow_factory, deps, kind="response", path="/sampling/responses",
                   upload=lambda command, uow, clock: handlers.handle_upload_response(command, uow, clock,
                                                                                      new_id=deps.new_id),
                   confirm=lambda command, uow, clock: handlers.handle_confirm_response(command, uow, clock),
                   many=True)

    @router.get("/sampling/response-files/{file_id}")
    async def response_file(file_id: str):
        """One accredited provider's part of a provider response upload, as uploaded (support downloads it)."""
        async with uow_factory() as uow:
            name, content = await handlers.handle_response_file(file_id, uow, deps.clock)
        return Response(content, media_type="text/csv",
                        headers={"Content-Disposition": attachment(name)})

    # -- a generated sample ----------------------------------------------------------------------
    @router.post("/sampling/generate", status_code=201, response_model=Generated)
    async def generate(body: GenerateIn, who: Actor = Depends(actor)):
        async with uow_factory() as uow:
            return await handlers.handle_generate_sample(command_from(body, who), uow, deps.clock, new_id=deps.new_id)

    @router.get("/sampling/uploads/{upload_id}/sample.csv")
    async def sample_csv(upload_id: str):
        async with uow_factory() as uow:
            name, content = await handlers.handle_sample_csv(upload_id, uow, deps.clock)
        return Response(content, media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})

    # -- the Sampling section --------------------------------------------------------------------
    @router.get("/sampling/claims", response_model=WaitingClaimList)
    async def waiting(page: int = Query(default=1, ge=1), per_page: int = Query(default=25, ge=1, le=500),
                      status: str | None = None):
        statuses = [status] if status in wording.WAITING else list(wording.WAITING)
        async with uow_factory() as uow:
            rows, total = await uow.projection.waiting_page(statuses, page=page, per_page=per_page)
        return {"items": [waiting_item(r) for r in rows], "total": total, "page": page, "per_page": per_page,
                "empty_message": wording.EMPTY_STATE if total == 0 else None}

    @router.get("/sampling/summary", response_model=Summary)
    async def summary():
        """What the Sampling section needs to choose its "cannot upload" states."""
        async with uow_factory() as uow:
            counts = await uow.projection.count_by_status()
        paid = counts.get(wording.PAID, 0)
        in_progress = counts.get(wording.SAMPLING_IN_PROGRESS, 0)
        return {"paid_claim_count": paid, "sampling_in_progress_count": in_progress,
                "provider_not_approved_count": counts.get(wording.PROVIDER_NOT_APPROVED, 0),
                "can_upload_sample": paid > 0, "can_upload_response": in_progress > 0,
                "cannot_upload_sample_message": None if paid else wording.NOTHING_TO_SAMPLE,
                "cannot_upload_response_message": None if in_progress else wording.NOTHING_AWAITING_RESPONSE}

    @router.post("/claims/{reference}/sampling/approve", status_code=202, response_model=Accepted)
    async def approve(reference: str, body: DecisionIn | None = None, who: Actor = Depends(actor)):
        async with uow_factory() as uow:
            return await handlers.handle_decide_claim(
                handlers.DecideClaim(reference, True, body.reason if body else "", who), uow, deps.clock)

    @router.post("/claims/{reference}/sampling/reject", status_code=202, response_model=Accepted)
    async def reject(reference: str, body: DecisionIn | None = None, who: Actor = Depends(actor)):
        async with uow_factory() as uow:
            return await handlers.handle_decide_claim(
                handlers.DecideClaim(reference, False, body.reason if body else "", who), uow, deps.clock)

    @router.post("/providers/{provider_id}/sampling/resend", status_code=202, response_model=Accepted)
    async def resend(provider_id: str, upload_id: str | None = Query(default=None, max_length=64),
                     who: Actor = Depends(actor)):
        async with uow_factory() as uow:
            return await handlers.handle_resend_link(handlers.ResendLink(provider_id, who, upload_id or None), uow,
                                                     deps.clock, public_base_url=base_url)

    @router.post("/providers/{provider_id}/sampling/remind", status_code=202, response_model=Reminded)
    async def remind(provider_id: str, who: Actor = Depends(actor)):
        async with uow_factory() as uow:
            return await handlers.handle_remind_provider(handlers.RemindProvider(provider_id, who), uow, deps.clock)

    # -- sampling rounds -------------------------------------------------------------------------
    @router.get("/sampling/rounds", response_model=RoundList)
    async def rounds(page: int = Query(default=1, ge=1), per_page: int = Query(default=25, ge=1, le=100)):
        async with uow_factory() as uow:
            return await handlers.handle_list_rounds(handlers.ListRounds(page, per_page), uow, deps.clock)

    @router.get("/sampling/rounds/{round_id}", response_model=RoundDetail)
    async def sampling_round(round_id: str):
        async with uow_factory() as uow:
            return await handlers.handle_round(round_id, uow, deps.clock)

    # -- download links (the gateway's GET /links/{token}) ----------------------------------------
    @router.get("/links/{token}")
    async def download(token: str):
        if not token.startswith(f"{handlers.SERVICE}-") or len(token) > 200:
            outcome_status, row, content = "unknown", None, None
        else:
            async with uow_factory() as uow:
                outcome, content = await handlers.handle_download(handlers.Download(token), uow, deps.clock)
            outcome_status, row = outcome.status, outcome.row
        return download_response(outcome_status, file_name=row["file_name"] if row else None, content=content,
                                 gone=LINK_GONE)

    @router.get("/links/{token}/status", response_model=LinkStatus)
    async def download_status(token: str):
        """Whether the link would download, without spending it (the gateway's page before the button)."""
        if not token.startswith(f"{handlers.SERVICE}-") or len(token) > 200:
            return {"status": "unknown"}
        async with uow_factory() as uow:
            return {"status": await link_status(uow.session, links_table, token, now=deps.clock.now())}

    return router
