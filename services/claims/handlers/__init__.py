"""Claims use cases. Every handler has one shape, ``async def handle_x(message, uow, clock, *, ...)``:
the message is an event from another service (``shared.contracts``) or a command from the internal
API (a dataclass beside its handler); dependencies (unit of work, clock, ids, randomness) are
parameters, and each use case commits once (a consumer's handler lets the consumer commit its
batch). A refusal raises before anything is written.

Modules: ``organisations`` (schools, providers, windows), ``claims`` (submit, assign), ``drafts``
(a school's drafts and their submission), ``provider_change`` (invalid provider, reminders, ECF mentors), ``facts``
(status transitions from other services' facts, the activity log), ``sampled`` (sampling facts in
bulk).
"""
from .claims import (SUBMITTERS, AssignClaim, MentorInput, Scope, SubmitClaim, check_school_user,
                     handle_assign_claim, handle_submit_claim, submitted_event)
from .drafts import (CreateDraft, DeleteDraft, DraftMentor, SubmitDraft, UpdateDraft, allowances_for,
                     handle_create_draft, handle_delete_draft, handle_submit_draft, handle_update_draft)
from .provider_change import (ChangeProvider, MarkInvalidProvider, SendDueReminders, handle_change_provider,
                              handle_ecf_mentor_registered, handle_mark_invalid_provider, handle_send_due_reminders)
from .facts import FACTS, handle_activities, handle_activity, handle_fact, trigger_of
from .organisations import (AddClaimWindow, AddProvider, ImportSchools, handle_add_claim_window,
                            handle_add_provider, handle_import_schools, load_districts, parse_schools_csv)
from .sampled import CAUSED_BY, ItemDeadLetters, handle_claims_sampled, handle_sampled_in_bulk

#: The activity handlers under the names the benchmarks and platform tests use.
record_activity = handle_activity
record_activities = handle_activities

__all__ = [
    "SUBMITTERS", "AssignClaim", "MentorInput", "SubmitClaim", "handle_assign_claim", "handle_submit_claim",
    "submitted_event", "FACTS", "handle_activities", "handle_activity", "handle_fact", "trigger_of",
    "AddClaimWindow", "AddProvider", "ImportSchools", "handle_add_claim_window", "handle_add_provider",
    "handle_import_schools", "load_districts", "parse_schools_csv", "CAUSED_BY", "ItemDeadLetters",
    "handle_claims_sampled", "handle_sampled_in_bulk", "record_activity", "record_activities",
    "CreateDraft", "DeleteDraft", "DraftMentor", "Scope", "SubmitDraft", "UpdateDraft", "allowances_for",
    "check_school_user", "handle_create_draft", "handle_delete_draft", "handle_submit_draft", "handle_update_draft",
    "ChangeProvider", "MarkInvalidProvider", "SendDueReminders", "handle_change_provider",
    "handle_ecf_mentor_registered", "handle_mark_invalid_provider", "handle_send_due_reminders",
]
