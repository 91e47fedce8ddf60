"""Signing in and out, CSRF, rate limits, security headers and the support pages' content."""
from __future__ import annotations

import re

from tests.support.system import PASSWORD, csrf_from, running_system

INNER_LONDON_TWO_MENTORS = [("1234567", "Ada Lovelace", 10), ("7654321", "Grace Hopper", 10)]


async def test_a_wrong_password_is_401_with_the_design_system_message(infra):
    async with running_system(infra) as system:
        r = await system.client.post("/api/v1/auth/token", json={"email": "support@example.com", "password": "nope"})
        assert r.status_code == 401
        assert r.json() == {"errors": [{"message": "Enter a correct email address and password"}]}
        r = await system.client.post("/api/v1/auth/token", json={"email": "nobody@example.com", "password": PASSWORD})
        assert r.status_code == 401
        r = await system.client.post("/api/v1/auth/token",
                                     json={"email": " SUPPORT@example.com ", "password": PASSWORD})
        assert r.status_code == 200 and r.json()["expires_in"] == 8 * 3600


async def test_sign_in_attempts_are_limited_per_address_and_email(infra):
    async with running_system(infra, GATEWAY_SIGN_IN_RATE_LIMIT=3) as system:
        for _ in range(3):
            r = await system.client.post("/api/v1/auth/token", json={"email": "support@example.com", "password": "x"})
            assert r.status_code == 401
        r = await system.client.post("/api/v1/auth/token", json={"email": "support@example.com", "password": PASSWORD})
        assert r.status_code == 429
        assert int(r.headers["retry-after"]) > 0
        assert r.json()["errors"][0]["message"].startswith("You have tried to sign in too many times")
        # the page shares the limit
        browser = await system.browser()
        page = await browser.get("/sign-in")
        r = await browser.post("/sign-in", data={"email": "support@example.com", "password": PASSWORD,
                                                 "csrf_token": csrf_from(page.text)})
        assert r.status_code == 429 and "You have tried to sign in too many times" in r.text
        await browser.aclose()
        # another person from the same address is not locked out
        r = await system.client.post("/api/v1/auth/token", json={"email": "support2@example.com", "password": PASSWORD})
        assert r.status_code == 200


async def test_public_links_are_rate_limited_and_gone_links_say_so(infra):
    async with running_system(infra, GATEWAY_LINK_RATE_LIMIT=3) as system:
        r = await system.client.get("/links/sampling-good")
        assert r.status_code == 200 and r.text == "claim_reference\n12345678\n"
        assert r.headers["content-disposition"] == 'attachment; filename="claims.csv"'
        r = await system.client.get("/links/sampling-good")
        assert r.status_code == 410 and "This link has already been used" in r.text
        assert "reply to the email" in r.text
        r = await system.client.get("/links/unknown")
        assert r.status_code == 410
        r = await system.client.get("/links/payments-good")
        assert r.status_code == 429 and "Too many requests" in r.text


async def test_signing_in_and_out_through_the_pages(infra):
    async with running_system(infra) as system:
        browser = await system.browser()
        r = await browser.get("/claims?status=paid")
        assert r.status_code == 303 and r.headers["location"] == "/sign-in?next=%2Fclaims%3Fstatus%3Dpaid"
        page = await browser.get(r.headers["location"])
        assert "<h1 class=\"govuk-heading-l\">Sign in to Claim funding for mentor training</h1>" in page.text
        r = await browser.post("/sign-in", data={"email": "support@example.com", "password": "wrong",
                                                 "csrf_token": csrf_from(page.text), "next": "/claims?status=paid"})
        assert r.status_code == 401
        assert "There is a problem" in r.text and 'href="#email"' in r.text
        assert "Enter a correct email address and password" in r.text
        assert r.text.count("<title>Error: Sign in") == 1
        r = await browser.post("/sign-in", data={"email": "support@example.com", "password": PASSWORD,
                                                 "csrf_token": csrf_from(page.text), "next": "/claims?status=paid"})
        assert r.status_code == 303 and r.headers["location"] == "/claims?status=paid"
        cookie = r.headers["set-cookie"]
        assert "claimflow_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
        old_session = browser.cookies.get("claimflow_session")

        claims = await browser.get("/claims")
        assert claims.status_code == 200 and "There are no claims." in claims.text
        r = await browser.post("/sign-out", data={"csrf_token": csrf_from(claims.text)})
        assert r.status_code == 303 and r.headers["location"] == "/sign-in?signed_out=true"
        r = await browser.get("/claims")
        assert r.status_code == 303
        # the old cookie no longer works anywhere: the session was deleted, not just forgotten
        async with system.client.stream("GET", "/claims", cookies={"claimflow_session": old_session}) as r:
            assert r.status_code == 303
        await browser.aclose()


async def test_an_open_redirect_through_sign_in_is_not_possible(infra):
    async with running_system(infra) as system:
        browser = await system.browser()
        page = await browser.get("/sign-in?next=//evil.example/x")
        r = await browser.post("/sign-in", data={"email": "support@example.com", "password": PASSWORD,
                                                 "csrf_token": csrf_from(page.text), "next": "//evil.example/x"})
        assert r.status_code == 303 and r.headers["location"] == "/"
        await browser.aclose()


async def test_a_form_without_the_right_csrf_token_is_refused(infra):
    async with running_system(infra) as system:
        org = await system.setup_organisations()
        ref = (await system.submit_hackney_claim(org, [("1234567", "Ada Lovelace", 5)]))["reference"]
        anonymous = await system.browser()
        r = await anonymous.post("/sign-in", data={"email": "support@example.com", "password": PASSWORD})
        assert r.status_code == 403 and "Sorry, there is a problem with this form" in r.text
        assert "claimflow_session" not in anonymous.cookies

        support = await system.browser("support@example.com")
        r = await support.post(f"/claims/{ref}/assign", data={"user_email": "support@example.com"})
        assert r.status_code == 403
        r = await support.post(f"/claims/{ref}/assign", data={"user_email": "support@example.com",
                                                              "csrf_token": "forged"})
        assert r.status_code == 403
        detail = await support.get(f"/claims/{ref}")
        assert "Not assigned" in detail.text
        r = await support.post(f"/claims/{ref}/assign", data={"user_email": "support@example.com",
                                                              "csrf_token": csrf_from(detail.text)})
        assert r.status_code == 303
        detail = await support.get(r.headers["location"])
        assert "Claim assigned to support@example.com" in detail.text
        r = await support.post("/sign-out", data={})
        assert r.status_code == 403
        await anonymous.aclose()
        await support.aclose()


async def test_every_response_carries_the_security_headers(infra):
    async with running_system(infra) as system:
        for path in ("/sign-in", "/api/v1/claims", "/healthz", "/assets/govuk-frontend.min.css"):
            r = await system.client.get(path)
            csp = r.headers["content-security-policy"]
            assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
            assert r.headers["x-frame-options"] == "DENY"
            assert r.headers["x-content-type-options"] == "nosniff"
            assert r.headers["referrer-policy"] == "same-origin"
        page = await system.client.get("/sign-in")
        nonce = re.search(r"'nonce-([^']+)'", page.headers["content-security-policy"]).group(1)
        assert f'<script nonce="{nonce}">' in page.text  # the template's one inline script


async def test_support_pages_show_the_claim_with_its_details(infra, isolated_env):
    async with running_system(infra, messaging=True) as system:
        org = await system.setup_organisations()
        ref = (await system.submit_hackney_claim(org, INNER_LONDON_TWO_MENTORS))["reference"]
        support = await system.browser("support@example.com")
        listing = await support.get("/claims", params={"q": ref})
        assert listing.status_code == 200
        assert f'href="/claims/{ref}"' in listing.text and "Hackney Primary" in listing.text
        assert "£1,072.00" in listing.text and "govuk-tag--blue" in listing.text
        assert "Download CSV" in listing.text and 'aria-sort="descending"' in listing.text
        assert f'<option value="{org["provider"]["id"]}">Best Practice Network</option>' in listing.text
        assert '<option value="support2@example.com">support2@example.com</option>' in listing.text
        filtered = await support.get("/claims", params={"provider_id": org["provider"]["id"], "status": "paid"})
        assert "There are no matching results" in filtered.text
        assert f'<option value="{org["provider"]["id"]}" selected>' in filtered.text
        csv_link = re.search(r'href="(/claims/download\.csv[^"]*)"', listing.text).group(1)
        download = await support.get(csv_link.replace("&amp;", "&"))
        assert download.status_code == 200 and ref in download.text

        none = await support.get("/claims", params={"q": "no such claim"})
        assert "There are no matching results" in none.text
        bad_date = await support.get("/claims", params={"submitted_from-day": "31", "submitted_from-month": "2",
                                                        "submitted_from-year": "2026"})
        assert "There is a problem" in bad_date.text and "Submitted from must be a real date" in bad_date.text

        detail = await support.get(f"/claims/{ref}")
        assert detail.status_code == 200
        for text in ("Claim " + ref, "Ada Lovelace", "7654321", "Inner London", "£53.60 an hour",
                     "Status changed to Submitted", "Assign this claim", "Submitted"):
            assert text in detail.text, text

        async def activity_logged():
            page = await support.get("/activity")
            assert f"Claim {ref} submitted" in page.text
            return page

        await system.eventually(activity_logged)
        notifications = await support.get("/notifications")
        assert "audit@bpn.example" in notifications.text and "Delivered" in notifications.text
        assert system.stub.state.calls[-1][:2] == ("notifications", 1)
        assert system.stub.state.calls[-1][3:] == ("test-internal-token", "support")
        missing = await support.get("/claims/99999999")
        assert missing.status_code == 404 and "Page not found" in missing.text
        await support.aclose()
