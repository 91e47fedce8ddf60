"""SQL repositories of school payments and clawbacks. They never commit: the unit of work does.

Changes that pick claims ("every submitted claim of the window", "every approved clawback") are
single ``UPDATE ... RETURNING`` statements: PostgreSQL re-checks the condition on a row another
transaction changed meanwhile, so two sends at the same moment never pick the same claim.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable, Sequence

from sqlalchemy import ColumnElement, String, Table, Text, and_, any_, case, func, literal, select, text, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts import NotFound, Refused

from .domain.status import PAYABLE, outcome
from .tables import (clawback_batches, clawbacks, mentor_assurances, payer_uploads, payment_batches, payment_claims,
                     school_claim_mentors, school_claims)

#: The status payments decides on: what claims said, or where payments' own last fact is taking it.
EFFECTIVE_STATUS = func.coalesce(school_claims.c.expected_status, school_claims.c.status)
#: ClaimStatusChanged.caused_by values that are payments' own facts.
PAYMENTS_FACTS = frozenset({"ClaimSentToPayer", "PayerPaymentRecorded", "PayerInformationSent", "PayerRejected",
                            "ClawbackAssessed", "ClawbackDecided", "ClawbackSentToPayer", "PayerClawbackRecorded"})


def _array_element(column_type: Any) -> str:
    """The SQL type an array parameter of ``column_type`` is cast to: the column's own, but text for
    strings (an explicit cast to varchar(n) cuts a longer value short; the column refuses it)."""
    return "text" if isinstance(column_type, String) else column_type.compile(dialect=postgresql.dialect())


def insert_from_arrays(table: Table, columns: tuple[str, ...], conflict: str = "") -> Any:
    """``INSERT`` of rows sent as one array per column (each cast to its column's type): one
    statement text and one parameter a column whatever the number of rows."""
    unnested = ", ".join(f"CAST(:{name} AS {_array_element(table.c[name].type)}[])" for name in columns)
    return text(f"INSERT INTO {table.name} ({', '.join(columns)}) SELECT * FROM unnest({unnested}) {conflict}".rstrip())


def _upsert_from_arrays(table: Table, key: tuple[str, ...], columns: tuple[str, ...], updated: tuple[str, ...],
                        extra_set: str = "") -> Any:
    """``insert_from_arrays``, updating ``updated`` on a key conflict."""
    sets = ", ".join([f"{name} = EXCLUDED.{name}" for name in updated] + ([extra_set] if extra_set else []))
    return insert_from_arrays(table, columns, f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {sets}")


def arrays(rows: Sequence[dict[str, Any]], columns: tuple[str, ...]) -> dict[str, list[Any]]:
    return {column: [row[column] for row in rows] for column in columns}


def among(column: Any, values: Iterable[Any]) -> ColumnElement[bool]:
    """``column = ANY(:values)``: the values travel as one array parameter. An ``IN`` list binds
    one parameter a value, and PostgreSQL refuses a statement with more than 32,767 of them (a
    payer response of 200,000 references did exactly that). Strings go as text (never cut to the
    column's length), other values as the column's own type."""
    element = Text() if isinstance(column.type, String) else column.type
    return column == any_(literal(list(values), postgresql.ARRAY(element)))


# The projection's upserts (``ClaimProjection.upsert_submitted``): a claim's snapshot as submitted,
# its status only when it is new (claims' later events move it), and its mentors.
_SNAPSHOT = ("school_urn", "school_name", "school_local_authority", "school_type_of_establishment", "school_group",
             "school_email", "provider_id", "provider_name", "claim_window_id", "academic_year", "hourly_rate",
             "amount", "submitted_at")
_CLAIM_COLUMNS = ("reference", "status", *_SNAPSHOT)
_MENTOR_COLUMNS = ("claim_reference", "trn", "full_name", "hours")
_UPSERT_CLAIMS = _upsert_from_arrays(school_claims, ("reference",), _CLAIM_COLUMNS, _SNAPSHOT, "updated_at = now()")
_UPSERT_MENTORS = _upsert_from_arrays(school_claim_mentors, ("claim_reference", "trn"), _MENTOR_COLUMNS,
                                      ("full_name", "hours"))
_ASSURANCE_COLUMNS = ("claim_reference", "trn", "assured", "reason", "recorded_at")
_UPSERT_ASSURANCES = _upsert_from_arrays(mentor_assurances, ("claim_reference", "trn"), _ASSURANCE_COLUMNS,
                                         ("assured", "reason", "recorded_at"))
_PAYMENT_CLAIM_COLUMNS = ("payment_id", "claim_reference", "amount")
_INSERT_PAYMENT_CLAIMS = insert_from_arrays(payment_claims, _PAYMENT_CLAIM_COLUMNS)


def _claim_columns():
    return (*school_claims.c, EFFECTIVE_STATUS.label("effective_status"))


class ClaimProjection:
    """Payments' copy of the claims it needs (fed by claims' and sampling's events)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def upsert_submitted(self, claim: dict[str, Any], mentors: list[dict[str, Any]]) -> None:
        await self.upsert_submitted_many([claim], mentors)

    async def upsert_submitted_many(self, claims: list[dict[str, Any]], mentors: list[dict[str, Any]]) -> None:
        """Every claim of ``claims`` (distinct references, ``_CLAIM_COLUMNS`` each) and their
        ``mentors`` in two statements whose text never changes: the rows travel as arrays.

        A multi-row ``VALUES`` list is a new statement for every row count, and the driver keeps
        each one prepared on its connection: PostgreSQL held 2 MB of plan per cached statement,
        64-71 MB per payments connection after a seed (measured, seventh session)."""
        if not claims:
            return
        await self.session.execute(_UPSERT_CLAIMS, arrays(claims, _CLAIM_COLUMNS))
        if mentors:
            await self.session.execute(_UPSERT_MENTORS, arrays(mentors, _MENTOR_COLUMNS))

    async def status_changed_many(self, changes: list[Any]) -> None:
        """``status_changed`` for many claims (each at most once) in one UPDATE."""
        if not changes:
            return
        await self.session.execute(text(
            "UPDATE school_claims AS c SET status = u.to_status, updated_at = now(), expected_status = "
            "CASE WHEN NOT u.ours OR c.expected_status = u.to_status THEN NULL ELSE c.expected_status END "
            "FROM unnest(CAST(:refs AS text[]), CAST(:tos AS text[]), CAST(:ours AS boolean[])) "
            "AS u(reference, to_status, ours) WHERE c.reference = u.reference"),
            {"refs": [c.reference for c in changes], "tos": [c.to_status for c in changes],
             "ours": [c.caused_by in PAYMENTS_FACTS for c in changes]})

    async def status_changed(self, reference: str, *, to_status: str, caused_by: str) -> None:
        """Claims' word is the truth; an expectation ends when claims reaches it or another service moved the claim."""
        ours = caused_by in PAYMENTS_FACTS
        clear = (school_claims.c.expected_status == to_status) if ours else literal(True)
        await self.session.execute(update(school_claims).where(school_claims.c.reference == reference).values(
            status=to_status, updated_at=func.now(),
            expected_status=case((clear, None), else_=school_claims.c.expected_status)))

    async def record_assurance(self, reference: str, rows: list[dict[str, Any]]) -> None:
        if rows:
            await self.session.execute(_UPSERT_ASSURANCES, arrays(rows, _ASSURANCE_COLUMNS))

    async def get(self, reference: str, *, for_update: bool = False) -> dict[str, Any]:
        query = select(*_claim_columns()).where(school_claims.c.reference == reference)
        if for_update:
            query = query.with_for_update(of=school_claims)
        row = (await self.session.execute(query)).mappings().first()
        if row is None:
            raise NotFound(f"There is no claim with the reference {reference}", field="reference")
        return dict(row)

    async def expect(self, references: Sequence[str], status: str, **values: Any) -> None:
        if references:
            await self.session.execute(update(school_claims).where(among(school_claims.c.reference, references))
                                       .values(expected_status=status, updated_at=func.now(), **values))

    async def mentors(self, reference: str) -> list[dict[str, Any]]:
        rows = await self.session.execute(
            select(school_claim_mentors.c.trn, school_claim_mentors.c.full_name, school_claim_mentors.c.hours,
                   mentor_assurances.c.assured, mentor_assurances.c.reason.label("not_assured_reason"))
            .outerjoin(mentor_assurances, and_(mentor_assurances.c.claim_reference == school_claim_mentors.c.claim_reference,
                                               mentor_assurances.c.trn == school_claim_mentors.c.trn))
            .where(school_claim_mentors.c.claim_reference == reference)
            .order_by(school_claim_mentors.c.full_name, school_claim_mentors.c.trn))
        return [dict(r) for r in rows.mappings()]

    async def references_in(self, references: Iterable[str], status: str, *, for_update: bool = False) -> set[str]:
        """Which of these claims are (effectively) in ``status``; locked with ``for_update``, so a
        concurrent change is waited for and then seen."""
        refs = list(dict.fromkeys(r.strip() for r in references))
        if not refs:
            return set()
        query = select(school_claims.c.reference).where(among(school_claims.c.reference, refs),
                                                        EFFECTIVE_STATUS == status)
        if for_update:
            query = query.order_by(school_claims.c.reference).with_for_update()
        return set((await self.session.execute(query)).scalars())

    async def unknown(self, references: Sequence[str]) -> list[str]:
        """Those of ``references`` payments has not yet seen submitted (their ClaimSubmitted is still
        on its way from claims), in the given order."""
        if not references:
            return []
        rows = await self.session.execute(text(
            "SELECT r FROM unnest(CAST(:refs AS text[])) WITH ORDINALITY AS u(r, n) "
            "WHERE NOT EXISTS (SELECT FROM school_claims c WHERE c.reference = u.r) ORDER BY n"),
            {"refs": list(references)})
        return list(rows.scalars())

    async def take_submitted(self, claim_window_id: str, payment_id: str) -> list[dict[str, Any]]:
        """Mark every submitted claim of the window as sent in this payment, atomically; returns them."""
        rows = await self.session.execute(
            update(school_claims)
            .where(school_claims.c.claim_window_id == claim_window_id, EFFECTIVE_STATUS == PAYABLE)
            .values(expected_status=outcome("send to the payer"), payment_id=payment_id, updated_at=func.now())
            .returning(*school_claims.c))
        return sorted((dict(r) for r in rows.mappings()), key=lambda r: r["reference"])

    async def by_references(self, references: Sequence[str]) -> dict[str, dict[str, Any]]:
        if not references:
            return {}
        rows = await self.session.execute(select(*_claim_columns())
                                          .where(among(school_claims.c.reference, references)))
        return {r["reference"]: dict(r) for r in rows.mappings()}

    async def search(self, *, statuses: Sequence[str] = (), claim_window_id: str | None = None, page: int = 1,
                     per_page: int = 25) -> tuple[list[dict[str, Any]], int]:
        where = []
        if statuses:
            where.append(among(EFFECTIVE_STATUS, statuses))
        if claim_window_id:
            where.append(school_claims.c.claim_window_id == claim_window_id)
        rows = await self.session.execute(select(*_claim_columns()).where(and_(True, *where))
                                          .order_by(school_claims.c.reference).limit(per_page)
                                          .offset((page - 1) * per_page))
        total = await self.session.scalar(select(func.count()).select_from(school_claims).where(and_(True, *where)))
        return [dict(r) for r in rows.mappings()], total or 0

    async def submitted_by_window(self) -> list[dict[str, Any]]:
        rows = await self.session.execute(
            select(school_claims.c.claim_window_id, func.count().label("claim_count"),
                   func.sum(school_claims.c.amount).label("total_amount"))
            .where(EFFECTIVE_STATUS == PAYABLE).group_by(school_claims.c.claim_window_id)
            .order_by(school_claims.c.claim_window_id))
        return [dict(r) for r in rows.mappings()]


class PaymentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_batch(self, batch: dict[str, Any], claims: list[dict[str, Any]]) -> None:
        await self.session.execute(payment_batches.insert().values(**batch))
        if claims:
            await self.session.execute(_INSERT_PAYMENT_CLAIMS, arrays(claims, _PAYMENT_CLAIM_COLUMNS))

    async def batches(self, *, page: int, per_page: int) -> tuple[list[dict[str, Any]], int]:
        rows = await self.session.execute(select(payment_batches).order_by(payment_batches.c.created_at.desc(),
                                                                           payment_batches.c.id)
                                          .limit(per_page).offset((page - 1) * per_page))
        total = await self.session.scalar(select(func.count()).select_from(payment_batches))
        return [dict(r) for r in rows.mappings()], total or 0

    async def batch(self, payment_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        row = (await self.session.execute(select(payment_batches).where(payment_batches.c.id == payment_id))
               ).mappings().first()
        if row is None:
            raise NotFound(f"There is no payment {payment_id}", field="payment_id")
        claims = await self.session.execute(
            select(payment_claims.c.claim_reference.label("reference"), payment_claims.c.amount,
                   school_claims.c.school_name, school_claims.c.school_urn, school_claims.c.provider_name,
                   EFFECTIVE_STATUS.label("status"))
            .join(school_claims, school_claims.c.reference == payment_claims.c.claim_reference)
            .where(payment_claims.c.payment_id == payment_id).order_by(payment_claims.c.claim_reference))
        return dict(row), [dict(r) for r in claims.mappings()]


class UploadRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, row: dict[str, Any]) -> None:
        await self.session.execute(payer_uploads.insert().values(**row))

    async def get(self, upload_id: str, kind: str, *, for_update: bool = False) -> dict[str, Any]:
        query = select(payer_uploads).where(payer_uploads.c.id == upload_id, payer_uploads.c.kind == kind)
        if for_update:
            query = query.with_for_update()
        row = (await self.session.execute(query)).mappings().first()
        if row is None:
            raise NotFound(f"There is no {kind} response upload {upload_id}", field="upload_id")
        return dict(row)

    async def decide(self, upload_id: str, *, status: str, by: str | None, at: datetime) -> None:
        await self.session.execute(update(payer_uploads).where(payer_uploads.c.id == upload_id)
                                   .values(status=status, decided_by=by, decided_at=at))


class ClawbackRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, row: dict[str, Any]) -> None:
        try:
            async with self.session.begin_nested():
                await self.session.execute(clawbacks.insert().values(**row))
        except IntegrityError as exc:
            if "ux_clawbacks_open" in str(exc.orig):
                raise Refused(f"Claim {row['claim_reference']} already has a clawback in progress",
                              field="reference") from None
            raise

    async def latest(self, reference: str) -> dict[str, Any] | None:
        row = (await self.session.execute(select(clawbacks).where(clawbacks.c.claim_reference == reference)
                                          .order_by(clawbacks.c.requested_at.desc(), clawbacks.c.id.desc())
                                          .limit(1))).mappings().first()
        return dict(row) if row else None

    async def open_for_update(self, reference: str, status: str) -> dict[str, Any] | None:
        """The claim's clawback in ``status``, locked: a second approver waits, then finds it decided."""
        row = (await self.session.execute(select(clawbacks).where(
            clawbacks.c.claim_reference == reference, clawbacks.c.status == status).with_for_update())
               ).mappings().first()
        return dict(row) if row else None

    async def update(self, clawback_id: str, **values: Any) -> None:
        await self.session.execute(update(clawbacks).where(clawbacks.c.id == clawback_id).values(**values))

    async def set_status(self, references: Sequence[str], *, from_status: str, to_status: str) -> None:
        if references:
            await self.session.execute(update(clawbacks).where(
                among(clawbacks.c.claim_reference, references), clawbacks.c.status == from_status)
                .values(status=to_status))

    async def take_approved(self, batch_id: str) -> list[dict[str, Any]]:
        """Mark every approved clawback as sent in this batch, atomically; returns them."""
        rows = await self.session.execute(update(clawbacks).where(clawbacks.c.status == "approved")
                                          .values(status="sent", batch_id=batch_id).returning(*clawbacks.c))
        return sorted((dict(r) for r in rows.mappings()), key=lambda r: r["claim_reference"])

    async def add_batch(self, row: dict[str, Any]) -> None:
        await self.session.execute(clawback_batches.insert().values(**row))

    async def finish_batch(self, batch_id: str, **values: Any) -> None:
        await self.session.execute(update(clawback_batches).where(clawback_batches.c.id == batch_id).values(**values))

    async def search(self, *, statuses: Sequence[str] = (), page: int = 1, per_page: int = 25
                     ) -> tuple[list[dict[str, Any]], int]:
        where = [among(clawbacks.c.status, statuses)] if statuses else []
        query = (select(clawbacks, school_claims.c.school_name, school_claims.c.school_urn,
                        school_claims.c.provider_name, school_claims.c.amount.label("claim_amount"),
                        EFFECTIVE_STATUS.label("claim_status"))
                 .join(school_claims, school_claims.c.reference == clawbacks.c.claim_reference)
                 .where(and_(True, *where)).order_by(clawbacks.c.requested_at.desc(), clawbacks.c.id)
                 .limit(per_page).offset((page - 1) * per_page))
        rows = [dict(r) for r in (await self.session.execute(query)).mappings()]
        total = await self.session.scalar(select(func.count()).select_from(clawbacks).where(and_(True, *where)))
        return rows, total or 0

    async def batches(self, *, page: int, per_page: int) -> tuple[list[dict[str, Any]], int]:
        rows = await self.session.execute(select(clawback_batches).order_by(clawback_batches.c.created_at.desc(),
                                                                            clawback_batches.c.id)
                                          .limit(per_page).offset((page - 1) * per_page))
        total = await self.session.scalar(select(func.count()).select_from(clawback_batches))
        return [dict(r) for r in rows.mappings()], total or 0
