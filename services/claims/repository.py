"""The claims repository: claims, their mentors and history, and the support search. It never
commits: the unit of work does. Organisations are in ``organisations.py``, the activity log in
``activity.py``."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any, Iterable, Sequence

from sqlalchemy import and_, func, literal_column, or_, select, union_all, update
from sqlalchemy.sql import Subquery
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts import NotFound

from .domain.funding import PriorLine
from .tables import claim_counts, claim_mentors, claim_search_words, claims, search_vocabulary, status_changes

SORTABLE = {
    "reference": claims.c.reference, "school": claims.c.school_name, "school_name": claims.c.school_name,
    "provider": claims.c.provider_name, "provider_name": claims.c.provider_name,
    "status": claims.c.status, "amount": claims.c.amount, "submitted_at": claims.c.submitted_at,
    "claim_window_id": claims.c.claim_window_id, "academic_year": claims.c.academic_year,
    "assigned_to": claims.c.assigned_to, "school_urn": claims.c.school_urn,
}

#: Columns that can be NULL: only their sort needs NULLS LAST (on the others it would only stop the
#: planner from reading an index backwards).
NULLABLE = {"submitted_at", "assigned_to"}
#: The text the support search matches, spelt exactly as the trigram index ix_claims_search_trgm is
#: (literal separators: bound parameters would not match the index expression).
SEARCH_TEXT = (claims.c.school_name.op("||")(literal_column("' '")).op("||")(claims.c.provider_name)
               .op("||")(literal_column("' '")).op("||")(claims.c.mentor_names))


#: Up to this many search words matching a one-word ``q`` are merged in claim order (``_word_matches``).
MERGED_WORDS = 32


def _escape(term: str) -> str:
    """LIKE wildcards in what the user typed are literal."""
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _anchor(term: str) -> str | None:
    """For a phrase of several words, the word the trigram index should look up: the index intersects
    the posting lists of every trigram of the pattern, and those of common words ("primary") are
    long, so one distinctive word (one with digits, else the longest) finds the few candidates
    that the whole phrase then filters. None for a single word."""
    words = [w for w in term.split() if len(w) >= 3]
    if len(term.split()) < 2 or not words:
        return None
    return max(words, key=lambda w: (any(ch.isdigit() for ch in w), len(w)))


def _one_word(term: str) -> bool:
    """Whether ``term`` can be counted from the search words (claim_search_words, migration 0004).

    The words are the lowered search text cut at its spaces, and ILIKE compares the lowered text with
    the lowered pattern. A term without a space matches inside the text if and only if it matches
    inside one word: any occurrence of it lies between two spaces (or the ends). So for such a term
    ``word LIKE lower('%term%')`` over the words finds exactly the claims that
    ``<search text> ILIKE '%term%'`` finds. A term with a space can span words: it keeps the ILIKE.
    """
    return bool(term) and " " not in term


@dataclass(frozen=True)
class ClaimFilters:
    q: str | None = None
    status: Sequence[str] = ()
    provider_id: str | None = None
    school_urn: str | None = None
    claim_window_id: str | None = None
    academic_year: str | None = None
    submitted_from: date | None = None
    submitted_to: date | None = None
    assigned_to: str | None = None
    #: Scope set by the gateway from the signed-in user (a school or a trust sees only its own).
    scope_school_urn: str | None = None
    scope_trust_id: str | None = None


class ClaimRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def exists(self, reference: str) -> bool:
        return (await self.session.scalar(select(func.count()).where(claims.c.reference == reference))) > 0

    async def add(self, claim: dict[str, Any], mentors: list[dict[str, Any]]) -> None:
        await self.session.execute(claims.insert().values(**claim))
        await self.session.execute(claim_mentors.insert(), mentors)

    async def get(self, reference: str, *, for_update: bool = False) -> dict[str, Any]:
        query = select(claims).where(claims.c.reference == reference)
        if for_update:
            query = query.with_for_update()
        row = (await self.session.execute(query)).mappings().first()
        if row is None:
            raise NotFound(f"There is no claim with the reference {reference}", field="reference")
        return dict(row)

    async def mentors(self, reference: str) -> list[dict[str, Any]]:
        rows = await self.session.execute(select(claim_mentors).where(claim_mentors.c.claim_reference == reference)
                                          .order_by(claim_mentors.c.full_name, claim_mentors.c.trn))
        return [dict(r) for r in rows.mappings()]

    async def prior_lines(self, provider_id: str, trns: Iterable[str]) -> dict[str, list[PriorLine]]:
        """Every line of these mentors with this provider, any year (the cap picks what counts)."""
        rows = await self.session.execute(
            select(claim_mentors.c.trn, claims.c.reference, claims.c.academic_year, claims.c.status,
                   claim_mentors.c.hours)
            .join(claims, claims.c.reference == claim_mentors.c.claim_reference)
            .where(claim_mentors.c.provider_id == provider_id, claim_mentors.c.trn.in_(list(trns))))
        found: dict[str, list[PriorLine]] = {}
        for r in rows:
            found.setdefault(r.trn, []).append(PriorLine(r.reference, r.academic_year, r.status, r.hours))
        return found

    async def update(self, reference: str, **values: Any) -> None:
        await self.session.execute(update(claims).where(claims.c.reference == reference)
                                   .values(**values, updated_at=func.now()))

    async def update_mentor(self, reference: str, trn: str, **values: Any) -> None:
        await self.session.execute(update(claim_mentors).where(
            claim_mentors.c.claim_reference == reference, claim_mentors.c.trn == trn).values(**values))

    async def add_status_change(self, **row: Any) -> None:
        await self.session.execute(status_changes.insert().values(**row))

    async def history(self, reference: str) -> list[dict[str, Any]]:
        rows = await self.session.execute(select(status_changes).where(status_changes.c.claim_reference == reference)
                                          .order_by(status_changes.c.id.desc()))
        return [dict(r) for r in rows.mappings()]

    def _where(self, f: ClaimFilters) -> list[Any]:
        where: list[Any] = []
        if f.q:
            term = f.q.strip()
            like = f"%{_escape(term)}%"
            options = [claims.c.reference.like(like), SEARCH_TEXT.ilike(like)]
            if term.isdigit():
                options.append(claims.c.school_urn == term)
            where.append(or_(*options))
            anchor = _anchor(term)
            if anchor:
                # Implied by the match (only the text can hold a space: references and URNs are digits),
                # and far cheaper for the trigram index than every trigram of the whole phrase.
                where.append(SEARCH_TEXT.ilike(f"%{_escape(anchor)}%"))
        if f.status:
            where.append(claims.c.status.in_(list(f.status)))
        for column, value in ((claims.c.provider_id, f.provider_id), (claims.c.school_urn, f.school_urn),
                              (claims.c.claim_window_id, f.claim_window_id),
                              (claims.c.academic_year, f.academic_year), (claims.c.assigned_to, f.assigned_to),
                              (claims.c.school_urn, f.scope_school_urn), (claims.c.trust_id, f.scope_trust_id)):
            if value:
                where.append(column == value)
        if f.submitted_from:
            where.append(claims.c.submitted_at >= datetime.combine(f.submitted_from, datetime.min.time()))
        if f.submitted_to:
            # A range on the column itself (not date(column) <= day), so the index on submitted_at serves it.
            where.append(claims.c.submitted_at < datetime.combine(f.submitted_to + timedelta(days=1), datetime.min.time()))
        return where

    async def search(self, f: ClaimFilters, *, sort: str = "submitted_at", order: str = "desc",
                     page: int = 1, per_page: int = 25) -> tuple[list[dict[str, Any]], int]:
        """One page of claims and the exact number of claims matching ``f``.

        The order is ``<sort column> <order>, reference``, nulls last, which an index of migration
        0003 reads directly (no sort of all matches, even on deep pages).
        """
        where = self._where(f)
        column = SORTABLE.get(sort, claims.c.submitted_at)
        direction = column.asc() if order == "asc" else column.desc()
        if column.name in NULLABLE:
            direction = direction.nulls_last()
        query = (select(claims).where(and_(True, *where))
                 .order_by(direction, claims.c.reference.asc())
                 .limit(per_page).offset((page - 1) * per_page))
        rows = [dict(r) for r in (await self.session.execute(query)).mappings()]
        return rows, await self._count(f, where)

    async def _count(self, f: ClaimFilters, where: list[Any]) -> int:
        """Exact count. Filtered only by a one-word ``q``, a count of the distinct claims its search words
        and the reference and URN branches find (see ``_one_word``); filtered only by status, window,
        academic year or trust scope, a sum over the claim_counts groups (kept by triggers); otherwise
        a count over the claims' indexes."""
        if f.q and _one_word(f.q.strip()) and not self._where(replace(f, q=None)):
            matches = await self._word_matches(f.q.strip())
            return await self.session.scalar(select(func.count(matches.c.r.distinct()))) or 0
        # A q with other filters keeps the ILIKE count: the planner intersects the trigram bitmap with
        # the filter's index before any row is read, whereas checking each of tens of thousands of
        # matching words' claims against the filter reads as many claim rows (1.2 s against 0.6 s for a
        # common surname and a status, at a million claims).
        if not (f.q or f.provider_id or f.school_urn or f.assigned_to or f.scope_school_urn
                or f.submitted_from or f.submitted_to):
            groups: list[Any] = []
            if f.status:
                groups.append(claim_counts.c.status.in_(list(f.status)))
            for column, value in ((claim_counts.c.claim_window_id, f.claim_window_id),
                                  (claim_counts.c.academic_year, f.academic_year),
                                  (claim_counts.c.trust_id, f.scope_trust_id)):
                if value:
                    groups.append(column == value)
            total = await self.session.scalar(select(func.sum(claim_counts.c.n)).where(and_(True, *groups)))
            return int(total or 0)
        total = await self.session.scalar(select(func.count()).select_from(claims).where(and_(True, *where)))
        return total or 0

    async def _word_matches(self, term: str) -> Subquery:
        """The references (``r``, possibly repeated) of the claims matching a one-word ``q``: those
        holding a matching search word, and those matching the other branches of ``_where``'s
        condition (reference substring, school URN), so that they are exactly the claims that
        condition selects.

        Up to ``MERGED_WORDS`` matching words (a surname matches two: "adeyemi" and "adeyemi;"), each
        word's postings are listed in claim order, read so from the index: a distinct count merges
        them without hashing or sorting tens of thousands of matches. More words (a search of a
        letter or two) are read in one scan: slow for such broad searches, but still faster than
        ILIKE over every claim.
        """
        like = f"%{_escape(term)}%"
        words = claim_search_words.c
        matching = select(search_vocabulary.c.word).where(
            search_vocabulary.c.word.like(func.lower(like).collate("C")))
        found = list((await self.session.execute(matching.limit(MERGED_WORDS + 1))).scalars())
        if len(found) <= MERGED_WORDS:
            posted = [select(words.claim_reference.label("r")).where(words.word == word)
                      .order_by(words.claim_reference) for word in found]
        else:
            posted = [select(words.claim_reference.label("r")).where(words.word.in_(matching))]
        reference = claims.c.reference.collate("C").label("r")
        others = [select(reference).where(claims.c.reference.like(like))]
        if term.isdigit():
            others.append(select(reference).where(claims.c.school_urn == term))
        return union_all(*posted, *others).subquery()

    async def stream(self, f: ClaimFilters, *, sort: str = "reference", order: str = "asc"):
        column = SORTABLE.get(sort, claims.c.reference)
        query = select(claims).where(and_(True, *self._where(f))).order_by(
            column.asc() if order == "asc" else column.desc(), claims.c.reference)
        result = await self.session.stream(query.execution_options(yield_per=2000))
        async for row in result.mappings():
            yield dict(row)
