"""Feeds and their polling state."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.dialect import supports_skip_locked
from storage.models import Article, Category, Feed, utcnow


async def add_feed(
    session: AsyncSession,
    url: str,
    *,
    name: str | None = None,
    categories: Sequence[Category] = (),
    poll_interval_seconds: int | None = None,
    now: datetime | None = None,
) -> Feed:
    """Stage a new feed, due for its first poll at once (`now`, default the real time)."""
    feed = Feed(
        next_poll_at=now or utcnow(),
        url=url,
        name=name,
        poll_interval_seconds=poll_interval_seconds,
        primed=False,
        error_count=0,
        disabled=False,
    )
    feed.categories = list(categories)
    session.add(feed)
    await session.flush()
    return feed


async def feed_by_url(session: AsyncSession, url: str) -> Feed | None:
    return await session.scalar(select(Feed).where(Feed.url == url))


async def all_feeds(session: AsyncSession) -> Sequence[Feed]:
    return (await session.scalars(select(Feed).order_by(Feed.id))).all()


async def lease_due_feeds(
    session: AsyncSession, now: datetime, *, limit: int, lease: timedelta
) -> Sequence[Feed]:
    """Take the feeds due for a poll and push their next poll past the lease.

    Another process sharing the database skips them (SKIP LOCKED on PostgreSQL), and a
    process that dies mid-poll gives them back when the lease runs out.
    """
    query = (
        select(Feed)
        .where(Feed.disabled.is_(False), Feed.paused.is_(False), Feed.next_poll_at <= now)
        .order_by(Feed.next_poll_at, Feed.id)
        .limit(limit)
    )
    if supports_skip_locked(session):
        query = query.with_for_update(skip_locked=True, of=Feed)
    feeds = (await session.scalars(query)).all()
    for feed in feeds:
        feed.next_poll_at = now + lease
    await session.flush()
    return feeds


async def next_due(session: AsyncSession) -> datetime | None:
    """When the next feed is due for a poll: the earliest `next_poll_at` of the feeds that are
    polled (neither disabled nor paused), a leased feed's lease end included; None: none."""
    query = select(func.min(Feed.next_poll_at)).where(
        Feed.disabled.is_(False), Feed.paused.is_(False)
    )
    moment: datetime | None = await session.scalar(query)
    return moment


async def feed_by_id(session: AsyncSession, feed_id: int) -> Feed | None:
    return await session.get(Feed, feed_id)


async def feeds_page(session: AsyncSession, offset: int, limit: int) -> Sequence[Feed]:
    """A page of the feeds, the earliest added first."""
    query = select(Feed).order_by(Feed.id).offset(offset).limit(limit)
    return (await session.scalars(query)).all()


async def feed_count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Feed)) or 0)


async def remove_feed(session: AsyncSession, feed_id: int) -> bool:
    """Delete the feed; its articles go with it (ON DELETE CASCADE)."""
    result = await session.execute(delete(Feed).where(Feed.id == feed_id))
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def lease_feed(
    session: AsyncSession, feed_id: int, now: datetime, lease: timedelta
) -> Feed | None:
    """Take one enabled feed for a poll now, whatever its schedule (None: gone, disabled or
    paused); its next poll moves past the lease, so a tick does not take it meanwhile."""
    query = select(Feed).where(Feed.id == feed_id, Feed.disabled.is_(False), Feed.paused.is_(False))
    if supports_skip_locked(session):
        query = query.with_for_update(of=Feed)
    feed = await session.scalar(query)
    if feed is not None:
        feed.next_poll_at = now + lease
        await session.flush()
    return feed


async def article_activity(
    session: AsyncSession, feed_ids: Sequence[int], since: datetime
) -> dict[int, tuple[datetime | None, int]]:
    """Per feed: when its newest article was stored, and how many were stored since `since`."""
    if not feed_ids:
        return {}
    newest = dict(
        (
            await session.execute(
                select(Article.feed_id, func.max(Article.fetched_at))
                .where(Article.feed_id.in_(feed_ids))
                .group_by(Article.feed_id)
            )
        )
        .tuples()
        .all()
    )
    recent = dict(
        (
            await session.execute(
                select(Article.feed_id, func.count())
                .where(Article.feed_id.in_(feed_ids), Article.fetched_at >= since)
                .group_by(Article.feed_id)
            )
        )
        .tuples()
        .all()
    )
    return {i: (newest.get(i), int(recent.get(i, 0))) for i in feed_ids}


async def article_count(session: AsyncSession, feed_id: int) -> int:
    query = select(func.count()).select_from(Article).where(Article.feed_id == feed_id)
    return int(await session.scalar(query) or 0)


async def troubled_feeds(session: AsyncSession, limit: int) -> tuple[Sequence[Feed], int]:
    """Feeds failing now or disabled after failing, the longest failing first; and how many.
    The same states as bot/sources.py's `_health` (DISABLED, or FAILING unless paused)."""
    troubled = or_(
        Feed.disabled.is_(True),
        and_(Feed.paused.is_(False), or_(Feed.error_count > 0, Feed.internal_error_count > 0)),
    )
    total = int(await session.scalar(select(func.count()).where(troubled)) or 0)
    query = (
        select(Feed)
        .where(troubled)
        .order_by(Feed.failing_since.is_(None), Feed.failing_since, Feed.id)
        .limit(limit)
    )
    return (await session.scalars(query)).all(), total
