"""The send step of a notification, on a fake backend: when it asks first, and how failures count."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from services.notify.handlers import attempt_delivery
from services.notify.ports import Email, PermanentSendError, Receipt, TransientSendError
from services.notify.repository import Claimed


@dataclass
class FakeSender:
    """Satisfies ``ports.Sender``; remembers what it accepted, and can fail or stall on demand."""

    name: str = "fake"
    accepted: dict[str, Email] = field(default_factory=dict)
    fail_with: Exception | None = None
    lookup_fails: bool = False
    stall_s: float = 0.0
    calls: list[str] = field(default_factory=list)

    async def send(self, email: Email) -> Receipt:
        self.calls.append("send")
        if self.fail_with:
            raise self.fail_with
        self.accepted[email.notification_id] = email
        await asyncio.sleep(self.stall_s)
        return Receipt(provider_id=f"fake-{email.notification_id}")

    async def find_sent(self, email: Email) -> Receipt | None:
        self.calls.append("find_sent")
        if self.lookup_fails:
            raise TransientSendError("backend unreachable")
        return Receipt(provider_id="earlier") if email.notification_id in self.accepted else None


def claimed(attempt: int = 1, recovered: bool = False) -> Claimed:
    return Claimed(id="n-1", to="head@school.example", subject="S", body="B\n", template="t", reference=None,
                   attempt=attempt, recovered=recovered, command={}, correlation_id=None)


async def test_a_first_attempt_sends_without_asking():
    sender = FakeSender()
    outcome = await attempt_delivery(claimed(), sender, timeout_s=1)
    assert (outcome.kind, outcome.provider_id, sender.calls) == ("sent", "fake-n-1", ["send"])


async def test_a_later_attempt_that_finds_the_email_already_there_does_not_send_it_again():
    sender = FakeSender()
    await attempt_delivery(claimed(), sender, timeout_s=1)
    outcome = await attempt_delivery(claimed(attempt=2, recovered=True), sender, timeout_s=1)
    assert (outcome.kind, outcome.provider_id) == ("already_sent", "earlier")
    assert sender.calls == ["send", "find_sent"]


async def test_when_the_backend_cannot_say_whether_it_has_the_email_nothing_is_sent():
    sender = FakeSender(lookup_fails=True)
    outcome = await attempt_delivery(claimed(attempt=2), sender, timeout_s=1)
    assert (outcome.kind, outcome.error) == ("transient", "backend unreachable")
    assert sender.calls == ["find_sent"] and sender.accepted == {}


async def test_a_send_that_outlives_the_timeout_is_a_transient_failure_that_says_it_may_have_gone():
    sender = FakeSender(stall_s=1)
    outcome = await attempt_delivery(claimed(), sender, timeout_s=0.05)
    assert outcome.kind == "transient" and "may have accepted the email" in outcome.error
    assert "n-1" in sender.accepted  # which is why the next attempt asks first


async def test_refusals_are_permanent_and_outages_transient():
    refused = await attempt_delivery(claimed(), FakeSender(fail_with=PermanentSendError("550 no such user")), timeout_s=1)
    down = await attempt_delivery(claimed(), FakeSender(fail_with=TransientSendError("connection refused")), timeout_s=1)
    bug = await attempt_delivery(claimed(), FakeSender(fail_with=KeyError("x")), timeout_s=1)
    assert (refused.kind, refused.error) == ("permanent", "550 no such user")
    assert (down.kind, down.error) == ("transient", "connection refused")
    assert (bug.kind, bug.error) == ("transient", "KeyError: 'x'")
