"""What sampling knows about a claim: the projection it keeps from claims events (docs/design.md §2).

Rules shared by the uploads:
- A claim reference in a file is trimmed, and a reference of fewer than 8 digits is padded with
  zeros on the left (a spreadsheet drops the leading zeros of ``00123456``).
- A mentor's name in a file matches the claim's mentor ignoring case and extra spaces.
"""
from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from shared.contracts.claim_status import ClaimStatus
from shared.contracts.identifiers import pad_reference

PAID: str = ClaimStatus.PAID.value
SAMPLING_IN_PROGRESS: str = ClaimStatus.SAMPLING_IN_PROGRESS.value


# Named tuples rather than frozen dataclasses: as immutable, and an upload builds 100,000 of them
# (a tuple is made in a third of the time).
class MentorView(NamedTuple):
    trn: str
    full_name: str
    hours: int


class ClaimView(NamedTuple):
    """A claim as sampling sees it. ``submitted_at`` is an aware datetime or an ISO 8601 string
    (as in ``ClaimSubmitted``); ``claim_id`` and ``school_id`` are optional internal ids that a
    sampling file may quote instead of the reference and the URN."""

    reference: str
    status: str
    school_urn: str
    provider_id: str
    claim_window_id: str
    submitted_at: datetime | str
    mentors: tuple[MentorView, ...] = ()
    school_name: str = ""
    school_postcode: str = ""
    provider_name: str = ""
    claim_id: str = ""
    school_id: str = ""


def normalise_reference(value: str) -> str:
    return pad_reference(value.strip())


def name_key(name: str) -> str:
    return " ".join(name.split()).casefold()
