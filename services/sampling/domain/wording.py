"""The words sampling shows people: the review warning, activity titles and the messages of refused
actions (docs/design.md §5, §10); status labels are the shared vocabulary's."""
from __future__ import annotations

from shared.contracts.claim_status import SAMPLING_WAITING, ClaimStatus, support_label

PAID: str = ClaimStatus.PAID.value
SAMPLING_IN_PROGRESS: str = ClaimStatus.SAMPLING_IN_PROGRESS.value
PROVIDER_NOT_APPROVED: str = ClaimStatus.SAMPLING_PROVIDER_NOT_APPROVED.value
#: The statuses the Sampling section lists (claims waiting to be processed).
WAITING = SAMPLING_WAITING

REVIEW_WARNING = ("Each accredited provider included in the sample data will receive an email instructing "
                  "them to assure their partner schools’ claim.")
EMPTY_STATE = "There are no claims waiting to be processed."
NOTHING_TO_SAMPLE = "There are no paid claims that can be sampled."
NOTHING_AWAITING_RESPONSE = "There are no claims waiting for a provider response."
REASON_NEEDED = "Enter a reason"


def label(status: str) -> str:
    return support_label(status)


def claims_phrase(count: int) -> str:
    return f"{count} claim" if count == 1 else f"{count} claims"


def sampling_uploaded(count: int) -> str:
    return f"Audit data uploaded for {claims_phrase(count)}"


def response_uploaded(count: int, provider_name: str) -> str:
    return f"Provider audit response uploaded for {claims_phrase(count)} from {provider_name}"


def provider_rejected(provider_name: str, reference: str) -> str:
    return f"Provider {provider_name} rejected audit for claim {reference}"


def support_decided(reference: str, approved: bool) -> str:
    return f"Support {'approved' if approved else 'rejected'} claim {reference}"


def cannot_decide(reference: str, status: str, approved: bool) -> str:
    if approved:
        return (f"Claim {reference} cannot be approved: it is ‘{label(status)}’ (only a claim in "
                f"‘{label(SAMPLING_IN_PROGRESS)}’ or ‘{label(PROVIDER_NOT_APPROVED)}’ can be)")
    return (f"Claim {reference} cannot be rejected: it is ‘{label(status)}’ "
            f"(only a claim the provider did not approve, ‘{label(PROVIDER_NOT_APPROVED)}’, can be)")
