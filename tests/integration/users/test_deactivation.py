"""A deactivated user's open browser session and API token are refused on their next request, in
this gateway process and in any other one sharing the database (docs/design.md §14)."""
from __future__ import annotations

import httpx

from services.gateway.app import create_app as create_gateway
from services.gateway.config import GatewaySettings
from tests.support.system import PASSWORD, SECRET, TOKEN, running_system, serve


async def _id_of(system, headers, email: str) -> int:
    r = await system.client.get("/api/v1/users", headers=headers, params={"q": email})
    return r.json()["items"][0]["id"]


async def test_a_deactivated_users_session_and_token_are_refused_on_the_next_request(infra):
    # the user cache is on (5 s): deactivation must not wait for it
    async with running_system(infra, GATEWAY_USER_CACHE_S=5) as system:
        support = await system.as_user("support@example.com")
        token = await system.as_user("support2@example.com")
        browser = await system.browser("support2@example.com")
        other_settings = GatewaySettings(**{
            "GATEWAY_DATABASE_URL": system.gateway_db, "SECRET_KEY": SECRET, "internal_api_token": TOKEN,
            "CLAIMS_URL": system.claims_url, "GATEWAY_COOKIE_SECURE": False, "log_json": False,
            "run_messaging": False, "GATEWAY_USER_CACHE_S": 5})
        async with serve(create_gateway(other_settings)) as other_url, \
                httpx.AsyncClient(base_url=other_url, timeout=30) as other:
            for _ in range(2):  # both processes now hold the user in their caches
                assert (await system.client.get("/api/v1/me", headers=token)).status_code == 200
                assert (await other.get("/api/v1/me", headers=token)).status_code == 200
            assert (await browser.get("/claims")).status_code == 200

            user_id = await _id_of(system, support, "support2@example.com")
            r = await system.client.post(f"/api/v1/users/{user_id}/deactivate", headers=support)
            assert r.status_code == 200 and r.json()["active"] is False

            assert (await system.client.get("/api/v1/me", headers=token)).status_code == 401
            page = await browser.get("/claims")
            assert page.status_code == 303 and page.headers["location"].startswith("/sign-in")
            assert (await other.get("/api/v1/me", headers=token)).status_code == 401  # the other process too
        r = await system.client.post("/api/v1/auth/token", json={"email": "support2@example.com",
                                                                 "password": PASSWORD})
        assert r.status_code == 401
        r = await system.client.get("/api/v1/users", headers=support, params={"active": "false"})
        assert [u["email"] for u in r.json()["items"]] == ["support2@example.com"]
        await browser.aclose()


async def test_support_cannot_deactivate_themselves_and_an_unknown_user_is_not_found(infra):
    async with running_system(infra) as system:
        support = await system.as_user("support@example.com")
        own_id = await _id_of(system, support, "support@example.com")
        r = await system.client.post(f"/api/v1/users/{own_id}/deactivate", headers=support)
        assert r.status_code == 422
        assert r.json()["errors"] == [{"message": "You cannot deactivate your own account"}]
        assert (await system.client.post("/api/v1/users/999999/deactivate", headers=support)).status_code == 404
