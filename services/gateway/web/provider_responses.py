"""A provider user uploads its response CSV in its own account (docs/design.md §12, §10b "upload
response"), and support downloads each provider's part of a response upload from the activity log.

The provider's steps are support's (``uploads``: upload → errors → review → confirm or cancel →
done), with the same rules and words; the sampling service scopes them to the user's accredited
providers (a claim of another provider reads as unknown; only a user of the same provider sees,
confirms or cancels the upload), which the gateway takes from the user record.
"""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from shared.contracts import roles
from shared.contracts.http.uploads import UploadView
from shared.contracts.identifiers import is_id
from shared.contracts.reasons import OTHER, REASONS

from ..auth import page_role, verify_csrf
from ..clients import Downstream
from ..clients.provider_responses import ProviderResponseClient
from ..context import Gateway, gateway
from ..users import User
from .common import SUPPORT, render, see_other
from .uploads import KINDS, UploadKind, upload_files

PROVIDER = page_role(roles.PROVIDER)
router = APIRouter(include_in_schema=False)
BASE = "/provider/responses/upload"

KIND = UploadKind(
    key="provider_response", base=BASE, uploads=lambda s: ProviderResponseClient(s.sampling.http),
    subsection="your claims", back="/", title="Upload your response", caption="Your claims",
    section="provider-responses",
    intro=["Upload your answers to the audit of your partner schools’ claims as a CSV file: the file we sent you, "
           "with claim_assured and claim_not_assured_reason filled in.",
           "You can only answer for your own claims that are in audit."],
    headers=KINDS["response"].headers,
    header_notes=[*KINDS["response"].header_notes,
                  "A claim_not_assured_reason may start with a reason code and a colon, for example "
                  "‘hours_not_completed: only 10 hours’. Any other text is recorded as ‘Other’.",
                  "The reason codes are: " + "; ".join(f"‘{code}’ – {label}" for code, label in REASONS.items()
                                                       if code != OTHER) + "."],
    review_title="Are you sure you want to upload your response?",
    warning="Assured claims will be approved. Claims with a mentor that is not assured will be returned to the "
            "school and to support as not approved by you.",
    done_title="Response uploaded", done_text="{n} claims have been updated with your answers.",
    return_text="Return to your claims")
#: The upload page of a provider user none of whose claims waits for an answer.
NOTHING_TO_ANSWER = ("There are no claims waiting for your answer. "
                     "You can upload a response when a claim’s audit is requested.")


def _client(gw: Gateway) -> ProviderResponseClient:
    return ProviderResponseClient(gw.services.sampling.http)


def _context(**more) -> dict:
    return {"kind": KIND, "title": KIND.title, "section": KIND.section, "subsection": KIND.subsection, **more}


async def _review(gw: Gateway, user: User, upload_id: str) -> UploadView:
    if not is_id(upload_id):
        raise Downstream(404, [{"message": "There is no such upload"}])
    return await _client(gw).review(upload_id, user=user)


CANCELLED = "Your upload was cancelled. No claims were changed."


async def _nothing_to_answer(gw: Gateway, user: User) -> str | None:
    """The "cannot upload" message when none of the provider's claims waits for an answer (its list
    puts the claims needing an answer first, so its first claim tells)."""
    first = await gw.services.sampling.provider_claims(params={"page": 1, "per_page": 1}, user=user)
    return None if any(claim.needs_action for claim in first.items) else NOTHING_TO_ANSWER


@router.get(BASE)
async def form(request: Request, cancelled: str = "", user: User = Depends(PROVIDER), gw: Gateway = Depends(gateway)):
    return render(request, "uploads/form.html", _context(banner=CANCELLED if cancelled else None,
                                                         cannot=await _nothing_to_answer(gw, user)))


@router.post(BASE, dependencies=[Depends(verify_csrf)])
async def upload(request: Request, user: User = Depends(PROVIDER), gw: Gateway = Depends(gateway)):
    form_data = await request.form()
    return await upload_files(request, KIND, form_data.getlist("file"), user=user, gw=gw)


@router.get(BASE + "/{upload_id}")
async def review(request: Request, upload_id: str, user: User = Depends(PROVIDER), gw: Gateway = Depends(gateway)):
    found = await _review(gw, user, upload_id)
    if found.status != "pending":
        return see_other(f"{BASE}/{upload_id}/done" if found.status == "confirmed" else KIND.back)
    return render(request, "uploads/review.html", _context(title=KIND.review_title, upload=found))


@router.post(BASE + "/{upload_id}/confirm", dependencies=[Depends(verify_csrf)])
async def confirm(request: Request, upload_id: str, user: User = Depends(PROVIDER), gw: Gateway = Depends(gateway)):
    await _review(gw, user, upload_id)
    try:
        await _client(gw).confirm(upload_id, user=user)
    except Downstream as exc:
        if exc.status not in (409, 422):
            raise
        found = await _review(gw, user, upload_id)
        return render(request, "uploads/review.html", _context(
            title=KIND.review_title, upload=found,
            errors=[{"text": e["message"], "href": "#confirm"} for e in exc.errors]), status_code=exc.status)
    return see_other(f"{BASE}/{upload_id}/done")


@router.post(BASE + "/{upload_id}/cancel", dependencies=[Depends(verify_csrf)])
async def cancel(request: Request, upload_id: str, user: User = Depends(PROVIDER), gw: Gateway = Depends(gateway)):
    await _review(gw, user, upload_id)
    await _client(gw).cancel(upload_id, user=user)
    return see_other(f"{BASE}?cancelled=1")


@router.get(BASE + "/{upload_id}/done")
async def done(request: Request, upload_id: str, user: User = Depends(PROVIDER), gw: Gateway = Depends(gateway)):
    found = await _review(gw, user, upload_id)
    if found.status == "pending":
        return see_other(f"{BASE}/{upload_id}")
    applying = found.status not in ("confirmed", "cancelled")
    return render(request, "uploads/done.html", _context(
        title=KIND.done_title, upload=found, applying=applying, refresh_seconds=2 if applying else None,
        done_text=KIND.done_text.format(n=found.claim_count)))


@router.get("/claims/sampling/response-files/{file_id}")
async def response_file(file_id: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    """One accredited provider's part of a provider response upload, linked from the activity log."""
    if not is_id(file_id):
        raise Downstream(404, [{"message": "Page not found"}])
    found = await _client(gw).response_file(file_id, user=user)
    return Response(found.content, media_type="text/csv",
                    headers={"Content-Disposition": found.headers.get("content-disposition", "attachment"),
                             "Cache-Control": "no-store"})
