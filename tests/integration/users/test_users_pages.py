"""The users pages work without JavaScript: add (errors in the summary), the user page, invite
again, deactivate with confirmation, import (errors, review, confirm) and the invitation page."""
from __future__ import annotations

import re

from tests.support.system import csrf_from, running_system

from .helpers import latest_link

PASSWORD = "a long enough passphrase"


async def test_support_adds_and_deactivates_a_user_and_the_user_creates_their_password(infra):
    async with running_system(infra) as system:
        browser = await system.browser("support@example.com")
        page = await browser.get("/users")
        assert page.status_code == 200 and "<h1 class=\"govuk-heading-l\">Users</h1>" in page.text
        form = await browser.get("/users/new")
        assert form.text.count("<h1") == 1 and 'name="school_urn"' in form.text
        r = await browser.post("/users/new", data={"csrf_token": csrf_from(form.text), "role": "school"})
        assert r.status_code == 422
        assert 'href="#email"' in r.text and "Enter the school’s URN" in r.text and 'href="#school_urn"' in r.text
        r = await browser.post("/users/new", data={
            "csrf_token": csrf_from(form.text), "email": "new@school.example", "first_name": "Ada",
            "last_name": "Lovelace", "role": "school", "school_urn": "100001", "trust_id": "left-over-value"})
        assert r.status_code == 303
        user_page = await browser.get(r.headers["location"])
        assert "User added: we have emailed them an invitation" in user_page.text and "Ada Lovelace" in user_page.text
        user_id = int(re.search(r"/users/(\d+)", r.headers["location"]).group(1))

        r = await browser.post(f"/users/{user_id}/invite", data={"csrf_token": csrf_from(user_page.text)})
        assert r.status_code == 303 and r.headers["location"].endswith("done=invited-again")

        # the new user's invitation page
        link = await latest_link(system.gateway_db, "new@school.example")
        path = link.split("127.0.0.1:8000", 1)[1]
        anonymous = await system.browser()
        page = await anonymous.get(path)
        assert page.status_code == 200 and "Create your password" in page.text
        r = await anonymous.post(path, data={"csrf_token": csrf_from(page.text), "password": PASSWORD,
                                             "confirm_password": PASSWORD + "x"})
        assert r.status_code == 422 and "Enter the same password in both fields" in r.text
        r = await anonymous.post(path, data={"csrf_token": csrf_from(page.text), "password": PASSWORD,
                                             "confirm_password": PASSWORD})
        assert r.status_code == 200 and "Your password has been created" in r.text
        used = await anonymous.get(path)
        assert used.status_code == 410 and "This link has already been used" in used.text

        # deactivate, with a confirmation page
        confirm = await browser.get(f"/users/{user_id}/deactivate")
        assert "Are you sure you want to deactivate new@school.example?" in confirm.text
        r = await browser.post(f"/users/{user_id}/deactivate", data={"csrf_token": csrf_from(confirm.text)})
        assert r.status_code == 303
        assert "User deactivated" in (await browser.get(r.headers["location"])).text
        listed = await browser.get("/users", params={"active": "false"})
        assert "new@school.example" in listed.text and "Deactivated" in listed.text
        csv = await browser.get("/users/download.csv")
        assert csv.status_code == 200 and "new@school.example" in csv.text
        await browser.aclose()
        await anonymous.aclose()


async def test_support_imports_users_from_a_file_after_reviewing_them(infra):
    async with running_system(infra) as system:
        await system.setup_organisations()
        browser = await system.browser("support@example.com")
        page = await browser.get("/users/import")
        token = csrf_from(page.text)
        r = await browser.post("/users/import", data={"csrf_token": token},
                               files={"file": ("users.csv", b"email,first_name,last_name\nbad,,X\n", "text/csv")})
        assert r.status_code == 422 and "Enter a first name" in r.text and 'href="#file"' in r.text
        r = await browser.post("/users/import", data={"csrf_token": token}, files={
            "file": ("users.csv", b"email,first_name,last_name,provider_code\none@bpn.example,One,Person,BPN\n",
                     "text/csv")})
        assert r.status_code == 303
        review = await browser.get(r.headers["location"])
        assert "Check the users" in review.text and "one@bpn.example" in review.text
        action = re.search(r'action="(/users/import/[^"]+/confirm)"', review.text).group(1)
        r = await browser.post(action, data={"csrf_token": csrf_from(review.text)})
        assert r.status_code == 303
        assert "Users imported" in (await browser.get(r.headers["location"])).text
        await browser.aclose()
