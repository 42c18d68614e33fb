"""Dialect-specific statements that both backends support in their own words."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def insert_ignore(session: AsyncSession, table: Any) -> Any:
    """`INSERT … ON CONFLICT DO NOTHING` for the session's backend."""
    if session.bind.dialect.name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    return sqlite.insert(table).on_conflict_do_nothing()


def supports_skip_locked(session: AsyncSession) -> bool:
    return session.bind.dialect.name == "postgresql"
