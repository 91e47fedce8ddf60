"""Settings of the notify service (environment variables; built in the composition root)."""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from shared.platform.settings import ServiceSettings


class NotifySettings(ServiceSettings.for_service("notify", port=8104)):
    #: Where emails go: GOV.UK Notify, any SMTP server, or the local outbox (embedded default).
    backend: Literal["govuk_notify", "smtp", "outbox"] = Field(default="outbox", validation_alias="NOTIFY_BACKEND")

    # -- what every template may use without the sender passing it ------------------------------
    product_name: str = Field(default="Claim funding for mentor training", validation_alias="NOTIFY_PRODUCT_NAME")
    support_email: str = Field(default="ittmentor.funding@education.gov.uk", validation_alias="NOTIFY_SUPPORT_EMAIL")

    # -- GOV.UK Notify ------------------------------------------------------------------------------
    #: ``{key name}-{service id}-{secret}`` as GOV.UK Notify issues it.
    api_key: str = Field(default="", validation_alias="NOTIFY_API_KEY")
    base_url: str = Field(default="https://api.notifications.service.gov.uk", validation_alias="NOTIFY_BASE_URL")
    #: One generic Notify email template whose subject is ``((subject))`` and body ``((body))``:
    #: the wording lives in this service's template files, not in the Notify dashboard.
    govuk_template_id: str = Field(default="", validation_alias="NOTIFY_GOVUK_TEMPLATE_ID")
    govuk_reply_to_id: str = Field(default="", validation_alias="NOTIFY_GOVUK_REPLY_TO_ID")

    # -- SMTP ---------------------------------------------------------------------------------------
    smtp_host: str = Field(default="127.0.0.1", validation_alias="NOTIFY_SMTP_HOST")
    smtp_port: int = Field(default=25, validation_alias="NOTIFY_SMTP_PORT")
    smtp_user: str = Field(default="", validation_alias="NOTIFY_SMTP_USER")
    smtp_password: str = Field(default="", validation_alias="NOTIFY_SMTP_PASSWORD")
    smtp_starttls: bool = Field(default=False, validation_alias="NOTIFY_SMTP_STARTTLS")
    from_address: str = Field(default="no-reply@claimflow.localhost", validation_alias="NOTIFY_FROM_ADDRESS")

    # -- delivery and retries -----------------------------------------------------------------------
    #: Attempts at one email before a transient failure becomes a permanent one (dead-lettered).
    max_attempts: int = Field(default=8, validation_alias="NOTIFY_MAX_ATTEMPTS")
    retry_base_s: float = Field(default=5.0, validation_alias="NOTIFY_RETRY_BASE_S")
    retry_cap_s: float = Field(default=900.0, validation_alias="NOTIFY_RETRY_CAP_S")
    #: A single send is abandoned after this long (then treated as a transient, ambiguous failure).
    send_timeout_s: float = Field(default=30.0, validation_alias="NOTIFY_SEND_TIMEOUT_S")
    #: How often the dispatcher looks for due emails when nothing woke it.
    poll_interval_s: float = Field(default=0.5, validation_alias="NOTIFY_POLL_INTERVAL_S")
    dispatch_batch: int = Field(default=50, validation_alias="NOTIFY_DISPATCH_BATCH")
    #: Test hook only: sleep this long after the backend accepted an email and before recording it,
    #: so a test can kill the process inside the window between sending and recording.
    test_pause_after_send_s: float = Field(default=0.0, validation_alias="NOTIFY_TEST_PAUSE_AFTER_SEND_S")

    @property
    def lease_s(self) -> float:
        """How long a claimed email is left alone before another worker treats it as abandoned.

        Longer than a send can take (sends are cut at ``send_timeout_s``), so a live sender is
        never raced by a second one."""
        return self.send_timeout_s * 2 + 1
