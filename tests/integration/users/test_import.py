"""A CSV of users is validated whole (every row's problem, nothing created), reviewed, and
confirmed once (docs/design.md §12, §14)."""
from __future__ import annotations

from tests.support.system import running_system

from .helpers import invitations_to


def _upload(system, headers, text: str):
    return system.client.post("/api/v1/users/import", headers=headers,
                              files={"file": ("users.csv", text.encode(), "text/csv")})


async def test_a_users_file_with_errors_names_every_row_and_creates_nobody(infra):
    async with running_system(infra) as system:
        await system.setup_organisations()
        support = await system.as_user("support@example.com")
        r = await _upload(system, support, (
            "email,first_name,last_name,provider_code\n"
            "one@bpn.example,One,Person,bpn\n"
            "not-an-email,Two,Person,BPN\n"
            "three@bpn.example,,Person,NOPE\n"
            "ONE@bpn.example,One,Again,BPN\n"
            "support@example.com,Sam,Support,BPN\n"))
        assert r.status_code == 422
        assert r.json()["errors"] == [
            {"message": "Enter an email address in the correct format, like name@example.com", "field": "email",
             "row": 3},
            {"message": "Enter a first name", "field": "first_name", "row": 4},
            {"message": "Enter a valid provider code (‘NOPE’ is not an accredited provider)",
             "field": "provider_code", "row": 4},
            {"message": "Enter each email address only once (‘one@bpn.example’ is also in row 2)", "field": "email",
             "row": 5},
            {"message": "A user with the email address ‘support@example.com’ already exists", "field": "email",
             "row": 6}]
        r = await system.client.get("/api/v1/users", headers=support, params={"role": "provider"})
        assert r.json()["total"] == 0
        r = await _upload(system, support, "name,email\nx,y@example.com\n")
        assert r.json()["errors"][0]["message"] == "Your file needs a column called ‘first_name’ and ‘last_name’."


async def test_a_valid_users_file_is_created_and_invited_once_when_confirmed(infra):
    async with running_system(infra) as system:
        organisations = await system.setup_organisations()
        support = await system.as_user("support@example.com")
        r = await _upload(system, support, (
            "email,first_name,last_name,role,school_urn,provider_code\n"
            "one@bpn.example,One,Person,,,bpn\n"
            "head@leeds.example,Lee,Head,school,100003,\n"))
        assert r.status_code == 201, r.text
        assert r.json()["user_count"] == 2
        upload_id = r.json()["upload_id"]
        assert (await system.client.get("/api/v1/users", headers=support, params={"q": "one@bpn"})).json()["total"] == 0

        for _ in range(2):
            r = await system.client.post(f"/api/v1/users/import/{upload_id}/confirm", headers=support)
            assert r.status_code == 201, r.text
        assert r.json()["already_confirmed"] is True
        users = (await system.client.get("/api/v1/users", headers=support, params={"per_page": 50})).json()["items"]
        by_email = {u["email"]: u for u in users}
        assert by_email["one@bpn.example"]["role"] == "provider"
        assert by_email["one@bpn.example"]["provider_ids"] == [organisations["provider"]["id"]]
        assert by_email["head@leeds.example"]["school_urn"] == "100003"
        assert len(await invitations_to(system.gateway_db, "one@bpn.example")) == 1
        assert len(await invitations_to(system.gateway_db, "head@leeds.example")) == 1
