"""DfE Sign-in against a real OpenID provider running locally (the ``oidc-provider`` npm package):
sign-in works; a tampered state, a replayed code, a wrong audience and an unknown email are refused
(docs/design.md §14)."""
from __future__ import annotations

import contextlib
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from services.gateway.config import GatewaySettings
from services.gateway.oidc import SignInRefused, build_client
from tests.support.system import SECRET, running_system
from tests.support.oidc_provider import running_provider, sign_in_at_provider

PUBLIC = "http://claimflow.test"
CALLBACK = f"{PUBLIC}/sign-in/dfe/callback"
CLIENTS = [
    {"client_id": "claimflow", "client_secret": "claimflow-client-secret-0123456789", "redirect_uris": [CALLBACK],
     "grant_types": ["authorization_code"], "response_types": ["code"]},
    {"client_id": "another-service", "client_secret": "another-client-secret-0123456789",
     "redirect_uris": [CALLBACK], "grant_types": ["authorization_code"], "response_types": ["code"]},
]


@pytest.fixture(scope="module")
def issuer():
    with running_provider(CLIENTS) as url:
        yield url


def _settings(issuer: str, client: dict) -> dict:
    return {"OIDC_ISSUER": issuer, "OIDC_CLIENT_ID": client["client_id"],
            "OIDC_CLIENT_SECRET": client["client_secret"], "PUBLIC_BASE_URL": PUBLIC}


async def _start(browser: httpx.AsyncClient, next_path: str = "/claims") -> str:
    r = await browser.get("/sign-in/dfe", params={"next": next_path})
    assert r.status_code == 303, r.text
    return r.headers["location"]


async def _signed_in_at_provider(browser: httpx.AsyncClient, provider: httpx.AsyncClient, email: str) -> str:
    """Start a DfE Sign-in in ``browser`` and sign in at the provider as ``email``: the callback
    address the provider sends the browser back to."""
    return await sign_in_at_provider(provider, await _start(browser), email=email, redirect_prefix=CALLBACK)


@contextlib.asynccontextmanager
async def _system_with_dfe_sign_in(infra, issuer: str):
    """The running system signing in with the first client, a client of the provider's own and a
    browser (a client of the gateway keeping its cookies): (system, provider, browser)."""
    async with running_system(infra, **_settings(issuer, CLIENTS[0])) as system, \
            httpx.AsyncClient(timeout=30) as provider:
        browser = await system.browser()
        try:
            yield system, provider, browser
        finally:
            await browser.aclose()


async def _come_back(browser: httpx.AsyncClient, redirect: str, **change: str) -> httpx.Response:
    query = {k: v[0] for k, v in parse_qs(urlsplit(redirect).query).items()}
    return await browser.get("/sign-in/dfe/callback?" + urlencode({**query, **change}))


async def test_a_user_signs_in_with_dfe_sign_in_and_a_replayed_code_is_refused(infra, issuer):
    async with _system_with_dfe_sign_in(infra, issuer) as (system, provider, browser):
        page = await browser.get("/sign-in")
        assert "Sign in with DfE Sign-in" in page.text
        authorization = await _start(browser)
        query = parse_qs(urlsplit(authorization).query)
        assert query["code_challenge_method"] == ["S256"] and query["nonce"][0] and query["state"][0]
        redirect = await sign_in_at_provider(provider, authorization, email="Support@Example.com",
                                             redirect_prefix=CALLBACK)
        r = await _come_back(browser, redirect)
        assert r.status_code == 303 and r.headers["location"] == "/claims"
        assert (await browser.get("/claims")).status_code == 200

        # the same code again, in a new sign-in of another browser with a valid state of its own
        other = await system.browser()
        fresh_state = parse_qs(urlsplit(await _start(other)).query)["state"][0]
        r = await _come_back(other, redirect, state=fresh_state)
        assert r.status_code == 403 and "Sorry, we could not sign you in" in r.text
        assert (await other.get("/claims")).status_code == 303  # not signed in
        await other.aclose()


async def test_a_tampered_state_is_refused(infra, issuer):
    async with _system_with_dfe_sign_in(infra, issuer) as (system, provider, browser):
        redirect = await _signed_in_at_provider(browser, provider, "support@example.com")
        state = parse_qs(urlsplit(redirect).query)["state"][0]
        r = await _come_back(browser, redirect, state=state[:-1] + ("A" if state[-1] != "A" else "B"))
        assert r.status_code == 403 and "Sorry, we could not sign you in" in r.text
        assert (await browser.get("/claims")).status_code == 303
        # nor does a callback reach a browser that never started a sign-in
        stranger = await system.browser()
        assert (await _come_back(stranger, redirect)).status_code == 403
        await stranger.aclose()


async def test_an_unknown_or_deactivated_email_is_refused_with_a_clear_page(infra, issuer):
    async with _system_with_dfe_sign_in(infra, issuer) as (system, provider, browser):
        redirect = await _signed_in_at_provider(browser, provider, "nobody@example.com")
        r = await _come_back(browser, redirect)
        assert r.status_code == 403
        assert "You do not have an account for this service" in r.text and "nobody@example.com" in r.text
        assert (await browser.get("/claims")).status_code == 303

        support = await system.as_user("support@example.com")
        user_id = (await system.client.get("/api/v1/users", headers=support,
                                           params={"q": "support2@"})).json()["items"][0]["id"]
        assert (await system.client.post(f"/api/v1/users/{user_id}/deactivate", headers=support)).status_code == 200
        async with httpx.AsyncClient(timeout=30) as provider2:
            redirect = await _signed_in_at_provider(browser, provider2, "support2@example.com")
        r = await _come_back(browser, redirect)
        assert r.status_code == 403 and "You do not have an account for this service" in r.text


async def test_an_id_token_issued_to_another_client_is_refused(issuer):
    """A real ID token from the same issuer, for another client: our audience check refuses it."""
    other = build_client(GatewaySettings(**_settings(issuer, CLIENTS[1]), SECRET_KEY=SECRET))
    ours = build_client(GatewaySettings(**_settings(issuer, CLIENTS[0]), SECRET_KEY=SECRET))
    url, cookie = await other.start("/")
    query = parse_qs(urlsplit(url).query)
    async with httpx.AsyncClient(timeout=30) as provider:
        redirect = await sign_in_at_provider(provider, url, email="support@example.com", redirect_prefix=CALLBACK)
    flow = other.flow(cookie, query["state"][0])
    code = parse_qs(urlsplit(redirect).query)["code"][0]
    from authlib.integrations.httpx_client import AsyncOAuth2Client

    async with AsyncOAuth2Client(client_id=CLIENTS[1]["client_id"], client_secret=CLIENTS[1]["client_secret"],
                                 redirect_uri=CALLBACK) as client:
        token = await client.fetch_token((await other.metadata())["token_endpoint"], code=code,
                                         code_verifier=flow.verifier)
    assert (await other.verify_id_token(token["id_token"], nonce=flow.nonce))["aud"] == "another-service"
    with pytest.raises(SignInRefused) as refused:
        await ours.verify_id_token(token["id_token"], nonce=flow.nonce)
    assert refused.value.reason == "token"
    with pytest.raises(SignInRefused):  # and a wrong nonce is refused too
        await other.verify_id_token(token["id_token"], nonce="not-the-nonce")
