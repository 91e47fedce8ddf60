"""Sampling use cases, each ``async def handle_x(message, uow, clock, *, ...)``: the message is a
claims event (the projection) or a command from the internal API or the reminder job (a dataclass
beside its handler); dependencies are parameters; each use case commits once.

Rules kept here (the file rules are the domain's):
- An upload is validated completely and held pending; nothing else changes until support
  confirms. A file with any error writes nothing at all.
- Confirming or cancelling is one conditional UPDATE pending → confirmed | cancelled: two
  confirms at the same moment apply once (the second waits on the row lock, then finds the
  upload decided and answers as the first did).
- At confirm the claims are checked again (a claim that moved since the upload, or that another
  confirm is already moving, refuses the whole confirm), so sampling never asks claims to move
  one claim twice. Modules: ``projection`` (consumers), ``uploads`` (sampling and response files),
  ``support`` (decisions, links), ``reminders`` (scheduled and by hand), ``rounds`` (support's view of
  each round), ``generation`` (the sample generated in the service), ``answers`` (what upload use cases answer),
  ``provider_links`` (the provider's file and links), ``activity`` (how sampling signs its log).
- Emails go through the outbox as ``SendNotification`` with ids derived from the fact (provider
  sampling, address, purpose), so a retry never sends twice.
"""
from .activity import MAX_ACTIVITY_REFERENCES, SERVICE
from .answers import upload_view
from .generation import GenerateSample, handle_generate_sample, handle_sample_csv
from .projection import (handle_claim_submitted, handle_provider_registered, handle_status_changed,
                         handle_statuses_changed)
from .provider_links import LINK_KIND, provider_file
from .reminders import RemindProvider, SendReminders, handle_remind_provider, handle_send_reminders
from .rounds import ListRounds, handle_list_rounds, handle_round
from .support import DecideClaim, Download, ResendLink, handle_decide_claim, handle_download, handle_resend_link
from .uploads import (RESPONSE_FILE, DecideUpload, NamedFile, UploadFile, handle_cancel_upload,
                      handle_confirm_response, handle_confirm_sample, handle_response_file, handle_review,
                      handle_upload_response, handle_upload_sample)

__all__ = [
    "GenerateSample", "handle_generate_sample", "handle_sample_csv",
    "MAX_ACTIVITY_REFERENCES", "SERVICE", "upload_view", "handle_claim_submitted", "handle_provider_registered",
    "handle_status_changed", "handle_statuses_changed", "LINK_KIND", "provider_file", "DecideClaim", "Download",
    "ResendLink", "SendReminders", "handle_decide_claim", "handle_download", "handle_resend_link",
    "handle_send_reminders", "RemindProvider", "handle_remind_provider", "ListRounds", "handle_list_rounds",
    "handle_round", "DecideUpload", "UploadFile", "handle_cancel_upload", "handle_confirm_response",
    "handle_confirm_sample", "handle_review", "handle_upload_response", "handle_upload_sample",
    "RESPONSE_FILE", "NamedFile", "handle_response_file",
]
