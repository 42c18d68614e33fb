"""Channels and groups: their bindings to categories (forum topics included) and what was
posted in them. A binding is a subscription; in a forum supergroup it carries its topic."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Category, Chat, ChatKind, Delivery, DeliveryStatus, Subscription


@dataclass(frozen=True)
class Binding:
    category_id: int
    name: str
    thread_id: int | None


async def followers(
    session: AsyncSession, category_ids: Iterable[int]
) -> list[tuple[int, int, ChatKind, int | None]]:
    """(category id, chat id, kind, forum topic) of every active chat following any of these
    categories."""
    ids = sorted(set(category_ids))
    if not ids:
        return []
    query = (
        select(Subscription.category_id, Chat.id, Chat.kind, Subscription.message_thread_id)
        .join(Chat, Chat.id == Subscription.chat_id)
        .where(Subscription.category_id.in_(ids), Chat.active.is_(True))
    )
    return [(row[0], row[1], row[2], row[3]) for row in (await session.execute(query)).all()]


async def bindings(session: AsyncSession, chat_id: int) -> list[Binding]:
    """The chat's categories, by name, each with its topic."""
    query = (
        select(Category.id, Category.name, Subscription.message_thread_id)
        .join(Subscription, Subscription.category_id == Category.id)
        .where(Subscription.chat_id == chat_id)
        .order_by(Category.name)
    )
    return [Binding(row[0], row[1], row[2]) for row in (await session.execute(query)).all()]


async def bind(
    session: AsyncSession, chat_id: int, categories: Iterable[Category], thread_id: int | None
) -> None:
    """Bind the chat to the categories (in the topic, if any): a binding it had already
    moves to this topic."""
    for category in categories:
        binding = await session.get(Subscription, (chat_id, category.id))
        if binding is None:
            session.add(
                Subscription(chat_id=chat_id, category_id=category.id, message_thread_id=thread_id)
            )
        else:
            binding.message_thread_id = thread_id
    await session.flush()


async def unbind(session: AsyncSession, chat_id: int, category_ids: Iterable[int]) -> None:
    ids = list(category_ids)
    if ids:
        await session.execute(
            delete(Subscription).where(
                Subscription.chat_id == chat_id, Subscription.category_id.in_(ids)
            )
        )


async def unbind_all(session: AsyncSession, chat_id: int) -> int:
    """Forget every binding of the chat; how many there were."""
    result = await session.execute(delete(Subscription).where(Subscription.chat_id == chat_id))
    return result.rowcount or 0  # type: ignore[attr-defined]


async def stop_posting(session: AsyncSession, chat_id: int) -> bool:
    """Mark an active chat inactive; False when it was not active (any more)."""
    result = await session.execute(
        update(Chat).where(Chat.id == chat_id, Chat.active.is_(True)).values(active=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def listed(session: AsyncSession) -> Sequence[Chat]:
    """The channels and groups to show: active ones, and inactive ones that keep bindings
    (they come back with them); a chat removed by an admin has none."""
    bound = select(Subscription.chat_id).where(Subscription.chat_id == Chat.id).exists()
    query = (
        select(Chat)
        .where(Chat.kind != ChatKind.PRIVATE, or_(Chat.active.is_(True), bound))
        .order_by(Chat.title, Chat.id)
    )
    return (await session.scalars(query)).all()


async def sent_counts(session: AsyncSession, chat_ids: Iterable[int]) -> dict[int, int]:
    """Posts sent to each chat (the deliveries the outbox still keeps)."""
    ids = sorted(set(chat_ids))
    if not ids:
        return {}
    query = (
        select(Delivery.chat_id, func.count())
        .where(Delivery.chat_id.in_(ids), Delivery.status == DeliveryStatus.SENT)
        .group_by(Delivery.chat_id)
    )
    return {row[0]: row[1] for row in (await session.execute(query)).all()}


async def last_error(session: AsyncSession, chat_id: int) -> str | None:
    """The newest error a delivery to the chat recorded since its last post, if any."""
    last_sent = (
        select(func.coalesce(func.max(Delivery.id), 0))
        .where(Delivery.chat_id == chat_id, Delivery.status == DeliveryStatus.SENT)
        .scalar_subquery()
    )
    query = (
        select(Delivery.last_error)
        .where(
            Delivery.chat_id == chat_id,
            Delivery.last_error.is_not(None),
            Delivery.id > last_sent,
        )
        .order_by(Delivery.id.desc())
        .limit(1)
    )
    return await session.scalar(query)
