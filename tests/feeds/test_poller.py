"""The poller on real databases: first poll, new entries, 304, dedupe, backoff, isolation."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp import web
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.feeds.fetch import Fetcher, FetchLimits
from bot.feeds.poller import Poller, PollSettings, backoff
from bot.feeds.workers import ParserPool
from bot.text.arabic import _stem_folded, _word_index_document_terms, stem
from storage import catalog, channels
from storage.feeds import add_feed
from storage.models import Article, ChatKind, Delivery, Feed
from storage.search import Filters, Match, newest_matches
from tests.fakes.feeds import FeedServer, rss
from tests.fakes.parsers import KILLER, parse_or_die
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
    sessions: async_sessionmaker[AsyncSession],
    clock: FrozenClock,
    *,
    parsers: ParserPool | None = None,
    **settings: object,
) -> Poller:
    fetcher = Fetcher(FetchLimits(timeout_seconds=2, allow_private=True))
    return Poller(
        sessions,
        fetcher,
        parsers or ParserPool(workers=0),
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
        workers = dict(executor._processes)  # type: ignore[attr-defined]
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
    # No worker of the pool given up on outlives close (one left waiting for work kept the
    # interpreter from exiting: the broken pool's manager thread joins it at exit).
    assert pool._executor is None
    assert pool._retired == []
    for process in workers.values():
        process.join(timeout=10)
        assert not process.is_alive()


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


# --- values too long for their columns -------------------------------------------------


def long_link(length: int) -> str:
    base = "https://news.example.sy/"
    return base + "a" * (length - len(base))


async def test_an_entry_with_a_too_long_link_is_skipped_and_the_others_stored(
    sessions: async_sessionmaker[AsyncSession], feed_server: FeedServer
) -> None:
    url = feed_server.set("f.xml", rss([item(1)]))
    feed_id = await setup_feed(sessions, url)
    clock = FrozenClock(START)
    the_poller = poller(sessions, clock)
    await the_poller.tick()
    arabic = "https://news.example.sy/" + "ح" * 400  # 424 characters, 2,424 once escaped
    feed_server.set(
        "f.xml",
        rss(
            [
                {**item(2), "link": long_link(2000)},
                {**item(3), "link": long_link(2001)},
                {**item(4), "link": arabic},
                item(5),
            ]
        ),
    )
    clock.advance(minutes=6)
    report = await the_poller.tick()
    [outcome] = report.outcomes
    assert outcome.error is None
    assert (report.new_articles, report.planned, report.too_long) == (2, 2, 2)
    async with sessions() as session:
        links = set((await session.scalars(select(Article.link))).all())
        feed = await session.get(Feed, feed_id)
    assert long_link(2000) in links
    assert long_link(2001) not in links
    assert arabic not in links
    assert feed is not None
    assert feed.error_count == 0
    assert feed.last_error is not None
    assert "2 entries skipped: link longer than 2000 characters" in feed.last_error
    await the_poller.fetcher.close()


async def test_an_entry_whose_host_name_is_too_long_is_skipped(
    sessions: async_sessionmaker[AsyncSession], feed_server: FeedServer
) -> None:
    url = feed_server.set(
        "f.xml",
        rss([{**item(1), "link": f"https://{'a' * 256}.sy/1"}, {**item(2), "guid": "x"}]),
    )
    await setup_feed(sessions, url)
    the_poller = poller(sessions, FrozenClock(START))
    report = await the_poller.tick()
    assert (report.new_articles, report.too_long) == (1, 1)
    assert report.outcomes[0].error is None
    await the_poller.fetcher.close()


class ValidatorServer:
    """Serves one feed with the ETag and Last-Modified it is told, and answers 304 to them."""

    def __init__(self, body: str) -> None:
        self.body = body.encode()
        self.etag = '"e"'
        self.last_modified = "Sat, 10 Jan 2026 00:00:00 GMT"
        self.conditional: list[tuple[str | None, str | None]] = []
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> ValidatorServer:
        app = web.Application()
        app.router.add_get("/feed.xml", self._serve)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/feed.xml"
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _serve(self, request: web.Request) -> web.Response:
        sent = (request.headers.get("If-None-Match"), request.headers.get("If-Modified-Since"))
        self.conditional.append(sent)
        if sent[0] == self.etag:
            return web.Response(status=304)
        headers = {"ETag": self.etag, "Last-Modified": self.last_modified}
        return web.Response(body=self.body, headers=headers, content_type="application/rss+xml")


@pytest.fixture
async def validator_server() -> AsyncIterator[ValidatorServer]:
    server = await ValidatorServer(rss([item(1)])).start()
    yield server
    await server.stop()


@pytest.mark.parametrize(
    ("etag_chars", "date_chars", "kept"), [(500, 100, True), (501, 101, False), (600, 300, False)]
)
async def test_validators_too_long_to_store_are_dropped_and_the_poll_succeeds(
    sessions: async_sessionmaker[AsyncSession],
    validator_server: ValidatorServer,
    etag_chars: int,
    date_chars: int,
    kept: bool,
) -> None:
    validator_server.etag = '"' + "e" * (etag_chars - 2) + '"'
    validator_server.last_modified = "Sat, 10 Jan 2026 00:00:00 GMT".ljust(date_chars, "x")
    feed_id = await setup_feed(sessions, validator_server.url)
    clock = FrozenClock(START)
    the_poller = poller(sessions, clock)
    [outcome] = (await the_poller.tick()).outcomes
    assert outcome.error is None
    assert outcome.new == 1
    async with sessions() as session:
        feed = await session.get(Feed, feed_id)
        assert feed is not None
        assert (feed.error_count, feed.internal_error_count, feed.last_error) == (0, 0, None)
        assert feed.primed
        assert (feed.etag == validator_server.etag) is kept
        assert (feed.last_modified == validator_server.last_modified) is kept
        if not kept:
            assert (feed.etag, feed.last_modified) == (None, None)
    clock.advance(minutes=6)
    [second] = (await the_poller.tick()).outcomes
    assert second.error is None
    assert second.not_modified  # a 304 when kept, the same body when not
    expected = (validator_server.etag, validator_server.last_modified) if kept else (None, None)
    assert validator_server.conditional[-1] == expected
    await the_poller.fetcher.close()


# --- the same article in two feeds ------------------------------------------------------

SPORT_CHANNEL = -1009876543210


async def setup_second_feed(sessions: async_sessionmaker[AsyncSession], url: str) -> int:
    """A feed of another category, with a channel of its own."""
    async with sessions.begin() as session:
        categories = await catalog.ensure_categories(session, ["رياضة"])
        feed = await add_feed(session, url, categories=categories, now=START)
        await catalog.upsert_chat(session, SPORT_CHANNEL, ChatKind.CHANNEL, title="رياضة")
        await catalog.subscribe(session, SPORT_CHANNEL, categories)
        return feed.id


async def deliveries_by_chat(sessions: async_sessionmaker[AsyncSession]) -> dict[int, list[str]]:
    async with sessions() as session:
        rows = (
            await session.execute(
                select(Delivery.chat_id, Article.original_title)
                .join(Article, Article.id == Delivery.article_id)
                .order_by(Delivery.id)
            )
        ).all()
    found: dict[int, list[str]] = {}
    for chat_id, title in rows:
        found.setdefault(chat_id, []).append(title)
    return found


async def test_the_same_article_in_two_feeds_reaches_both_audiences(
    sessions: async_sessionmaker[AsyncSession], feed_server: FeedServer
) -> None:
    a = feed_server.set("a.xml", rss([item(1)]))
    b = feed_server.set("b.xml", rss([{**item(1), "guid": "b1"}]))
    await setup_feed(sessions, a)
    await setup_second_feed(sessions, b)
    clock = FrozenClock(START)
    the_poller = poller(sessions, clock)
    await the_poller.tick()  # both primed, nothing posted
    # In one tick (the two polls store concurrently) and in two ticks one after the other.
    feed_server.set("a.xml", rss([item(3), item(2), item(1)]))
    feed_server.set("b.xml", rss([{**item(2), "guid": "b2"}, {**item(1), "guid": "b1"}]))
    clock.advance(minutes=6)
    report = await the_poller.tick()
    assert report.new_articles == 2
    clock.advance(minutes=6)
    feed_server.set("b.xml", rss([{**item(3), "guid": "b3"}, {**item(2), "guid": "b2"}]))
    report = await the_poller.tick()
    [b_poll] = [outcome for outcome in report.outcomes if outcome.url == b]
    assert (report.new_articles, b_poll.shared) == (0, 1)
    assert await count(sessions, Article) == 3
    chats = await deliveries_by_chat(sessions)
    assert sorted(chats[CHANNEL]) == ["خبر رقم 2 عن حلب", "خبر رقم 3 عن حلب"]
    assert sorted(chats[SPORT_CHANNEL]) == ["خبر رقم 2 عن حلب", "خبر رقم 3 عن حلب"]
    async with sessions() as session:
        articles = (await session.scalars(select(Article).order_by(Article.id))).all()
        names = [sorted(c.name for c in article.categories) for article in articles]
    assert names[1:] == [["رياضة", "سياسة"], ["رياضة", "سياسة"]]
    # The copy is remembered: later polls of b do not plan it again.
    clock.advance(minutes=6)
    feed_server.set("b.xml", rss([{**item(3), "guid": "b3"}, {**item(2), "guid": "b2"}, item(9)]))
    report = await the_poller.tick()
    [b_poll] = [outcome for outcome in report.outcomes if outcome.url == b]
    assert (report.new_articles, report.planned, b_poll.shared) == (1, 1, 0)
    await the_poller.fetcher.close()


async def test_an_article_first_seen_by_a_new_feed_is_posted_by_a_primed_one(
    sessions: async_sessionmaker[AsyncSession], feed_server: FeedServer
) -> None:
    primed = feed_server.set("primed.xml", rss([item(1)]))
    await setup_feed(sessions, primed)
    clock = FrozenClock(START)
    the_poller = poller(sessions, clock)
    await the_poller.tick()
    # A feed added now records its entries without posting them: article 2 is stored unposted.
    newcomer = feed_server.set("new.xml", rss([{**item(2), "guid": "n2"}]))
    async with sessions.begin() as session:
        await add_feed(session, newcomer, now=clock.now)
    assert (await the_poller.tick()).planned == 0
    assert await count(sessions, Article) == 2
    feed_server.set("primed.xml", rss([item(2), item(1)]))
    clock.advance(minutes=6)
    report = await the_poller.tick()
    assert (report.new_articles, report.planned) == (0, 1)
    assert (await deliveries_by_chat(sessions))[CHANNEL] == ["خبر رقم 2 عن حلب"]
    await the_poller.fetcher.close()


# --- keys and links ---------------------------------------------------------------------


async def test_a_guid_repeated_in_one_body_does_not_swallow_entries(
    sessions: async_sessionmaker[AsyncSession], feed_server: FeedServer
) -> None:
    url = feed_server.set("f.xml", rss([{**item(1), "guid": "same"}]))
    await setup_feed(sessions, url)
    clock = FrozenClock(START)
    the_poller = poller(sessions, clock)
    await the_poller.tick()
    feed_server.set("f.xml", rss([{**item(n), "guid": "same"} for n in (4, 3, 2, 1)]))
    clock.advance(minutes=6)
    report = await the_poller.tick()
    # Article 1, stored under the GUID alone before, is known by its link: not posted again.
    assert (report.new_articles, report.planned) == (3, 3)
    assert await count(sessions, Article) == 4
    clock.advance(minutes=6)
    feed_server.set("f.xml", rss([{**item(n), "guid": "same"} for n in (5, 4, 3, 2)]))
    assert ((await the_poller.tick()).new_articles, await count(sessions, Article)) == (1, 5)
    await the_poller.fetcher.close()


async def test_links_in_a_legacy_encoding_are_two_articles(
    sessions: async_sessionmaker[AsyncSession], feed_server: FeedServer
) -> None:
    items = [
        {"title": "الأول", "link": "http://old.example.sy/news/%C7%E1%DA.htm"},
        {"title": "الثاني", "link": "http://old.example.sy/news/%C8%E1%DA.htm"},
    ]
    url = feed_server.set("f.xml", rss(items))
    await setup_feed(sessions, url)
    the_poller = poller(sessions, FrozenClock(START))
    assert (await the_poller.tick()).new_articles == 2
    await the_poller.fetcher.close()


# --- no floods --------------------------------------------------------------------------


async def test_a_flood_of_new_entries_posts_only_the_newest(
    sessions: async_sessionmaker[AsyncSession], feed_server: FeedServer
) -> None:
    url = feed_server.set("f.xml", rss([item(0)]))
    await setup_feed(sessions, url)
    clock = FrozenClock(START)
    the_poller = poller(sessions, clock, max_posts=10)
    await the_poller.tick()
    feed_server.set("f.xml", rss([item(n) for n in range(24, -1, -1)]))
    clock.advance(minutes=6)
    report = await the_poller.tick()
    assert (report.new_articles, report.planned, report.over_limit) == (24, 10, 14)
    expected = [f"خبر رقم {n} عن حلب" for n in range(15, 25)]  # the newest, oldest first
    assert (await deliveries_by_chat(sessions))[CHANNEL] == expected
    await the_poller.fetcher.close()


async def test_an_entry_published_long_before_it_is_seen_is_stored_not_posted(
    sessions: async_sessionmaker[AsyncSession], feed_server: FeedServer
) -> None:
    url = feed_server.set("f.xml", rss([item(0)]))
    await setup_feed(sessions, url)
    clock = FrozenClock(START)
    the_poller = poller(sessions, clock, max_entry_age=timedelta(hours=48))
    await the_poller.tick()
    # Seen at 09:06 on the 11th: one published 48 h before is posted, one 48 h 1 min before not.
    old = {**item(1), "guid": "old", "pubDate": "Fri, 09 Jan 2026 09:05:00 GMT"}
    edge = {**item(2), "guid": "edge", "pubDate": "Fri, 09 Jan 2026 09:06:00 GMT"}
    undated = {"title": "خبر بلا تاريخ", "guid": "undated", "link": "https://news.example.sy/u"}
    feed_server.set("f.xml", rss([undated, edge, old, item(0)]))
    clock.advance(minutes=6)
    report = await the_poller.tick()
    assert (report.new_articles, report.planned, report.too_old) == (3, 2, 1)
    assert sorted((await deliveries_by_chat(sessions))[CHANNEL]) == sorted(
        ["خبر بلا تاريخ", "خبر رقم 2 عن حلب"]
    )
    await the_poller.fetcher.close()


PERSIAN = (
    "خبرگزاری ایران گزارش داد که مذاکرات هسته‌ای در وین ادامه دارد و هیئت‌های گفتگو پیشرفت "
    "کرده‌اند. نمایندگان گفتند که گام بعدی هفته آینده برداشته می‌شود."
)


async def test_entries_not_in_arabic_go_only_where_a_binding_takes_their_language(
    sessions: async_sessionmaker[AsyncSession], feed_server: FeedServer
) -> None:
    """A Persian and an English entry in an Arabic section: stored, and planned only for the
    group that takes Persian; not for the Arabic channel nor its reader. An old one of them
    counts as too old like any other."""
    group, reader = -1009876543210, 77
    url = feed_server.set("f.xml", rss([item(0)]))
    feed_id = await setup_feed(sessions, url)
    async with sessions.begin() as session:
        categories = await catalog.ensure_categories(session, ["سياسة"])
        await catalog.upsert_chat(session, group, ChatKind.GROUP, title="مجموعة")
        await catalog.upsert_chat(session, reader, ChatKind.PRIVATE)
        await catalog.subscribe(session, group, categories)
        await catalog.subscribe(session, reader, categories)
        await channels.set_languages(session, group, categories[0].id, ["fa"])
    clock = FrozenClock(START)
    the_poller = poller(sessions, clock, max_entry_age=timedelta(hours=48))
    await the_poller.tick()
    persian = {
        "title": "مذاکرات هسته‌ای در وین",
        "guid": "fa",
        "description": PERSIAN,
        "link": "https://news.example.sy/fa",
        "pubDate": "Sat, 10 Jan 2026 08:00:00 GMT",
    }
    english = {"title": "Talks go on in Vienna", "guid": "en", "link": "https://news.example.sy/en",
               "description": "Ceasefire talks continue in Vienna as delegates report progress.",
               "pubDate": "Sat, 10 Jan 2026 08:30:00 GMT"}  # fmt: skip
    old = {**persian, "guid": "fa-old", "link": "https://news.example.sy/fa-old",
           "pubDate": "Wed, 07 Jan 2026 08:00:00 GMT"}  # fmt: skip
    feed_server.set("f.xml", rss([item(1), english, persian, old, item(0)]))
    clock.advance(minutes=6)
    report = await the_poller.tick()
    assert (report.new_articles, report.planned, report.too_old) == (4, 4, 1)
    assert await deliveries_by_chat(sessions) == {
        CHANNEL: ["خبر رقم 1 عن حلب"],
        group: ["خبر رقم 1 عن حلب", persian["title"]],  # oldest first
        reader: ["خبر رقم 1 عن حلب"],
    }
    async with sessions() as session:
        query = select(Article.language).where(
            Article.feed_id == feed_id, Article.original_title == english["title"]
        )
        assert (await session.scalars(query)).all() == [None]  # stored, posted nowhere
    await the_poller.fetcher.close()


# --- failures ---------------------------------------------------------------------------


async def test_a_long_run_of_failures_does_not_overflow_the_backoff(
    sessions: async_sessionmaker[AsyncSession], feed_server: FeedServer
) -> None:
    bad = feed_server.set("bad.xml", "<html>not a feed</html>")
    good = feed_server.set("good.xml", rss([item(1)]))
    bad_id = await setup_feed(sessions, bad)
    await setup_feed(sessions, good, channel=False)
    async with sessions.begin() as session:
        feed = await session.get(Feed, bad_id)
        assert feed is not None
        feed.error_count = 38
    clock = FrozenClock(START)
    the_poller = poller(sessions, clock, max_failures=40)
    report = await the_poller.tick()
    assert report.new_articles == 1
    async with sessions() as session:
        feed = await session.get(Feed, bad_id)
        assert feed is not None
        assert (feed.error_count, feed.disabled) == (39, False)
        assert feed.next_poll_at == clock.now + timedelta(hours=24)
    clock.advance(hours=24)
    assert [o.url for o in (await the_poller.tick()).disabled] == [bad]
    await the_poller.fetcher.close()


@pytest.mark.parametrize(
    ("failures", "wait"),
    [
        (0, timedelta(minutes=5)),
        (1, timedelta(minutes=5)),
        (2, timedelta(minutes=10)),
        (5, timedelta(minutes=80)),
        (9, timedelta(minutes=1280)),
        (10, timedelta(hours=24)),
        (40, timedelta(hours=24)),
        (10**6, timedelta(hours=24)),
    ],
)
def test_backoff_doubles_up_to_a_day(failures: int, wait: timedelta) -> None:
    assert backoff(timedelta(minutes=5), failures) == wait


async def refuse_articles_of(sessions: async_sessionmaker[AsyncSession], feed_id: int) -> None:
    """Make the database itself refuse to store this feed's articles (a trigger)."""
    async with sessions.begin() as session:
        if session.bind.dialect.name == "sqlite":
            await session.execute(
                text(
                    "CREATE TRIGGER refuse BEFORE INSERT ON articles "
                    f"WHEN NEW.feed_id = {feed_id} BEGIN SELECT RAISE(ABORT, 'refused'); END"
                )
            )
            return
        await session.execute(
            text(
                "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"IF NEW.feed_id = {feed_id} THEN RAISE EXCEPTION 'refused'; END IF; "
                "RETURN NEW; END $$"
            )
        )
        await session.execute(
            text(
                "CREATE TRIGGER refuse BEFORE INSERT ON articles "
                "FOR EACH ROW EXECUTE FUNCTION refuse()"
            )
        )


async def test_internal_errors_back_off_and_disable_the_feed(
    sessions: async_sessionmaker[AsyncSession], feed_server: FeedServer
) -> None:
    bad = feed_server.set("bad.xml", rss([{**item(1), "guid": "x"}]))
    good = feed_server.set("good.xml", rss([item(2)]))
    bad_id = await setup_feed(sessions, bad)
    await setup_feed(sessions, good, channel=False)
    await refuse_articles_of(sessions, bad_id)
    clock = FrozenClock(START)
    the_poller = poller(sessions, clock, max_failures=20, max_internal_failures=3)
    waits = []
    for _ in range(3):
        report = await the_poller.tick()
        [outcome] = [o for o in report.outcomes if o.url == bad]
        assert outcome.internal
        assert outcome.error is not None
        assert "internal error" in outcome.error
        async with sessions() as session:
            feed = await session.get(Feed, bad_id)
            assert feed is not None
            waits.append(feed.next_poll_at - clock.now)
        clock.advance(hours=1)
    assert waits[:2] == [timedelta(minutes=5), timedelta(minutes=10)]
    assert [o.url for o in report.disabled] == [bad]
    assert report.disabled[0].failures == 3
    async with sessions() as session:
        feed = await session.get(Feed, bad_id)
        assert feed is not None
        assert (feed.disabled, feed.error_count, feed.internal_error_count) == (True, 0, 3)
    assert await count(sessions, Article) == 1  # the good feed's
    await the_poller.fetcher.close()


async def test_a_body_that_kills_the_parser_counts_as_an_internal_failure(
    sessions: async_sessionmaker[AsyncSession], feed_server: FeedServer
) -> None:
    killer = feed_server.set("killer.xml", rss([item(1)]).encode() + KILLER)
    good = feed_server.set("good.xml", rss([item(2)]))
    killer_id = await setup_feed(sessions, killer)
    await setup_feed(sessions, good, channel=False)
    pool = ParserPool(workers=2, parse=parse_or_die)
    clock = FrozenClock(START)
    the_poller = poller(sessions, clock, parsers=pool, max_internal_failures=2)
    try:
        report = await the_poller.tick()
        outcomes = {outcome.url: outcome for outcome in report.outcomes}
        assert outcomes[good].error is None
        assert outcomes[good].new == 1
        assert outcomes[killer].internal
        assert "kills the parser" in (outcomes[killer].error or "")
        clock.advance(minutes=5)
        report = await the_poller.tick()
        assert [o.url for o in report.disabled] == [killer]
        assert pool.restarts == 1  # the same body was not given to new processes again
        async with sessions() as session:
            feed = await session.get(Feed, killer_id)
            assert feed is not None
            assert (feed.disabled, feed.internal_error_count, feed.error_count) == (True, 2, 0)
    finally:
        pool.close()
        await the_poller.fetcher.close()


async def test_nul_characters_from_a_feed_do_not_fail_its_poll(
    sessions: async_sessionmaker[AsyncSession], feed_server: FeedServer
) -> None:
    nul = {
        "title": "خبر\x00 أول",
        "guid": "g\x00",
        "link": "https://news.example.sy/a\x00b",
        "description": "نص\x00 الخبر",
        "category": "سياسة\x00",
    }
    url = feed_server.set("f.xml", rss([nul, item(2)]))
    await setup_feed(sessions, url)
    the_poller = poller(sessions, FrozenClock(START))
    [outcome] = (await the_poller.tick()).outcomes
    assert (outcome.error, outcome.new) == (None, 2)
    async with sessions() as session:
        titles = set((await session.scalars(select(Article.original_title))).all())
    assert "خبر أول" in titles
    await the_poller.fetcher.close()


async def test_a_poll_indexes_articles_with_the_terms_of_its_parser_workers(
    sessions: async_sessionmaker[AsyncSession], feed_server: FeedServer
) -> None:
    """The title's and text's index terms come from the worker process with the entry:
    storing the poll's articles stems nothing on the event loop, and they are searchable."""
    entries = [dict(item(1), description="<p>مفاوضات جديدة بين دمشق وأنقرة</p>"), item(2)]
    url = feed_server.set("f.xml", rss(entries))
    await setup_feed(sessions, url)
    pool = ParserPool(workers=1)
    fetcher = Fetcher(FetchLimits(allow_private=True))
    the_poller = Poller(sessions, fetcher, pool, clock=FrozenClock(START))
    try:
        caches = (_stem_folded, _word_index_document_terms)
        before = [cache.cache_info() for cache in caches]
        assert (await the_poller.tick()).new_articles == 2
        after = [cache.cache_info() for cache in caches]
    finally:
        pool.close()
        await the_poller.fetcher.close()
    assert [i.hits + i.misses for i in after] == [i.hits + i.misses for i in before]
    async with sessions() as session:
        matches = await newest_matches(
            session, Match((stem("انقرة"), stem("مفاوضات"))), Filters(), limit=10
        )
        [article] = [await session.get(Article, m.article_id) for m in matches]
    assert article is not None
    assert article.original_title == "خبر رقم 1 عن حلب"
