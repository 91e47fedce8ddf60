"""Emails through GOV.UK Notify's API, served locally by tests/support/fake_govuk_notify.py (a real
HTTP server that checks the JWT the official client signs), driven by commands on the real broker."""
from __future__ import annotations

import pytest

from shared.contracts import NotificationDelivered, NotificationFailed
from shared.contracts.topics import NOTIFY_EVENTS
from tests.support.fake_govuk_notify import FakeGovUkNotify
from tests.support.messaging import publish, read_topic
from tests.support.notify import command, notify_settings, running_notify, status_becomes


@pytest.fixture
def notify_api():
    server = FakeGovUkNotify().start()
    yield server
    server.stop()


def govuk_settings(url: str, fake: FakeGovUkNotify, *, api_key: str | None = None, **overrides):
    return notify_settings(url, NOTIFY_BACKEND="govuk_notify", NOTIFY_API_KEY=api_key or fake.api_key,
                           NOTIFY_BASE_URL=fake.base_url, NOTIFY_GOVUK_TEMPLATE_ID=fake.template_id, **overrides)


async def test_an_email_goes_to_govuk_notify_signed_with_the_api_key_and_referenced_by_its_id(
        infra, isolated_env, notify_api):
    settings = govuk_settings(await infra.database("notify"), notify_api)
    async with running_notify(settings) as client:
        await publish(isolated_env, command("resend-9:audit@bpn.example", to="audit@bpn.example",
                                            template="provider_sampling_link_resend", reference="sampling-9",
                                            provider_name="Best Practice Network", completion_date="2026-12-14",
                                            link="https://claimflow.example/links/N3w", link_expires_on="2026-12-07"))
        item = await status_becomes(client, "resend-9:audit@bpn.example", "sent")

        [sent] = notify_api.sent_to("audit@bpn.example")
        assert sent["reference"] == "resend-9:audit@bpn.example"
        assert sent["template"]["id"] == notify_api.template_id
        assert sent["subject"] == "New link: ITT mentor claims to audit by 14 December 2026"
        assert sent["body"].startswith("Best Practice Network,\n\nHere is a new link")
        assert "\nhttps://claimflow.example/links/N3w\n" in sent["body"]
        assert (item["subject"], item["body"]) == (sent["subject"], sent["body"])
        assert notify_api.requests == [("POST", "/v2/notifications/email")]  # a first attempt does not look up

        [event] = await read_topic(isolated_env, NOTIFY_EVENTS.name, until=1, timeout=15)
        assert isinstance(event, NotificationDelivered) and event.backend == "govuk_notify"


async def test_notify_errors_and_rate_limits_are_retried_and_the_retry_checks_notify_first(
        infra, isolated_env, notify_api):
    settings = govuk_settings(await infra.database("notify"), notify_api)
    notify_api.fail_next(500)
    notify_api.fail_next(429)
    async with running_notify(settings) as client:
        await publish(isolated_env, command("pay-1", to="finance@payer.example"))
        item = await status_becomes(client, "pay-1", "sent")
        assert item["attempts"] == 3
        assert [h["outcome"] for h in item["history"]] == ["transient", "transient", "sent"]
        assert "500" in item["history"][0]["error"] and "429" in item["history"][1]["error"]
        # attempt 1: POST (500); attempt 2: GET by reference (429); attempt 3: GET (nothing there), POST
        assert notify_api.requests == [("POST", "/v2/notifications/email"), ("GET", "/v2/notifications"),
                                       ("GET", "/v2/notifications"), ("POST", "/v2/notifications/email")]
        assert len(notify_api.sent_to("finance@payer.example")) == 1


async def test_a_send_that_timed_out_after_notify_accepted_it_is_not_sent_again(infra, isolated_env, notify_api):
    settings = govuk_settings(await infra.database("notify"), notify_api, NOTIFY_SEND_TIMEOUT_S=0.5)
    notify_api.delay_next_send(1.5)  # Notify stores the email, but answers after the client gave up
    async with running_notify(settings) as client:
        await publish(isolated_env, command("slow-1", to="finance@payer.example"))
        item = await status_becomes(client, "slow-1", "sent")
        assert [h["outcome"] for h in item["history"]] == ["transient", "already_sent"]
        assert "did not answer within 0.5s" in item["history"][0]["error"]
        assert len(notify_api.sent_to("finance@payer.example")) == 1


async def test_an_address_notify_rejects_and_a_wrong_api_key_fail_permanently(infra, isolated_env, notify_api):
    url = await infra.database("notify")
    # the address passes our check but Notify refuses it (its rules are stricter than ours)
    notify_api.fail_next(400)
    async with running_notify(govuk_settings(url, notify_api)) as client:
        await publish(isolated_env, command("bad-address", to="head@school.example", template="school_claim_not_assured",
                                            school_name="Hackney Primary", claim_reference="12345678",
                                            provider_name="Best Practice Network", provider_comment="Not known"))
        item = await status_becomes(client, "bad-address", "failed")
        assert item["attempts"] == 1
        assert item["last_error"] == "GOV.UK Notify could not send the email: 400 email_address Not a valid email address"

    wrong_key = f"claimflow_test-{notify_api.service_id}-00000000-0000-0000-0000-000000000000"
    async with running_notify(govuk_settings(url, notify_api, api_key=wrong_key)) as client:
        await publish(isolated_env, command("wrong-key", to="finance@payer.example"))
        item = await status_becomes(client, "wrong-key", "failed")
        assert "403" in item["last_error"] and "Invalid token" in item["last_error"]
        failures = await read_topic(isolated_env, NOTIFY_EVENTS.name, until=2, timeout=15)
    assert notify_api.notifications == []
    assert {(type(e), e.notification_id, e.permanent) for e in failures} == {
        (NotificationFailed, "bad-address", True), (NotificationFailed, "wrong-key", True)}
