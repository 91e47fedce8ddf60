"""Alembic, once for every service: each service keeps its schema history in ``migrations/``
with a three-line ``env.py`` that calls ``run_env``; ``upgrade`` applies it to a database."""
from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, pool
from sqlalchemy.ext.asyncio import create_async_engine


def alembic_config(service_dir: Path, url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(service_dir / "migrations"))
    cfg.set_main_option("path_separator", "os")
    cfg.set_main_option("version_locations", str(service_dir / "migrations" / "versions"))
    cfg.set_main_option("sqlalchemy.url", url)
    cfg.attributes["url"] = url
    return cfg


async def upgrade(service_dir: Path, url: str, revision: str = "head") -> None:
    """Bring a service's database to ``revision`` (run in a thread: Alembic runs its own loop)."""
    await asyncio.to_thread(command.upgrade, alembic_config(service_dir, url), revision)


def run_env(target_metadata: MetaData) -> None:
    """Body of every service's ``migrations/env.py`` (online mode, async engine)."""
    url = context.config.attributes.get("url") or context.config.get_main_option("sqlalchemy.url")

    def do_run(connection) -> None:
        context.configure(connection=connection, target_metadata=target_metadata,
                          compare_type=True, transaction_per_migration=True)
        with context.begin_transaction():
            context.run_migrations()

    async def run() -> None:
        engine = create_async_engine(url, poolclass=pool.NullPool)
        async with engine.connect() as connection:
            await connection.run_sync(do_run)
            await connection.commit()
        await engine.dispose()

    asyncio.run(run())


# --------------------------------------------------------------------------------------------
# Outbox: pending ids in their own table (every service's migration calls these)
# --------------------------------------------------------------------------------------------
_PENDING_FUNCTION = """
CREATE FUNCTION outbox_pending_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outbox_pending (id) SELECT id FROM new_rows;
    RETURN NULL;
END
$$"""
_PENDING_TRIGGER = """
CREATE TRIGGER outbox_pending_add AFTER INSERT ON outbox REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION outbox_pending_add()"""


def upgrade_outbox_pending() -> None:
    """Unpublished outbox rows are listed in ``outbox_pending`` instead of flagged in ``outbox``.

    Marking a row published used to rewrite it (``published_at``, which the unpublished index's
    predicate names, so no update was HOT): about 40 µs a row, the largest single cost of the bus.
    Now a statement-level trigger adds every new outbox row's id to ``outbox_pending`` in the same
    statement (whoever writes the row: the unit of work, set-based SQL, the seed), and the relay
    deletes the ids once the broker acknowledged them; ``outbox`` itself is never updated. The
    btree on ``created_at`` (used only by the purge and ``outbox republish --since``) becomes a
    BRIN index: rows arrive in time order, and a BRIN costs nothing per insert."""
    from alembic import op

    op.execute("CREATE TABLE outbox_pending (id bigint PRIMARY KEY)")
    op.execute("INSERT INTO outbox_pending (id) SELECT id FROM outbox WHERE published_at IS NULL")
    op.execute(_PENDING_FUNCTION)
    op.execute(_PENDING_TRIGGER)
    op.drop_index("ix_outbox_unpublished", table_name="outbox")
    op.drop_index("ix_outbox_created_at", table_name="outbox")
    op.execute("CREATE INDEX ix_outbox_created_at ON outbox USING brin (created_at)")
    op.drop_column("outbox", "published_at")


def downgrade_outbox_pending() -> None:
    """Back to the ``published_at`` flag: rows still pending are unpublished, the others are
    published (as of the downgrade: when they were is not kept)."""
    import sqlalchemy as sa
    from alembic import op

    op.add_column("outbox", sa.Column("published_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE outbox SET published_at = now() WHERE id NOT IN (SELECT id FROM outbox_pending)")
    op.drop_index("ix_outbox_created_at", table_name="outbox")
    op.create_index("ix_outbox_created_at", "outbox", ["created_at"])
    op.create_index("ix_outbox_unpublished", "outbox", ["id"], postgresql_where=sa.text("published_at IS NULL"))
    op.execute("DROP TRIGGER outbox_pending_add ON outbox")
    op.execute("DROP FUNCTION outbox_pending_add()")
    op.execute("DROP TABLE outbox_pending")


def create_status_list(*, table: str, status_list: str, columns: tuple[str, ...]) -> None:
    """Keep ``status_list`` (``reference`` and ``columns``, already created) equal to those columns
    of ``table``, filled now and kept by statement-level triggers in the same transaction as every
    write to ``table`` (the service's code, set-based SQL, a seed, COPY).

    Its use: ``table`` then needs no index naming a status, so a status change there is a HOT update
    (no index entry; with a ``fillfactor`` leaving room on the page), and the status's index lives
    on the narrow list instead. The list is written only when one of ``columns`` changes. A row's
    ``reference`` is its primary key and never changes. The changed rows are found by primary key,
    one probe each: left to itself, the planner hashes the whole list for a statement of a few
    thousand rows (38 of 82 ms for 3,000 claims among 100,000)."""
    from alembic import op

    listed = ", ".join(columns)
    changed = " OR ".join(f"s.{c} IS DISTINCT FROM n.{c}" for c in columns)
    assign = ", ".join(f"{c} = n.{c}" for c in columns)
    # Each branch names only the transition tables its trigger declares (PL/pgSQL plans a statement
    # when it first runs it).
    op.execute(f"""
CREATE FUNCTION {status_list}_apply() RETURNS trigger LANGUAGE plpgsql
SET enable_hashjoin = off SET enable_mergejoin = off AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM {status_list};
    ELSIF TG_OP = 'INSERT' THEN
        INSERT INTO {status_list} (reference, {listed}) SELECT reference, {listed} FROM new_rows;
    ELSIF TG_OP = 'DELETE' THEN
        DELETE FROM {status_list} s USING old_rows o WHERE s.reference = o.reference;
    ELSE
        UPDATE {status_list} s SET {assign} FROM new_rows n WHERE s.reference = n.reference AND ({changed});
    END IF;
    RETURN NULL;
END
$$""")
    op.execute(f"INSERT INTO {status_list} (reference, {listed}) SELECT reference, {listed} FROM {table}")
    for operation, transition in _STATUS_LIST_TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {status_list}_{operation.lower()} AFTER {operation} ON {table} {transition} "
                   f"FOR EACH STATEMENT EXECUTE FUNCTION {status_list}_apply()")


def drop_status_list(*, table: str, status_list: str) -> None:
    """Remove ``create_status_list``'s triggers and function (the list's table is the caller's)."""
    from alembic import op

    for operation in _STATUS_LIST_TRIGGERS:
        op.execute(f"DROP TRIGGER {status_list}_{operation.lower()} ON {table}")
    op.execute(f"DROP FUNCTION {status_list}_apply()")


_STATUS_LIST_TRIGGERS = {"INSERT": "REFERENCING NEW TABLE AS new_rows", "UPDATE": "REFERENCING NEW TABLE AS new_rows",
                         "DELETE": "REFERENCING OLD TABLE AS old_rows", "TRUNCATE": ""}


# --------------------------------------------------------------------------------------------
# A foreign key checked once per statement
# --------------------------------------------------------------------------------------------
def create_statement_foreign_key(*, name: str, table: str, column: str, parent: str, parent_column: str) -> None:
    """``table.column`` references ``parent.parent_column`` (``ON DELETE CASCADE``), enforced by
    statement-level triggers instead of PostgreSQL's per-row ones.

    Why: a foreign key checks each new child row on its own and locks the parent row ``FOR KEY
    SHARE``, which writes the parent's tuple header and a WAL record even when the same statement
    has just updated that parent. For a claim's history row written with its status change that
    was 11 of 60 µs of the claims database's CPU per claim (measured A/B at 100,000 claims); the
    check below, one primary-key probe per row and no lock, costs about 1.

    What is the same: an insert or update of ``table`` naming a missing parent fails with SQLSTATE
    23503 (``foreign_key_violation``) at the end of the statement; deleting parents deletes their
    children; truncating the parent truncates ``table``; a parent key that children reference
    cannot change. What is not: the parent row is not locked, so a parent deleted by a concurrent
    transaction between the check and the commit would leave orphans. Use it only where parents
    are never deleted while children are written (claims are never deleted)."""
    from alembic import op

    # Each branch names only the transition table its trigger declares; probes by primary key,
    # never a hash of the whole parent (``create_status_list`` says why).
    op.execute(f"""
CREATE FUNCTION {name}_check() RETURNS trigger LANGUAGE plpgsql
SET enable_hashjoin = off SET enable_mergejoin = off AS $$
DECLARE
    missing text;
BEGIN
    SELECT n.{column} INTO missing FROM new_rows n
    WHERE n.{column} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE p.{parent_column} = n.{column})
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'insert or update on table "{table}" violates foreign key constraint "{name}"'
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = '{name}', TABLE = '{table}',
                  DETAIL = format('Key ({column})=(%s) is not present in table "{parent}".', missing);
    END IF;
    RETURN NULL;
END
$$""")
    op.execute(f"""
CREATE FUNCTION {name}_cascade() RETURNS trigger LANGUAGE plpgsql
SET enable_hashjoin = off SET enable_mergejoin = off AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        TRUNCATE {table};
    ELSIF TG_OP = 'DELETE' THEN
        DELETE FROM {table} c USING old_rows o WHERE c.{column} = o.{parent_column};
    ELSIF EXISTS (SELECT 1 FROM {table} c WHERE c.{column} = OLD.{parent_column}) THEN
        RAISE EXCEPTION 'update on table "{parent}" violates foreign key constraint "{name}" on table "{table}"'
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = '{name}', TABLE = '{parent}',
                  DETAIL = format('Key ({parent_column})=(%s) is still referenced from table "{table}".',
                                  OLD.{parent_column});
    END IF;
    RETURN NULL;
END
$$""")
    for operation in ("INSERT", "UPDATE"):
        op.execute(f"CREATE TRIGGER {name}_{operation.lower()} AFTER {operation} ON {table} "
                   f"REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {name}_check()")
    op.execute(f"CREATE TRIGGER {name}_delete AFTER DELETE ON {parent} REFERENCING OLD TABLE AS old_rows "
               f"FOR EACH STATEMENT EXECUTE FUNCTION {name}_cascade()")
    op.execute(f"CREATE TRIGGER {name}_truncate AFTER TRUNCATE ON {parent} "
               f"FOR EACH STATEMENT EXECUTE FUNCTION {name}_cascade()")
    # Only an update that names the key and changes it (never one of a status change).
    op.execute(f"CREATE TRIGGER {name}_key AFTER UPDATE OF {parent_column} ON {parent} FOR EACH ROW "
               f"WHEN (OLD.{parent_column} IS DISTINCT FROM NEW.{parent_column}) EXECUTE FUNCTION {name}_cascade()")


def drop_statement_foreign_key(*, name: str, table: str, parent: str) -> None:
    """Remove ``create_statement_foreign_key``'s triggers and functions."""
    from alembic import op

    for trigger, on in ((f"{name}_insert", table), (f"{name}_update", table), (f"{name}_delete", parent),
                        (f"{name}_truncate", parent), (f"{name}_key", parent)):
        op.execute(f"DROP TRIGGER {trigger} ON {on}")
    op.execute(f"DROP FUNCTION {name}_check()")
    op.execute(f"DROP FUNCTION {name}_cascade()")


# --------------------------------------------------------------------------------------------
# Outbox: payloads stored as json text (every service's migration calls these)
# --------------------------------------------------------------------------------------------
def upgrade_outbox_json() -> None:
    """The outbox's ``payload`` is ``json`` instead of ``jsonb``.

    Nothing reads inside a stored payload on the hot path: the relay publishes its text, and
    ``outbox republish`` reads the text too. As ``jsonb``, each payload was lexed, built into a
    binary tree with its keys sorted, and serialised back to text for the relay; as ``json`` it is
    checked once and stored and read as it is (the outbox write, with its pending-list trigger:
    23.6 -> 13.6 µs of PostgreSQL a row, ``uow._INSERT_OUTBOX``). ``->`` and ``->>`` still work on
    it, and SQL that builds ``jsonb`` payloads still inserts (jsonb to json is an assignment cast).
    Rewrites the outbox once (the kept rows of the retention period)."""
    from alembic import op

    op.execute("ALTER TABLE outbox ALTER COLUMN payload TYPE json USING payload::json")


def downgrade_outbox_json() -> None:
    from alembic import op

    op.execute("ALTER TABLE outbox ALTER COLUMN payload TYPE jsonb USING payload::jsonb")
