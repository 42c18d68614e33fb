"""Feeds and their polling state."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.dialect import supports_skip_locked
from storage.models import Category, Feed, utcnow


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
        .where(Feed.disabled.is_(False), Feed.next_poll_at <= now)
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
