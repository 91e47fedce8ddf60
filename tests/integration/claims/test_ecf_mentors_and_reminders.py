"""Claims learns ECF mentors' TRNs from an event (never from payments' tables), and reminds a school
weekly, once per due time, to choose another provider for a claim whose provider support marked invalid."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from services.claims import handlers
from services.claims.ports import FixedClock
from shared.contracts import EcfMentorRegistered
from shared.contracts.topics import NOTIFY_COMMANDS
from tests.support.claims import SUPPORT, running_claims, school_headers, setup_organisations, submit
from tests.support.messaging import eventually, publish, read_topic

SCHOOL_EMAIL_CSV = ("urn,name,region,email\n"
                    "100001,Hackney Primary,Inner London,office@hackney.example\n")


async def test_a_claim_shows_which_of_its_mentors_the_ecf_engine_knows_from_the_event(infra, isolated_env):
    async with running_claims(infra, isolated_env) as (client, app):
        org = await setup_organisations(client)
        await publish(isolated_env, EcfMentorRegistered(trn="7654321"))
        r = await client.post("/internal/v1/claims/drafts", headers=school_headers("100001"), json={
            "school_urn": "100001", "provider_id": org["provider"]["id"],
            "mentors": [{"trn": "1234567", "full_name": "Ada Lovelace"}, {"trn": "7654321", "full_name": "Grace Hopper"}]})
        ref = r.json()["reference"]

        async def warned():
            detail = (await client.get(f"/internal/v1/claims/{ref}", headers=school_headers("100001"))).json()
            assert detail["ecf_mentor_trns"] == ["7654321"]
            return True

        await eventually(warned)


async def test_the_school_is_emailed_when_its_provider_is_marked_invalid_then_reminded_once_a_week(infra, isolated_env):
    async with running_claims(infra, isolated_env) as (client, app):
        org = await setup_organisations(client)
        r = await client.post("/internal/v1/schools/import", headers=SUPPORT,
                              files={"file": ("schools.csv", SCHOOL_EMAIL_CSV.encode(), "text/csv")})
        assert r.status_code == 200, r.text
        ref = (await submit(client, "100001", org["provider"]["id"], [("1234567", "Ada Lovelace", 4)])).json()["reference"]
        r = await client.post(f"/internal/v1/claims/{ref}/invalid-provider", headers=SUPPORT,
                              json={"reason": "Not this provider"})
        assert r.status_code == 200, r.text
        [email] = await read_topic(isolated_env, NOTIFY_COMMANDS.name, until=1)
        assert (email.template, email.to, email.personalisation["reason"]) == (
            "school_invalid_provider", "office@hackney.example", "Not this provider")
        assert email.personalisation["link"].endswith(f"/school/claims/{ref}/provider")

        marked = datetime(2026, 11, 23, 10, tzinfo=timezone.utc)
        for days, expected in ((6, 0), (7, 1), (7, 0), (15, 1), (30, 1)):
            async with app.state.uow_factory() as uow:
                sent = await handlers.handle_send_due_reminders(
                    handlers.SendDueReminders(), uow, FixedClock(marked + timedelta(days=days)),
                    base_url="https://claim.example")
            assert sent == expected, (days, sent)  # a second run (a restart, a replica) at the same time sends none
        reminders = await read_topic(isolated_env, NOTIFY_COMMANDS.name, until=4)
        # keyed by notification id, so spread over partitions: compared without order
        assert sorted(m.template for m in reminders) == ["school_invalid_provider"] + ["school_invalid_provider_reminder"] * 3
        assert len({m.notification_id for m in reminders}) == 4

        other = (await client.post("/internal/v1/providers", headers=SUPPORT, json={
            "name": "Teach First", "code": "TF", "email_addresses": []})).json()
        r = await client.post(f"/internal/v1/claims/{ref}/provider", headers=school_headers("100001"),
                              json={"provider_id": other["id"]})
        assert r.status_code == 200 and r.json()["status"] == "submitted"
        async with app.state.uow_factory() as uow:
            assert await handlers.handle_send_due_reminders(
                handlers.SendDueReminders(), uow, FixedClock(marked + timedelta(days=60)),
                base_url="https://claim.example") == 0
