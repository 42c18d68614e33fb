"""The numbers behind /stats on SQLite and PostgreSQL: readers, articles by local day,
source and category, deliveries by state, troubled feeds."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.stats import CHART_DAYS, day_bounds
from storage import stats
from storage.broadcasts import draft, take_draft
from storage.feeds import add_feed, troubled_feeds
from storage.models import BroadcastState, Delivery, DeliveryStatus
from tests.factories import article_row, store_articles
from tests.newsroom import ACTIVE, ACTIVE_TOO, DAMASCUS, EXPECTED, local_noon, newsroom

NOW = local_noon(datetime(2026, 12, 3, 9, 0, tzinfo=UTC))


async def test_readers_are_counted_by_state_and_by_category(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions.begin() as session:
        await newsroom(session, NOW)
    async with sessions() as session:
        counts = await stats.readers(session)
    assert (counts.active, counts.stopped, counts.blocked) == EXPECTED["readers"]
    assert counts.by_category == EXPECTED["readers_by_category"]


async def test_articles_are_counted_by_local_day_source_and_category(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions.begin() as session:
        await newsroom(session, NOW)
    days, bounds = day_bounds(NOW, DAMASCUS, CHART_DAYS)
    async with sessions() as session:
        by_category = await stats.articles_by_category(session, bounds)
        by_feed = await stats.articles_by_feed(session, bounds)
    by_day = [sum(day) for day in zip(*(feed.counts for feed in by_feed), strict=True)]
    assert days[-1] == date(2026, 12, 3)
    assert days[0] == date(2026, 11, 20)
    # Today 4, yesterday 1, three days ago 2, ten days ago 1; twenty days ago is outside.
    assert by_day == [0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 2, 0, 1, 4]
    assert by_category == {
        "سياسة": [0, 0, 0, 1] + [0] * 8 + [1, 3],
        "اقتصاد": [0] * 10 + [2, 0, 0, 0],
        "رياضة": [0] * 12 + [1, 0],
        None: [0] * 13 + [1],
    }
    assert [(feed.name, sum(feed.counts)) for feed in by_feed] == [("عنب بلدي", 6), (None, 2)]


async def test_a_day_is_the_deployments_calendar_day(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """00:30 in Damascus is today there, though it is still yesterday in UTC; and a day
    across a change of summer time (Berlin, 25 October 2026) lasts 25 hours."""
    async with sessions.begin() as session:
        feed = await add_feed(session, "https://a.example/rss")
        midnight = datetime(2026, 12, 2, 21, 30, tzinfo=UTC)  # 00:30 on the 3rd in Damascus
        berlin = datetime(2026, 10, 25, 23, 30, tzinfo=UTC)  # 00:30 on the 26th in Berlin
        await store_articles(session, [
            article_row(feed.id, "just-after", when=midnight),
            article_row(feed.id, "just-before", when=midnight - timedelta(hours=1)),
            article_row(feed.id, "long-day", when=berlin - timedelta(hours=24, minutes=15)),
        ])  # fmt: skip
    _, bounds = day_bounds(NOW, DAMASCUS, 2)
    _, autumn = day_bounds(datetime(2026, 10, 26, 10, tzinfo=UTC), ZoneInfo("Europe/Berlin"), 2)
    async with sessions() as session:
        [feed_days] = await stats.articles_by_feed(session, bounds)
        assert feed_days.counts == [1, 1]
        # 23:15 UTC on the 24th is 01:15 on the 25th in Berlin (summer time, UTC+2).
        [feed_days] = await stats.articles_by_feed(session, autumn)
        assert feed_days.counts == [1, 0]
    assert autumn[1] - autumn[0] == timedelta(hours=25)


async def test_deliveries_are_counted_by_state(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions.begin() as session:
        await newsroom(session, NOW)
    _, bounds = day_bounds(NOW, DAMASCUS, CHART_DAYS)
    async with sessions() as session:
        counts = await stats.deliveries(session, bounds)
    sent_today, sent_week, failed, pending, held = EXPECTED["deliveries"]
    assert (counts.sent[-1], sum(counts.sent[-7:])) == (sent_today, sent_week)
    assert (sum(counts.failed[-7:]), counts.pending, counts.held) == (failed, pending, held)
    assert sum(counts.failed) == failed + 1  # the one given up on ten days ago
    assert counts.oldest_pending == NOW - EXPECTED["oldest_pending"]


async def test_a_broadcast_is_not_counted_with_the_articles(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions.begin() as session:
        await newsroom(session, NOW)
        sent = await draft(session, "تنبيه", 900, "المشرف", NOW - timedelta(days=1))
        await take_draft(session, sent.id, 900, BroadcastState.SENT, NOW - timedelta(days=1))
        later = NOW + timedelta(days=1)
        session.add_all([
            Delivery(broadcast_id=sent.id, chat_id=chat, status=status, next_attempt_at=later,
                     created_at=NOW - timedelta(days=1), sent_at=NOW)
            for chat, status in ((ACTIVE, DeliveryStatus.SENT),
                                 (ACTIVE_TOO, DeliveryStatus.PENDING))
        ])  # fmt: skip
    _, bounds = day_bounds(NOW, DAMASCUS, CHART_DAYS)
    async with sessions() as session:
        counts = await stats.deliveries(session, bounds)
    sent_today, _, _, pending, _ = EXPECTED["deliveries"]
    assert (counts.sent[-1], counts.pending) == (sent_today, pending)
    assert counts.oldest_pending == NOW - EXPECTED["oldest_pending"]


async def test_nothing_yet_counts_zero(sessions: async_sessionmaker[AsyncSession]) -> None:
    _, bounds = day_bounds(NOW, DAMASCUS, CHART_DAYS)
    async with sessions() as session:
        readers = await stats.readers(session)
        assert (readers.active, readers.stopped, readers.blocked, readers.by_category) == (
            0, 0, 0, [],
        )  # fmt: skip
        assert await stats.articles_by_category(session, bounds) == {}
        assert await stats.articles_by_feed(session, bounds) == []
        counts = await stats.deliveries(session, bounds)
        assert (counts.pending, counts.held, counts.oldest_pending) == (0, 0, None)
        assert await troubled_feeds(session, 10) == ([], 0)


async def test_troubled_feeds_are_the_failing_and_the_disabled(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions.begin() as session:
        await newsroom(session, NOW)
    async with sessions() as session:
        feeds, total = await troubled_feeds(session, 10)
        assert [f.name for f in feeds] == EXPECTED["troubled"]
        assert total == 2
        feeds, total = await troubled_feeds(session, 1)
        assert [f.name for f in feeds] == EXPECTED["troubled"][:1]
        assert total == 2
