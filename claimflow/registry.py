"""The services ClaimFlow runs: where each one's composition root, settings and schema live."""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    port: int
    #: ``module:function`` building the FastAPI app from settings
    factory: str
    #: ``module:Class`` of the service's settings
    settings: str

    @property
    def database_env(self) -> str:
        return f"{self.name.upper()}_DATABASE_URL"

    @property
    def port_env(self) -> str:
        return f"{self.name.upper()}_PORT"

    @property
    def url_env(self) -> str:
        return f"{self.name.upper()}_URL"

    @property
    def directory(self) -> Path:
        return ROOT / "services" / self.name

    @property
    def database(self) -> str:
        return f"claimflow_{self.name}"

    def load(self, dotted: str):
        module, _, attr = dotted.partition(":")
        return getattr(importlib.import_module(module), attr)

    def build_app(self):
        settings = self.load(self.settings)()
        return self.load(self.factory)(settings), settings

    @property
    def available(self) -> bool:
        return (self.directory / "app.py").exists()


SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec("claims", 8101, "services.claims.app:create_app", "services.claims.config:ClaimsSettings"),
    ServiceSpec("sampling", 8102, "services.sampling.app:create_app", "services.sampling.config:SamplingSettings"),
    ServiceSpec("payments", 8103, "services.payments.app:create_app", "services.payments.config:PaymentsSettings"),
    ServiceSpec("notify", 8104, "services.notify.app:create_app", "services.notify.config:NotifySettings"),
    ServiceSpec("gateway", 8000, "services.gateway.app:create_app", "services.gateway.config:GatewaySettings"),
)
BY_NAME = {s.name: s for s in SERVICES}


def available_services() -> list[ServiceSpec]:
    return [s for s in SERVICES if s.available]
