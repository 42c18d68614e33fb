"""The sender election and the heartbeat (bot/roles.py): one sender per token on a
PostgreSQL database, another when it goes, and the global rate shared with the others."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import Bot

from bot.delivery.botapi import BotApiPublisher
from bot.delivery.sender import Sender
from bot.news.formatter import PostStyle
from bot.roles import Roles, sender_lock_key, share_of_rate
from bot.services import elect
from storage import catalog, outbox
from storage.db import make_engine, make_sessions, upgrade
from storage.feeds import add_feed
from storage.models import Delivery, DeliveryStatus, ProcessBeat, utcnow
from tests.factories import article_row, channel, reader, store_articles
from tests.fakes.telegram import FakeTelegram
from tests.processes import wait_until
from tests.support import make_settings

BOT_ID = 7000000001


async def new_engine(url: str) -> AsyncEngine:
    """An engine of its own, as another process has."""
    engine = make_engine(url)
    await upgrade(engine)
    return engine


def roles_on(engine: AsyncEngine, heartbeat: float = 0.5) -> Roles:
    return Roles(engine, make_sessions(engine), bot_id=BOT_ID, heartbeat_seconds=heartbeat)


def test_the_share_of_the_rate() -> None:
    assert share_of_rate(sender=True, live=1, rate=30, headroom=2) == 30
    assert share_of_rate(sender=True, live=3, rate=30, headroom=2) == 28
    assert share_of_rate(sender=False, live=3, rate=30, headroom=2) == 1
    assert share_of_rate(sender=False, live=2, rate=30, headroom=2) == 2
    # No sender elected yet (a takeover): a process alone keeps to the headroom.
    assert share_of_rate(sender=False, live=1, rate=30, headroom=2) == 2


def test_one_lock_per_token() -> None:
    assert sender_lock_key(BOT_ID) == sender_lock_key(BOT_ID)
    assert sender_lock_key(BOT_ID) != sender_lock_key(BOT_ID + 1)
    assert -(2**63) <= sender_lock_key(BOT_ID) < 2**63


async def test_alone_on_sqlite_it_is_the_sender(tmp_path: Path) -> None:
    engine = await new_engine(f"sqlite+aiosqlite:///{tmp_path}/nashra.db")
    roles = roles_on(engine)
    try:
        await roles.start()
        assert roles.is_sender
        assert roles.live == 1
        assert await roles.sender_elected()
    finally:
        await roles.close()
        await engine.dispose()


async def test_one_sender_and_another_when_it_stops(postgres_url: str) -> None:
    engines = [await new_engine(postgres_url) for _ in range(3)]
    everyone = [roles_on(engine) for engine in engines]
    try:
        for roles in everyone:
            await roles.start()
        await wait_until(lambda: all(r.live == 3 for r in everyone), 10, what="three beats")
        [first] = [r for r in everyone if r.is_sender]
        assert all([await r.sender_elected() for r in everyone])
        await first.close()  # a clean stop: the lock and the row go at once
        rest = [r for r in everyone if r is not first]
        await wait_until(lambda: any(r.is_sender for r in rest), 10, what="a new sender")
        assert sum(r.is_sender for r in rest) == 1
        await wait_until(lambda: all(r.live == 2 for r in rest), 10, what="two live")
    finally:
        for roles in everyone:
            await roles.close()
        for engine in engines:
            await engine.dispose()


async def test_a_dead_senders_leases_are_taken_over(postgres_url: str) -> None:
    """A sender killed (its connection gone, its row still saying sender): the next one
    waits out the grace, then ends the dead one's leases, so its rows go at once."""
    engines = [await new_engine(postgres_url) for _ in range(2)]
    dead, heir = roles_on(engines[0]), roles_on(engines[1])
    sessions = make_sessions(engines[1])
    try:
        await dead.start()
        assert dead.is_sender
        now = utcnow()
        async with sessions.begin() as session:
            [category] = await catalog.ensure_categories(session, ["سياسة"])
            feed = await add_feed(session, "https://news.example.sy/feed", now=now)
            await channel(session, -1001, [category])
            ids = await store_articles(session, [article_row(feed.id, "k", when=now)])
            await outbox.plan(session, [(ids[0], -1001, 0, DeliveryStatus.PENDING)], now)
            [leased] = await outbox.lease_due(
                session, now, limit=10, lease=timedelta(minutes=10), token="dead" * 8
            )
        await heir.start()
        assert not heir.is_sender
        # kill -9: no goodbye; PostgreSQL drops the lock with the connection.
        for task in dead._tasks:
            task.cancel()
        await dead._drop_lock_connection()
        await wait_until(lambda: heir.is_sender, 15, what="the heir elected")
        async with sessions() as session:
            row = await session.get(Delivery, leased.id)
            assert row is not None
            assert row.next_attempt_at <= utcnow()  # due again, not in ten minutes
            beats = (await session.scalars(select(ProcessBeat))).all()
        assert {b.role for b in beats if b.id == heir.process_id} == {"sender"}
    finally:
        dead.is_sender = False  # its listeners are gone with it
        await heir.close()
        await dead.close()
        for engine in engines:
            await engine.dispose()


async def test_the_sender_leaves_room_for_the_others_replies(
    postgres_url: str, telegram: FakeTelegram
) -> None:
    count = 2
    settings = make_settings(
        bot_token=telegram.token, telegram_api_base_url=telegram.base_url,
        heartbeat_seconds=0.5, global_rate_per_second=30, reply_headroom_per_second=2,
    )  # fmt: skip
    engines = [await new_engine(postgres_url) for _ in range(count)]
    publisher = BotApiPublisher(telegram.base_url, telegram.token)
    senders = [
        Sender(make_sessions(engine), publisher, PostStyle(inline_mode=True)) for engine in engines
    ]
    bot = Bot(telegram.token)  # elect reads its token: the lock is per token
    everyone = [
        await elect(settings, engine, make_sessions(engine), bot, sender, utcnow)
        for engine, sender in zip(engines, senders, strict=True)
    ]
    try:
        await wait_until(lambda: all(r.live == count for r in everyone), 10, what="beats")
        rates = sorted(s.pacer.limits.global_per_second for s in senders)
        assert rates == [2, 28]  # the other's headroom, and the sender's rest
        assert [s.sending for s in senders] == [r.is_sender for r in everyone]
        [sender] = [r for r in everyone if r.is_sender]
        await sender.close()
        [other] = [r for r in everyone if r is not sender]
        await wait_until(lambda: other.is_sender and other.live == 1, 10, what="alone")
        i = everyone.index(other)
        await wait_until(
            lambda: senders[i].pacer.limits.global_per_second == 30, 10, what="the full rate"
        )
        assert senders[i].sending
    finally:
        for roles in everyone:
            await roles.close()
        await publisher.close()
        for engine in engines:
            await engine.dispose()


async def test_a_sender_stopping_mid_fan_out_doubles_nothing(
    postgres_url: str, telegram: FakeTelegram
) -> None:
    """A clean stop (a rolling restart) while sends are in flight on a slow Telegram: its
    sends finish and are recorded before the next sender ends its leases."""
    readers = range(6_000_001, 6_000_041)
    for user in readers:
        telegram.add_user(user, "قارئ")
    settings = make_settings(bot_token=telegram.token, telegram_api_base_url=telegram.base_url)
    engines = [await new_engine(postgres_url) for _ in range(2)]
    sessions = make_sessions(engines[0])
    now = utcnow()
    async with sessions.begin() as session:
        [category] = await catalog.ensure_categories(session, ["سياسة"])
        feed = await add_feed(session, "https://news.example.sy/feed", now=now)
        ids = await store_articles(session, [article_row(feed.id, "k", when=now)])
        for chat_id in readers:
            await reader(session, chat_id, [category])
        await outbox.plan(session, [(ids[0], c, 1, DeliveryStatus.PENDING) for c in readers], now)
    telegram.delay("sendMessage", 1.5)
    publisher = BotApiPublisher(telegram.base_url, telegram.token)
    senders = [
        Sender(make_sessions(engine), publisher, PostStyle(inline_mode=True)) for engine in engines
    ]
    bot = Bot(telegram.token)
    everyone = [
        await elect(settings, engine, make_sessions(engine), bot, sender, utcnow)
        for engine, sender in zip(engines, senders, strict=True)
    ]
    tasks = [asyncio.create_task(sender.run()) for sender in senders]
    try:
        first = 0 if everyone[0].is_sender else 1
        await telegram.wait_for(lambda: len(telegram.calls_of("sendMessage")) >= 2, timeout=15)
        await everyone[first].close()  # as Services.close does: the roles first
        tasks[first].cancel()
        await telegram.wait_for(
            lambda: sum(len(telegram.sent(u)) for u in readers) >= len(readers), timeout=60
        )
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for roles in everyone:
            await roles.close()
        await publisher.close()
        for engine in engines:
            await engine.dispose()
    assert all(len(telegram.sent(u)) == 1 for u in readers)
