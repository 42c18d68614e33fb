"""Categories, chats and their subscriptions (a channel's bindings are subscriptions too)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Integer, Table, delete, func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.dialect import insert_ignore
from storage.models import (
    Article,
    Category,
    Chat,
    ChatKind,
    Delivery,
    DeliveryStatus,
    Subscription,
    article_categories,
    feed_categories,
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


# --- The operators' console: categories (/categories_admin) -----------------------------------


@dataclass(frozen=True)
class CategoryUsage:
    """What uses a category: chats following it (active or not), feeds, articles."""

    readers: int = 0  # active readers' private chats
    channels: int = 0  # active channels and groups
    inactive: int = 0  # chats that stopped or left, whose subscriptions are kept
    feeds: int = 0
    articles: int = 0
    articles_since: int = 0  # of them, published since the moment asked about

    @property
    def subscriptions(self) -> int:
        return self.readers + self.channels + self.inactive


# The rows that point at a category by its id.
_USES: tuple[Table, ...] = (Subscription.__table__, feed_categories, article_categories)  # type: ignore[assignment]


async def category(session: AsyncSession, category_id: int) -> Category | None:
    return await session.get(Category, category_id)


async def category_usage(
    session: AsyncSession, since: datetime, category_ids: Iterable[int] | None = None
) -> dict[int, CategoryUsage]:
    """Each category's usage (every category, or these), articles since `since` apart."""
    ids = None if category_ids is None else sorted(set(category_ids))

    def only(query: Any, column: Any) -> Any:
        return query if ids is None else query.where(column.in_(ids))

    counts: dict[int, dict[str, int]] = {}

    def add(category_id: int, field: str, n: int) -> None:
        fields = counts.setdefault(category_id, {})
        fields[field] = fields.get(field, 0) + n

    subscribed = only(
        select(Subscription.category_id, Chat.kind, Chat.active, func.count())
        .join(Chat, Chat.id == Subscription.chat_id)
        .group_by(Subscription.category_id, Chat.kind, Chat.active),
        Subscription.category_id,
    )
    for category_id, kind, active, n in await session.execute(subscribed):
        field = "inactive" if not active else "readers" if kind == ChatKind.PRIVATE else "channels"
        add(category_id, field, n)
    feeds = only(
        select(feed_categories.c.category_id, func.count()).group_by(feed_categories.c.category_id),
        feed_categories.c.category_id,
    )
    for category_id, n in await session.execute(feeds):
        add(category_id, "feeds", n)
    articles = only(
        select(article_categories.c.category_id, func.count()).group_by(
            article_categories.c.category_id
        ),
        article_categories.c.category_id,
    )
    for category_id, n in await session.execute(articles):
        add(category_id, "articles", n)
    recent = only(
        select(article_categories.c.category_id, func.count())
        .join(Article, Article.id == article_categories.c.article_id)
        .where(Article.published_at >= since)
        .group_by(article_categories.c.category_id),
        article_categories.c.category_id,
    )
    for category_id, n in await session.execute(recent):
        add(category_id, "articles_since", n)
    return {category_id: CategoryUsage(**fields) for category_id, fields in counts.items()}


async def add_category(session: AsyncSession, name: str, now: datetime) -> Category:
    """Stage a new category with no aliases and no keywords (the name is checked already)."""
    category = Category(name=name, aliases=[], keywords=[], created_at=now)
    session.add(category)
    await session.flush()
    return category


async def move_category_uses(session: AsyncSession, source_id: int, target_id: int) -> None:
    """Point every subscription, feed binding and article tag of the source at the target;
    a row the target has already is merged (the source's copy is dropped). Every column but
    the category is kept as it is, whatever columns the tables have."""
    for table in _USES:
        moved = select(
            *(
                literal(target_id, Integer).label("category_id")
                if column.name == "category_id"
                else column
                for column in table.c
            )
        ).where(table.c.category_id == source_id)
        await session.execute(
            insert_ignore(session, table).from_select([c.name for c in table.c], moved)
        )
        await session.execute(delete(table).where(table.c.category_id == source_id))


async def remove_category(session: AsyncSession, category_id: int) -> bool:
    """Delete the category and whatever still points at it (the caller checked what does);
    False when it was gone already (another admin's removal got there first)."""
    for table in _USES:
        await session.execute(delete(table).where(table.c.category_id == category_id))
    result = await session.execute(
        delete(Category)
        .where(Category.id == category_id)
        .execution_options(synchronize_session="fetch")
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
