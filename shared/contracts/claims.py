"""Events published by the claims service (the owner of claims and their status)."""
from __future__ import annotations

import hashlib
import uuid
from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from .base import Message
from .topics import CLAIMS_EVENTS, ORGANISATIONS_EVENTS


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SchoolSnapshot(_Part):
    urn: str
    name: str
    postcode: str = ""
    local_authority: str = ""
    type_of_establishment: str = ""
    region: str
    group: str = ""
    email: str = ""  # where the school's funding emails go (optional column of the schools import)
    # GIAS's PhaseOfEducation (name) and UrbanRural (name): the generated sample's strata ("" unknown).
    phase_of_education: str = ""
    urban_rural: str = ""


class ProviderSnapshot(_Part):
    id: str
    name: str
    code: str = ""
    email_addresses: tuple[str, ...] = ()


class MentorLine(_Part):
    trn: str
    full_name: str
    hours: int


class ClaimSubmitted(Message, topic=CLAIMS_EVENTS, key="reference"):
    """A claim left draft: everything other services need to keep their projection of it."""

    reference: str
    status: str
    school: SchoolSnapshot
    provider: ProviderSnapshot
    claim_window_id: str
    academic_year: str
    hourly_rate: Decimal
    amount: Decimal
    mentors: tuple[MentorLine, ...]
    submitted_at: str
    #: The full name of the user who submitted the claim ("" when not known): the generated sample's
    #: random share is drawn from claims submitted by one of their own mentors (docs/design.md §13).
    submitted_by_name: str = ""


class ClaimStatusChanged(Message, topic=CLAIMS_EVENTS, key="reference"):
    """The claims service applied a status transition (the only source of truth for status)."""

    reference: str
    from_status: str
    to_status: str
    caused_by: str  # event type that caused it, or the command name
    caused_by_event_id: str | None = None
    reason: str | None = None
    provider_id: str | None = None
    amount: Decimal | None = None


class StatusChangeItem(_Part):
    """One claim of a ``ClaimStatusesChanged``: the members of its ``ClaimStatusChanged`` that differ
    from claim to claim."""

    reference: str
    from_status: str
    to_status: str
    caused_by_event_id: str | None = None
    provider_id: str | None = None
    amount: Decimal | None = None


class ClaimStatusesChanged(Message, topic=CLAIMS_EVENTS, key="partition_key"):
    """Many ``ClaimStatusChanged`` of one cause in one message (a confirmed sample of 100,000 claims
    is a few hundred of these rather than 100,000 events).

    Every item is a ``ClaimStatusChanged`` in its own right (``item``), with the event id the claims
    service gave it (``item_event_id``: md5 of the id of the fact that caused it and
    "ClaimStatusChanged", as its own history and dead letters name it). Order per claim is kept:
    all the claims of one message hash to the same partition of the claims topic, and the message
    is keyed by one of them (``partition_key``), so it travels on the partition where each of its
    claims' other events travel. The claims service publishes one or the other form for a change,
    never both.
    """

    caused_by: str
    reason: str | None = None
    changes: tuple[StatusChangeItem, ...]

    @property
    def partition_key(self) -> str:
        return self.changes[0].reference if self.changes else str(self.event_id)

    def item(self, change: StatusChangeItem) -> ClaimStatusChanged:
        """One claim's change as the ``ClaimStatusChanged`` it stands for (already validated: built
        without validating again, which would cost more than decoding the whole batch)."""
        return ClaimStatusChanged.model_construct(
            event_id=item_event_id(change.caused_by_event_id) if change.caused_by_event_id else self.event_id,
            occurred_at=self.occurred_at, schema_version=self.schema_version, correlation_id=self.correlation_id,
            actor=self.actor, reference=change.reference, from_status=change.from_status,
            to_status=change.to_status, caused_by=self.caused_by, caused_by_event_id=change.caused_by_event_id,
            reason=self.reason, provider_id=change.provider_id, amount=change.amount)

    def items(self) -> list[ClaimStatusChanged]:
        return [self.item(change) for change in self.changes]


def item_event_id(caused_by_event_id: str) -> uuid.UUID:
    """The event id of the ``ClaimStatusChanged`` caused by the fact ``caused_by_event_id`` in a bulk
    apply (PostgreSQL: ``md5(caused_by_event_id || 'ClaimStatusChanged')::uuid``)."""
    return uuid.UUID(hashlib.md5(f"{caused_by_event_id}ClaimStatusChanged".encode()).hexdigest())


class ProviderRegistered(Message, topic=ORGANISATIONS_EVENTS, key="provider_id"):
    """An accredited provider was added or its details (email addresses) changed."""

    provider_id: str
    name: str
    code: str = ""
    email_addresses: tuple[str, ...] = ()


class ClaimWindowOpened(Message, topic=ORGANISATIONS_EVENTS, key="claim_window_id"):
    claim_window_id: str
    starts_on: date
    ends_on: date
    academic_year: str
