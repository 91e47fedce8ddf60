"""The claim status machine (docs/design.md §3): the one function that decides a transition.

The claims service owns status. Other services publish facts; each fact is a *trigger* here, and a
trigger moves a claim only from the statuses the shared table (``shared.contracts.claim_status``)
lists for it. Anything else is refused with a message that names the claim, its current status and
the action, and changes nothing.
"""
from __future__ import annotations

from shared.contracts import Refused
from shared.contracts.claim_status import STATUSES, TRANSITIONS, Trigger
from shared.contracts.claim_status import support_label as label

__all__ = ["STATUSES", "TRANSITIONS", "Trigger", "label", "next_status"]


def next_status(reference: str, current: str, trigger: Trigger) -> str:
    """The status ``trigger`` moves the claim to, or ``Refused`` naming claim, status and action."""
    allowed = TRANSITIONS[trigger]
    if current not in allowed:
        raise Refused(f"Claim {reference} cannot be {trigger.value}: it is ‘{label(current)}’ "
                      f"(allowed from {', '.join('‘' + label(s) + '’' for s in allowed)})")
    return allowed[current]
