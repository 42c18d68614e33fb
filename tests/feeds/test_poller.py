"""The poller on real databases: first poll, new entries, 304, dedupe, backoff, isolation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.feeds.fetch import Fetcher, FetchLimits
from bot.feeds.poller import Poller, PollSettings
from bot.feeds.workers import ParserPool
from storage import catalog
from storage.feeds import add_feed
from storage.models import Article, ChatKind, Delivery, Feed
from tests.fakes.feeds import FeedServer, rss
from tests.support import FrozenClock

CHANNEL = -1001234567890


START = datetime(2026, 1, 11, 9, 0, tzinfo=UTC)


def item(n: int, category: str = "") -> dict[str, str]:
    return {
        "title": f"خبر رقم {n} عن حلب",
        "link": f"https://news.example.sy/{n}?utm_source=rss",
        "guid": f"g{n}",
        "description": f"<p>نص الخبر {n}. جملة ثانية.</p>",
        "pubDate": f"Sat, 10 Jan 2026 {n:02d}:00:00 GMT",
        "category": category,
    }


async def setup_feed(
    sessions: async_sessionmaker[AsyncSession], url: str, *, channel: bool = True
) -> int:
    async with sessions.begin() as session:
        categories = await catalog.ensure_categories(session, ["سياسة"])
        feed = await add_feed(session, url, categories=categories, now=START)
        if channel:
            await catalog.upsert_chat(session, CHANNEL, ChatKind.CHANNEL, title="قناة")
            await catalog.subscribe(session, CHANNEL, categories)
        return feed.id


def poller(
    sessions: async_sessionmaker[AsyncSession], clock: FrozenClock, **settings: object
) -> Poller:
    fetcher = Fetcher(FetchLimits(timeout_seconds=2, allow_private=True))
    return Poller(
        sessions,
        fetcher,
        ParserPool(workers=0),
        PollSettings(**settings),
        clock=clock,  # type: ignore[arg-type]
    )


async def count(sessions: async_sessionmaker[AsyncSession], model: type) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_first_poll_records_without_posting_then_new_entries_are_planned(
    sessions: async_sessionmaker[AsyncSession], feed_server: FeedServer
) -> None:
    url = feed_server.set("f.xml", rss([item(2), item(1)]))
    await setup_feed(sessions, url)
    clock = FrozenClock(START)
    the_poller = poller(sessions, clock)
    first = await the_poller.tick()
    assert first.new_articles == 2
    assert first.planned == 0

    feed_server.set("f.xml", rss([item(4), item(3), item(2), item(1)]))
    clock.advance(minutes=6)
    second = await the_poller.tick()
    assert second.new_articles == 2
    assert second.planned == 2
    async with sessions() as session:
        deliveries = (await session.scalars(select(Delivery).order_by(Delivery.id))).all()
        titles = [
            (await session.get(Article, d.article_id)).original_title  # type: ignore[union-attr]
            for d in deliveries
        ]
    assert titles == ["خبر رقم 3 عن حلب", "خبر رقم 4 عن حلب"]  # oldest first

    clock.advance(minutes=6)
    third = await the_poller.tick()
    assert third.outcomes[0].not_modified
    assert third.planned == 0
    assert feed_server.route("f.xml").conditional_hits == 1
    await the_poller.fetcher.close()


async def test_feed_not_due_is_not_polled(
    sessions: async_sessionmaker[AsyncSession], feed_server: FeedServer
) -> None:
    url = feed_server.set("f.xml", rss([item(1)]))
    await setup_feed(sessions, url)
    clock = FrozenClock(START)
    the_poller = poller(sessions, clock)
    await the_poller.tick()
    clock.advance(minutes=1)
    assert (await the_poller.tick()).outcomes == []
    assert feed_server.route("f.xml").hits == 1
    await the_poller.fetcher.close()


async def test_same_story_in_two_feeds_is_stored_once(
    sessions: async_sessionmaker[AsyncSession], feed_server: FeedServer
) -> None:
    a = feed_server.set("a.xml", rss([item(1)]))
    b = feed_server.set("b.xml", rss([{**item(1), "guid": "other-guid"}]))
    await setup_feed(sessions, a)
    await setup_feed(sessions, b, channel=False)
    the_poller = poller(sessions, FrozenClock(START))
    await the_poller.tick()
    assert await count(sessions, Article) == 1
    await the_poller.fetcher.close()


async def test_failing_feed_backs_off_then_is_disabled_and_others_go_on(
    sessions: async_sessionmaker[AsyncSession], feed_server: FeedServer
) -> None:
    good = feed_server.set("good.xml", rss([item(1)]))
    bad = feed_server.set("bad.xml", "<html>not a feed</html>")
    await setup_feed(sessions, good)
    bad_id = await setup_feed(sessions, bad, channel=False)
    clock = FrozenClock(START)
    the_poller = poller(sessions, clock, max_failures=3)
    report = await the_poller.tick()
    assert report.new_articles == 1
    errors = [o.error for o in report.outcomes if o.error]
    assert errors
    assert "not an RSS or Atom feed" in errors[0]
    async with sessions() as session:
        feed = await session.get(Feed, bad_id)
        assert feed is not None
        assert feed.error_count == 1
        assert feed.next_poll_at == clock.now + timedelta(minutes=5)
    clock.advance(minutes=5)
    await the_poller.tick()
    async with sessions() as session:
        feed = await session.get(Feed, bad_id)
        assert feed is not None
        assert feed.next_poll_at == clock.now + timedelta(minutes=10)
    clock.advance(minutes=10)
    report = await the_poller.tick()
    assert [o.url for o in report.disabled] == [bad]
    async with sessions() as session:
        feed = await session.get(Feed, bad_id)
        assert feed is not None
        assert feed.disabled
        assert feed.last_error
    await the_poller.fetcher.close()


async def test_categories_from_labels_and_keywords(
    sessions: async_sessionmaker[AsyncSession], feed_server: FeedServer
) -> None:
    url = feed_server.set("f.xml", rss([item(1)]))
    async with sessions.begin() as session:
        sport, economy = await catalog.ensure_categories(session, ["رياضة", "اقتصاد"])
        sport.aliases = ["Sports"]
        economy.keywords = ["الليرة"]
        await add_feed(session, url, now=START)
    feed_server.set(
        "f.xml",
        rss(
            [
                {**item(1), "category": "sports"},
                {**item(2), "description": "انخفاض سعر اللّيرة السورية"},
            ]
        ),
    )
    the_poller = poller(sessions, FrozenClock(START))
    await the_poller.tick()
    async with sessions() as session:
        articles = (await session.scalars(select(Article).order_by(Article.id))).all()
        assert [[c.name for c in a.categories] for a in articles] == [["رياضة"], ["اقتصاد"]]
    await the_poller.fetcher.close()


async def test_parsing_in_worker_processes(
    sessions: async_sessionmaker[AsyncSession], feed_server: FeedServer
) -> None:
    url = feed_server.set("f.xml", rss([item(1), item(2)]))
    await setup_feed(sessions, url)
    pool = ParserPool(workers=1)
    fetcher = Fetcher(FetchLimits(allow_private=True))
    the_poller = Poller(sessions, fetcher, pool, clock=FrozenClock(START))
    try:
        assert (await the_poller.tick()).new_articles == 2
    finally:
        pool.close()
        await the_poller.fetcher.close()


async def test_a_dead_parser_process_is_replaced(
    sessions: async_sessionmaker[AsyncSession], feed_server: FeedServer
) -> None:
    import os
    import signal

    url = feed_server.set("f.xml", rss([item(1)]))
    await setup_feed(sessions, url)
    pool = ParserPool(workers=1)
    clock = FrozenClock(START)
    the_poller = Poller(sessions, Fetcher(FetchLimits(allow_private=True)), pool, clock=clock)
    try:
        assert (await the_poller.tick()).new_articles == 1
        executor = pool._executor
        assert executor is not None
        for pid in list(executor._processes):  # type: ignore[attr-defined]
            os.kill(pid, signal.SIGKILL)
        feed_server.set("f.xml", rss([item(2), item(1)]))
        clock.advance(minutes=6)
        report = await the_poller.tick()
        assert report.new_articles == 1
        assert report.outcomes[0].error is None
    finally:
        pool.close()
        await the_poller.fetcher.close()


async def test_an_empty_answer_is_an_error_not_an_unchanged_feed(
    sessions: async_sessionmaker[AsyncSession], feed_server: FeedServer
) -> None:
    url = feed_server.set("empty.xml", b"")
    await setup_feed(sessions, url)
    the_poller = poller(sessions, FrozenClock(START))
    [outcome] = (await the_poller.tick()).outcomes
    assert not outcome.not_modified
    assert outcome.error
    assert "empty response" in outcome.error
    await the_poller.fetcher.close()
