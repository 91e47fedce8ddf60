"""Sampling use cases. Each takes its unit of work and dependencies and commits once.

Rules kept here (the file rules are the domain's):
- An upload is validated completely and held pending; nothing else changes until support
  confirms. A file with any error writes nothing at all.
- Confirming or cancelling is one conditional UPDATE pending → confirmed | cancelled: two
  confirms at the same moment apply once (the second waits on the row lock, then finds the
  upload decided and answers as the first did).
- At confirm the claims are checked again (a claim that moved since the upload, or that another
  confirm is already moving, refuses the whole confirm), so sampling never asks claims to move
  one claim twice. Modules: ``projection`` (consumers), ``uploads`` (sampling and response files),
  ``support`` (decisions, links, reminders), ``common``.
- Emails go through the outbox as ``SendNotification`` with ids derived from the fact (provider
  sampling, address, purpose), so a retry never sends twice.
"""
from .common import LINK_KIND, SERVICE, provider_file, upload_view
from .projection import project_claim_submitted, project_provider, project_status_changed
from .support import decide_claim, download, resend_link, send_reminders
from .uploads import cancel_upload, confirm_response, confirm_sample, review, upload_response, upload_sample

__all__ = [
    "LINK_KIND", "SERVICE", "provider_file", "upload_view", "project_claim_submitted", "project_provider",
    "project_status_changed", "decide_claim", "download", "resend_link", "send_reminders", "cancel_upload",
    "confirm_response", "confirm_sample", "review", "upload_response", "upload_sample",
]
