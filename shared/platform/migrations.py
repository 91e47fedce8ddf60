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
