"""The CSV upload steps every workflow shares (sampling file, provider response, payer payment and
clawback responses), in the GOV.UK Design System's pattern:

upload (file upload + "Help with the CSV file" listing the headers) → on a refused file, the error
summary and the inline error (file errors) or a table of every failing row (row errors) → review
(count + what confirming does) → confirm (202) or cancel → success panel, which refreshes itself
while the service is still applying the upload.

Nothing changes until the user confirms; the owning service checks the file and keeps it pending.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import UploadFile

from shared.contracts.http.uploads import UploadView
from shared.contracts.identifiers import is_id
from shared.csvfiles.messages import MAX_FILES, TOO_MANY_FILES
from shared.platform.filenames import safe_file_name
from shared.platform.validation_errors import SELECT_A_FILE

from ..auth import verify_csrf
from ..clients import Downstream, Services, UploadClient
from ..clients.provider_responses import ProviderResponseClient
from ..context import Gateway, gateway
from ..users import User
from .common import SUPPORT, render, see_other

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class UploadKind:
    key: str
    base: str                       # the upload page; the steps hang below it
    uploads: Callable[[Services], UploadClient]   # the service's uploads of this kind
    subsection: str
    back: str
    title: str
    intro: list[str]
    headers: list[str]
    review_title: str
    done_title: str
    done_text: str
    warning: str | None = None
    header_notes: list[str] = field(default_factory=list)
    can_upload_key: str | None = None   # sampling summary flag that allows this upload
    cannot_key: str | None = None       # ... and its "cannot upload" message
    multiple: bool = False              # several files in one upload (provider responses)
    caption: str = "Claims"             # above the upload page's h1
    section: str = "claims"             # the service navigation entry the pages belong to
    return_text: str = "Return to the claims waiting to be processed"  # the "cannot upload" page's way back


KINDS = {k.key: k for k in [
    UploadKind(
        key="sample", base="/claims/sampling/upload", uploads=lambda s: s.sampling.samples,
        subsection="sampling", back="/claims/sampling", title="Upload claims to be sampled",
        intro=["Upload the CSV file of claims to be sampled from the Data and Insights team.",
               "Only paid claims can be sampled."],
        headers=["claim_id", "school_id", "provider_id", "claim_window_id", "claim_reference_number", "submitted_at",
                 "claim_sample_reason"],
        header_notes=["claim_reference_number and claim_sample_reason must be filled in for every row (claim_reference "
                      "and sample_reason are accepted too).",
                      "The other columns are optional; when filled in, they must match the claim."],
        review_title="Are you sure you want to upload the sampling data?",
        warning="Each accredited provider included in the sample data will receive an email instructing them to "
                "assure their partner schools’ claim.",
        done_title="Sampling data uploaded", done_text="{n} claims are now in sampling. Each accredited provider has "
                                                       "been emailed a link to download its claims.",
        can_upload_key="can_upload_sample", cannot_key="cannot_upload_sample_message"),
    UploadKind(
        key="response", base="/claims/sampling/response", uploads=lambda s: s.sampling.responses, subsection="sampling", back="/claims/sampling",
        title="Upload provider response",
        intro=["Upload the CSV file an accredited provider sent back with its answers."],
        headers=["claim_reference", "school_urn", "school_name", "school_postcode", "mentor_full_name",
                 "mentor_hours_of_training", "claim_assured", "claim_not_assured_reason"],
        header_notes=["There must be one row for every mentor of each claim.",
                      "claim_assured is yes or no; a no needs a claim_not_assured_reason."],
        review_title="Are you sure you want to upload the provider response?",
        warning="Assured claims will be marked as paid. Claims with a mentor that is not assured will be marked as "
                "provider not approved.",
        done_title="Provider response uploaded", done_text="{n} claims have been updated with the provider’s answers.",
        can_upload_key="can_upload_response", cannot_key="cannot_upload_response_message", multiple=True),
    UploadKind(
        key="payment", base="/claims/payments/response", uploads=lambda s: s.payments.payer_responses, subsection="payments", back="/claims/payments",
        title="Upload payer response", intro=["Upload the CSV file the payer sent back about the claims it was sent."],
        headers=["claim_reference", "claim_status", "claim_unpaid_reason"],
        header_notes=["claim_status is paid, unpaid or submitted; unpaid needs a claim_unpaid_reason."],
        review_title="Are you sure you want to upload the payer response?",
        warning="Paid claims will be marked as paid. Unpaid claims will be marked as payer needs information.",
        done_title="Payer response uploaded", done_text="{n} claims have been updated with the payer’s answers."),
    UploadKind(
        key="clawback", base="/claims/clawbacks/response", uploads=lambda s: s.payments.clawback_responses,
        subsection="clawbacks", back="/claims/clawbacks",
        title="Upload payer clawback response",
        intro=["Upload the CSV file the payer sent back about the clawbacks it was sent."],
        headers=["claim_reference", "claim_status"],
        header_notes=["claim_status is clawback_complete or clawback_in_progress."],
        review_title="Are you sure you want to upload the payer clawback response?",
        warning="Claims with the status clawback_complete will be marked as clawback complete.",
        done_title="Payer clawback response uploaded",
        done_text="{n} claims have been updated with the payer’s answers."),
]}


def _client(gw: Gateway, kind: UploadKind) -> UploadClient:
    return kind.uploads(gw.services)


async def _cannot_upload(gw: Gateway, user: User, kind: UploadKind) -> str | None:
    if not kind.can_upload_key:
        return None
    found = await gw.services.sampling.summary(user=user)
    return None if getattr(found, kind.can_upload_key) else (getattr(found, kind.cannot_key)
                                                             or "There is nothing to upload.")


def _context(kind: UploadKind, **more) -> dict:
    return {"kind": kind, "title": kind.title, "section": kind.section, "subsection": kind.subsection, **more}


def _valid_id(upload_id: str) -> bool:
    return is_id(upload_id)


def add_routes(kind: UploadKind) -> None:
    @router.get(kind.base, name=f"{kind.key}_upload_form")
    async def form(request: Request, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
        cannot = await _cannot_upload(gw, user, kind)
        return render(request, "uploads/form.html", _context(kind, cannot=cannot))

    @router.post(kind.base, dependencies=[Depends(verify_csrf)], name=f"{kind.key}_upload")
    async def upload(request: Request, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
        form = await request.form()
        if kind.multiple:
            return await upload_files(request, kind, form.getlist("file"), user=user, gw=gw)
        file = form.get("file")
        if not (isinstance(file, UploadFile) and file.filename):  # no file chosen, or text sent instead
            return render(request, "uploads/form.html", _context(
                kind, errors=[{"text": SELECT_A_FILE, "href": "#file"}], file_error=SELECT_A_FILE), status_code=422)
        part = (safe_file_name(file.filename), await file.read(), file.content_type or "text/csv")
        try:
            created = await _client(gw, kind).upload(part, user=user)
        except Downstream as exc:
            if exc.status != 422:
                raise
            if any(e.get("row") is not None for e in exc.errors):
                rows = [e for e in exc.errors if e.get("row") is not None]
                others = [e for e in exc.errors if e.get("row") is None]
                return render(request, "uploads/rows.html", _context(
                    kind, title=f"{kind.title}: the selected file has errors", rows=rows, others=others,
                    file_name=part[0]), status_code=422)
            messages = [e["message"] for e in exc.errors]
            return render(request, "uploads/form.html", _context(
                kind, errors=[{"text": m, "href": "#file"} for m in messages], file_error=" ".join(messages)),
                status_code=422)
        return see_other(f"{kind.base}/{created.upload_id}")

    @router.get(kind.base + "/{upload_id}", name=f"{kind.key}_review")
    async def review(request: Request, upload_id: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
        found = await _review(gw, user, kind, upload_id)
        if found.status != "pending":
            return see_other(f"{kind.base}/{upload_id}/done" if found.status == "confirmed" else kind.back)
        return render(request, "uploads/review.html", _context(kind, title=kind.review_title, upload=found))

    @router.post(kind.base + "/{upload_id}/confirm", dependencies=[Depends(verify_csrf)], name=f"{kind.key}_confirm")
    async def confirm(request: Request, upload_id: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
        await _review(gw, user, kind, upload_id)
        try:
            await _client(gw, kind).confirm(upload_id, user=user)
        except Downstream as exc:
            if exc.status not in (409, 422):
                raise
            found = await _review(gw, user, kind, upload_id)
            return render(request, "uploads/review.html", _context(
                kind, title=kind.review_title, upload=found,
                errors=[{"text": e["message"], "href": "#confirm"} for e in exc.errors]), status_code=exc.status)
        return see_other(f"{kind.base}/{upload_id}/done")

    @router.post(kind.base + "/{upload_id}/cancel", dependencies=[Depends(verify_csrf)], name=f"{kind.key}_cancel")
    async def cancel(request: Request, upload_id: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
        await _review(gw, user, kind, upload_id)
        await _client(gw, kind).cancel(upload_id, user=user)
        return see_other(f"{kind.back}?cancelled={kind.key}")

    @router.get(kind.base + "/{upload_id}/done", name=f"{kind.key}_done")
    async def done(request: Request, upload_id: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
        found = await _review(gw, user, kind, upload_id)
        if found.status == "pending":
            return see_other(f"{kind.base}/{upload_id}")
        applying = found.status not in ("confirmed", "cancelled")
        return render(request, "uploads/done.html", _context(
            kind, title=kind.done_title, upload=found, applying=applying,
            refresh_seconds=2 if applying else None,
            done_text=kind.done_text.format(n=found.claim_count)))


async def upload_files(request: Request, kind: UploadKind, chosen: list, *, user: User, gw: Gateway):
    """Several files held as one upload (provider responses, docs/design.md §12): refused whole
    when any file is wrong, every file's errors in the error summary, grouped by file on the page.
    Also the provider's own upload page (``provider_responses``), whose client scopes it."""
    files = [f for f in chosen if isinstance(f, UploadFile) and f.filename]
    if not files or len(files) > MAX_FILES:
        message = TOO_MANY_FILES if files else SELECT_A_FILE
        return render(request, "uploads/form.html", _context(
            kind, errors=[{"text": message, "href": "#file"}], file_error=message), status_code=422)
    parts = [(safe_file_name(f.filename), await f.read(), f.content_type or "text/csv") for f in files]
    try:
        created = await ProviderResponseClient(gw.services.sampling.http).upload(parts, user=user)
    except Downstream as exc:
        if exc.status != 422:
            raise
        if len(parts) > 1:
            return render(request, "provider_responses/file_errors.html", _context(
                kind, title="The selected files have errors", groups=file_errors(exc.errors, [p[0] for p in parts])),
                status_code=422)
        if any(e.get("row") is not None for e in exc.errors):
            return render(request, "uploads/rows.html", _context(
                kind, title=f"{kind.title}: the selected file has errors",
                rows=[e for e in exc.errors if e.get("row") is not None],
                others=[e for e in exc.errors if e.get("row") is None], file_name=parts[0][0]), status_code=422)
        messages = [e["message"] for e in exc.errors]
        return render(request, "uploads/form.html", _context(
            kind, errors=[{"text": m, "href": "#file"} for m in messages], file_error=" ".join(messages)),
            status_code=422)
    return see_other(f"{kind.base}/{created.upload_id}")


def file_errors(errors: list[dict], names: list[str]) -> list[dict]:
    """The errors of several files, one group per file with errors, in upload order: each group's
    anchor, its file's name, its errors (the summary links each error to its file's group)."""
    groups: dict[str, list[dict]] = {}
    for error in errors:
        groups.setdefault(error.get("file") or "", []).append(error)
    order = {name: i for i, name in enumerate(names)}
    return [{"id": f"file-{n}-errors", "file_name": name or "The selected files", "errors": found}
            for n, (name, found) in enumerate(sorted(groups.items(), key=lambda g: order.get(g[0], len(names))),
                                              start=1)]


async def _review(gw: Gateway, user: User, kind: UploadKind, upload_id: str) -> UploadView:
    if not _valid_id(upload_id):
        raise Downstream(404, [{"message": "There is no such upload"}])
    return await _client(gw, kind).review(upload_id, user=user)


for _kind in KINDS.values():
    add_routes(_kind)
