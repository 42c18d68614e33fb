"""hub_subscriptions: feeds pushed by their WebSub hub

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 22:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "hub_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("feed_id", sa.Integer(), nullable=True),
        sa.Column("hub", sa.String(length=2000), nullable=False),
        sa.Column("topic", sa.String(length=2000), nullable=False),
        sa.Column("secret", sa.String(length=64), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("lease_expires_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("renew_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_notified_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["feed_id"],
            ["feeds.id"],
            name=op.f("fk_hub_subscriptions_feed_id_feeds"),
            ondelete="SET NULL",
        ),  # fmt: skip
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hub_subscriptions")),
        sa.UniqueConstraint("feed_id", name=op.f("uq_hub_subscriptions_feed_id")),
        sa.UniqueConstraint("token", name=op.f("uq_hub_subscriptions_token")),
    )
    op.create_index(
        op.f("ix_hub_subscriptions_renew_at"), "hub_subscriptions", ["renew_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_hub_subscriptions_renew_at"), table_name="hub_subscriptions")
    op.drop_table("hub_subscriptions")
