"""Payments use cases (school payments and clawbacks; ECF is ``services.payments.ecf``). Every
handler has one shape, ``async def handle_x(message, uow, clock, *, ...)``: the message is a claims
or sampling event (``projection``) or a command from the internal API (a frozen dataclass beside its
handler); what else a use case needs comes by keyword (``new_id``, ``payer``, ``catch_up``). Each
use case commits once (a consumer's handler lets the consumer commit its batch); a refusal raises
before anything is written (the unit of work rolls back).

Modules: ``payments`` (send to the payer, the payer's response, manual payer actions),
``clawbacks`` (request, four-eyes approval, send, the payer's response), ``links`` (the payer's
download links), ``projection`` (consumers), ``payer`` and ``activity`` (helpers of the use cases).
"""
from .clawbacks import (ApproveClawback, CheckClawback, RejectClawback, RequestClawback, SendClawbacks, ViewClawback,
                        handle_approve_clawback, handle_cancel_clawback_response, handle_check_clawback,
                        handle_confirm_clawback_response, handle_reject_clawback, handle_request_clawback,
                        handle_send_clawbacks, handle_upload_clawback_response, handle_view_clawback)
from .links import Download, handle_download
from .payments import (DecideResponse, MarkInformationSent, MarkPaid, PayerResponseFile, RejectPayment, SendToPayer,
                       handle_cancel_payment_response, handle_confirm_payment_response, handle_mark_information_sent,
                       handle_mark_paid, handle_reject_payment, handle_send_to_payer, handle_upload_payment_response)
from .projection import (handle_claim_status_batches, handle_claim_status_changed, handle_claim_statuses_changed,
                         handle_claim_submitted, handle_claims_submitted, handle_provider_response)

__all__ = [
    "ApproveClawback", "CheckClawback", "RejectClawback", "RequestClawback", "SendClawbacks", "ViewClawback",
    "handle_approve_clawback", "handle_cancel_clawback_response", "handle_check_clawback",
    "handle_confirm_clawback_response", "handle_reject_clawback", "handle_request_clawback", "handle_send_clawbacks",
    "handle_upload_clawback_response", "handle_view_clawback", "Download", "handle_download",
    "DecideResponse", "MarkInformationSent", "MarkPaid", "PayerResponseFile", "RejectPayment", "SendToPayer",
    "handle_cancel_payment_response", "handle_confirm_payment_response", "handle_mark_information_sent",
    "handle_mark_paid", "handle_reject_payment", "handle_send_to_payer", "handle_upload_payment_response",
    "handle_claim_status_batches", "handle_claim_status_changed", "handle_claim_statuses_changed",
    "handle_claim_submitted", "handle_claims_submitted", "handle_provider_response",
]
