"""The numbers behind /stats: readers, articles by day, source and category, deliveries.

Days are the caller's: it passes the UTC instants of local midnights (`bounds`, oldest
first, one more than the days), so a day in the deployment's time zone, summer time
included, is counted the same way on SQLite and PostgreSQL, in SQL (one CASE per day).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from storage.models import (
    Article,
    Category,
    Chat,
    ChatKind,
    Delivery,
    DeliveryStatus,
    Feed,
    Subscription,
    article_categories,
)
from storage.readers import STOPPED

Column = InstrumentedAttribute[Any]  # a datetime column of a model
# Deliveries that will not arrive: Telegram refused them, or the retries ran out.
FAILED = (DeliveryStatus.FAILED, DeliveryStatus.DEAD)


@dataclass(frozen=True)
class ReaderCounts:
    active: int
    stopped: int  # sent /stop
    blocked: int  # blocked the bot, or their account is gone
    by_category: list[tuple[str, int]]  # active readers per category, the most read first


@dataclass(frozen=True)
class DeliveryCounts:
    sent: list[int]  # per day of the bounds
    failed: list[int]  # per day of the bounds, by when they were planned
    pending: int  # now
    held: int  # now, waiting for a reader's digest
    oldest_pending: datetime | None  # when the oldest pending one was planned


def _day(column: Column, bounds: Sequence[datetime]) -> ColumnElement[int]:
    """The index of the day of `bounds` that `column` falls in (rows outside are filtered)."""
    return case(*[(column < end, i) for i, end in enumerate(bounds[1:])], else_=len(bounds) - 1)


def _within(column: Column, bounds: Sequence[datetime]) -> ColumnElement[bool]:
    return and_(column >= bounds[0], column < bounds[-1])


async def readers(session: AsyncSession) -> ReaderCounts:
    """Private chats: active, stopped, blocked; active readers per category."""
    private = Chat.kind == ChatKind.PRIVATE
    state = case(
        (Chat.active.is_(True), "active"),
        (Chat.deactivated_reason == STOPPED, "stopped"),
        else_="blocked",
    )
    rows = await session.execute(select(state, func.count()).where(private).group_by(state))
    counts = {str(name): int(count) for name, count in rows.all()}
    readers_of = func.count(Subscription.chat_id)
    by_category = (
        select(Category.name, readers_of)
        .join(Subscription, Subscription.category_id == Category.id)
        .join(Chat, Chat.id == Subscription.chat_id)
        .where(private, Chat.active.is_(True))
        .group_by(Category.name)
        .order_by(readers_of.desc(), Category.name)
    )
    shares = [(str(name), int(n)) for name, n in (await session.execute(by_category)).all()]
    return ReaderCounts(
        counts.get("active", 0), counts.get("stopped", 0), counts.get("blocked", 0), shares
    )


async def articles_by_day(session: AsyncSession, bounds: Sequence[datetime]) -> list[int]:
    """Articles stored on each day of `bounds`."""
    day = _day(Article.fetched_at, bounds)
    query = select(day, func.count()).where(_within(Article.fetched_at, bounds)).group_by(day)
    counts = [0] * (len(bounds) - 1)
    for index, count in (await session.execute(query)).all():
        counts[int(index)] = int(count)
    return counts


async def articles_by_category(
    session: AsyncSession, bounds: Sequence[datetime]
) -> dict[str | None, list[int]]:
    """Per category name (None: articles in no category), the articles of each day."""
    day = _day(Article.fetched_at, bounds)
    query = (
        select(Category.name, day, func.count())
        .select_from(Article)
        .outerjoin(article_categories, article_categories.c.article_id == Article.id)
        .outerjoin(Category, Category.id == article_categories.c.category_id)
        .where(_within(Article.fetched_at, bounds))
        .group_by(Category.name, day)
    )
    series: dict[str | None, list[int]] = {}
    for name, index, count in (await session.execute(query)).all():
        series.setdefault(name, [0] * (len(bounds) - 1))[int(index)] = int(count)
    return series


async def articles_by_feed(
    session: AsyncSession, bounds: Sequence[datetime]
) -> list[tuple[Feed, list[int]]]:
    """Per feed that stored any, the articles of each day of `bounds`, the busiest first."""
    day = _day(Article.fetched_at, bounds)
    query = (
        select(Article.feed_id, day, func.count())
        .where(_within(Article.fetched_at, bounds))
        .group_by(Article.feed_id, day)
    )
    per_feed: dict[int, list[int]] = {}
    for feed_id, index, count in (await session.execute(query)).all():
        per_feed.setdefault(int(feed_id), [0] * (len(bounds) - 1))[int(index)] = int(count)
    if not per_feed:
        return []
    feeds = {f.id: f for f in (await session.scalars(select(Feed).where(Feed.id.in_(per_feed))))}
    rows = [(feeds[i], counts) for i, counts in per_feed.items() if i in feeds]
    return sorted(rows, key=lambda row: (-sum(row[1]), row[0].id))


async def deliveries(session: AsyncSession, bounds: Sequence[datetime]) -> DeliveryCounts:
    """Deliveries sent and failed per day of `bounds`; pending and held now."""
    days = len(bounds) - 1
    sent_day = _day(Delivery.sent_at, bounds)
    sent = [0] * days
    query = (
        select(sent_day, func.count())
        .where(Delivery.status == DeliveryStatus.SENT, _within(Delivery.sent_at, bounds))
        .group_by(sent_day)
    )
    for index, count in (await session.execute(query)).all():
        sent[int(index)] = int(count)
    failed_day = _day(Delivery.created_at, bounds)
    failed = [0] * days
    query = (
        select(failed_day, func.count())
        .where(Delivery.status.in_(FAILED), _within(Delivery.created_at, bounds))
        .group_by(failed_day)
    )
    for index, count in (await session.execute(query)).all():
        failed[int(index)] = int(count)
    waiting = (
        select(Delivery.status, func.count(), func.min(Delivery.created_at))
        .where(
            or_(Delivery.status == DeliveryStatus.PENDING, Delivery.status == DeliveryStatus.HELD)
        )
        .group_by(Delivery.status)
    )
    now = {DeliveryStatus(status): (int(n), oldest) for status, n, oldest in
           (await session.execute(waiting)).all()}  # fmt: skip
    pending, oldest = now.get(DeliveryStatus.PENDING, (0, None))
    held, _ = now.get(DeliveryStatus.HELD, (0, None))
    return DeliveryCounts(sent, failed, pending, held, oldest)
