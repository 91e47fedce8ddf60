"""Facts published by the sampling (audit) service; claims applies the status transitions."""
from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from .base import Message
from .topics import SAMPLING_EVENTS


class ClaimSampled(Message):
    """A confirmed sampling upload selected this paid claim for audit (→ sampling_in_progress)."""

    topic: ClassVar[str] = SAMPLING_EVENTS.name
    key_field: ClassVar[str] = "reference"

    reference: str
    sample_reason: str
    upload_id: str
    provider_id: str


class MentorAssurance(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    trn: str
    full_name: str
    assured: bool
    reason: str = ""


class ProviderResponseRecorded(Message):
    """The provider's answer for one claim (assured → paid, else → sampling_provider_not_approved)."""

    topic: ClassVar[str] = SAMPLING_EVENTS.name
    key_field: ClassVar[str] = "reference"

    reference: str
    assured: bool
    comment: str = ""
    mentors: tuple[MentorAssurance, ...] = ()
    upload_id: str
    provider_id: str


class SamplingDecisionRecorded(Message):
    """Support approved (→ paid) or rejected (→ sampling_not_approved) a claim the provider did not approve."""

    topic: ClassVar[str] = SAMPLING_EVENTS.name
    key_field: ClassVar[str] = "reference"

    reference: str
    approved: bool
    reason: str = ""
