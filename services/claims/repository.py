"""The claims repository: claims, their mentors and history, and the support search. It never
commits: the unit of work does. Organisations are in ``organisations.py``, the activity log in
``activity.py``."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any, Iterable, Sequence

from sqlalchemy import String, and_, any_, bindparam, cast, func, literal_column, or_, select, union_all, update
from sqlalchemy import text as sql_text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql import Subquery
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts import NotFound
from shared.contracts.identifiers import is_ascii_digits
from shared.platform.db import containing

from .domain.funding import PriorLine
from .tables import (claim_counts, claim_mentors, claim_search_words, claim_statuses, claims, search_vocabulary,
                     status_changes)

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
#: The text the support search matches (``ILIKE '%q%'``): the text whose words migration 0004's search
#: words hold. (Literal separators: the claims once had a trigram index on this expression, which bound
#: parameters would not have matched; migration 0006 dropped it.)
SEARCH_TEXT = (claims.c.school_name.op("||")(literal_column("' '")).op("||")(claims.c.provider_name)
               .op("||")(literal_column("' '")).op("||")(claims.c.mentor_names))


#: Up to this many search words matching a one-word ``q`` are merged in claim order (``_word_matches``).
MERGED_WORDS = 32
#: A text search with at most this many candidate claims reads them by reference, then filters and
#: sorts them (a few milliseconds); one with more matches common text, whose first page the list
#: order's index finds within its first rows (``TextMatches``).
FEW = 1000
#: A phrase matching more claims than this has its page found by walking the list order's index, fewer
#: by probing its candidates. The walk reads about 25 × <claims> / <matches> claims for a first page,
#: the probe at least <matches>: at a million claims the two meet near 5,000 ("Amara Adeyemi", 3,366
#: matches among 6,721 candidates: probed; "Norwich Primary", 13,361 matches: walked).
COMMON_PHRASE = 5000


def _pieces(phrase: str) -> list[str]:
    """The pieces of a phrase that can find its candidates: its runs of characters other than a space,
    of three characters or more, most distinctive first (those with digits, then the longest).

    Where the phrase occurs in a claim's search text, each piece occurs inside one of the text's words
    (a space of the phrase is a space of the text), so the claims holding a word that contains every
    piece are candidates for the phrase: a superset that the ILIKE then filters. Pieces of one or two
    characters are inside most words, so they find no fewer candidates worth the reading."""
    pieces = [p for p in phrase.split(" ") if len(p) >= 3]
    return sorted(pieces, key=lambda p: (not any(is_ascii_digits(ch) for ch in p), -len(p)))


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
class TextMatches:
    """How the claims a non-blank ``q`` matches are found: from the search words, not from a trigram
    index on claims (which made every status change write dozens of index entries; migration 0006).

    ``matches`` selects references ``r`` (``COLLATE "C"``, repeats possible). For a one-word ``q`` they
    are exactly the claims matching it (``exact``; see ``_one_word``). For a phrase they are its
    candidates, the claims holding words that contain its two most distinctive pieces (``_pieces``),
    which the ILIKE filters; ``matches`` is None for a phrase without a piece of three characters
    ("C of E"), which only the ILIKE over the claims can find. ``few`` lists the references when
    ``matches`` selects at most ``FEW`` rows.
    """
    matches: Subquery | None
    few: list[str] | None
    exact: bool

    def candidates(self, total: int) -> list[Any]:
        """The condition that makes a query read only the candidates, by reference, given the exact
        ``total``. None when the matches are many (a one-word ``q`` with more than ``FEW``, a phrase
        with more than ``COMMON_PHRASE``): the list order's index then finds the first page within its
        first rows, checking the ILIKE on each claim, which reading every candidate would cost more
        than."""
        if self.few is not None:
            return [claims.c.reference == any_(bindparam("few", self.few, type_=ARRAY(String)))]
        if self.matches is not None and not self.exact and total <= COMMON_PHRASE:
            return [self.probed()]
        return []

    def probed(self) -> Any:
        """The candidates as an array the primary key is probed with, one look-up per candidate (a
        join could instead scan every claim and check the ILIKE on each: 0.8 s against 0.13 s for
        "Norwich Primary", 13,361 claims at a million)."""
        listed = select(func.array_agg(self.matches.c.r.collate("default"))).scalar_subquery()
        return claims.c.reference == any_(cast(listed, ARRAY(String)))


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
        if mentors:  # a draft may have none yet
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

    @staticmethod
    def _claims(f: ClaimFilters) -> Any:
        """What a search of ``f`` reads: the claims, joined to their status rows when ``f`` filters by
        status (no index of claims names ``status``, so that a status change is a HOT update; the
        status filter's index is on claim_statuses, migration 0007)."""
        if f.status:
            return claims.join(claim_statuses, claim_statuses.c.reference == claims.c.reference)
        return claims

    def _where(self, f: ClaimFilters) -> list[Any]:
        """The condition a matching claim of ``_claims(f)`` meets (a blank ``q`` matches every claim,
        as no ``q`` does)."""
        where: list[Any] = []
        if f.q and f.q.strip():
            term = f.q.strip()
            like = containing(term)
            options = [claims.c.reference.like(like), SEARCH_TEXT.ilike(like)]
            if is_ascii_digits(term):
                options.append(claims.c.school_urn == term)
            where.append(or_(*options))
        if f.status:
            where.append(claim_statuses.c.status.in_(list(f.status)))
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
        0003 reads directly (no sort of all matches, even on deep pages); filtered by status and newest
        first, the same order of claim_statuses, whose index is in that order behind the status. With a
        ``q`` the count comes first: how many claims match decides how the page finds them
        (``TextMatches.candidates``).
        """
        where = self._where(f)
        text = await self._text_matches(f.q.strip()) if f.q and f.q.strip() else None
        total = await self._count(f, where, text)
        column, reference = SORTABLE.get(sort, claims.c.submitted_at), claims.c.reference
        if f.status and column is claims.c.submitted_at:
            # The same values (the triggers keep them in the same transaction), in an indexed order.
            column, reference = claim_statuses.c.submitted_at, claim_statuses.c.reference
        direction = column.asc() if order == "asc" else column.desc()
        if column.name in NULLABLE:
            direction = direction.nulls_last()
        query = (select(claims).select_from(self._claims(f))
                 .where(and_(True, *where, *(text.candidates(total) if text else [])))
                 .order_by(direction, reference.asc())
                 .limit(per_page).offset((page - 1) * per_page))
        if f.status:
            # Joined to the status list, a page in another order (two statuses by amount) was planned
            # with two parallel workers, whose start cost 8 of the 11 ms of reading 46 claims.
            await self.session.execute(sql_text("SET LOCAL max_parallel_workers_per_gather = 0"))
        return [dict(r) for r in (await self.session.execute(query)).mappings()], total

    async def _count(self, f: ClaimFilters, where: list[Any], text: TextMatches | None) -> int:
        """Exact count. With a ``q``, from its matches (``_text_count``). Filtered only by status,
        window, academic year or trust scope, a sum over the claim_counts groups (kept by triggers);
        otherwise a count over the claims' indexes."""
        if text is not None:
            return await self._text_count(f, where, text)
        if not (f.provider_id or f.school_urn or f.assigned_to or f.scope_school_urn
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
        total = await self.session.scalar(select(func.count()).select_from(self._claims(f)).where(and_(True, *where)))
        return total or 0

    async def _text_count(self, f: ClaimFilters, where: list[Any], text: TextMatches) -> int:
        """The exact number of claims matching ``f`` with its ``q``: the few candidates read by
        reference; a one-word ``q``'s distinct matches, or those of them passing the other filters;
        a common phrase's candidates probed by reference; the ILIKE over the claims for a phrase
        without candidates."""
        count = select(func.count()).select_from(self._claims(f))
        if text.few is not None:
            return await self.session.scalar(count.where(*where, *text.candidates(total=0))) or 0
        if text.matches is None:
            return await self.session.scalar(count.where(*where)) or 0
        if not text.exact:
            return await self.session.scalar(count.where(*where, text.probed())) or 0
        others = self._where(replace(f, q=None))
        if not others:
            return await self.session.scalar(select(func.count(text.matches.c.r.distinct()))) or 0
        if f.status and not self._where(replace(f, q=None, status=())):
            # Only a status besides the q: the status list's index holds both status and reference, so
            # the claims are not read at all (joined to them, a surname and a status took 1 s).
            return await self.session.scalar(select(func.count()).select_from(claim_statuses).where(
                claim_statuses.c.status.in_(list(f.status)),
                claim_statuses.c.reference.collate("C").in_(select(text.matches.c.r)))) or 0
        # The matches are exact, so no ILIKE: the other filters' claims (often straight from an index
        # that holds the reference) hashed against the matches. Compared in "C", which no index of
        # claims serves, so the planner cannot choose to probe the primary key once per match (79,271
        # probes and heap reads for a common surname and a status: 0.5 s, against 0.1 to 0.2 s).
        return await self.session.scalar(count.where(
            *others, claims.c.reference.collate("C").in_(select(text.matches.c.r)))) or 0

    async def _text_matches(self, term: str) -> TextMatches:
        """The matches of a non-blank ``q``, or a phrase's candidates (``TextMatches``)."""
        if _one_word(term):
            matches = await self._word_matches(term, whole_q=True)
            return TextMatches(matches, await self._few(matches), exact=True)
        pieces = _pieces(term)
        if not pieces:
            return TextMatches(None, None, exact=False)
        matches = await self._word_matches(pieces[0])
        few = await self._few(matches)
        if few is None and len(pieces) > 1:
            # Both words of "Amara Adeyemi" are common (70,000 and 80,000 claims at a million); the
            # claims holding both are 6,700.
            other = await self._word_matches(pieces[1])
            matches = (select(matches.c.r).select_from(matches.join(other, matches.c.r == other.c.r))
                       .subquery())
            few = await self._few(matches)
        return TextMatches(matches, few, exact=False)

    async def _few(self, matches: Subquery) -> list[str] | None:
        """The distinct references ``matches`` selects if it selects at most ``FEW`` rows (reading at most
        ``FEW + 1`` of them), else None. (Rows, not distinct references: a claim holding two matching
        words is selected twice, so ``FEW`` distinct references among ``FEW + 1`` rows are not all.)"""
        rows = list((await self.session.execute(select(matches.c.r).limit(FEW + 1))).scalars())
        return sorted(set(rows)) if len(rows) <= FEW else None

    async def _word_matches(self, piece: str, *, whole_q: bool = False) -> Subquery:
        """The references (``r``, possibly repeated) of the claims holding a search word that contains
        ``piece``, and, if ``piece`` is a whole one-word ``q``, of those matching the other branches of
        ``_where``'s condition (reference substring, school URN), so that they are exactly the claims
        that condition selects.

        Up to ``MERGED_WORDS`` matching words (a surname matches two: "adeyemi" and "adeyemi;"), each
        word's postings are listed in claim order, read so from the index: a distinct count merges
        them without hashing or sorting tens of thousands of matches. More words (a search of a
        letter or two) are read in one scan: slow for such broad searches, but still faster than
        ILIKE over every claim.
        """
        like = containing(piece)
        words = claim_search_words.c
        matching = select(search_vocabulary.c.word).where(
            search_vocabulary.c.word.like(func.lower(like).collate("C")))
        found = list((await self.session.execute(matching.limit(MERGED_WORDS + 1))).scalars())
        if len(found) <= MERGED_WORDS:
            posted = [select(words.claim_reference.label("r")).where(words.word == word)
                      .order_by(words.claim_reference) for word in found]
        else:
            posted = [select(words.claim_reference.label("r")).where(words.word.in_(matching))]
        others = []
        if whole_q:
            reference = claims.c.reference.collate("C").label("r")
            others.append(select(reference).where(claims.c.reference.like(like)))
            if is_ascii_digits(piece):
                others.append(select(reference).where(claims.c.school_urn == piece))
        if not posted and not others:  # no word holds the piece: no candidate (a query needs a branch)
            posted = [select(words.claim_reference.label("r")).where(False)]
        return union_all(*posted, *others).subquery()

    async def stream(self, f: ClaimFilters, *, sort: str = "reference", order: str = "asc"):
        """Every claim matching ``f``; a ``q``'s few or phrase candidates are read by reference."""
        text = await self._text_matches(f.q.strip()) if f.q and f.q.strip() else None
        only = text.candidates(total=0) if text else []  # an export reads every match: no walk to stop early
        column = SORTABLE.get(sort, claims.c.reference)
        query = select(claims).select_from(self._claims(f)).where(and_(True, *self._where(f), *only)).order_by(
            column.asc() if order == "asc" else column.desc(), claims.c.reference)
        result = await self.session.stream(query.execution_options(yield_per=2000))
        async for row in result.mappings():
            yield dict(row)
