"""Messages exchanged between ClaimFlow services (the only code services share about each other)."""
from .activity import ActivityRecorded, FileRef
from .base import Actor, ContractError, Message, decode, message_types
from .claims import (ClaimStatusChanged, ClaimStatusesChanged, ClaimSubmitted, ClaimWindowOpened, MentorLine,
                     ProviderRegistered, ProviderSnapshot, SchoolSnapshot, StatusChangeItem)
from .money import Money
from .errors import NotFound, Refused
from .ops import DeadLetter
from .notify import NotificationDelivered, NotificationFailed, SendNotification
from .payments import (ClaimSentToPayer, ClawbackAssessed, ClawbackDecided, ClawbackMentor,
                       ClawbackSentToPayer, PayerClawbackRecorded, PayerInformationSent,
                       PayerPaymentRecorded, PayerRejected, StatementAuthorised, EcfMentorRegistered)
from .sampling import (CLAIMS_SAMPLED_BATCH, ClaimSampled, ClaimsSampled, MentorAssurance, ProviderResponseRecorded,
                       SampledClaimItem, SamplingDecisionRecorded)
from .topics import ALL_TOPICS, Topic, dead_letter_topic

__all__ = [name for name in dir() if not name.startswith("_")]
