"""A real SMTP server for tests (aiosmtpd on 127.0.0.1) that keeps what it receives.

Recipients whose address starts with ``refused`` get ``550`` (a permanent refusal), those starting
with ``busy`` get ``451`` (try again later); everything else is accepted.
"""
from __future__ import annotations

import email
import email.policy
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from claimflow.runtime import free_port


@dataclass
class CapturingHandler:
    received: list[EmailMessage] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("refused"):
            return "550 5.1.1 The email account that you tried to reach does not exist"
        if address.startswith("busy"):
            return "451 4.3.0 Mailbox temporarily unavailable, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = (envelope.original_content or envelope.content).replace(b"\r\n", b"\n")  # wire line ends → \n
        message = email.message_from_bytes(raw, policy=email.policy.default)
        with self.lock:
            self.received.append(message)
        return "250 Message accepted for delivery"


class SmtpServer:
    """``SmtpServer(port).start()``; the port can be chosen before the server runs (to test a
    mail server that is down at first)."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.handler = CapturingHandler()
        self._controller: Controller | None = None

    def start(self) -> "SmtpServer":
        self._controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def messages_to(self, address: str) -> list[EmailMessage]:
        with self.handler.lock:
            return [m for m in self.handler.received if m["To"] == address]

    @property
    def received(self) -> list[EmailMessage]:
        with self.handler.lock:
            return list(self.handler.received)
