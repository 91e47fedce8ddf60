"""Reaching the payer: one download link per payer address and one email per link (docs/design.md §4)."""
from __future__ import annotations

from shared.contracts import Actor, Refused, SendNotification

from ..ports import Clock, Payer, UnitOfWork

NO_PAYER = "You cannot send claims to the payer as no payer email address is set up (PAYER_EMAIL_ADDRESSES)"


def require_payer(payer: Payer) -> None:
    if not payer.addresses:
        raise Refused(NO_PAYER, field="payer_email_addresses")


async def email_payer(uow: UnitOfWork, clock: Clock, *, payer: Payer, kind: str, subject_id: str, file_name: str,
                      content: bytes, template: str, claim_count: int, actor: Actor | None) -> None:
    """One link per payer address (each works once), frozen with the file, and one email per link.

    The notification id comes from the batch and the address, so a retry never emails twice."""
    now = clock.now()
    for address in payer.addresses:
        token, expires = await uow.create_link(kind=kind, subject_id=subject_id, file_name=file_name,
                                               content=content, now=now, recipient=address,
                                               lifetime=payer.link_lifetime)
        uow.emit(SendNotification(
            notification_id=f"{kind}:{subject_id}:{address}", template=template, to=address,
            personalisation={"claim_count": str(claim_count), "link": payer.link(token),
                             "link_expires_on": expires.date().isoformat()},
            reference=subject_id, actor=actor, occurred_at=now))
