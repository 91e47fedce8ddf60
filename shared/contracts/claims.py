"""Events published by the claims service (the owner of claims and their status)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import ClassVar

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


class ProviderSnapshot(_Part):
    id: str
    name: str
    code: str = ""
    email_addresses: tuple[str, ...] = ()


class MentorLine(_Part):
    trn: str
    full_name: str
    hours: int


class ClaimSubmitted(Message):
    """A claim left draft: everything other services need to keep their projection of it."""

    topic: ClassVar[str] = CLAIMS_EVENTS.name
    key_field: ClassVar[str] = "reference"

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


class ClaimStatusChanged(Message):
    """The claims service applied a status transition (the only source of truth for status)."""

    topic: ClassVar[str] = CLAIMS_EVENTS.name
    key_field: ClassVar[str] = "reference"

    reference: str
    from_status: str
    to_status: str
    caused_by: str  # event type that caused it, or the command name
    caused_by_event_id: str | None = None
    reason: str | None = None
    provider_id: str | None = None
    amount: Decimal | None = None


class ProviderRegistered(Message):
    """An accredited provider was added or its details (email addresses) changed."""

    topic: ClassVar[str] = ORGANISATIONS_EVENTS.name
    key_field: ClassVar[str] = "provider_id"

    provider_id: str
    name: str
    code: str = ""
    email_addresses: tuple[str, ...] = ()


class ClaimWindowOpened(Message):
    topic: ClassVar[str] = ORGANISATIONS_EVENTS.name
    key_field: ClassVar[str] = "claim_window_id"

    claim_window_id: str
    starts_on: date
    ends_on: date
    academic_year: str
