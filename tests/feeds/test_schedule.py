"""No tick: the poll runs when the next feed is due, and early when a feed's schedule moves."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import services_of
from bot.feeds.fetch import Fetcher, FetchLimits
from bot.feeds.poller import Poller
from bot.feeds.schedule import BUSY_WAIT, FIRST_POLL, MAX_SLEEP, PollSchedule
from bot.feeds.workers import ParserPool
from storage.db import make_engine, make_sessions, upgrade
from storage.feeds import add_feed, next_due
from storage.models import Feed
from tests.fakes.feeds import FeedServer, rss
from tests.fakes.telegram import FakeTelegram
from tests.support import make_settings, operator, running_bot

THEN = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)
CHANNEL = -1001000000011


class Polls:
    """A poll that records its calls and says how many feeds it polled, or fails."""

    def __init__(self, polled: int = 1) -> None:
        self.polled = polled
        self.calls = 0
        self.fail = False
        self._called = asyncio.Condition()

    async def __call__(self) -> int:
        async with self._called:
            self.calls += 1
            self._called.notify_all()
        if self.fail:
            raise ConnectionError("the database is down")
        return self.polled

    async def wait_for(self, calls: int) -> None:
        async with asyncio.timeout(10), self._called:
            await self._called.wait_for(lambda: self.calls >= calls)


@pytest.fixture
def due() -> list[datetime | None]:
    """When the next feed is due, as the schedule's next_due reads it."""
    return [THEN + timedelta(seconds=30)]


def schedule_of(due: list[datetime | None], **options: timedelta) -> PollSchedule:
    async def next_due() -> datetime | None:
        return due[0]

    return PollSchedule(next_due, lambda: THEN, **options)


async def started(schedule: PollSchedule, polls: Polls) -> PollSchedule:
    schedule.start(polls)
    # The first poll waits for the bot to start; a change brings it forward.
    assert await schedule.asleep() == THEN + FIRST_POLL
    schedule.changed()
    await polls.wait_for(1)
    return schedule


async def test_it_sleeps_until_the_next_feed_is_due(due: list[datetime | None]) -> None:
    polls = Polls()
    schedule = await started(schedule_of(due), polls)
    try:
        assert await schedule.asleep() == THEN + timedelta(seconds=30)
        assert polls.calls == 1
    finally:
        await schedule.stop()
    assert not schedule.running


async def test_a_moved_feed_wakes_it_and_it_looks_again(due: list[datetime | None]) -> None:
    polls = Polls()
    schedule = await started(schedule_of(due), polls)
    try:
        await schedule.asleep()
        due[0] = THEN + timedelta(seconds=5)  # a feed resumed, or given a shorter interval
        schedule.changed()
        await polls.wait_for(2)
        assert await schedule.asleep() == THEN + timedelta(seconds=5)
    finally:
        await schedule.stop()


async def test_nothing_to_poll_sleeps_the_longest_sleep(due: list[datetime | None]) -> None:
    due[0] = None
    schedule = await started(schedule_of(due), Polls())
    try:
        assert await schedule.asleep() == THEN + MAX_SLEEP
    finally:
        await schedule.stop()


async def test_a_far_feed_is_looked_at_again_within_the_longest_sleep(
    due: list[datetime | None],
) -> None:
    """Another process's change (the CLI's, say) is seen within MAX_SLEEP."""
    due[0] = THEN + timedelta(days=1)
    schedule = await started(schedule_of(due), Polls())
    try:
        assert await schedule.asleep() == THEN + MAX_SLEEP
    finally:
        await schedule.stop()


async def test_feeds_still_due_are_polled_again_at_once(due: list[datetime | None]) -> None:
    """More feeds due than one poll leases: the next poll follows without a sleep."""
    due[0] = THEN - timedelta(seconds=1)
    polls = Polls(polled=500)
    # Were it to wait as for feeds leased elsewhere, it would wait an hour.
    schedule = await started(schedule_of(due, busy_wait=timedelta(hours=1)), polls)
    try:
        await polls.wait_for(3)
    finally:
        await schedule.stop()


async def test_due_feeds_leased_elsewhere_are_not_a_busy_loop(
    due: list[datetime | None],
) -> None:
    """Due, but another process holds them: wait a moment rather than spin."""
    due[0] = THEN - timedelta(seconds=1)
    schedule = await started(schedule_of(due), Polls(polled=0))
    try:
        assert await schedule.asleep() == THEN + BUSY_WAIT
    finally:
        await schedule.stop()


async def test_a_failed_poll_is_retried_later_and_doubling(due: list[datetime | None]) -> None:
    polls = Polls()
    polls.fail = True
    schedule = await started(schedule_of(due), polls)
    try:
        assert await schedule.asleep() == THEN + timedelta(seconds=2)
        schedule.changed()
        await polls.wait_for(2)
        assert await schedule.asleep() == THEN + timedelta(seconds=4)
        polls.fail = False
        schedule.changed()
        await polls.wait_for(3)
        assert await schedule.asleep() == THEN + timedelta(seconds=30)
    finally:
        await schedule.stop()


# --- the database's side ------------------------------------------------------------------


async def test_next_due_is_the_earliest_feed_polled(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions.begin() as session:
        assert await next_due(session) is None
        early = await add_feed(session, "https://a.example/f", now=THEN)
        await add_feed(session, "https://b.example/f", now=THEN + timedelta(minutes=5))
        await session.flush()
        assert await next_due(session) == THEN
        # A paused or disabled feed is never due.
        early.paused = True
        await session.flush()
        assert await next_due(session) == THEN + timedelta(minutes=5)
        await session.execute(update(Feed).values(disabled=True))
        assert await next_due(session) is None


async def test_a_poll_now_reschedules(
    sessions: async_sessionmaker[AsyncSession], feed_server: FeedServer
) -> None:
    url = feed_server.set("f.xml", rss([{"title": "خبر", "link": "https://a.example/1"}]))
    async with Fetcher(FetchLimits(allow_private=True)) as fetcher:
        poller = Poller(sessions, fetcher, ParserPool(0), clock=lambda: THEN)
        moved: list[datetime | None] = []

        def listener() -> None:
            moved.append(THEN)

        poller.on_reschedule(listener)
        async with sessions.begin() as session:
            feed_id = (await add_feed(session, url, now=THEN)).id
        assert await poller.next_due() == THEN
        await poller.poll_feed(feed_id)
        assert moved == [THEN]
        assert await poller.next_due() == THEN + poller.settings.interval


# --- the bot: a changed feed is posted at its due time, with no tick ----------------------


def item(n: int) -> dict[str, str]:
    moment = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=10 - n)
    return {
        "title": f"افتتاح المدرسة رقم {n} في ريف حلب",
        "link": f"https://www.enabbaladi.net/archives/{n}",
        "guid": f"https://www.enabbaladi.net/?p={n}",
        "description": f"<p>افتتحت مديرية التربية المدرسة رقم {n} بعد ترميمها.</p>",
        "pubDate": format_datetime(moment, usegmt=True),
    }


async def test_a_changed_feed_is_posted_when_it_is_due(
    telegram: FakeTelegram, feed_server: FeedServer, database_url: str
) -> None:
    """Nobody calls a poll here: the schedule polls the new feed on its own, then the
    changed feed at its due time (a second ahead, not the next 30 s tick), and the new entry
    reaches the channel."""
    telegram.add_chat(CHANNEL, "channel", title="أخبار")
    url = feed_server.set("enab.xml", rss([item(1)]))
    settings = make_settings(
        bot_token=telegram.token,
        telegram_api_base_url=telegram.base_url,
        database_url=database_url,
        parse_workers=0,
        allow_private_feeds=True,
    )
    assert await operator(settings, "feed", "add", url, "--category", "سوريا محلي") == 0
    assert await operator(settings, "channel", "add", str(CHANNEL), "--category", "سوريا محلي") == 0
    async with running_bot(settings) as application:
        services = services_of(application)
        # The first poll primes the feed: its entries recorded, not posted.
        await feed_server.wait_for_hits("enab.xml", 1)
        await services.schedule.asleep()
        feed_server.set("enab.xml", rss([item(2), item(1)]))
        async with services.sessions.begin() as session:
            await session.execute(
                update(Feed).values(next_poll_at=datetime.now(UTC) + timedelta(seconds=1))
            )
        services.poller.reschedule()  # as /feeds' «حدّث الآن» or a new interval would
        await telegram.wait_for(lambda: len(telegram.sent(CHANNEL)) == 1, timeout=15)
    [post] = telegram.sent(CHANNEL)
    assert "المدرسة رقم 2" in post.text
    assert feed_server.route("enab.xml").hits == 2


async def test_two_processes_woken_together_poll_each_due_feed_once(
    postgres_url: str, feed_server: FeedServer
) -> None:
    """Two processes (two engines here) on one PostgreSQL wake for the same due feeds: each
    leases what the other has not (SKIP LOCKED), so every feed is fetched once."""
    engines = [make_engine(postgres_url) for _ in range(2)]
    await upgrade(engines[0])
    urls = [
        feed_server.set(f"f{n}.xml", rss([{"title": f"خبر {n}", "link": f"https://a.example/{n}"}]))
        for n in range(20)
    ]
    sessions = [make_sessions(engine) for engine in engines]
    now = datetime.now(UTC)
    async with sessions[0].begin() as session:
        for url in urls:
            await add_feed(session, url, now=now)
    polled: list[int] = []
    schedules: list[PollSchedule] = []
    async with AsyncExitStack() as stack:
        for made in sessions:
            fetcher = await stack.enter_async_context(Fetcher(FetchLimits(allow_private=True)))
            poller = Poller(made, fetcher, ParserPool(0))

            async def poll(poller: Poller = poller) -> int:
                count = len((await poller.tick()).outcomes)
                polled.append(count)
                return count

            schedule = PollSchedule(poller.next_due, poller.clock)
            stack.push_async_callback(schedule.stop)
            schedule.start(poll)
            schedules.append(schedule)
        for schedule in schedules:
            await schedule.asleep()  # the first poll's wait
        for schedule in schedules:
            schedule.changed()  # both wake at once
        for path in (f"f{n}.xml" for n in range(20)):
            await feed_server.wait_for_hits(path, 1)
        for schedule in schedules:
            await schedule.asleep()
        # Past the polls: both sleep until the feeds are due again, an interval from now.
        assert sum(polled) == 20
        assert [feed_server.route(f"f{n}.xml").hits for n in range(20)] == [1] * 20
    for engine in engines:
        await engine.dispose()
