"""Which failures are retried, how long retries wait, and when the service gives up."""
from __future__ import annotations

import random
import re

import pytest

from services.notify.domain.policy import RetryPolicy, http_status_is_transient, smtp_code_is_transient
from services.notify.senders.smtp import build_message, message_id_for
from services.notify.ports import Email


def test_retry_delays_double_each_attempt_with_half_of_each_delay_random():
    policy = RetryPolicy(max_attempts=8, base_s=5, cap_s=900)
    rng = random.Random(1)
    for attempt, ceiling in [(1, 5), (2, 10), (3, 20), (4, 40), (5, 80)]:
        delays = [policy.delay(attempt, rng) for _ in range(200)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert max(delays) - min(delays) > ceiling / 4  # jitter spreads retries out


def test_retry_delay_never_exceeds_the_cap():
    policy = RetryPolicy(max_attempts=50, base_s=5, cap_s=60)
    rng = random.Random(2)
    assert all(30 <= policy.delay(attempt, rng) <= 60 for attempt in range(7, 50))


def test_the_same_seed_gives_the_same_delays():
    policy = RetryPolicy()
    assert [policy.delay(a, random.Random(9)) for a in (1, 2, 3)] == [policy.delay(a, random.Random(9)) for a in (1, 2, 3)]


def test_the_service_gives_up_after_the_last_attempt():
    policy = RetryPolicy(max_attempts=3)
    assert [policy.gives_up_after(a) for a in (1, 2, 3)] == [False, False, True]


@pytest.mark.parametrize("status, transient", [
    (400, False), (401, False), (403, False), (404, False), (408, True), (429, True),
    (500, True), (502, True), (503, True)])
def test_http_answers_worth_retrying_are_timeouts_rate_limits_and_server_errors(status, transient):
    assert http_status_is_transient(status) is transient


@pytest.mark.parametrize("code, transient", [(421, True), (450, True), (451, True), (452, True),
                                              (550, False), (553, False), (554, False)])
def test_smtp_4xx_is_try_again_later_and_5xx_is_never(code, transient):
    assert smtp_code_is_transient(code) is transient


def test_the_smtp_message_id_is_derived_from_the_notification_id_so_a_resend_carries_the_same_one():
    assert message_id_for("sampling-req.42", "no-reply@claimflow.example") == "<notify.sampling-req.42@claimflow.example>"
    odd = message_id_for("sampling:42:audit@bpn.example", "no-reply@claimflow.example")
    assert odd == message_id_for("sampling:42:audit@bpn.example", "no-reply@claimflow.example")
    assert odd != message_id_for("sampling:43:audit@bpn.example", "no-reply@claimflow.example")
    assert re.fullmatch(r"<notify\.[0-9a-f]{40}@claimflow\.example>", odd)


def test_an_smtp_message_carries_subject_body_and_the_notification_id():
    message = build_message(Email(notification_id="n-1", to="head@school.example", subject="Hello",
                                  body="Line one\n", reference="12345678"), from_address="no-reply@claimflow.example")
    assert message["Subject"] == "Hello" and message["To"] == "head@school.example"
    assert message["Message-ID"] == "<notify.n-1@claimflow.example>"
    assert message["X-ClaimFlow-Notification-Id"] == "n-1" and message["X-ClaimFlow-Reference"] == "12345678"
    assert message.get_content() == "Line one\n"


