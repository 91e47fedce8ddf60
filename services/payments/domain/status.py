"""Which payments actions a claim's status allows (the payments side of docs/design.md §3).

Claims owns status and decides each transition; payments checks first against the same shared
table (``shared.contracts.claim_status``), so a person gets a clear refusal at once instead of a
fact that claims would dead-letter. A refusal names the claim, its status and the action. Payments
looks at the *effective* status: what claims last said, or the status a fact payments already
emitted will move the claim to (claims has not confirmed yet).
"""
from __future__ import annotations

from shared.contracts import Refused
from shared.contracts.claim_status import (CLAWBACK_WITH_PAYER, PAYABLE, STATUSES, TRANSITIONS, ClaimStatus,
                                           Trigger)
from shared.contracts.claim_status import support_label as label

__all__ = ["ACTIONS", "CLAWBACK_WITH_PAYER", "PAYABLE", "STATUSES", "WITH_PAYER", "label", "next_status", "outcome"]

#: Sent to the payer and waiting for its answer (the payer response file may name these claims).
WITH_PAYER: str = ClaimStatus.PAYMENT_IN_PROGRESS.value

#: The words payments uses for an action → the claim trigger its fact becomes.
ACTIONS: dict[str, Trigger] = {
    "send to the payer": Trigger.SENT_TO_PAYER,
    "marked as paid": Trigger.PAYER_PAID,
    "marked as needing information": Trigger.PAYER_NEEDS_INFORMATION,
    "marked as information sent to the payer": Trigger.INFORMATION_SENT,
    "rejected by the payer": Trigger.PAYER_REJECTED,
    "assessed for clawback": Trigger.CLAWBACK_ASSESSED,
    "closed with nothing to claw back": Trigger.CLAWBACK_NOTHING_OWED,
    "approved for clawback": Trigger.CLAWBACK_APPROVED,
    "rejected for clawback": Trigger.CLAWBACK_REJECTED,
    "sent to the payer for clawback": Trigger.CLAWBACK_SENT,
    "marked as clawback complete": Trigger.CLAWBACK_COMPLETED,
}


def next_status(reference: str, status: str, action: str) -> str:
    """The status ``action`` leads to, or ``Refused`` naming the claim, its status and the action."""
    moves = TRANSITIONS[ACTIONS[action]]
    if status not in moves:
        allowed_from = " or ".join(f"‘{label(s)}’" for s in moves)
        raise Refused(f"Claim {reference} cannot be {action}: it is ‘{label(status)}’ "
                      f"(only a claim that is {allowed_from} can)", field="status")
    return moves[status]


def outcome(action: str) -> str:
    """The one status ``action`` leads to (an action applied to many claims at once has one)."""
    (target,) = set(TRANSITIONS[ACTIONS[action]].values())
    return target
