"""An error nothing expected is a GOV.UK page (or the API's error shape), logged with its traceback,
with the security headers; an exhausted database pool is "busy, try again" (503), not a crash."""
from __future__ import annotations

import logging

import httpx
import pytest
from sqlalchemy.exc import TimeoutError as SqlAlchemyTimeout

from services.gateway.app import create_app
from services.gateway.config import DEV_SECRET_KEY, GatewaySettings


@pytest.fixture
def client():
    app = create_app(GatewaySettings(secret_key=DEV_SECRET_KEY, database_url="postgresql+asyncpg://nobody@127.0.0.1:1/none"))

    async def broken() -> None:
        raise RuntimeError("a bug nobody expected")

    async def busy() -> None:
        raise SqlAlchemyTimeout("QueuePool limit of size 10 overflow 10 reached")

    for path, endpoint in (("/broken", broken), ("/api/v1/broken", broken), ("/busy", busy), ("/api/v1/busy", busy)):
        app.add_api_route(path, endpoint)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
                             base_url="http://gateway.test")


async def test_an_unexpected_error_on_a_page_is_the_services_problem_page_with_its_headers(client, caplog):
    with caplog.at_level(logging.ERROR, logger="services.gateway.app"):
        response = await client.get("/broken")
    assert response.status_code == 500
    assert "<h1 class=\"govuk-heading-l\">Sorry, there is a problem with the service</h1>" in response.text
    assert "Try again later." in response.text and "Internal Server Error" not in response.text
    assert "<title>Sorry, there is a problem with the service – " in response.text
    assert response.headers["x-frame-options"] == "DENY" and "nonce-" in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-store"
    assert "GET /broken failed" in caplog.text and "a bug nobody expected" in caplog.text


async def test_an_unexpected_error_in_the_api_is_the_api_error_shape(client):
    response = await client.get("/api/v1/broken")
    assert response.status_code == 500
    assert response.json() == {"errors": [{"message": "Sorry, there is a problem with the service. Try again later."}]}


async def test_a_database_pool_with_no_free_connection_is_busy_try_again(client):
    page = await client.get("/busy")
    assert page.status_code == 503 and page.headers["retry-after"] == "10"
    assert "Sorry, the service is unavailable" in page.text and "Try again in a few minutes." in page.text
    api = await client.get("/api/v1/busy")
    assert api.status_code == 503
    assert api.json() == {"errors": [{"message": "Sorry, the service is busy. Try again in a few minutes."}]}
