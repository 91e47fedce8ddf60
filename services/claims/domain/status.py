"""The claim status machine (DESIGN §3).

The claims service owns status. Other services publish facts; each fact is a *trigger* here, and a
trigger moves a claim only from the statuses listed for it. Anything else is refused with a message
that names the claim, its current status and the action, and changes nothing.
"""
from __future__ import annotations

from enum import Enum

from shared.contracts import Refused

STATUS_LABELS: dict[str, str] = {
    "draft": "Draft",
    "submitted": "Submitted",
    "payment_in_progress": "Payment in progress",
    "payment_information_requested": "Payer needs information",
    "payment_information_sent": "Information sent to payer",
    "paid": "Paid",
    "payment_not_approved": "Rejected by payer",
    "sampling_in_progress": "Sampling in progress",
    "sampling_provider_not_approved": "Provider not approved",
    "sampling_not_approved": "Claim not approved",
    "clawback_requires_approval": "Clawback awaiting approval",
    "clawback_rejected": "Clawback rejected",
    "clawback_requested": "Clawback requested",
    "clawback_in_progress": "Clawback in progress",
    "clawback_complete": "Clawback complete",
}
STATUSES = tuple(STATUS_LABELS)


class Trigger(str, Enum):
    SUBMIT = "submit"
    SENT_TO_PAYER = "sent to the payer"
    PAYER_PAID = "marked as paid"
    PAYER_NEEDS_INFORMATION = "marked as needing information"
    INFORMATION_SENT = "marked as information sent to the payer"
    PAYER_REJECTED = "rejected by the payer"
    SAMPLED = "sampled"
    PROVIDER_ASSURED = "assured by the provider"
    PROVIDER_NOT_ASSURED = "not assured by the provider"
    SUPPORT_APPROVED = "approved by support"
    SUPPORT_REJECTED = "rejected by support"
    CLAWBACK_NOTHING_OWED = "closed with nothing to claw back"
    CLAWBACK_ASSESSED = "sent for clawback approval"
    CLAWBACK_APPROVED = "approved for clawback"
    CLAWBACK_REJECTED = "rejected for clawback"
    CLAWBACK_SENT = "sent to the payer for clawback"
    CLAWBACK_COMPLETED = "marked as clawback complete"


#: trigger → {from status: to status}
TRANSITIONS: dict[Trigger, dict[str, str]] = {
    Trigger.SUBMIT: {"draft": "submitted"},
    Trigger.SENT_TO_PAYER: {"submitted": "payment_in_progress"},
    Trigger.PAYER_PAID: {"payment_in_progress": "paid", "payment_information_sent": "paid"},
    Trigger.PAYER_NEEDS_INFORMATION: {"payment_in_progress": "payment_information_requested"},
    Trigger.INFORMATION_SENT: {"payment_information_requested": "payment_information_sent"},
    Trigger.PAYER_REJECTED: {"payment_information_requested": "payment_not_approved",
                             "payment_information_sent": "payment_not_approved"},
    Trigger.SAMPLED: {"paid": "sampling_in_progress"},
    Trigger.PROVIDER_ASSURED: {"sampling_in_progress": "paid"},
    Trigger.PROVIDER_NOT_ASSURED: {"sampling_in_progress": "sampling_provider_not_approved"},
    Trigger.SUPPORT_APPROVED: {"sampling_provider_not_approved": "paid"},
    Trigger.SUPPORT_REJECTED: {"sampling_provider_not_approved": "sampling_not_approved"},
    Trigger.CLAWBACK_NOTHING_OWED: {"sampling_not_approved": "paid", "clawback_rejected": "paid"},
    Trigger.CLAWBACK_ASSESSED: {"sampling_not_approved": "clawback_requires_approval",
                                "clawback_rejected": "clawback_requires_approval"},
    Trigger.CLAWBACK_APPROVED: {"clawback_requires_approval": "clawback_requested"},
    Trigger.CLAWBACK_REJECTED: {"clawback_requires_approval": "clawback_rejected"},
    Trigger.CLAWBACK_SENT: {"clawback_requested": "clawback_in_progress"},
    Trigger.CLAWBACK_COMPLETED: {"clawback_in_progress": "clawback_complete"},
}


def label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


def next_status(reference: str, current: str, trigger: Trigger) -> str:
    """The status ``trigger`` moves the claim to, or ``Refused`` naming claim, status and action."""
    allowed = TRANSITIONS[trigger]
    if current not in allowed:
        raise Refused(f"Claim {reference} cannot be {trigger.value}: it is ‘{label(current)}’ "
                      f"(allowed from {', '.join('‘' + label(s) + '’' for s in allowed)})")
    return allowed[current]
