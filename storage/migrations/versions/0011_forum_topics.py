"""forum topics: a binding carries the topic it posts in, and so does a planned delivery

A supergroup with topics (a forum) takes each category's posts in a topic of its own: the
subscription (a chat's binding to a category) keeps the topic's message_thread_id, and the
planner copies it onto the delivery, which the sender passes to sendMessage. NULL: the
chat itself (a channel, a plain group, a forum's General topic).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 19:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("subscriptions") as batch:
        batch.add_column(sa.Column("message_thread_id", sa.BigInteger(), nullable=True))
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("message_thread_id", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("message_thread_id")
    with op.batch_alter_table("subscriptions") as batch:
        batch.drop_column("message_thread_id")
