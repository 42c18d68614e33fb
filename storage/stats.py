"""The numbers behind /stats: readers, articles by day, feed and category, deliveries.

Days are the caller's: it passes the UTC instants of local midnights (`bounds`, oldest
first, one more than the days), so a day in the deployment's time zone, summer time
included, is counted the same way on SQLite and PostgreSQL, in SQL (one CASE per day).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select
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


def _per_day(rows: Iterable[Sequence[Any]], days: int) -> dict[Any, list[int]]:
    """Rows of (key, day index, count) as key → the count of each day."""
    counts: dict[Any, list[int]] = {}
    for key, index, count in rows:
        counts.setdefault(key, [0] * days)[int(index)] = int(count)
    return counts


async def articles_by_category(
    session: AsyncSession, bounds: Sequence[datetime]
) -> dict[str | None, list[int]]:
    """Per category name (None: articles in no category), the articles of each day; an
    article in two categories counts in both."""
    day = _day(Article.fetched_at, bounds)
    query = (
        select(Category.name, day, func.count())
        .select_from(Article)
        .outerjoin(article_categories, article_categories.c.article_id == Article.id)
        .outerjoin(Category, Category.id == article_categories.c.category_id)
        .where(_within(Article.fetched_at, bounds))
        .group_by(Category.name, day)
    )
    return _per_day((await session.execute(query)).all(), len(bounds) - 1)


@dataclass(frozen=True)
class FeedDays:
    id: int
    name: str | None
    url: str
    counts: list[int]  # the articles it stored each day


async def articles_by_feed(session: AsyncSession, bounds: Sequence[datetime]) -> list[FeedDays]:
    """Per feed that stored any, the articles of each day of `bounds` (an article is one
    feed's: their sum is every article of the day)."""
    day = _day(Article.fetched_at, bounds)
    query = (
        select(Article.feed_id, day, func.count())
        .where(_within(Article.fetched_at, bounds))
        .group_by(Article.feed_id, day)
    )
    per_feed = _per_day((await session.execute(query)).all(), len(bounds) - 1)
    if not per_feed:
        return []
    names = select(Feed.id, Feed.name, Feed.url).where(Feed.id.in_(list(per_feed)))
    return [FeedDays(i, name, url, per_feed[i]) for i, name, url in
            (await session.execute(names.order_by(Feed.id))).all()]  # fmt: skip


async def deliveries(session: AsyncSession, bounds: Sequence[datetime]) -> DeliveryCounts:
    """Article deliveries (broadcasts have their own count) sent and failed per day of
    `bounds` (a failure by the day it was planned: when it ended is not kept); pending and
    held now."""
    days = len(bounds) - 1
    articles = Delivery.article_id.is_not(None)
    by_day: dict[str, list[int]] = {}
    for name, status, column in (("sent", [DeliveryStatus.SENT], Delivery.sent_at),
                                 ("failed", FAILED, Delivery.created_at)):  # fmt: skip
        day = _day(column, bounds)
        query = (
            select(literal(name), day, func.count())
            .where(articles, Delivery.status.in_(status), _within(column, bounds))
            .group_by(day)
        )
        by_day |= _per_day((await session.execute(query)).all(), days)
    waiting = (
        select(Delivery.status, func.count(), func.min(Delivery.created_at))
        .where(articles, Delivery.status.in_([DeliveryStatus.PENDING, DeliveryStatus.HELD]))
        .group_by(Delivery.status)
    )
    now = {DeliveryStatus(status): (int(n), oldest) for status, n, oldest in
           (await session.execute(waiting)).all()}  # fmt: skip
    pending, oldest = now.get(DeliveryStatus.PENDING, (0, None))
    held, _ = now.get(DeliveryStatus.HELD, (0, None))
    zero = [0] * days
    return DeliveryCounts(by_day.get("sent", zero), by_day.get("failed", zero), pending, held,
                          oldest)  # fmt: skip


async def feed_health(session: AsyncSession) -> tuple[int, int]:
    """Feeds failing now (not disabled, not paused: as storage/feeds.py's troubled_feeds),
    and feeds disabled after failing; one pass over the table."""
    failing = and_(
        Feed.disabled.is_(False),
        Feed.paused.is_(False),
        or_(Feed.error_count > 0, Feed.internal_error_count > 0),
    )
    query = select(func.count(case((failing, 1))), func.count(case((Feed.disabled.is_(True), 1))))
    failing_count, disabled_count = (await session.execute(query)).one()
    return int(failing_count or 0), int(disabled_count or 0)
