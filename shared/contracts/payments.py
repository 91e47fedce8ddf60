"""Facts published by the payments service about school claims; claims applies the transitions."""
from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict

from .base import Message
from .topics import ECF_EVENTS, PAYMENTS_EVENTS


class _ClaimFact(Message, topic=PAYMENTS_EVENTS, key="reference"):
    reference: str


class ClaimSentToPayer(_ClaimFact):
    """submitted → payment_in_progress."""
    payment_id: str


class PayerPaymentRecorded(_ClaimFact):
    """From the payer's response or a manual action: paid, or information requested (with reason)."""
    outcome: Literal["paid", "information_requested"]
    reason: str = ""
    upload_id: str | None = None


class PayerInformationSent(_ClaimFact):
    """payment_information_requested → payment_information_sent."""


class PayerRejected(_ClaimFact):
    """payment_information_requested | payment_information_sent → payment_not_approved."""
    reason: str = ""


class ClawbackMentor(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    trn: str
    hours_claimed: int
    hours_worked: int
    hours_clawed_back: int
    amount: Decimal
    notes: str = ""


class ClawbackAssessed(_ClaimFact):
    """Support entered hours worked: amount > 0 → clawback_requires_approval, 0 → paid."""
    clawback_id: str
    amount: Decimal
    hourly_rate: Decimal
    mentors: tuple[ClawbackMentor, ...]


class ClawbackDecided(_ClaimFact):
    """A second support user approved (→ clawback_requested) or rejected (→ clawback_rejected)."""
    clawback_id: str
    approved: bool
    amount: Decimal
    reasons: dict[str, str] = {}


class ClawbackSentToPayer(_ClaimFact):
    """clawback_requested → clawback_in_progress."""
    clawback_batch_id: str


class PayerClawbackRecorded(_ClaimFact):
    """clawback_in_progress → clawback_complete."""
    upload_id: str


class StatementAuthorised(Message, topic=ECF_EVENTS, key="statement_id"):
    """ECF: a finance user authorised a lead provider's statement for payment."""

    statement_id: str
    lead_provider_id: str
    total: Decimal


class EcfMentorRegistered(Message):
    """ECF: a mentor was registered as a participant of the ECF engine (course ``ecf-mentor``). The
    claims service keeps the TRNs so a school claiming for the same mentor is warned (docs/design.md §11)."""

    topic: ClassVar[str] = ECF_EVENTS.name
    key_field: ClassVar[str] = "trn"
    trn: str
