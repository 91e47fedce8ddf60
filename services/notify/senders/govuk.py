"""The ``govuk_notify`` backend, through the official ``notifications-python-client``.

All ClaimFlow wording lives in this service's template files, so the Notify service needs only one
email template, whose subject is ``((subject))`` and whose body is ``((body))``
(``NOTIFY_GOVUK_TEMPLATE_ID``). Every email is sent with ``reference = notification_id``; before
any retry the sender asks Notify for notifications with that reference, so an email Notify already
accepted is never sent again.

The client is synchronous (``requests``); calls run in a worker thread.
"""
from __future__ import annotations

import asyncio

import requests
from notifications_python_client.errors import APIError, InvalidResponse
from notifications_python_client.notifications import NotificationsAPIClient

from ..domain.policy import http_status_is_transient
from ..ports import Email, PermanentSendError, Receipt, TransientSendError


class GovUkNotifySender:
    name = "govuk_notify"

    def __init__(self, *, api_key: str, base_url: str, template_id: str, reply_to_id: str | None = None,
                 timeout_s: float = 30) -> None:
        if not api_key or not template_id:
            raise ValueError("NOTIFY_BACKEND=govuk_notify needs NOTIFY_API_KEY and NOTIFY_GOVUK_TEMPLATE_ID")
        self.template_id = template_id
        self.reply_to_id = reply_to_id
        self._api_key, self._base_url, self._timeout = api_key, base_url, timeout_s

    def _client(self) -> NotificationsAPIClient:
        # one client per call: the client keeps a requests.Session, which is not thread-safe
        return NotificationsAPIClient(self._api_key, base_url=self._base_url, timeout=self._timeout)

    async def send(self, email: Email) -> Receipt:
        def call() -> dict:
            return self._client().send_email_notification(
                email_address=email.to, template_id=self.template_id,
                personalisation={"subject": email.subject, "body": email.body},
                reference=email.notification_id, email_reply_to_id=self.reply_to_id)

        response = await self._call(call, "send the email")
        return Receipt(provider_id=str(response.get("id")) if isinstance(response, dict) else None)

    async def find_sent(self, email: Email) -> Receipt | None:
        def call() -> dict:
            return self._client().get_all_notifications(reference=email.notification_id, template_type="email")

        response = await self._call(call, "look up earlier attempts")
        found = (response or {}).get("notifications") or []
        return Receipt(provider_id=str(found[0].get("id"))) if found else None

    async def _call(self, call, what: str):
        try:
            return await asyncio.to_thread(call)
        except InvalidResponse as exc:
            raise TransientSendError(f"GOV.UK Notify gave an unreadable answer when asked to {what}") from exc
        except APIError as exc:
            # The client reports a request that got no HTTP answer as "503 Request failed"; say
            # what happened instead (an operator reading the history must not chase a 503). Its
            # own timeout is the send timeout (``timeout_s``), so it is reported as one, in the words
            # of ``handlers.attempt_delivery``, whichever of the two fires first.
            cause = exc.__cause__
            if isinstance(cause, requests.Timeout):
                raise TimeoutError from exc
            if isinstance(cause, requests.RequestException) and cause.response is None:
                raise TransientSendError(f"could not reach GOV.UK Notify to {what}: {type(cause).__name__}") from exc
            error = f"GOV.UK Notify could not {what}: {exc.status_code} {_message(exc)}"
            if http_status_is_transient(exc.status_code):
                raise TransientSendError(error) from exc
            raise PermanentSendError(error) from exc


def _message(exc: APIError) -> str:
    message = exc.message
    if isinstance(message, list):
        return "; ".join(str(m.get("message", m)) if isinstance(m, dict) else str(m) for m in message)
    return str(message)
