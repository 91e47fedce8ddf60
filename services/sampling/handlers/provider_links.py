"""The provider's sampling file and the one-time links that fetch it."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from shared.platform.links import LINK_LIFETIME, hash_token, new_token

from ..domain import provider_csv
from ..ports import SamplingUnitOfWork
from .activity import SERVICE

LINK_KIND = "provider_sampling"


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
