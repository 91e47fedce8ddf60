"""The whole system as real processes for the end-to-end tests: every service started the way
`claimflow up` starts it, on free ports, with a throwaway data directory and a real SMTP server
catching every email (``running_stack``)."""
from __future__ import annotations

import contextlib
import os
import re
import time
from dataclasses import dataclass
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Iterator

import httpx

from claimflow.registry import SERVICES
from claimflow.runtime import free_port
from claimflow.stack import DEMO_PASSWORD, Stack


class Mailbox:
    """A real SMTP server (aiosmtpd on 127.0.0.1) that keeps every email the system sends."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        self.messages.append(message_from_bytes(envelope.content, policy=default_policy))
        return "250 OK"

    def wait_for(self, to: str, subject_contains: str = "", timeout: float = 30) -> EmailMessage:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for m in reversed(self.messages):
                if m["To"] == to and subject_contains in (m["Subject"] or ""):
                    return m
            time.sleep(0.2)
        raise AssertionError(f"no email to {to} about {subject_contains!r}; got "
                             f"{[(m['To'], m['Subject']) for m in self.messages]}")

    @staticmethod
    def link(message: EmailMessage) -> str:
        body = message.get_body(preferencelist=("plain", "html")).get_content()
        found = re.search(r"https?://\S+/links/[A-Za-z0-9_\-]+", body)
        assert found, body
        return found.group(0)


@dataclass
class RunningSystem:
    stack: Stack
    url: str
    service_urls: dict[str, str]
    mailbox: Mailbox

    def token(self, email: str, password: str = DEMO_PASSWORD) -> str:
        r = httpx.post(f"{self.url}/api/v1/auth/token", json={"email": email, "password": password}, timeout=10)
        r.raise_for_status()
        return r.json()["access_token"]

    def api(self, email: str) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30,
                            headers={"Authorization": f"Bearer {self.token(email)}"})

    @property
    def internal_token(self) -> str:
        return self.stack.env["INTERNAL_API_TOKEN"]


@contextlib.contextmanager
def running_stack(data_dir: Path) -> Iterator[RunningSystem]:
    """The whole system with the demo data (`claimflow up` minus the terminal), its data in ``data_dir``."""
    ports = {f"{s.name.upper()}_PORT": str(free_port()) for s in SERVICES if s.name != "gateway"}
    gateway_port = free_port()
    saved = {k: os.environ.pop(k) for k in ("KAFKA_TOPIC_PREFIX", "KAFKA_GROUP_SUFFIX") if k in os.environ}
    from aiosmtpd.controller import Controller

    mailbox = Mailbox()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    stack = Stack(data_dir=data_dir, gateway_port=gateway_port, durable=False,
                  extra_env={**ports, "KAFKA_SESSION_TIMEOUT_MS": "1000", "KAFKA_HEARTBEAT_INTERVAL_MS": "200",
                             "LOG_JSON": "true", "NOTIFY_BACKEND": "smtp", "NOTIFY_SMTP_HOST": "127.0.0.1",
                             "NOTIFY_SMTP_PORT": str(smtp.port), "PAYER_EMAIL_ADDRESSES": "payer@example.com",
                             "GATEWAY_SIGN_IN_RATE_LIMIT": "1000", "GATEWAY_LINK_RATE_LIMIT": "1000"})
    try:
        stack.start()
        yield RunningSystem(stack=stack, url=f"http://127.0.0.1:{gateway_port}",
                            service_urls={s.name: f"http://127.0.0.1:{ports[f'{s.name.upper()}_PORT']}"
                                          for s in SERVICES if s.name != "gateway"}, mailbox=mailbox)
    finally:
        stack.stop()
        smtp.stop()
        os.environ.update(saved)
