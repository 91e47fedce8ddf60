"""Which payments actions a claim's status allows (the payments side of DESIGN §3).

Claims owns status and applies the transition; payments checks first, so a person gets a clear
refusal at once instead of a fact that claims would dead-letter. A refusal names the claim, its
status and the action. Payments looks at the *effective* status: what claims last said, or the
status a fact payments already emitted will move the claim to (claims has not confirmed yet).
"""
from __future__ import annotations

from shared.contracts import Refused

LABELS: dict[str, str] = {
    "draft": "Draft", "submitted": "Submitted", "payment_in_progress": "Payment in progress",
    "payment_information_requested": "Payer needs information",
    "payment_information_sent": "Information sent to payer", "paid": "Paid",
    "payment_not_approved": "Rejected by payer", "sampling_in_progress": "Sampling in progress",
    "sampling_provider_not_approved": "Provider not approved", "sampling_not_approved": "Claim not approved",
    "clawback_requires_approval": "Clawback awaiting approval", "clawback_rejected": "Clawback rejected",
    "clawback_requested": "Clawback requested", "clawback_in_progress": "Clawback in progress",
    "clawback_complete": "Clawback complete",
}

#: action → {from status: to status}
ACTIONS: dict[str, dict[str, str]] = {
    "send to the payer": {"submitted": "payment_in_progress"},
    "marked as paid": {"payment_in_progress": "paid", "payment_information_sent": "paid"},
    "marked as needing information": {"payment_in_progress": "payment_information_requested"},
    "marked as information sent to the payer": {"payment_information_requested": "payment_information_sent"},
    "rejected by the payer": {"payment_information_requested": "payment_not_approved",
                              "payment_information_sent": "payment_not_approved"},
    "assessed for clawback": {"sampling_not_approved": "clawback_requires_approval",
                              "clawback_rejected": "clawback_requires_approval"},
    "closed with nothing to claw back": {"sampling_not_approved": "paid", "clawback_rejected": "paid"},
    "approved for clawback": {"clawback_requires_approval": "clawback_requested"},
    "rejected for clawback": {"clawback_requires_approval": "clawback_rejected"},
    "sent to the payer for clawback": {"clawback_requested": "clawback_in_progress"},
    "marked as clawback complete": {"clawback_in_progress": "clawback_complete"},
}


def label(status: str) -> str:
    return LABELS.get(status, status)


def allowed(status: str, action: str) -> bool:
    return status in ACTIONS[action]


def next_status(reference: str, status: str, action: str) -> str:
    """The status ``action`` leads to, or ``Refused`` naming the claim, its status and the action."""
    moves = ACTIONS[action]
    if status not in moves:
        allowed_from = " or ".join(f"‘{label(s)}’" for s in moves)
        raise Refused(f"Claim {reference} cannot be {action}: it is ‘{label(status)}’ "
                      f"(only a claim that is {allowed_from} can)", field="status")
    return moves[status]
