"""search: the full-text index of articles (FTS5 / tsvector + GIN) and document frequencies

Builds the index for the articles already stored, with progress on stderr. The text path got
better at the article and clitics (bot/text/arabic.py), so readers' keyword terms are computed
again from the words they typed: alerts keep matching the articles' new terms.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 06:10:00.000000
"""

import sys
import time
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.text.keywords import keyword_term
from storage import search

# Keyword.term's column size (bot/readers.py MAX_TERM_LENGTH).
_TERM_CHARS = 200

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
    for statement in search.finish_statements(connection.dialect.name):
        op.execute(statement)
    _restem_keywords(connection)


def _restem_keywords(connection: sa.Connection) -> None:
    """Each keyword's term from its word, with today's text path; a reader's two words that
    now mean one term keep the older one."""
    keywords = sa.table(
        "keywords",
        sa.column("id", sa.Integer),
        sa.column("chat_id", sa.BigInteger),
        sa.column("word", sa.String),
        sa.column("term", sa.String),
        sa.column("mute", sa.Boolean),
    )
    rows = connection.execute(
        sa.select(
            keywords.c.id, keywords.c.chat_id, keywords.c.word, keywords.c.term, keywords.c.mute
        ).order_by(keywords.c.id)  # fmt: skip
    ).all()
    seen: set[tuple[int, str, bool]] = set()
    changed: dict[int, str] = {}
    for keyword_id, chat_id, word, term, mute in rows:
        new = keyword_term(word)
        if not new or len(new) > _TERM_CHARS:
            new = term
        if (chat_id, new, mute) in seen:
            connection.execute(sa.delete(keywords).where(keywords.c.id == keyword_id))
            continue
        seen.add((chat_id, new, mute))
        if new != term:
            changed[keyword_id] = new
    # Two passes: a row's new term may be another row's old one until that row moves too.
    # Terms never contain "#", so the placeholders collide with nothing.
    for final in (False, True):
        for keyword_id, new in changed.items():
            connection.execute(
                sa.update(keywords)
                .where(keywords.c.id == keyword_id)
                .values(term=new if final else f"#{keyword_id}")
            )


def downgrade() -> None:
    for statement in search.drop_statements(op.get_bind().dialect.name):
        op.execute(statement)
    op.drop_table("search_terms")
