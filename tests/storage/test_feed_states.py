"""Migration 0010 and the poller's feed states: paused (the operator's), failing since."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.feeds.fetch import Fetcher, FetchLimits
from bot.feeds.poller import Poller
from bot.feeds.workers import ParserPool
from storage.db import downgrade, make_sessions, upgrade
from storage.feeds import add_feed
from storage.models import Feed
from tests.fakes.feeds import FeedServer, rss

THEN = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


async def test_the_migration_dates_the_failing_feeds(engine: AsyncEngine) -> None:
    await downgrade(engine, "0009")
    async with engine.begin() as connection:
        for url, errors in (("https://a.example/f", 3), ("https://b.example/f", 0)):
            await connection.execute(
                text(
                    "INSERT INTO feeds (url, next_poll_at, primed, error_count, "
                    "internal_error_count, disabled, created_at, last_success_at) "
                    "VALUES (:url, :now, true, :errors, 0, false, :now, :success)"
                ),
                {"url": url, "now": THEN, "errors": errors, "success": THEN},
            )
    await upgrade(engine)
    async with make_sessions(engine)() as session:
        rows = (await session.execute(Feed.__table__.select().order_by(Feed.id))).mappings().all()
    assert [(r["url"], r["paused"], r["failing_since"] is not None) for r in rows] == [
        ("https://a.example/f", False, True),
        ("https://b.example/f", False, False),
    ]
    await downgrade(engine, "0009")
    await upgrade(engine)


async def test_failing_since_is_kept_through_a_run_and_cleared_by_a_success(
    engine: AsyncEngine, feed_server: FeedServer
) -> None:
    sessions = make_sessions(engine)
    body = rss([{"title": "خبر", "link": "https://a.example/1"}])
    url = feed_server.set("f.xml", body, status=500)
    now = [THEN]
    async with Fetcher(FetchLimits(allow_private=True)) as fetcher:
        poller = Poller(sessions, fetcher, ParserPool(0), clock=lambda: now[0])
        async with sessions.begin() as session:
            feed_id = (await add_feed(session, url, now=THEN)).id
        for _ in range(2):
            [outcome] = (await poller.tick()).outcomes
            assert outcome.error == "HTTP 500 Internal Server Error"
            now[0] += timedelta(days=2)
            async with sessions() as session:
                feed = await session.get(Feed, feed_id)
                assert feed is not None
                assert feed.failing_since == THEN  # the first failure's time, kept
        feed_server.set("f.xml", body, status=200)
        assert (await poller.poll_feed(feed_id)) is not None
        async with sessions.begin() as session:
            feed = await session.get(Feed, feed_id)
            assert feed is not None
            assert feed.failing_since is None
            assert feed.error_count == 0
            feed.paused = True
            feed.next_poll_at = THEN
        # Paused: neither a tick nor a poll asked for takes it.
        hits = feed_server.route("f.xml").hits
        assert (await poller.tick()).outcomes == []
        assert await poller.poll_feed(feed_id) is None
        assert feed_server.route("f.xml").hits == hits
