"""search words: exact counts of one-word text searches from a posting table

The support search matches ``q`` against ``school_name || ' ' || provider_name || ' ' || mentor_names``
with ``ILIKE '%q%'``. Counting a common word that way (a surname in 8% of a million claims) rechecks
ILIKE on tens of thousands of heap rows: 0.6 s. These tables answer the same question from compact
btree entries instead:

- ``claim_search_words (word, claim_reference)``, both ``COLLATE "C"`` (byte-wise compares: the
  distinct count sorts or merges claim references): one row per distinct word of a claim's search text,
  the words being ``string_to_table(lower(<search text>), ' ')`` minus empty strings, so exactly
  what ILIKE compares (it lowers text and pattern with ``lower()``) cut at the spaces. A ``q``
  without a space is a substring of the lowered text if and only if it is a substring of one word,
  so ``word LIKE lower('%q%')`` over the words finds exactly the claims ILIKE finds. About 11 rows
  per claim. Uniqueness is a unique index rather than a primary key, so that the seed can drop and
  rebuild it around a bulk load like the claims' other secondary indexes. (Inserting the postings
  in word order would keep a word's rows together in the heap, so an index-only scan of a common
  word checks fewer visibility-map pages: at a million claims that saves 3 to 10 ms per count but
  costs the seed a sort of 12 million rows, over 100 s. They go in unsorted.)
- ``search_vocabulary (word)``: every word that has a posting (a superset: words are never removed,
  which would make writers wait on each other), with a trigram index, so ``q`` finds its few
  matching words among hundreds of thousands.

Both are kept by triggers on claims in the same transaction as the change, in the style of 0003's
``claim_counts``: a statement-level AFTER INSERT with a transition table (one set-based statement
for a COPY or a million-row ``INSERT ... SELECT``), a row-level AFTER UPDATE OF the three text
columns with a WHEN clause (a status-only update, the consumers' hot path, fires nothing), a
statement-level AFTER DELETE, and AFTER TRUNCATE. Vocabulary words are inserted in sorted order, so
two transactions adding the same new words wait for each other in the same order (no deadlock).

Revision ID: 0004_search_words
Revises: 0003
Create Date: 2026-11-23 22:30:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0004_search_words'
down_revision = '0003'
branch_labels = None
depends_on = None


def words(row: str) -> str:
    """The distinct words of ``row``'s search text, lowered as ILIKE lowers it, cut at spaces."""
    return (f"SELECT DISTINCT word COLLATE \"C\" AS word FROM string_to_table(lower({row}.school_name || ' ' || "
            f"{row}.provider_name || ' ' || {row}.mentor_names), ' ') AS word WHERE word <> ''")


_ADD = """
    INSERT INTO search_vocabulary (word)
    SELECT DISTINCT w.word FROM {rows} CROSS JOIN LATERAL ({words}) w ORDER BY w.word ON CONFLICT DO NOTHING;
    INSERT INTO claim_search_words (word, claim_reference)
    SELECT w.word, {row}.reference FROM {rows} CROSS JOIN LATERAL ({words}) w;"""

INSERT_FUNCTION = f"""
CREATE FUNCTION claim_search_words_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN{_ADD.format(rows='new_rows n', row='n', words=words('n'))}
    RETURN NULL;
END
$$
"""
# Row level (transition tables cannot go with a column list), and only for text changes (WHEN).
UPDATE_FUNCTION = f"""
CREATE FUNCTION claim_search_words_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM claim_search_words s USING ({words('OLD')}) w
    WHERE s.word = w.word AND s.claim_reference = OLD.reference;{
    _ADD.format(rows='(SELECT NEW.reference) n(reference)', row='n', words=words('NEW'))}
    RETURN NULL;
END
$$
"""
DELETE_FUNCTION = f"""
CREATE FUNCTION claim_search_words_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        TRUNCATE claim_search_words;
        RETURN NULL;
    END IF;
    DELETE FROM claim_search_words s USING (SELECT o.reference, w.word FROM old_rows o CROSS JOIN LATERAL ({words('o')}) w) gone
    WHERE s.word = gone.word AND s.claim_reference = gone.reference;
    RETURN NULL;
END
$$
"""
TEXT_COLUMNS = "reference, school_name, provider_name, mentor_names"


def upgrade() -> None:
    op.create_table('search_vocabulary',
    sa.Column('word', sa.Text(collation='C'), nullable=False),
    sa.PrimaryKeyConstraint('word'),
    )
    op.create_index('ix_search_vocabulary_trgm', 'search_vocabulary', ['word'], postgresql_using='gin',
                    postgresql_ops={'word': 'gin_trgm_ops'})
    op.create_table('claim_search_words',
    sa.Column('word', sa.Text(collation='C'), nullable=False),
    sa.Column('claim_reference', sa.String(length=8, collation='C'), nullable=False),
    )
    op.execute(INSERT_FUNCTION)
    op.execute(UPDATE_FUNCTION)
    op.execute(DELETE_FUNCTION)
    op.execute("CREATE TRIGGER claim_search_words_insert AFTER INSERT ON claims REFERENCING NEW TABLE AS new_rows "
               "FOR EACH STATEMENT EXECUTE FUNCTION claim_search_words_insert()")
    op.execute(f"CREATE TRIGGER claim_search_words_update AFTER UPDATE OF {TEXT_COLUMNS} ON claims FOR EACH ROW "
               "WHEN ((OLD.reference, OLD.school_name, OLD.provider_name, OLD.mentor_names) IS DISTINCT FROM "
               "(NEW.reference, NEW.school_name, NEW.provider_name, NEW.mentor_names)) "
               "EXECUTE FUNCTION claim_search_words_update()")
    op.execute("CREATE TRIGGER claim_search_words_delete AFTER DELETE ON claims REFERENCING OLD TABLE AS old_rows "
               "FOR EACH STATEMENT EXECUTE FUNCTION claim_search_words_delete()")
    op.execute("CREATE TRIGGER claim_search_words_truncate AFTER TRUNCATE ON claims "
               "FOR EACH STATEMENT EXECUTE FUNCTION claim_search_words_delete()")
    # Backfill: the same statements over the existing claims, then the index (one build, not row by row).
    for statement in _ADD.format(rows='claims c', row='c', words=words('c')).split(';')[:2]:
        op.execute(statement)
    op.create_index('ux_claim_search_words', 'claim_search_words', ['word', 'claim_reference'], unique=True)


def downgrade() -> None:
    for trigger in ('claim_search_words_insert', 'claim_search_words_update', 'claim_search_words_delete',
                    'claim_search_words_truncate'):
        op.execute(f"DROP TRIGGER {trigger} ON claims")
    for function in ('claim_search_words_insert', 'claim_search_words_update', 'claim_search_words_delete'):
        op.execute(f"DROP FUNCTION {function}()")
    op.drop_table('claim_search_words')
    op.drop_table('search_vocabulary')
