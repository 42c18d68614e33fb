"""broadcasts: an operator's message to every reader, sent through the outbox

A delivery now carries either an article or a broadcast (exactly one, checked), so that a
broadcast is leased, paced, retried and recorded like any article.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 19:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ONE_SUBJECT = "(article_id IS NULL) <> (broadcast_id IS NULL)"


def upgrade() -> None:
    op.create_table(
        "broadcasts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author_id", sa.BigInteger(), nullable=False),
        sa.Column("author_name", sa.String(length=255), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "draft", "sent", "cancelled", name="broadcaststate", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column("readers", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_broadcasts")),
    )
    with op.batch_alter_table("deliveries") as batch:
        batch.alter_column("article_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("broadcast_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_deliveries_broadcast_id_broadcasts"),
            "broadcasts",
            ["broadcast_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_unique_constraint("uq_deliveries_broadcast_chat", ["broadcast_id", "chat_id"])
        batch.create_check_constraint(op.f("ck_deliveries_one_subject"), ONE_SUBJECT)


def downgrade() -> None:
    op.execute("DELETE FROM deliveries WHERE broadcast_id IS NOT NULL")
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_constraint(op.f("ck_deliveries_one_subject"), type_="check")
        batch.drop_constraint("uq_deliveries_broadcast_chat", type_="unique")
        batch.drop_constraint(op.f("fk_deliveries_broadcast_id_broadcasts"), type_="foreignkey")
        batch.drop_column("broadcast_id")
        batch.alter_column("article_id", existing_type=sa.Integer(), nullable=False)
    op.drop_table("broadcasts")
