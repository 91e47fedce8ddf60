"""What the sampling use cases share: the service's name on links and activity, the upload view,
the answer to a second confirm or cancel, and the provider's file and links."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from shared.contracts import NotFound, Refused
from shared.csvfiles import CsvRejected
from shared.platform.links import LINK_LIFETIME, hash_token, new_token

from ..domain import provider_csv, wording
from ..unit_of_work import SamplingUnitOfWork

SERVICE = "sampling"
LINK_KIND = "provider_sampling"
#: An activity entry lists its claims only up to this many (the claim pages find it by them);
#: beyond it one message would grow past a megabyte, so a huge upload is logged without them.
MAX_ACTIVITY_REFERENCES = 10_000


def upload_view(upload: dict[str, Any]) -> dict[str, Any]:
    view = {"upload_id": upload["id"], "kind": upload["kind"], "status": upload["status"],
            "file_name": upload["file_name"], "claim_count": upload["claim_count"],
            "provider_count": len(upload["provider_ids"]), "created_by": upload["created_by"],
            "created_at": upload["created_at"].isoformat(),
            "decided_at": upload["decided_at"].isoformat() if upload["decided_at"] else None}
    if upload["kind"] == "sample":
        view["warning"] = wording.REVIEW_WARNING
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


async def provider_file(uow: SamplingUnitOfWork, sampling: dict[str, Any]) -> bytes:
    """The CSV of a provider sampling: built from its claims the first time it is asked for, then
    kept, so every link of the sampling serves the same file."""
    if sampling["file_content"] is None:
        sampling["file_content"] = provider_csv(await uow.projection.provider_file_claims(sampling["id"]))
        await uow.samplings.keep_file(sampling["id"], sampling["file_content"])
    return sampling["file_content"]


def file_name_for(provider: dict[str, Any], day: date) -> str:
    code = "".join(ch for ch in (provider.get("code") or "provider") if ch.isalnum() or ch in "-_") or "provider"
    return f"sampling-{code.lower()}-{day.isoformat()}.csv"


def new_link(*, sampling_id: str, email: str, file_name: str, now: datetime) -> tuple[str, dict[str, Any]]:
    # The content stays with the provider sampling (one copy, built at the first download).
    token = new_token(SERVICE)
    return token, {"token_hash": hash_token(token), "kind": LINK_KIND, "subject_id": sampling_id,
                   "recipient": email, "file_name": file_name, "content": None, "created_at": now,
                   "expires_at": now + LINK_LIFETIME}
