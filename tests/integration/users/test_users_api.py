"""Support adds users through the JSON API; each gets a single-use set-password link by email
(docs/design.md §14, §12), can be listed, exported, invited again and deactivated."""
from __future__ import annotations

import csv
import io

from tests.support.system import running_system

from .helpers import invitations_to, latest_link, sql, token_of

NEW_PASSWORD = "a long enough passphrase"


async def _add(system, headers, **body):
    return await system.client.post("/api/v1/users", headers=headers, json={
        "email": "new.person@school.example", "first_name": "Ada", "last_name": "Lovelace", "role": "support", **body})


async def test_a_new_user_is_emailed_a_link_that_sets_their_password_once(infra):
    async with running_system(infra) as system:
        support = await system.as_user("support@example.com")
        r = await _add(system, support, email=" New.Person@School.example ", role="school", school_urn="100001")
        assert r.status_code == 201, r.text
        assert set(r.json()) == {"id", "email", "role"}
        assert r.json()["email"] == "new.person@school.example" and r.json()["role"] == "school"

        emails = await invitations_to(system.gateway_db, "new.person@school.example")
        assert len(emails) == 1
        personalisation = emails[0]["personalisation"]
        assert personalisation["link"].startswith("http://127.0.0.1:8000/invitations/")
        assert personalisation["first_name"] == "Ada" and personalisation["role_name"] == "school"
        token = token_of(personalisation["link"])
        assert len(token) >= 43  # 256 random bits

        # no password yet: nobody can sign in as the new user
        r = await system.client.post("/api/v1/auth/token", json={"email": "new.person@school.example",
                                                                 "password": NEW_PASSWORD})
        assert r.status_code == 401

        r = await system.client.post(f"/api/v1/invitations/{token}", json={"password": NEW_PASSWORD})
        assert r.status_code == 200, r.text
        r = await system.client.post("/api/v1/auth/token", json={"email": "new.person@school.example",
                                                                 "password": NEW_PASSWORD})
        assert r.status_code == 200
        me = await system.client.get("/api/v1/me", headers={"Authorization": f"Bearer {r.json()['access_token']}"})
        assert me.json()["role"] == "school" and me.json()["school_urn"] == "100001"

        again = await system.client.post(f"/api/v1/invitations/{token}", json={"password": "another passphrase!"})
        assert again.status_code == 410
        assert "already been used" in again.json()["errors"][0]["message"]


async def test_an_invitation_older_than_72_hours_no_longer_works(infra):
    async with running_system(infra) as system:
        support = await system.as_user("support@example.com")
        assert (await _add(system, support)).status_code == 201
        token = token_of(await latest_link(system.gateway_db, "new.person@school.example"))
        created = await sql(system.gateway_db, "SELECT expires_at - created_at FROM invitations")
        assert created[0][0].total_seconds() == 72 * 3600
        await sql(system.gateway_db, "UPDATE invitations SET expires_at = now() - interval '1 second'")
        r = await system.client.post(f"/api/v1/invitations/{token}", json={"password": NEW_PASSWORD})
        assert r.status_code == 410
        assert r.json()["errors"][0]["message"] == ("This link has expired. Ask the support team to send you a new "
                                                    "invitation.")


async def test_inviting_again_replaces_the_older_link(infra):
    async with running_system(infra) as system:
        support = await system.as_user("support@example.com")
        user_id = (await _add(system, support)).json()["id"]
        first = token_of(await latest_link(system.gateway_db, "new.person@school.example"))
        r = await system.client.post(f"/api/v1/users/{user_id}/invitation", headers=support)
        assert r.status_code == 201, r.text
        second = token_of(await latest_link(system.gateway_db, "new.person@school.example"))
        assert second != first
        r = await system.client.post(f"/api/v1/invitations/{first}", json={"password": NEW_PASSWORD})
        assert r.status_code == 410 and "latest invitation" in r.json()["errors"][0]["message"]
        r = await system.client.post(f"/api/v1/invitations/{second}", json={"password": NEW_PASSWORD})
        assert r.status_code == 200


async def test_a_weak_password_is_refused_in_plain_words_and_the_link_still_works(infra):
    async with running_system(infra) as system:
        support = await system.as_user("support@example.com")
        await _add(system, support)
        token = token_of(await latest_link(system.gateway_db, "new.person@school.example"))
        for password, message in [("", "Enter a password"), ("short one", "Password must be 12 characters or more"),
                                  ("password1234", "Enter a password that is harder to guess"),
                                  ("new.person@school.example", "Enter a password that is harder to guess")]:
            r = await system.client.post(f"/api/v1/invitations/{token}", json={"password": password})
            assert r.status_code == 422
            assert r.json()["errors"] == [{"message": message, "field": "password"}]
        r = await system.client.post(f"/api/v1/invitations/{token}", json={"password": NEW_PASSWORD})
        assert r.status_code == 200


async def test_a_new_user_is_refused_with_every_problem_named(infra):
    async with running_system(infra) as system:
        support = await system.as_user("support@example.com")
        r = await system.client.post("/api/v1/users", headers=support, json={"email": "not-an-email", "role": "mat"})
        assert r.status_code == 422
        assert r.json()["errors"] == [
            {"message": "Enter an email address in the correct format, like name@example.com", "field": "email"},
            {"message": "Enter a first name", "field": "first_name"},
            {"message": "Enter a last name", "field": "last_name"},
            {"message": "Enter the trust’s ID", "field": "trust_id"}]
        r = await _add(system, support, email="support@example.com")
        assert r.status_code == 422
        assert r.json()["errors"] == [{"message": "A user with this email address already exists", "field": "email"}]
        r = await _add(system, support, role="provider", provider_ids=["no-such-provider"])
        assert r.json()["errors"] == [{"message": "Select an accredited provider from the list",
                                       "field": "provider_ids"}]
        school = await system.as_user("head@hackney.example")
        assert (await _add(system, school)).status_code == 403


async def test_a_provider_user_is_tied_to_the_accredited_providers_named(infra):
    async with running_system(infra) as system:
        organisations = await system.setup_organisations()
        support = await system.as_user("support@example.com")
        provider_id = organisations["provider"]["id"]
        r = await _add(system, support, email="audit@bpn.example", role="provider", provider_ids=[provider_id])
        assert r.status_code == 201, r.text
        r = await system.client.get("/api/v1/users", headers=support, params={"role": "provider"})
        assert [(u["email"], u["provider_ids"], u["active"]) for u in r.json()["items"]] == [
            ("audit@bpn.example", [provider_id], True)]


async def test_the_users_list_pages_and_filters_and_the_export_is_safe_in_a_spreadsheet(infra):
    async with running_system(infra) as system:
        support = await system.as_user("support@example.com")
        await _add(system, support, first_name="=HYPERLINK(\"http://evil\")", email="formula@example.com")
        r = await system.client.get("/api/v1/users", headers=support, params={"per_page": 2})
        body = r.json()
        assert body["total"] == 7 and body["page"] == 1 and len(body["items"]) == 2
        assert {"id", "email", "role", "active"} <= set(body["items"][0])
        r = await system.client.get("/api/v1/users", headers=support, params={"q": "HYPERLINK"})
        assert [u["email"] for u in r.json()["items"]] == ["formula@example.com"]
        r = await system.client.get("/api/v1/users", headers=support, params={"role": "school"})
        assert {u["email"] for u in r.json()["items"]} == {"head@hackney.example", "head@slough.example"}
        r = await system.client.get("/api/v1/users", headers=support, params={"role": "admin"})
        assert r.status_code == 422

        r = await system.client.get("/api/v1/users.csv", headers=support)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
        formula = next(row for row in rows if row["email"] == "formula@example.com")
        assert formula["first_name"] == "'=HYPERLINK(\"http://evil\")"
        assert formula["password_set"] == "no" and formula["active"] == "yes"
        assert len(rows) == 7
