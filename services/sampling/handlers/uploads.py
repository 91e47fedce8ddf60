"""Sampling uploads and provider responses: validate and hold pending, then confirm or cancel once."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Callable

from shared.contracts import (CLAIMS_SAMPLED_BATCH, ActivityRecorded, Actor, ClaimsSampled, FileRef, NotFound,
                              Refused, SampledClaimItem, SendNotification)
from shared.contracts.reasons import parse_reason
from shared.contracts.sampling import MentorAssurance
from shared.csvfiles import CsvRejected

from ..domain import check_response, check_sample, completion_date, read_response_file, read_sampling_file
from ..domain import provider_response as response_rules
from ..domain import sample_upload as sample_rules
from ..domain import response_files, wording
from ..domain.assurance import ClaimAssurance, response_fact
from ..domain.response_files import NamedFile
from ..ports import Clock, SamplingUnitOfWork
from .activity import MAX_ACTIVITY_REFERENCES, SERVICE
from .answers import decided_already, moved_since_upload, upload_view
from .generation import describe, evaluation
from .provider_links import file_name_for, new_link

#: The ``FileRef.kind`` of one accredited provider's part of a provider response upload (support downloads it).
RESPONSE_FILE = "response_file"


@dataclass(frozen=True)
class UploadFile:
    """A file support uploads (sampling or provider response). A provider response may come with
    ``more`` files, all held as one upload; ``scope`` is the accredited providers of a provider
    user uploading in its own account (None: support)."""

    data: bytes | None
    filename: str | None
    actor: Actor
    more: tuple[NamedFile, ...] = ()
    scope: frozenset[str] | None = None


@dataclass(frozen=True)
class DecideUpload:
    """Confirm or cancel a pending upload (``review`` reads it); ``scope`` as for ``UploadFile``."""

    upload_id: str
    kind: str
    actor: Actor | None = None
    scope: frozenset[str] | None = None


async def handle_upload_sample(command: UploadFile, uow: SamplingUnitOfWork, clock: Clock, *,
                               new_id: Callable[[], str]) -> dict[str, Any]:
    """Validate a sampling file against the projection and hold it pending; CsvRejected otherwise."""
    data, filename, actor = command.data, command.filename, command.actor
    upload = read_sampling_file(data, filename)
    views = await uow.projection.claim_views(sorted(sample_rules.referenced(upload)),
                                             brief=not sample_rules.checks_other_columns(upload))
    sample = check_sample(upload, views)
    upload_id = new_id()
    await uow.uploads.add(
        id=upload_id, kind="sample", status="pending", file_name=filename or "sampling.csv",
        row_count=len(upload.rows), claim_count=sample.claim_count, provider_ids=list(sample.by_provider()),
        rows=[], created_by=actor.email, created_at=clock.now())
    await uow.uploads.add_sample_claims(
        upload_id, [(c.reference, c.sample_reason, c.provider_id, c.row) for c in sample.claims],
        batch_size=CLAIMS_SAMPLED_BATCH)
    await uow.commit()
    return {"upload_id": upload_id, "claim_count": sample.claim_count}


async def handle_upload_response(command: UploadFile, uow: SamplingUnitOfWork, clock: Clock, *,
                                 new_id: Callable[[], str]) -> dict[str, Any]:
    """Validate provider response files (one, or several together) against the projection and hold
    them pending as one upload, with each file cut into one file per accredited provider;
    CsvRejected with every file's errors otherwise (``domain.response_files``)."""
    files = [NamedFile(command.data, command.filename), *command.more]
    read, refusals = response_files.read_files(files)
    views = await uow.projection.claim_views(sorted(response_files.references(read)), with_mentors=True)
    codes = {p: v.get("code") or "" for p, v in
             (await uow.projection.providers({v.provider_id for v in views.values()})).items()}
    checked = response_files.check_files(files, read, refusals, views, scope=command.scope, codes=codes)
    response, now = checked.response, clock.now()
    upload_id = new_id()
    await uow.uploads.add(
        id=upload_id, kind="response", status="pending",
        file_name=", ".join(checked.file_names) if len(files) > 1 else (command.filename or "provider-response.csv"),
        row_count=checked.row_count, claim_count=response.claim_count, provider_ids=list(response.provider_ids),
        rows=[{"reference": c.reference, "provider_id": c.provider_id, "assured": c.assured, "comment": c.comment,
               "mentors": [m.model_dump() for m in c.mentors]} for c in response.claims],
        created_by=command.actor.email, created_at=now,
        provider_scope=sorted(command.scope) if command.scope is not None else None)
    await uow.uploads.add_response_files([
        {"id": new_id(), "upload_id": upload_id, "provider_id": f.provider_id, "file_name": f.file_name,
         "source_file_name": f.source_file_name, "row_count": f.row_count, "content": f.content, "created_at": now}
        for f in checked.files])
    await uow.commit()
    return {"upload_id": upload_id, "claim_count": response.claim_count}


async def handle_review(command: DecideUpload, uow: SamplingUnitOfWork, clock: Clock) -> dict[str, Any]:
    """The upload as support reviews it (read only)."""
    upload = await uow.uploads.get(command.upload_id, kind=command.kind)
    if upload is None or not _in_scope(upload, command.scope):
        raise NotFound("There is no such upload", field="upload_id")
    view = upload_view(upload)
    if (evaluated := await evaluation(upload, uow)) is not None:
        view["evaluation"] = evaluated
    return view



async def handle_cancel_upload(command: DecideUpload, uow: SamplingUnitOfWork, clock: Clock) -> dict[str, Any]:
    """Cancel a pending upload once; a second cancel answers as the first did."""
    upload_id, kind, actor = command.upload_id, command.kind, command.actor
    await _check_scope(uow, command)
    upload = await uow.uploads.decide(upload_id, kind=kind, to_status="cancelled", by=actor.email,
                                      at=clock.now())
    if upload is None:
        return await decided_already(uow, upload_id, kind, "cancelled")
    await uow.commit()
    return upload_view(upload)


async def handle_confirm_sample(command: DecideUpload, uow: SamplingUnitOfWork, clock: Clock, *,
                                new_id: Callable[[], str], public_base_url: str) -> dict[str, Any]:
    """Apply a pending sampling upload once: every claim sampled (``ClaimsSampled``, 1,000 claims
    a message), one provider sampling per accredited provider, a one-time link and an email for
    each of its addresses.

    The claims themselves never pass through Python here: they were stored, and their events'
    batches built, when the file was validated (``upload_claims``, ``upload_batches``); creating
    the provider samplings puts them in ``sampled_claims`` (a view), and each batch is wrapped in
    its envelope, so a 100,000-claim confirm is a handful of statements, about 0.2 s. The
    provider's CSV is built at its first download."""
    upload_id, actor = command.upload_id, command.actor
    now = clock.now()
    upload = await uow.uploads.decide(upload_id, kind="sample", to_status="confirmed", by=actor.email, at=now)
    if upload is None:
        return await decided_already(uow, upload_id, "sample", "confirmed")
    await uow.samplings.lock_confirms()
    conflicts = await uow.samplings.upload_conflicts(upload_id)
    if conflicts:
        errors = [Refused(f"Claim {reference} can no longer be sampled: upload the file again without it",
                          field="claim_reference_number", row=row) for reference, row in sorted(conflicts, key=_row)]
        raise CsvRejected(errors)

    counts = await uow.samplings.upload_providers(upload_id)
    providers = await uow.projection.providers(counts)
    today = clock.today()
    due = completion_date(today)
    samplings = []
    for provider_id, count in counts.items():
        provider = providers.get(provider_id) or {"id": provider_id, "name": provider_id, "code": "",
                                                  "email_addresses": []}
        samplings.append((new_id(), provider, count))
    await uow.samplings.add_provider_samplings([
        {"id": sampling_id, "upload_id": upload_id, "provider_id": provider["id"], "claim_count": count,
         "sent_on": today, "completion_date": due, "created_at": now, "file_name": file_name_for(provider, today)}
        for sampling_id, provider, count in samplings])

    correlation = f"sampling-upload:{upload_id}"
    # The wire form of a valid ClaimsSampled; the database fills in each batch's id and claims.
    template = ClaimsSampled(upload_id=upload_id, claims=(SampledClaimItem(reference="00000000", sample_reason="-",
                                                                           provider_id="-"),),
                             actor=actor, occurred_at=now, correlation_id=correlation).to_wire()
    template["__topic__"] = ClaimsSampled.topic
    claim_count = await uow.emit_claims_sampled(upload_id=upload_id, template=template)

    link_rows: list[dict[str, Any]] = []
    for sampling_id, provider, count in samplings:
        if not provider["email_addresses"]:
            uow.emit(ActivityRecorded(
                title=f"No email address for {provider['name']}: its sampling link was not sent",
                action="sampling_link_not_sent", source=SERVICE, actor=actor, occurred_at=now,
                correlation_id=correlation))
        for email in provider["email_addresses"]:
            token, row = new_link(sampling_id=sampling_id, email=email, file_name=file_name_for(provider, today), now=now)
            link_rows.append(row)
            uow.emit(SendNotification(
                notification_id=f"{sampling_id}:{email}:request", template="provider_sampling_request", to=email,
                personalisation={"provider_name": provider["name"], "claim_count": str(count),
                                 "link": f"{public_base_url.rstrip('/')}/links/{token}",
                                 "link_expires_on": row["expires_at"].date().isoformat(),
                                 "completion_date": due.isoformat()},
                reference=sampling_id, actor=actor, occurred_at=now, correlation_id=correlation))
    await uow.samplings.add_links(link_rows)
    references: tuple[str, ...] = ()
    if claim_count <= MAX_ACTIVITY_REFERENCES:
        references = tuple(await uow.uploads.sample_references(upload_id))
    uow.emit(ActivityRecorded(
        title=wording.sampling_uploaded(claim_count), action="sampling_uploaded", claim_references=references,
        files=(FileRef(name=upload["file_name"], kind="upload", id=upload_id, rows=upload["row_count"]),),
        source=SERVICE, actor=actor, occurred_at=now, correlation_id=correlation))
    if upload.get("generation"):  # how to regenerate it: method, parameters, seed
        uow.emit(ActivityRecorded(
            title=describe(upload["generation"]), action="sample_generated", claim_references=references,
            source=SERVICE, actor=actor, occurred_at=now, correlation_id=correlation))
    await uow.commit()
    return upload_view(upload)


def _row(conflict: tuple[str, int]) -> int:
    return conflict[1]


async def handle_confirm_response(command: DecideUpload, uow: SamplingUnitOfWork, clock: Clock) -> dict[str, Any]:
    """Apply a pending provider response once: ``ProviderResponseRecorded`` per claim, activity per
    provider, and an email to the school of each claim the provider did not assure."""
    upload_id, actor = command.upload_id, command.actor
    now = clock.now()
    await _check_scope(uow, command)
    upload = await uow.uploads.decide(upload_id, kind="response", to_status="confirmed", by=actor.email, at=now)
    if upload is None:
        return await decided_already(uow, upload_id, "response", "confirmed")
    answers: list[dict[str, Any]] = await uow.uploads.rows(upload_id)
    references = [a["reference"] for a in answers]
    marked = await uow.projection.mark_awaiting(references, status=wording.SAMPLING_IN_PROGRESS, awaiting="response")
    if len(marked) != len(references):
        raise moved_since_upload(marked, [(r, None) for r in references], wording.SAMPLING_IN_PROGRESS)
    providers = await uow.projection.providers(a["provider_id"] for a in answers)
    schools = await uow.projection.schools_of(references)
    correlation = f"provider-response:{upload_id}"
    by_provider: dict[str, list[str]] = defaultdict(list)
    for answer in answers:
        reference, provider_id = answer["reference"], answer["provider_id"]
        by_provider[provider_id].append(reference)
        provider_name = (providers.get(provider_id) or {}).get("name") or schools[reference]["provider_name"]
        uow.emit(response_fact(ClaimAssurance(
            reference=reference, provider_id=provider_id, assured=answer["assured"], comment=answer["comment"],
            mentors=tuple(MentorAssurance(**m) for m in answer["mentors"])),
            upload_id=upload_id, actor=actor, occurred_at=now, correlation_id=correlation))
        if answer["assured"]:
            continue
        uow.emit(ActivityRecorded(
            title=wording.provider_rejected(provider_name, reference), action="provider_rejected_audit",
            claim_references=(reference,), source=SERVICE, actor=actor, occurred_at=now, correlation_id=correlation))
        school = schools[reference]
        if school["school_email"]:
            uow.emit(SendNotification(
                notification_id=f"{upload_id}:{reference}:not-assured", template="school_claim_not_assured",
                to=school["school_email"],
                personalisation={"claim_reference": reference, "provider_name": provider_name,
                                 "school_name": school["school_name"], "provider_comment": answer["comment"]},
                reference=reference, actor=actor, occurred_at=now, correlation_id=correlation))
    await uow.samplings.record_answers([
        {"claim_reference": a["reference"], "provider_id": a["provider_id"], "assured": a["assured"],
         "reason_codes": _reason_codes(a), "via": "csv", "answered_by": actor.email, "answered_at": now,
         "upload_id": upload_id} for a in answers])
    files_of: dict[str, list[FileRef]] = defaultdict(list)
    for kept in await uow.uploads.response_files(upload_id):
        files_of[kept["provider_id"]].append(FileRef(name=kept["file_name"], kind=RESPONSE_FILE, id=kept["id"],
                                                     rows=kept["row_count"]))
    for provider_id, refs in by_provider.items():
        name = (providers.get(provider_id) or {}).get("name") or schools[refs[0]]["provider_name"]
        # Each provider's entry links that provider's rows only (an upload from before migration 0010: the file).
        files = tuple(files_of[provider_id]) or (
            FileRef(name=upload["file_name"], kind="upload", id=upload_id, rows=upload["row_count"]),)
        uow.emit(ActivityRecorded(
            title=wording.response_uploaded(len(refs), name), action="provider_response_uploaded",
            claim_references=tuple(refs[:MAX_ACTIVITY_REFERENCES]), files=files,
            source=SERVICE, actor=actor, occurred_at=now, correlation_id=correlation))
    await uow.commit()
    return upload_view(upload)


def _in_scope(upload: dict[str, Any], scope: frozenset[str] | None) -> bool:
    """Support (no scope) sees every upload; a provider user only a response uploaded in a provider
    account whose claims are all of the user's own providers."""
    if scope is None:
        return True
    return upload.get("provider_scope") is not None and set(upload["provider_ids"]) <= scope


async def _check_scope(uow: SamplingUnitOfWork, command: DecideUpload) -> None:
    if command.scope is None:
        return
    upload = await uow.uploads.get(command.upload_id, kind=command.kind)
    if upload is None or not _in_scope(upload, command.scope):
        raise NotFound("There is no such upload", field="upload_id")


async def handle_response_file(file_id: str, uow: SamplingUnitOfWork, clock: Clock) -> tuple[str, bytes]:
    """One accredited provider's part of a provider response upload: (file name, content as uploaded)."""
    found = await uow.uploads.response_file(file_id)
    if found is None:
        raise NotFound("There is no such file", field="file_id")
    return found["file_name"], found["content"]


def _reason_codes(answer: dict[str, Any]) -> list[str]:
    """The reason code of each mentor not assured (docs/design.md §12: a CSV reason may start with a code)."""
    return [parse_reason(m.get("reason") or "").code for m in answer["mentors"] if not m.get("assured")]
