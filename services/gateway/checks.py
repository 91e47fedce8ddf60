"""Checks the JSON API and the pages share before asking a service: references and ids the gateway
can refuse at once (as "not found", so nothing leaks), the support users a claim may be assigned to
(users live in the gateway), and the sign-in rate limit's message."""
from __future__ import annotations

from .clients import GatewayError
from .context import Gateway


def check_reference(reference: str) -> None:
    if not (len(reference) == 8 and reference.isdigit()):
        raise GatewayError.one(404, f"There is no claim with the reference {reference[:20]}", field="reference")


def check_id(value: str, what: str = "upload") -> str:
    """Ids are opaque to the gateway, but never more than a short run of safe characters."""
    if not value or len(value) > 100 or not all(c.isalnum() or c in "-_" for c in value):
        raise GatewayError.one(404, f"There is no such {what}", field=f"{what}_id")
    return value


async def support_user_email(gw: Gateway, email: str | None) -> str | None:
    """A claim is assigned only to a known support user (the gateway is where users live)."""
    if not email or not email.strip():
        return None
    email = email.strip().lower()
    if email not in await gw.users.emails(role="support"):
        raise GatewayError.one(422, "Select a support user to assign the claim to", field="user_email")
    return email


def too_many_sign_ins(retry_after: int) -> GatewayError:
    minutes = max(1, (retry_after + 59) // 60)
    return GatewayError.one(429, f"You have tried to sign in too many times. Wait {minutes} "
                                 f"minute{'s' if minutes != 1 else ''}, then try again.",
                            headers={"Retry-After": str(retry_after)})
