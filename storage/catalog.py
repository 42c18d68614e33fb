"""Categories, chats and their subscriptions (a channel's bindings are subscriptions too)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import BigInteger, delete, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.dialect import insert_ignore
from storage.models import (
    Category,
    Chat,
    ChatKind,
    Delivery,
    DeliveryStatus,
    Subscription,
    utcnow,
)


async def all_categories(session: AsyncSession) -> Sequence[Category]:
    return (await session.scalars(select(Category).order_by(Category.name))).all()


async def category_by_name(session: AsyncSession, name: str) -> Category | None:
    return await session.scalar(select(Category).where(Category.name == name))


async def ensure_categories(session: AsyncSession, names: Iterable[str]) -> list[Category]:
    """The categories with these names, creating the missing ones."""
    found: list[Category] = []
    for raw in names:
        name = " ".join(raw.split())
        if not name:
            continue
        category = await category_by_name(session, name)
        if category is None:
            category = Category(name=name, aliases=[], keywords=[])
            session.add(category)
            await session.flush()
        if category not in found:
            found.append(category)
    return found


async def upsert_chat(
    session: AsyncSession,
    chat_id: int,
    kind: ChatKind,
    *,
    title: str | None = None,
    username: str | None = None,
) -> Chat:
    chat = await session.get(Chat, chat_id)
    if chat is None:
        chat = Chat(id=chat_id, kind=kind, title=title, username=username, active=True)
        session.add(chat)
    else:
        chat.kind = kind
        chat.title = title or chat.title
        chat.username = username or chat.username
        chat.active = True
        chat.deactivated_reason = None
    await session.flush()
    return chat


async def subscribe(session: AsyncSession, chat_id: int, categories: Iterable[Category]) -> None:
    rows = [{"chat_id": chat_id, "category_id": category.id} for category in categories]
    if rows:
        await session.execute(insert_ignore(session, Subscription), rows)


async def subscribe_many(
    session: AsyncSession, chat_ids: Iterable[int], category: Category
) -> None:
    rows = [{"chat_id": chat_id, "category_id": category.id} for chat_id in chat_ids]
    if rows:
        await session.execute(insert_ignore(session, Subscription), rows)


async def chat_categories(session: AsyncSession, chat_id: int) -> list[str]:
    query = (
        select(Category.name)
        .join(Subscription, Subscription.category_id == Category.id)
        .where(Subscription.chat_id == chat_id)
        .order_by(Category.name)
    )
    return list((await session.scalars(query)).all())


async def channels(session: AsyncSession) -> Sequence[Chat]:
    query = select(Chat).where(Chat.kind != ChatKind.PRIVATE).order_by(Chat.id)
    return (await session.scalars(query)).all()


async def active_chats(session: AsyncSession, chat_ids: Iterable[int]) -> Sequence[Chat]:
    ids = sorted(set(chat_ids))
    if not ids:
        return []
    query = select(Chat).where(Chat.id.in_(ids), Chat.active.is_(True))
    return (await session.scalars(query)).all()


async def subscribers(
    session: AsyncSession, category_ids: Iterable[int]
) -> list[tuple[int, int, ChatKind]]:
    """(category id, chat id, kind) of every active chat following any of these categories."""
    ids = sorted(set(category_ids))
    if not ids:
        return []
    query = (
        select(Subscription.category_id, Chat.id, Chat.kind)
        .join(Chat, Chat.id == Subscription.chat_id)
        .where(Subscription.category_id.in_(ids), Chat.active.is_(True))
    )
    return [(row[0], row[1], row[2]) for row in (await session.execute(query)).all()]


async def deactivate_chat(session: AsyncSession, chat_id: int, reason: str) -> int:
    """Mark the chat inactive and drop its pending deliveries; return how many were dropped."""
    await session.execute(
        update(Chat).where(Chat.id == chat_id).values(active=False, deactivated_reason=reason)
    )
    result = await session.execute(
        update(Delivery)
        .where(
            Delivery.chat_id == chat_id,
            Delivery.status.in_([DeliveryStatus.PENDING, DeliveryStatus.HELD]),
        )
        .values(status=DeliveryStatus.DROPPED, last_error=reason)
    )
    return result.rowcount or 0  # type: ignore[attr-defined]


async def migrate_chat(session: AsyncSession, old_id: int, new_id: int) -> None:
    """A group became a supergroup: its subscriptions and pending deliveries move along."""
    old = await session.get(Chat, old_id)
    if old is None:
        return
    # Two sends to the old group can both learn of the move: the new chat is added once.
    await session.execute(
        insert_ignore(session, Chat).values(
            id=new_id, kind=old.kind, title=old.title, username=old.username, active=True,
            created_at=utcnow(),
        )
    )  # fmt: skip
    await session.execute(
        insert_ignore(session, Subscription).from_select(
            ["chat_id", "category_id", "created_at", "message_thread_id"],
            select(
                literal(new_id, BigInteger),
                Subscription.category_id,
                Subscription.created_at,
                Subscription.message_thread_id,
            ).where(Subscription.chat_id == old_id),
        )
    )
    pending = await session.scalars(
        select(Delivery).where(
            Delivery.chat_id == old_id, Delivery.status == DeliveryStatus.PENDING
        )
    )
    already = set(
        (await session.scalars(select(Delivery.article_id).where(Delivery.chat_id == new_id))).all()
    )
    for delivery in pending:
        if delivery.article_id in already:
            delivery.status = DeliveryStatus.DROPPED
            delivery.last_error = f"chat moved to {new_id}"
        else:
            delivery.chat_id = new_id
    await session.execute(delete(Subscription).where(Subscription.chat_id == old_id))
    old.active = False
    old.deactivated_reason = f"migrated to supergroup {new_id}"
    await session.flush()
