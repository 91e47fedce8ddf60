"""Keeping payments' projection of claims: ClaimSubmitted, ClaimStatusChanged (claims) and the
provider's answer per mentor, ProviderResponseRecorded (sampling). Redelivery is harmless: the
consumer records each event id with its effect, and every write here is an upsert or a set. The
rows keep the events' own values, so the clock is not read (the consumer calls these as (message, uow))."""
from __future__ import annotations

from datetime import datetime

from shared.contracts import ClaimStatusChanged, ClaimStatusesChanged, ClaimSubmitted, ProviderResponseRecorded

from ..ports import Clock, UnitOfWork


def _claim_row(message: ClaimSubmitted) -> dict:
    school = message.school
    return {
        "reference": message.reference, "status": message.status, "school_urn": school.urn,
        "school_name": school.name, "school_local_authority": school.local_authority,
        "school_type_of_establishment": school.type_of_establishment, "school_group": school.group,
        "school_email": school.email, "provider_id": message.provider.id, "provider_name": message.provider.name,
        "claim_window_id": message.claim_window_id, "academic_year": message.academic_year,
        "hourly_rate": message.hourly_rate, "amount": message.amount,
        "submitted_at": datetime.fromisoformat(message.submitted_at) if message.submitted_at else None,
    }


def _mentor_rows(message: ClaimSubmitted) -> list[dict]:
    return [{"claim_reference": message.reference, "trn": m.trn, "full_name": m.full_name, "hours": m.hours}
            for m in message.mentors]


async def handle_claim_submitted(message: ClaimSubmitted, uow: UnitOfWork, clock: Clock | None = None) -> None:
    await uow.claims.upsert_submitted(_claim_row(message), _mentor_rows(message))


async def handle_claims_submitted(messages: list[ClaimSubmitted], uow: UnitOfWork,
                                  clock: Clock | None = None) -> None:
    """A run of submissions (a seed, a busy window) in two statements; a claim seen twice keeps its last."""
    latest = {m.reference: m for m in messages}
    await uow.claims.upsert_submitted_many([_claim_row(m) for m in latest.values()],
                                           [row for m in latest.values() for row in _mentor_rows(m)])


async def handle_claim_statuses_changed(messages: list[ClaimStatusChanged], uow: UnitOfWork,
                                        clock: Clock | None = None) -> None:
    """A run of status changes in set-based updates, in order: a claim changed twice in the run is
    updated in a later wave, so the end state is what one-at-a-time application gives."""
    wave: dict[str, ClaimStatusChanged] = {}
    for message in messages:
        if message.reference in wave:
            await uow.claims.status_changed_many(list(wave.values()))
            wave = {}
        wave[message.reference] = message
    await uow.claims.status_changed_many(list(wave.values()))


async def handle_claim_status_batches(messages: list[ClaimStatusesChanged], uow: UnitOfWork,
                                      clock: Clock | None = None) -> None:
    """Batches of status changes (a bulk apply in claims): each change as its own ClaimStatusChanged."""
    await handle_claim_statuses_changed([change for message in messages for change in message.items()], uow)


async def handle_claim_status_changed(message: ClaimStatusChanged, uow: UnitOfWork,
                                      clock: Clock | None = None) -> None:
    await uow.claims.status_changed(message.reference, to_status=message.to_status, caused_by=message.caused_by)


async def handle_provider_response(message: ProviderResponseRecorded, uow: UnitOfWork,
                                   clock: Clock | None = None) -> None:
    await uow.claims.record_assurance(message.reference, [
        {"claim_reference": message.reference, "trn": m.trn, "assured": m.assured, "reason": m.reason,
         "recorded_at": message.occurred_at} for m in message.mentors])
