"""articles: an index on fetched_at, for /stats (articles stored today, this week, by day)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 13:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_articles_fetched_at", "articles", ["fetched_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_articles_fetched_at", table_name="articles")
