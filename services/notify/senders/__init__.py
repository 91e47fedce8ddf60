"""Email backends, one per ``NOTIFY_BACKEND`` value; each satisfies ``ports.Sender``."""
from __future__ import annotations

from ..config import NotifySettings
from ..ports import Sender


def build_sender(settings: NotifySettings, sessionmaker) -> Sender:
    if settings.backend == "govuk_notify":
        from .govuk import GovUkNotifySender
        return GovUkNotifySender(api_key=settings.api_key, base_url=settings.base_url,
                                 template_id=settings.govuk_template_id, reply_to_id=settings.govuk_reply_to_id or None,
                                 timeout_s=settings.send_timeout_s)
    if settings.backend == "smtp":
        from .smtp import SmtpSender
        return SmtpSender(host=settings.smtp_host, port=settings.smtp_port, from_address=settings.from_address,
                          username=settings.smtp_user or None, password=settings.smtp_password or None,
                          starttls=settings.smtp_starttls, timeout_s=settings.send_timeout_s)
    from .local_outbox import LocalOutboxSender
    return LocalOutboxSender(sessionmaker)
