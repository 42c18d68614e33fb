"""Scratch PostgreSQL schemas for the benchmarks: each run gets a new schema of its own in the
database given, so that benchmarks never touch the tables of an installation."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import make_engine


@dataclass
class Schema:
    """An engine whose search_path is a new schema; `cleanup` disposes of it (and drops the
    schema unless it is kept); `label` names the server and the schema for a report."""

    engine: AsyncEngine
    label: str
    cleanup: Callable[[], Awaitable[None]]


async def scratch_schema(url: str, name: str, *, keep: bool = False) -> Schema:
    """A new schema `name` in the database at `url` (dropped first if a run left it)."""
    admin = make_engine(url)
    async with admin.begin() as connection:
        await connection.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        await connection.execute(text(f'CREATE SCHEMA "{name}"'))
    engine = make_engine(url, connect_args={"server_settings": {"search_path": name}})

    async def cleanup() -> None:
        await engine.dispose()
        if not keep:
            async with admin.begin() as connection:
                await connection.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        await admin.dispose()

    async with engine.connect() as connection:
        version = (await connection.execute(text("SHOW server_version"))).scalar_one()
    kept = "kept" if keep else "dropped after"
    return Schema(engine, f"PostgreSQL {str(version).split()[0]} (schema {name}, {kept})", cleanup)
