"""Emails through a real SMTP server (aiosmtpd on 127.0.0.1), driven by commands on the real broker."""
from __future__ import annotations

import pytest

from shared.contracts import DeadLetter, NotificationDelivered, NotificationFailed
from shared.contracts.topics import NOTIFY_EVENTS
from tests.support.messaging import eventually, publish, read_topic
from tests.support.notify import command, notification, notify_settings, running_notify, status_becomes
from tests.support.smtp_server import SmtpServer

SAMPLING = dict(provider_name="Best Practice Network", claim_count="2",
                link="https://claimflow.example/links/Zk3Jd9", link_expires_on="2026-11-30",
                completion_date="2026-12-14")


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


def smtp_settings(url: str, server: SmtpServer, **overrides):
    return notify_settings(url, NOTIFY_BACKEND="smtp", NOTIFY_SMTP_HOST="127.0.0.1", NOTIFY_SMTP_PORT=server.port,
                           NOTIFY_FROM_ADDRESS="no-reply@claimflow.example", **overrides)


async def test_a_sampling_request_arrives_by_smtp_with_its_subject_body_and_link(infra, isolated_env, smtp):
    settings = smtp_settings(await infra.database("notify"), smtp)
    async with running_notify(settings) as client:
        await publish(isolated_env, command("sampling-req-1", to="audit@bpn.example", template="provider_sampling_request",
                                            reference="sampling-77", **SAMPLING))
        item = await status_becomes(client, "sampling-req-1", "sent")

        [message] = await eventually(lambda: smtp.messages_to("audit@bpn.example"), timeout=15, interval=0.05)
        assert message["Subject"] == "ITT mentor claims need to be audited by 14 December 2026"
        assert message["From"] == "no-reply@claimflow.example"
        assert message["Message-ID"] == "<notify.sampling-req-1@claimflow.example>"
        text = message.get_content()
        assert text.startswith("Best Practice Network,\n\nThe Department for Education (DfE) needs you to audit 2 claims")
        assert "\nhttps://claimflow.example/links/Zk3Jd9\n" in text
        assert "expires on 30 November 2026" in text

        assert item["subject"] == message["Subject"] and item["body"] == text
        assert (item["to"], item["template"], item["reference"], item["attempts"], item["backend"]) == (
            "audit@bpn.example", "provider_sampling_request", "sampling-77", 1, "smtp")
        assert item["sent_at"] and item["last_error"] is None
        assert [(h["attempt"], h["outcome"]) for h in item["history"]] == [(1, "sent")]

        [event] = await read_topic(isolated_env, NOTIFY_EVENTS.name, until=1, timeout=15)
        assert isinstance(event, NotificationDelivered)
        assert (event.notification_id, event.backend, event.reference) == ("sampling-req-1", "smtp", "sampling-77")


async def test_the_same_notification_requested_twice_is_sent_once(infra, isolated_env, smtp):
    settings = smtp_settings(await infra.database("notify"), smtp)
    async with running_notify(settings) as client:
        first = command("payment-window-1:finance@payer.example", to="finance@payer.example")
        again = command("payment-window-1:finance@payer.example", to="finance@payer.example")  # new event id
        await publish(isolated_env, first, times=2)  # the same message delivered twice
        await publish(isolated_env, again)  # and the same notification asked for again
        await status_becomes(client, first.notification_id, "sent")
        # a later email to the same inbox: once it is in, the duplicates were consumed before it
        await publish(isolated_env, command("after", to="finance@payer.example", template="payer_claims_ready_for_clawback"))
        await status_becomes(client, "after", "sent")

        subjects = [m["Subject"] for m in smtp.messages_to("finance@payer.example")]
        assert sorted(subjects) == ["Claims ready for clawback - Claim funding for mentor training",
                                    "Claims ready for payment - Claim funding for mentor training"]
        item = await notification(client, first.notification_id)
        assert item["attempts"] == 1
        delivered = await read_topic(isolated_env, NOTIFY_EVENTS.name, until=2, settle=0.3, timeout=15)
        assert sorted(e.notification_id for e in delivered) == ["after", first.notification_id]


async def test_a_recipient_the_mail_server_refuses_fails_at_once_and_is_dead_lettered(infra, isolated_env, smtp):
    settings = smtp_settings(await infra.database("notify"), smtp)
    async with running_notify(settings) as client:
        await publish(isolated_env, command("refused-1", to="refused@school.example"))
        item = await status_becomes(client, "refused-1", "failed")
        assert item["attempts"] == 1
        assert item["last_error"].startswith("the mail server refused refused@school.example: 550")
        assert smtp.received == []

        [failed] = await read_topic(isolated_env, NOTIFY_EVENTS.name, until=1, timeout=15)
        assert isinstance(failed, NotificationFailed) and failed.permanent and failed.notification_id == "refused-1"
        [letter] = await read_topic(isolated_env, "dlq.notify.send", until=1, timeout=15)
        assert isinstance(letter, DeadLetter)
        assert (letter.group, letter.original_key, letter.original_topic) == (
            "notify.send", "refused-1", "claimflow.notify.commands")
        assert "550" in letter.error and '"notification_id":"refused-1"' in letter.original_value


async def test_a_mail_server_that_is_down_is_retried_with_backoff_until_it_answers(infra, isolated_env):
    server = SmtpServer()  # port chosen, server not running yet
    settings = smtp_settings(await infra.database("notify"), server, NOTIFY_RETRY_BASE_S=0.2, NOTIFY_RETRY_CAP_S=0.4)
    async with running_notify(settings) as client:
        await publish(isolated_env, command("down-1", to="finance@payer.example"))

        async def retried_twice():
            item = await notification(client, "down-1")
            assert item["status"] == "retrying" and item["attempts"] >= 2, item
            return item

        item = await eventually(retried_twice, timeout=15, interval=0.05)
        assert "unavailable" in item["last_error"] and item["next_attempt_at"]
        server.start()
        try:
            item = await status_becomes(client, "down-1", "sent")
            assert len(server.messages_to("finance@payer.example")) == 1
            outcomes = [h["outcome"] for h in item["history"]]
            assert outcomes[-1] == "sent" and set(outcomes[:-1]) == {"transient"}
        finally:
            server.stop()


async def test_a_mailbox_that_stays_busy_fails_after_the_attempt_limit_and_is_dead_lettered(infra, isolated_env, smtp):
    settings = smtp_settings(await infra.database("notify"), smtp, NOTIFY_MAX_ATTEMPTS=3, NOTIFY_RETRY_BASE_S=0.05,
                             NOTIFY_RETRY_CAP_S=0.1)
    async with running_notify(settings) as client:
        await publish(isolated_env, command("busy-1", to="busy@school.example"))
        item = await status_becomes(client, "busy-1", "failed")
        assert item["attempts"] == 3
        assert item["last_error"].startswith("gave up after 3 attempts: the mail server refused busy@school.example: 451")
        assert [h["outcome"] for h in item["history"]] == ["transient", "transient", "transient"]
        [failed] = await read_topic(isolated_env, NOTIFY_EVENTS.name, until=1, timeout=15)
        assert isinstance(failed, NotificationFailed) and not failed.permanent and failed.attempts == 3
        assert len(await read_topic(isolated_env, "dlq.notify.send", until=1, timeout=15)) == 1


async def test_a_request_with_missing_personalisation_fails_permanently_and_the_next_email_still_goes(
        infra, isolated_env, smtp):
    settings = smtp_settings(await infra.database("notify"), smtp)
    async with running_notify(settings) as client:
        broken = command("clawback-1", to="head@hackney.example", template="school_clawback_requested",
                         reference="12345678", school_name="Hackney Primary", claim_reference="12345678")
        fine = command("clawback-2", to="head@leeds.example", template="school_clawback_requested",
                       reference="87654321", school_name="Leeds High", claim_reference="87654321",
                       clawback_amount="536.00")
        await publish(isolated_env, broken, fine)
        await status_becomes(client, "clawback-2", "sent")
        [message] = smtp.messages_to("head@leeds.example")
        assert "Amount being taken back: £536.00" in message.get_content()

        item = await notification(client, "clawback-1")
        assert item["status"] == "failed" and item["attempts"] == 0 and item["history"] == []
        assert item["last_error"] == "cannot fill template 'school_clawback_requested': 'clawback_amount' is missing"
        assert smtp.messages_to("head@hackney.example") == []
        [letter] = await read_topic(isolated_env, "dlq.notify.send", until=1, timeout=15)
        assert letter.original_key == "clawback-1" and "'clawback_amount' is missing" in letter.error
        events = await read_topic(isolated_env, NOTIFY_EVENTS.name, until=2, timeout=15)
        assert {(type(e).__name__, e.notification_id) for e in events} == {
            ("NotificationFailed", "clawback-1"), ("NotificationDelivered", "clawback-2")}
