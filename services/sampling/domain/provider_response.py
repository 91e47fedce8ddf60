"""The provider response file: the accredited provider's audit answer, one row per mentor
(docs/design.md §5).

Policy:
- Required headers ``claim_reference``, ``mentor_full_name``, ``claim_assured`` (or
  ``claim_accepted``); optional ``claim_not_assured_reason`` (or ``rejection_reason``). The file we
  sent also has ``school_urn, school_name, school_postcode, mentor_hours_of_training``: they are
  there to help the provider and are not checked. File-level checks are ``shared.csvfiles``'s.
- Every row is checked; every failing row is reported with its spreadsheet row number; a file
  with any error is refused as a whole (``CsvRejected``), so nothing is recorded from it.
- ``claim_reference`` must be a claim that is sampling_in_progress, else "Enter a valid claim
  reference".
- ``mentor_full_name`` must be a mentor of that claim (case and extra spaces ignored), else "Enter
  a valid mentor name"; a mentor may be answered once: a later row gets "Enter each mentor only
  once (‘John Smith’ is also in row 2)".
- ``claim_assured`` is yes, no, true or false, in any case, with any surrounding spaces, else
  "Enter a valid input".
- A mentor not assured needs a reason in ``claim_not_assured_reason``, else "Enter a reason".
- ``mentor_hours_of_training`` is not used, but when it is not blank it must be a whole number
  of hours in ASCII digits from 0 to ``MAX_HOURS`` (20, the largest hours cap of the funding
  rules), else "Enter the hours of training as a whole number from 0 to 20" (a negative, NaN,
  40-digit or Unicode-digit value is a sign of a damaged file).
- A row with a value beyond the last column gets "This row has more values than there are
  columns" (``shared.csvfiles``); an answer lists the first 100 errors and counts the rest.
- Every mentor of every claim in the file must have a row, else one error for the file: "Mentors
  are missing from the claim(s) with the reference ‘11111111’" (several claims: ‘11111111’ and
  ‘22222222’; three or more: ‘1…’, ‘2…’ and ‘3…’, in reference order).
- Result per claim: assured only when every mentor is assured; the **comment** aggregates the
  reasons of the mentors not assured, one line each, ``<mentor full name>: <reason>``, joined with
  a line break, in mentor-name order (empty when assured). A reason given for an assured mentor is
  ignored. The claims are grouped by accredited provider, since one file may answer for several.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from shared.contracts.errors import Refused
from shared.contracts.sampling import MentorAssurance
from shared.csvfiles import CsvUpload, join_names, read_csv_upload, refuse_rows

from .assurance import ClaimAssurance, assurance_of
from .projection import SAMPLING_IN_PROGRESS, ClaimView, MentorView, name_key, normalise_reference

REQUIRED = {
    "claim_reference": ("claim_reference_number",),
    "mentor_full_name": (),
    "claim_assured": ("claim_accepted",),
}
OPTIONAL = {
    "claim_not_assured_reason": ("rejection_reason",),
    "school_urn": (),
    "school_name": (),
    "school_postcode": (),
    "mentor_hours_of_training": (),
}

INVALID_REFERENCE = "Enter a valid claim reference"
INVALID_MENTOR = "Enter a valid mentor name"
INVALID_INPUT = "Enter a valid input"
REASON_NEEDED = "Enter a reason"
#: The largest hours cap of the funding rules (initial training, docs/design.md §3): no mentor has more.
MAX_HOURS = 20
INVALID_HOURS = f"Enter the hours of training as a whole number from 0 to {MAX_HOURS}"
_WHOLE_NUMBER = re.compile(r"[0-9]{1,3}")

_ANSWERS = {"yes": True, "true": True, "no": False, "false": False}


@dataclass(frozen=True)
class ProviderResponse:
    """A valid provider response file: one answer per claim, in reference order."""

    claims: tuple[ClaimAssurance, ...]

    @property
    def claim_count(self) -> int:
        return len(self.claims)

    @property
    def provider_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.provider_id for c in self.claims))

    def by_provider(self) -> dict[str, tuple[ClaimAssurance, ...]]:
        groups: dict[str, list[ClaimAssurance]] = {}
        for claim in self.claims:
            groups.setdefault(claim.provider_id, []).append(claim)
        return {provider: tuple(claims) for provider, claims in groups.items()}


def parse_assured(value: str) -> bool | None:
    """yes/true → True, no/false → False (any case, surrounding spaces), anything else → None."""
    return _ANSWERS.get(value.strip().casefold())


def read_response_file(data: bytes | None, filename: str | None) -> CsvUpload:
    return read_csv_upload(data, filename, required=REQUIRED, optional=OPTIONAL)


def valid_hours(value: str) -> bool:
    """Blank (the column is there to help), or a whole number from 0 to ``MAX_HOURS`` in ASCII digits."""
    return not value or (_WHOLE_NUMBER.fullmatch(value) is not None and int(value) <= MAX_HOURS)


def referenced(upload: CsvUpload) -> set[str]:
    return {normalise_reference(row["claim_reference"]) for row in upload.rows} - {""}


def _ordered(mentors: tuple[MentorView, ...]) -> list[MentorView]:
    return sorted(mentors, key=lambda m: (name_key(m.full_name), m.trn))


def check_response(upload: CsvUpload, claims: Mapping[str, ClaimView]) -> ProviderResponse:
    """The answers per claim, or CsvRejected with every error (row errors in row order, then the
    missing mentors)."""
    errors: list[Refused] = []
    # Per claim: mentor name key → the mentors still unanswered with that name (names may repeat).
    unanswered: dict[str, dict[str, list[MentorView]]] = {}
    answered: dict[str, dict[str, MentorAssurance]] = {}  # reference → trn → answer
    first_row: dict[tuple[str, str], int] = {}
    for row in upload.rows:
        reference = normalise_reference(row["claim_reference"])
        claim = claims.get(reference) if reference else None
        if claim is None or claim.status != SAMPLING_IN_PROGRESS:
            errors.append(Refused(INVALID_REFERENCE, field="claim_reference", row=row.number))
            claim = None
        mentor: MentorView | None = None
        if claim is not None:
            pending = unanswered.setdefault(claim.reference, _by_name(claim.mentors))
            answered.setdefault(claim.reference, {})
            key = name_key(row["mentor_full_name"])
            if key not in {name_key(m.full_name) for m in claim.mentors}:
                errors.append(Refused(INVALID_MENTOR, field="mentor_full_name", row=row.number))
            elif not pending.get(key):
                errors.append(Refused(
                    f"Enter each mentor only once (‘{row['mentor_full_name']}’ is also in row "
                    f"{first_row[(claim.reference, key)]})", field="mentor_full_name", row=row.number))
            else:
                mentor = pending[key].pop(0)
                first_row.setdefault((claim.reference, key), row.number)
        if not valid_hours(row["mentor_hours_of_training"]):
            errors.append(Refused(INVALID_HOURS, field="mentor_hours_of_training", row=row.number))
        assured = parse_assured(row["claim_assured"])
        reason = row["claim_not_assured_reason"]
        if assured is None:
            errors.append(Refused(INVALID_INPUT, field="claim_assured", row=row.number))
        elif not assured and not reason:
            errors.append(Refused(REASON_NEEDED, field="claim_not_assured_reason", row=row.number))
        if claim is not None and mentor is not None and assured is not None:
            answered[claim.reference][mentor.trn] = MentorAssurance(
                trn=mentor.trn, full_name=mentor.full_name, assured=assured,
                reason="" if assured else reason)

    incomplete = sorted(ref for ref, pending in unanswered.items() if any(pending.values()))
    if incomplete:
        errors.append(Refused(f"Mentors are missing from the claim(s) with the reference "
                              f"{join_names(incomplete)}", field="mentor_full_name"))
    refuse_rows(upload, errors)  # with the reader's (a row with more values than columns)

    # The same builder as an answer given in the service (domain/assurance.py): one fact, either way.
    return ProviderResponse(tuple(assurance_of(claims[reference], answered[reference]) for reference in sorted(answered)))


def _by_name(mentors: tuple[MentorView, ...]) -> dict[str, list[MentorView]]:
    grouped: dict[str, list[MentorView]] = {}
    for mentor in _ordered(mentors):
        grouped.setdefault(name_key(mentor.full_name), []).append(mentor)
    return grouped


def validate_provider_response(data: bytes | None, filename: str | None, *,
                               claims: Mapping[str, ClaimView]) -> ProviderResponse:
    """Read and check a provider response file in one go; CsvRejected with every error otherwise."""
    return check_response(read_response_file(data, filename), claims)
