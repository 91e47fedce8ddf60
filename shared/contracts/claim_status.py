"""The claim-status vocabulary every service and the gateway share (docs/design.md §3, §11, §12).

Written once here: the statuses, the words each kind of user sees for them, the groups of
statuses the services and screens act on, and the transition table. The claims service owns
status and keeps the one function that decides a transition (``services/claims/domain/status.py``);
payments reads the same table to refuse an action at once instead of emitting a fact claims would
dead-letter. Nothing outside this module spells a label or a transition (a unit test checks).

Rules:
- Support users see the labels of docs/design.md §3 (``SUPPORT_LABELS``).
- Providers see their own words for the audit statuses and "Approved" for a claim paid after an
  audit (§12); every other status as support sees it.
- Schools and trusts see a short tag and a sentence in plain words explaining the status (§11);
  they never see internal words such as the payer's queries.
- A trigger moves a claim only from the statuses listed for it (``TRANSITIONS``).
"""
from __future__ import annotations

from collections.abc import Mapping
from enum import Enum, StrEnum
from types import MappingProxyType


class ClaimStatus(StrEnum):
    """A claim's status, as stored and as sent in messages and in the API (a ``str``)."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    PAYMENT_IN_PROGRESS = "payment_in_progress"
    PAYMENT_INFORMATION_REQUESTED = "payment_information_requested"
    PAYMENT_INFORMATION_SENT = "payment_information_sent"
    PAID = "paid"
    PAYMENT_NOT_APPROVED = "payment_not_approved"
    SAMPLING_IN_PROGRESS = "sampling_in_progress"
    SAMPLING_PROVIDER_NOT_APPROVED = "sampling_provider_not_approved"
    SAMPLING_NOT_APPROVED = "sampling_not_approved"
    CLAWBACK_REQUIRES_APPROVAL = "clawback_requires_approval"
    CLAWBACK_REJECTED = "clawback_rejected"
    CLAWBACK_REQUESTED = "clawback_requested"
    CLAWBACK_IN_PROGRESS = "clawback_in_progress"
    CLAWBACK_COMPLETE = "clawback_complete"
    INVALID_PROVIDER = "invalid_provider"


S = ClaimStatus


def _plain(mapping: dict) -> Mapping[str, str]:
    """Plain ``str`` keys and values (a ``StrEnum`` member would travel into SQL and JSON as itself)."""
    return MappingProxyType({str(k): str(v) for k, v in mapping.items()})


#: Every status, in the order of docs/design.md §3 (the order lists and filters show them in).
STATUSES: tuple[str, ...] = tuple(s.value for s in ClaimStatus)

#: The labels support users see (docs/design.md §3).
SUPPORT_LABELS: Mapping[str, str] = _plain({
    S.DRAFT: "Draft",
    S.SUBMITTED: "Submitted",
    S.PAYMENT_IN_PROGRESS: "Payment in progress",
    S.PAYMENT_INFORMATION_REQUESTED: "Payer needs information",
    S.PAYMENT_INFORMATION_SENT: "Information sent to payer",
    S.PAID: "Paid",
    S.PAYMENT_NOT_APPROVED: "Rejected by payer",
    S.SAMPLING_IN_PROGRESS: "Sampling in progress",
    S.SAMPLING_PROVIDER_NOT_APPROVED: "Provider not approved",
    S.SAMPLING_NOT_APPROVED: "Claim not approved",
    S.CLAWBACK_REQUIRES_APPROVAL: "Clawback awaiting approval",
    S.CLAWBACK_REJECTED: "Clawback rejected",
    S.CLAWBACK_REQUESTED: "Clawback requested",
    S.CLAWBACK_IN_PROGRESS: "Clawback in progress",
    S.CLAWBACK_COMPLETE: "Clawback complete",
    S.INVALID_PROVIDER: "Invalid provider",
})

#: The labels providers see (docs/design.md §12): their words for the audit, the rest as support sees them.
PROVIDER_LABELS: Mapping[str, str] = _plain({
    **SUPPORT_LABELS,
    S.SAMPLING_IN_PROGRESS: "Audit requested",
    S.SAMPLING_PROVIDER_NOT_APPROVED: "Amended",
})
#: What a provider sees for a claim that is paid after an audit (docs/design.md §12).
PROVIDER_AUDITED_PAID_LABEL = "Approved"

#: The status tags schools and trusts see (docs/design.md §11): no payer queries, no internal steps.
SCHOOL_LABELS: Mapping[str, str] = _plain({
    S.DRAFT: "Draft",
    S.SUBMITTED: "Submitted",
    S.PAYMENT_IN_PROGRESS: "Payment in progress",
    S.PAYMENT_INFORMATION_REQUESTED: "Payment in progress",
    S.PAYMENT_INFORMATION_SENT: "Payment in progress",
    S.PAID: "Paid",
    S.PAYMENT_NOT_APPROVED: "Not paid",
    S.SAMPLING_IN_PROGRESS: "Being audited",
    S.SAMPLING_PROVIDER_NOT_APPROVED: "Being audited",
    S.SAMPLING_NOT_APPROVED: "Audit not passed",
    S.CLAWBACK_REQUIRES_APPROVAL: "Audit not passed",
    S.CLAWBACK_REJECTED: "Audit not passed",
    S.CLAWBACK_REQUESTED: "Money to be paid back",
    S.CLAWBACK_IN_PROGRESS: "Money to be paid back",
    S.CLAWBACK_COMPLETE: "Money paid back",
    S.INVALID_PROVIDER: "Action needed",
})

#: What each status means for the school, in plain words (docs/design.md §11: the claim page explains it).
SCHOOL_EXPLANATIONS: Mapping[str, str] = _plain({
    S.DRAFT: "Draft: you have not submitted this claim yet. You can change or delete it.",
    S.SUBMITTED: "Submitted: we have your claim. It will be sent to the payer.",
    S.PAYMENT_IN_PROGRESS: "Payment in progress: the claim has been sent to the payer.",
    S.PAYMENT_INFORMATION_REQUESTED: ("Payment in progress: the payer is checking some details of this claim. "
                                      "We will contact you if we need anything from you."),
    S.PAYMENT_INFORMATION_SENT: ("Payment in progress: the payer is checking some details of this claim. "
                                 "We will contact you if we need anything from you."),
    S.PAID: "Paid: the payer has paid this claim. It may still be chosen for audit.",
    S.PAYMENT_NOT_APPROVED: "Not paid: the payer did not approve this claim. Contact us if you think this is wrong.",
    S.SAMPLING_IN_PROGRESS: ("Being audited: this claim was chosen for audit. Your accredited provider "
                             "has been asked to confirm the training."),
    S.SAMPLING_PROVIDER_NOT_APPROVED: ("Being audited: your accredited provider did not confirm all the training "
                                       "claimed. Contact the provider or us."),
    S.SAMPLING_NOT_APPROVED: ("Audit not passed: the training claimed could not be confirmed. "
                              "Some of the money may have to be paid back."),
    S.CLAWBACK_REQUIRES_APPROVAL: ("Audit not passed: the training claimed could not be confirmed. "
                                   "Some of the money may have to be paid back."),
    S.CLAWBACK_REJECTED: ("Audit not passed: the training claimed could not be confirmed. "
                          "Some of the money may have to be paid back."),
    S.CLAWBACK_REQUESTED: "Money to be paid back: we have emailed you the amount. The payer will take it back.",
    S.CLAWBACK_IN_PROGRESS: "Money to be paid back: the payer is taking back the amount we emailed you.",
    S.CLAWBACK_COMPLETE: "Money paid back: the payer has taken back the amount. Nothing more is needed.",
    S.INVALID_PROVIDER: ("Action needed: the accredited provider you chose cannot be used for this claim. "
                         "Choose another provider and submit the claim again."),
})


def support_label(status: str) -> str:
    """The label support sees; an unknown status is shown as it is (never hidden)."""
    return SUPPORT_LABELS.get(status, status)


def provider_label(status: str, *, audited: bool = False) -> str:
    """The label a provider sees; ``audited``: the claim went through an audit."""
    if audited and status == ClaimStatus.PAID:
        return PROVIDER_AUDITED_PAID_LABEL
    return PROVIDER_LABELS.get(status, status)


def school_label(status: str) -> str:
    return SCHOOL_LABELS.get(status, status)


def school_explanation(status: str) -> str:
    return SCHOOL_EXPLANATIONS.get(status, school_label(status))


# ------------------------------------------------------------------ groups
#: The Sampling section lists these claims (waiting for the provider, or for support's decision).
SAMPLING_WAITING: tuple[str, ...] = (S.SAMPLING_IN_PROGRESS.value, S.SAMPLING_PROVIDER_NOT_APPROVED.value)
#: Only a paid claim can be sampled.
SAMPLEABLE: tuple[str, ...] = (S.PAID.value,)
#: The payer asked about these claims; support answers or records the payer's decision.
PAYER_QUERIES: tuple[str, ...] = (S.PAYMENT_INFORMATION_REQUESTED.value, S.PAYMENT_INFORMATION_SENT.value)
#: The clawbacks queue: support enters the hours actually worked for these claims.
CLAWBACK_QUEUE: tuple[str, ...] = (S.SAMPLING_NOT_APPROVED.value, S.CLAWBACK_REJECTED.value)
#: The audit found these claims wrong (not approved, then on the way to being clawed back): a
#: monetary-unit sample's misstatements (docs/design.md §13).
AUDIT_FAILED: tuple[str, ...] = (S.SAMPLING_NOT_APPROVED.value, S.CLAWBACK_REJECTED.value,
                                 S.CLAWBACK_REQUIRES_APPROVAL.value, S.CLAWBACK_REQUESTED.value,
                                 S.CLAWBACK_IN_PROGRESS.value, S.CLAWBACK_COMPLETE.value)
#: Send to payer takes every claim in this status (the payment CSV's ``claim_status``).
PAYABLE: str = S.SUBMITTED.value
#: Waiting for the payer's clawback response (the clawback CSV's ``claim_status``).
CLAWBACK_WITH_PAYER: str = S.CLAWBACK_IN_PROGRESS.value
#: Claims whose hours do not count against a mentor's allowance (docs/design.md §3 hours cap).
NOT_COUNTED_FOR_HOURS: frozenset[str] = frozenset({S.DRAFT.value, S.PAYMENT_NOT_APPROVED.value})
#: A provider sees its claims from submission on (docs/design.md §12).
PROVIDER_VISIBLE: tuple[str, ...] = tuple(s for s in STATUSES if s != S.DRAFT)
#: Claims a school can still change (docs/design.md §11): a draft; nothing changes after submission.
CHANGEABLE_BY_SCHOOL: tuple[str, ...] = (S.DRAFT.value,)


# ------------------------------------------------------------------ transitions
class Trigger(str, Enum):
    """What happened to a claim; the value completes "Claim 12345678 cannot be …"."""

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
    PROVIDER_MARKED_INVALID = "marked as having an invalid provider"
    PROVIDER_CHANGED = "resubmitted with another provider"


#: trigger → {from status: to status} (docs/design.md §3); anything not listed is refused.
TRANSITIONS: Mapping[Trigger, Mapping[str, str]] = MappingProxyType({trigger: _plain(moves) for trigger, moves in {
    Trigger.SUBMIT: {S.DRAFT: S.SUBMITTED},
    Trigger.SENT_TO_PAYER: {S.SUBMITTED: S.PAYMENT_IN_PROGRESS},
    Trigger.PAYER_PAID: {S.PAYMENT_IN_PROGRESS: S.PAID, S.PAYMENT_INFORMATION_SENT: S.PAID},
    Trigger.PAYER_NEEDS_INFORMATION: {S.PAYMENT_IN_PROGRESS: S.PAYMENT_INFORMATION_REQUESTED},
    Trigger.INFORMATION_SENT: {S.PAYMENT_INFORMATION_REQUESTED: S.PAYMENT_INFORMATION_SENT},
    Trigger.PAYER_REJECTED: {S.PAYMENT_INFORMATION_REQUESTED: S.PAYMENT_NOT_APPROVED,
                             S.PAYMENT_INFORMATION_SENT: S.PAYMENT_NOT_APPROVED},
    Trigger.SAMPLED: {S.PAID: S.SAMPLING_IN_PROGRESS},
    Trigger.PROVIDER_ASSURED: {S.SAMPLING_IN_PROGRESS: S.PAID},
    Trigger.PROVIDER_NOT_ASSURED: {S.SAMPLING_IN_PROGRESS: S.SAMPLING_PROVIDER_NOT_APPROVED},
    # Support may approve a claim the provider has not answered yet (docs/design.md §12).
    Trigger.SUPPORT_APPROVED: {S.SAMPLING_PROVIDER_NOT_APPROVED: S.PAID, S.SAMPLING_IN_PROGRESS: S.PAID},
    Trigger.SUPPORT_REJECTED: {S.SAMPLING_PROVIDER_NOT_APPROVED: S.SAMPLING_NOT_APPROVED},
    Trigger.CLAWBACK_NOTHING_OWED: {S.SAMPLING_NOT_APPROVED: S.PAID, S.CLAWBACK_REJECTED: S.PAID},
    Trigger.CLAWBACK_ASSESSED: {S.SAMPLING_NOT_APPROVED: S.CLAWBACK_REQUIRES_APPROVAL,
                                S.CLAWBACK_REJECTED: S.CLAWBACK_REQUIRES_APPROVAL},
    Trigger.CLAWBACK_APPROVED: {S.CLAWBACK_REQUIRES_APPROVAL: S.CLAWBACK_REQUESTED},
    Trigger.CLAWBACK_REJECTED: {S.CLAWBACK_REQUIRES_APPROVAL: S.CLAWBACK_REJECTED},
    Trigger.CLAWBACK_SENT: {S.CLAWBACK_REQUESTED: S.CLAWBACK_IN_PROGRESS},
    Trigger.CLAWBACK_COMPLETED: {S.CLAWBACK_IN_PROGRESS: S.CLAWBACK_COMPLETE},
    Trigger.PROVIDER_MARKED_INVALID: {S.SUBMITTED: S.INVALID_PROVIDER},
    Trigger.PROVIDER_CHANGED: {S.INVALID_PROVIDER: S.SUBMITTED},
}.items()})

del S
