"""The ``smtp`` backend: any mail server, through aiosmtplib.

SMTP has no way to ask "did you already take this message?", so ``find_sent`` cannot know. Every
email carries a ``Message-ID`` derived from its notification id: if the process dies after the
server accepted the message and before the outcome was recorded, the retry sends a second copy
with the *same* Message-ID, which receiving systems and people can recognise as the same email.
"""
from __future__ import annotations

import hashlib
import re
from email.message import EmailMessage
from email.utils import formatdate

import aiosmtplib

from ..domain.policy import smtp_code_is_transient
from ..ports import Email, PermanentSendError, Receipt, TransientSendError

_SAFE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def message_id_for(notification_id: str, from_address: str) -> str:
    """A stable Message-ID for one notification: the same id always gives the same header."""
    local = notification_id if _SAFE_ID.fullmatch(notification_id) else \
        hashlib.sha256(notification_id.encode()).hexdigest()[:40]
    domain = from_address.rpartition("@")[2] or "claimflow.localhost"
    return f"<notify.{local}@{domain}>"


def build_message(email: Email, *, from_address: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = from_address
    message["To"] = email.to
    message["Subject"] = email.subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = message_id_for(email.notification_id, from_address)
    message["X-ClaimFlow-Notification-Id"] = email.notification_id
    if email.reference:
        message["X-ClaimFlow-Reference"] = email.reference
    message.set_content(email.body)
    return message


class SmtpSender:
    name = "smtp"

    def __init__(self, *, host: str, port: int, from_address: str, username: str | None = None,
                 password: str | None = None, starttls: bool = False, timeout_s: float = 30) -> None:
        self.host, self.port, self.from_address = host, port, from_address
        self.username, self.password, self.starttls, self.timeout_s = username, password, starttls, timeout_s

    async def send(self, email: Email) -> Receipt:
        message = build_message(email, from_address=self.from_address)
        try:
            await aiosmtplib.send(message, hostname=self.host, port=self.port, username=self.username,
                                  password=self.password, start_tls=self.starttls, timeout=self.timeout_s)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [r.code for r in exc.recipients]
            detail = "; ".join(f"{r.code} {r.message}" for r in exc.recipients)
            error = f"the mail server refused {email.to}: {detail}"
            if all(not smtp_code_is_transient(c) for c in codes):
                raise PermanentSendError(error) from exc
            raise TransientSendError(error) from exc
        except aiosmtplib.SMTPResponseException as exc:
            error = f"the mail server answered {exc.code} {exc.message}"
            if smtp_code_is_transient(exc.code):
                raise TransientSendError(error) from exc
            raise PermanentSendError(error) from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            # cannot connect, timed out, disconnected: the server may or may not have the message
            raise TransientSendError(f"mail server {self.host}:{self.port} unavailable: {exc}") from exc
        return Receipt(provider_id=message["Message-ID"])

    async def find_sent(self, email: Email) -> Receipt | None:
        return None  # SMTP cannot tell; see the module docstring for the resulting window
