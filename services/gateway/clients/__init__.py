"""The gateway's clients of the services' internal APIs: one per service, a method per call, the
answers parsed into the models of ``shared.contracts.http`` (which the services' routes declare)."""
from __future__ import annotations

import httpx

from .base import Downstream, GatewayError, ServiceClient, ServiceUnavailable, as_sent, errors_from
from .claims import ClaimsClient
from .ecf import EcfClient
from .notify import NotifyClient
from .payments import PaymentsClient
from .sampling import SamplingClient
from .uploads import UploadClient


class Services:
    """The internal APIs the gateway calls (ECF shares the payments process and its connection)."""

    def __init__(self, *, claims: ServiceClient, sampling: ServiceClient, payments: ServiceClient,
                 notify: ServiceClient) -> None:
        self.connections = (claims, sampling, payments, notify)
        self.claims = ClaimsClient(claims)
        self.sampling = SamplingClient(sampling)
        self.payments = PaymentsClient(payments)
        self.ecf = EcfClient(payments)
        self.notify = NotifyClient(notify)

    @classmethod
    def from_settings(cls, settings, transports: dict[str, httpx.AsyncBaseTransport] | None = None) -> "Services":
        transports = transports or {}

        def client(name: str, url: str) -> ServiceClient:
            return ServiceClient(name, url, token=settings.internal_api_token,
                                 timeout_s=settings.downstream_timeout_s, transport=transports.get(name))

        return cls(claims=client("claims", settings.claims_url), sampling=client("sampling", settings.sampling_url),
                   payments=client("payments", settings.payments_url), notify=client("notify", settings.notify_url))

    async def aclose(self) -> None:
        for c in self.connections:
            await c.aclose()


__all__ = ["as_sent", "ClaimsClient", "Downstream", "EcfClient", "GatewayError", "NotifyClient", "PaymentsClient",
           "SamplingClient", "ServiceClient", "ServiceUnavailable", "Services", "UploadClient", "errors_from"]
