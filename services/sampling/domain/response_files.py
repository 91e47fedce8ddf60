"""Provider response files uploaded together, and each kept as one file per accredited provider
(docs/design.md §5 and §12 "Provider response files").

Policy:
- Support may upload several provider response files at once. Each file is read and checked on its
  own, by the rules of ``provider_response`` (same messages); the upload is refused as a whole
  when any file has an error, with every file's errors, each naming its file (``Refused.file``)
  when there is more than one file. Nothing is held from a refused upload.
- At most ``MAX_FILES`` (20) files in one upload, else "Select no more than 20 files".
- A claim may be answered in one file only: a claim already answered in an earlier file of the
  same upload gets, on its first row in the later file, "Claim ‘12345678’ is also in ‘a.csv’:
  answer each claim in one file only".
- A provider user uploads in its own account (``scope``: the user's accredited providers): a claim
  of any other provider is treated as unknown ("Enter a valid claim reference"), so the answer never
  tells whether another provider's claim exists.
- Each accepted file is cut into one file per accredited provider of its claims: the header row and
  that provider's rows, exactly as written (``shared.csvfiles.split_upload``). A file answering for
  one provider keeps its name; otherwise each part is named ``<name>-<provider code>.csv``.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from shared.contracts.errors import Refused
from shared.csvfiles import MAX_FILES, TOO_MANY_FILES, CsvRejected, CsvUpload, file_error, quoted, split_upload

from .projection import ClaimView, normalise_reference
from .provider_response import ClaimAssurance, ProviderResponse, check_response, read_response_file, referenced


@dataclass(frozen=True)
class NamedFile:
    """One uploaded file: its content (None when no file was chosen) and its name."""

    data: bytes | None
    name: str | None


@dataclass(frozen=True)
class ProviderFile:
    """The part of one uploaded file that answers for one accredited provider."""

    provider_id: str
    file_name: str
    source_file_name: str
    row_count: int
    content: bytes


@dataclass(frozen=True)
class ResponseUpload:
    """Valid provider response files: the answers of them all, in reference order, and the files per provider."""

    response: ProviderResponse
    files: tuple[ProviderFile, ...]
    row_count: int
    file_names: tuple[str, ...]


def read_files(files: Sequence[NamedFile]) -> tuple[list[tuple[NamedFile, CsvUpload]], list[CsvRejected]]:
    """Each file read (file-level checks), and the refusals of those that cannot be read; more than
    ``MAX_FILES`` files: CsvRejected, "Select no more than 20 files"."""
    if len(files) > MAX_FILES:
        raise CsvRejected([file_error(TOO_MANY_FILES)])
    read, refusals = [], []
    for file in files:
        try:
            read.append((file, read_response_file(file.data, file.name)))
        except CsvRejected as refused:
            refusals.append(_in_file(refused, file, len(files)))
    return read, refusals


def references(read: Sequence[tuple[NamedFile, CsvUpload]]) -> set[str]:
    return set().union(*(referenced(upload) for _, upload in read)) if read else set()


def check_files(files: Sequence[NamedFile], read: Sequence[tuple[NamedFile, CsvUpload]],
                refusals: list[CsvRejected], claims: Mapping[str, ClaimView], *,
                scope: frozenset[str] | None = None,
                codes: Mapping[str, str] | None = None) -> ResponseUpload:
    """Check every readable file against the claims (only ``scope``'s providers' claims when given);
    CsvRejected with every file's errors, in file order, when any is wrong."""
    if scope is not None:
        claims = {ref: view for ref, view in claims.items() if view.provider_id in scope}
    refusals = list(refusals)
    checked: list[tuple[NamedFile, CsvUpload, ProviderResponse]] = []
    for file, upload in read:
        try:
            checked.append((file, upload, check_response(upload, claims)))
        except CsvRejected as refused:
            refusals.append(_in_file(refused, file, len(files)))
    errors: list[Refused] = []
    answered_in: dict[str, str] = {}
    answers: list[ClaimAssurance] = []
    for file, upload, response in checked:
        name = file.name or "upload.csv"
        for claim in response.claims:
            if claim.reference in answered_in:
                row = next(r.number for r in upload.rows
                           if normalise_reference(r["claim_reference"]) == claim.reference)
                earlier = quoted(answered_in[claim.reference])
                errors.append(Refused(f"Claim ‘{claim.reference}’ is also in {earlier}: answer each claim in one "
                                      "file only", field="claim_reference", row=row, file=name))
            else:
                answered_in[claim.reference] = name
                answers.append(claim)
    if len(refusals) == 1 and not errors:
        raise refusals[0]  # one file's refusal as it is (its count of errors past the first 100 kept)
    if refusals or errors:
        raise CsvRejected(_by_file_order([e for r in refusals for e in r.errors] + errors, files))
    parts = [part for file, upload, response in checked for part in _split(file, upload, response, codes or {})]
    return ResponseUpload(response=ProviderResponse(tuple(sorted(answers, key=lambda c: c.reference))),
                          files=tuple(parts), row_count=sum(len(u.rows) for _, u, _ in checked),
                          file_names=tuple(f.name or "upload.csv" for f, _, _ in checked))


def _split(file: NamedFile, upload: CsvUpload, response: ProviderResponse,
           codes: Mapping[str, str]) -> list[ProviderFile]:
    provider_of = {c.reference: c.provider_id for c in response.claims}
    row_provider = {row.number: provider_of.get(normalise_reference(row["claim_reference"])) for row in upload.rows}
    counts: dict[str, int] = {}
    for provider in row_provider.values():
        if provider is not None:
            counts[provider] = counts.get(provider, 0) + 1
    parts = split_upload(file.data or b"", row_provider.get)
    name = file.name or "provider-response.csv"
    stem = name[:-4] if name.lower().endswith(".csv") else name
    return [ProviderFile(provider_id=provider, source_file_name=name, row_count=counts[provider], content=content,
                         file_name=name if len(parts) == 1 else f"{stem}-{_code(codes.get(provider) or provider)}.csv")
            for provider, content in parts.items()]


def _code(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum() or ch in "-_") or "provider"


def _in_file(refused: CsvRejected, file: NamedFile, file_count: int) -> CsvRejected:
    """The refusal, its errors naming the file when several were uploaded together."""
    if file_count <= 1:
        return refused
    name = file.name or "upload.csv"
    return CsvRejected(Refused(e.message, field=e.field, row=e.row, file=name) for e in refused.errors)


def _by_file_order(errors: list[Refused], files: Sequence[NamedFile]) -> list[Refused]:
    """Errors grouped by file in upload order (a cross-file error joins its file's errors)."""
    order = {f.name or "upload.csv": i for i, f in enumerate(files)}
    return sorted(errors, key=lambda e: order.get(e.file or "", 0))  # stable: each file's own order kept
