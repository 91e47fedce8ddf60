"""What an upload's use cases answer: the upload as support sees it, the same answer again for a
second confirm or cancel, and the refusal for claims that moved since the upload."""
from __future__ import annotations

from typing import Any

from shared.contracts import NotFound, Refused
from shared.csvfiles import CsvRejected

from ..domain import wording
from ..ports import SamplingUnitOfWork


def upload_view(upload: dict[str, Any]) -> dict[str, Any]:
    view = {"upload_id": upload["id"], "kind": upload["kind"], "status": upload["status"],
            "file_name": upload["file_name"], "claim_count": upload["claim_count"],
            "provider_count": len(upload["provider_ids"]), "created_by": upload["created_by"],
            "created_at": upload["created_at"].isoformat(),
            "decided_at": upload["decided_at"].isoformat() if upload["decided_at"] else None}
    if upload["kind"] == "sample":
        view["warning"] = wording.REVIEW_WARNING
        if upload.get("generation"):
            view["generation"] = upload["generation"]
    return view


async def decided_already(uow: SamplingUnitOfWork, upload_id: str, kind: str, wanted: str) -> dict[str, Any]:
    """A confirm or cancel of an upload that is no longer pending: the same answer again when it
    went the way asked (a double click), otherwise a refusal that says what happened."""
    upload = await uow.uploads.get(upload_id, kind=kind)
    if upload is None:
        raise NotFound("There is no such upload", field="upload_id")
    if upload["status"] == wanted:
        return upload_view(upload)
    done = "confirmed" if upload["status"] == "confirmed" else "cancelled"
    raise Refused(f"This upload has already been {done}", field="upload_id")


def moved_since_upload(found: set[str], rows: list[tuple[str, int | None]], expected: str) -> CsvRejected:
    errors = [Refused(f"Claim {reference} is no longer ‘{wording.label(expected)}’: upload the file again",
                      field="claim_reference", row=row)
              for reference, row in rows if reference not in found]
    return CsvRejected(errors)
