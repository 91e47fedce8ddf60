"""ECF lead providers (docs/design.md §7, §15): set up by finance, known by their API token (only its
SHA-256 is stored), with an optional address for the reminders before each output deadline."""
from __future__ import annotations

import secrets
from typing import Any

from shared.contracts import NotFound, Refused
from shared.contracts.identifiers import EMAIL_MESSAGE, email_error
from shared.platform.links import hash_token

from .unit_of_work import EcfUnitOfWork

EMAIL_FORMAT = EMAIL_MESSAGE


def lead_provider_email(value: str | None) -> str | None:
    """The lead provider's email address as stored (None when blank); refused when not an address."""
    email = (value or "").strip()
    if not email:
        return None
    if error := email_error(email):
        raise Refused(error, field="email")
    return email


async def add_lead_provider(uow: EcfUnitOfWork, *, new_id: str, name: str, api_token: str,
                            email: str | None = None) -> dict[str, Any]:
    """A lead provider and its API token; only the token's SHA-256 is stored. ``email`` (optional)
    receives the reminders before each output statement's deadline."""
    name = " ".join(name.split())
    if not name:
        raise Refused("Enter the lead provider’s name", field="name")
    email = lead_provider_email(email)
    existing = await uow.ecf.lead_provider_by_name(name)
    if existing is not None:
        raise Refused(f"There is already a lead provider called {existing['name']}", field="name")
    await uow.ecf.add_lead_provider(id=new_id, name=name, api_token_hash=hash_token(api_token), email=email)
    await uow.commit()
    return {"id": new_id, "name": name, "email": email, "api_token": api_token}


async def set_lead_provider_email(uow: EcfUnitOfWork, *, lead_provider_id: str, email: str | None) -> dict[str, Any]:
    """Record (or, blank, remove) the address the lead provider's deadline reminders go to."""
    email = lead_provider_email(email)
    lp = await uow.ecf.lead_provider(lead_provider_id)
    if lp is None:
        raise NotFound(f"There is no lead provider with the id {lead_provider_id}", field="lead_provider_id")
    await uow.ecf.set_lead_provider_email(lp["id"], email)
    await uow.commit()
    return {"id": lp["id"], "name": lp["name"], "email": email}


async def lead_provider_for_token(uow: EcfUnitOfWork, api_token: str) -> dict[str, Any] | None:
    token = api_token.strip()
    if token.lower().startswith("bearer "):
        token = token[7:].strip()
    if not token:
        return None
    return await uow.ecf.lead_provider_by_token_hash(hash_token(token))


def new_api_token() -> str:
    """256 random bits; the prefix says what the token is for when it turns up in a log or a leak scan."""
    return f"ecf-lp-{secrets.token_urlsafe(32)}"
