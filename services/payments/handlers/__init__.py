"""Use cases of school payments and clawbacks. Each takes its unit of work and dependencies and
commits once; a refusal raises before anything is written (the unit of work rolls back)."""
from .clawbacks import (approve_clawback, cancel_clawback_response, check_clawback, clawback_view,
                        confirm_clawback_response, reject_clawback, request_clawback, send_clawbacks,
                        upload_clawback_response)
from .links import download
from .payments import (cancel_payment_response, confirm_payment_response, mark_information_sent, mark_paid,
                       reject_payment, send_to_payer, upload_payment_response)
from .projection import on_claim_status_changed, on_claim_submitted, on_provider_response

__all__ = [
    "approve_clawback", "cancel_clawback_response", "check_clawback", "clawback_view", "confirm_clawback_response",
    "reject_clawback", "request_clawback", "send_clawbacks", "upload_clawback_response", "download",
    "cancel_payment_response", "confirm_payment_response", "mark_information_sent", "mark_paid", "reject_payment",
    "send_to_payer", "upload_payment_response", "on_claim_status_changed", "on_claim_submitted",
    "on_provider_response",
]
