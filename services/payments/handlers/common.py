"""What the payments use cases share: activity lines, the payer's links and emails, upload reading."""
from __future__ import annotations

from typing import Iterable

from shared.contracts import ActivityRecorded, Actor, FileRef, Refused, SendNotification
from shared.platform.links import create_link

from ..ports import Deps
from ..unit_of_work import PaymentsUnitOfWork

NO_PAYER = "You cannot send claims to the payer as no payer email address is set up (PAYER_EMAIL_ADDRESSES)"


def claims_phrase(count: int) -> str:
    return f"{count} claim{'' if count == 1 else 's'}"


def record_activity(uow: PaymentsUnitOfWork, deps: Deps, *, title: str, action: str, actor: Actor | None,
                    references: Iterable[str] = (), files: Iterable[FileRef] = ()) -> None:
    uow.emit(ActivityRecorded(title=title, action=action, claim_references=tuple(references), files=tuple(files),
                              source="payments", actor=actor, occurred_at=deps.clock.now()))


def require_payer(deps: Deps) -> None:
    if not deps.payer.addresses:
        raise Refused(NO_PAYER, field="payer_email_addresses")


async def email_payer(uow: PaymentsUnitOfWork, deps: Deps, *, kind: str, subject_id: str, file_name: str,
                      content: bytes, template: str, claim_count: int, actor: Actor | None) -> None:
    """One link per payer address (each works once), frozen with the file, and one email per link.

    The notification id comes from the batch and the address, so a retry never emails twice."""
    now = deps.clock.now()
    for address in deps.payer.addresses:
        token, expires = await create_link(uow.session, uow.links, service="payments", kind=kind,
                                           subject_id=subject_id, file_name=file_name, content=content, now=now,
                                           recipient=address, lifetime=deps.payer.link_lifetime)
        uow.emit(SendNotification(
            notification_id=f"{kind}:{subject_id}:{address}", template=template, to=address,
            personalisation={"claim_count": str(claim_count), "link": deps.payer.link(token),
                             "link_expires_on": expires.date().isoformat()},
            reference=subject_id, actor=actor, occurred_at=now))
