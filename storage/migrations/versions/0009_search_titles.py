"""search: search_titles, what ranking reads of each match (publish time, title terms); the
completions of a half-typed word from an index of search_terms

Ranking read bm25() on SQLite, which counts every query term's documents over its whole
posting list, and ts_rank on PostgreSQL, which detoasts each candidate's document: most of a
search's time at a million articles. A small row per article, written with its index entry,
tells which of the query's words the title has; the ranking is then the same on both engines.
Built here for the articles already stored (titles only: a fraction of the index's build).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 16:00:00.000000
"""

import sys
import time
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage import search

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _progress() -> object:
    started = time.monotonic()

    def report(done: int, total: int) -> None:
        elapsed = time.monotonic() - started
        print(
            f"search titles: {done:,} of {total:,} articles ({elapsed:.0f} s)",
            file=sys.stderr,
            flush=True,
        )

    return report


def upgrade() -> None:
    op.create_table(
        "search_titles",
        sa.Column("article_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("published", sa.Double(), nullable=False),
        sa.Column("terms", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_search_titles_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", name=op.f("pk_search_titles")),
    )
    search.titles_existing(op.get_bind(), report=_progress())
    op.create_index(
        "ix_search_terms_prefix",
        "search_terms",
        ["term", "df"],
        unique=False,
        postgresql_ops={"term": "text_pattern_ops"},
    )


def downgrade() -> None:
    op.drop_index("ix_search_terms_prefix", table_name="search_terms")
    op.drop_table("search_titles")
