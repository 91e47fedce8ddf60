"""The GOV.UK Notify sender when Notify gives no HTTP answer at all: the history says what happened
(no answer in time, or no connection), not the client's stand-in "503 Request failed"."""
from __future__ import annotations

import socket
import uuid

import pytest

from services.notify.handlers import attempt_delivery
from services.notify.ports import Email, TransientSendError
from services.notify.repository import Claimed
from services.notify.senders.govuk import GovUkNotifySender

EMAIL = Email(notification_id="n-1", to="head@school.example", subject="S", body="B\n", reference=None)
CLAIMED = Claimed(id="n-1", to="head@school.example", subject="S", body="B\n", template="t", reference=None,
                  attempt=1, recovered=False, command={}, correlation_id=None)
API_KEY = f"claimflow_test-{uuid.uuid4()}-{uuid.uuid4()}"


def sender(base_url: str, timeout_s: float) -> GovUkNotifySender:
    return GovUkNotifySender(api_key=API_KEY, base_url=base_url, template_id=str(uuid.uuid4()), timeout_s=timeout_s)


async def test_a_notify_that_takes_the_connection_but_never_answers_is_reported_as_a_timeout():
    with socket.socket() as silent:  # the kernel completes the connection; nobody ever answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)
        host, port = silent.getsockname()
        with pytest.raises(TimeoutError):  # the client's own timeout, not the send step's
            await sender(f"http://{host}:{port}", 0.3).send(EMAIL)
        # the send step words it as its own (both are the send timeout), whichever fires first
        outcome = await attempt_delivery(CLAIMED, sender(f"http://{host}:{port}", 0.3), timeout_s=0.3)
    assert outcome.kind == "transient"
    assert outcome.error == ("govuk_notify did not answer within 0.3s "
                             "(it may have accepted the email; the next attempt checks first)")


async def test_a_notify_that_cannot_be_reached_is_reported_as_such():
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        host, port = probe.getsockname()
    with pytest.raises(TransientSendError) as raised:
        await sender(f"http://{host}:{port}", 2).find_sent(EMAIL)
    assert raised.value.message == "could not reach GOV.UK Notify to look up earlier attempts: ConnectionError"
