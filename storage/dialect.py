"""Dialect-specific statements that both backends support in their own words."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql.dml import OnConflictDoNothing as _PostgresDoNothing
from sqlalchemy.dialects.sqlite.dml import OnConflictDoNothing as _SQLiteDoNothing
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.visitors import InternalTraversal


# The dialects' `insert(…).on_conflict_do_nothing()` has no cache key (their Insert sets
# inherit_cache = False, as their ON CONFLICT clauses vary), so SQLAlchemy compiled it anew
# on every execution: three or four INSERTs compiled per feed stored, most of a poll's
# statement overhead. These classes always end in a plain ON CONFLICT DO NOTHING, which
# their class (part of every cache key) says, so the statement is cached like any other.
class _PostgresDoNothingCached(_PostgresDoNothing):
    inherit_cache = True
    _traverse_internals: list[tuple[str, InternalTraversal]] = []  # no target, no options


class _SQLiteDoNothingCached(_SQLiteDoNothing):
    inherit_cache = True
    _traverse_internals: list[tuple[str, InternalTraversal]] = []


class _PostgresInsertIgnore(postgresql.Insert):
    inherit_cache = True

    def __init__(self, table: Any) -> None:
        super().__init__(table)
        self._post_values_clause = _PostgresDoNothingCached()


class _SQLiteInsertIgnore(sqlite.Insert):
    inherit_cache = True

    def __init__(self, table: Any) -> None:
        super().__init__(table)
        self._post_values_clause = _SQLiteDoNothingCached()


def insert_ignore(session: AsyncSession, table: Any) -> Any:
    """`INSERT … ON CONFLICT DO NOTHING` for the session's backend."""
    if session.bind.dialect.name == "postgresql":
        return _PostgresInsertIgnore(table)
    return _SQLiteInsertIgnore(table)


def supports_skip_locked(session: AsyncSession) -> bool:
    return session.bind.dialect.name == "postgresql"
