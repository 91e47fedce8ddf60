"""The CSV an accredited provider downloads to audit its sampled claims (docs/design.md §5).

One row per mentor of each claim, ordered by claim reference, then mentor name (ignoring case),
then TRN; the provider fills in the last two columns, ``claim_assured`` and
``claim_not_assured_reason``, which are written blank. Cells go through ``shared.csvfiles``'s
formula-injection guard.
"""
from __future__ import annotations

from collections.abc import Iterable

from shared.csvfiles import write_csv

from .projection import ClaimView, name_key

HEADERS = ("claim_reference", "school_urn", "school_name", "school_postcode", "mentor_full_name",
           "mentor_hours_of_training", "claim_assured", "claim_not_assured_reason")


def provider_csv_rows(claims: Iterable[ClaimView]) -> list[tuple[str, ...]]:
    rows = []
    for claim in sorted(claims, key=lambda c: c.reference):
        for mentor in sorted(claim.mentors, key=lambda m: (name_key(m.full_name), m.trn)):
            rows.append((claim.reference, claim.school_urn, claim.school_name, claim.school_postcode,
                         mentor.full_name, str(mentor.hours), "", ""))
    return rows


def provider_csv(claims: Iterable[ClaimView]) -> bytes:
    return write_csv(HEADERS, provider_csv_rows(claims))
