"""The sampling file: which paid claims to audit, and why (docs/design.md §5).

Policy:
- Headers ``claim_id, school_id, provider_id, claim_window_id, claim_reference_number,
  submitted_at, claim_sample_reason``. Only ``claim_reference_number`` (or ``claim_reference``)
  and ``claim_sample_reason`` (or ``sample_reason``) are required. File-level checks are
  ``shared.csvfiles``'s.
- Every row is checked and every failing row is reported with its spreadsheet row number; a file
  with any error is refused as a whole (``CsvRejected``), so nothing is sampled from it.
- The reference must be a **paid** claim, else "Enter a valid claim reference".
- The reason must not be blank, else "Enter a valid sample reason".
- The other columns, when present and not blank, must agree with the claim, else "Enter a
  <column> that matches claim ‘12345678’":
  - ``claim_id``: the claim's internal id or its reference; ``school_id``: the school's id or its
    URN; ``provider_id``, ``claim_window_id``: equal, ignoring case (ids may be UUIDs);
  - ``submitted_at``: ISO 8601 (``2024-06-01``, ``2024-06-01T10:23:45Z``,
    ``2024-06-01 10:23:45 UTC``) or UK spreadsheet style (``01/06/2024``, ``01/06/2024 10:23``).
    A date alone agrees when it is the claim's submission date in UTC or in UK time (UTC or
    UTC+1). A time agrees to the precision written (minute or second); a time without a zone may
    be UTC or UK time.
- A claim may be in the file once: later rows naming it get "Enter each claim only once
  (‘12345678’ is also in row 2)".
- A row with a value beyond the last column gets "This row has more values than there are
  columns" (``shared.csvfiles``); an answer lists the first 100 errors and counts the rest.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple
from datetime import datetime, timedelta, timezone

from shared.contracts.errors import Refused
from shared.contracts.identifiers import is_reference
from shared.csvfiles import CsvUpload, read_csv_upload, refuse_rows

from .projection import PAID, ClaimView, normalise_reference

REQUIRED = {
    "claim_reference_number": ("claim_reference",),
    "claim_sample_reason": ("sample_reason",),
}
OPTIONAL = {
    "claim_id": (),
    "school_id": (),
    "provider_id": (),
    "claim_window_id": (),
    "submitted_at": (),
}
HEADERS = ("claim_id", "school_id", "provider_id", "claim_window_id", "claim_reference_number",
           "submitted_at", "claim_sample_reason")

INVALID_REFERENCE = "Enter a valid claim reference"
INVALID_REASON = "Enter a valid sample reason"

_LABELS = {
    "claim_id": "claim ID",
    "school_id": "school ID",
    "provider_id": "provider ID",
    "claim_window_id": "claim window ID",
    "submitted_at": "submitted date",
}


class SampledClaim(NamedTuple):
    reference: str
    sample_reason: str
    provider_id: str
    row: int


@dataclass(frozen=True)
class SampleUpload:
    """A valid sampling file: the claims to sample, in file order."""

    claims: tuple[SampledClaim, ...]

    @property
    def claim_count(self) -> int:
        return len(self.claims)

    def by_provider(self) -> dict[str, tuple[SampledClaim, ...]]:
        """One group per accredited provider (one provider sampling each), in file order."""
        groups: dict[str, list[SampledClaim]] = {}
        for claim in self.claims:
            groups.setdefault(claim.provider_id, []).append(claim)
        return {provider: tuple(claims) for provider, claims in groups.items()}


def read_sampling_file(data: bytes | None, filename: str | None) -> CsvUpload:
    """The file's rows, or CsvRejected with the file-level errors."""
    return read_csv_upload(data, filename, required=REQUIRED, optional=OPTIONAL)


def referenced(upload: CsvUpload) -> set[str]:
    """The claim references the file names (to load just those claims from the projection)."""
    return {normalise_reference(row.values["claim_reference_number"]) for row in upload.rows} - {""}


def checks_other_columns(upload: CsvUpload) -> bool:
    """Whether the file has optional columns to check against the claim (else only a claim's
    reference, status and provider are needed)."""
    return any(upload.has(column) for column in _LABELS)


def check_sample(upload: CsvUpload, claims: Mapping[str, ClaimView]) -> SampleUpload:
    """The sample, or CsvRejected with every row's errors in row order."""
    errors: list[Refused] = []
    sampled: list[SampledClaim] = []
    first_row: dict[str, int] = {}
    # Columns the file does not have read as blank: skip them (a 100,000-row file is checked in
    # well under a second).
    optional = {column: label for column, label in _LABELS.items() if upload.has(column)}
    for row in upload.rows:
        values, number = row.values, row.number
        reference = values["claim_reference_number"]
        if not is_reference(reference):  # the usual case needs no normalising
            reference = normalise_reference(reference)
        reason = values["claim_sample_reason"]
        claim = claims.get(reference) if reference else None
        if claim is not None and claim.status == PAID and reason and not optional and reference not in first_row:
            first_row[reference] = number  # a valid row of a file with no other columns: the fast path
            sampled.append(SampledClaim(claim.reference, reason, claim.provider_id, number))
            continue
        row_errors: list[Refused] = []
        if claim is None or claim.status != PAID:
            row_errors.append(Refused(INVALID_REFERENCE, field="claim_reference_number", row=number))
            claim = None
        elif reference in first_row:
            row_errors.append(Refused(
                f"Enter each claim only once (‘{reference}’ is also in row {first_row[reference]})",
                field="claim_reference_number", row=number))
        else:
            first_row[reference] = number
        if not reason:
            row_errors.append(Refused(INVALID_REASON, field="claim_sample_reason", row=number))
        if claim is not None:
            for column, label in optional.items():
                value = values[column]
                if value and not _agrees(column, value, claim):
                    row_errors.append(Refused(f"Enter a {label} that matches claim ‘{claim.reference}’",
                                              field=column, row=number))
        if row_errors:
            errors.extend(row_errors)
        elif claim is not None:
            sampled.append(SampledClaim(claim.reference, reason, claim.provider_id, number))
    refuse_rows(upload, errors)  # with the reader's (a row with more values than columns)
    return SampleUpload(tuple(sampled))


def validate_sampling_upload(data: bytes | None, filename: str | None, *,
                             claims: Mapping[str, ClaimView]) -> SampleUpload:
    """Read and check a sampling file in one go; CsvRejected with every error otherwise."""
    return check_sample(read_sampling_file(data, filename), claims)


# --- agreement of the optional columns ----------------------------------------------------------


def _same_id(value: str, *candidates: str) -> bool:
    wanted = value.strip().casefold()
    return any(c and c.strip().casefold() == wanted for c in candidates)


def _agrees(column: str, value: str, claim: ClaimView) -> bool:
    if column == "claim_id":
        return _same_id(value, claim.claim_id) or normalise_reference(value) == claim.reference
    if column == "school_id":
        return _same_id(value, claim.school_id, claim.school_urn)
    if column == "provider_id":
        return _same_id(value, claim.provider_id)
    if column == "claim_window_id":
        return _same_id(value, claim.claim_window_id)
    return _same_submission(value, claim.submitted_at)


_UK = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})(?:[ T]([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?)?")
_ISO_TIME = re.compile(r"[T ][0-9]{1,2}:[0-9]{2}(:[0-9]{2})?")
_UK_TIME_OFFSETS = (timedelta(0), timedelta(hours=1))  # GMT and BST


def _as_utc(value: datetime | str) -> datetime:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def _parse_written(text: str) -> tuple[datetime, str] | None:
    """(the moment written, its precision: "date", "minute" or "second"), the moment naive when
    no zone was written."""
    text = text.strip()
    if match := _UK.fullmatch(text):
        day, month, year, hour, minute, second = match.groups()
        try:
            moment = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                              int(second or 0))
        except ValueError:
            return None
        return moment, ("date" if hour is None else "minute" if second is None else "second")
    iso = re.sub(r"\s*UTC$", "+00:00", text, flags=re.IGNORECASE)
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return None
    time = _ISO_TIME.search(iso)
    if time is None:
        return moment.replace(tzinfo=None), "date"
    return moment, ("second" if time.group(1) else "minute")


def _same_submission(text: str, submitted_at: datetime | str) -> bool:
    written = _parse_written(text)
    if written is None:
        return False
    moment, precision = written
    actual = _as_utc(submitted_at)
    if precision == "date":
        return any((actual + offset).date() == moment.date() for offset in _UK_TIME_OFFSETS)
    truncate = {"minute": dict(second=0, microsecond=0), "second": dict(microsecond=0)}[precision]
    if moment.tzinfo is not None:
        return moment.astimezone(timezone.utc).replace(**truncate) == actual.replace(**truncate)
    wall = moment.replace(**truncate)
    return any((actual + offset).replace(tzinfo=None, **truncate) == wall
               for offset in _UK_TIME_OFFSETS)
