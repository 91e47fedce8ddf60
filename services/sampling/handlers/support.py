"""Support's decisions, the provider's download links and reminders."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared.contracts import ActivityRecorded, Actor, FileRef, NotFound, Refused, SamplingDecisionRecorded, SendNotification
from shared.contracts import roles
from shared.platform.links import LinkOutcome, revoke_links, use_link

from ..domain import normalise_reference, wording
from ..tables import links
from ..ports import Clock, SamplingUnitOfWork
from .activity import SERVICE
from .provider_links import LINK_KIND, new_link, provider_file


@dataclass(frozen=True)
class DecideClaim:
    reference: str
    approved: bool
    reason: str
    actor: Actor


async def handle_decide_claim(command: DecideClaim, uow: SamplingUnitOfWork, clock: Clock) -> dict[str, Any]:
    """Support approves (→ paid) or rejects (→ sampling_not_approved, with a reason) a claim the
    provider did not approve, or approves a claim still waiting for the provider (sampling in
    progress, docs/design.md §12); anything else is refused naming the claim and its status."""
    approved, actor = command.approved, command.actor
    reference = normalise_reference(command.reference)
    reason = (command.reason or "").strip()
    if not approved and not reason:
        raise Refused(wording.REASON_NEEDED, field="reason")
    claim = await uow.projection.claim(reference)
    if claim is None:
        raise NotFound(f"There is no claim with the reference {reference}", field="reference")
    marked = await uow.projection.mark_awaiting([reference], status=wording.PROVIDER_NOT_APPROVED, awaiting="decision")
    if not marked and approved:  # support may approve a claim still waiting for the provider (§12)
        marked = await uow.projection.mark_awaiting([reference], status=wording.SAMPLING_IN_PROGRESS,
                                                    awaiting="decision")
    if not marked:
        if claim["awaiting"]:
            raise Refused(f"Claim {reference} is already being updated: refresh the page to see its status",
                          field="reference")
        raise Refused(wording.cannot_decide(reference, claim["status"], approved), field="reference")
    now = clock.now()
    uow.emit(SamplingDecisionRecorded(reference=reference, approved=approved, reason=reason, actor=actor,
                                      occurred_at=now))
    uow.emit(ActivityRecorded(
        title=wording.support_decided(reference, approved) + ("" if approved else f": {reason}"),
        action="sampling_approved" if approved else "sampling_rejected", claim_references=(reference,),
        source=SERVICE, actor=actor, occurred_at=now))
    await uow.commit()
    return {"reference": reference, "approved": approved, "reason": reason}


@dataclass(frozen=True)
class Download:
    token: str


async def handle_download(command: Download, uow: SamplingUnitOfWork, clock: Clock
                          ) -> tuple[LinkOutcome, bytes | None]:
    """Spend a provider's download link (once, atomically), log the download, return the file."""
    now = clock.now()
    outcome = await use_link(uow.session, links, command.token, now=now)
    content = None
    if outcome.status == "ok":
        row = outcome.row
        sampling = await uow.samplings.sampling(row["subject_id"])
        content = row["content"] if row["content"] is not None else await provider_file(uow, sampling)
        uow.emit(ActivityRecorded(
            title=f"Sampling file downloaded by {row['recipient']}", action="sampling_file_downloaded",
            files=(FileRef(name=row["file_name"], kind="download", id=row["subject_id"]),),
            source=SERVICE, actor=Actor(email=row["recipient"] or "provider", role=roles.PROVIDER), occurred_at=now))
        await uow.commit()
    return outcome, content


@dataclass(frozen=True)
class ResendLink:
    provider_id: str
    actor: Actor
    #: The round (sample upload) whose link to send again; the provider's latest when None.
    upload_id: str | None = None


async def handle_resend_link(command: ResendLink, uow: SamplingUnitOfWork, clock: Clock, *,
                             public_base_url: str) -> dict[str, Any]:
    """A new link to the provider's sampling of the round (its latest when no round is named) for
    each of its addresses; earlier links of that sampling stop working."""
    provider_id, actor = command.provider_id, command.actor
    if command.upload_id:
        sampling = await uow.samplings.of_round(command.upload_id, provider_id)
    else:
        sampling = await uow.samplings.latest_for_provider(provider_id)
    if sampling is None:
        raise NotFound("This accredited provider has no claims being sampled", field="provider_id")
    provider = await uow.projection.provider(provider_id) or {"name": provider_id, "email_addresses": []}
    if not provider["email_addresses"]:
        raise Refused(f"{provider['name']} has no email address: add one to the accredited provider first",
                      field="provider_id")
    now = clock.now()
    await revoke_links(uow.session, links, kind=LINK_KIND, subject_id=sampling["id"], now=now)
    rows = []
    for email in provider["email_addresses"]:
        token, row = new_link(sampling_id=sampling["id"], email=email, file_name=sampling["file_name"], now=now)
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
    uow.emit(ActivityRecorded(title=f"Sampling link sent again to {provider['name']} "
                                    f"({', '.join(provider['email_addresses'])})", action="sampling_link_resent",
                              source=SERVICE, actor=actor, occurred_at=now))
    await uow.commit()
    return {"provider_id": provider_id, "provider_sampling_id": sampling["id"],
            "sent_to": list(provider["email_addresses"])}
