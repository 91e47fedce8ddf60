"""The search words (migration 0004) give one-word text searches exactly the claims and totals of
``<search text> ILIKE '%q%'``, and the triggers keep them right through inserts, edits, deletes and
truncation, while status-only updates (the consumers' hot path) touch them not at all. Since
migration 0006 they find every text search's claims (a phrase's candidates), with no trigram index
on claims for a status change to rewrite.

The reference in every comparison is the ILIKE condition itself, evaluated over the claims table.
"""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, text

from services.claims import repository
from services.claims.repository import ClaimFilters, ClaimRepository
from services.claims.tables import claims
from shared.platform.db import make_sessionmaker
from shared.platform.migrations import upgrade
from tests.support.claims_tables import (CLAIMS_SERVICE, PROVIDERS, SCHOOL_NAMES, claim_row,
                                         claims_database_at, downgrade_claims, organised_claims_database,
                                         some_claims)


#: Single-word searches: common words, rare words, partial words, case variants, LIKE wildcards,
#: apostrophes and other non-ASCII letters, words inside school and provider names, digits (TRNs,
#: references and school URNs), the mentor list's separator.
QUERIES = ["Adeyemi", "adeyemi", "ADEYEMI", "deye", "Smith", "smith", "SMITHSON", "ith", "O'Brien", "o'brien",
           "O'BRIEN", "'", "Seán", "SEÁN", "é", "É", "ë", "Zoë", "ZOË", "ΣΟΦΟΣ", "σοφοσ", "σ", "Ολυμπία",
           "İnce", "%", "_", "\\", "100%", "Under_score", "under_score", "r_s", "Back\\slash", "k\\s", "%_",
           "Hackney", "ackne", "Primary", "prim", "16553", "Mary's", "St", "Network", "SCITT", "Jones",
           "-", "Mary-Jane", ";", "smith;", "1", "12", "100001", "100003", "0", "a", "  Smith  ", "nobody",
           "x" * 40]
MULTI_WORD = ["Hackney Primary", "Ada Smith", "st mary's", "Barnet  Academy", "100% Partnership"]
#: More phrases: only pieces of one or two characters (no candidates: the ILIKE alone), pieces inside
#: words at both ends, common words in both orders, across the mentor list's separator, with digits,
#: with a piece no word holds.
PHRASES = MULTI_WORD + ["C of E", "of E", "y's C", "Ada Adeyemi", "Adeyemi Ada", "Smith; 10", "ary 16553",
                        "Teach North", "ice Net", "zz Smith", "İnce 1"]


def _escape(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


#: Other filters combined with ``q``, as ClaimFilters fields and the brute force's SQL condition.
FILTERS = [({"status": ("draft",)}, "status = 'draft'"), ({"provider_id": "prov-1"}, "provider_id = 'prov-1'"),
           ({"scope_school_urn": "100002"}, "school_urn = '100002'"),
           ({"status": ("submitted",), "provider_id": "prov-2"}, "status = 'submitted' AND provider_id = 'prov-2'")]


async def brute_force(session, q: str, condition: str = "true") -> list[str]:
    """The claims the support search must return for ``q`` (and an SQL ``condition`` standing for other
    filters), in list order, from the ILIKE condition over every row (no index, no search words)."""
    term = q.strip()
    rows = await session.execute(text(
        "SELECT reference FROM claims WHERE (reference LIKE :p "
        "OR (school_name || ' ' || provider_name || ' ' || mentor_names) ILIKE :p OR (:digits AND school_urn = :t)) "
        f"AND {condition} ORDER BY submitted_at DESC NULLS LAST, reference"),
        {"p": f"%{_escape(term)}%", "digits": term.isdigit(), "t": term})
    return list(rows.scalars())


async def postings_drift(session) -> int:
    """Rows by which the search words differ from the words recomputed from every claim's text (both
    ways), plus posting words missing from the vocabulary: 0 when the triggers kept them exact."""
    return await session.scalar(text("""
        WITH expected AS (
            SELECT DISTINCT w AS word, c.reference
            FROM claims c, regexp_split_to_table(lower(c.school_name || ' ' || c.provider_name || ' ' || c.mentor_names), ' ') w
            WHERE w <> ''),
        actual AS (SELECT word::text AS word, claim_reference::text AS reference FROM claim_search_words)
        SELECT (SELECT count(*) FROM (SELECT * FROM actual EXCEPT ALL SELECT * FROM expected) a)
             + (SELECT count(*) FROM (SELECT * FROM expected EXCEPT ALL SELECT * FROM actual) b)
             + (SELECT count(*) FROM claim_search_words s WHERE NOT EXISTS (
                    SELECT 1 FROM search_vocabulary v WHERE v.word = s.word))"""))


async def columns_of_later_revisions(session) -> None:
    """At an older revision ``claims`` lacks the columns later migrations add, which the repository
    selects; add them (empty) inside this session's transaction only, which the caller rolls back."""
    present = set(await session.scalars(text(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'claims'")))
    dialect = session.bind.dialect
    for column in claims.columns:
        if column.name not in present:
            await session.execute(text(f'ALTER TABLE claims ADD COLUMN "{column.name}" {column.type.compile(dialect)}'))


async def assert_search_matches_brute_force(session, queries, filters=({}, "true")) -> None:
    await columns_of_later_revisions(session)
    repo = ClaimRepository(session)
    fields, condition = filters
    for q in queries:
        expected = await brute_force(session, q, condition)
        items, total = await repo.search(ClaimFilters(q=q, **fields), per_page=10_000)
        assert total == len(expected), (q, fields)
        assert [i["reference"] for i in items] == expected, (q, fields)
        page, first_total = await repo.search(ClaimFilters(q=q, **fields))  # the API's default page
        assert first_total == len(expected) and [i["reference"] for i in page] == expected[:25], (q, fields)


@pytest.fixture
async def sessions(infra):
    async for sessionmaker in organised_claims_database(infra):
        yield sessionmaker


async def test_one_word_searches_find_exactly_what_ilike_finds_after_single_and_bulk_inserts(sessions):
    async with sessions() as session, session.begin():
        repo = ClaimRepository(session)
        for row in some_claims(40):  # one INSERT per claim, as a submission does
            lines = [{"claim_reference": row["reference"], "trn": line[:7], "full_name": line[8:], "hours": 1,
                      "provider_id": row["provider_id"]} for line in row["mentor_names"].split("; ")]
            await repo.add(row, lines)
        await session.execute(insert(claims), some_claims(160, offset=40))  # many rows in one statement
    async with sessions() as session:
        assert await postings_drift(session) == 0
        await assert_search_matches_brute_force(session, QUERIES + MULTI_WORD)
        assert len(await brute_force(session, "adeyemi")) > 20  # the common word is common here
        assert await session.scalar(text("SELECT count(*) FROM claim_search_words")) > 200 * 8


@pytest.mark.parametrize("filters", FILTERS, ids=[c for _, c in FILTERS])
async def test_one_word_searches_combined_with_other_filters_find_exactly_what_ilike_finds(sessions, filters):
    async with sessions() as session, session.begin():
        await session.execute(insert(claims), some_claims(150))
    async with sessions() as session:
        assert len(await brute_force(session, "adeyemi", filters[1])) > 0
        await assert_search_matches_brute_force(session, QUERIES + MULTI_WORD, filters)


@pytest.mark.parametrize("merged", [0, 1, 2])
async def test_both_ways_of_counting_the_words_agree_with_ilike(sessions, monkeypatch, merged):
    """Up to MERGED_WORDS matching words are merged word by word, more are counted in one statement:
    with the limit at 0, 1 and 2, every query goes one way or the other."""
    monkeypatch.setattr(repository, "MERGED_WORDS", merged)
    async with sessions() as session, session.begin():
        await session.execute(insert(claims), some_claims(120))
    async with sessions() as session:
        await assert_search_matches_brute_force(session, QUERIES)
        await assert_search_matches_brute_force(session, QUERIES, FILTERS[3])


async def test_editing_a_drafts_mentors_and_names_moves_its_search_words(sessions):
    async with sessions() as session, session.begin():
        await session.execute(insert(claims), some_claims(60))
    async with sessions() as session:
        draft = (await brute_force(session, "Hackney"))[0]
        before = len(await brute_force(session, "Lovelace"))
    assert before == 0
    async with sessions() as session, session.begin():
        await ClaimRepository(session).update(draft, mentor_names="7777777 Ada Lovelace; 7777778 Zoë Ñandú-Smith",
                                              school_name="Quayside Juniors", provider_name="Teach North")
    async with sessions() as session:
        assert await postings_drift(session) == 0
        assert [i["reference"] for i in (await ClaimRepository(session).search(ClaimFilters(q="lovelace")))[0]] == [draft]
        assert draft not in await brute_force(session, "Hackney")
        assert draft in await brute_force(session, "quaysi")
        await assert_search_matches_brute_force(session, QUERIES + ["Lovelace", "Quayside", "Ñandú-Smith", "7777777"])
    async with sessions() as session, session.begin():  # back to the old text: its words come back
        await ClaimRepository(session).update(draft, school_name="Hackney Primary")
    async with sessions() as session:
        assert await postings_drift(session) == 0
        assert draft in await brute_force(session, "Hackney")
        await assert_search_matches_brute_force(session, ["Hackney", "Quayside", "Lovelace"])


async def test_deleted_and_truncated_claims_leave_no_search_words(sessions):
    async with sessions() as session, session.begin():
        await session.execute(insert(claims), some_claims(80))
    async with sessions() as session, session.begin():
        gone = await brute_force(session, "adeyemi")
        await session.execute(text("DELETE FROM claims WHERE reference = ANY(:refs)"), {"refs": gone})
        await session.execute(text("DELETE FROM claims WHERE reference = (SELECT min(reference) FROM claims)"))
    async with sessions() as session:
        assert await postings_drift(session) == 0
        assert await brute_force(session, "adeyemi") == []
        assert (await ClaimRepository(session).search(ClaimFilters(q="adeyemi")))[1] == 0
        await assert_search_matches_brute_force(session, QUERIES)
    async with sessions() as session, session.begin():
        await session.execute(text("TRUNCATE claims CASCADE"))
    async with sessions() as session:
        assert await session.scalar(text("SELECT count(*) FROM claim_search_words")) == 0
        assert (await ClaimRepository(session).search(ClaimFilters(q="smith")))[1] == 0


@pytest.mark.parametrize("few, common", [(0, 0), (0, 10_000), (2, 0), (1000, 5000)],
                         ids=["walk-every-page", "probe-every-phrase", "two-are-few", "as-deployed"])
async def test_every_way_of_finding_a_texts_claims_agrees_with_ilike(sessions, monkeypatch, few, common):
    """A ``q``'s claims (a phrase's candidates) are read by reference when they are at most FEW; else a
    one-word ``q``'s page walks the list order's index, and a phrase's candidates are probed up to
    COMMON_PHRASE matches. With the limits at their ends every query goes each way: page, deeper
    page, total and export, alone and with other filters."""
    monkeypatch.setattr(repository, "FEW", few)
    monkeypatch.setattr(repository, "COMMON_PHRASE", common)
    async with sessions() as session, session.begin():
        await session.execute(insert(claims), some_claims(150))
    async with sessions() as session:
        repo = ClaimRepository(session)
        for filters in [({}, "true"), *FILTERS]:
            await assert_search_matches_brute_force(session, QUERIES + PHRASES, filters)
        for q in ["Adeyemi", "00", "Hackney Primary", "Ada Adeyemi", "C of E", "zz Smith"]:
            expected = await brute_force(session, q)
            assert [i["reference"] for i in (await repo.search(ClaimFilters(q=q), page=2, per_page=4))[0]] \
                == expected[4:8], q
            assert [c["reference"] async for c in repo.stream(ClaimFilters(q=q))] == sorted(expected), q
        everything = await session.scalar(text("SELECT count(*) FROM claims"))
        assert (await repo.search(ClaimFilters(q="   ")))[1] == everything  # a blank q is no q


async def test_no_index_of_claims_holds_the_search_text(sessions):
    """A change of the search text writes an entry in every index of claims: none may hold the text,
    whose trigrams cost a status change (before migration 0007 made it a HOT update) more than any
    other index did (migration 0006). The planner's estimates for the text come from expression
    statistics."""
    async with sessions() as session:
        definitions = (await session.execute(text(
            "SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = 'claims'::regclass"))).scalars().all()
        assert len(definitions) > 10 and not [d for d in definitions if "mentor_names" in d or "gin_trgm_ops" in d
                                               and "(reference gin_trgm_ops)" not in d]
        assert await session.scalar(text(
            "SELECT count(*) FROM pg_statistic_ext WHERE stxname = 'claims_search_text'")) == 1


async def test_status_only_updates_of_many_claims_write_no_search_words(sessions):
    async with sessions() as session, session.begin():
        await session.execute(insert(claims), some_claims(600))
    async with sessions() as session:
        before = (await session.execute(text(
            "SELECT word, claim_reference, xmin::text, ctid::text FROM claim_search_words ORDER BY 1, 2"))).all()
    async with sessions() as session, session.begin():
        # Counters of the backend's writes not yet flushed to the statistics (none is flushed inside a
        # transaction): compared at the start and at the end of the transaction.
        counted = await write_counters(session)
        # The consumers' bulk sampling statement, then single updates as apply_fact makes them.
        refs = list((await session.execute(text(
            "SELECT reference FROM claims WHERE status = 'submitted' ORDER BY reference"))).scalars())
        await session.execute(text(
            "UPDATE claims AS c SET status = u.status, sample_reason = u.reason, updated_at = now()"
            " FROM unnest(CAST(:refs AS text[]), CAST(:statuses AS text[]), CAST(:reasons AS text[]))"
            " AS u(ref, status, reason) WHERE c.reference = u.ref"),
            {"refs": refs, "statuses": ["paid"] * len(refs), "reasons": ["Random sample"] * len(refs)})
        repo = ClaimRepository(session)
        for ref in refs[:50]:
            await repo.update(ref, status="sampling_in_progress", assigned_to="support@example.com")
        # Writing the same text again (an ORM update of every column) changes no word either.
        await session.execute(text("UPDATE claims SET mentor_names = mentor_names, school_name = school_name"
                                   " WHERE reference = ANY(:refs)"), {"refs": refs[:100]})
        now = await write_counters(session)
        writes = {table: tuple(a - b for a, b in zip(now[table], counted[table])) for table in now}
        assert len(refs) > 400 and writes["claims"] == (0, len(refs) + 50 + 100, 0)
        assert writes["claim_search_words"] == (0, 0, 0)
        assert writes["search_vocabulary"] == (0, 0, 0)
    async with sessions() as session:
        after = (await session.execute(text(
            "SELECT word, claim_reference, xmin::text, ctid::text FROM claim_search_words ORDER BY 1, 2"))).all()
        assert after == before  # the very same row versions
        assert await postings_drift(session) == 0


async def write_counters(session) -> dict[str, tuple[int, int, int]]:
    """Rows inserted, updated and deleted per table by this backend, not yet flushed to the statistics."""
    rows = (await session.execute(text(
        "SELECT relname, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_xact_user_tables"
        " WHERE relname IN ('claims', 'claim_search_words', 'search_vocabulary')"))).all()
    return {r.relname: (r.n_tup_ins, r.n_tup_upd, r.n_tup_del) for r in rows}


async def test_the_migration_backfills_the_search_words_of_existing_claims(infra):
    async with claims_database_at(infra, "t_claims_backfill", "0003", claim_count=120) as (url, engine):
        async with engine.connect() as conn:
            assert await conn.scalar(text("SELECT to_regclass('claim_search_words')")) is None
        await upgrade(CLAIMS_SERVICE, url, revision="0004_search_words")
        async with make_sessionmaker(engine)() as session:
            assert await session.scalar(text("SELECT count(*) FROM claim_search_words")) > 120 * 8
            assert await postings_drift(session) == 0
            await assert_search_matches_brute_force(session, QUERIES)
        # Down and up again: the downgrade removes tables, functions and triggers cleanly.
        await downgrade_claims(url, "0003")
        async with engine.connect() as conn:
            assert await conn.scalar(text("SELECT to_regclass('claim_search_words')")) is None
            assert await conn.scalar(text("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'claim_search_words%'")) == 0
        await upgrade(CLAIMS_SERVICE, url)
        async with make_sessionmaker(engine)() as session:
            assert await postings_drift(session) == 0


async def test_migration_0006_drops_the_text_index_and_the_search_finds_the_same_claims_both_ways(infra):
    async with claims_database_at(infra, "t_claims_0006", "0005", claim_count=120) as (url, engine):
        sessionmaker = make_sessionmaker(engine)

        async def text_index_and_statistics() -> tuple[bool, bool]:
            async with engine.connect() as conn:
                return (await conn.scalar(text("SELECT to_regclass('ix_claims_search_trgm') IS NOT NULL")),
                        await conn.scalar(text(
                            "SELECT count(*) = 1 FROM pg_statistic_ext WHERE stxname = 'claims_search_text'")))

        async def searches_match_brute_force() -> None:
            async with sessionmaker() as session:
                await assert_search_matches_brute_force(session, QUERIES + PHRASES)
                # (A filter without status: the status filter reads claim_statuses, which 0007 adds.)
                await assert_search_matches_brute_force(session, ["Adeyemi", "Ada Smith", "C of E"], FILTERS[1])

        assert await text_index_and_statistics() == (True, False)
        await searches_match_brute_force()
        await upgrade(CLAIMS_SERVICE, url)
        assert await text_index_and_statistics() == (False, True)
        await searches_match_brute_force()
        await downgrade_claims(url, "0005")
        assert await text_index_and_statistics() == (True, False)
        await searches_match_brute_force()
        await upgrade(CLAIMS_SERVICE, url)
        assert await text_index_and_statistics() == (False, True)


# Random names and queries over an alphabet rich in what could break the equivalence: case pairs,
# accents, Greek sigma forms, dotted and dotless i, LIKE wildcards and escapes, apostrophes, the
# separators ' ' and ';', digits.
LETTERS = list("aAbBzZéÉëËσςΣİıiI'%_\\-;0123") + [" "]
names = st.text(alphabet=LETTERS, min_size=1, max_size=10).filter(lambda s: s.strip())


@pytest.fixture(scope="module")
async def shared_sessions(infra):
    async for sessionmaker in organised_claims_database(infra):
        yield sessionmaker


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(st.tuples(names, names, st.lists(names, min_size=1, max_size=3)), min_size=1, max_size=12),
       picks=st.lists(st.tuples(st.integers(0, 1000), st.integers(0, 1000), st.integers(1, 4), st.booleans()),
                      min_size=1, max_size=6),
       extra=st.lists(names, max_size=3))
async def test_random_names_and_queries_match_brute_force(shared_sessions, texts, picks, extra):
    rows = [claim_row(school=i % len(SCHOOL_NAMES), provider=i % len(PROVIDERS), school_name=school,
                      provider_name=provider, mentors=[(f"{1000000 + i:07d}", m) for m in mentors])
            for i, (school, provider, mentors) in enumerate(texts)]
    # Queries: pieces of the stored text (some case-swapped, some with spaces inside) and free text.
    queries = list(extra)
    for row_pick, start, length, swap in picks:
        row = rows[row_pick % len(rows)]
        whole = f"{row['school_name']} {row['provider_name']} {row['mentor_names']}"
        piece = whole[start % len(whole):][:length]
        queries.append(piece.swapcase() if swap else piece)
    async with shared_sessions() as session:  # rolled back at the end: every example starts empty
        await session.execute(insert(claims), rows)
        assert await postings_drift(session) == 0
        await assert_search_matches_brute_force(session, [q for q in queries if q.strip()])
        await session.rollback()
