"""The bot outlives its dependencies (issue 10): Telegram unreachable for a while, and
PostgreSQL dropping every connection in the middle of a fan-out. Nothing is lost, nothing is
sent twice, and sending resumes on its own."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.pool import NullPool

from bot.app import services_of
from bot.delivery.botapi import BotApiPublisher
from bot.delivery.instant import OUTAGE_AFTER
from bot.delivery.pacing import Limits
from bot.delivery.sender import Sender, SenderSettings
from bot.news.formatter import PostStyle
from bot.process import NashraProcess
from storage import catalog, outbox
from storage.db import make_engine, make_sessions, upgrade
from storage.feeds import add_feed
from storage.models import Delivery, DeliveryStatus, utcnow
from tests.factories import article_row, reader, store_articles
from tests.fakes.telegram import FakeTelegram
from tests.support import make_settings

READERS = range(4_000_001, 4_000_013)


async def plan_one_each(
    sessions: async_sessionmaker[AsyncSession], readers: range, articles: int = 1
) -> None:
    now = utcnow()
    async with sessions.begin() as session:
        [category] = await catalog.ensure_categories(session, ["سياسة"])
        feed = await add_feed(session, "https://news.example.sy/feed", categories=[category])
        feed.paused = True
        await session.flush()
        rows = [
            article_row(feed.id, f"k{n}", when=now - timedelta(minutes=n), title=f"خبر {n}")
            for n in range(articles)
        ]
        ids = await store_articles(session, rows, [category])
        for chat_id in readers:
            await reader(session, chat_id, [category])
        await outbox.plan(
            session, [(a, c, 1, DeliveryStatus.PENDING) for a in ids for c in readers], now
        )


async def statuses(sessions: async_sessionmaker[AsyncSession]) -> Counter[DeliveryStatus]:
    async with sessions() as session:
        rows = await session.execute(
            select(Delivery.status, func.count()).group_by(Delivery.status)
        )
        return Counter({status: count for status, count in rows.tuples()})


def received(telegram: FakeTelegram, readers: range) -> Counter[tuple[int, str]]:
    """(reader, text) of every message the readers got, counted."""
    return Counter((chat_id, m.text) for chat_id in readers for m in telegram.sent(chat_id))


async def test_telegram_unreachable_loses_nothing_and_sending_resumes(
    sessions: async_sessionmaker[AsyncSession], telegram: FakeTelegram, publisher: BotApiPublisher
) -> None:
    for user in READERS:
        telegram.add_user(user, "قارئ")
    await plan_one_each(sessions, READERS)
    port = urlsplit(telegram.base_url).port
    assert port is not None
    await telegram.stop()  # connections refused from now on
    sender = Sender(
        sessions, publisher, PostStyle(inline_mode=True),
        limits=Limits(private_interval=0.05),
        # Few attempts: without the outage pause, the rows would be dead-lettered at once.
        settings=SenderSettings(max_attempts=3),
    )  # fmt: skip
    task = asyncio.create_task(sender.run())
    try:
        # Two probes after the sends paused (1 s, then 2 s): the outage goes on, and costs
        # the rows nothing more.
        await wait_for_value(lambda: sender.instant.outage_steps >= 3, 30)
        assert sender.instant.failing >= OUTAGE_AFTER + 2
        async with sessions() as session:
            rows = (await session.scalars(select(Delivery))).all()
        assert {row.status for row in rows} == {DeliveryStatus.PENDING}
        assert max(row.attempts for row in rows) < 3
        assert all(row.last_error for row in rows if row.attempts)
        await telegram.start(port)  # Telegram is back
        await telegram.wait_for(
            lambda: sum(len(telegram.sent(u)) for u in READERS) >= len(READERS), timeout=30
        )
        await sender.settle()
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    assert await statuses(sessions) == Counter({DeliveryStatus.SENT: len(READERS)})
    assert all(count == 1 for count in received(telegram, READERS).values())
    assert sender.instant.failing == sender.instant.outage_steps == 0


async def wait_for_value(condition: object, seconds: float) -> None:
    """Until `condition()` holds: the sender's own counter, which no HTTP call announces."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not condition():  # type: ignore[operator]
        if loop.time() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.05)


async def cut_connections(url: str) -> int:
    """Terminate every other connection to the database, as a PostgreSQL restart does."""
    engine = make_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            cut = await connection.scalars(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
            return sum(1 for ok in cut if ok)
    finally:
        await engine.dispose()


async def test_postgres_connections_cut_mid_fan_out(
    postgres_url: str, telegram: FakeTelegram
) -> None:
    readers = range(4_100_001, 4_100_061)  # 60 readers × 3 articles
    for user in readers:
        telegram.add_user(user, "قارئ")
    engine = make_engine(postgres_url)
    await upgrade(engine)
    sessions = make_sessions(engine)
    await plan_one_each(sessions, readers, articles=3)
    wanted = len(readers) * 3
    settings = make_settings(
        bot_token=telegram.token, telegram_api_base_url=telegram.base_url,
        database_url=postgres_url,
    )  # fmt: skip
    process = NashraProcess(settings, poll_timeout=1)
    await process.start()
    try:
        await telegram.wait_for(lambda: len(telegram.calls_of("sendMessage")) >= 40, timeout=30)
        assert await cut_connections(postgres_url) >= 2  # the sender lock's, the pool's
        await telegram.wait_for(lambda: len(telegram.calls_of("sendMessage")) >= 80, timeout=30)
        assert await cut_connections(postgres_url) >= 1  # and again, later in the fan-out
        await telegram.wait_for(
            lambda: sum(len(telegram.sent(u)) for u in readers) >= wanted, timeout=60
        )
        roles = services_of(process.application).roles
        await telegram.wait_for(lambda: roles.is_sender, timeout=30)  # elected again
    finally:
        await process.stop()
    try:
        assert await statuses(sessions) == Counter({DeliveryStatus.SENT: wanted})
        assert all(count == 1 for count in received(telegram, readers).values())
        assert [c for c in telegram.calls_of("getUpdates") if c.status == 409] == []
    finally:
        await engine.dispose()
