"""Sampling use cases. Each takes its unit of work and dependencies and commits once.

Rules kept here (the file rules are the domain's):
- An upload is validated completely and held pending; nothing else changes until support
  confirms. A file with any error writes nothing at all.
- Confirming or cancelling is one conditional UPDATE pending → confirmed | cancelled: two
  confirms at the same moment apply once (the second waits on the row lock, then finds the
  upload decided and answers as the first did).
- At confirm the claims are checked again in the same statement that marks them ``awaiting``
  (a claim that moved since the upload refuses the whole confirm), so sampling never asks claims
  to move one claim twice.
- Emails go through the outbox as ``SendNotification`` with ids derived from the fact (provider
  sampling, address, purpose), so a retry never sends twice.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from shared.contracts import (ActivityRecorded, Actor, ClaimSampled, ClaimStatusChanged, ClaimSubmitted,
                              FileRef, NotFound, ProviderRegistered, ProviderResponseRecorded, Refused,
                              SamplingDecisionRecorded, SendNotification)
from shared.contracts.sampling import MentorAssurance
from shared.csvfiles import CsvRejected
from shared.platform.links import LINK_LIFETIME, LinkOutcome, hash_token, new_token, revoke_links, use_link

from .domain import (ClaimView, MentorView, check_response, check_sample, completion_date, normalise_reference,
                     provider_csv, read_response_file, read_sampling_file)
from .domain import provider_response as response_rules
from .domain import sample_upload as sample_rules
from .domain import wording
from .ports import Deps
from .tables import links
from .unit_of_work import SamplingUnitOfWork

SERVICE = "sampling"
LINK_KIND = "provider_sampling"
#: An activity entry lists its claims only up to this many (the claim pages find it by them);
#: beyond it one message would grow past a megabyte, so a huge upload is logged without them.
MAX_ACTIVITY_REFERENCES = 10_000


# ------------------------------------------------------------------ projection (consumers)
async def project_claim_submitted(message: ClaimSubmitted, uow: SamplingUnitOfWork) -> None:
    batch = uow.projection.batch
    provider = message.provider
    batch.snapshot_providers.setdefault(provider.id, {
        "id": provider.id, "name": provider.name, "code": provider.code,
        "email_addresses": list(provider.email_addresses)})
    batch.claims.append({
        "reference": message.reference, "status": message.status, "school_urn": message.school.urn,
        "school_name": message.school.name, "school_postcode": message.school.postcode,
        "school_email": message.school.email, "provider_id": provider.id, "provider_name": provider.name,
        "claim_window_id": message.claim_window_id, "academic_year": message.academic_year,
        "amount": message.amount, "submitted_at": datetime.fromisoformat(message.submitted_at)})
    batch.mentors.extend({"claim_reference": message.reference, "trn": m.trn, "full_name": m.full_name,
                          "hours": m.hours} for m in message.mentors)


async def project_status_changed(message: ClaimStatusChanged, uow: SamplingUnitOfWork) -> None:
    # The provider's comment reaches claims in the response event and comes back as the reason.
    comment = message.reason if message.caused_by == ProviderResponseRecorded.__name__ and message.reason else None
    uow.projection.batch.status_changes.append({
        "ref": message.reference, "to_status": message.to_status, "reason": message.reason, "comment": comment})


async def project_provider(message: ProviderRegistered, uow: SamplingUnitOfWork) -> None:
    uow.projection.batch.registered_providers[message.provider_id] = {
        "id": message.provider_id, "name": message.name, "code": message.code,
        "email_addresses": list(message.email_addresses)}


# ------------------------------------------------------------------ uploads
async def upload_sample(uow: SamplingUnitOfWork, deps: Deps, *, data: bytes | None, filename: str | None,
                        actor: Actor) -> dict[str, Any]:
    """Validate a sampling file against the projection and hold it pending; CsvRejected otherwise."""
    upload = read_sampling_file(data, filename)
    views = await uow.projection.claim_views(sorted(sample_rules.referenced(upload)))
    sample = check_sample(upload, views)
    upload_id = deps.new_id()
    await uow.uploads.add(
        id=upload_id, kind="sample", status="pending", file_name=filename or "sampling.csv",
        row_count=len(upload.rows), claim_count=sample.claim_count, provider_ids=list(sample.by_provider()),
        rows=[[c.reference, c.sample_reason, c.provider_id, c.row] for c in sample.claims],
        created_by=actor.email, created_at=deps.clock.now())
    await uow.commit()
    return {"upload_id": upload_id, "claim_count": sample.claim_count}


async def upload_response(uow: SamplingUnitOfWork, deps: Deps, *, data: bytes | None, filename: str | None,
                          actor: Actor) -> dict[str, Any]:
    """Validate a provider response file against the projection and hold it pending."""
    upload = read_response_file(data, filename)
    views = await uow.projection.claim_views(sorted(response_rules.referenced(upload)), with_mentors=True)
    response = check_response(upload, views)
    upload_id = deps.new_id()
    await uow.uploads.add(
        id=upload_id, kind="response", status="pending", file_name=filename or "provider-response.csv",
        row_count=len(upload.rows), claim_count=response.claim_count, provider_ids=list(response.provider_ids),
        rows=[{"reference": c.reference, "provider_id": c.provider_id, "assured": c.assured, "comment": c.comment,
               "mentors": [m.model_dump() for m in c.mentors]} for c in response.claims],
        created_by=actor.email, created_at=deps.clock.now())
    await uow.commit()
    return {"upload_id": upload_id, "claim_count": response.claim_count}


async def review(uow: SamplingUnitOfWork, *, upload_id: str, kind: str) -> dict[str, Any]:
    upload = await uow.uploads.get(upload_id, kind=kind)
    if upload is None:
        raise NotFound("There is no such upload", field="upload_id")
    return upload_view(upload)


def upload_view(upload: dict[str, Any]) -> dict[str, Any]:
    view = {"upload_id": upload["id"], "kind": upload["kind"], "status": upload["status"],
            "file_name": upload["file_name"], "claim_count": upload["claim_count"],
            "provider_count": len(upload["provider_ids"]), "created_by": upload["created_by"],
            "created_at": upload["created_at"].isoformat(),
            "decided_at": upload["decided_at"].isoformat() if upload["decided_at"] else None}
    if upload["kind"] == "sample":
        view["warning"] = wording.REVIEW_WARNING
    return view


async def _decided_already(uow: SamplingUnitOfWork, upload_id: str, kind: str, wanted: str) -> dict[str, Any]:
    """A confirm or cancel of an upload that is no longer pending: the same answer again when it
    went the way asked (a double click), otherwise a refusal that says what happened."""
    upload = await uow.uploads.get(upload_id, kind=kind)
    if upload is None:
        raise NotFound("There is no such upload", field="upload_id")
    if upload["status"] == wanted:
        return upload_view(upload)
    done = "confirmed" if upload["status"] == "confirmed" else "cancelled"
    raise Refused(f"This upload has already been {done}", field="upload_id")


async def cancel_upload(uow: SamplingUnitOfWork, deps: Deps, *, upload_id: str, kind: str,
                        actor: Actor) -> dict[str, Any]:
    upload = await uow.uploads.decide(upload_id, kind=kind, to_status="cancelled", by=actor.email,
                                      at=deps.clock.now())
    if upload is None:
        return await _decided_already(uow, upload_id, kind, "cancelled")
    await uow.commit()
    return upload_view(upload)


def _moved_since_upload(found: set[str], rows: list[tuple[str, int | None]], expected: str) -> CsvRejected:
    errors = [Refused(f"Claim {reference} is no longer ‘{wording.label(expected)}’: upload the file again",
                      field="claim_reference", row=row)
              for reference, row in rows if reference not in found]
    return CsvRejected(errors)


async def confirm_sample(uow: SamplingUnitOfWork, deps: Deps, *, upload_id: str, actor: Actor,
                         public_base_url: str) -> dict[str, Any]:
    """Apply a pending sampling upload once: every claim sampled (``ClaimSampled``), one provider
    sampling per accredited provider, a one-time link and an email for each of its addresses.

    The claims themselves never pass through Python here: the database copies them from the
    stored upload into ``sampled_claims`` and builds their events, so a 100,000-claim confirm is a
    handful of statements. The provider's CSV is built at its first download."""
    now = deps.clock.now()
    upload = await uow.uploads.decide(upload_id, kind="sample", to_status="confirmed", by=actor.email, at=now)
    if upload is None:
        return await _decided_already(uow, upload_id, "sample", "confirmed")
    await uow.samplings.lock_confirms()
    conflicts = await uow.samplings.upload_conflicts(upload_id)
    if conflicts:
        errors = [Refused(f"Claim {reference} can no longer be sampled: upload the file again without it",
                          field="claim_reference_number", row=row) for reference, row in sorted(conflicts, key=_row)]
        raise CsvRejected(errors)

    counts = await uow.samplings.upload_providers(upload_id)
    providers = await uow.projection.providers(counts)
    today = deps.clock.today()
    due = completion_date(today)
    samplings = []
    for provider_id, count in counts.items():
        provider = providers.get(provider_id) or {"id": provider_id, "name": provider_id, "code": "",
                                                  "email_addresses": []}
        samplings.append((deps.new_id(), provider, count))
    await uow.samplings.add_provider_samplings([
        {"id": sampling_id, "upload_id": upload_id, "provider_id": provider["id"], "claim_count": count,
         "sent_on": today, "completion_date": due, "created_at": now, "file_name": _file_name(provider, today)}
        for sampling_id, provider, count in samplings])
    await uow.samplings.add_sampled_claims(upload_id)

    correlation = f"sampling-upload:{upload_id}"
    # The wire form of a valid ClaimSampled; the database fills in each claim's own values.
    template = ClaimSampled(reference="00000000", sample_reason="-", upload_id=upload_id, provider_id="-",
                            actor=actor, occurred_at=now, correlation_id=correlation).to_wire()
    template["__topic__"] = ClaimSampled.topic
    claim_count = await uow.samplings.emit_claims_sampled(upload_id=upload_id, template=template)

    link_rows: list[dict[str, Any]] = []
    for sampling_id, provider, count in samplings:
        if not provider["email_addresses"]:
            uow.emit(ActivityRecorded(
                title=f"No email address for {provider['name']}: its sampling link was not sent",
                action="sampling_link_not_sent", source=SERVICE, actor=actor, occurred_at=now,
                correlation_id=correlation))
        for email in provider["email_addresses"]:
            token, row = _link(sampling_id=sampling_id, email=email, file_name=_file_name(provider, today), now=now)
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
        references = tuple(r[0] for r in await uow.uploads.rows(upload_id))
    uow.emit(ActivityRecorded(
        title=wording.sampling_uploaded(claim_count), action="sampling_uploaded", claim_references=references,
        files=(FileRef(name=upload["file_name"], kind="upload", id=upload_id, rows=upload["row_count"]),),
        source=SERVICE, actor=actor, occurred_at=now, correlation_id=correlation))
    await uow.commit()
    return upload_view(upload)


def _row(conflict: tuple[str, int]) -> int:
    return conflict[1]


async def provider_file(uow: SamplingUnitOfWork, sampling: dict[str, Any]) -> bytes:
    """The CSV of a provider sampling: built from its claims the first time it is asked for, then
    kept, so every link of the sampling serves the same file."""
    if sampling["file_content"] is None:
        sampling["file_content"] = provider_csv(await uow.projection.provider_file_claims(sampling["id"]))
        await uow.samplings.keep_file(sampling["id"], sampling["file_content"])
    return sampling["file_content"]


def _file_name(provider: dict[str, Any], day: date) -> str:
    code = "".join(ch for ch in (provider.get("code") or "provider") if ch.isalnum() or ch in "-_") or "provider"
    return f"sampling-{code.lower()}-{day.isoformat()}.csv"


def _link(*, sampling_id: str, email: str, file_name: str, now: datetime) -> tuple[str, dict[str, Any]]:
    # The content stays with the provider sampling (one copy, built at the first download).
    token = new_token(SERVICE)
    return token, {"token_hash": hash_token(token), "kind": LINK_KIND, "subject_id": sampling_id,
                   "recipient": email, "file_name": file_name, "content": None, "created_at": now,
                   "expires_at": now + LINK_LIFETIME}


async def confirm_response(uow: SamplingUnitOfWork, deps: Deps, *, upload_id: str, actor: Actor) -> dict[str, Any]:
    """Apply a pending provider response once: ``ProviderResponseRecorded`` per claim, activity per
    provider, and an email to the school of each claim the provider did not assure."""
    now = deps.clock.now()
    upload = await uow.uploads.decide(upload_id, kind="response", to_status="confirmed", by=actor.email, at=now)
    if upload is None:
        return await _decided_already(uow, upload_id, "response", "confirmed")
    answers: list[dict[str, Any]] = await uow.uploads.rows(upload_id)
    references = [a["reference"] for a in answers]
    marked = await uow.projection.mark_awaiting(references, status=wording.SAMPLING_IN_PROGRESS, awaiting="response")
    if len(marked) != len(references):
        raise _moved_since_upload(marked, [(r, None) for r in references], wording.SAMPLING_IN_PROGRESS)
    providers = await uow.projection.providers(a["provider_id"] for a in answers)
    schools = await uow.projection.schools_of(references)
    correlation = f"provider-response:{upload_id}"
    by_provider: dict[str, list[str]] = defaultdict(list)
    for answer in answers:
        reference, provider_id = answer["reference"], answer["provider_id"]
        by_provider[provider_id].append(reference)
        provider_name = (providers.get(provider_id) or {}).get("name") or schools[reference]["provider_name"]
        uow.emit(ProviderResponseRecorded(
            reference=reference, assured=answer["assured"], comment=answer["comment"],
            mentors=tuple(MentorAssurance(**m) for m in answer["mentors"]), upload_id=upload_id,
            provider_id=provider_id, actor=actor, occurred_at=now, correlation_id=correlation))
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
    for provider_id, refs in by_provider.items():
        name = (providers.get(provider_id) or {}).get("name") or schools[refs[0]]["provider_name"]
        uow.emit(ActivityRecorded(
            title=wording.response_uploaded(len(refs), name), action="provider_response_uploaded",
            claim_references=tuple(refs[:MAX_ACTIVITY_REFERENCES]),
            files=(FileRef(name=upload["file_name"], kind="upload", id=upload_id, rows=upload["row_count"]),),
            source=SERVICE, actor=actor, occurred_at=now, correlation_id=correlation))
    await uow.commit()
    return upload_view(upload)


# ------------------------------------------------------------------ support decisions
async def decide_claim(uow: SamplingUnitOfWork, deps: Deps, *, reference: str, approved: bool, reason: str,
                       actor: Actor) -> dict[str, Any]:
    """Support approves (→ paid) or rejects (→ sampling_not_approved, with a reason) a claim the
    provider did not approve; anything else is refused naming the claim and its status."""
    reference = normalise_reference(reference)
    reason = (reason or "").strip()
    if not approved and not reason:
        raise Refused(wording.REASON_NEEDED, field="reason")
    claim = await uow.projection.claim(reference)
    if claim is None:
        raise NotFound(f"There is no claim with the reference {reference}", field="reference")
    marked = await uow.projection.mark_awaiting([reference], status=wording.PROVIDER_NOT_APPROVED, awaiting="decision")
    if not marked:
        if claim["awaiting"]:
            raise Refused(f"Claim {reference} is already being updated: refresh the page to see its status",
                          field="reference")
        raise Refused(wording.cannot_decide(reference, claim["status"], approved), field="reference")
    now = deps.clock.now()
    uow.emit(SamplingDecisionRecorded(reference=reference, approved=approved, reason=reason, actor=actor,
                                      occurred_at=now))
    uow.emit(ActivityRecorded(
        title=wording.support_decided(reference, approved) + ("" if approved else f": {reason}"),
        action="sampling_approved" if approved else "sampling_rejected", claim_references=(reference,),
        source=SERVICE, actor=actor, occurred_at=now))
    await uow.commit()
    return {"reference": reference, "approved": approved, "reason": reason}


# ------------------------------------------------------------------ links
async def download(uow: SamplingUnitOfWork, deps: Deps, *, token: str) -> tuple[LinkOutcome, bytes | None]:
    """Spend a provider's download link (once, atomically), log the download, return the file."""
    now = deps.clock.now()
    outcome = await use_link(uow.session, links, token, now=now)
    content = None
    if outcome.status == "ok":
        row = outcome.row
        sampling = await uow.samplings.sampling(row["subject_id"])
        content = row["content"] if row["content"] is not None else await provider_file(uow, sampling)
        uow.emit(ActivityRecorded(
            title=f"Sampling file downloaded by {row['recipient']}", action="sampling_file_downloaded",
            files=(FileRef(name=row["file_name"], kind="download", id=row["subject_id"]),),
            source=SERVICE, actor=Actor(email=row["recipient"] or "provider", role="provider"), occurred_at=now))
        await uow.commit()
    return outcome, content


async def resend_link(uow: SamplingUnitOfWork, deps: Deps, *, provider_id: str, actor: Actor,
                      public_base_url: str) -> dict[str, Any]:
    """A new link to the provider's latest sampling for each of its addresses; earlier links stop
    working."""
    sampling = await uow.samplings.latest_for_provider(provider_id)
    if sampling is None:
        raise NotFound("This accredited provider has no claims being sampled", field="provider_id")
    provider = await uow.projection.provider(provider_id) or {"name": provider_id, "email_addresses": []}
    if not provider["email_addresses"]:
        raise Refused(f"{provider['name']} has no email address: add one to the accredited provider first",
                      field="provider_id")
    now = deps.clock.now()
    await revoke_links(uow.session, links, kind=LINK_KIND, subject_id=sampling["id"], now=now)
    rows = []
    for email in provider["email_addresses"]:
        token, row = _link(sampling_id=sampling["id"], email=email, file_name=sampling["file_name"], now=now)
        rows.append(row)
        uow.emit(SendNotification(
            notification_id=f"{sampling['id']}:{email}:resend:{row['token_hash'][:16]}",
            template="provider_sampling_link_resend", to=email,
            personalisation={"provider_name": provider["name"],
                             "link": f"{public_base_url.rstrip('/')}/links/{token}",
                             "link_expires_on": row["expires_at"].date().isoformat(),
                             "completion_date": sampling["completion_date"].isoformat()},
            reference=sampling["id"], actor=actor, occurred_at=now))
    await uow.samplings.add_links(rows)
    uow.emit(ActivityRecorded(title=f"Sampling link sent again to {provider['name']}", action="sampling_link_resent",
                              source=SERVICE, actor=actor, occurred_at=now))
    await uow.commit()
    return {"provider_id": provider_id, "provider_sampling_id": sampling["id"],
            "sent_to": list(provider["email_addresses"])}


# ------------------------------------------------------------------ reminders
async def send_reminders(uow: SamplingUnitOfWork, deps: Deps, *, reminder_days: int) -> int:
    """One reminder per provider sampling whose claims are still in progress ``reminder_days``
    after the request; returns how many samplings were reminded."""
    due = await uow.samplings.due_reminders(sent_on_or_before=deps.clock.today() - timedelta(days=reminder_days))
    if not due:
        return 0
    providers = await uow.projection.providers(d["provider_id"] for d in due)
    now = deps.clock.now()
    for sampling in due:
        provider = providers.get(sampling["provider_id"]) or {"name": sampling["provider_id"], "email_addresses": []}
        for email in provider["email_addresses"]:
            uow.emit(SendNotification(
                notification_id=f"{sampling['id']}:{email}:reminder", template="provider_sampling_reminder",
                to=email, personalisation={"provider_name": provider["name"],
                                           "claim_count": str(sampling["open_count"]),
                                           "completion_date": sampling["completion_date"].isoformat()},
                reference=sampling["id"], occurred_at=now))
        uow.emit(ActivityRecorded(title=f"Sampling reminder sent to {provider['name']}",
                                  action="sampling_reminder_sent", source=SERVICE,
                                  actor=Actor(email="system@claimflow", role="system"), occurred_at=now))
    await uow.samplings.mark_reminded([d["id"] for d in due], now)
    await uow.commit()
    return len(due)
