"""The payments service run in-process against the real database and broker (beside claims), and
the events and files its tests feed it."""
from __future__ import annotations

import contextlib
import random
from datetime import datetime, timedelta, timezone
from typing import Any, AsyncIterator
from urllib.parse import urlparse

import httpx
from sqlalchemy import text

from services.payments.app import create_app
from services.payments.config import PaymentsSettings
from services.payments.ports import CatchUp, Deps, FixedClock
from shared.contracts import SendNotification
from shared.contracts.topics import NOTIFY_COMMANDS
from tests.support.inprocess import in_process
from tests.support.messaging import eventually, read_topic

PAYERS = ("payer@esfa.example", "finance@esfa.example")
NOW = datetime(2026, 11, 23, 10, tzinfo=timezone.utc)


def support_user(email: str) -> dict[str, str]:
    return {"x-actor-email": email, "x-actor-role": "support"}


ALICE = support_user("alice@education.gov.uk")
BOB = support_user("bob@education.gov.uk")
CAROL = support_user("carol@education.gov.uk")


@contextlib.asynccontextmanager
async def running_payments(infra, env: dict[str, str], *, clock: FixedClock | None = None,
                           catch_up: timedelta = timedelta(seconds=5)) -> AsyncIterator[tuple[httpx.AsyncClient, Any]]:
    url = await infra.database("payments")
    settings = PaymentsSettings(PAYMENTS_DATABASE_URL=url, PAYER_EMAIL_ADDRESSES=",".join(PAYERS),
                                PUBLIC_BASE_URL="https://claimflow.example")
    counter = iter(range(1, 10**6))
    rng = random.Random(11)
    deps = Deps(clock=clock or FixedClock(NOW), new_id=lambda: f"{next(counter):04d}{rng.getrandbits(32):08x}",
                catch_up=CatchUp(within=catch_up))
    app = create_app(settings, deps)
    async with in_process(app, name="payments", token=settings.internal_api_token, settings=settings) as client:
        yield client, app


async def sql(app, statement: str, **params: Any) -> list[Any]:
    async with app.state.runtime.engine.connect() as conn:
        return list(await conn.execute(text(statement), params))


async def notifications(env: dict[str, str], *, until: int, template: str | None = None) -> list[SendNotification]:
    found = [m for m in await read_topic(env, NOTIFY_COMMANDS.name, until=until) if isinstance(m, SendNotification)]
    return [m for m in found if template is None or m.template == template]


def token_of(link: str) -> str:
    assert link.startswith("https://claimflow.example/links/payments-"), link
    return urlparse(link).path.rsplit("/", 1)[1]


def csv_file(text: str, name: str = "response.csv") -> dict[str, Any]:
    return {"file": (name, text.encode(), "text/csv")}


def submitted(reference: str, *, urn: str = "100003", hours: tuple[int, ...] = (10,), window: str = "w1",
              email: str = "office@school.example"):
    """A ClaimSubmitted as claims publishes it (Rest of England, £43.80 an hour)."""
    from decimal import Decimal

    from shared.contracts import ClaimSubmitted, MentorLine, ProviderSnapshot, SchoolSnapshot

    rate = Decimal("43.80")
    return ClaimSubmitted(
        reference=reference, status="submitted",
        school=SchoolSnapshot(urn=urn, name=f"School {urn}", local_authority="Leeds", region="Rest of England",
                              type_of_establishment="Academy converter", email=email),
        provider=ProviderSnapshot(id="p1", name="Best Practice Network"), claim_window_id=window,
        academic_year="2026/27", hourly_rate=rate, amount=rate * sum(hours),
        mentors=tuple(MentorLine(trn=f"{1000000 + i}", full_name=f"Mentor {i}", hours=h) for i, h in enumerate(hours)),
        submitted_at=NOW.isoformat())


def moved(reference: str, *path: str):
    """ClaimStatusChanged events walking a claim along ``path`` (from submitted)."""
    from shared.contracts import ClaimStatusChanged

    steps = ("submitted", *path)
    return [ClaimStatusChanged(reference=reference, from_status=a, to_status=b, caused_by="seed")
            for a, b in zip(steps, steps[1:])]


async def projected(client, status: str, count: int) -> None:
    async def there():
        body = (await client.get("/internal/v1/payments/claims", params={"status": status})).json()
        assert body["total"] == count, body
        return True
    await eventually(there)
