"""Sign-in attempts limited per client as well as per address, and the gateway's metrics for
operators only, through the running gateway."""
from __future__ import annotations

from tests.support.system import PASSWORD, TOKEN, csrf_from, running_system


async def test_one_client_trying_one_password_on_many_addresses_is_slowed_down(infra):
    async with running_system(infra) as system:
        answers = []
        for n in range(30):
            r = await system.client.post("/api/v1/auth/token",
                                         json={"email": f"person{n}@example.com", "password": "Summer2026!"})
            answers.append(r.status_code)
        assert answers == [401] * 20 + [429] * 10
        assert int(r.headers["retry-after"]) > 0
        assert r.json() == {"errors": [{"message": "There have been too many failed attempts to sign in from your "
                                                   "network. Wait 5 minutes, then try again."}]}
        # a correct password from the same client waits too, on the API and on the page
        r = await system.client.post("/api/v1/auth/token", json={"email": "support@example.com", "password": PASSWORD})
        assert r.status_code == 429
        browser = await system.browser()
        page = await browser.get("/sign-in")
        r = await browser.post("/sign-in", data={"email": "someone@example.com", "password": "x",
                                                 "csrf_token": csrf_from(page.text)})
        assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
        assert "too many failed attempts to sign in from your network" in r.text
        await browser.aclose()


async def test_people_signing_in_successfully_from_one_office_are_not_slowed_down(infra):
    async with running_system(infra, GATEWAY_SIGN_IN_CLIENT_RATE_LIMIT=3) as system:
        for _ in range(10):
            for email in ("support@example.com", "support2@example.com", "finance@example.com"):
                r = await system.client.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD})
                assert r.status_code == 200, r.text


async def test_the_gateway_metrics_are_served_only_with_the_internal_token(infra):
    async with running_system(infra) as system:
        assert (await system.client.get("/metrics")).status_code == 404
        support = await system.as_user("support@example.com")
        assert (await system.client.get("/metrics", headers=support)).status_code == 404
        assert (await system.client.get("/metrics", headers={"X-Internal-Token": "guess"})).status_code == 404
        for headers in ({"X-Internal-Token": TOKEN}, {"Authorization": f"Bearer {TOKEN}"}):
            r = await system.client.get("/metrics", headers=headers)
            assert r.status_code == 200 and "claimflow_http_request" in r.text
