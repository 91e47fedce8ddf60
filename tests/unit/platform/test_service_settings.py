"""``ServiceSettings.for_service``: the name, database and port every service's settings share."""
from __future__ import annotations

from services.claims.config import ClaimsSettings
from services.notify.config import NotifySettings
from shared.platform.settings import ServiceSettings


def test_a_services_settings_default_to_its_own_database_and_port(monkeypatch):
    for name in ("CLAIMS_DATABASE_URL", "CLAIMS_PORT"):
        monkeypatch.delenv(name, raising=False)

    settings = ClaimsSettings()

    assert settings.service_name == "claims"
    assert settings.database_url == "postgresql+asyncpg://postgres@127.0.0.1:5432/claimflow_claims"
    assert settings.http_port == 8101


def test_a_services_settings_read_its_database_and_port_from_its_own_variables(monkeypatch):
    monkeypatch.setenv("NOTIFY_DATABASE_URL", "postgresql+asyncpg://elsewhere/notify")
    monkeypatch.setenv("NOTIFY_PORT", "9104")
    monkeypatch.setenv("CLAIMS_PORT", "1")

    settings = NotifySettings()

    assert (settings.database_url, settings.http_port) == ("postgresql+asyncpg://elsewhere/notify", 9104)
    assert NotifySettings(NOTIFY_PORT=7, database_url="x").http_port == 7


def test_the_same_service_gets_the_same_base_class_each_time():
    assert ServiceSettings.for_service("claims", port=8101) is ClaimsSettings.__bases__[0]
