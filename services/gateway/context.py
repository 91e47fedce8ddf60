"""What every gateway route needs, built once in the composition root (``app.state.gateway``)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Request

from .clients import Services
from .config import GatewaySettings
from .security import RateLimiter, TokenSigner
from .users import UserStore


@dataclass
class Gateway:
    settings: GatewaySettings
    users: UserStore
    services: Services
    tokens: TokenSigner
    sign_in_limiter: RateLimiter
    link_limiter: RateLimiter
    #: Failed sign-ins per IP address (``sign_in_limiter`` counts attempts per IP address and email).
    sign_in_client_limiter: RateLimiter | None = None
    #: Support's administration of users and invitations (``accounts.store.Accounts``).
    accounts: Any = None
    #: DfE Sign-in (``web.oidc.OidcClient``), None when not configured.
    oidc: Any = None


async def gateway(request: Request) -> Gateway:
    """Dependency: the gateway's parts. Async on purpose: FastAPI runs a plain ``def`` dependency
    in its thread pool, a thread hop on every request."""
    return request.app.state.gateway


def gateway_of(request: Request) -> Gateway:
    """The same, for code that is not a dependency."""
    return request.app.state.gateway


def client_ip(request: Request) -> str:
    # Behind a proxy, run uvicorn with --proxy-headers/--forwarded-allow-ips so this is the real client.
    return request.client.host if request.client else "unknown"
