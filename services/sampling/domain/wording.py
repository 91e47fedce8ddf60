"""The words sampling shows people: status labels, the review warning, activity titles and the
messages of refused actions (DESIGN §5, §10)."""
from __future__ import annotations

PAID = "paid"
SAMPLING_IN_PROGRESS = "sampling_in_progress"
PROVIDER_NOT_APPROVED = "sampling_provider_not_approved"
#: The statuses the Sampling section lists (claims waiting to be processed).
WAITING = (SAMPLING_IN_PROGRESS, PROVIDER_NOT_APPROVED)

#: Labels of the statuses sampling deals with (the claims service owns the full list).
STATUS_LABELS = {
    "submitted": "Submitted",
    "payment_in_progress": "Payment in progress",
    "paid": "Paid",
    "sampling_in_progress": "Sampling in progress",
    "sampling_provider_not_approved": "Provider not approved",
    "sampling_not_approved": "Claim not approved",
}

REVIEW_WARNING = ("Each accredited provider included in the sample data will receive an email instructing "
                  "them to assure their partner schools’ claim.")
EMPTY_STATE = "There are no claims waiting to be processed."
NOTHING_TO_SAMPLE = "There are no paid claims that can be sampled."
NOTHING_AWAITING_RESPONSE = "There are no claims waiting for a provider response."
REASON_NEEDED = "Enter a reason"


def label(status: str) -> str:
    return STATUS_LABELS.get(status, status.replace("_", " ").capitalize())


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
    action = "approved" if approved else "rejected"
    return (f"Claim {reference} cannot be {action}: it is ‘{label(status)}’ "
            f"(only a claim the provider did not approve, ‘{label(PROVIDER_NOT_APPROVED)}’, can be)")
