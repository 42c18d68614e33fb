"""The delivery outbox: planned before anything is sent, leased by senders, never lost."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.dialect import insert_ignore, supports_skip_locked
from storage.models import Delivery, DeliveryStatus


async def plan(
    session: AsyncSession,
    rows: Iterable[tuple[int, int, int, DeliveryStatus]],
    now: datetime,
) -> None:
    """Stage (article id, chat id, priority, status) deliveries; an existing pair is kept."""
    values = [
        {
            "article_id": article_id,
            "chat_id": chat_id,
            "priority": priority,
            "status": status,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for article_id, chat_id, priority, status in rows
    ]
    if values:
        await session.execute(insert_ignore(session, Delivery), values)


async def lease_due(
    session: AsyncSession, now: datetime, *, limit: int, lease: timedelta
) -> Sequence[Delivery]:
    """Take due deliveries, channels first then older articles, and hold them for `lease`.

    A sender that dies mid-send gives its rows back when the lease runs out; that row may then
    be sent again, which is the only way a message can be doubled.
    """
    query = (
        select(Delivery)
        .where(Delivery.status == DeliveryStatus.PENDING, Delivery.next_attempt_at <= now)
        .order_by(Delivery.priority, Delivery.article_id, Delivery.id)
        .limit(limit)
    )
    if supports_skip_locked(session):
        query = query.with_for_update(skip_locked=True)
    rows = (await session.scalars(query)).all()
    for row in rows:
        row.next_attempt_at = now + lease
    await session.flush()
    return rows


_OUTCOME_COLUMNS = ("status", "last_error", "message_id", "sent_at", "attempts", "next_attempt_at")
# One executemany per write; Core, because the ORM's bulk update costs more per row.
_RECORD = (
    update(Delivery.__table__)  # type: ignore[arg-type]
    .where(Delivery.__table__.c.id == bindparam("delivery_id"))
    .values({name: bindparam(name) for name in _OUTCOME_COLUMNS})
)


async def record(session: AsyncSession, outcomes: list[dict[str, Any]]) -> None:
    """Stage the outcomes of sends: dicts with `delivery_id` and every outcome column."""
    if outcomes:
        await session.execute(_RECORD, outcomes)


async def next_due_at(session: AsyncSession) -> datetime | None:
    query = select(func.min(Delivery.next_attempt_at)).where(
        Delivery.status == DeliveryStatus.PENDING
    )
    return await session.scalar(query)


async def reschedule(session: AsyncSession, delivery_ids: Iterable[int], when: datetime) -> None:
    """Give leased rows back without counting an attempt (pacing or a 429)."""
    ids = list(delivery_ids)
    if ids:
        await session.execute(
            update(Delivery).where(Delivery.id.in_(ids)).values(next_attempt_at=when)
        )


async def counts_by_status(session: AsyncSession) -> dict[str, int]:
    query = select(Delivery.status, func.count()).group_by(Delivery.status)
    return {str(status): count for status, count in (await session.execute(query)).all()}


async def problems(session: AsyncSession, *, limit: int = 20) -> Sequence[Delivery]:
    """The latest deliveries that gave up (dead) or that Telegram rejected (failed)."""
    query = (
        select(Delivery)
        .where(Delivery.status.in_([DeliveryStatus.DEAD, DeliveryStatus.FAILED]))
        .order_by(Delivery.id.desc())
        .limit(limit)
    )
    return (await session.scalars(query)).all()
