"""Migration 0016 and the WebSub subscriptions' storage, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.feeds.fetch import Fetcher
from bot.feeds.poller import FeedOutcome, Poller
from bot.feeds.workers import ParserPool
from bot.websub import WebSub, WebSubSettings
from storage import websub as store
from storage.db import downgrade, make_sessions, upgrade
from storage.feeds import add_feed, remove_feed
from storage.models import CALLBACK_TOKEN_CHARS, HUB_SECRET_CHARS, LINK_CHARS, HubSubscription

THEN = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)
RETRY = timedelta(minutes=10)


def url_of(length: int, base: str = "https://hub.example/") -> str:
    return base + "x" * (length - len(base))


async def test_the_migration_goes_down_and_up(engine: AsyncEngine) -> None:
    await downgrade(engine, "0015")
    async with engine.connect() as connection:
        tables = await connection.run_sync(
            lambda sync: sync.dialect.get_table_names(sync)  # type: ignore[no-any-return]
        )
    assert "hub_subscriptions" not in tables
    await upgrade(engine)
    async with make_sessions(engine).begin() as session:
        feed = await add_feed(session, "https://a.example/feed", now=THEN)
        await store.want(session, feed.id, hub="https://h.example/", topic="https://a.example/feed",
                         secret="s", token="t", now=THEN, retry=RETRY)  # fmt: skip


async def test_values_at_the_column_limits_are_kept(engine: AsyncEngine) -> None:
    sessions = make_sessions(engine)
    hub, topic = url_of(LINK_CHARS), url_of(LINK_CHARS, "https://a.example/")
    async with sessions.begin() as session:
        feed = await add_feed(session, "https://a.example/feed", now=THEN)
        row = await store.want(
            session, feed.id, hub=hub, topic=topic, secret="s" * HUB_SECRET_CHARS,
            token="t" * CALLBACK_TOKEN_CHARS, now=THEN, retry=RETRY,
        )  # fmt: skip
        store.failed(row, THEN, "é" * 10_000, RETRY)  # last_error is text: no limit
    async with sessions() as session:
        row = await store.by_token(session, "t" * CALLBACK_TOKEN_CHARS)
    assert row is not None
    assert (row.hub, row.topic, row.secret) == (hub, topic, "s" * HUB_SECRET_CHARS)
    assert row.last_error == "é" * 10_000
    assert row.renew_at == THEN + RETRY


@pytest.mark.parametrize("column", ["hub", "secret", "token"])
async def test_values_past_the_column_limits_are_refused(engine: AsyncEngine, column: str) -> None:
    values = {"hub": url_of(LINK_CHARS + 1), "secret": "s" * (HUB_SECRET_CHARS + 1),
              "token": "t" * (CALLBACK_TOKEN_CHARS + 1)}  # fmt: skip
    chosen = {"hub": "https://h.example/", "secret": "s", "token": "t", column: values[column]}
    sessions = make_sessions(engine)
    async with sessions.begin() as session:
        feed_id = (await add_feed(session, "https://a.example/feed", now=THEN)).id
    if engine.dialect.name == "sqlite":
        # SQLite keeps any length: the subscriber never writes one (WebSub.discovered checks
        # the hub and topic; the secret and token are its own, 43 characters).
        return
    with pytest.raises((DBAPIError, StatementError)):
        async with sessions.begin() as session:
            await store.want(session, feed_id, topic="https://a.example/feed", now=THEN,
                             retry=RETRY, **chosen)  # fmt: skip


async def test_the_subscriber_skips_a_hub_past_the_column(engine: AsyncEngine) -> None:
    sessions = make_sessions(engine)
    async with sessions.begin() as session:
        feed_id = (await add_feed(session, "https://a.example/feed", now=THEN)).id
    async with Fetcher() as fetcher:
        poller = Poller(sessions, fetcher, ParserPool(0))
        websub = WebSub(sessions, fetcher, poller, WebSubSettings("https://bot.example/websub"))
        too_long = FeedOutcome(feed_id, "https://a.example/feed", hub=url_of(LINK_CHARS + 1))
        await websub.discovered([too_long])
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(HubSubscription)) == 0


async def test_activation_renewal_and_the_pushed_feeds(engine: AsyncEngine) -> None:
    sessions = make_sessions(engine)
    async with sessions.begin() as session:
        a = (await add_feed(session, "https://a.example/feed", now=THEN)).id
        b = (await add_feed(session, "https://b.example/feed", now=THEN)).id
        row = await store.want(session, a, hub="https://h.example/", topic="https://a.example/feed",
                               secret="s", token="ta", now=THEN, retry=RETRY)  # fmt: skip
        await store.want(session, b, hub="https://h.example/", topic="https://b.example/feed",
                         secret="s", token="tb", now=THEN, retry=RETRY)  # fmt: skip
        store.activate(row, THEN, 10 * 86_400)
    # A ten-day lease is renewed a day before its end; an hour's, six minutes before.
    assert store.renewal_time(THEN, 10 * 86_400) == THEN + timedelta(days=9)
    assert store.renewal_time(THEN, 3600) == THEN + timedelta(minutes=54)
    assert store.renewal_time(THEN, 100 * 86_400) == THEN + timedelta(days=99)
    async with sessions.begin() as session:
        assert await store.pushed(session, [a, b], THEN) == {a}
        assert await store.pushed(session, [a, b], THEN + timedelta(days=10)) == set()
        # The pending one is due when the hub has not verified it in time, the active one
        # a day before its lease ends; each is leased once.
        due = await store.lease_due(session, THEN + RETRY, limit=10, lease=RETRY)
        assert [r.token for r in due] == ["tb"]
        assert await store.lease_due(session, THEN + RETRY, limit=10, lease=RETRY) == []
        # Days later: the active one's renewal, and the pending one again (its lease over).
        due = await store.lease_due(session, THEN + timedelta(days=9), limit=10, lease=RETRY)
        assert [r.token for r in due] == ["tb", "ta"]


async def test_a_removed_feed_leaves_its_subscription_to_unsubscribe(engine: AsyncEngine) -> None:
    sessions = make_sessions(engine)
    async with sessions.begin() as session:
        a = (await add_feed(session, "https://a.example/feed", now=THEN)).id
        await store.want(session, a, hub="https://h.example/", topic="https://a.example/feed",
                         secret="s", token="ta", now=THEN, retry=RETRY)  # fmt: skip
    async with sessions.begin() as session:
        assert await store.leave_feed(session, a, THEN)
        assert await remove_feed(session, a)
        assert not await store.leave_feed(session, a, THEN)
    async with sessions.begin() as session:
        row = await store.by_token(session, "ta")
        assert row is not None
        assert (row.feed_id, row.state, row.renew_at) == (None, "unsubscribing", THEN)
        await store.forget(session, row)
    async with sessions() as session:
        assert await store.by_token(session, "ta") is None
