"""Topic registry: every topic ClaimFlow uses, what it carries and what it is keyed by.

Messages of one aggregate share a key (a claim reference, a provider id, a statement id), so they
land in one partition and are read in order. Dead letters go to ``dlq.<consumer group>``.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Topic:
    name: str
    key: str
    carries: str


CLAIMS_EVENTS = Topic("claimflow.claims.events", "claim reference",
                      "ClaimSubmitted, ClaimStatusChanged: the claim and its status (owner: claims)")
ORGANISATIONS_EVENTS = Topic("claimflow.organisations.events", "provider id / school URN",
                             "ProviderRegistered, SchoolRegistered (owner: claims)")
SAMPLING_EVENTS = Topic("claimflow.sampling.events", "claim reference",
                        "ClaimSampled, ProviderResponseRecorded, SamplingDecisionRecorded (owner: sampling)")
PAYMENTS_EVENTS = Topic("claimflow.payments.events", "claim reference",
                        "ClaimSentToPayer, PayerPaymentRecorded, PayerInformationSent, PayerRejected, "
                        "ClawbackAssessed, ClawbackDecided, ClawbackSentToPayer, PayerClawbackRecorded (owner: payments)")
ACTIVITY_EVENTS = Topic("claimflow.activity", "claim reference or 'global'",
                        "ActivityRecorded: who did what, with which files (any service; stored by claims)")
NOTIFY_COMMANDS = Topic("claimflow.notify.commands", "notification id",
                        "SendNotification: an email to send (any service; owner: notify)")
NOTIFY_EVENTS = Topic("claimflow.notify.events", "notification id",
                      "NotificationDelivered, NotificationFailed (owner: notify)")
ECF_EVENTS = Topic("claimflow.ecf.events", "statement id / mentor TRN",
                   "StatementAuthorised, EcfMentorRegistered (owner: payments, ECF module)")

ALL_TOPICS: tuple[Topic, ...] = (
    CLAIMS_EVENTS, ORGANISATIONS_EVENTS, SAMPLING_EVENTS, PAYMENTS_EVENTS,
    ACTIVITY_EVENTS, NOTIFY_COMMANDS, NOTIFY_EVENTS, ECF_EVENTS,
)
TOPIC_NAMES = {t.name for t in ALL_TOPICS}


def dead_letter_topic(group: str) -> str:
    return f"dlq.{group}"
