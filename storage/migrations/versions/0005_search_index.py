"""search: the full-text index of articles (FTS5 / tsvector + GIN) and document frequencies

Builds the index for the articles already stored, with progress on stderr.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 06:10:00.000000
"""

import sys
import time
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage import search

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _progress() -> object:
    started = time.monotonic()

    def report(done: int, total: int) -> None:
        elapsed = time.monotonic() - started
        print(
            f"search index: {done:,} of {total:,} articles ({elapsed:.0f} s)",
            file=sys.stderr,
            flush=True,
        )

    return report


def upgrade() -> None:
    op.create_table(
        "search_terms",
        sa.Column("term", sa.String(length=64), nullable=False),
        sa.Column("df", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("term", name=op.f("pk_search_terms")),
    )
    connection = op.get_bind()
    for statement in search.create_statements(connection.dialect.name):
        op.execute(statement)
    search.index_existing(connection, report=_progress())


def downgrade() -> None:
    for statement in search.drop_statements(op.get_bind().dialect.name):
        op.execute(statement)
    op.drop_table("search_terms")
