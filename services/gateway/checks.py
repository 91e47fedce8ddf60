"""Checks the JSON API and the pages share before asking a service: references and ids the gateway
can refuse at once (as "not found", so nothing leaks), the support users a claim may be assigned to
(users live in the gateway), and the sign-in rate limit's message."""
from __future__ import annotations

from fastapi import Request

from shared.contracts import roles
from shared.contracts.identifiers import REFERENCE_DIGITS_MESSAGE, is_id, is_other_digits, is_reference

from .clients import GatewayError
from .context import Gateway, client_ip


def check_reference(reference: str) -> None:
    if not is_reference(reference):
        # A number in other digits (full-width, Arabic-Indic) is told which digits to use.
        message = (REFERENCE_DIGITS_MESSAGE if is_other_digits(reference)
                   else f"There is no claim with the reference {reference[:20]}")
        raise GatewayError.one(404, message, field="reference")


def check_id(value: str, what: str = "upload") -> str:
    """Ids are opaque to the gateway, but never more than a short run of safe characters."""
    if not is_id(value):
        raise GatewayError.one(404, f"There is no such {what}", field=f"{what}_id")
    return value


async def support_user_email(gw: Gateway, email: str | None) -> str | None:
    """A claim is assigned only to a known support user (the gateway is where users live)."""
    if not email or not email.strip():
        return None
    email = email.strip().lower()
    if email not in await gw.users.emails(role=roles.SUPPORT):
        raise GatewayError.one(422, "Select a support user to assign the claim to", field="user_email")
    return email


def too_many_sign_ins(retry_after: int, *, from_client: bool = False) -> GatewayError:
    minutes = max(1, (retry_after + 59) // 60)
    wait = f"Wait {minutes} minute{'s' if minutes != 1 else ''}, then try again."
    message = (f"There have been too many failed attempts to sign in from your network. {wait}" if from_client
               else f"You have tried to sign in too many times. {wait}")
    return GatewayError.one(429, message, headers={"Retry-After": str(retry_after)})


def start_sign_in(gw: Gateway, request: Request, email: str) -> str:
    """Count a sign-in attempt, or refuse it (429): per IP address and email address, and per IP
    address for failed attempts whatever the email. Returns the per-address key to reset on success."""
    ip = client_ip(request)
    clients = gw.sign_in_client_limiter
    if clients is not None and not clients.allows(ip):
        raise too_many_sign_ins(clients.retry_after(ip), from_client=True)
    key = f"{ip}|{email.strip().lower()}"
    if not gw.sign_in_limiter.hit(key):
        raise too_many_sign_ins(gw.sign_in_limiter.retry_after(key))
    return key


def sign_in_failed(gw: Gateway, request: Request) -> None:
    if gw.sign_in_client_limiter is not None:
        gw.sign_in_client_limiter.hit(client_ip(request))
