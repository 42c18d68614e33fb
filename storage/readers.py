"""Readers' preferences: subscriptions, keywords, delivery mode, quiet hours.

The outbox's rows (holding them for a digest, releasing them, claiming a digest) live with
the outbox."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.dialect import insert_ignore
from storage.models import (
    Chat,
    Delivery,
    DeliveryMode,
    DeliveryStatus,
    Keyword,
    Subscription,
    utcnow,
)

STOPPED = "stopped by the reader (/stop)"


async def subscribed_category_ids(session: AsyncSession, chat_id: int) -> set[int]:
    query = select(Subscription.category_id).where(Subscription.chat_id == chat_id)
    return set((await session.scalars(query)).all())


async def toggle_subscription(session: AsyncSession, chat_id: int, category_id: int) -> bool:
    """Follow the category if the chat does not, else stop following; return the new state."""
    removed = await session.execute(
        delete(Subscription).where(
            Subscription.chat_id == chat_id, Subscription.category_id == category_id
        )
    )
    if removed.rowcount:  # type: ignore[attr-defined]
        return False
    await session.execute(
        insert_ignore(session, Subscription), [{"chat_id": chat_id, "category_id": category_id}]
    )
    return True


async def keywords(session: AsyncSession, chat_id: int, *, mute: bool) -> Sequence[Keyword]:
    query = (
        select(Keyword)
        .where(Keyword.chat_id == chat_id, Keyword.mute.is_(mute))
        .order_by(Keyword.created_at, Keyword.id)
    )
    return (await session.scalars(query)).all()


async def keyword_count(session: AsyncSession, chat_id: int) -> int:
    query = select(func.count()).select_from(Keyword).where(Keyword.chat_id == chat_id)
    return int(await session.scalar(query) or 0)


async def add_keyword(
    session: AsyncSession, chat_id: int, word: str, term: str, *, mute: bool
) -> bool:
    """Add the keyword; False when the reader already has it."""
    statement = insert_ignore(session, Keyword).values(
        chat_id=chat_id, word=word, term=term, mute=mute, created_at=utcnow()
    )
    result = await session.execute(statement)
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def remove_keyword(session: AsyncSession, chat_id: int, term: str, *, mute: bool) -> bool:
    result = await session.execute(
        delete(Keyword).where(
            Keyword.chat_id == chat_id, Keyword.term == term, Keyword.mute.is_(mute)
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def all_keywords(session: AsyncSession) -> list[tuple[int, str, bool]]:
    """(chat id, term, mute) of every active reader's keywords."""
    query = (
        select(Keyword.chat_id, Keyword.term, Keyword.mute)
        .join(Chat, Chat.id == Keyword.chat_id)
        .where(Chat.active.is_(True))
    )
    return [(row[0], row[1], row[2]) for row in (await session.execute(query)).all()]


async def chat_modes(session: AsyncSession, chat_ids: set[int]) -> dict[int, DeliveryMode]:
    if not chat_ids:
        return {}
    query = select(Chat.id, Chat.delivery_mode).where(Chat.id.in_(sorted(chat_ids)))
    return {row[0]: row[1] for row in (await session.execute(query)).all()}


async def stop(session: AsyncSession, chat_id: int) -> None:
    """The reader asked for nothing more: inactive, and nothing pending is sent."""
    await session.execute(
        update(Chat).where(Chat.id == chat_id).values(active=False, deactivated_reason=STOPPED)
    )
    await session.execute(
        update(Delivery)
        .where(
            Delivery.chat_id == chat_id,
            Delivery.status.in_([DeliveryStatus.PENDING, DeliveryStatus.HELD]),
        )
        .values(status=DeliveryStatus.DROPPED, last_error="stopped by the reader")
    )
