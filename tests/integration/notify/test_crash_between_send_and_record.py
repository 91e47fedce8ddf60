"""The service is killed (SIGKILL) after the backend accepted an email and before the outcome was
recorded, then restarted: what the recipient gets is exactly what docs/design.md §6 promises.

The service runs in a subprocess with ``NOTIFY_TEST_PAUSE_AFTER_SEND_S`` set, which holds it inside
that window; the test kills it as soon as the backend has the email and the row still says
``sending``."""
from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from shared.contracts import NotificationDelivered
from shared.contracts.topics import NOTIFY_EVENTS
from tests.support.fake_govuk_notify import FakeGovUkNotify
from tests.support.messaging import eventually, publish, read_topic
from tests.support.notify import FAST_ENV, command, notify_settings, running_notify, status_becomes
from tests.support.smtp_server import SmtpServer

ROOT = Path(__file__).resolve().parents[3]


@contextlib.asynccontextmanager
async def service_process(env: dict[str, str], log: Path):
    with open(log, "wb") as stderr:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.support.notify_process", cwd=ROOT, stdout=asyncio.subprocess.PIPE,
            stderr=stderr, env={**os.environ, **FAST_ENV, **env})
        try:
            line = await asyncio.wait_for(proc.stdout.readline(), 30)
            assert line.strip() == b"ready", log.read_text(errors="replace")[-3000:]
            yield proc
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()


async def row_state(url: str, notification_id: str) -> tuple[str, int]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            row = (await conn.execute(text("SELECT status, attempts FROM notifications WHERE id = :id"),
                                      {"id": notification_id})).first()
        return tuple(row) if row else ("absent", 0)
    finally:
        await engine.dispose()


async def kill_inside_the_window(url: str, env: dict[str, str], isolated_env, tmp_path: Path, *,
                                 notification_id: str, to: str, accepted) -> None:
    """Start the service, let it send, and SIGKILL it once ``accepted()`` while the row is ``sending``."""
    async with service_process({"NOTIFY_DATABASE_URL": url, "NOTIFY_SEND_TIMEOUT_S": "1",
                                "NOTIFY_TEST_PAUSE_AFTER_SEND_S": "60", **env}, tmp_path / "notify.log") as proc:
        await publish(isolated_env, command(notification_id, to=to))
        await eventually(accepted, timeout=20, interval=0.05)
        assert await row_state(url, notification_id) == ("sending", 1)
        proc.kill()
        await proc.wait()
    assert await row_state(url, notification_id) == ("sending", 1)  # the outcome was never recorded


async def test_killed_after_govuk_notify_accepted_the_email_the_restarted_service_does_not_send_it_again(
        infra, isolated_env, tmp_path):
    fake = FakeGovUkNotify().start()
    try:
        url = await infra.database("notify")
        backend = {"NOTIFY_BACKEND": "govuk_notify", "NOTIFY_API_KEY": fake.api_key, "NOTIFY_BASE_URL": fake.base_url,
                   "NOTIFY_GOVUK_TEMPLATE_ID": fake.template_id}
        await kill_inside_the_window(url, backend, isolated_env, tmp_path, notification_id="pay-crash",
                                     to="finance@payer.example", accepted=lambda: fake.sent_to("finance@payer.example"))

        async with running_notify(notify_settings(url, NOTIFY_SEND_TIMEOUT_S=1, **backend)) as client:
            item = await status_becomes(client, "pay-crash", "sent", timeout=20)
            delivered = await read_topic(isolated_env, NOTIFY_EVENTS.name, until=1, settle=0.5, timeout=15)
        assert len(fake.sent_to("finance@payer.example")) == 1  # no duplicate
        assert [(h["attempt"], h["outcome"]) for h in item["history"]] == [(1, "unknown"), (2, "already_sent")]
        assert ("GET", "/v2/notifications") in fake.requests  # the restarted service asked Notify first
        assert [(type(e), e.notification_id) for e in delivered] == [(NotificationDelivered, "pay-crash")]
    finally:
        fake.stop()


async def test_killed_after_the_smtp_server_accepted_the_email_the_recipient_gets_one_extra_copy_with_the_same_message_id(
        infra, isolated_env, tmp_path):
    """SMTP cannot be asked whether it already has a message: the documented window (docs/design.md §6)."""
    smtp = SmtpServer().start()
    try:
        url = await infra.database("notify")
        backend = {"NOTIFY_BACKEND": "smtp", "NOTIFY_SMTP_HOST": "127.0.0.1", "NOTIFY_SMTP_PORT": str(smtp.port),
                   "NOTIFY_FROM_ADDRESS": "no-reply@claimflow.example"}
        await kill_inside_the_window(url, backend, isolated_env, tmp_path, notification_id="pay-crash",
                                     to="finance@payer.example", accepted=lambda: smtp.messages_to("finance@payer.example"))

        async with running_notify(notify_settings(url, NOTIFY_SEND_TIMEOUT_S=1, **backend)) as client:
            item = await status_becomes(client, "pay-crash", "sent", timeout=20)
            delivered = await read_topic(isolated_env, NOTIFY_EVENTS.name, until=1, settle=0.5, timeout=15)
        copies = smtp.messages_to("finance@payer.example")
        assert len(copies) == 2  # exactly one extra copy for the one crash...
        assert {c["Message-ID"] for c in copies} == {"<notify.pay-crash@claimflow.example>"}  # ...recognisably the same
        assert copies[0].get_content() == copies[1].get_content()
        assert [(h["attempt"], h["outcome"]) for h in item["history"]] == [(1, "unknown"), (2, "sent")]
        assert [(type(e), e.notification_id) for e in delivered] == [(NotificationDelivered, "pay-crash")]
    finally:
        smtp.stop()
