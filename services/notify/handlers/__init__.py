"""Notify use cases, each ``async def handle_x(message, uow, clock, *, ...)`` (the message is the
``SendNotification`` command or the dispatcher's own command, a dataclass beside its handler);
each commits once (the consumer's handler lets the consumer commit the batch).

Never twice, the order of things:
1. ``handle_send_notification`` (consumer, ``accept``): the command becomes a ``pending`` row keyed
   by its notification id, rendered there and then; a known id is a duplicate and changes nothing.
2. ``handle_claim_due`` (dispatcher): due rows become ``sending`` with ``attempts + 1`` and a lease,
   and that is **committed before** any backend is called.
3. ``attempt_delivery``: no database, no unit of work: the send step between two transactions. A
   row that was tried before (a retry, or a ``sending`` row whose process died) first asks the
   backend whether an earlier attempt got through (``Sender.find_sent``); only then does it send.
4. ``handle_attempted``: ``sent`` (publishes ``NotificationDelivered``), ``retrying`` at a
   backed-off time, or ``failed`` (publishes ``NotificationFailed`` and a dead letter to
   ``dlq.notify.send``, ``failures``).
"""
from .accept import handle_send_notification
from .delivery import Attempted, ClaimDue, Outcome, attempt_delivery, handle_attempted, handle_claim_due
from .failures import DLQ_TOPIC, SEND_GROUP, emit_failure

__all__ = ["handle_send_notification", "Attempted", "ClaimDue", "Outcome", "attempt_delivery", "handle_attempted",
           "handle_claim_due", "DLQ_TOPIC", "SEND_GROUP", "emit_failure"]
