"""Facts published by the sampling (audit) service; claims applies the status transitions."""
from __future__ import annotations

import hashlib
import uuid

from pydantic import BaseModel, ConfigDict

from .base import Message
from .topics import SAMPLING_EVENTS


class ClaimSampled(Message, topic=SAMPLING_EVENTS, key="reference"):
    """A confirmed sampling upload selected this paid claim for audit (→ sampling_in_progress)."""

    reference: str
    sample_reason: str
    upload_id: str
    provider_id: str


class SampledClaimItem(BaseModel):
    """One claim of a ``ClaimsSampled`` batch: what a ``ClaimSampled`` says, without the envelope."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    reference: str
    sample_reason: str
    provider_id: str


#: How many claims one ``ClaimsSampled`` carries at most (about 80 kB on the wire).
CLAIMS_SAMPLED_BATCH = 1000


class ClaimsSampled(Message, topic=SAMPLING_EVENTS):
    """A confirmed sampling upload selected these paid claims for audit (each → sampling_in_progress).

    A batch of up to ``CLAIMS_SAMPLED_BATCH`` ``ClaimSampled`` facts of one upload in one message,
    so a 100,000-claim sample is 100 messages, not 100,000. Each item is a ``ClaimSampled`` in its
    own right: ``item_event_id`` gives its event id, derived from the batch's event id and the
    reference, so claims' history, its ``ClaimStatusChanged.caused_by_event_id`` and a refused
    item's dead letter (the item alone, as a ``ClaimSampled``) all name the same id. Claims still
    accepts single ``ClaimSampled`` events (from older publishers, or replayed dead letters).
    """

    upload_id: str
    claims: tuple[SampledClaimItem, ...]

    def item_event_id(self, reference: str) -> uuid.UUID:
        """The event id of the claim ``reference`` of this batch: md5 of the batch's event id and
        the reference (PostgreSQL: ``md5(event_id::text || reference)::uuid``)."""
        return item_event_id(self.event_id, reference)

    def item(self, claim: SampledClaimItem) -> ClaimSampled:
        """One claim of the batch as the ``ClaimSampled`` it stands for."""
        return ClaimSampled(event_id=self.item_event_id(claim.reference), occurred_at=self.occurred_at,
                            correlation_id=self.correlation_id, actor=self.actor, reference=claim.reference,
                            sample_reason=claim.sample_reason, upload_id=self.upload_id,
                            provider_id=claim.provider_id)


def item_event_id(batch_event_id: uuid.UUID | str, reference: str) -> uuid.UUID:
    return uuid.UUID(hashlib.md5(f"{batch_event_id}{reference}".encode()).hexdigest())


class MentorAssurance(BaseModel):
    """One mentor of a provider's answer. ``reason`` travels as "<code>: <details>" text
    (``shared.contracts.reasons``); ``hours_confirmed`` is the hours the provider confirms for a
    mentor it does not assure (0 when it removes all the hours; None when not given, as in a CSV)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    trn: str
    full_name: str
    assured: bool
    reason: str = ""
    hours_confirmed: int | None = None


class ProviderResponseRecorded(Message, topic=SAMPLING_EVENTS, key="reference"):
    """The provider's answer for one claim (assured → paid, else → sampling_provider_not_approved)."""

    reference: str
    assured: bool
    comment: str = ""
    mentors: tuple[MentorAssurance, ...] = ()
    upload_id: str
    provider_id: str


class SamplingDecisionRecorded(Message, topic=SAMPLING_EVENTS, key="reference"):
    """Support approved (→ paid) or rejected (→ sampling_not_approved) a claim the provider did not approve."""

    reference: str
    approved: bool
    reason: str = ""
