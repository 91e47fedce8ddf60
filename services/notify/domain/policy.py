"""Delivery policy: the life of one notification, which failures are worth retrying, and when.

States: ``pending`` (accepted, not yet tried) → ``sending`` (an attempt is recorded and committed
*before* the backend is called) → ``sent`` | ``retrying`` | ``failed``. ``retrying`` goes back to
``sending`` at ``next_attempt_at``. ``sent`` and ``failed`` are final for a notification id.

- Transient (retried): the backend could not be reached, timed out, or answered 408, 429 or 5xx;
  an SMTP server answered 4xx. Retries wait ``base × 2^(attempt-1)`` capped at ``cap``, with
  "equal jitter" (half fixed, half random) so many failed emails do not retry in lock-step.
- Permanent (failed at once, dead-lettered): any other 4xx (bad address, refused by the provider,
  bad credentials), an SMTP 5xx (recipient refused), a template that cannot be filled.
- After ``max_attempts`` transient failures the notification fails (and is dead-lettered) too.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

PENDING = "pending"
SENDING = "sending"
RETRYING = "retrying"
SENT = "sent"
FAILED = "failed"
STATUSES = (PENDING, SENDING, RETRYING, SENT, FAILED)
FINAL = frozenset({SENT, FAILED})


def http_status_is_transient(status: int) -> bool:
    return status in (408, 429) or status >= 500


def smtp_code_is_transient(code: int) -> bool:
    """SMTP reply codes: 4xx means "try again later", 5xx means "never"."""
    return 400 <= code < 500 or code < 0  # negative: aiosmtplib's own connection-level codes


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 8
    base_s: float = 5.0
    cap_s: float = 900.0

    def delay(self, attempt: int, rng: random.Random) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        ceiling = min(self.cap_s, self.base_s * 2 ** max(attempt - 1, 0))
        return ceiling / 2 + rng.uniform(0, ceiling / 2)

    def gives_up_after(self, attempt: int) -> bool:
        return attempt >= self.max_attempts
