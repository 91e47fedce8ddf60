"""Commands to the notify service and the facts it publishes about deliveries.

To send an email, a service emits ``SendNotification`` through its outbox (``uow.emit(...)``):

- ``notification_id`` is the idempotency key: derive it from the business fact so a retried handler
  produces the same id (e.g. ``f"sampling-request:{provider_sampling_id}:{address}"``). The same id
  is sent at most once, however often the command is delivered.
- ``template`` is one of ``NOTIFY_TEMPLATES``; ``personalisation`` must hold every key listed for
  it (values are strings: dates ISO ``2026-12-14``, amounts ``1072.00``, counts ``3``, links
  ``https://...``; notify formats them). A missing key fails the notification permanently.
- ``reference`` (optional) is what support searches by, e.g. a claim reference.
"""
from __future__ import annotations


from .base import Message
from .topics import NOTIFY_COMMANDS, NOTIFY_EVENTS

#: Every email template and the personalisation keys a sender must pass (docs/design.md §6 shows the
#: wording; the notify service checks its template files against this table in its tests).
NOTIFY_TEMPLATES: dict[str, tuple[str, ...]] = {
    # sampling → each email address of the accredited provider
    "provider_sampling_request": ("completion_date", "provider_name", "claim_count", "link", "link_expires_on"),
    "provider_sampling_link_resend": ("completion_date", "provider_name", "link", "link_expires_on"),
    "provider_sampling_reminder": ("completion_date", "provider_name", "claim_count"),
    # sampling → the school, when the provider says the claim is not valid
    "school_claim_not_assured": ("claim_reference", "provider_name", "school_name", "provider_comment"),
    # sampling → the school, every Tuesday while a claim is provider not approved (claim_references: "R1, R2")
    "school_sampling_reminder": ("school_name", "claim_count", "claim_references", "provider_name"),
    # payments → the school, when a clawback is requested
    "school_clawback_requested": ("school_name", "claim_reference", "clawback_amount"),
    # claims → the school, when support marks a claim's accredited provider as invalid (and weekly after)
    "school_invalid_provider": ("school_name", "claim_reference", "provider_name", "reason", "link"),
    "school_invalid_provider_reminder": ("school_name", "claim_reference", "provider_name", "link"),
    # payments → each address of PAYER_EMAIL_ADDRESSES
    "payer_claims_ready_for_payment": ("claim_count", "link", "link_expires_on"),
    "payer_claims_ready_for_clawback": ("claim_count", "link", "link_expires_on"),
    # gateway → a new user: the single-use set-password link (72 hours; link_expires in words)
    "user_invitation": ("first_name", "role_name", "link", "link_expires"),
    # payments (ECF) → each address of ECF_CONTRACT_MANAGER_EMAIL_ADDRESSES, 7 days before an output deadline
    "ecf_output_deadline_approaching": ("lead_provider_name", "cohort", "statement_name", "deadline_date"),
    # payments (ECF) → the lead provider's email address, 7 days before each of its output deadlines
    "ecf_lead_provider_deadline_reminder": ("lead_provider_name", "cohort", "statement_name", "deadline_date"),
}


class SendNotification(Message, topic=NOTIFY_COMMANDS, key="notification_id"):
    """Send one email. ``notification_id`` is the idempotency key: the same id is never sent twice."""

    notification_id: str
    template: str
    to: str
    personalisation: dict[str, str] = {}
    reference: str | None = None  # e.g. a claim reference or a provider sampling id


class NotificationDelivered(Message, topic=NOTIFY_EVENTS, key="notification_id"):
    """The backend accepted the email (GOV.UK Notify answered 201, the SMTP server said 250, or it
    was stored in the local outbox). Later bounces are the backend's to report."""

    notification_id: str
    backend: str
    template: str | None = None
    reference: str | None = None
    attempts: int | None = None


class NotificationFailed(Message, topic=NOTIFY_EVENTS, key="notification_id"):
    """The email will not be sent: ``permanent`` when the backend or the template refused it,
    otherwise the transient failures went on past the attempt limit."""

    notification_id: str
    error: str
    permanent: bool
    template: str | None = None
    reference: str | None = None
    attempts: int | None = None
