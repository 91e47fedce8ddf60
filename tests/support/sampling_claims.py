"""Claims used by the sampling unit tests (a projection as sampling keeps it)."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable

import pytest

from services.sampling.domain import ClaimView, CsvRejected, MentorView

JOHN = MentorView(trn="1111111", full_name="John Smith", hours=10)
JANE = MentorView(trn="2222222", full_name="Jane Doe", hours=6)
SAM = MentorView(trn="3333333", full_name="Sam Jones", hours=4)


def claim(reference: str, status: str = "paid", *, mentors=(JOHN,), provider_id: str = "prov-1",
          **overrides) -> ClaimView:
    values = dict(
        reference=reference,
        status=status,
        school_urn="100000",
        school_id="sch-1",
        school_name="Hogwarts Primary",
        school_postcode="SW1A 1AA",
        provider_id=provider_id,
        claim_window_id="win-1",
        claim_id="claim-" + reference,
        submitted_at=datetime(2024, 6, 1, 23, 30, 15, tzinfo=timezone.utc),
        mentors=tuple(mentors),
    )
    values.update(overrides)
    return ClaimView(**values)


def projection(*claims: ClaimView) -> dict[str, ClaimView]:
    return {c.reference: c for c in claims}


def refusals(check: Callable[[bytes, str], object], text: str, file_name: str, claims) -> list[tuple]:
    """Each error (row, field, message) that ``check`` refuses the CSV ``text`` with, checked
    against the ``claims`` (the file must be refused)."""
    with pytest.raises(CsvRejected) as caught:
        check(text.encode("utf-8"), file_name, claims=claims)
    return [(e.row, e.field, e.message) for e in caught.value.errors]
