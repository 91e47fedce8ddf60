"""The embedded default: emails are stored for support to read, through the internal API."""
from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.support.messaging import eventually, publish
from tests.support.notify import command, notify_settings, running_notify


async def test_support_reads_stored_emails_per_recipient_and_reference_newest_first(infra, isolated_env):
    url = await infra.database("notify")
    settings = notify_settings(url)  # NOTIFY_BACKEND defaults to outbox
    assert settings.backend == "outbox"
    async with running_notify(settings) as client:
        await publish(isolated_env,
                      command("n1", to="Audit@BPN.example", template="provider_sampling_reminder", reference="sampling-1",
                              provider_name="Best Practice Network", claim_count="5", completion_date="2026-12-14"),
                      command("n2", to="finance@payer.example", reference="window-1"),
                      command("n3", to="audit@bpn.example", template="provider_sampling_reminder", reference="sampling-2",
                              provider_name="Best Practice Network", claim_count="1", completion_date="2026-12-21"),
                      command("n4", to="audit@bpn.example", template="provider_sampling_reminder", reference="sampling-3",
                              provider_name="Best Practice Network", completion_date="2026-12-21"))

        async def all_settled():
            body = (await client.get("/internal/v1/notifications")).json()
            assert body["total"] == 4 and {i["status"] for i in body["items"]} <= {"sent", "failed"}, body
            return body

        await eventually(all_settled, timeout=15, interval=0.05)
        page1 = (await client.get("/internal/v1/notifications", params={"recipient": "AUDIT@bpn.example",
                                                                        "per_page": 2})).json()
        page2 = (await client.get("/internal/v1/notifications", params={"recipient": "audit@bpn.example",
                                                                        "per_page": 2, "page": 2})).json()
        assert (page1["total"], page1["page"], page2["page"]) == (3, 1, 2)
        listed = page1["items"] + page2["items"]
        assert sorted(i["id"] for i in listed) == ["n1", "n3", "n4"]
        assert [i["created_at"] for i in listed] == sorted((i["created_at"] for i in listed), reverse=True)
        assert set(listed[0]) == {"id", "to", "template", "subject", "body", "status", "attempts", "created_at",
                                  "sent_at", "failed_at", "last_error", "reference", "backend", "next_attempt_at"}
        by_id = {i["id"]: i for i in listed}
        assert by_id["n3"]["subject"] == "Reminder: ITT mentor claims must be audited by 21 December 2026"
        assert "you still have 1 claim for" in by_id["n3"]["body"]
        assert (by_id["n3"]["status"], by_id["n3"]["backend"], by_id["n3"]["attempts"]) == ("sent", "outbox", 1)
        assert by_id["n4"]["status"] == "failed" and "'claim_count' is missing" in by_id["n4"]["last_error"]

        by_reference = (await client.get("/internal/v1/notifications", params={"reference": "window-1"})).json()
        assert [i["id"] for i in by_reference["items"]] == ["n2"] and by_reference["total"] == 1

        detail = (await client.get("/internal/v1/notifications/n1")).json()
        assert detail["to"] == "Audit@BPN.example" and detail["history"][0]["outcome"] == "sent"

        missing = await client.get("/internal/v1/notifications/nope")
        assert missing.status_code == 404
        assert missing.json() == {"errors": [{"message": "There is no notification with the id ‘nope’"}]}
        unauthorised = await client.get("/internal/v1/notifications", headers={"x-internal-token": "wrong"})
        assert unauthorised.status_code == 401

    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            stored = (await conn.execute(text("SELECT notification_id, to_address, subject FROM local_outbox "
                                              "ORDER BY notification_id"))).all()
    finally:
        await engine.dispose()
    assert [(r[0], r[1]) for r in stored] == [("n1", "Audit@BPN.example"), ("n2", "finance@payer.example"),
                                              ("n3", "audit@bpn.example")]
    assert stored[1][2] == "Claims ready for payment - Claim funding for mentor training"
