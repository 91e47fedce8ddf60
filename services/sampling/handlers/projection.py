"""The claims projection: claims events queue their rows; the unit of work writes them at commit."""
from __future__ import annotations

from datetime import datetime

from shared.contracts import (ClaimStatusChanged, ClaimStatusesChanged, ClaimSubmitted, ProviderRegistered,
                              ProviderResponseRecorded)

from ..unit_of_work import SamplingUnitOfWork


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


async def project_statuses_changed(message: ClaimStatusesChanged, uow: SamplingUnitOfWork) -> None:
    """A batch of status changes (a bulk apply in claims): each change as its own ClaimStatusChanged."""
    for change in message.items():
        await project_status_changed(change, uow)


async def project_provider(message: ProviderRegistered, uow: SamplingUnitOfWork) -> None:
    uow.projection.batch.registered_providers[message.provider_id] = {
        "id": message.provider_id, "name": message.name, "code": message.code,
        "email_addresses": list(message.email_addresses)}
