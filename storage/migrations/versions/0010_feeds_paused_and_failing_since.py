"""feeds: paused (the operator's choice, apart from disabled after failing too long) and
failing_since (when the current run of failures began, for /feeds)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 19:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # In place (ALTER TABLE ADD COLUMN), never a copy of the table: see downgrade().
    op.add_column(
        "feeds", sa.Column("paused", sa.Boolean(), server_default=sa.false(), nullable=False)
    )
    op.add_column(
        "feeds",
        sa.Column("failing_since", storage.models.UTCDateTime(timezone=True), nullable=True),
    )
    # A feed failing now has been failing since its last success at the latest.
    feeds = sa.table(
        "feeds",
        sa.column("error_count", sa.Integer()),
        sa.column("last_polled_at", storage.models.UTCDateTime(timezone=True)),
        sa.column("last_success_at", storage.models.UTCDateTime(timezone=True)),
        sa.column("failing_since", storage.models.UTCDateTime(timezone=True)),
    )
    op.execute(
        feeds.update()
        .where(feeds.c.error_count > 0)
        .values(failing_since=sa.func.coalesce(feeds.c.last_success_at, feeds.c.last_polled_at))
    )


def downgrade() -> None:
    # Not batch mode: on SQLite it copies the table and drops the old one, and the drop
    # cascades to feed_categories (foreign keys are on). Both engines drop a column in place
    # (SQLite since 3.35).
    op.execute("ALTER TABLE feeds DROP COLUMN failing_since")
    op.execute("ALTER TABLE feeds DROP COLUMN paused")
